"""Columns shared across the expectations of a batch: computed once, and never served for a
frame the engine did not make from the batch."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tests.conftest import BROKEN, CLEAN, SUITES
from toolkit import engine
from toolkit.engine import Partial, check
from toolkit.expectations import corpus
from toolkit.memo import for_batch, rows_of, same_rows, shared
from toolkit.result import Result
from toolkit.sightings import Sightings
from toolkit.suite import Suite, load_suite


def lengths(frame: pd.DataFrame) -> tuple[np.ndarray, ...]:
    return (frame["body"].str.len().to_numpy(),)


def test_rows_of_the_batch_are_served_from_it_and_other_frames_are_computed() -> None:
    batch = pd.DataFrame({"body": ["a", "bb", "ccc", "dddd"]})
    calls: list[int] = []

    def counted(frame: pd.DataFrame) -> tuple[np.ndarray, ...]:
        calls.append(len(frame))
        return lengths(frame)

    with for_batch(batch):
        part = rows_of(batch.iloc[[1, 3]], np.array([1, 3]))
        assert shared(part, "len", counted)[0].tolist() == [2, 4]
        assert shared(batch, "len", counted)[0].tolist() == [1, 2, 3, 4]
        # A copy with other text (a custom expectation's), same index: its own values.
        other = batch.assign(body=["zzzzz"] * 4)
        assert shared(other, "len", counted)[0].tolist() == [5, 5, 5, 5]
    assert calls == [4, 4]  # the batch once, the copy once
    assert shared(batch, "len", counted)[0].tolist() == [1, 2, 3, 4]  # outside a batch
    assert calls == [4, 4, 4]


def test_a_batch_computes_its_signatures_once_for_every_expectation_that_reads_them(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    real = corpus._body_signatures
    sizes: list[int] = []

    def counted(batch: pd.DataFrame, k: int, n: int) -> tuple[np.ndarray, ...]:
        sizes.append(len(batch))
        return real(batch, k, n)

    monkeypatch.setattr(corpus, "_body_signatures", counted)
    result = check([BROKEN, CLEAN], [load_suite(SUITES / "news.yaml")], batch_size=10_000)
    # body_near_duplicate and headline_unique read one computation over the one batch.
    assert sizes == [result.summary.articles]
    failed = {s.expectation: s.failed for s in result.suites[0].expectations}
    assert failed["body_near_duplicate"] and failed["headline_unique"]


def test_same_rows_gives_one_object_for_frames_of_the_same_rows() -> None:
    batch = pd.DataFrame({"body": ["a", "bb", "ccc", "dddd"]})
    with for_batch(batch):
        one = rows_of(batch.iloc[[0, 2]], np.array([0, 2]))
        two = rows_of(batch.iloc[[0, 2]], np.array([0, 2]))
        other = rows_of(batch.iloc[[1, 2]], np.array([1, 2]))
        first = same_rows(one, "len", lengths)
        assert same_rows(two, "len", lengths) is first
        assert same_rows(other, "len", lengths)[0].tolist() == [2, 3]
        assert same_rows(batch, "len", lengths) is same_rows(batch, "len", lengths)
        # Rows of the batch's columns (shared) are taken once for the same rows as well.
        assert shared(one, "len", lengths) is shared(two, "len", lengths)
    assert same_rows(batch, "len", lengths) is not same_rows(batch, "len", lengths)


@pytest.mark.parametrize("jobs", [1, 2])
def test_corpus_expectations_of_the_same_articles_hold_one_copy_of_their_places(
    monkeypatch: pytest.MonkeyPatch, jobs: int
) -> None:
    kept: list[dict[tuple[str, str], Sightings]] = []
    real = engine.finish

    def spy(suites: list[Suite], total: Partial, *args: object, **kwargs: object) -> Result:
        kept.append(dict(total.sightings))  # finish() lets them go as it judges them
        return real(suites, total, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(engine, "finish", spy)
    # Batches of 3 over both corpora: the merge joins many parts (pickled, over processes).
    result = check([BROKEN, CLEAN], [load_suite(SUITES / "news.yaml")], batch_size=3, jobs=jobs)
    assert result.summary.articles > 6
    unique, near = kept[0][("news", "body_unique")], kept[0][("news", "body_near_duplicate")]
    # Both read every article with a body: the same columns, not two copies.
    for column in ("file", "excerpt", "date", "headline", "file_no", "line"):
        assert getattr(unique, column) is getattr(near, column)
