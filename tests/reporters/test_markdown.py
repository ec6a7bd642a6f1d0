"""The Markdown summary for $GITHUB_STEP_SUMMARY."""

from __future__ import annotations

from tests.reporters.conftest import (
    HOSTILE_NAME,
    RAW_CONTROL,
    big_result,
    finding,
    make_result,
    workflow_command_lines,
)
from toolkit.reporters import ReportOptions, markdown
from toolkit.result import Result
from toolkit.text import visible


def test_summary_tables_and_first_failing_articles(small_result: Result) -> None:
    text = markdown.render(small_result, ReportOptions(full_report="report.html"))
    lines = text.splitlines()
    assert lines[0] == "## toolkit check ❌ failed"
    assert (
        "**10** files · **10** articles · 1.23 s · suites `news`, `strict` · toolkit 0.1.0" in text
    )
    assert "| | 2 | 1 | 1 |" in lines
    assert "| ❌ | `byline_has_email` | critical | 2 / 10 | 80.0% |" in lines
    assert "| ✅ | `tags_non_empty` | info | 1 / 10 | 90.0% (mostly 0.8) |" in lines
    assert (
        "<details><summary>❌ <code>byline_has_email</code>: 2 failing, the first 2</summary>"
        in lines
    )
    assert (
        "- `dumps/a.txt:1` byline\\_has\\_email fails here"
        "<br><code>BY SEO JI-EUN \\[<b>\\[email⍽protected\\]</b>\\]</code>"
    ) in lines
    assert lines[-1] == "Full report: `report.html`"


def test_article_text_is_literal(small_result: Result) -> None:
    evil = finding(
        "byline_has_email",
        "critical",
        "dumps/a`b.txt",
        1,
        "<img src=x onerror=alert(1)> | *bold* [x](javascript:alert(2))",
        message="<script>alert(3)</script>",
    )
    text = markdown.render(make_result(small_result.suites, [evil], articles=1), ReportOptions())
    (line,) = [x for x in text.splitlines() if x.startswith("- ")]
    assert line == (
        "- `dumps/a'b.txt:1` &lt;script&gt;alert(3)&lt;/script&gt;<br><code>&lt;img src=x "
        "onerror=alert(1)&gt; \\| \\*bold\\* \\[x\\](javascript:alert(2))</code>"
    )


def test_stays_small_with_many_findings() -> None:
    text = markdown.render(big_result(20_000), ReportOptions())
    assert len(text.encode()) < 1024 * 1024 // 10
    assert "- … and 4995 more" in text


def test_hostile_article_suite_and_file_name_are_markers(hostile_suite_result: Result) -> None:
    text = markdown.render(hostile_suite_result, ReportOptions(examples=5))
    assert RAW_CONTROL.findall(text) == []
    assert workflow_command_lines(text) == []
    assert "### suite `news[U+001B][2J[U+202E],x:y ::error::s`" in text
    assert f"/{visible(HOSTILE_NAME)}:1`" in text
    assert "<code>ctl[U+0007][U+0008]</code>" in text
    # In article text the markers' brackets are escaped, so they render as themselves.
    assert "\\[U+202E\\]evil\\[U+2066\\]" in text


def test_a_workflow_command_cannot_start_a_line(small_result: Result) -> None:
    bad = finding("byline_has_email", "critical", "d.txt", 1, "::error::x ##[error]y")
    text = markdown.render(make_result(small_result.suites, [bad], 1), ReportOptions())
    assert workflow_command_lines(text) == []
    assert "::error::x ##\\[error\\]y" in text  # mid-line, and "[" escaped as Markdown
