"""The rich report's layout through `toolkit check`: it fits the terminal, folds passing
expectations, counts info findings, and closes with the verdict."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from tests.conftest import BROKEN, SUITES
from toolkit.cli import app

runner = CliRunner()
NEWS = str(SUITES / "news.yaml")


def rich_report(columns: int, *options: str) -> str:
    result = runner.invoke(
        app,
        ["check", str(BROKEN), "--suite", NEWS, "--no-color", *options],
        env={"COLUMNS": str(columns)},
    )
    assert result.exit_code == 1, result.stderr
    return result.stdout


@pytest.mark.parametrize("columns", [80, 200])
def test_every_line_fits_the_terminal(columns: int) -> None:
    out = rich_report(columns)
    assert max(len(line) for line in out.splitlines()) <= columns
    assert all(line == line.rstrip() for line in out.splitlines())


def test_a_narrow_terminal_is_taken_as_60_columns() -> None:
    out = rich_report(30)
    assert max(len(line) for line in out.splitlines()) <= 60
    assert max(len(line) for line in out.splitlines()) > 30


def test_200_columns_keep_a_finding_on_one_line() -> None:
    out = rich_report(200)
    line = next(x for x in out.splitlines() if "broken/body_empty.txt:1" in x)
    assert line.startswith("    corpora/broken/body_empty.txt:1  the body is empty")
    assert len(line) > 80
    assert "corpora/broken/body_empty.txt:1  the body is empty" in line


def test_passing_expectations_fold_into_one_line_unless_asked() -> None:
    out = rich_report(200)
    folded = [line for line in out.splitlines() if "passing:" in line]
    assert folded == [
        "  ✓ 5 passing: byline_email_matches_name, headline_length, body_no_repeated_paragraph, "
        "body_not_headline_or_caption, body_no_invisible_chars"
    ]
    assert "│ headline_length " not in out
    shown = rich_report(200, "--show-passing")
    assert "│ headline_length " in shown and "passing:" not in shown


def test_info_findings_are_counted_not_listed_unless_asked() -> None:
    out = rich_report(200)
    info = [line for line in out.splitlines() if line.startswith("  · info")]
    assert info == [
        "  · info (never fails a run) articles: hygiene_no_break_spaces 30, "
        "hygiene_mixed_apostrophes 9, hygiene_trailing_whitespace 29  (--show-info lists them)"
    ]
    assert "  · hygiene_no_break_spaces  30 failing" not in out
    listed = rich_report(200, "--show-info")
    assert "  · hygiene_no_break_spaces  30 failing" in listed.splitlines()


def test_the_last_line_is_the_verdict_with_the_exit_code() -> None:
    last = rich_report(200).splitlines()[-1]
    assert last == (
        "FAILED · failed expectations: 10 critical, 9 warning, 3 info of 27 · 36 files, "
        "34 articles · exit 1: a critical expectation failed"
    )
    assert "more" not in last
