"""Already-archived stories: incoming articles whose body repeats one in an archive index
(``toolkit index build``, toolkit.index), judged with ``toolkit check --against INDEX``.

They sketch each incoming article as the corpus expectations do (body_unique's hash,
body_near_duplicate's MinHash signature), and judge the whole incoming corpus once, at the end
of the run, against the index: one stream over its segments, whatever the batching. Each
finding stands at the incoming article and names the archived one's file and line. Without
``--against`` an entry is not judged: it passes, and its note says so.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from toolkit.expectations.base import CorpusExpectation, NoParams, P, Sighting, Why
from toolkit.expectations.body import has_body
from toolkit.expectations.corpus import NearDuplicate, body_columns, body_hashes
from toolkit.sightings import KeyColumns, Sightings, listed

if TYPE_CHECKING:
    from toolkit.index import ArchiveIndex

FAMILY = "archive"
NO_ARCHIVE = (
    "no archive index: not judged (run with --against INDEX; `toolkit index build` makes one)"
)


@dataclass(frozen=True)
class ArchiveExpectation(CorpusExpectation[P]):
    """A corpus expectation judged against an archive index: ``against`` reads the incoming
    sightings (in corpus order) and the index, and answers as a corpus judge does. Its plain
    ``judge`` is never asked: without an index the entry is not judged."""

    against: Callable[[Sightings, ArchiveIndex, P], dict[int, Why]] | None = None


def _not_judged_columns(seen: Sightings, p: Any) -> dict[int, Why]:
    return {}


def _not_judged(seen: list[Sighting], p: Any) -> dict[int, Why]:
    return {}


# --- body_archived ----------------------------------------------------------------------------


def _hash_columns(batch: pd.DataFrame, p: NoParams) -> KeyColumns:
    hashes, present = body_hashes(batch)
    return {"body": hashes, "has_body": present}


def _archived(seen: Sightings, index: ArchiveIndex, p: NoParams) -> dict[int, Why]:
    """Every incoming body whose hash is an archived body's fails, naming the first archived
    article with it."""
    if not len(seen):
        return {}
    match = index.exact(seen.keys["body"], seen.keys["has_body"])
    failing = np.flatnonzero(match >= 0)
    named = index.places(match[failing])
    return {
        i: Why(
            f"the body duplicates the archived article at {named[j]}: the story is already in "
            "the archive; drop it from the dump"
        )
        for i, j in zip(failing.tolist(), match[failing].tolist(), strict=True)
    }


_hash_sketch, _ = listed(_hash_columns, _not_judged_columns, ["body", "has_body"])

body_archived = ArchiveExpectation(
    name="body_archived",
    family=FAMILY,
    description="No body (white space aside) is already in the archive index given with "
    "--against; not judged without one.",
    field="body",
    params=NoParams,
    sketch=_hash_sketch,
    judge=_not_judged,
    sketch_columns=_hash_columns,
    judge_columns=_not_judged_columns,
    against=_archived,
    fix="Drop the article from the dump: the vendor or the scraper sent an archived story "
    "again. If it replaces the archived one (a correction), replace it in the archive.",
    severity="warning",
    scope=has_body,
)


# --- body_near_archived -----------------------------------------------------------------------


def _near_archived(seen: Sightings, index: ArchiveIndex, p: NearDuplicate) -> dict[int, Why]:
    """An incoming body fails where it is a near-duplicate of an archived one (the most
    similar, the earliest of equals; body_near_duplicate's MinHash and LSH, over the index's
    band keys). An exact copy of an archived body is body_archived's."""
    problem = index.mismatch(p)
    if problem is not None:
        raise ValueError(problem)
    if not len(seen):
        return {}
    exact = index.exact(seen.keys["body"], seen.keys["has_body"])
    eligible = seen.keys["has_signature"] & (exact < 0)
    match, similarity = index.near(seen.keys["signature"], eligible, p)
    failing = np.flatnonzero(match >= 0)
    named = index.places(match[failing])
    return {
        i: Why(
            f"the body is a near-duplicate of the archived article at {named[j]}: about "
            f"{sim:.0%} of their {p.shingle_words}-word sequences are shared (MinHash "
            "estimate); an archived story sent again, perhaps updated"
        )
        for i, j, sim in zip(
            failing.tolist(), match[failing].tolist(), similarity[failing].tolist(), strict=True
        )
    }


_NEAR_KEYS = ["body", "has_body", "signature", "has_signature"]
_near_sketch, _ = listed(body_columns, _not_judged_columns, _NEAR_KEYS)

body_near_archived = ArchiveExpectation(
    name="body_near_archived",
    family=FAMILY,
    description="No body is a near-duplicate of one in the archive index given with --against "
    "(body_near_duplicate's MinHash over word shingles, with the index's parameters); exact "
    "copies are body_archived's; not judged without an index.",
    field="body",
    params=NearDuplicate,
    sketch=_near_sketch,
    judge=_not_judged,
    sketch_columns=body_columns,
    judge_columns=_not_judged_columns,
    against=_near_archived,
    fix="Compare the pair: an update or a correction of an archived story should replace it "
    "in the archive; a copy should be dropped from the dump.",
    severity="warning",
    scope=has_body,
)


EXPECTATIONS: list[CorpusExpectation[Any]] = [body_archived, body_near_archived]
NAMES = frozenset(e.name for e in EXPECTATIONS)
