"""The HTML validation report: one self-contained, offline file for people to review a run.

The page is rendered by jinja2 with autoescaping; the findings travel as JSON in a
``<script type="application/json">`` block (jinja's ``tojson`` escapes ``<``, ``>``, ``&`` and
``'``, so article text cannot close the block) and the report's own script builds the table
from it with DOM text nodes, never with HTML strings. A Content-Security-Policy allows only
that script and stylesheet, by hash, and no network address at all.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import itertools
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any

from toolkit.article import PLACEHOLDER_IN, is_cloudflare_placeholder
from toolkit.result import SEVERITIES, Finding, Result, Severity
from toolkit.text import SHOWN, no_workflow_commands, visible

if TYPE_CHECKING:
    from toolkit.reporters import ReportOptions

# Segment flags of an excerpt, combined bitwise; the script styles each one.
HIGHLIGHT, MARKER, PLACEHOLDER = 1, 2, 4

# Exactly the characters toolkit.text.visible() replaces, so excerpts are scanned by one regex
# instead of character by character.
_INVISIBLE = SHOWN
# Candidates only; toolkit.article decides what the Cloudflare placeholder is.

CHART_WIDTH, CHART_HEIGHT = 720, 160
# Bars in the date chart before days are grouped into months, and months into years.
MAX_DAY_BARS, MAX_MONTH_BARS = 92, 120


def render(result: Result, options: ReportOptions) -> str:
    from jinja2 import Environment, PackageLoader

    env = Environment(
        loader=PackageLoader("toolkit.reporters", "templates"),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    # Names from a corpus or a suite are shown with control and bidi characters as markers
    # (autoescaping stops markup, not a right-to-left override): the template applies it.
    env.filters["visible"] = visible
    css, js = _asset("report.css"), _asset("report.js")
    csp = "; ".join(
        [
            "default-src 'none'",
            f"script-src '{_sha256(js)}'",
            f"style-src '{_sha256(css)}'",
            "img-src data:",
            "base-uri 'none'",
            "form-action 'none'",
        ]
    )
    exit_code = result.exit_code
    verdict = (
        "error"
        if result.summary.errors
        else "nothing checked"
        if exit_code == 3
        else "passed"
        if result.summary.passed
        else "failed"
    )
    page = env.get_template("report.html.j2").render(
        result=result,
        verdict=verdict,
        csp=csp,
        css=css,
        js=js,
        rows=_expectation_rows(result),
        chart=date_chart(result.findings),
        data=payload(result),
        severities=SEVERITIES,
    )
    return _no_commands(page, css, js)


DATA_OPEN = '<script type="application/json" id="report-data">'


def _no_commands(page: str, css: str, js: str) -> str:
    """The page with no GitHub workflow command in it (toolkit.text.no_workflow_commands), as
    a page printed into a CI log must be: in the JSON data block "#" and ":" are escaped as
    JSON, in the HTML as character references; the report's own stylesheet and script (under
    a hash in the CSP) are left as they are."""
    start = page.index(DATA_OPEN) + len(DATA_OPEN)
    end = page.index("</script>", start)
    html_ref = {"colon": "&#58;", "hash": "&#35;"}
    head = css.join(no_workflow_commands(p, **html_ref) for p in page[:start].split(css, 1))
    data = no_workflow_commands(page[start:end], colon="\\u003a", hash="\\u0023")
    tail = [no_workflow_commands(p, **html_ref) for p in page[end:].split(js, 1)]
    return head + data + js.join(tail)


@cache
def _asset(name: str) -> str:
    return (resources.files("toolkit.reporters") / "templates" / name).read_text(encoding="utf-8")


def _sha256(text: str) -> str:
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return "sha256-" + base64.b64encode(digest).decode("ascii")


@dataclass(frozen=True)
class ExpectationRow:
    key: str
    suite: str
    id: str
    description: str
    severity: Severity
    checked: int
    failed: int
    success_rate: float
    mostly: float | None
    passed: bool
    # Width of the pass-rate bar's green part, out of 100.
    bar: float
    # Said by the engine when it did not check the expectation itself (ExpectationStats).
    engine_note: str | None = None
    # Failing articles whose findings were not kept (--max-findings).
    findings_omitted: int = 0
    # Why the expectation could not run (ExpectationStats.error).
    error: str | None = None


def _expectation_rows(result: Result) -> list[ExpectationRow]:
    return [
        ExpectationRow(
            key=visible(f"{e.suite}/{e.id}"),
            suite=e.suite,
            id=e.id,
            description=e.description,
            severity=e.severity,
            checked=e.checked,
            failed=e.failed,
            success_rate=e.success_rate,
            mostly=e.mostly,
            passed=e.passed,
            bar=round(100 * e.success_rate, 2),
            engine_note=e.engine_note,
            findings_omitted=e.findings_omitted,
            error=e.error,
        )
        for s in result.suites
        for e in s.expectations
    ]


def segments(text: str, spans: list[tuple[int, int]]) -> str | list[Any]:
    """``text`` as the script shows it: a plain string, or pieces ``[text, flags]`` (flags:
    HIGHLIGHT for the offending spans, MARKER for an invisible character shown as its visible
    marker, PLACEHOLDER for Cloudflare's "[email protected]"); a MARKER piece carries the
    code point as a third item."""
    marks = [(m.start(), m.end()) for m in _INVISIBLE.finditer(text)]
    holders = [
        (m.start(), m.end())
        for m in PLACEHOLDER_IN.finditer(text)
        if is_cloudflare_placeholder(m.group())
    ]
    spans = [(max(0, s), min(len(text), e)) for s, e in spans if e > s]
    if not (marks or holders or spans):
        return text
    # A sweep over the cut points: how many spans / placeholders cover each piece.
    delta: dict[int, list[int]] = {0: [0, 0], len(text): [0, 0]}
    for kind, pairs in ((0, spans), (1, holders)):
        for s, e in pairs:
            delta.setdefault(s, [0, 0])[kind] += 1
            delta.setdefault(e, [0, 0])[kind] -= 1
    for s, e in marks:
        delta.setdefault(s, [0, 0])
        delta.setdefault(e, [0, 0])
    points = sorted(delta)
    marked = {s for s, _ in marks}
    pieces: list[Any] = []
    lit, held = 0, 0
    for a, b in itertools.pairwise(points):
        lit += delta[a][0]
        held += delta[a][1]
        flags = (HIGHLIGHT if lit else 0) | (PLACEHOLDER if held else 0)
        if a in marked:
            ch = text[a]
            pieces.append([visible(ch), flags | MARKER, f"U+{ord(ch):04X}"])
        elif pieces and isinstance(pieces[-1], list) and pieces[-1][1] == flags:
            pieces[-1][0] += text[a:b]
        else:
            pieces.append([text[a:b], flags])
    return pieces


def _segments_of(
    f: Finding, seen: dict[tuple[str, tuple[tuple[int, int], ...]], str | list[Any]]
) -> str | list[Any]:
    key = (f.excerpt, tuple(f.spans))
    found = seen.get(key)
    if found is None:
        found = seen[key] = segments(f.excerpt, f.spans)
    return found


class _Strings:
    """A table of the repeated strings (files, messages, headlines), sent once each."""

    def __init__(self) -> None:
        self.index: dict[str, int] = {}

    def __call__(self, value: str | None) -> int | None:
        if value is None:
            return None
        return self.index.setdefault(value, len(self.index))

    def table(self) -> list[str]:
        return list(self.index)


def payload(result: Result) -> dict[str, Any]:
    """The findings in the compact form the report's script reads (see report.js)."""
    strings = _Strings()
    keys: dict[tuple[str, str], int] = {}
    expectations: list[dict[str, Any]] = []
    for s in result.suites:
        for e in s.expectations:
            keys[(e.suite, e.id)] = len(expectations)
            expectations.append(
                {"key": visible(f"{e.suite}/{e.id}"), "severity": e.severity, "passed": e.passed}
            )
    rank = {s: i for i, s in enumerate(SEVERITIES)}
    # Real corpora repeat excerpts ("tags", an empty date): segment each one once.
    pieces: dict[tuple[str, tuple[tuple[int, int], ...]], str | list[Any]] = {}
    rows: list[list[Any]] = []
    for f in result.findings:
        at = keys.get((f.suite, f.id))
        if at is None:  # a finding of an expectation the suites do not list: show it anyway
            at = keys[(f.suite, f.id)] = len(expectations)
            expectations.append(
                {"key": visible(f"{f.suite}/{f.id}"), "severity": f.severity, "passed": False}
            )
        rows.append(
            [
                at,
                rank[f.severity],
                strings(visible(f.file)),
                f.line,
                strings(f.field),
                f.field_line,
                _segments_of(f, pieces),
                strings(visible(f.message)),
                f.fingerprint,
                strings(None if f.date is None else visible(f.date)),
                strings(None if f.headline is None else visible(f.headline)),
            ]
        )
    return {
        "severities": list(SEVERITIES),
        "expectations": expectations,
        "strings": strings.table(),
        "findings": rows,
    }


@dataclass(frozen=True)
class Bar:
    label: str
    x: float
    width: float
    # (severity, y, height) from the bottom up.
    parts: list[tuple[Severity, float, float]]
    title: str


@dataclass(frozen=True)
class Chart:
    bars: list[Bar]
    peak: int
    unit: str
    width: int = CHART_WIDTH
    height: int = CHART_HEIGHT


def _parse_date(value: str | None) -> dt.date | None:
    if not value or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return None


def _buckets(first: dt.date, last: dt.date) -> tuple[str, list[str]]:
    """The time axis from ``first`` to ``last``, every bucket present even when empty."""
    if (last - first).days < MAX_DAY_BARS:
        days = (last - first).days + 1
        return "day", [(first + dt.timedelta(d)).isoformat() for d in range(days)]
    months = (last.year - first.year) * 12 + last.month - first.month + 1
    if months <= MAX_MONTH_BARS:
        return "month", [
            f"{first.year + (first.month - 1 + m) // 12:04d}-{(first.month - 1 + m) % 12 + 1:02d}"
            for m in range(months)
        ]
    return "year", [f"{y:04d}" for y in range(first.year, last.year + 1)]


NO_DATE = "no date"


def date_chart(findings: Iterable[Finding]) -> Chart:
    """Findings by their article's header date, stacked by severity; findings without a real
    date (file-level ones, unparseable dates) in a last bar of their own."""
    counts = Counter((f.date, f.severity) for f in findings)
    parsed = {d: _parse_date(d) for d in {d for d, _ in counts}}
    real = [d for d in parsed.values() if d is not None]
    unit, labels = _buckets(min(real), max(real)) if real else ("day", [])
    cut = {"day": 10, "month": 7, "year": 4}[unit]
    totals: dict[str, Counter[Severity]] = {label: Counter() for label in labels}
    undated: Counter[Severity] = Counter()
    for (raw, severity), n in counts.items():
        day = parsed[raw]
        if day is None:
            undated[severity] += n
        else:
            totals[day.isoformat()[:cut]][severity] += n
    if undated:
        totals[NO_DATE] = undated
    if not totals:
        return Chart(bars=[], peak=0, unit=unit)
    peak = max(sum(c.values()) for c in totals.values())
    step = CHART_WIDTH / len(totals)
    bars: list[Bar] = []
    for i, (label, by_severity) in enumerate(totals.items()):
        parts: list[tuple[Severity, float, float]] = []
        bottom = float(CHART_HEIGHT)
        for severity in SEVERITIES:
            n = by_severity.get(severity, 0)
            if n:
                h = CHART_HEIGHT * n / peak
                bottom -= h
                parts.append((severity, round(bottom, 2), round(h, 2)))
        detail = ", ".join(f"{by_severity[s]} {s}" for s in SEVERITIES if by_severity.get(s))
        bars.append(
            Bar(
                label=label,
                x=round(i * step, 2),
                width=round(max(step * 0.8, 1.0), 2),
                parts=parts,
                title=f"{label}: {detail or 'no findings'}",
            )
        )
    return Chart(bars=bars, peak=peak, unit=unit)
