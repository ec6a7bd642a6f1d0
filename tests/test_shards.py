"""Corpus judgements over shards agree with the whole corpus judged in one process: for every
number of shards and groups, with buckets capped or not, verdict for verdict and message for
message (the Dask engine's parity test runs the same over a cluster)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest

from tests.expectations.test_corpus import _generated
from toolkit.engine import judged
from toolkit.expectations.base import CorpusExpectation, NoParams
from toolkit.expectations.corpus import (
    HeadlineUnique,
    NearDuplicate,
    body_near_duplicate,
    body_unique,
    headline_unique,
)
from toolkit.shards import ByBand, ByKey, combine, order_keys, routes, shard_pairs, shard_verdicts
from toolkit.sightings import Sightings


def _sightings(frame: pd.DataFrame, exp: CorpusExpectation[Any], params: Any) -> Sightings:
    assert exp.sketch_columns is not None
    column = frame[exp.field]
    return Sightings.of(frame, column, dict(exp.sketch_columns(frame, params)))


def _by_place(seen: Sightings, verdicts: dict[int, Any]) -> dict[int, str]:
    positions = np.array(sorted(verdicts), dtype=np.int64)
    keys = order_keys(seen, positions).tolist() if len(positions) else []
    return {k: verdicts[int(i)].message for k, i in zip(keys, positions.tolist(), strict=True)}


def sharded(
    seen: Sightings, exp: CorpusExpectation[Any], params: Any, groups: int, shards: int
) -> dict[int, str]:
    """The corpus cut into ``groups`` runs of articles (a worker's files each), each routed to
    ``shards`` shards, each shard judged on its own; verdicts by place."""
    assert exp.shards is not None
    cuts = np.array_split(np.arange(len(seen)), groups)
    parts = [seen.take(c) for c in cuts]
    pieces: list[list[Sightings]] = [[] for _ in range(shards)]
    for part in parts:
        for k, at in enumerate(routes(part, exp.shards, params, shards)):
            pieces[k].append(part.take(at))
    held = [Sightings.concat(p).ordered() for p in pieces]
    out: dict[int, str] = {}
    if isinstance(exp.shards, ByKey):
        for shard in held:
            mine = _by_place(shard, judged(exp, shard, params))
            assert not set(mine) & set(out)  # an article is judged in one shard only
            out.update(mine)
        return out
    assert isinstance(exp.shards, ByBand)
    pairs = [shard_pairs(h, exp.shards, params, (k, shards)) for k, h in enumerate(held)]
    for shard, matches in zip(held, combine(pairs), strict=True):
        out.update(_by_place(shard, shard_verdicts(shard, exp.shards, params, matches)))
    return out


CASES = [
    (body_unique, NoParams()),
    (body_near_duplicate, NearDuplicate()),
    (body_near_duplicate, NearDuplicate(threshold=0.3, min_words=12)),
    (headline_unique, HeadlineUnique()),
    (headline_unique, HeadlineUnique(any_day=True)),
]


@pytest.mark.parametrize("seed", [41, 42])
@pytest.mark.parametrize(("exp", "params"), CASES, ids=lambda v: getattr(v, "name", repr(v)))
def test_sharded_judgement_equals_the_whole_corpus_judged_at_once(
    exp: CorpusExpectation[Any], params: Any, seed: int
) -> None:
    frame = _generated(700, seed, days=15)
    seen = _sightings(frame, exp, params).ordered()
    whole = _by_place(seen, judged(exp, seen, params))
    assert len(whole) > 20  # copies, near-copies and shared headlines to find
    for groups, shards in [(1, 1), (1, 4), (3, 2), (5, 7), (8, 16)]:
        assert sharded(seen, exp, params, groups, shards) == whole, (groups, shards)


def test_capped_buckets_shard_as_they_judge_whole(monkeypatch: pytest.MonkeyPatch) -> None:
    # A tiny cap: templated near-copies overflow their buckets, and a bucket is still whole in
    # one shard, so the capped pairs are the same.
    monkeypatch.setattr("toolkit.lsh.CAP", 3)
    frame = _generated(700, 43)
    params = NearDuplicate(threshold=0.3)
    seen = _sightings(frame, body_near_duplicate, params).ordered()
    whole = _by_place(seen, judged(body_near_duplicate, seen, params))
    monkeypatch.setattr("toolkit.lsh.CAP", 10**9)
    uncapped = _by_place(seen, judged(body_near_duplicate, seen, params))
    assert whole != uncapped  # the cap bites on this corpus
    monkeypatch.setattr("toolkit.lsh.CAP", 3)
    assert sharded(seen, body_near_duplicate, params, 4, 5) == whole


def test_a_shard_holds_a_part_of_the_sightings() -> None:
    frame = _generated(700, 44)
    params = NearDuplicate()
    seen = _sightings(frame, body_near_duplicate, params).ordered()
    assert body_near_duplicate.shards is not None
    taken = routes(seen, body_near_duplicate.shards, params, 8)
    assert sum(len(t) for t in taken) > 0
    assert max(len(t) for t in taken) < len(seen)
    key_taken = routes(seen, ByKey("body", "has_body"), NoParams(), 8)
    assert sum(len(t) for t in key_taken) == int(seen.keys["has_body"].sum())
    assert max(len(t) for t in key_taken) < len(seen) / 4


def test_an_article_past_the_corpus_order_is_an_error() -> None:
    frame = _generated(60, 45)
    frame.loc[frame.index[0], "line"] = 1 << 33
    seen = _sightings(frame, body_unique, NoParams())
    with pytest.raises(ValueError, match="corpus order"):
        order_keys(seen)
