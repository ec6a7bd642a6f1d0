"""Explanations of many failing rows at once (``explain_rows``): the engines use it for a whole
batch, its row form (``one_row``) is the expectation's ``explain``, and both give the same Why
for every failing article; a broken one is the expectation's failure, not a crash."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pytest

from tests.conftest import CORPORA
from toolkit.article import Article
from toolkit.batch import to_frame
from toolkit.engine import ExpectationFailure, check_mask, files_of, row_findings
from toolkit.examples import example_article
from toolkit.expectations import CATALOG, Expectation
from toolkit.expectations.base import NoParams, Why, one_row
from toolkit.fixtures import break_article
from toolkit.readers.formats import read_file
from toolkit.suite import Suite, SuiteEntry

LANGUAGES = Path(__file__).resolve().parent.parent / "data" / "languages"
BATCHED = sorted(n for n, e in CATALOG.items() if getattr(e, "explain_rows", None) is not None)


def _articles() -> list[Article]:
    """Every article of the shipped corpora and of the language samples."""
    found = []
    for root in (CORPORA / "broken", CORPORA / "clean", LANGUAGES):
        for path in sorted(p for p in root.rglob("*.txt") if p.is_file()):
            found.extend(read_file(path, str(path)).articles)
    return found


def test_the_expensive_explanations_are_batched() -> None:
    assert {
        "body_min_words",
        "body_no_boilerplate",
        "body_no_invisible_chars",
        "body_not_headline_or_caption",
        "headline_length",
    } <= set(BATCHED)


@pytest.mark.parametrize("name", BATCHED)
def test_batch_and_row_explanations_agree(name: str) -> None:
    exp = CATALOG[name]
    assert isinstance(exp, Expectation) and exp.explain_rows is not None
    params = exp.params()
    articles = _articles()
    articles += [break_article(a, exp, params) for a in articles[:20]]
    frame = to_frame(articles, files_of(articles))
    bad = frame[~check_mask(exp.check, params, frame).to_numpy(dtype=bool)]
    assert len(bad) >= 2  # the batch form is tried on more than one row
    whys = exp.explain_rows(bad, params)
    rows = pa.Table.from_pandas(bad, preserve_index=False).to_pylist()
    assert whys == [exp.explain(row, params) for row in rows]
    assert all(w.message and "{" not in w.message for w in whys)


def _entry(exp: Expectation[Any]) -> tuple[Suite, SuiteEntry]:
    entry = SuiteEntry(id=exp.name, expectation=exp, params=NoParams(), severity="critical")
    return Suite(name="s", file="s.yaml", entries=[entry]), entry


def _custom(explain_rows: Any) -> Expectation[NoParams]:
    return Expectation(
        name="custom_short",
        family="custom",
        description="",
        field="body",
        params=NoParams,
        check=lambda batch, p: pd.Series(False, index=batch.index),
        explain=one_row(explain_rows),
        explain_rows=explain_rows,
        fix="",
    )


def test_the_engine_explains_a_batch_with_one_call() -> None:
    calls = []

    def explain_rows(rows: pd.DataFrame, p: NoParams) -> list[Why]:
        calls.append(len(rows))
        return [Why(f"body of {len(b)} characters") for b in rows["body"]]

    exp = _custom(explain_rows)
    suite, entry = _entry(exp)
    articles = [example_article(f"a{i}.txt") for i in range(3)]
    frame = to_frame(articles, files_of(articles))
    found = row_findings(suite, entry, frame, exp)
    assert calls == [3]
    assert [(f.file, f.line) for f in found] == [("a0.txt", 1), ("a1.txt", 1), ("a2.txt", 1)]
    assert found[0].message == f"body of {len(articles[0].body)} characters"


@pytest.mark.parametrize(
    ("answer", "said"),
    [
        (lambda rows: [Why("one")], "its explain_rows returned a list ([Why("),
        (lambda rows: None, "its explain_rows returned a NoneType (None)"),
        (lambda rows: ["text"] * len(rows), "its explain_rows returned a str ('text'), not a Why"),
    ],
)
def test_a_wrong_answer_of_explain_rows_is_the_expectations_failure(answer: Any, said: str) -> None:
    exp = _custom(lambda rows, p: answer(rows))
    suite, entry = _entry(exp)
    articles = [example_article(f"a{i}.txt") for i in range(2)]
    with pytest.raises(ExpectationFailure) as raised:
        row_findings(suite, entry, to_frame(articles, files_of(articles)), exp)
    assert str(raised.value).startswith(said)
