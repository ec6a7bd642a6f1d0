"""Columns shared across the expectations of a batch: computed once, and never served for a
frame the engine did not make from the batch."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tests.conftest import BROKEN, CLEAN, SUITES
from toolkit.engine import check
from toolkit.expectations import corpus
from toolkit.memo import for_batch, rows_of, shared
from toolkit.suite import load_suite


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
