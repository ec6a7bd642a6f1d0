"""GitHub Actions annotations: workflow commands, worst first, capped, then a closing line."""

from __future__ import annotations

from tests.reporters.conftest import finding, make_result
from toolkit.reporters import ReportOptions, github
from toolkit.result import Result


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
