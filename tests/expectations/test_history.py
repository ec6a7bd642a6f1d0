"""The history expectations' rules on records made by hand: median and MAD, the floors that
keep a history that never moved from making every change a finding, source and day shares."""

from __future__ import annotations

import datetime as dt

import pytest

from toolkit.expectations import CATALOG
from toolkit.expectations.history import (
    Drift,
    Freshness,
    Shares,
    Volume,
    failure_rate_drift,
    freshness,
    robust,
    source_share_stable,
    volume_within_usual,
)
from toolkit.history import NO_HISTORY, Context, ExpectationRecord, RunRecord
from toolkit.profile import CorpusStats

NOW = dt.datetime(2026, 3, 2, 6, 0, tzinfo=dt.UTC)


def run(
    n: int,
    failed: int = 0,
    checked: int = 100,
    sources: dict[str, int] | None = None,
    newest: dict[str, str] | None = None,
) -> RunRecord:
    stats = ExpectationRecord(
        suite="s",
        id="body_not_empty",
        expectation="body_not_empty",
        severity="critical",
        checked=checked,
        failed=failed,
        rate=failed / checked if checked else 0.0,
        passed=not failed,
    )
    corpus = CorpusStats(articles=checked, files=1, per_source=sources or {}, newest=newest or {})
    return RunRecord(
        run=n,
        started=NOW,
        tool_version="0",
        passed=not failed,
        exit_code=int(bool(failed)),
        files=1,
        articles=checked,
        findings={},
        expectations=[stats],
        corpus=corpus,
    )


def context(current: RunRecord, past: list[RunRecord] | None) -> Context:
    return Context(current, past, "h/history.sqlite", NOW, "s", "drift")


def test_every_history_expectation_is_in_the_catalog() -> None:
    for exp in (failure_rate_drift, volume_within_usual, freshness, source_share_stable):
        assert CATALOG[exp.name] is exp
        assert exp.family == "history" and exp.breaker is None and exp.gx is None


def test_median_and_scaled_mad() -> None:
    assert robust([1, 2, 3, 4, 100]) == (3, pytest.approx(1.4826))
    assert robust([5, 5, 5]) == (5, 0)


def test_a_history_that_never_moved_needs_more_than_the_floor() -> None:
    past = [run(i, failed=0) for i in range(1, 6)]
    # 2 failures in 100: at the 2% floor, not above it.
    assert failure_rate_drift.judge(context(run(6, 2), past), Drift()).failures == []
    found = failure_rate_drift.judge(context(run(6, 3), past), Drift()).failures
    assert [w.message for w in found] == [
        "body_not_empty: the failure rate 3.0% (3 of 100) is above its usual range: median "
        "0.0%, MAD 0.0% over the last 5 runs; the bound is 2.0% (median + max(3×MAD, 2.0%))"
    ]


def test_only_the_last_runs_count() -> None:
    past = [run(i, failed=50) for i in range(1, 11)] + [run(i, failed=1) for i in range(11, 16)]
    judged = failure_rate_drift.judge(context(run(16, 10), past), Drift(runs=5))
    assert len(judged.failures) == 1
    assert judged.note == (
        "judged on the last 5 runs of h/history.sqlite (runs 11-15): 1 expectation(s) compared"
    )
    # Over all fifteen, 10% is within the usual range (median 50%).
    assert failure_rate_drift.judge(context(run(16, 10), past), Drift(runs=15)).failures == []


def test_ids_choose_the_watched_expectations() -> None:
    past = [run(i) for i in range(1, 6)]
    judged = failure_rate_drift.judge(context(run(6, 50), past), Drift(ids=["other"]))
    assert (judged.checked, judged.failures) == (0, [])


def test_no_history_and_too_little_history_are_notes() -> None:
    for exp, params in (
        (failure_rate_drift, Drift()),
        (volume_within_usual, Volume()),
        (source_share_stable, Shares()),
    ):
        judged = exp.judge(context(run(1), None), params)  # type: ignore[attr-defined]
        assert (judged.checked, judged.failures, judged.note) == (0, [], NO_HISTORY)
        judged = exp.judge(context(run(3), [run(1), run(2)]), params)  # type: ignore[attr-defined]
        assert judged.note == (
            "2 past run(s) in h/history.sqlite, fewer than min_runs 5: not judged"
        )


def test_a_volume_jump_and_a_spread_history() -> None:
    past = [run(i, checked=n) for i, n in enumerate([100, 120, 80, 110, 90], start=1)]
    # median 100, MAD 1.4826 * 10: the range is 100 ± max(44.5, 25).
    assert volume_within_usual.judge(context(run(6, checked=140), past), Volume()).failures == []
    [why] = volume_within_usual.judge(context(run(6, checked=150), past), Volume()).failures
    assert why.message == (
        "150 articles, above the usual range: median 100, MAD 14.8 over the last 5 runs; "
        "expected 56 to 144 (median ± max(3×MAD, 25% of the median))"
    )


def test_freshness_ignores_articles_dated_after_now() -> None:
    newest = {"2026-03-01": "2026-03-01T20:00:00", "2031-01-01": "2031-01-01T00:00:00"}
    judged = freshness.judge(context(run(1, newest=newest), None), Freshness(max_age_hours=12))
    assert [w.message for w in judged.failures] == []
    [why] = freshness.judge(
        context(run(1, newest=newest), None), Freshness(max_age_hours=6)
    ).failures
    assert why.message == (
        "the newest article (2026-03-01T20:00+00:00) is 10.0 hours old at 2026-03-02T06:00+00:00, "
        "more than max_age_hours 6: the feed is late or stopped"
    )
    [why] = freshness.judge(context(run(1), None), Freshness(max_age_hours=6)).failures
    assert why.message.startswith("no article has a header date or a Published: time")


def test_a_new_source_and_a_vanished_one_both_moved() -> None:
    past = [run(i, sources={"yonhap": 50, "afp": 50}) for i in range(1, 6)]
    judged = source_share_stable.judge(
        context(run(6, sources={"yonhap": 50, "reuters": 50}), past), Shares()
    )
    assert judged.checked == 3
    assert [w.excerpt for w in judged.failures] == ["afp", "reuters"]
    assert judged.failures[0].message == (
        "source 'afp': 0.0% of the articles, against a usual 50.0% (median over the last 5 "
        "runs, MAD 0.0%); it moved by more than 10.0%"
    )


def test_min_runs_above_runs_is_refused() -> None:
    with pytest.raises(ValueError, match=r"min_runs \(5\) is more than runs \(3\)"):
        Volume(runs=3)
