"""Corpus judgements over shards of the sightings, so that no one process holds them all.

A corpus expectation whose verdicts can be reached shard by shard says how, in its ``shards``:

- ``ByKey``: its verdict on an article reads only the articles of the same key (exact
  duplicates: the body's hash; headlines: the headline's hash), so the sightings are cut by key
  and each shard is judged whole by the expectation's own judge. Its verdicts are the corpus's.
- ``ByBand``: near-duplicates by LSH bands (toolkit.lsh). An article goes to the shard of each
  of its band keys, so every bucket is whole in one shard; each shard gives the candidate pairs
  of its buckets at or above the threshold (few: pairs, not sightings), the sequential rule
  (``toolkit.lsh.first_matches``) runs once over all of them, and each verdict is written in a
  shard that holds both articles of its pair.

The engines that split a corpus over processes or machines (the Dask engine) use these; the
local engines judge the whole corpus in one process, and a test holds the two equal.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from toolkit.lsh import bucket_shards, first_matches, sorted_distinct
from toolkit.sightings import Sightings

if TYPE_CHECKING:
    from toolkit.expectations.base import Why

# An article's place in the corpus order as one number: file number, then line.
_LINE_BITS = 32

# Positions of a shard's sightings: (earlier, later, similarity) of pairs at the threshold.
Pairs = tuple[np.ndarray, np.ndarray, np.ndarray]
# A verdict of the sequential rule, by place (order keys): the article, the one it copies, and
# their similarity.
Matches = tuple[np.ndarray, np.ndarray, np.ndarray]


@dataclass(frozen=True)
class ByKey:
    """Shards by the key column ``key``, for the articles where ``present`` is true (the others
    are neither judged nor named by the judge)."""

    key: str
    present: str


@dataclass(frozen=True)
class ByBand:
    """Shards by LSH band. ``routes`` gives the positions that take part and their band keys
    ((k, b) uint64); ``pairs`` the pairs at the threshold among the sightings it is given,
    of every bucket or, with ``shard`` (k, of n), of that shard's buckets only; ``why`` the
    verdict on an article that copies the one at ``place`` with ``similarity``."""

    routes: Callable[[Sightings, Any], tuple[np.ndarray, np.ndarray]]
    pairs: Callable[[Sightings, Any, tuple[int, int] | None], Pairs]
    why: Callable[[str, float, Any], Why]


Sharding = ByKey | ByBand


def order_keys(seen: Sightings, positions: np.ndarray | None = None) -> np.ndarray:
    """Each sighting's place in the corpus order as one int64, the same in every process."""
    file_no, line = seen.corpus_order()
    if positions is not None:
        file_no, line = file_no[positions], line[positions]
    if len(line) and (int(line.max()) >= 1 << _LINE_BITS or int(line.min()) < 0):
        raise ValueError(f"a line number past {1 << _LINE_BITS}: the corpus order overflows")
    return (file_no.astype(np.int64) << _LINE_BITS) | line.astype(np.int64)


def routes(seen: Sightings, sharding: Sharding, params: Any, shards: int) -> list[np.ndarray]:
    """The positions of ``seen`` each of ``shards`` shards takes, in the order of ``seen``
    (by band, an article may go to several)."""
    if isinstance(sharding, ByKey):
        at = np.flatnonzero(seen.keys[sharding.present])
        shard = bucket_shards(seen.keys[sharding.key][at], shards)
        return [at[shard == k] for k in range(shards)]
    at, keys = sharding.routes(seen, params)
    shard = bucket_shards(keys, shards)
    return [at[(shard == k).any(axis=1)] for k in range(shards)]


def matched_verdicts(
    seen: Sightings,
    later: np.ndarray,
    earlier: np.ndarray,
    similarity: np.ndarray,
    why: Callable[[str, float, Any], Why],
    params: Any,
) -> dict[int, Why]:
    """The verdicts on the articles at ``later``, each a copy of the one at ``earlier``."""
    named = seen.named(earlier)
    return {
        i: why(named[j], sim, params)
        for i, j, sim in zip(later.tolist(), earlier.tolist(), similarity.tolist(), strict=True)
    }


def judge_by_bands(seen: Sightings, sharding: ByBand, params: Any) -> dict[int, Why]:
    """The whole corpus's verdicts (``seen`` in corpus order), in one process."""
    earlier, later, share = sharding.pairs(seen, params, None)
    match, similarity = first_matches(len(seen), earlier, later, share)
    failing = np.flatnonzero(match >= 0)
    return matched_verdicts(
        seen, failing, match[failing], similarity[failing], sharding.why, params
    )


def shard_pairs(seen: Sightings, sharding: ByBand, params: Any, shard: tuple[int, int]) -> Pairs:
    """The pairs of one shard's buckets (``seen``: the shard's sightings in corpus order), by
    place: what the shard sends to the process that runs the sequential rule."""
    earlier, later, share = sharding.pairs(seen, params, shard)
    return order_keys(seen, earlier), order_keys(seen, later), share


def combine(pairs: Sequence[Pairs]) -> list[Matches]:
    """The sequential rule over the pairs of every shard: for each shard, the verdicts it is to
    write (each verdict goes to one shard that found its pair, so holds both articles)."""
    shards = len(pairs)
    earlier = np.concatenate([p[0] for p in pairs]) if pairs else np.zeros(0, np.int64)
    later = np.concatenate([p[1] for p in pairs]) if pairs else np.zeros(0, np.int64)
    share = np.concatenate([p[2] for p in pairs]) if pairs else np.zeros(0, np.float64)
    origin = np.repeat(np.arange(shards), [len(p[0]) for p in pairs])
    out: list[Matches] = [
        (np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, np.float64))
        for _ in range(shards)
    ]
    if not len(earlier):
        return out
    # Places numbered densely, in corpus order: the rule's rows.
    places = sorted_distinct(np.concatenate([earlier, later]))
    e = np.searchsorted(places, earlier)
    lt = np.searchsorted(places, later)
    # A pair found in two shards (two of its bands in different shards) counts once.
    code = lt * len(places) + e
    by_code = np.argsort(code, kind="stable")
    first = by_code[np.r_[True, code[by_code][1:] != code[by_code][:-1]]]
    e, lt, share, origin, code = e[first], lt[first], share[first], origin[first], code[first]
    order = np.lexsort((e, -share, lt))
    match, similarity = first_matches(len(places), e[order], lt[order], share[order])
    failing = np.flatnonzero(match >= 0)
    # ``code`` is sorted (one entry per pair, by code): where each verdict's pair came from.
    shard_of = origin[np.searchsorted(code, failing * len(places) + match[failing])]
    for k in range(shards):
        mine = failing[shard_of == k]
        out[k] = (places[mine], places[match[mine]], similarity[mine])
    return out


def shard_verdicts(
    seen: Sightings, sharding: ByBand, params: Any, matches: Matches
) -> dict[int, Why]:
    """The verdicts ``combine`` gave a shard, at the positions of its sightings (``seen``, in
    corpus order)."""
    later, earlier, similarity = matches
    keys = order_keys(seen)
    return matched_verdicts(
        seen,
        np.searchsorted(keys, later),
        np.searchsorted(keys, earlier),
        similarity,
        sharding.why,
        params,
    )


__all__ = [
    "ByBand",
    "ByKey",
    "Matches",
    "Pairs",
    "Sharding",
    "combine",
    "judge_by_bands",
    "matched_verdicts",
    "order_keys",
    "routes",
    "shard_pairs",
    "shard_verdicts",
]
