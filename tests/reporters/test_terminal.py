"""The rich terminal report: text from a corpus or a file name never drives the terminal or
starts a GitHub workflow command, at any width."""

from __future__ import annotations

import re

import pytest

from tests.reporters.conftest import (
    RAW_CONTROL,
    finding,
    make_result,
    workflow_command_lines,
)
from toolkit.reporters import ReportOptions, terminal
from toolkit.result import Result

WIDTHS = (60, 80, 120)
# The colour codes the report writes itself when colour is on.
OWN_STYLE = re.compile(r"\x1b\[[0-9;]*m")


@pytest.mark.parametrize("width", WIDTHS)
def test_hostile_article_is_shown_with_visible_markers(hostile_result: Result, width: int) -> None:
    out = terminal.render(
        hostile_result, ReportOptions(width=width, show_info=True, show_passing=True)
    )
    assert RAW_CONTROL.findall(out) == []
    # Wrapped lines are indented: compare with all white space taken out.
    flat = "".join(out.split())
    assert "a[U+001B][31m[U+202E][U+009B]2J.txt:1" in flat  # the file name
    # The header headline in the excerpt of the control-character finding: clear screen,
    # alternate screen and the OSC 8 link are markers, not commands.
    assert "[U+001B][2J[U+001B][?1049h[U+001B]]8;;http://x" in flat
    assert "[U+009B]31m[U+009D]0;t[U+0007][U+0008][U+007F][U+202E]evil[U+2066]" in flat


def test_with_colour_only_the_reports_own_styles_are_escapes(hostile_result: Result) -> None:
    out = terminal.render(hostile_result, ReportOptions(width=80, color=True))
    assert "\x1b[" in out  # colour is on
    assert RAW_CONTROL.findall(OWN_STYLE.sub("", out)) == []
    assert "\x1b]8;" not in out  # no hyperlink can be made


def test_markup_in_article_text_is_text(hostile_result: Result) -> None:
    out = terminal.render(hostile_result, ReportOptions(width=200, color=True))
    assert "[bold]x[/bold]" in OWN_STYLE.sub("", out)


def _wrapping_result(small_result: Result) -> Result:
    """Findings whose message, excerpt, headline and file name put workflow commands at
    every offset, so that some land where rich wraps a line, at any width."""
    findings = []
    for pad in range(0, 40, 3):
        text = "x" * pad + " " + " ".join(["::error::pwned", "::add-mask::x", "w" * 7] * 12)
        findings.append(
            finding(
                "byline_has_email",
                "critical",
                f"dumps/{'y' * pad}::error::file.txt",
                pad + 1,
                excerpt=text[:120],
                message=text,
                headline=text,
            )
        )
    return make_result(small_result.suites, findings, articles=len(findings))


@pytest.mark.parametrize("width", WIDTHS)
def test_no_wrapped_line_starts_a_workflow_command(
    small_result: Result, width: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = _wrapping_result(small_result)
    options = ReportOptions(width=width, examples=20)
    for color in (False, True):
        out = terminal.render(result, ReportOptions(width=width, examples=20, color=color))
        assert workflow_command_lines(OWN_STYLE.sub("", out)) == []
        assert "::error::pwned" in out.replace("\u2060", "")  # still shown, as text
    # Without the guard the same report does start lines with "::": the input reaches
    # the wrap points this test is about.
    monkeypatch.setattr(terminal, "no_workflow_commands", lambda text: text)
    assert workflow_command_lines(terminal.render(result, options))


def test_legacy_command_anywhere_in_a_line_is_broken(small_result: Result) -> None:
    bad = finding(
        "byline_has_email", "critical", "dumps/a.txt", 1, "BY X ##[error]boom", message="##[x]"
    )
    out = terminal.render(make_result(small_result.suites, [bad], 1), ReportOptions(width=100))
    assert "##[" not in out
    assert "#\u2060#[error]boom" in out


def test_skipped_file_names_are_shown_with_markers(small_result: Result) -> None:
    run = small_result.run.model_copy(
        update={"skipped_files": ["dumps/\x1b]8;;http://x\x1b\\[red]n.csv", "::error::x.csv"]}
    )
    out = terminal.render(small_result.model_copy(update={"run": run}), ReportOptions(width=60))
    flat = "".join(out.split("\n"))
    assert "dumps/[U+001B]]8;;http://x[U+001B]\\[red]n.csv" in flat
    assert RAW_CONTROL.findall(out) == [] and workflow_command_lines(out) == []
