"""The HTML report: self-contained, strict CSP, escaped text, and a findings table that
filters, searches and pages in real headless Chromium."""

from __future__ import annotations

import base64
import hashlib
import json
import re
import time
from collections.abc import Callable
from html import unescape
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.conftest import SUITES
from tests.reporters.conftest import (
    HOSTILE,
    HOSTILE_NAME,
    RAW_CONTROL,
    Opened,
    big_result,
    finding,
    make_result,
    workflow_command_lines,
)
from toolkit.cli import app
from toolkit.reporters import ReportOptions, html
from toolkit.reporters.html import HIGHLIGHT, MARKER, NO_DATE, PLACEHOLDER, date_chart, segments
from toolkit.result import Result
from toolkit.text import visible

OPTIONS = ReportOptions()


def render_to(result: Result, path: Path) -> Path:
    path.write_text(html.render(result, OPTIONS), encoding="utf-8")
    return path


def inline(page: str, tag: str) -> list[str]:
    """The text of every ``<tag>`` element without a ``type`` or ``src`` attribute."""
    return re.findall(rf"<{tag}>(.*?)</{tag}>", page, flags=re.DOTALL)


def embedded(page: str) -> dict[str, object]:
    match = re.search(
        r'<script type="application/json" id="report-data">(.*?)</script>', page, flags=re.DOTALL
    )
    assert match
    data: dict[str, object] = json.loads(match.group(1))
    return data


def sha(text: str) -> str:
    return "sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()


# --- the file ---------------------------------------------------------------------------------


def test_csp_allows_only_the_reports_own_script_and_style(small_result: Result) -> None:
    page = html.render(small_result, OPTIONS)
    csp = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', page)
    assert csp
    text = unescape(csp.group(1))
    policy = dict(part.strip().split(" ", 1) for part in text.split(";"))
    (script,) = inline(page, "script")
    (style,) = inline(page, "style")
    assert policy["default-src"] == "'none'"
    assert policy["script-src"] == f"'{sha(script)}'"
    assert policy["style-src"] == f"'{sha(style)}'"
    assert "unsafe" not in text
    # The only other script element is the data block, which a browser never runs.
    assert page.count("<script") == 2


def test_self_contained_no_address_to_fetch(corpus_result: Result) -> None:
    page = html.render(corpus_result, OPTIONS)
    assert not re.search(r"""(src|href|action)\s*=\s*["']?\s*(https?:|//)""", page)
    assert "@import" not in page and "url(" not in page
    (script,) = inline(page, "script")
    for api in (
        "fetch(",
        "XMLHttpRequest",
        "WebSocket",
        "innerHTML",
        "insertAdjacentHTML",
        "document.write",
        "eval(",
    ):
        assert api not in script


def test_script_end_tag_in_article_text_stays_inside_the_data(small_result: Result) -> None:
    hostile = "</script><script>alert(1)</script><!--"
    bad = finding(
        "byline_has_email",
        "critical",
        "dumps/x</script>.txt",
        3,
        hostile,
        headline=hostile,
        message=hostile,
    )
    result = make_result(small_result.suites, [bad], articles=1)
    page = html.render(result, OPTIONS)
    assert page.count("</script>") == 2 and page.count("<script") == 2
    data = embedded(page)
    assert hostile in data["strings"]  # type: ignore[operator]
    assert data["findings"][0][6] == hostile  # type: ignore[index]


def test_summary_names_verdict_counts_and_version(corpus_result: Result) -> None:
    page = html.render(corpus_result, OPTIONS)
    s = corpus_result.summary
    assert "<title>toolkit check: failed</title>" in page
    assert f'<dd id="fact-files">{s.files}</dd>' in page
    assert f'<dd id="fact-articles">{s.articles}</dd>' in page
    assert f"toolkit {corpus_result.run.tool_version}" in page
    for suite in corpus_result.suites:
        assert f"suite <strong>{suite.name}</strong>" in page
        for e in suite.expectations:
            assert f'data-key="{e.suite}/{e.id}"' in page
            # The bar is the share that fails (at least 2 wide when any article fails).
            share = 100 * e.failed / e.checked if e.checked else 0.0
            if e.failed:
                assert f'width="{round(max(share, 2.0), 2)}"' in page
    assert len(embedded(page)["findings"]) == len(corpus_result.findings)  # type: ignore[arg-type]


def test_segments_mark_invisible_characters_placeholder_and_spans() -> None:
    assert segments("plain text", []) == "plain text"
    text = "BY SEO [[email\u00a0protected]] ok\u200b"
    pieces = segments(text, [(8, 25)])
    assert pieces == [
        ["BY SEO [", 0],
        ["[email", HIGHLIGHT | PLACEHOLDER],
        ["⍽", HIGHLIGHT | PLACEHOLDER | MARKER, "U+00A0"],
        ["protected]", HIGHLIGHT | PLACEHOLDER],
        ["] ok", 0],
        [visible("\u200b"), MARKER, "U+200B"],
    ]
    # Out-of-range and empty spans are clipped or dropped, never a crash.
    assert segments("abc", [(2, 99), (1, 1)]) == [["ab", 0], ["c", HIGHLIGHT]]


def test_invisible_scan_agrees_with_visible() -> None:
    scan = html._INVISIBLE
    for code in [*range(0, 0x3100), 0xFEFF, 0x2060]:
        ch = chr(code)
        assert bool(scan.fullmatch(ch)) == (visible(ch) != ch), f"U+{code:04X}"


def test_date_chart_stacks_severities_and_keeps_undated_findings(small_result: Result) -> None:
    chart = date_chart(small_result.findings)
    # 2024-12-01 .. 2025-03-11 spans more than 92 days: one bar per month, gaps included.
    assert chart.unit == "month"
    assert [b.label for b in chart.bars] == ["2024-12", "2025-01", "2025-02", "2025-03", NO_DATE]
    assert chart.bars[-1].title == f"{NO_DATE}: 1 warning"  # 2025-02-30 is no real date
    assert chart.bars[3].title == "2025-03: 2 critical"
    assert chart.peak == 2


def test_date_chart_granularity() -> None:
    days = [
        finding("date_parseable", "critical", "f", i, date=f"2025-03-{i:02d}") for i in range(1, 4)
    ]
    assert [b.label for b in date_chart(days).bars] == ["2025-03-01", "2025-03-02", "2025-03-03"]
    years = [
        finding("date_parseable", "critical", "f", i, date=f"{y}-01-01")
        for i, y in enumerate((1990, 2025))
    ]
    chart = date_chart(years)
    assert chart.unit == "year" and len(chart.bars) == 36
    assert date_chart([]).bars == []


# --- in the browser ---------------------------------------------------------------------------


def test_report_loads_offline_without_console_errors(
    corpus_result: Result, tmp_path: Path, open_report: Callable[[Path], Opened]
) -> None:
    opened = open_report(render_to(corpus_result, tmp_path / "report.html"))
    assert opened.console == [] and opened.errors == []
    assert opened.requests == []
    n = len(corpus_result.findings)
    assert len(opened.shown()) == min(n, 100)
    assert opened.count().startswith(f"findings 1–{min(n, 100)} of {n}")


def test_filters_change_what_is_shown(
    small_result: Result, tmp_path: Path, open_report: Callable[[Path], Opened]
) -> None:
    opened = open_report(render_to(small_result, tmp_path / "report.html"))
    page = opened.page
    assert len(opened.shown()) == 4

    page.select_option("#f-exp", label="news/byline_has_email (2)")
    rows = opened.shown()
    assert len(rows) == 2 and all("news/byline_has_email" in r for r in rows)
    assert opened.count() == "findings 1–2 of 2 (filtered from 4), page 1 of 1"

    page.select_option("#f-exp", value="")
    page.select_option("#f-sev", label="warning")
    (row,) = opened.shown()
    assert "dumps/c.txt:7" in row

    page.select_option("#f-sev", value="")
    page.fill("#f-file", "b.txt")
    opened.settle()
    (row,) = opened.shown()
    assert "dumps/b.txt:40" in row

    page.fill("#f-file", "")
    page.fill("#f-text", "TAGS_NON_EMPTY fails")
    opened.settle()
    (row,) = opened.shown()
    assert "dumps/d.txt:1" in row

    page.fill("#f-text", "no such text anywhere")
    opened.settle()
    assert opened.shown() == [] and opened.count() == "no findings match (filtered from 4)"

    # "failed only": the info expectation passes under mostly, so its finding goes, and so do
    # the rows of passing expectations in the (opened) fold of passing expectations.
    page.fill("#f-text", "")
    page.click("#passing > summary")
    assert page.is_visible('tr.expectation[data-key="strict/date_parseable"]')
    page.check("#f-failed")
    opened.settle()
    assert len(opened.shown()) == 3
    assert not any("dumps/d.txt" in r for r in opened.shown())
    assert not page.is_visible('tr.expectation[data-key="strict/date_parseable"]')
    assert page.is_visible('article.card[data-key="news/byline_has_email"]')

    page.click("#f-reset")
    opened.settle()
    assert len(opened.shown()) == 4 and page.is_visible('tr[data-key="strict/date_parseable"]')

    # A click on an expectation's card or row filters the findings to it.
    page.click('article.card[data-key="news/date_parseable"] button.name')
    (row,) = opened.shown()
    assert "dumps/c.txt:7" in row
    page.click('tr.expectation[data-key="news/tags_non_empty"]')
    (row,) = opened.shown()
    assert "dumps/d.txt:1" in row
    assert opened.console == [] and opened.errors == []


def test_excerpt_shows_markers_placeholder_and_highlight(
    small_result: Result, tmp_path: Path, open_report: Callable[[Path], Opened]
) -> None:
    opened = open_report(render_to(small_result, tmp_path / "report.html"))
    first = opened.page.locator("#rows tr").first
    placeholder = first.locator(".excerpt .cf")
    assert placeholder.count() == 1
    assert placeholder.inner_text() == "[email⍽protected]"
    assert first.locator(".excerpt .cf.hl").count() == 1
    marker = first.locator(".excerpt .mk")
    assert (
        marker.inner_text() == "⍽" and marker.get_attribute("title") == "invisible character U+00A0"
    )
    # The marker looks different from the text around it.
    colours = marker.evaluate(
        "e => [getComputedStyle(e).backgroundColor, "
        "getComputedStyle(e.parentElement).backgroundColor]"
    )
    assert colours[0] != colours[1]
    second = opened.page.locator("#rows tr").nth(1)
    assert second.locator(".excerpt .hl").inner_text() == "kim@example.com"


def test_hostile_corpus_runs_nothing(tmp_path: Path, open_report: Callable[[Path], Opened]) -> None:
    out = tmp_path / "hostile.html"
    ran = CliRunner().invoke(
        app,
        ["check", str(HOSTILE), "--suite", str(SUITES / "news.yaml"), "--format", f"html:{out}"],
    )
    assert ran.exit_code == 1, ran.output
    opened = open_report(out)
    page = opened.page
    page.wait_for_timeout(300)  # give an injected onerror or timer the chance to fire
    assert opened.dialogs == []
    assert opened.errors == [] and opened.console == []
    assert opened.requests == []
    assert page.title() == "toolkit check: failed"
    assert page.is_visible("#findings")  # the corpus' <style>body{display:none}</style> is text
    rows = page.locator("#rows")
    assert rows.locator("img, script, iframe, svg, a, style, meta").count() == 0
    text = "\n".join(opened.shown())
    assert "<script>alert(1)</script>" in text
    assert "<img src=x onerror=alert(3)>" in text
    assert "<svg" in text
    # Searching hostile text finds it as text, and still runs nothing.
    page.fill("#f-text", "onerror")
    opened.settle()
    assert opened.shown() and opened.dialogs == [] and opened.errors == []


def test_csp_blocks_a_script_that_got_into_the_page(
    small_result: Result, tmp_path: Path, open_report: Callable[[Path], Opened]
) -> None:
    """Defence in depth: were escaping ever to fail, the policy still refuses the script."""
    page = html.render(small_result, OPTIONS).replace(
        "</main>", "</main><script>document.title = 'pwned'</script>", 1
    )
    path = tmp_path / "tampered.html"
    path.write_text(page, encoding="utf-8")
    opened = open_report(path)
    assert opened.page.title() == "toolkit check: failed"
    assert any("Content Security Policy" in m for m in opened.console)


def test_100000_findings_render_their_first_page(
    tmp_path: Path, open_report: Callable[[Path], Opened]
) -> None:
    result = big_result(100_000)
    t0 = time.perf_counter()
    path = render_to(result, tmp_path / "big.html")
    rendered = time.perf_counter() - t0
    # Hang guards, not speed goals (the benchmark measures speed; this machine is shared).
    assert rendered < 120, f"rendering took {rendered:.1f}s"

    t0 = time.perf_counter()
    opened = open_report(path)
    loaded = time.perf_counter() - t0
    assert len(opened.shown()) == 100
    assert opened.count() == "findings 1–100 of 100,000, page 1 of 1000"
    assert loaded < 120, f"first page after {loaded:.1f}s"

    page = opened.page
    page.click("#next")
    assert opened.count().startswith("findings 101–200 of 100,000")
    t0 = time.perf_counter()
    from playwright.sync_api import expect

    page.fill("#f-text", "number 99999")
    expect(page.locator("#count")).to_contain_text("of 1 (filtered from 100,000)", timeout=60_000)
    searched = time.perf_counter() - t0
    (row,) = opened.shown()
    assert "dumps/part_099.txt:29971" in row
    assert searched < 60, f"search took {searched:.1f}s"

    # The views by article and by file group all 100,000 findings, a page of groups at a time.
    page.fill("#f-text", "")
    opened.settle()
    t0 = time.perf_counter()
    page.click("#tab-articles")
    expect(page.locator("#count")).to_have_text(
        "articles 1–20 of 100,000 (100,000 findings), page 1 of 5000", timeout=60_000
    )
    page.click("#tab-files")
    expect(page.locator("#count")).to_have_text(
        "files 1–20 of 100 (100,000 findings), page 1 of 5", timeout=60_000
    )
    grouped = time.perf_counter() - t0
    assert page.locator("#groups .group-box").count() == 20
    t0 = time.perf_counter()
    with page.expect_download(timeout=60_000) as info:
        page.click("#export")
    exported_lines = Path(info.value.path()).read_bytes().count(b"\r\n")
    exported = time.perf_counter() - t0
    assert exported_lines == 100_001
    assert opened.console == [] and opened.errors == []
    print(
        f"\n100k findings: render {rendered:.2f}s, {path.stat().st_size / 1e6:.1f} MB, "
        f"first page {loaded:.2f}s, search {searched:.2f}s, both groupings {grouped:.2f}s, "
        f"CSV export {exported:.2f}s"
    )


@pytest.mark.parametrize("verdict", ["passed", "nothing checked"])
def test_verdicts(verdict: str, small_result: Result) -> None:
    suites = [s.model_copy(update={"passed": True}) for s in small_result.suites]
    articles = 0 if verdict == "nothing checked" else 10
    clean = make_result(suites, [], articles=articles)
    assert f"<title>toolkit check: {verdict}</title>" in html.render(clean, OPTIONS)


def test_engine_notes_and_omitted_findings_are_shown(corpus_result: Result) -> None:
    suite = corpus_result.suites[0]
    first, *rest = suite.expectations
    noted = first.model_copy(
        update={"engine_note": "checked by the file readers", "findings_omitted": 7}
    )
    result = corpus_result.model_copy(
        update={"suites": [suite.model_copy(update={"expectations": [noted, *rest]})]}
    )
    page = unescape(html.render(result, OPTIONS))
    assert "note: checked by the file readers" in page
    assert "7 failing articles not listed (--max-findings)" in page


def test_control_and_bidi_characters_are_markers_in_page_and_data(
    hostile_suite_result: Result,
) -> None:
    page = html.render(hostile_suite_result, OPTIONS)
    assert RAW_CONTROL.findall(page) == []
    assert workflow_command_lines(page) == []
    assert "suite <strong>news[U+001B][2J[U+202E],x:y ::error::s</strong>" in page
    assert "desc [U+001B]]8;;http://x[U+001B]\\ &#35;#[error]d" in page
    data = embedded(page)
    strings: list[str] = data["strings"]  # type: ignore[assignment]
    assert any(s.endswith("/" + visible(HOSTILE_NAME)) for s in strings)
    assert any("[U+202E]evil" in s for s in strings)  # the headline
    keys = [e["key"] for e in data["expectations"]]  # type: ignore[attr-defined]
    assert "news[U+001B][2J[U+202E],x:y ::error::s/ctl[U+0007][U+0008]" in keys
    # The excerpt's pieces: each control or bidi character a MARKER with its code point.
    pieces = [p for f in data["findings"] for p in f[6] if isinstance(p, list)]  # type: ignore[attr-defined]
    marked = {p[2] for p in pieces if p[1] & MARKER}
    assert {"U+001B", "U+009B", "U+009D", "U+0007", "U+202E", "U+2066"} <= marked


def test_legacy_workflow_command_is_escaped_inside_the_data(small_result: Result) -> None:
    bad = finding("byline_has_email", "critical", "d.txt", 1, "x ##[error]y", message="##[z]")
    page = html.render(make_result(small_result.suites, [bad], 1), OPTIONS)
    assert "##[" not in page
    data = embedded(page)
    assert "##[z]" in data["strings"]  # type: ignore[operator]
    assert data["findings"][0][6] == "x ##[error]y"  # type: ignore[index]
