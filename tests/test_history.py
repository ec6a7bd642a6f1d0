"""The run history through `toolkit check --history DIR`: a sequence of runs into one store,
the history expectations judged against it, two runs appending at once, a store that cannot be
read."""

from __future__ import annotations

import json
import multiprocessing
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tests.runs import (
    DRIFT_LINE,
    FRESHNESS_LINE,
    SHARE_LINE,
    VOLUME_LINE,
    check,
    entry,
    findings,
    write_dump,
)
from toolkit.history import NO_HISTORY, STORE_NAME, HistoryError, RunRecord, Store, record_of

ROOT = Path(__file__).resolve().parent.parent


def day(root: Path, a: int, b: int, a_without_tags: int = 0, b_without_tags: int = 0) -> Path:
    """Today's dump: ``a`` articles from source a, ``b`` from source b."""
    incoming = root / "incoming"
    shutil.rmtree(incoming, ignore_errors=True)
    write_dump(incoming / "a", a, a_without_tags)
    if b:
        write_dump(incoming / "b", b, b_without_tags)
    return incoming


def test_a_jump_in_a_defect_rate_is_drift_and_a_usual_one_is_not(tmp_path: Path) -> None:
    hist = str(tmp_path / "history")
    # Four usual days: 1 or 2 articles in 20 without tags (5% and 10%).
    for a_bad, b_bad in ((1, 0), (1, 1), (0, 1), (1, 1)):
        code, result, err = check(tmp_path, day(tmp_path, 10, 10, a_bad, b_bad), "--history", hist)
        assert code == 1, err  # tags_non_empty is critical
    assert "toolkit: run 4 recorded in" in err
    # 15%: within median 7.5% + 3 MADs (3.7%) of the four days before.
    code, result, _ = check(tmp_path, day(tmp_path, 10, 10, 2, 1), "--history", hist)
    drift = entry(result, "failure_rate_drift")
    assert (drift["checked"], drift["failed"], drift["passed"]) == (2, 0, True)
    assert drift["engine_note"] == (
        f"judged on the last 4 runs of {hist}/{STORE_NAME} (runs 1-4): 2 expectation(s) compared"
    )
    assert findings(result, "failure_rate_drift") == []
    # 40%: above median 10% + 3 MADs (7.4%) of the five days before.
    code, result, _ = check(tmp_path, day(tmp_path, 10, 10, 4, 4), "--history", hist)
    assert findings(result, "failure_rate_drift") == [
        (
            str(tmp_path / "feed.yaml"),
            DRIFT_LINE,
            "tags_non_empty: the failure rate 40.0% (8 of 20) is above its usual range: median "
            "10.0%, MAD 7.4% over the last 5 runs; the bound is 32.2% (median + max(3×MAD, "
            "2.0%))",
        )
    ]
    drift = entry(result, "failure_rate_drift")
    assert (drift["severity"], drift["failed"], drift["passed"]) == ("warning", 1, False)
    # The same volume and sources as usual.
    assert findings(result, "volume_within_usual") == []
    assert findings(result, "source_share_stable") == []
    records = Store(Path(hist)).read()
    assert [r.run for r in records] == [1, 2, 3, 4, 5, 6]
    rates = [r.stats("feed", "tags_non_empty").rate for r in records]  # type: ignore[union-attr]
    assert rates == [0.05, 0.1, 0.05, 0.1, 0.15, 0.4]


def test_a_volume_drop_and_a_moved_source_share(tmp_path: Path) -> None:
    hist = str(tmp_path / "history")
    for _ in range(3):
        check(tmp_path, day(tmp_path, 10, 10), "--history", hist)
    code, result, _ = check(tmp_path, day(tmp_path, 4, 1), "--history", hist)
    assert code == 1  # volume_within_usual is critical
    suite = str(tmp_path / "feed.yaml")
    assert findings(result, "volume_within_usual") == [
        (
            suite,
            VOLUME_LINE,
            "5 articles, below the usual range: median 20, MAD 0.0 over the last 3 runs; "
            "expected 15 to 25 (median ± max(3×MAD, 25% of the median))",
        )
    ]
    assert findings(result, "source_share_stable") == [
        (
            suite,
            SHARE_LINE,
            "source 'a': 80.0% of the articles, against a usual 50.0% (median over the last 3 "
            "runs, MAD 0.0%); it moved by more than 10.0%",
        ),
        (
            suite,
            SHARE_LINE,
            "source 'b': 20.0% of the articles, against a usual 50.0% (median over the last 3 "
            "runs, MAD 0.0%); it moved by more than 10.0%",
        ),
    ]
    # 22 articles are within 25% of the usual 20.
    code, result, _ = check(tmp_path, day(tmp_path, 11, 11), "--history", hist)
    assert findings(result, "volume_within_usual") == []
    assert entry(result, "volume_within_usual")["passed"] is True


def test_freshness_by_the_newest_published_time(tmp_path: Path) -> None:
    incoming = day(tmp_path, 2, 0)
    code, result, _ = check(tmp_path, incoming)
    fresh = entry(result, "freshness")
    assert (fresh["checked"], fresh["failed"], fresh["passed"]) == (1, 0, True)
    assert fresh["engine_note"] == "judged at 2025-04-23T06:00+00:00 (TOOLKIT_NOW, else the clock)"
    code, result, _ = check(tmp_path, incoming, now="2025-04-24T08:00:00+02:00")
    assert code == 1
    assert findings(result, "freshness") == [
        (
            str(tmp_path / "feed.yaml"),
            FRESHNESS_LINE,
            "the newest article (2025-04-22T16:05+00:00) is 37.9 hours old at "
            "2025-04-24T06:00+00:00, more than max_age_hours 36: the feed is late or stopped",
        )
    ]


def test_without_a_history_or_with_too_little_the_history_expectations_are_noted(
    tmp_path: Path,
) -> None:
    code, result, _ = check(tmp_path, day(tmp_path, 3, 3))
    assert code == 0
    for name in ("failure_rate_drift", "volume_within_usual", "source_share_stable"):
        stats = entry(result, name)
        assert (stats["checked"], stats["failed"], stats["passed"]) == (0, 0, True)
        assert stats["engine_note"] == NO_HISTORY
    hist = str(tmp_path / "history")
    check(tmp_path, day(tmp_path, 3, 3), "--history", hist)
    code, result, _ = check(tmp_path, day(tmp_path, 3, 3), "--history", hist)
    assert entry(result, "volume_within_usual")["engine_note"] == (
        f"1 past run(s) in {hist}/{STORE_NAME}, fewer than min_runs 3: not judged"
    )


def test_a_run_that_checks_nothing_is_not_recorded(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    code, _, _ = check(tmp_path, tmp_path / "empty", "--history", str(tmp_path / "h"))
    assert code == 3
    assert Store(tmp_path / "h").read() == []


def test_the_history_key_of_the_configuration(tmp_path: Path) -> None:
    (tmp_path / "toolkit.toml").write_text('history = "kept"\n')
    cwd = Path.cwd()
    os.chdir(tmp_path)
    try:
        code, _, err = check(tmp_path, day(tmp_path, 2, 2))
        assert code == 0, err
        assert [r.articles for r in Store(tmp_path / "kept").read()] == [4]
        (tmp_path / "toolkit.toml").write_text("history = 3\n")
        code, _, err = check(tmp_path, day(tmp_path, 2, 2))
        assert code == 2
        assert (
            err.strip() == "toolkit: error: toolkit.toml:1: 'history' is a path (a string), not 3"
        )
    finally:
        os.chdir(cwd)


# --- the store --------------------------------------------------------------------------------


def _toolkit(*args: str, cwd: Path) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TOOLKIT_NOW": "2025-04-23T06:00:00Z"}
    return subprocess.Popen(
        [sys.executable, "-m", "toolkit", *args],
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_two_runs_appending_at_once_both_land_whole(tmp_path: Path) -> None:
    write_dump(tmp_path / "one" / "a", 3)
    write_dump(tmp_path / "two" / "a", 5, 1)
    (tmp_path / "feed.yaml").write_text("suite: feed\nexpectations:\n  - expect: tags_non_empty\n")
    runs = [
        _toolkit("check", name, "-s", "feed.yaml", "--history", "h", "-q", cwd=tmp_path)
        for name in ("one", "two")
    ]
    said = [p.communicate(timeout=300) for p in runs]
    assert [p.returncode for p in runs] == [0, 1], said
    records = Store(tmp_path / "h").read()
    assert sorted(r.run for r in records) == [1, 2]
    assert sorted(r.articles for r in records) == [3, 5]
    by_size = {r.articles: r for r in records}
    assert by_size[5].stats("feed", "tags_non_empty").failed == 1  # type: ignore[union-attr]
    assert len(by_size[3].expectations) == 2  # file_readable and tags_non_empty


def _append_many(directory: str, record_json: str, count: int) -> None:
    store = Store(Path(directory))
    record = RunRecord.model_validate_json(record_json)
    for _ in range(count):
        store.append(record)


def test_many_appends_from_two_processes_are_all_kept(tmp_path: Path) -> None:
    write_dump(tmp_path / "in" / "a", 2)
    check(tmp_path, tmp_path / "in", "--history", str(tmp_path / "seed"))
    record = Store(tmp_path / "seed").read()[0].model_dump_json()
    ctx = multiprocessing.get_context("spawn")
    workers = [
        ctx.Process(target=_append_many, args=(str(tmp_path / "h"), record, 25)) for _ in range(2)
    ]
    for w in workers:
        w.start()
    for w in workers:
        w.join(timeout=300)
    assert [w.exitcode for w in workers] == [0, 0]
    records = Store(tmp_path / "h").read(None)
    assert [r.run for r in records] == list(range(1, 51))
    assert all(len(r.expectations) == len(records[0].expectations) > 0 for r in records)


def test_a_corrupt_store_is_a_usage_error_naming_it(tmp_path: Path) -> None:
    hist = tmp_path / "history"
    hist.mkdir()
    (hist / STORE_NAME).write_bytes(b"\x00garbage, not a database" * 100)
    code, _, err = check(tmp_path, day(tmp_path, 2, 0), "--history", str(hist))
    assert code == 2
    assert err.strip() == (
        f"toolkit: error: {hist / STORE_NAME}: not a readable toolkit history (file is not a "
        "database): move it away to start a new one"
    )


def test_a_store_from_a_newer_version_or_another_database_is_refused(tmp_path: Path) -> None:
    hist = tmp_path / "history"
    hist.mkdir()
    with sqlite3.connect(hist / STORE_NAME) as db:
        db.execute("PRAGMA user_version = 99")
    code, _, err = check(tmp_path, day(tmp_path, 2, 0), "--history", str(hist))
    assert code == 2
    assert err.strip() == (
        f"toolkit: error: {hist / STORE_NAME}: written by a newer toolkit (history version 99; "
        "this one reads version 1): upgrade the toolkit"
    )
    other = tmp_path / "other"
    other.mkdir()
    with sqlite3.connect(other / STORE_NAME) as db:
        db.execute("CREATE TABLE mine (x)")
    with pytest.raises(HistoryError, match="an SQLite database, but not a toolkit history"):
        Store(other).read()


def test_history_must_be_a_directory(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    code, _, err = check(tmp_path, day(tmp_path, 2, 0), "--history", str(tmp_path / "file"))
    assert code == 2
    assert "Invalid value for '--history'" in err and "is a file" in err
    (tmp_path / "toolkit.toml").write_text('history = "file"\n')
    code, _, err = check(tmp_path, day(tmp_path, 2, 0), "--config", str(tmp_path / "toolkit.toml"))
    assert code == 2
    assert err.strip() == (
        f"toolkit: error: {tmp_path / 'file'}: not a directory: --history takes a directory"
    )


def test_a_record_keeps_the_runs_stats_and_corpus(tmp_path: Path) -> None:
    hist = tmp_path / "history"
    check(tmp_path, day(tmp_path, 3, 1, 1, 0), "--history", str(hist))
    [record] = Store(hist).read()
    assert (record.run, record.files, record.articles, record.passed) == (1, 2, 4, False)
    tags = record.stats("feed", "tags_non_empty")
    assert tags is not None
    assert (tags.checked, tags.failed, tags.rate, tags.severity) == (4, 1, 0.25, "critical")
    corpus = record.corpus
    assert (corpus.articles, corpus.files, corpus.days) == (4, 2, 1)
    assert corpus.per_source == {"a": 3, "b": 1}
    assert corpus.per_date == {"2025-04-22": 4}
    assert (corpus.first_date, corpus.last_date) == ("2025-04-22", "2025-04-22")
    assert corpus.newest == {"2025-04-22": "2025-04-22T16:05:00"}
    assert set(corpus.body_length) == {"0", "0.05", "0.25", "0.5", "0.75", "0.95", "1"}
    assert record_of  # the one way a Result becomes a record


def test_the_example_suite_as_the_readme_runs_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from toolkit.cli import app

    monkeypatch.chdir(ROOT)
    monkeypatch.setenv("TOOLKIT_NOW", "2025-07-09T06:00Z")
    hist = str(tmp_path / "history")
    suite = ["-s", "examples/feed_health.yaml", "--history", hist, "-q"]
    for _ in range(5):
        assert CliRunner().invoke(app, ["check", "corpora/clean", *suite]).exit_code == 0
    out = tmp_path / "r.json"
    ran = CliRunner().invoke(
        app, ["check", "corpora/clean", "corpora/broken", *suite, "-f", f"json:{out}"]
    )
    assert ran.exit_code == 1
    result = json.loads(out.read_text())
    assert findings(result, "volume_within_usual") == [
        (
            "examples/feed_health.yaml",
            9,
            "45 articles, above the usual range: median 11, MAD 0.0 over the last 5 runs; "
            "expected 8 to 14 (median ± max(3×MAD, 25% of the median))",
        )
    ]
    drifting = [m.split(":", 1)[0] for _, _, m in findings(result, "failure_rate_drift")]
    assert drifting[:3] == ["file_readable", "date_parseable", "published_matches_date"]
    assert len(drifting) == 19
    assert findings(result, "freshness") == []


def test_the_html_report_of_a_run_with_a_history_draws_each_trend(tmp_path: Path) -> None:
    hist = str(tmp_path / "history")
    page = tmp_path / "report.html"
    for n, bad in enumerate((1, 2, 5)):
        now = f"2025-04-2{n + 1}T06:00:00Z"
        code, _, err = check(
            tmp_path, day(tmp_path, 10, 0, bad), "--history", hist, "-f", f"html:{page}", now=now
        )
        assert code == 1, err
    html = page.read_text(encoding="utf-8")
    # tags_non_empty failed 1, 2 and 5 of 10 articles: the third run is this one.
    assert (
        "<title>failure rate in the last 3 runs: 2025-04-21 06:00: 1/10 (10.0%); "
        "2025-04-22 06:00: 2/10 (20.0%); 2025-04-23 06:00: 5/10 (50.0%)</title>"
    ) in html


def test_runs_creating_the_same_new_history_at_once_all_record(tmp_path: Path) -> None:
    """The first runs into a new history race to create it: each must find it made (or make
    it) and append, never take it for another program's database nor fail on its lock."""
    write_dump(tmp_path / "in" / "a", 2)
    check(tmp_path, tmp_path / "in", "--history", str(tmp_path / "seed"))
    record = Store(tmp_path / "seed").read()[0].model_dump_json()
    ctx = multiprocessing.get_context("fork")
    for round_no in range(30):
        directory = str(tmp_path / f"h{round_no}")
        workers = [ctx.Process(target=_append_many, args=(directory, record, 2)) for _ in range(4)]
        for w in workers:
            w.start()
        for w in workers:
            w.join(timeout=120)
        assert [w.exitcode for w in workers] == [0, 0, 0, 0], round_no
        assert len(Store(Path(directory)).read(None)) == 8
