"""Columnar sightings: the excerpts and places findings quote, merging, and the corpus order."""

from __future__ import annotations

import numpy as np
import pandas as pd

from toolkit.sightings import Sightings, excerpts, text_column
from toolkit.text import EXCERPT_CHARS, excerpt


def _frame(lines: list[int], files: list[int], headlines: list[str | None]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "file_no": files,
            "line": lines,
            "file": [f"f{n}.txt" for n in files],
            "date": ["2025-03-10"] * len(lines),
            "headline": pd.Series(headlines, dtype="string[pyarrow]"),
            "body": pd.Series([f"body {n}" for n in lines], dtype="string[pyarrow]"),
        }
    )


def test_excerpts_are_toolkit_excerpts() -> None:
    texts = [
        None,
        "",
        "short",
        "x" * EXCERPT_CHARS,
        "y" * (EXCERPT_CHARS + 1),
        "한국어 기사 본문 " * 40,
        "e\u0301" * 200,
        "😀" * (EXCERPT_CHARS + 3),
    ]
    series = pd.Series(texts, dtype="string[pyarrow]")
    assert excerpts(series).to_pylist() == [excerpt(t) for t in texts]
    # A column of other values (a list column) is quoted as Python prints it.
    lists = pd.Series([["a", "b"], None], dtype=object)
    assert excerpts(lists).to_pylist() == [excerpt(v) for v in lists]


def test_text_columns_keep_missing_values_missing() -> None:
    assert text_column(pd.Series(["a", None], dtype="string[pyarrow]")).to_pylist() == ["a", None]
    assert text_column(pd.Series([None, None], dtype=object)).to_pylist() == [None, None]
    assert text_column(pd.Series([3, None], dtype=object)).to_pylist() == ["3", None]


def test_merged_batches_come_out_in_corpus_order() -> None:
    one = _frame([40, 1], [1, 0], ["Later", "First"])
    two = _frame([20, 1], [0, 1], [None, "Second file"])
    parts = [
        Sightings.of(f, f["body"], {"k": np.arange(len(f)) + 10 * i, "m": np.ones((len(f), 3))})
        for i, f in enumerate((one, two))
    ]
    seen = Sightings.concat([Sightings.empty(), *parts]).ordered()
    assert [(s.file, s.line) for s in seen.as_list()] == [
        ("f0.txt", 1),
        ("f0.txt", 20),
        ("f1.txt", 1),
        ("f1.txt", 40),
    ]
    assert seen.keys["k"].tolist() == [1, 10, 11, 0]
    assert seen.keys["m"].shape == (4, 3)
    assert seen.places([0, 1]) == ["f0.txt:1 ('First')", "f0.txt:20"]
    assert seen.as_list()[2].excerpt == "body 1" and seen.as_list()[2].date == "2025-03-10"


def test_a_custom_sketchs_keys_travel_with_their_articles() -> None:
    one = _frame([9, 3], [0, 0], ["b", "a"])
    seen = Sightings.of(one, one["headline"], objects=[("key", 9), ("key", 3)]).ordered()
    assert [s.key for s in seen.as_list()] == [("key", 3), ("key", 9)]
