"""Hygiene: no-break spaces, mixed apostrophes and trailing white space are information by
default; they never fail a run, and say where the characters sit."""

from __future__ import annotations

import pytest

from tests.conftest import run
from toolkit.article import Article
from toolkit.examples import example_article
from toolkit.expectations import CATALOG
from toolkit.fixtures import make_article

HYGIENE = ("hygiene_no_break_spaces", "hygiene_mixed_apostrophes", "hygiene_trailing_whitespace")


@pytest.mark.parametrize("name", HYGIENE)
def test_hygiene_is_info_by_default_and_never_fails_a_run(name: str, seed_article: Article) -> None:
    assert CATALOG[name].severity == "info"
    result = run([seed_article], f"- expect: {name}")
    (f,) = result.findings
    assert (f.severity, f.line) == ("info", 1)
    assert result.exit_code == 0


def test_no_break_spaces_are_counted_and_pointed_at(seed_article: Article) -> None:
    (f,) = run([seed_article], "- expect: hygiene_no_break_spaces").findings
    assert f.message.startswith("9 no-break spaces (U+00A0) in the body")
    assert f.excerpt[slice(*f.spans[0])] == "\u00a0"
    assert "United\u00a0Nations" in f.excerpt


def test_mixed_apostrophes_name_both_words(seed_article: Article) -> None:
    (f,) = run([seed_article], "- expect: hygiene_mixed_apostrophes").findings
    assert "'Assad’s' (U+2019) in the body beside 'Ministry's' (U+0027) in the caption" in f.message
    assert f.excerpt[slice(*f.spans[0])] == "'"


def test_quotation_marks_are_not_apostrophes() -> None:
    a = make_article(example_article(), body="Kim said the plan was 'reckless' but Korea’s gain.")
    assert run([a], "- expect: hygiene_mixed_apostrophes").findings == []


def test_trailing_space_on_the_title_line() -> None:
    a = make_article(
        example_article(), title="Korea’s chip exports rise for a sixth month as AI demand holds  "
    )
    (f,) = run([a], "- expect: hygiene_trailing_whitespace").findings
    assert "title line" in f.message
    assert f.excerpt[slice(*f.spans[0])] == "  "
    assert run([example_article()], *(f"- expect: {n}" for n in HYGIENE)).findings == []


def test_a_suite_may_make_hygiene_critical(seed_article: Article) -> None:
    result = run([seed_article], "- expect: hygiene_no_break_spaces\n  severity: critical")
    assert result.exit_code == 1
