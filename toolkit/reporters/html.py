"""The HTML validation report: one self-contained, offline file for people to review a run.

The page puts first what a reviewer must fix: the verdict, then each failing critical
expectation with its first findings, then warnings, then info as notes; passing expectations
are folded. Charts are inline SVG drawn here. The findings travel once, as JSON in a
``<script type="application/json">`` block (jinja's ``tojson`` escapes ``<``, ``>``, ``&`` and
``'``, so article text cannot close the block), and the report's own script builds the
findings views (by expectation, by article, by file) from it one page at a time, with DOM
text nodes, never with HTML strings. A Content-Security-Policy allows only that script and
stylesheet, by hash, and no network address at all.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import itertools
import math
import re
import statistics
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any, NamedTuple

from toolkit.article import PLACEHOLDER_IN, is_cloudflare_placeholder
from toolkit.reporters.terminal import FAILED_STATUS
from toolkit.result import SEVERITIES, ExpectationStats, Finding, Result, Severity
from toolkit.text import SHOWN, no_workflow_commands, visible

if TYPE_CHECKING:
    from toolkit.reporters import ReportOptions

# Segment flags of an excerpt, combined bitwise; the script styles each one.
HIGHLIGHT, MARKER, PLACEHOLDER = 1, 2, 4
# A finding's baseline state in the data block: no baseline, new, accepted.
BASELINE_CODE = {None: 0, "new": 1, "accepted": 2}

# Exactly the characters toolkit.text.visible() replaces, so excerpts are scanned by one regex
# instead of character by character.
_INVISIBLE = SHOWN
# Candidates only; toolkit.article decides what the Cloudflare placeholder is.

CHART_WIDTH, CHART_HEIGHT = 720, 160
# Room for the axes' labels around the plot.
LEFT, BOTTOM, TOP = 44, 34, 22
# Bars in the date chart before days are grouped into months, and months into years.
MAX_DAY_BARS, MAX_MONTH_BARS = 92, 120
# A failure share this small still draws a bar this wide (percent): one failure is visible.
MIN_BAR = 2.0
# Clipped articles named under the date chart; the rest are counted.
CLIPPED_NAMED = 5


class HistoryPoint(NamedTuple):
    """One past run of one expectation: when, and how many articles failed of how many."""

    label: str
    failed: int
    checked: int


# Past runs per expectation key ("suite/id"), oldest first.
History = Mapping[str, Sequence[HistoryPoint]]


def render(result: Result, options: ReportOptions, history: History | None = None) -> str:
    """The report; ``history`` (or ``result.trend``, set by a run with a history) draws a
    sparkline of each expectation's failure rate over past runs."""
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
    env.globals["excerpt_groups"] = excerpt_groups
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
    if history is None:
        history = _history_of(result.trend)
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
    digest = Digest(options.examples)
    data = payload(result, digest)
    cards = _cards(result, digest, history)
    page = env.get_template("report.html.j2").render(
        result=result,
        verdict=verdict,
        csp=csp,
        css=css,
        js=js,
        cards=cards,
        headline=_headline(result, cards),
        by_expectation=expectation_chart(cards),
        chart=_date_chart(digest, _day_of(result)),
        data=data,
        severities=SEVERITIES,
        has_baseline=result.summary.baseline is not None,
    )
    return _no_commands(page, css, js)


def _history_of(raw: object) -> History | None:
    """A history handed over on the Result, in one of two shapes: a mapping of expectation
    key to points (each a HistoryPoint, a (label, failed, checked) triple, or an object with
    ``started``/``label``, ``failed`` and ``checked``); or the runs themselves, oldest first
    (a sequence, or an object with ``runs``), each with ``started`` and ``expectations`` that
    carry ``suite``, ``id``, ``failed`` and ``checked``, as a history store keeps them."""
    runs = getattr(raw, "runs", raw)
    if isinstance(runs, Sequence) and not isinstance(runs, str):
        return history_from_runs(runs)
    if not isinstance(raw, Mapping):
        return None
    out: dict[str, list[HistoryPoint]] = {}
    for key, points in raw.items():
        out[str(key)] = [_point(p) for p in points]
    return out


def _point(p: Any) -> HistoryPoint:
    if isinstance(p, Sequence) and len(p) == 3:
        return HistoryPoint(str(p[0]), int(p[1]), int(p[2]))
    return HistoryPoint(_label(p), int(p.failed), int(p.checked))


def _label(p: Any) -> str:
    when = getattr(p, "label", None) or getattr(p, "started", "")
    return when.strftime("%Y-%m-%d %H:%M") if isinstance(when, dt.datetime) else str(when)


def history_from_runs(runs: Iterable[Any]) -> History:
    """Points per expectation key from past runs, oldest first (see _history_of)."""
    out: dict[str, list[HistoryPoint]] = {}
    for run in runs:
        label = _label(run)
        for e in run.expectations:
            point = HistoryPoint(label, int(e.failed), int(e.checked))
            out.setdefault(f"{e.suite}/{e.id}", []).append(point)
    return out


def _day_of(result: Result) -> dt.date:
    return result.run.started.date()


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


class Piece(NamedTuple):
    text: str
    # The code point of an invisible character shown as its marker, else None.
    code: str | None


def excerpt_groups(f: Finding) -> list[tuple[str, list[Piece]]]:
    """The excerpt of ``f`` as the page's server-drawn boxes show it: runs of pieces under
    one wrapper class ("hl", "cf", "hl cf" or "" for plain text), as report.js draws them."""
    pieces = segments(f.excerpt, f.spans)
    if isinstance(pieces, str):
        return [("", [Piece(pieces, None)])] if pieces else []
    groups: list[tuple[str, list[Piece]]] = []
    for piece in pieces:
        flags = piece[1]
        classes = " ".join(c for c, bit in (("hl", HIGHLIGHT), ("cf", PLACEHOLDER)) if flags & bit)
        item = Piece(piece[0], piece[2] if flags & MARKER else None)
        if groups and groups[-1][0] == classes and classes:
            groups[-1][1].append(item)
        else:
            groups.append((classes, [item]))
    return groups


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


@dataclass
class Digest:
    """What one pass over the findings gathers for the page (the findings may be a sequence
    streamed from disk: they are read once): the first findings of each expectation, the
    findings per article date, and the articles behind each date."""

    first: int
    shown: dict[tuple[str, str], list[Finding]] = field(default_factory=dict)
    count: Counter[tuple[str, str]] = field(default_factory=Counter)
    by_date: Counter[tuple[str | None, Severity]] = field(default_factory=Counter)
    articles: dict[str, set[tuple[str, int]]] = field(default_factory=dict)

    def add(self, f: Finding) -> None:
        # The first findings a card shows: new ones (with a baseline) before accepted ones.
        kept = self.shown.setdefault((f.suite, f.id), [])
        if len(kept) < self.first or (
            f.baseline == "new" and any(k.baseline == "accepted" for k in kept)
        ):
            kept.append(f)
            kept.sort(key=lambda k: k.baseline == "accepted")
            del kept[self.first :]
        self.count[(f.suite, f.id)] += 1
        self.by_date[(f.date, f.severity)] += 1
        if f.date is not None:
            self.articles.setdefault(f.date, set()).add((f.file, f.line))


def payload(result: Result, digest: Digest | None = None) -> dict[str, Any]:
    """The findings in the compact form the report's script reads (see report.js)."""
    strings = _Strings()
    keys: dict[tuple[str, str], int] = {}
    expectations: list[dict[str, Any]] = []

    def add_expectation(
        suite: str, id: str, severity: Severity, passed: bool, error: bool = False
    ) -> int:
        keys[(suite, id)] = len(expectations)
        expectations.append(
            {
                "key": visible(f"{suite}/{id}"),
                "severity": severity,
                "passed": passed,
                "error": error,
            }
        )
        return keys[(suite, id)]

    for s in result.suites:
        for e in s.expectations:
            add_expectation(e.suite, e.id, e.severity, e.passed, e.error is not None)
    rank = {s: i for i, s in enumerate(SEVERITIES)}
    # Real corpora repeat excerpts ("tags", an empty date): segment each one once.
    pieces: dict[tuple[str, tuple[tuple[int, int], ...]], str | list[Any]] = {}
    rows: list[list[Any]] = []
    for f in result.findings:
        if digest is not None:
            digest.add(f)
        at = keys.get((f.suite, f.id))
        if at is None:  # a finding of an expectation the suites do not list: show it anyway
            at = add_expectation(f.suite, f.id, f.severity, False)
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
                BASELINE_CODE[f.baseline],
            ]
        )
    return {
        "severities": list(SEVERITIES),
        "expectations": expectations,
        "strings": strings.table(),
        "findings": rows,
    }


# --- the expectations, worst first ----------------------------------------------------------


@dataclass(frozen=True)
class Card:
    """One expectation as the page shows it."""

    stats: ExpectationStats
    key: str
    # "FAIL", "warn", "note", "ERROR" or "pass": a failed critical reads FAIL whatever its rate.
    status: str
    # Share of checked articles that fail, percent, and the bar's width (at least MIN_BAR).
    failing: float
    bar: float
    findings: list[Finding]
    # All findings of the expectation in the Result (the card shows the first few).
    total: int
    # The failure rate of past runs, as a polyline in a 100 x 20 box, and its points' titles.
    spark: str | None = None
    spark_title: str = ""

    @property
    def group(self) -> str:
        """Where the card goes: error, critical, warning, info (notes) or passed."""
        if self.stats.error is not None:
            return "error"
        return "passed" if self.stats.passed else self.stats.severity


def _cards(result: Result, digest: Digest, history: History | None) -> list[Card]:
    cards: list[Card] = []
    for s in result.suites:
        for e in s.expectations:
            key = visible(f"{e.suite}/{e.id}")
            failing = 100 * e.failed / e.checked if e.checked else 0.0
            status = "ERROR" if e.error else "pass" if e.passed else FAILED_STATUS[e.severity]
            spark, spark_title = _sparkline((history or {}).get(f"{e.suite}/{e.id}", ()))
            cards.append(
                Card(
                    stats=e,
                    key=key,
                    status=status,
                    failing=round(failing, 1),
                    bar=round(max(failing, MIN_BAR) if e.failed else 0.0, 2),
                    findings=digest.shown.get((e.suite, e.id), []),
                    total=digest.count[(e.suite, e.id)],
                    spark=spark,
                    spark_title=spark_title,
                )
            )
    return cards


def _sparkline(points: Sequence[HistoryPoint]) -> tuple[str | None, str]:
    """The failure rate of each past run as polyline points in a 100 x 20 box (0% at the
    bottom, 100% at the top), with a title listing each run."""
    if not points:
        return None, ""
    rates = [p.failed / p.checked if p.checked else 0.0 for p in points]
    step = 100 / max(1, len(rates) - 1)
    coords = " ".join(
        f"{round(i * step if len(rates) > 1 else 50, 2)},{round(20 - 18 * r - 1, 2)}"
        for i, r in enumerate(rates)
    )
    title = "; ".join(
        f"{p.label}: {p.failed}/{p.checked} ({100 * r:.1f}%)"
        for p, r in zip(points, rates, strict=True)
    )
    return coords, f"failure rate in the last {len(points)} runs: {title}"


def _headline(result: Result, cards: list[Card]) -> str:
    """The verdict in words: what failed the run, or why it has no verdict."""
    groups = Counter(c.group for c in cards)
    if groups["error"]:
        return f"{groups['error']} expectation(s) could not run: the verdict is incomplete"
    if result.summary.articles == 0:
        return "no article was checked"
    if groups["critical"]:
        return f"{groups['critical']} critical expectation(s) failed: fix these first"
    parts = [
        f"{groups[g]} {w}" for g, w in (("warning", "warning(s)"), ("info", "note(s)")) if groups[g]
    ]
    return "every critical expectation passed" + (f"; {', '.join(parts)}" if parts else "")


# --- charts ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Tick:
    at: float
    label: str


def nice_ticks(peak: float, count: int = 4) -> list[float]:
    """Round axis values from 0 to at least ``peak``: steps of 1, 2 or 5 times a power of 10."""
    if peak <= 0:
        return [0.0, 1.0]
    raw = peak / count
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    step = max(step, 1.0)
    top = math.ceil(peak / step) * step
    return [i * step for i in range(round(top / step) + 1)]


@dataclass(frozen=True)
class HBar:
    label: str
    severity: Severity
    y: float
    width: float
    value: str
    title: str


@dataclass(frozen=True)
class HChart:
    """Failing articles per failing expectation, one horizontal bar each."""

    bars: list[HBar]
    ticks: list[Tick]
    width: int
    height: int
    plot_left: int
    plot_width: int
    row: int


def expectation_chart(cards: list[Card]) -> HChart:
    order = {"error": 0, "critical": 1, "warning": 2, "info": 3}
    failing = sorted(
        (c for c in cards if c.stats.failed and c.group != "passed"),
        key=lambda c: (order[c.group], -c.stats.failed),
    )
    left, width, row = 250, CHART_WIDTH - 250 - 70, 16
    # The suite's name is left out of the labels when every expectation is of one suite.
    one_suite = len({c.stats.suite for c in cards}) == 1
    peak = max((c.stats.failed for c in failing), default=0)
    ticks = nice_ticks(peak)
    top = ticks[-1]
    bars = [
        HBar(
            label=visible(c.stats.id) if one_suite else c.key,
            severity=c.stats.severity,
            y=TOP + i * row,
            width=round(width * c.stats.failed / top, 2),
            value=f"{c.stats.failed} / {c.stats.checked}",
            title=f"{c.key} ({c.stats.severity}): {c.stats.failed} of {c.stats.checked} "
            f"articles fail ({c.failing}%)",
        )
        for i, c in enumerate(failing)
    ]
    return HChart(
        bars=bars,
        ticks=[Tick(round(left + width * t / top, 2), f"{t:g}") for t in ticks],
        width=CHART_WIDTH,
        height=TOP + len(bars) * row + BOTTOM,
        plot_left=left,
        plot_width=width,
        row=row,
    )


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
    # The y axis (findings), and a label under some bars.
    ticks: list[Tick] = field(default_factory=list)
    labels: list[Tick] = field(default_factory=list)
    # Sentences naming the articles whose dates fell outside the drawn range.
    clipped: list[str] = field(default_factory=list)
    left: int = LEFT
    top: int = TOP


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
# An article dated this far beyond the quartiles of the others (in interquartile ranges, and
# never less than a year) is an outlier the date chart leaves out and names.
FENCE_IQRS, MIN_SPREAD_DAYS = 3, 365


def date_chart(findings: Iterable[Finding], today: dt.date | None = None) -> Chart:
    """Findings by their article's header date, stacked by severity (see _date_chart)."""
    digest = Digest(0)
    for f in findings:
        digest.add(f)
    return _date_chart(digest, today)


def _bounds(days: list[dt.date], today: dt.date | None) -> tuple[dt.date | None, dt.date | None]:
    """The dates a chart draws: within FENCE_IQRS interquartile ranges of the articles' dates
    (robust: one article dated 2099 does not stretch the axis), and never after ``today``'s
    next day (a later date is in the future whatever the others say)."""
    low: dt.date | None = None
    high: dt.date | None = None if today is None else today + dt.timedelta(days=1)
    if len(days) >= 2:
        q1, _, q3 = statistics.quantiles([d.toordinal() for d in days], n=4, method="inclusive")
        reach = FENCE_IQRS * max(q3 - q1, MIN_SPREAD_DAYS)
        low = dt.date.fromordinal(max(1, math.floor(q1 - reach)))
        fence = dt.date.fromordinal(min(dt.date.max.toordinal(), math.ceil(q3 + reach)))
        high = fence if high is None else min(high, fence)
    return low, high


def _date_chart(digest: Digest, today: dt.date | None) -> Chart:
    """Findings by their article's header date, stacked by severity; findings without a real
    date (file-level ones, unparseable dates) in a last bar of their own; articles dated far
    outside the others' range (or after ``today``) left out of the bars and named."""
    counts = digest.by_date
    parsed = {d: _parse_date(d) for d in {d for d, _ in counts}}
    days = [
        day
        for raw, day in parsed.items()
        if raw is not None and day is not None
        for _ in digest.articles[raw]
    ]
    low, high = _bounds(days, today)
    inside = [d for d in parsed.values() if d is not None and _within(d, low, high)]
    unit, labels = _buckets(min(inside), max(inside)) if inside else ("day", [])
    cut = {"day": 10, "month": 7, "year": 4}[unit]
    totals: dict[str, Counter[Severity]] = {label: Counter() for label in labels}
    undated: Counter[Severity] = Counter()
    for (raw, severity), n in counts.items():
        day = parsed[raw]
        if day is None:
            undated[severity] += n
        elif _within(day, low, high):
            totals[day.isoformat()[:cut]][severity] += n
    if undated:
        totals[NO_DATE] = undated
    clipped = _clipped(digest, parsed, low, high)
    if not totals:
        return Chart(bars=[], peak=0, unit=unit, clipped=clipped)
    peak = max(sum(c.values()) for c in totals.values())
    ticks = nice_ticks(peak)
    top = ticks[-1]
    step = CHART_WIDTH / len(totals)
    bars: list[Bar] = []
    for i, (label, by_severity) in enumerate(totals.items()):
        parts: list[tuple[Severity, float, float]] = []
        bottom = float(TOP + CHART_HEIGHT)
        for severity in SEVERITIES:
            n = by_severity.get(severity, 0)
            if n:
                h = CHART_HEIGHT * n / top
                bottom -= h
                parts.append((severity, round(bottom, 2), round(h, 2)))
        detail = ", ".join(f"{by_severity[s]} {s}" for s in SEVERITIES if by_severity.get(s))
        bars.append(
            Bar(
                label=label,
                x=round(LEFT + i * step, 2),
                width=round(max(step * 0.8, 1.0), 2),
                parts=parts,
                title=f"{label}: {detail or 'no findings'}",
            )
        )
    # About eight labels under the axis, always the first and the last bar's.
    every = max(1, math.ceil(len(bars) / 8))
    labels_at = [
        Tick(b.x, b.label) for i, b in enumerate(bars) if i % every == 0 or i == len(bars) - 1
    ]
    if len(labels_at) > 1 and labels_at[-1].at - labels_at[-2].at < CHART_WIDTH / 12:
        del labels_at[-2]
    return Chart(
        bars=bars,
        peak=peak,
        unit=unit,
        ticks=[Tick(round(TOP + CHART_HEIGHT * (1 - t / top), 2), f"{t:g}") for t in ticks],
        labels=labels_at,
        clipped=clipped,
    )


def _within(day: dt.date, low: dt.date | None, high: dt.date | None) -> bool:
    return (low is None or day >= low) and (high is None or day <= high)


def _clipped(
    digest: Digest,
    parsed: Mapping[str | None, dt.date | None],
    low: dt.date | None,
    high: dt.date | None,
) -> list[str]:
    """Sentences such as "2 articles dated after 2026-12-03 not drawn: a.txt:1 (2031-01-01),
    b.txt:9 (2099-05-05)"."""
    out: list[str] = []
    for side, bound in (("before", low), ("after", high)):
        if bound is None:
            continue
        away = sorted(
            (day, file, line)
            for raw, day in parsed.items()
            if day is not None and raw is not None
            if (day < bound if side == "before" else day > bound)
            for file, line in digest.articles[raw]
        )
        if not away:
            continue
        named = ", ".join(f"{visible(f)}:{n} ({d.isoformat()})" for d, f, n in away[:CLIPPED_NAMED])
        more = f" and {len(away) - CLIPPED_NAMED} more" if len(away) > CLIPPED_NAMED else ""
        noun = "article" if len(away) == 1 else "articles"
        out.append(f"{len(away)} {noun} dated {side} {bound.isoformat()} not drawn: {named}{more}")
    return out
