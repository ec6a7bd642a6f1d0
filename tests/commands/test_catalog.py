"""`toolkit expectations` and `toolkit explain`: the catalog as users read it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from toolkit.cli import app
from toolkit.expectations import CATALOG, AnyExpectation


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_expectations_lists_every_one_on_one_line() -> None:
    code, out, _ = invoke("expectations")
    assert code == 0
    lines = out.splitlines()
    assert [line.split()[0] for line in lines] == list(CATALOG)
    regex = next(line for line in lines if line.startswith("column_values_to_match_regex "))
    assert regex.split(maxsplit=3) == [
        "column_values_to_match_regex",
        "generic",
        "critical",
        "Every value of the column matches a regular expression (RE2, searched).",
    ]


def test_expectations_by_family_and_as_json() -> None:
    code, out, _ = invoke("expectations", "--family", "generic", "--format", "json")
    assert code == 0
    rows = json.loads(out)
    assert [r["name"] for r in rows] == [e.name for e in CATALOG.values() if e.family == "generic"]
    unique = next(r for r in rows if r["name"] == "column_values_to_be_unique")
    assert unique == {
        "name": "column_values_to_be_unique",
        "family": "generic",
        "severity": "critical",
        "description": CATALOG["column_values_to_be_unique"].description,
        "field": "column",
        "parameters": ["column"],
        "breaker": False,
        "gx": "expect_column_values_to_be_unique",
        "origin": "built-in",
    }


def test_an_unknown_family_exits_2_with_the_families() -> None:
    code, _, err = invoke("expectations", "--family", "generc")
    assert code == 2
    assert "unknown family 'generc': did you mean 'generic'?" in err


def test_explain_shows_parameters_articles_finding_and_fix() -> None:
    code, out, _ = invoke("explain", "column_values_to_match_regex")
    assert code == 0, out
    assert out.startswith(
        "column_values_to_match_regex: Every value of the column matches a regular expression"
    )
    assert "  regex   str  required  a regular expression (RE2 syntax), searched anywhere" in out
    assert "  - expect: column_values_to_match_regex\n    column: headline\n" in out
    assert (
        "Great Expectations: expect_column_values_to_match_regex(column='headline', "
        "regex='^[^<>]*$')" in out
    )
    passing, failing = out.split("Passing article (example.txt):")[1].split("Failing article")
    assert "      1   date 2025-04-22  Korea’s chip exports rise" in passing
    assert "  It passes: no finding." in passing
    # The breaker's change is marked: the old header as '-', the new one as '+' with its number.
    assert "  -       date 2025-04-22  Korea’s chip exports rise" in failing
    assert "  +   1   date 2025-04-22  Korea’s chip exports rise for a sixth month as AI" in failing
    assert "      4  Published: 22 Apr. 2025, 16:05" in failing  # unchanged lines unmarked
    assert (
        "  broken.txt:1: critical: headline 'Korea’s chip exports rise for a sixth month as AI "
        "demand ho…' does not match the regex '^[^<>]*$'" in failing
    )
    assert out.rstrip().endswith(
        "Fix:\n  Fix the scraper's extraction of this part, or widen the regex if the value is "
        "valid."
    )


def test_explain_takes_parameters_and_validates_them() -> None:
    code, out, _ = invoke(
        "explain",
        "column_values_to_not_match_regex",
        "--set",
        "column=body",
        "--set",
        "regex=&[a-z]+;",
    )
    assert code == 0
    assert "broken.txt:1: critical: body contains '&" in out
    code, _, err = invoke("explain", "column_values_to_be_between", "--set", "column=nope")
    assert code == 2
    assert "column_values_to_be_between: parameter 'column': unknown column 'nope'" in err


def test_explain_says_when_there_is_no_breaker() -> None:
    code, out, _ = invoke("explain", "column_values_to_not_be_null", "--set", "column=body")
    assert code == 0
    assert "No breaker: body is never null: an article always has a body" in out
    code, out, _ = invoke("explain", "column_values_to_be_unique")
    assert "No breaker: it judges the corpus as a whole" in out
    assert (
        "  example.txt:1: critical: headline is not unique: the same value is at copy.txt:1" in out
    )


def test_an_unknown_name_exits_2_with_a_suggestion() -> None:
    code, out, err = invoke("explain", "colum_values_to_be_unique")
    assert (code, out) == (2, "")
    assert err.strip() == (
        "toolkit: error: unknown expectation 'colum_values_to_be_unique': did you mean "
        "'column_values_to_be_unique'? 'toolkit expectations' lists the catalog"
    )


# Expectations whose required parameters have no example in their params model.
REQUIRED = {
    "tags_in_vocabulary": [
        "--set",
        f"vocabulary={Path(__file__).resolve().parent.parent / 'data/catalog/vocabulary/tags.txt'}",
    ],
}


@pytest.mark.parametrize("exp", list(CATALOG.values()), ids=lambda e: e.name)
def test_explain_works_for_every_expectation_in_the_catalog(exp: AnyExpectation) -> None:
    code, out, err = invoke("explain", exp.name, *REQUIRED.get(exp.name, []))
    assert code == 0, err
    assert exp.fix in out
    if exp.breaker is not None and "No breaker" not in out:
        assert "Failing article (broken.txt)" in out
        assert "broken.txt:1:" in out  # the broken article's finding, from the engine
