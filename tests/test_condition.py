"""row_condition: the grammar, its masks, and that a condition never runs code."""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from tests.conftest import SEED
from toolkit.article import reparse
from toolkit.batch import to_frame
from toolkit.cli import app
from toolkit.condition import ConditionError, parse_condition
from toolkit.examples import example_article


def frame() -> pd.DataFrame:
    """Four articles: dates, paragraph counts, a missing byline and caption, a headline."""
    base = example_article("a.txt")
    arts = [
        reparse(dataclasses.replace(base, date="2024-06-01", headline="Zebra wins")),
        reparse(dataclasses.replace(base, file="b.txt", date="2025-02-01", byline=None)),
        reparse(dataclasses.replace(base, file="c.txt", date="2025-03-01", caption=None)),
        reparse(
            dataclasses.replace(
                base, file="d.txt", date="2025-04-01", paragraphs=base.paragraphs[:1]
            )
        ),
    ]
    return to_frame(arts, {})


def kept(condition: str) -> list[str]:
    batch = frame()
    return list(batch["file"][parse_condition(condition).mask(batch)])


@pytest.mark.parametrize(
    ("condition", "files"),
    [
        ('date >= "2025-01-01"', ["b.txt", "c.txt", "d.txt"]),
        ("date >= '2025-01-01' and byline.notna()", ["c.txt", "d.txt"]),
        ("byline.isnull() or caption.isna()", ["b.txt", "c.txt"]),
        ("byline == None", ["b.txt"]),
        ("caption != None", ["a.txt", "b.txt", "d.txt"]),
        ("not byline.notnull()", ["b.txt"]),
        ("(paragraphs > 1) & ~(byline.isnull())", ["a.txt", "c.txt"]),
        ("paragraphs == 1", ["d.txt"]),
        ("1 < paragraphs <= 100", ["a.txt", "b.txt", "c.txt"]),
        ('date in ["2024-06-01", "2025-04-01"]', ["a.txt", "d.txt"]),
        ('date not in ["2024-06-01", "2025-04-01"]', ["b.txt", "c.txt"]),
        ('headline.str.contains("Zebra", regex=False)', ["a.txt"]),
        ('headline.str.contains("ZEBRA", case=False)', ["a.txt"]),
        ('headline.str.contains("^Zeb[a-z]+ w")', ["a.txt"]),
        ('headline.str.contains("Zebra") == False', ["b.txt", "c.txt", "d.txt"]),
        ('headline.str.startswith("Zebra")', ["a.txt"]),
        ('headline.str.endswith("wins")', ["a.txt"]),
        ('headline.str.match("Zeb")', ["a.txt"]),
        ('headline.str.fullmatch("Zebra wins")', ["a.txt"]),
        ("headline.str.len() < 11", ["a.txt"]),
        ("tags.list.len() > 0", ["a.txt", "b.txt", "c.txt", "d.txt"]),
        ('file == "c.txt"', ["c.txt"]),
    ],
)
def test_a_condition_keeps_the_articles_pandas_would(condition: str, files: list[str]) -> None:
    assert kept(condition) == files


def test_nulls_are_not_kept_even_under_not() -> None:
    # pandas' Arrow semantics: a test on a missing value is unknown, and so is its negation.
    assert kept('not byline.str.contains("ZZZ")') == ["a.txt", "c.txt", "d.txt"]
    assert kept('not byline.str.contains("ZZZ", na=False)') == ["a.txt", "b.txt", "c.txt", "d.txt"]


@pytest.mark.parametrize(
    ("condition", "pandas"),
    [
        ("paragraphs > 1", "paragraphs > 1"),
        ("byline == None and 2 < paragraphs", "byline.isnull() and (paragraphs > 2)"),
        ('headline.str.contains("x") == False', "not (headline.str.contains('x', regex=True))"),
    ],
)
def test_the_pandas_rendering_is_the_parsed_condition(condition: str, pandas: str) -> None:
    assert parse_condition(condition).pandas == pandas
    # And it reads back to the same tree.
    assert parse_condition(pandas).tree == parse_condition(condition).tree or "None" in condition


@pytest.mark.parametrize(
    ("condition", "message"),
    [
        ('body.to_csv("/tmp/x") == ""', "the method 'to_csv' is not allowed"),
        ('__import__("os").system("true")', "'__import__' is not allowed"),
        ("@cutoff < paragraphs", "'@' (a Python variable) is not allowed"),
        ("headline.str.upper().str.len() > 3", "is not allowed"),
        ("headline.values.any()", "is not allowed"),
        ("lambda: True", "'lambda: True' is not allowed"),
        ('f"{body}" == "x"', "is not allowed"),
        ('body.str.encode("utf-8") == 1', "is not allowed"),
        ('open("x") == 1', "calling 'open' is not allowed"),
        ("paragraphs + 1 > 3", "'paragraphs + 1' is not allowed"),
        ("body[0] == 'x'", "'body[0]' is not allowed"),
        ("[b for b in body]", "is not allowed"),
        ("paragraphs > 2 & date == 'x'", "put each side in parentheses"),
        ("date > 3", "date is text: compare it with quoted text"),
        ("paragraphs == 'x'", "paragraphs is a number"),
        ("tags == 'x'", "'tags' is a list column"),
        ("paragraphs is None", "'is' is not allowed"),
        ("1 == 1", "a comparison needs a column"),
        ('headline.str.contains("x", flags=2)', "takes the options case, regex, na, not flags"),
        (r'body.str.contains("(a)\\1")', "RE2 cannot run the regular expression"),
        ('body.str.match("(?=x)")', "RE2 cannot run the regular expression"),
        ("paragraphs", "'paragraphs' gives values, not true or false"),
        ("x" * 3000, "at most 2000 characters"),
        ("(" * 300 + "byline.isnull()" + ")" * 300, "not a valid expression"),
    ],
)
def test_anything_outside_the_grammar_is_refused(condition: str, message: str) -> None:
    with pytest.raises(ConditionError) as info:
        parse_condition(condition)
    assert message in str(info.value)


HOSTILE = [
    'body.to_csv("{out}") == ""',
    'headline.to_csv("{out}").str.len() > 0',
    '__import__("os").system("touch {out}") == 0',
    'byline.notna() and body.to_pickle("{out}") == None',
    '@pd.DataFrame().to_csv("{out}") == ""',
    '(lambda: open("{out}", "w"))() == 1',
    "f\"{{open('{out}', 'w')}}\" == \"\"",
    'headline.str.contains("x").to_csv("{out}") == ""',
    'body.str.cat(sep="").__class__ == 1',
]


@pytest.mark.parametrize("template", HOSTILE)
def test_a_condition_that_would_run_code_is_exit_2_and_writes_nothing(
    tmp_path: Path, template: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "written"
    condition = template.format(out=out)
    quoted = condition.replace("'", "''")
    suite = tmp_path / "bad.yaml"
    suite.write_text(
        f"suite: bad\nexpectations:\n  - expect: tags_non_empty\n    row_condition: '{quoted}'\n",
        encoding="utf-8",
    )
    monkeypatch.chdir(tmp_path)
    before = sorted(os.listdir(tmp_path))
    result = CliRunner().invoke(app, ["check", str(SEED), "--suite", str(suite)])
    assert result.exit_code == 2, result.output
    assert f"{suite}:4: row_condition: " in result.stderr
    assert "a condition may use column names" in result.stderr or "'@'" in result.stderr
    assert not out.exists()
    assert sorted(os.listdir(tmp_path)) == before
