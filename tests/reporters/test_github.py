"""GitHub Actions annotations: workflow commands, worst first, capped, then a closing line."""

from __future__ import annotations

from tests.reporters.conftest import HOSTILE_NAME, RAW_CONTROL, finding, make_result
from toolkit.reporters import ReportOptions, github
from toolkit.reporters.github import escape_property
from toolkit.result import Result
from toolkit.text import visible


def test_annotations_worst_first_with_file_line_and_title(small_result: Result) -> None:
    lines = github.render(small_result, ReportOptions(full_report="out/report.html")).splitlines()
    assert lines[:4] == [
        "::error file=dumps/a.txt,line=4,title=news/byline_has_email (critical)"
        "::byline_has_email fails here · BY SEO JI-EUN [[email⍽protected]]",
        "::error file=dumps/b.txt,line=43,title=news/byline_has_email (critical)"
        "::'kim@example.com' is not the desk's address · BY KIM [kim@example.com] and Lee",
        "::warning file=dumps/c.txt,line=10,title=news/date_parseable (warning)"
        "::date_parseable fails here · 2025-02-30",
        "::notice file=dumps/d.txt,line=4,title=news/tags_non_empty (info)"
        "::tags_non_empty fails here · tags",
    ]
    assert lines[4] == (
        "::notice title=toolkit check::toolkit check failed: 4 findings (2 critical, 1 warning, "
        "1 info), all annotated; the full report is out/report.html"
    )


def test_capped_with_a_line_saying_how_many_more_and_where(small_result: Result) -> None:
    many = [finding("date_parseable", "warning", f"dumps/w{i}.txt", i) for i in range(1, 60)]
    many.append(finding("byline_has_email", "critical", "dumps/zz.txt", 9))
    result = make_result(small_result.suites, many, articles=60)
    lines = github.render(result, ReportOptions(max_annotations=50)).splitlines()
    assert len(lines) == 51
    assert lines[0].startswith("::error file=dumps/zz.txt,line=12,")  # the critical one first
    assert all(line.startswith("::warning ") for line in lines[1:50])
    assert lines[-1] == (
        "::notice title=toolkit check::toolkit check failed: 60 findings (1 critical, 59 warning, "
        "0 info); 10 more not annotated here; write the full report with --format html:PATH "
        "(or json:PATH)"
    )
    assert len(github.render(result, ReportOptions(max_annotations=0)).splitlines()) == 1


def test_article_text_cannot_forge_a_command(small_result: Result) -> None:
    evil = finding(
        "byline_has_email",
        "critical",
        "dumps/a,line=1::x.txt",
        1,
        "BY X\n::error file=forged.txt::owned 100%",
        message="line one\r\nline two",
    )
    text = github.render(make_result(small_result.suites, [evil], articles=1), ReportOptions())
    first = text.splitlines()[0]
    assert first.startswith("::error file=dumps/a%2Cline=1%3A%3Ax.txt,line=4,")
    assert (
        "::line one[CR][U+000A]line two · BY X[U+000A]::error file=forged.txt::owned 100%25"
        in first
    )
    assert len(text.splitlines()) == 2


def test_hostile_article_and_file_name_are_markers_in_message_and_properties(
    hostile_suite_result: Result,
) -> None:
    text = github.render(hostile_suite_result, ReportOptions())
    assert RAW_CONTROL.findall(text) == []
    lines = text.splitlines()
    assert len(lines) == len(hostile_suite_result.findings) + 1  # one line each, then the tally
    assert all(line.startswith(("::error ", "::warning ", "::notice ")) for line in lines)
    name = escape_property(visible(HOSTILE_NAME))
    assert name == "a[U+001B][31m[U+202E][U+009B]2J.txt"
    first = next(line for line in lines if "title=news" in line and "ctl" in line)
    # The file= and title= properties: markers, then ":" and "," escaped as GitHub requires.
    assert f"/{name},line=" in first
    assert ",title=news[U+001B][2J[U+202E]%2Cx%3Ay %3A%3Aerror%3A%3As/ctl[U+0007][U+0008] " in first
    # The message quotes the headline: ESC sequences, C1 and bidi as markers.
    assert "[U+001B][2J[U+001B][?1049h[U+001B]]8;;http://x" in first.split("::", 2)[2]


def test_escape_rules_are_githubs() -> None:
    assert github.escape_data("100% \r\n a:b,c") == "100%25 %0D%0A a:b,c"
    assert escape_property("100% \r\n a:b,c") == "100%25 %0D%0A a%3Ab%2Cc"
