"""History: a run judged against the runs before it (drift, volume, source shares) and the
clock (freshness).

These expectations are judged once, at the end of a run, on the run's own stats and corpus
statistics (toolkit.profile) and on the past runs of its history (``--history DIR``,
toolkit.history). Each finding stands at the suite entry that asks for it, and the entry's note
says what history it was judged on. Without a history, or with fewer past runs than
``min_runs``, the entry is not judged: it passes with the note saying so, never silently.

The robust rule they share: over the last ``runs`` runs, the usual value is the median and the
spread the MAD (median absolute deviation, times 1.4826 so that it estimates a standard
deviation for normally spread values). A value is out of its usual range when it is further
from the median than ``k`` MADs, and also further than a floor (``min_rise``, ``min_change``,
``max_change``), so that a history that never moved (a MAD of 0) does not make every small
change a finding. Median and MAD, unlike mean and standard deviation, are not dragged by the
one bad day the expectation is there to catch.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import ConfigDict, Field, model_validator

from toolkit.expectations.base import GxForm, Params, Why
from toolkit.history import NO_HISTORY, Context, Judged, RunRecord
from toolkit.result import Severity

MAD_SCALE = 1.4826
FAMILY = "history"


@dataclass(frozen=True)
class HistoryExpectation:
    """An expectation over the run as a whole and its history: ``judge`` sees the run's
    record and the past ones and says what it compared, what failed and on what history."""

    name: str
    description: str
    params: type[Params]
    judge: Callable[[Context, Any], Judged]
    fix: str
    severity: Severity = "warning"
    family: str = FAMILY
    field: str = "run"
    breaker: None = None  # a run's history cannot be made to fail by changing one article
    gx: GxForm | None = None  # Great Expectations has no notion of past runs

    def field_of(self, params: object) -> str:
        return self.field


class Window(Params):
    runs: int = Field(20, ge=2, le=1000, description="past runs the usual range is taken over")
    min_runs: int = Field(
        5, ge=2, le=1000, description="fewer past runs than this: not judged, only noted"
    )
    k: float = Field(3.0, gt=0, description="MADs from the median still within the usual range")

    @model_validator(mode="after")
    def _enough_runs(self) -> Window:
        if self.min_runs > self.runs:
            raise ValueError(
                f"min_runs ({self.min_runs}) is more than runs ({self.runs}): it would never "
                "be judged"
            )
        return self


def robust(values: Sequence[float]) -> tuple[float, float]:
    """Median and scaled MAD of ``values``."""
    median = statistics.median(values)
    return median, MAD_SCALE * statistics.median(abs(v - median) for v in values)


def _window(context: Context, p: Window) -> list[RunRecord] | str:
    """The past runs to judge on, or the note saying why the entry is not judged."""
    if context.past is None:
        return NO_HISTORY
    past = context.past[-p.runs :]
    if len(past) < p.min_runs:
        return (
            f"{len(past)} past run(s) in {context.store}, fewer than min_runs {p.min_runs}: "
            "not judged"
        )
    return past


def _judged_on(context: Context, past: list[RunRecord]) -> str:
    runs = f"runs {past[0].run}-{past[-1].run}"
    return f"judged on the last {len(past)} runs of {context.store} ({runs})"


def _pct(x: float) -> str:
    return f"{x:.1%}"


# --- failure_rate_drift -----------------------------------------------------------------------


class Drift(Window):
    model_config = ConfigDict(json_schema_extra={"examples": [{"runs": 20, "k": 3.0}]})

    ids: list[str] = Field(
        [],
        description="the suite's expectation ids to watch (default: every one but history's)",
    )
    min_rise: float = Field(
        0.02,
        ge=0,
        le=1,
        description="a failure rate at most this far above the median never drifts (a share)",
    )


def _failure_rate_drift(context: Context, p: Drift) -> Judged:
    past = _window(context, p)
    if isinstance(past, str):
        return Judged(0, [], past)
    watched = [
        e
        for e in context.current.expectations
        if e.suite == context.suite
        and (e.id in p.ids if p.ids else not _is_history(e.expectation))
        and e.id != context.entry_id
    ]
    failures, judged, short = [], 0, 0
    for now in watched:
        rates = [
            s.rate
            for run in past
            if (s := run.stats(context.suite, now.id)) is not None and s.checked
        ]
        if not now.checked or len(rates) < p.min_runs:
            short += 1
            continue
        judged += 1
        median, mad = robust(rates)
        bound = median + max(p.k * mad, p.min_rise)
        if now.rate > bound:
            failures.append(
                Why(
                    f"{now.id}: the failure rate {_pct(now.rate)} ({now.failed} of "
                    f"{now.checked}) is above its usual range: median {_pct(median)}, MAD "
                    f"{_pct(mad)} over the last {len(rates)} runs; the bound is "
                    f"{_pct(bound)} (median + max({p.k:g}×MAD, {_pct(p.min_rise)}))",
                    now.id,
                )
            )
    note = f"{_judged_on(context, past)}: {judged} expectation(s) compared"
    if short:
        note += f", {short} with fewer than min_runs {p.min_runs} runs of their own not judged"
    return Judged(judged, failures, note)


def _is_history(name: str) -> bool:
    return name in NAMES


failure_rate_drift = HistoryExpectation(
    name="failure_rate_drift",
    description="No expectation of the suite fails on a larger share of the articles than in "
    "its recent history: its failure rate stays within median + k MADs (and min_rise) of the "
    "last runs.",
    params=Drift,
    judge=_failure_rate_drift,
    fix="Open the expectation's findings in this run and compare them with a usual run: a "
    "jump means the feed or the scraper changed (a new page layout, a vendor's new export); "
    "fix the scraper, or accept the new normal and let the history catch up.",
)


# --- volume_within_usual ----------------------------------------------------------------------


class Volume(Window):
    model_config = ConfigDict(json_schema_extra={"examples": [{"runs": 20, "min_change": 0.25}]})

    min_change: float = Field(
        0.25,
        ge=0,
        description="a count within this share of the median is never out of range",
    )


def _volume_within_usual(context: Context, p: Volume) -> Judged:
    past = _window(context, p)
    if isinstance(past, str):
        return Judged(0, [], past)
    counts = [float(run.articles) for run in past]
    median, mad = robust(counts)
    spread = max(p.k * mad, p.min_change * median)
    low, high = median - spread, median + spread
    n = context.current.articles
    failures = []
    if n < low or n > high:
        way = "below" if n < low else "above"
        failures.append(
            Why(
                f"{n:,} articles, {way} the usual range: median {median:,.0f}, MAD {mad:,.1f} "
                f"over the last {len(past)} runs; expected {max(low, 0):,.0f} to "
                f"{high:,.0f} (median ± max({p.k:g}×MAD, {p.min_change:.0%} of the median))",
                f"{n} articles",
            )
        )
    return Judged(1, failures, _judged_on(context, past))


volume_within_usual = HistoryExpectation(
    name="volume_within_usual",
    description="The run has about the usual number of articles: within median ± max(k MADs, "
    "min_change of the median) of the last runs, neither a drop nor a jump.",
    params=Volume,
    judge=_volume_within_usual,
    fix="A drop: a scraper or a vendor's export stopped part way, or files are missing from "
    "the dump; a jump: articles sent twice or another feed mixed in. Compare the sources and "
    "dates of this dump with the last good one.",
    severity="critical",
)


# --- freshness --------------------------------------------------------------------------------


class Freshness(Params):
    model_config = ConfigDict(json_schema_extra={"examples": [{"max_age_hours": 36}]})

    max_age_hours: float = Field(
        gt=0, description="the newest article is at most this many hours old"
    )


def _freshness(context: Context, p: Freshness) -> Judged:
    now = context.now
    times = []
    for text in context.current.corpus.newest.values():
        t = dt.datetime.fromisoformat(text)
        times.append(t.replace(tzinfo=dt.UTC) if t.tzinfo is None else t)
    note = f"judged at {now.isoformat(timespec='minutes')} (TOOLKIT_NOW, else the clock)"
    if not times:
        why = "no article has a header date or a Published: time: the dump's age is unknown"
        return Judged(1, [Why(why, "")], note)
    # An article dated after now is date_in_range's finding; it must not make a stale dump
    # look fresh.
    past = [t for t in times if t <= now]
    if not past:
        return Judged(
            1, [Why("every article is dated after now: the dump's age is unknown", "")], note
        )
    newest = max(past)
    age = (now - newest).total_seconds() / 3600
    failures = []
    shown = newest.isoformat(timespec="minutes")
    if age > p.max_age_hours:
        failures.append(
            Why(
                f"the newest article ({shown}) is {age:,.1f} hours old at "
                f"{now.isoformat(timespec='minutes')}, more than max_age_hours "
                f"{p.max_age_hours:g}: the feed is late or stopped",
                shown,
            )
        )
    return Judged(1, failures, note)


freshness = HistoryExpectation(
    name="freshness",
    description="The newest article (its Published: time, else its header day) is at most "
    "max_age_hours old; needs no history, judged at TOOLKIT_NOW or the clock.",
    params=Freshness,
    judge=_freshness,
    fix="The feed is late: check that the scraper or the vendor's export ran, and that the dump "
    "is today's and not a copy of an old one.",
    severity="critical",
)


# --- source_share_stable ----------------------------------------------------------------------


class Shares(Window):
    model_config = ConfigDict(json_schema_extra={"examples": [{"by": "source", "max_change": 0.1}]})

    by: Literal["source", "date"] = Field(
        "source",
        description="source: the directory holding each file; date: the header day",
    )
    max_change: float = Field(
        0.10,
        ge=0,
        le=1,
        description="a share within this many points of its median never moved (0.1: 10 points)",
    )


def _source_share_stable(context: Context, p: Shares) -> Judged:
    past = _window(context, p)
    if isinstance(past, str):
        return Judged(0, [], past)
    now = context.current.corpus.shares(p.by)
    before = [run.corpus.shares(p.by) for run in past]
    keys = sorted(set(now).union(*before))
    failures = []
    for key in keys:
        median, mad = robust([b.get(key, 0.0) for b in before])
        bound = max(p.k * mad, p.max_change)
        share = now.get(key, 0.0)
        if abs(share - median) > bound:
            failures.append(
                Why(
                    f"{p.by} {key!r}: {_pct(share)} of the articles, against a usual "
                    f"{_pct(median)} (median over the last {len(past)} runs, MAD {_pct(mad)}); "
                    f"it moved by more than {_pct(bound)}",
                    key,
                )
            )
    return Judged(len(keys), failures, _judged_on(context, past))


source_share_stable = HistoryExpectation(
    name="source_share_stable",
    description="The share of the articles from each source (the directory of the file) or "
    "header day stays within max_change (and k MADs) of its median over the last runs.",
    params=Shares,
    judge=_source_share_stable,
    fix="A source whose share fell sent less than usual (a scraper broke, a vendor skipped a "
    "delivery); one whose share rose sent more (duplicates, a backfill). Check that source's "
    "files in this dump.",
)


EXPECTATIONS: list[HistoryExpectation] = [
    failure_rate_drift,
    volume_within_usual,
    freshness,
    source_share_stable,
]
NAMES = frozenset(e.name for e in EXPECTATIONS)
