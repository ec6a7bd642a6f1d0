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

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from datasketch import LeanMinHash, MinHash, MinHashLSH
from pydantic import Field

from toolkit.article import Article
from toolkit.expectations.base import (
    AnyExpectation,
    CorpusExpectation,
    NoParams,
    Params,
    Sighting,
    Why,
    gx_all_true,
)
from toolkit.expectations.body import has_body
from toolkit.expectations.headline import comparable, has_headline
from toolkit.text import normalise_space


def text_keys(texts: pd.Series) -> pd.Series:
    """A 64-bit hash of each text (pandas' SipHash with its fixed key: the same text gives the
    same key in every process and run) as 16 hex digits; None for a missing or empty text."""
    filled = texts.astype("string[pyarrow]").fillna("")
    hashes = pd.util.hash_array(filled.to_numpy(dtype=object))
    keys = pd.Series([f"{h:016x}" for h in hashes.tolist()], index=texts.index, dtype=object)
    return keys.where((filled.str.len() > 0).to_numpy(dtype=bool), None)


def body_keys(batch: pd.DataFrame) -> pd.Series:
    """The key of each body with white space folded (no-break spaces and line breaks too)."""
    return text_keys(normalise_space(batch["body"].astype("string[pyarrow]")))


def _first_seen(sightings: list[Sighting], what: str, why: str) -> dict[int, Why]:
    """Every sighting whose key was seen before fails, naming where it was seen first."""
    first: dict[object, int] = {}
    out: dict[int, Why] = {}
    for i, s in enumerate(sightings):
        if s.key is None:
            continue
        j = first.setdefault(s.key, i)
        if j != i:
            out[i] = Why(f"{what} is the same as in {_place(sightings[j])}: {why}")
    return out


def _place(s: Sighting) -> str:
    headline = f" ({s.headline!r})" if s.headline else ""
    return f"{s.file}:{s.line}{headline}"


def _new_headline(article: Article) -> str:
    return f"{article.headline or 'Report'}, officials say"


# --- body_unique ------------------------------------------------------------------------------


def _body_unique_sketch(batch: pd.DataFrame, p: NoParams) -> pd.Series:
    return body_keys(batch)


def _body_unique_judge(sightings: list[Sighting], p: NoParams) -> dict[int, Why]:
    return _first_seen(
        sightings,
        "the body",
        "the same text was saved under two headlines (or the page twice); keep one",
    )


def first_seen(keys: pd.Series) -> pd.Series:
    """True where a key was not seen earlier in the frame (a whole corpus in corpus order), or
    is None. GX's expect_column_values_to_be_unique would fail the first sighting too."""
    return ~(keys.duplicated(keep="first") & keys.notna())


def _body_key_column(batch: pd.DataFrame, p: NoParams) -> dict[str, pd.Series]:
    """True where the body (white space folded) is empty or not seen earlier in the corpus
    (by a 64-bit hash of it)."""
    return {"body_first_seen": first_seen(body_keys(batch))}


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
    judge=_body_unique_judge,
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
# uint64 division per shingle and permutation). The multipliers come from datasketch's seeded
# permutations; datasketch's MinHashLSH finds the candidate pairs. A test checks the estimates
# against exact Jaccard similarities.
_SEED = 1
_MERSENNE = np.uint64((1 << 61) - 1)
_MAX_HASH = np.uint64((1 << 32) - 1)
_SHINGLE_MIX = np.uint64(0x9E3779B97F4A7C15)
# Shingles permuted at once: a (chunk x num_perm) uint32 matrix of 2 MiB stays in cache.
_CHUNK = 1 << 13
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


def permutations(num_perm: int) -> tuple[np.ndarray, np.ndarray]:
    """uint32 multipliers (odd) and increments of the signature's permutations."""
    a, b = MinHash(num_perm=num_perm, seed=_SEED, scheme="legacy").permutations
    a32 = (np.asarray(a, dtype=np.uint64) & _MAX_HASH).astype(np.uint32) | np.uint32(1)
    b32 = (np.asarray(b, dtype=np.uint64) & _MAX_HASH).astype(np.uint32)
    return a32, b32


def shingle_hashes(body: pd.Series, k: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """32-bit hashes of every k-word shingle of every body (lower-cased words between white
    space, punctuation trimmed from their ends), the row each shingle comes from, and the number
    of words of each row. A split on white space is twice as fast as a regex split."""
    text = pa.array(body.astype("string[pyarrow]").fillna(""), type=pa.string())
    if isinstance(text, pa.ChunkedArray):  # what an empty Series gives
        text = text.combine_chunks()
    words = pc.utf8_split_whitespace(pc.utf8_lower(text))
    flat = pc.utf8_trim(pc.list_flatten(words), characters=_PUNCTUATION)
    parents = pc.list_parent_indices(words)
    keep = pc.not_equal(flat, "")
    flat = flat.filter(keep)
    rows = parents.filter(keep).to_numpy(zero_copy_only=False).astype(np.int64)
    counts = np.bincount(rows, minlength=len(body))
    # Each distinct word is hashed once; the words of the batch then index into those hashes.
    encoded = pc.dictionary_encode(flat)
    distinct = encoded.dictionary.to_numpy(zero_copy_only=False)
    word_hashes = pd.util.hash_array(distinct.astype(object))
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
    without shingles. ``rows`` must be sorted, as shingle_hashes gives them."""
    a, b = permutations(num_perm)
    values = hashes.astype(np.uint32)
    out = np.full((n_rows, num_perm), np.iinfo(np.uint32).max, dtype=np.uint32)
    for lo in range(0, len(values), _CHUNK):
        permuted = values[lo : lo + _CHUNK, None] * a + b  # wraps: arithmetic mod 2^32
        part = rows[lo : lo + _CHUNK]
        starts = np.flatnonzero(np.r_[True, part[1:] != part[:-1]])
        mins = np.minimum.reduceat(permuted, starts, axis=0)
        at = part[starts]
        out[at] = np.minimum(out[at], mins)  # a row may continue from the previous chunk
    return out


def body_signatures(batch: pd.DataFrame, p: NearDuplicate) -> pd.Series:
    """Each body's (exact key, MinHash signature bytes); None for a body shorter than
    ``min_words``."""
    exact = body_keys(batch)
    # A body repeated in the batch (wire copy, a page saved twice) is hashed once: the
    # permutations are the costly part, and every copy has the same signature.
    distinct = ~exact.duplicated() & exact.notna()
    bodies = batch["body"][distinct.to_numpy()]
    hashes, rows, counts = shingle_hashes(bodies, p.shingle_words)
    sig = signatures(hashes, rows, len(bodies), p.num_perm)
    by_key = {
        key: (key, sig[i].tobytes()) if counts[i] >= p.min_words else None
        for i, key in enumerate(exact[distinct.to_numpy()].tolist())
    }
    keys = [by_key.get(key) if key else None for key in exact.tolist()]
    return pd.Series(keys, index=batch.index, dtype=object)


def _near_sketch(batch: pd.DataFrame, p: NearDuplicate) -> pd.Series:
    return body_signatures(batch, p)


class NearIndex:
    """The bodies seen so far (by sighting number), in datasketch's MinHashLSH, and which of
    them a new body is a near-duplicate of."""

    def __init__(self, p: NearDuplicate) -> None:
        self.p = p
        self.lsh = MinHashLSH(threshold=p.threshold, num_perm=p.num_perm)
        self.firsts: dict[int, np.ndarray] = {}

    def match(self, raw: bytes) -> tuple[float, int] | None:
        """(estimated similarity, sighting) of the most similar body at or above the
        threshold, the earliest of equals; None when there is none."""
        values = np.frombuffer(raw, dtype=np.uint32).astype(np.uint64)
        candidates = sorted(self.lsh.query(self._minhash(values)))
        if not candidates:
            return None
        shares = (np.stack([self.firsts[j] for j in candidates]) == values).mean(axis=1)
        top = int(np.argmax(shares))  # the first of equals: the earliest in the corpus
        return (float(shares[top]), candidates[top]) if shares[top] >= self.p.threshold else None

    def add(self, i: int, raw: bytes) -> None:
        values = np.frombuffer(raw, dtype=np.uint32).astype(np.uint64)
        self.firsts[i] = values
        self.lsh.insert(i, self._minhash(values), check_duplication=False)

    @staticmethod
    def _minhash(values: np.ndarray) -> LeanMinHash:
        return LeanMinHash(seed=_SEED, hashvalues=values, scheme="legacy")


def _near_judge(sightings: list[Sighting], p: NearDuplicate) -> dict[int, Why]:
    # Only first sightings go into the index: a copy (exact or near) is reported against the
    # body it copies and is not itself compared with later ones, so that a corpus holding the
    # same story a thousand times costs a thousand look-ups, not half a million comparisons.
    index = NearIndex(p)
    exact_seen: set[str] = set()
    out: dict[int, Why] = {}
    for i, s in enumerate(sightings):
        if s.key is None:
            continue
        exact, raw = s.key
        if exact in exact_seen:
            continue  # an exact copy is body_unique's finding
        exact_seen.add(exact)
        best = index.match(raw)
        if best is None:
            index.add(i, raw)
            continue
        similarity, j = best
        out[i] = Why(
            f"the body is a near-duplicate of {_place(sightings[j])}: about "
            f"{similarity:.0%} of their {p.shingle_words}-word sequences are shared "
            "(MinHash estimate); the same story was saved twice, perhaps once updated"
        )
    return out


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
    judge=_near_judge,
    fix="Review the pair: keep the latest version of a story saved twice (an update or a "
    "correction), or drop the copy.",
    breaker=_near_copy,
    severity="warning",
    scope=has_body,
)


# --- headline_unique --------------------------------------------------------------------------


def headline_keys(batch: pd.DataFrame) -> pd.Series:
    """The key of each headline with white space folded, quotes straightened and case
    ignored."""
    return text_keys(comparable(batch["headline"]).str.lower())


class HeadlineUnique(NearDuplicate):
    # The body comparison is body_near_duplicate's, with its parameters.
    any_day: bool = Field(
        False,
        description="fail every repeated headline, also on another day with another body "
        "(desks reuse headlines for recurring items: weather, market close, columns)",
    )


def _headline_unique_sketch(batch: pd.DataFrame, p: HeadlineUnique) -> pd.Series:
    """(headline key, body signature or None) of each article with a headline, else None."""
    headlines = headline_keys(batch)
    bodies = body_signatures(batch, p)
    keys = [
        (h, b[1] if b is not None else None) if h is not None else None
        for h, b in zip(headlines.tolist(), bodies.tolist(), strict=True)
    ]
    return pd.Series(keys, index=batch.index, dtype=object)


@dataclasses.dataclass
class _Headline:
    """What the corpus holds under one headline so far: its first sighting on each day, and
    (from the second sighting on) the bodies to compare a new one with."""

    first: int
    days: dict[str, int]
    bodies: list[tuple[int, bytes]]
    index: NearIndex | None = None


def _headline_unique_judge(sightings: list[Sighting], p: HeadlineUnique) -> dict[int, Why]:
    """A shared headline fails where it is likely the same story twice: the same header day,
    or a body that is a near-duplicate (body_near_duplicate's MinHash, its threshold) of one
    under the same headline. Another day with another body is a recurring headline: it
    passes, unless ``any_day``."""
    seen: dict[object, _Headline] = {}
    out: dict[int, Why] = {}
    for i, s in enumerate(sightings):
        if s.key is None:
            continue
        headline, body = s.key
        group = seen.get(headline)
        if group is None:
            seen[headline] = _Headline(i, {s.date: i} if s.date else {}, [])
            if body is not None:
                seen[headline].bodies.append((i, body))
            continue
        same_day = group.days.get(s.date) if s.date else None
        if same_day is not None:
            out[i] = Why(
                f"the headline is the same as in {_place(sightings[same_day])}, on the same "
                f"day ({s.date}): likely one story saved twice; keep one, and if they are two "
                "stories, the scraper took the wrong headline"
            )
            continue
        near = None
        if body is not None and group.bodies:
            if group.index is None:
                group.index = NearIndex(p)
                for j, raw in group.bodies:
                    group.index.add(j, raw)
            near = group.index.match(body)
        if near is not None:
            similarity, j = near
            out[i] = Why(
                f"the headline is the same as in {_place(sightings[j])} and the bodies are "
                f"near-duplicates (about {similarity:.0%} of their {p.shingle_words}-word "
                "sequences shared): the same story saved twice, perhaps once updated; keep "
                "the latest"
            )
            continue
        if p.any_day:
            out[i] = Why(
                f"the headline is the same as in {_place(sightings[group.first])} (another "
                "day, another body: any_day fails every repeated headline)"
            )
            continue
        if s.date:
            group.days.setdefault(s.date, i)
        if body is not None:
            group.bodies.append((i, body))
            if group.index is not None:
                group.index.add(i, body)
    return out


def _headline_key_column(batch: pd.DataFrame, p: HeadlineUnique) -> dict[str, pd.Series]:
    """True where the headline is empty or not shared with an earlier article of the corpus on
    the same day or over a near-duplicate body (the judge's verdict over the whole frame)."""
    keys = _headline_unique_sketch(batch, p)
    order = np.lexsort((batch["line"].to_numpy(), batch["file_no"].to_numpy())).tolist()
    dates = batch["date"].astype(object).where(batch["date"].notna(), None).tolist()
    sightings = [
        Sighting(
            order=(0, n),
            file="",
            line=0,
            key=keys.iat[r],
            excerpt="",
            date=str(dates[r]) if dates[r] else None,
        )
        for n, r in enumerate(order)
    ]
    failing = [order[n] for n in _headline_unique_judge(sightings, p)]
    passes = np.ones(len(batch), dtype=bool)
    passes[failing] = False
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
    judge=_headline_unique_judge,
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
