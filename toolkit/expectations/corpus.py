"""Corpus-wide expectations: duplicate and near-duplicate bodies, duplicate headlines. (Bounds
on the number of articles are table_row_count_to_be_between, in Great Expectations' words.)

Each ``sketch`` reduces an article to a small key (a 64-bit hash, or a MinHash signature of a
few hundred bytes) computed over the whole batch at once; ``judge`` reads the keys of the whole
corpus in corpus order (file, then line), so that the findings do not depend on how the corpus
was cut into batches or spread over processes. The first sighting of a body or headline passes;
each later one fails and names the file and line of the first.
"""

from __future__ import annotations

import dataclasses
import functools

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from pydantic import Field

from toolkit.article import Article
from toolkit.expectations.base import (
    AnyExpectation,
    CorpusExpectation,
    NoParams,
    Params,
    Why,
    gx_all_true,
)
from toolkit.expectations.body import has_body
from toolkit.expectations.headline import comparable, has_headline
from toolkit.lsh import band_keys, bands, first_of_codes, near_pairs, renumbered
from toolkit.memo import same_rows, shared
from toolkit.shards import ByBand, ByKey, judge_by_bands
from toolkit.sightings import KeyColumns, Sightings, listed
from toolkit.text import fold_space, text_runs


def text_hashes(texts: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """A 64-bit hash of each text (pandas' SipHash with its fixed key: the same text gives the
    same hash in every process and run), and where there is a text (not missing or empty)."""
    return arrow_hashes(pa.array(texts, type=pa.string(), from_pandas=True))


def arrow_hashes(texts: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """text_hashes of an Arrow string array."""
    filled = pc.fill_null(texts, "")
    # categorize=False: the same hashes without a factorize pass first, which would hash every
    # text once more (Python's own hash, and a table) for the few that repeat.
    hashes = pd.util.hash_array(filled.to_numpy(zero_copy_only=False), categorize=False)
    present = pc.greater(pc.binary_length(filled), 0).to_numpy(zero_copy_only=False)
    return hashes, present


def body_hashes(batch: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """The hash of each body with white space folded (no-break spaces and line breaks too),
    computed once per batch (toolkit.memo)."""
    hashes, present = shared(batch, "body_hashes", _body_hashes)
    return hashes, present


def folded_bodies(batch: pd.DataFrame) -> pa.Array:
    """Each body with white space folded (toolkit.text.fold_space), once per batch
    (toolkit.memo): what the body hash reads, and the words of the MinHash shingles."""
    return same_rows(batch, "folded bodies", _folded)


def _folded(batch: pd.DataFrame) -> pa.Array:
    body = batch["body"]
    text = pa.array(body, type=pa.string(), from_pandas=True)
    if isinstance(text, pa.ChunkedArray):  # what an empty Series gives
        text = text.combine_chunks()
    # A run of bodies at a time: folding's temporaries are a few times the text.
    parts = [fold_space(text.slice(r.start, r.stop - r.start)) for r in text_runs(body)]
    return pa.concat_arrays(parts) if parts else text


def _body_hashes(batch: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """A run of bodies at a time: hashing makes a Python string of each (the SipHash of
    ``hash_array``, which the archive index stores, takes objects), some five times the text."""
    folded = folded_bodies(batch)
    hashes = np.zeros(len(folded), dtype=np.uint64)
    present = np.zeros(len(folded), dtype=bool)
    for run in text_runs(folded):
        hashes[run], present[run] = arrow_hashes(folded.slice(run.start, run.stop - run.start))
    return hashes, present


def repeats(keys: np.ndarray, present: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The positions whose key (where ``present``) was seen at an earlier position, and that
    earlier position, the first of the key: one hash grouping, no loop."""
    at = np.flatnonzero(present)
    if not len(at):
        return at, at
    codes, _ = pd.factorize(keys[at])  # numbered in order of first appearance
    firsts = at[first_of_codes(codes)[codes]]
    later = firsts != at
    return at[later], firsts[later]


def first_seen_mask(keys: np.ndarray, present: np.ndarray) -> np.ndarray:
    """True where a key was not seen earlier (a whole corpus in corpus order), or is absent."""
    out = np.ones(len(keys), dtype=bool)
    out[repeats(keys, present)[0]] = False
    return out


def _new_headline(article: Article) -> str:
    return f"{article.headline or 'Report'}, officials say"


# --- body_unique ------------------------------------------------------------------------------


def _body_unique_columns(batch: pd.DataFrame, p: NoParams) -> KeyColumns:
    hashes, present = body_hashes(batch)
    return {"body": hashes, "has_body": present}


_SAME_BODY = "the same text was saved under two headlines (or the page twice); keep one"


def _body_unique_judge(seen: Sightings, p: NoParams) -> dict[int, Why]:
    """Every body whose hash was seen before fails, naming where it was seen first."""
    if not len(seen):
        return {}
    later, first = repeats(seen.keys["body"], seen.keys["has_body"])
    named = seen.named(first)
    return {
        i: Why(f"the body is the same as in {named[j]}: {_SAME_BODY}")
        for i, j in zip(later.tolist(), first.tolist(), strict=True)
    }


_body_unique_sketch, _body_unique_list_judge = listed(
    _body_unique_columns, _body_unique_judge, ["body", "has_body"]
)


def _body_key_column(batch: pd.DataFrame, p: NoParams) -> dict[str, pd.Series]:
    """True where the body (white space folded) is empty or not seen earlier in the corpus
    (by a 64-bit hash of it)."""
    hashes, present = body_hashes(batch)
    return {"body_first_seen": pd.Series(first_seen_mask(hashes, present), index=batch.index)}


def _retitle(article: Article, p: NoParams) -> Article:
    headline = _new_headline(article)
    return dataclasses.replace(article, headline=headline, title=headline)


body_unique = CorpusExpectation(
    name="body_unique",
    family="corpus",
    description="No two articles of the corpus have the same body (white space aside).",
    field="body",
    params=NoParams,
    sketch=_body_unique_sketch,
    judge=_body_unique_list_judge,
    sketch_columns=_body_unique_columns,
    judge_columns=_body_unique_judge,
    shards=ByKey("body", "has_body"),
    fix="Deduplicate: the same body under two headlines means the scraper saved one page "
    "twice or attached one page's text to another's header.",
    breaker=_retitle,
    severity="warning",
    gx=gx_all_true("body_first_seen", _body_key_column),
    scope=has_body,
)


# --- body_near_duplicate ----------------------------------------------------------------------

# MinHash over word shingles. An article's signature is, for each permutation (a, b), the
# minimum over its shingles' 32-bit hashes h of (a * h + b) mod 2^32, a odd: a bijection of the
# 32-bit values, computed for all the shingles of a batch at once in uint32 numpy arithmetic
# (seven times faster than datasketch's MinHash.update_batch formula, whose mod 2^61 - 1 needs a
# uint64 division per shingle and permutation). The multipliers are datasketch's seeded
# permutations (drawn as it draws them: see permutations), and the bands are those of its
# MinHashLSH (toolkit.lsh). A test checks the estimates against exact Jaccard similarities.
_SEED = 1
_MERSENNE = np.uint64((1 << 61) - 1)
_MAX_HASH = np.uint64((1 << 32) - 1)
_SHINGLE_MIX = np.uint64(0x9E3779B97F4A7C15)
_PUNCTUATION = " .,;:!?\"'“”‘’()[]{}<>—–-…/*"


class NearDuplicate(Params):
    # Unrelated articles, even on one topic, share about 1% of their 3-word shingles; a story
    # saved twice with one word in ten changed still shares over half.
    threshold: float = Field(
        0.5,
        gt=0,
        le=1,
        description="estimated Jaccard similarity of word shingles from which two bodies are "
        "near-duplicates",
    )
    shingle_words: int = Field(3, ge=1, le=12, description="words per shingle")
    num_perm: int = Field(
        64,
        ge=16,
        le=1024,
        description="MinHash permutations (precision against memory: 4 bytes each per article)",
    )
    min_words: int = Field(20, ge=1, description="shorter bodies are not compared")


@functools.lru_cache(maxsize=16)
def permutations(num_perm: int) -> tuple[np.ndarray, np.ndarray]:
    """uint32 multipliers (odd) and increments of the signature's permutations: datasketch's
    seeded ones (MinHash(seed=1, scheme="legacy"): for each permutation, a in [1, p) then b in
    [0, p), p = 2^61 - 1, drawn from numpy's RandomState), drawn here as it draws them, so that
    datasketch (and SciPy, which it imports) need not be loaded; a test checks them against
    datasketch's."""
    gen = np.random.RandomState(_SEED)
    drawn = np.array(
        [
            (gen.randint(1, _MERSENNE, dtype=np.uint64), gen.randint(0, _MERSENNE, dtype=np.uint64))
            for _ in range(num_perm)
        ],
        dtype=np.uint64,
    ).T
    a32 = (drawn[0] & _MAX_HASH).astype(np.uint32) | np.uint32(1)
    b32 = (drawn[1] & _MAX_HASH).astype(np.uint32)
    a32.flags.writeable = b32.flags.writeable = False  # cached: shared by every caller
    return a32, b32


def shingle_hashes(body: pd.Series, k: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """32-bit hashes of every k-word shingle of every body (lower-cased words between white
    space, punctuation trimmed from their ends), the row each shingle comes from, and the number
    of words of each row. A split on white space is twice as fast as a regex split."""
    text = pa.array(body.astype("string[pyarrow]").fillna(""), type=pa.string())
    if isinstance(text, pa.ChunkedArray):  # what an empty Series gives
        text = text.combine_chunks()
    return word_shingles(pc.utf8_split_whitespace(pc.utf8_lower(text)), len(body), k)


def folded_shingle_hashes(folded: pa.Array, k: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """shingle_hashes of bodies whose white space is folded already (folded_bodies): their
    words are split at single spaces, at half the cost of a split on any white space. An
    empty body's one empty word is dropped with the words that trimming empties."""
    return word_shingles(
        pc.split_pattern(pc.utf8_lower(pc.fill_null(folded, "")), " "), len(folded), k
    )


def word_shingles(
    words: pa.ListArray, n_rows: int, k: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The shingle hashes, rows and word counts of shingle_hashes from each row's words."""
    flat = pc.utf8_trim(pc.list_flatten(words), characters=_PUNCTUATION)
    parents = pc.list_parent_indices(words)
    keep = pc.not_equal(flat, "")
    flat = flat.filter(keep)
    rows = parents.filter(keep).to_numpy(zero_copy_only=False).astype(np.int64)
    counts = np.bincount(rows, minlength=n_rows)
    # Each distinct word is hashed once; the words of the batch then index into those hashes.
    encoded = pc.dictionary_encode(flat)
    distinct = encoded.dictionary.to_numpy(zero_copy_only=False)
    word_hashes = pd.util.hash_array(distinct.astype(object), categorize=False)
    hashes = word_hashes[encoded.indices.to_numpy(zero_copy_only=False)]
    n = len(hashes) - k + 1
    if n <= 0:
        return np.zeros(0, np.uint64), np.zeros(0, np.int64), counts
    mixed = hashes[:n].copy()
    for j in range(1, k):
        mixed = mixed * _SHINGLE_MIX + hashes[j : n + j]
    whole = rows[:n] == rows[k - 1 : n + k - 1]  # the shingle does not run into the next body
    mixed, rows = mixed[whole], rows[:n][whole]
    return (mixed >> np.uint64(32)) ^ (mixed & _MAX_HASH), rows, counts


def signatures(hashes: np.ndarray, rows: np.ndarray, n_rows: int, num_perm: int) -> np.ndarray:
    """The MinHash signature of each row: (n_rows, num_perm) uint32, all 2^32 - 1 for a row
    without shingles. ``rows`` must be sorted, as shingle_hashes gives them. One permutation
    at a time over all the shingles, into one reused buffer: a flat multiply-add and a flat
    minimum per row run six times faster than a (shingles x num_perm) matrix reduced along
    its first axis."""
    a, b = permutations(num_perm)
    values = hashes.astype(np.uint32)
    out = np.full((n_rows, num_perm), np.iinfo(np.uint32).max, dtype=np.uint32)
    if not len(values):
        return out
    starts = np.flatnonzero(np.r_[True, rows[1:] != rows[:-1]])
    at = rows[starts]
    permuted = np.empty_like(values)
    for j in range(num_perm):
        np.multiply(values, a[j], out=permuted)  # wraps: arithmetic mod 2^32
        np.add(permuted, b[j], out=permuted)
        out[at, j] = np.minimum.reduceat(permuted, starts)
    return out


def body_signatures(
    batch: pd.DataFrame, shingle_words: int, num_perm: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Each body's hash, where there is a body, its MinHash signature ((n, num_perm) uint32)
    and its number of words (int64): what body_near_duplicate compares and the archive index
    (toolkit.index) keeps. Computed once per batch (toolkit.memo): body_near_duplicate,
    headline_unique and body_near_archived all read them."""
    hashes, present, sig, words = shared(
        batch,
        ("body_signatures", shingle_words, num_perm),
        lambda frame: _body_signatures(frame, shingle_words, num_perm),
    )
    return hashes, present, sig, words


def _body_signatures(
    batch: pd.DataFrame, shingle_words: int, num_perm: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    hashes, present = body_hashes(batch)
    sig = np.full((len(batch), num_perm), np.iinfo(np.uint32).max, dtype=np.uint32)
    words = np.zeros(len(batch), dtype=np.int64)
    at = np.flatnonzero(present)
    if len(at):
        # A body repeated in the batch (wire copy, a page saved twice) is hashed once: the
        # permutations are the costly part, and every copy has the same signature.
        codes, _ = pd.factorize(hashes[at])
        firsts = at[first_of_codes(codes)]
        distinct = np.empty((len(firsts), num_perm), dtype=np.uint32)
        counts = np.empty(len(firsts), dtype=np.int64)
        bodies = folded_bodies(batch).take(pa.array(firsts))
        # A run of bodies at a time: the word and shingle arrays take some fifty times the text
        # (a string, offsets, hashes and row numbers per word, and their temporaries).
        for run in text_runs(bodies):
            part = bodies.slice(run.start, run.stop - run.start)
            shingles, rows, n_words = folded_shingle_hashes(part, shingle_words)
            distinct[run] = signatures(shingles, rows, len(n_words), num_perm)
            counts[run] = n_words
            del shingles, rows  # the next run's arrays take their place, not their side
        sig[at] = distinct[codes]
        words[at] = counts[codes]
    return hashes, present, sig, words


def body_columns(batch: pd.DataFrame, p: NearDuplicate) -> KeyColumns:
    """Each body's hash (``body``, where ``has_body``) and MinHash signature (``signature``,
    (n, num_perm) uint32, where ``has_signature``: a body of at least ``min_words`` words)."""
    hashes, present, sig, words = body_signatures(batch, p.shingle_words, p.num_perm)
    has_sig = present & (words >= p.min_words)
    return {"body": hashes, "has_body": present, "signature": sig, "has_signature": has_sig}


def _near_firsts(seen: Sightings) -> np.ndarray:
    """The positions that take part: a body with a signature, not a copy of an earlier one
    (an exact copy is body_unique's)."""
    has_sig = seen.keys["has_signature"]
    copies, _ = repeats(seen.keys["body"], has_sig)
    firsts = has_sig.copy()
    firsts[copies] = False
    return np.flatnonzero(firsts)


def _near_pairs(
    seen: Sightings, p: NearDuplicate, shard: tuple[int, int] | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The (earlier, later, similarity) positions of the near pairs among the first sightings
    of bodies; with ``shard``, of that shard's LSH buckets only (toolkit.shards)."""
    b, r = bands(p.threshold, p.num_perm)
    at = _near_firsts(seen)
    sig = seen.keys["signature"]
    earlier, later, share, _ = near_pairs(sig, p.threshold, b, r, shard=shard, rows=at)
    # In place, in near_pairs's 32 bits: a corpus of templated copies has some ten million
    # pairs, and new int64 columns of them would be 160 MB more.
    return renumbered(earlier, at), renumbered(later, at), share


def _near_routes(seen: Sightings, p: NearDuplicate) -> tuple[np.ndarray, np.ndarray]:
    """Every body with a signature and its band keys. An exact copy has its first's bands, so
    it lands in each shard that holds its first, where it is known for a copy."""
    b, r = bands(p.threshold, p.num_perm)
    at = np.flatnonzero(seen.keys["has_signature"])
    return at, band_keys(seen.keys["signature"], b, r, rows=at)


def _near_why(other: str, similarity: float, p: NearDuplicate) -> Why:
    return Why(
        f"the body is a near-duplicate of {other}: about {similarity:.0%} of their "
        f"{p.shingle_words}-word sequences are shared (MinHash estimate); the same story "
        "was saved twice, perhaps once updated"
    )


_NEAR_SHARDS = ByBand(routes=_near_routes, pairs=_near_pairs, why=_near_why)


def _near_judge(seen: Sightings, p: NearDuplicate) -> dict[int, Why]:
    """A body fails where it is a near-duplicate of an earlier one: the most similar (the
    earliest of equals) of the earlier bodies it shares an LSH band with that are not copies
    themselves. Only first sightings take part: an exact copy is body_unique's, and a copy
    (exact or near) is reported against the body it copies and not compared with later ones,
    so that a corpus holding one story a thousand times gives a thousand findings against the
    first. See toolkit.lsh for the banding and for the cap on a huge bucket."""
    if not len(seen):
        return {}
    return judge_by_bands(seen, _NEAR_SHARDS, p)


_NEAR_KEYS = ["body", "has_body", "signature", "has_signature"]
_near_sketch, _near_list_judge = listed(body_columns, _near_judge, _NEAR_KEYS)


_EXTRA_SENTENCE = "Officials declined to comment further."


def _near_copy(article: Article, p: NearDuplicate) -> Article:
    headline = _new_headline(article)
    paragraphs = (
        [*article.paragraphs[:-1], f"{article.paragraphs[-1]} {_EXTRA_SENTENCE}"]
        if (article.paragraphs)
        else [_EXTRA_SENTENCE]
    )
    return dataclasses.replace(article, headline=headline, title=headline, paragraphs=paragraphs)


body_near_duplicate = CorpusExpectation(
    name="body_near_duplicate",
    family="corpus",
    description="No body is a near-duplicate of an earlier one (MinHash over word shingles, "
    "Jaccard similarity at or above a threshold); exact copies are body_unique's.",
    field="body",
    params=NearDuplicate,
    sketch=_near_sketch,
    judge=_near_list_judge,
    sketch_columns=body_columns,
    judge_columns=_near_judge,
    shards=_NEAR_SHARDS,
    fix="Review the pair: keep the latest version of a story saved twice (an update or a "
    "correction), or drop the copy.",
    breaker=_near_copy,
    severity="warning",
    scope=has_body,
)


# --- headline_unique --------------------------------------------------------------------------


def headline_hashes(batch: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """The hash of each headline with white space folded, quotes straightened and case
    ignored, and where there is one."""
    return text_hashes(comparable(batch["headline"]).str.lower())


class HeadlineUnique(NearDuplicate):
    # The body comparison is body_near_duplicate's, with its parameters.
    any_day: bool = Field(
        False,
        description="fail every repeated headline, also on another day with another body "
        "(desks reuse headlines for recurring items: weather, market close, columns)",
    )


def _headline_columns(batch: pd.DataFrame, p: HeadlineUnique) -> KeyColumns:
    """Each headline's hash (``headline``, where ``has_headline``) and its body's signature
    (body_columns')."""
    hashes, present = headline_hashes(batch)
    body = body_columns(batch, p)
    return {
        "headline": hashes,
        "has_headline": present,
        "signature": body["signature"],
        "has_signature": body["has_signature"],
    }


def _day_codes(seen: Sightings) -> np.ndarray:
    """A number for each header day (-1 for none), equal for equal days."""
    read = seen.date.values()
    days = read.combine_chunks() if read.num_chunks != 1 else read.chunk(0)
    present = pc.fill_null(pc.not_equal(days, ""), False).to_numpy(zero_copy_only=False)
    codes = pc.dictionary_encode(days).indices.fill_null(-1).to_numpy(zero_copy_only=False)
    return np.where(present, codes.astype(np.int64), -1)


def _headline_unique_judge(seen: Sightings, p: HeadlineUnique) -> dict[int, Why]:
    """A shared headline fails where it is likely the same story twice: the same header day,
    or a body that is a near-duplicate (body_near_duplicate's MinHash, its threshold) of one
    under the same headline. Another day with another body is a recurring headline: it
    passes, unless ``any_day``. An article that fails is not compared with later ones.

    Headlines are grouped by hash; only an article that shares its headline and day with an
    earlier one, or its headline and a near-duplicate body (by LSH banding within the group,
    see toolkit.lsh), is judged one by one, so a headline recurring every day costs nothing
    beyond the grouping."""
    if not len(seen):
        return {}
    at = np.flatnonzero(seen.keys["has_headline"])
    if len(at) < 2:
        return {}
    headline = seen.keys["headline"][at]
    group, _ = pd.factorize(headline)
    group_first = first_of_codes(group)[group]  # the first article of each one's headline
    day = _day_codes(seen)[at]
    dated = day >= 0
    # The (headline, day) of each dated article: the first of each is where "the same day" can
    # be found; an article with an earlier one is judged in order.
    same_day = np.where(dated, group.astype(np.int64) * (int(day.max()) + 2) + day, -1)
    later_day, first_day = repeats(same_day, dated)
    day_first = np.full(len(at), -1, dtype=np.int64)
    day_first[later_day] = first_day
    # Pairs of near-duplicate bodies under one headline, for the articles that have a body.
    with_body = np.flatnonzero(seen.keys["has_signature"][at])
    pairs_of = np.zeros(len(at), dtype=bool)
    earlier = later = np.zeros(0, np.int64)
    share = np.zeros(0, np.float64)
    in_group = np.zeros(0, dtype=bool)
    if len(with_body):
        in_group = np.bincount(group[with_body])[group[with_body]] > 1
    if np.count_nonzero(in_group) > 1:
        # Only bodies under a headline that another body has can pair (the salt keeps apart
        # those of different headlines): a recurring headline's bodies, not every body.
        with_body = with_body[in_group]
        b, r = bands(p.threshold, p.num_perm)
        sig = seen.keys["signature"]
        earlier, later, share, _ = near_pairs(
            sig, p.threshold, b, r, salt=headline[with_body], rows=at[with_body]
        )
        earlier, later = renumbered(earlier, with_body), renumbered(later, with_body)
        pairs_of[later] = True
    judged_in_order = np.flatnonzero((day_first >= 0) | pairs_of)
    repeated = np.arange(len(at)) != group_first
    member = np.ones(len(at), dtype=bool)
    verdicts: list[tuple[int, str, int, float]] = []  # (local, rule, local of the other, sim)
    if p.any_day:
        plain = repeated.copy()
        plain[judged_in_order] = False
        member[plain] = False
        verdicts += [
            (i, "any_day", int(group_first[i]), 0.0) for i in np.flatnonzero(plain).tolist()
        ]
    lo = np.searchsorted(later, judged_in_order, side="left")
    hi = np.searchsorted(later, judged_in_order, side="right")
    js = earlier.tolist()
    day_member: dict[int, int] = {}  # (headline, day) to its first member judged in order
    for i, a, z in zip(judged_in_order.tolist(), lo.tolist(), hi.tolist(), strict=True):
        f = int(day_first[i])
        if f >= 0:
            j = f if member[f] else day_member.get(int(same_day[i]), -1)
            if j >= 0:
                verdicts.append((i, "day", j, 0.0))
                member[i] = False
                continue
        near = next((k for k in range(a, z) if member[js[k]]), None)
        if near is not None:
            verdicts.append((i, "near", js[near], float(share[near])))
            member[i] = False
        elif p.any_day:
            verdicts.append((i, "any_day", int(group_first[i]), 0.0))
            member[i] = False
        elif dated[i]:
            day_member.setdefault(int(same_day[i]), i)
    if not verdicts:
        return {}
    named = seen.named(at[np.array([v[2] for v in verdicts])])
    on_days = [v[0] for v in verdicts if v[1] == "day"]
    days = iter(seen.date.take(at[on_days]).to_pylist())
    out: dict[int, Why] = {}
    for i, rule, j, sim in verdicts:
        other = named[int(at[j])]
        if rule == "day":
            message = (
                f"the headline is the same as in {other}, on the same day ({next(days)}): "
                "likely one story saved twice; keep one, and if they are two stories, the "
                "scraper took the wrong headline"
            )
        elif rule == "near":
            message = (
                f"the headline is the same as in {other} and the bodies are near-duplicates "
                f"(about {sim:.0%} of their {p.shingle_words}-word sequences shared): the same "
                "story saved twice, perhaps once updated; keep the latest"
            )
        else:
            message = (
                f"the headline is the same as in {other} (another day, another body: any_day "
                "fails every repeated headline)"
            )
        out[int(at[i])] = Why(message)
    return out


_HEADLINE_KEYS = ["headline", "has_headline", "signature", "has_signature"]
_headline_unique_sketch, _headline_list_judge = listed(
    _headline_columns, _headline_unique_judge, _HEADLINE_KEYS
)


def _headline_key_column(batch: pd.DataFrame, p: HeadlineUnique) -> dict[str, pd.Series]:
    """True where the headline is empty or not shared with an earlier article of the corpus on
    the same day or over a near-duplicate body (the judge's verdict over the whole frame)."""
    seen = Sightings.of(batch, batch["headline"], _headline_columns(batch, p))
    order = seen.order()
    passes = np.ones(len(batch), dtype=bool)
    passes[order[list(_headline_unique_judge(seen.take(order), p))]] = False
    return {"headline_first_seen": pd.Series(passes, index=batch.index)}


# Another story altogether (no sentence shared with any likely article), so that only the
# headline repeats; on the same day, so that it is not a recurring headline.
_OTHER_STORY = [
    "Heavy snow blanketed the central region overnight, delaying dozens of domestic flights and "
    "forcing schools in three provinces to open two hours late.",
    "The weather agency said up to 15 centimeters of snow had fallen in mountainous areas of "
    "Gangwon by early morning, and warned drivers of black ice on expressways.",
    "Road crews sprayed calcium chloride on major routes before dawn, but traffic on several "
    "bridges slowed to a crawl during the morning commute.",
    "Forecasters expect the snow to taper off by the afternoon, followed by a cold snap that "
    "could push temperatures below minus 10 degrees Celsius in the capital on Friday.",
]


def _restory(article: Article, p: HeadlineUnique) -> Article:
    return dataclasses.replace(article, paragraphs=list(_OTHER_STORY), caption=None)


headline_unique = CorpusExpectation(
    name="headline_unique",
    family="corpus",
    description="No headline (case, white space and quote styles aside) is shared by two "
    "articles of the same day, or by two near-duplicate bodies; a headline recurring on "
    "another day over another body (weather, market close, columns) passes.",
    field="headline",
    params=HeadlineUnique,
    sketch=_headline_unique_sketch,
    judge=_headline_list_judge,
    sketch_columns=_headline_columns,
    judge_columns=_headline_unique_judge,
    shards=ByKey("headline", "has_headline"),
    fix="Check the pair: the same story saved twice (same day, or the same text updated) should "
    "be deduplicated; two stories under one headline on one day mean the scraper took the "
    "headline from the wrong element.",
    breaker=_restory,
    severity="warning",
    gx=gx_all_true("headline_first_seen", _headline_key_column),
    scope=has_headline,
)


EXPECTATIONS: list[AnyExpectation] = [
    body_unique,
    body_near_duplicate,
    headline_unique,
]
