"""The HTML report as a reviewer reads it: what to fix first, severity-honest status, charts
with axes and clipped outliers named, history sparklines, new versus baselined findings, and
(in real headless Chromium) the first critical finding in the first viewport, the views by
article and by file, and the CSV export of the filtered rows."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace

import pytest
from typer.testing import CliRunner

from tests.conftest import SUITES
from tests.reporters.conftest import HOSTILE, Opened, finding, make_result, stats
from toolkit.baseline import apply, entry_of
from toolkit.cli import app
from toolkit.reporters import ReportOptions, html
from toolkit.reporters.html import HistoryPoint, date_chart, expectation_chart, nice_ticks
from toolkit.result import Result, SuiteResult

OPTIONS = ReportOptions()
VIEWPORT = {"width": 1280, "height": 800}


def review_result() -> Result:
    """A critical expectation failing 1 article in 1,000, a warning, an info hygiene note, and
    a passing critical; one file holds two articles."""
    suite = SuiteResult(
        name="news",
        file="expectations/news.yaml",
        passed=False,
        expectations=[
            stats("news", "headline_in_body", "critical", 1000, 0),
            stats("news", "byline_has_email", "critical", 1000, 1),
            stats("news", "date_parseable", "warning", 1000, 1),
            stats("news", "hygiene_no_break_spaces", "info", 1000, 2),
        ],
    )
    findings = [
        finding(
            "byline_has_email",
            "critical",
            "dumps/a.txt",
            1,
            "BY KIM <b>x</b>",
            [(7, 15)],
            message="no address in '<b>x</b>'",
        ),
        finding("hygiene_no_break_spaces", "info", "dumps/a.txt", 1, "a\u00a0b", [(1, 2)]),
        finding("date_parseable", "warning", "dumps/a.txt", 30, "2025-02-30", date="2025-02-30"),
        finding("hygiene_no_break_spaces", "info", "dumps/b.txt", 1, "c\u00a0d", [(1, 2)]),
    ]
    return make_result([suite], findings, articles=1000)


def section(page: str, id: str) -> str:
    """The HTML of the element with ``id`` up to the next top-level section."""
    start = page.index(f'id="{id}"')
    ends = [page.find(m, start + 1) for m in ("<section ", "<details id=", "</main>")]
    return page[start : min(e for e in ends if e > 0)]


# --- the page, server-drawn --------------------------------------------------------------------


def test_critical_first_then_warnings_notes_and_passing_folded() -> None:
    page = html.render(review_result(), OPTIONS)
    order = [page.index(f'id="{id}"') for id in ("critical", "warnings", "notes", "passing")]
    assert order == sorted(order) and order[-1] < page.index('id="charts"')
    assert "1 critical expectation(s) failed: fix these first" in page
    critical = section(page, "critical")
    # A failed critical is red FAIL at 99.9% passing; its bar shows the failing share, at
    # least 2 of 100 wide so that one failure in 1,000 is visible.
    assert '<span class="status st-fail">FAIL</span>' in critical
    assert "1 of 1000 articles fail (0.1%)" in critical
    assert 'class="sev-fill-critical" x="0" y="0" width="2.0"' in critical
    assert '<span class="status st-warn">warn</span>' in section(page, "warnings")
    # Info is a note in a neutral colour, never FAIL; a passing expectation is folded.
    notes = section(page, "notes")
    assert "news/hygiene_no_break_spaces" in notes
    assert '<span class="status st-note">note</span>' in notes and "FAIL" not in notes
    assert "<article" not in notes
    passing = section(page, "passing")
    assert passing.startswith('id="passing" class="group">\n  <summary>1 expectation(s) passed')
    assert "news/headline_in_body" in passing


def test_card_shows_the_first_findings_escaped() -> None:
    result = review_result()
    more = [
        finding("byline_has_email", "critical", f"dumps/z{i}.txt", 5, "BY LEE") for i in range(3)
    ]
    result = make_result(result.suites, [*result.findings, *more], articles=1000)
    page = html.render(result, ReportOptions(examples=2))
    card = section(page, "critical")
    assert card.count('<li class="finding">') == 2
    assert '<span class="loc">dumps/a.txt:1</span>' in card
    assert "no address in &#39;&lt;b&gt;x&lt;/b&gt;&#39;" in card
    assert "<b>" not in card
    # The excerpt with the offending text highlighted, as the script draws it.
    assert '<div class="excerpt">BY KIM <span class="hl">&lt;b&gt;x&lt;/b&gt;</span></div>' in card
    assert "all 4 findings of byline_has_email ↓" in card


def test_date_chart_clips_outliers_and_names_them() -> None:
    dates = ["2025-03-01", "2025-03-02", "2025-03-03", "2031-05-19", "1970-01-01"]
    findings = [
        finding("date_in_range", "critical", "dumps/f.txt", i + 1, date=d)
        for i, d in enumerate(dates)
    ]
    chart = date_chart(findings, today=dt.date(2025, 3, 12))
    assert [b.label for b in chart.bars] == ["2025-03-01", "2025-03-02", "2025-03-03"]
    # The lower fence: three times a year (the least spread) before the first quartile.
    low = (dt.date(2025, 3, 1) - dt.timedelta(days=3 * 365)).isoformat()
    assert chart.clipped == [
        f"1 article dated before {low} not drawn: dumps/f.txt:5 (1970-01-01)",
        "1 article dated after 2025-03-13 not drawn: dumps/f.txt:4 (2031-05-19)",
    ]
    # The same run in the page: the sentence under the chart.
    suite = SuiteResult(
        name="news",
        file="n.yaml",
        passed=False,
        expectations=[stats("news", "date_in_range", "critical", 5, 5)],
    )
    page = html.render(make_result([suite], findings, articles=5), OPTIONS)
    assert "1 article dated after 2025-03-13 not drawn: dumps/f.txt:4 (2031-05-19)" in page
    # A spread-out archive is not clipped: 1990 and 2025 are both drawn.
    years = [finding("x", "info", "f", i, date=f"{y}-01-01") for i, y in enumerate((1990, 2025))]
    assert date_chart(years).clipped == [] and len(date_chart(years).bars) == 36


def test_charts_have_axes_ticks_and_legends(small_result: Result) -> None:
    assert nice_ticks(16) == [0, 5, 10, 15, 20]
    assert nice_ticks(3) == [0, 1, 2, 3]
    assert nice_ticks(0) == [0, 1]
    chart = date_chart(small_result.findings)
    assert [t.label for t in chart.ticks] == ["0", "1", "2"]
    assert chart.labels[0].label == "2024-12" and chart.labels[-1].label == "no date"
    page = html.render(small_result, OPTIONS)
    assert "article header date (per month)" in page and ">findings</text>" in page
    assert "failing articles (of those checked)" in page
    for severity in ("critical", "warning", "info (note)"):
        assert f"</svg> {severity}</span>" in page


def test_failures_by_expectation_worst_first() -> None:
    result = review_result()
    page = html.render(result, OPTIONS)
    chart = expectation_chart(html._cards(result, html.Digest(1), None))
    # One suite: bars named by id; critical, then warning, then info; passing left out.
    assert [(b.label, b.severity, b.value) for b in chart.bars] == [
        ("byline_has_email", "critical", "1 / 1000"),
        ("date_parseable", "warning", "1 / 1000"),
        ("hygiene_no_break_spaces", "info", "2 / 1000"),
    ]
    assert [t.label for t in chart.ticks] == ["0", "1", "2"]
    assert chart.bars[2].width == 2 * chart.bars[0].width
    assert "news/byline_has_email (critical): 1 of 1000 articles fail (0.1%)" in page


def test_history_draws_a_sparkline_per_expectation() -> None:
    result = review_result()
    assert 'class="spark"' not in html.render(result, OPTIONS)
    history = {
        "news/byline_has_email": [
            HistoryPoint("2025-03-10", 0, 10),
            HistoryPoint("2025-03-11", 5, 10),
        ]
    }
    page = html.render(result, OPTIONS, history=history)
    assert '<polyline points="0.0,19.0 100.0,10.0"/>' in section(page, "critical")
    assert (
        "<title>failure rate in the last 2 runs: 2025-03-10: 0/10 (0.0%); "
        "2025-03-11: 5/10 (50.0%)</title>"
    ) in page
    # Points may also be objects with the run's start and counts.
    run = SimpleNamespace(started="2025-03-11", failed=1, checked=4)
    assert html._history_of({"news/x": [run]}) == {"news/x": [HistoryPoint("2025-03-11", 1, 4)]}
    assert html._history_of(None) is None
    # Or the runs themselves, as a history store keeps them (the object or its list of runs).
    e = SimpleNamespace(suite="news", id="byline_has_email", failed=2, checked=8)
    record = SimpleNamespace(started=dt.datetime(2025, 3, 9, 7, 0), expectations=[e])
    expected = {"news/byline_has_email": [HistoryPoint("2025-03-09 07:00", 2, 8)]}
    assert html._history_of(SimpleNamespace(runs=[record])) == expected
    assert html._history_of([record]) == expected


def test_new_and_baselined_findings_are_told_apart(small_result: Result) -> None:
    first = next(iter(small_result.findings))
    result = apply(small_result, [entry_of(first)], "toolkit-baseline.json")
    page = html.render(result, OPTIONS)
    assert '<dd id="fact-new">3</dd>' in page and '<dd id="fact-accepted">1</dd>' in page
    assert '<select id="f-base">' in page
    card = section(page, "critical")
    # The new finding first, the accepted one after it, each marked.
    assert card.index("dumps/b.txt:40") < card.index("dumps/a.txt:1")
    assert '<span class="badge b-new">new</span>' in card
    assert '<span class="badge b-accepted">accepted</span>' in card
    assert "1 new, 1 accepted" in card
    assert '<select id="f-base">' not in html.render(small_result, OPTIONS)


# --- in the browser ----------------------------------------------------------------------------


def open_at(open_report: Callable[[Path], Opened], result: Result, path: Path) -> Opened:
    path.write_text(html.render(result, OPTIONS), encoding="utf-8")
    opened = open_report(path)
    opened.page.set_viewport_size(VIEWPORT)
    return opened


def test_first_critical_finding_is_in_the_first_viewport(
    corpus_result: Result, tmp_path: Path, open_report: Callable[[Path], Opened]
) -> None:
    opened = open_at(open_report, corpus_result, tmp_path / "report.html")
    page = opened.page
    assert page.evaluate("window.scrollY") == 0
    box = page.locator("#critical .card .finding").first
    where = box.bounding_box()
    assert where is not None and where["y"] + where["height"] <= VIEWPORT["height"]
    # It is the first finding of the first failing critical expectation, with its place.
    failed = [e for e in corpus_result.failed_expectations() if e.severity == "critical"]
    first = corpus_result.findings_for(failed[0].suite, failed[0].id)[0]
    text = box.inner_text()
    assert f"{first.file}:{first.line}" in text and first.message in text
    assert opened.console == [] and opened.errors == [] and opened.requests == []


ARTICLE_LINE = "2025-03-11 · Headline of dumps/a.txt:1"
HEAD_30, HEAD_B = "Headline of dumps/a.txt:30", "Headline of dumps/b.txt:1"


def test_views_by_article_and_by_file(
    tmp_path: Path, open_report: Callable[[Path], Opened]
) -> None:
    opened = open_at(open_report, review_result(), tmp_path / "report.html")
    page = opened.page
    page.click("#tab-articles")
    assert page.get_attribute("#tab-articles", "aria-selected") == "true"
    assert page.is_hidden("#table")
    heads = page.locator("#groups .group-head").all_inner_texts()
    assert [h.split("\n") for h in heads] == [
        ["dumps/a.txt:1", "this article has 2 problems", "1 critical · 1 info", ARTICLE_LINE],
        ["dumps/a.txt:30", "this article has 1 problem", "1 warning", "2025-02-30 · " + HEAD_30],
        ["dumps/b.txt:1", "this article has 1 problem", "1 info", "2025-03-11 · " + HEAD_B],
    ]
    assert opened.count() == "articles 1–3 of 3 (4 findings), page 1 of 1"

    page.click("#tab-files")
    heads = page.locator("#groups .group-head").all_inner_texts()
    assert [h.split("\n") for h in heads] == [
        [
            "dumps/a.txt",
            "this file has 3 problems in 2 articles",
            "1 critical · 1 warning · 1 info",
        ],
        ["dumps/b.txt", "this file has 1 problem in 1 article", "1 info"],
    ]
    # Filters apply to every view.
    page.select_option("#f-sev", label="info")
    heads = page.locator("#groups .group-head").all_inner_texts()
    assert [h.split("\n")[:2] for h in heads] == [
        ["dumps/a.txt", "this file has 1 problem in 1 article"],
        ["dumps/b.txt", "this file has 1 problem in 1 article"],
    ]
    assert opened.count() == "files 1–2 of 2 (2 findings) (filtered from 4), page 1 of 1"
    page.click("#tab-findings")
    assert len(opened.shown()) == 2 and page.is_hidden("#groups")
    assert opened.console == [] and opened.errors == []


def test_csv_export_of_the_filtered_rows_is_injection_safe(
    small_result: Result, tmp_path: Path, open_report: Callable[[Path], Opened]
) -> None:
    formula = finding(
        "byline_has_email",
        "critical",
        "dumps/=cmd.txt",
        9,
        "-2+3 @SUM(A1)",
        message='=HYPERLINK("http://x","click")',
        headline="+danger",
    )
    result = make_result(small_result.suites, [*small_result.findings, formula], articles=10)
    opened = open_at(open_report, result, tmp_path / "report.html")
    page = opened.page
    page.select_option("#f-exp", label="news/byline_has_email (3)")
    assert page.locator("#rows tr").count() == 3
    with page.expect_download() as info:
        page.click("#export")
    download = info.value
    assert download.suggested_filename == "toolkit-findings.csv"
    raw = Path(download.path()).read_text(encoding="utf-8")
    assert raw.startswith("\ufeffseverity,expectation,file,line,")
    rows = list(csv.DictReader(io.StringIO(raw.removeprefix("\ufeff"))))
    assert [(r["file"], r["line"]) for r in rows] == [
        ("dumps/a.txt", "1"),
        ("dumps/b.txt", "40"),
        ("dumps/=cmd.txt", "9"),
    ]
    last = rows[-1]
    assert last["message"] == """'=HYPERLINK("http://x","click")"""
    assert last["excerpt"] == "'-2+3 @SUM(A1)" and last["headline"] == "'+danger"
    assert last["expectation"] == "news/byline_has_email" and last["severity"] == "critical"
    assert rows[1]["message"] == "'kim@example.com' is not the desk's address"
    assert rows[0]["excerpt"] == "BY SEO JI-EUN [[email⍽protected]]"
    assert rows[0]["field_line"] == "4" and rows[0]["date"] == "2025-03-11"
    # Only the blob the page made itself was requested: nothing left the machine.
    assert all(url.startswith("blob:") for url in opened.requests)
    assert opened.console == [] and opened.errors == []


def test_baseline_filter_in_the_browser(
    small_result: Result, tmp_path: Path, open_report: Callable[[Path], Opened]
) -> None:
    first = next(iter(small_result.findings))
    result = apply(small_result, [entry_of(first)], "toolkit-baseline.json")
    opened = open_at(open_report, result, tmp_path / "report.html")
    page = opened.page
    page.select_option("#f-base", label="accepted")
    (row,) = opened.shown()
    assert "dumps/a.txt:1" in row and "accepted" in row
    page.select_option("#f-base", label="new")
    assert len(opened.shown()) == 3
    assert page.locator("#rows .badge.b-new").count() == 3
    assert page.locator("#rows .badge.b-accepted").count() == 0


@pytest.mark.parametrize("tab", ["articles", "files"])
def test_hostile_names_in_groups_stay_text(
    tab: str, tmp_path: Path, open_report: Callable[[Path], Opened]
) -> None:
    out = tmp_path / "hostile.html"
    ran = CliRunner().invoke(
        app,
        ["check", str(HOSTILE), "--suite", str(SUITES / "news.yaml"), "--format", f"html:{out}"],
    )
    assert ran.exit_code == 1, ran.output
    opened = open_report(out)
    opened.page.click(f"#tab-{tab}")
    groups = opened.page.locator("#groups")
    assert groups.locator("img, script, iframe, svg, a, style, meta").count() == 0
    assert "<script>alert(1)</script>" in groups.inner_text()
    # The server-drawn cards hold the same text, escaped.
    cards = opened.page.locator("#critical")
    assert cards.locator("img, script, iframe, a, style, meta").count() == 0
    assert "<script>alert(1)</script>" in cards.inner_text()
    assert opened.dialogs == [] and opened.errors == [] and opened.console == []
