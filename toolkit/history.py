"""The run history: each run's summary, per-expectation stats and corpus statistics, kept in a
local append-only store, and the step that judges the history expectations against it.

The store is one SQLite database, ``DIR/history.sqlite``, in WAL mode. SQLite rather than a
Parquet file per run or DuckDB, because:

- an append is one transaction: two runs appending at once are serialised by SQLite's own
  lock (the second waits, up to ``BUSY_TIMEOUT_S``), and a run killed half way leaves no half
  record, with no temporary files and renames to get right by hand;
- reading the last N runs is one indexed query, not a listing and N file opens that grow with
  every day of history;
- it is in the standard library (no dependency) and any SQLite client can query the file
  (``sqlite3 DIR/history.sqlite 'select * from expectations'``); DuckDB takes one writer
  process at a time and fails the second instead of making it wait.

WAL mode lets ``toolkit history`` read while a run appends. (SQLite's locking needs a local
filesystem: keep the history off NFS.) A file that is not such a database, or one written by a
newer version of the store (``PRAGMA user_version``), is a HistoryError naming the file, never
a crash.

Expectations of the family "history" (toolkit.expectations.history) are judged by
``judge_history`` at the end of a run, once the corpus is checked: they read the run's own
stats and corpus statistics and the past runs (``History``).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, ValidationError

from toolkit.profile import CorpusStats, Profile
from toolkit.result import Finding, PastRun, Result, Severity, summarise

if TYPE_CHECKING:
    from toolkit.expectations.base import Why
    from toolkit.suite import Suite, SuiteEntry

STORE_NAME = "history.sqlite"
STORE_VERSION = 1
BUSY_TIMEOUT_S = 60.0
# The most past runs a run is judged against (an expectation's ``runs`` is at most this).
MAX_RUNS = 1000
# The time a run is taken to happen at (ISO 8601; UTC unless it names a zone): freshness is
# judged at it and the history records it. For reproducible runs and tests.
NOW_VARIABLE = "TOOLKIT_NOW"
NO_HISTORY = (
    "no history: not judged (run with --history DIR, or set 'history' in the configuration)"
)

_SCHEMA = """
CREATE TABLE runs (
    run INTEGER PRIMARY KEY AUTOINCREMENT,
    started TEXT NOT NULL,
    tool_version TEXT NOT NULL,
    passed INTEGER NOT NULL,
    exit_code INTEGER NOT NULL,
    files INTEGER NOT NULL,
    articles INTEGER NOT NULL,
    summary TEXT NOT NULL,
    corpus TEXT NOT NULL
);
CREATE TABLE expectations (
    run INTEGER NOT NULL REFERENCES runs(run),
    suite TEXT NOT NULL,
    id TEXT NOT NULL,
    expectation TEXT NOT NULL,
    severity TEXT NOT NULL,
    checked INTEGER NOT NULL,
    failed INTEGER NOT NULL,
    rate REAL NOT NULL,
    passed INTEGER NOT NULL,
    PRIMARY KEY (run, suite, id)
);
"""


class HistoryError(Exception):
    """A history that cannot be used (corrupt, newer, not a directory): the message names the
    file; the command line exits 2."""


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ExpectationRecord(_Model):
    """One expectation of one run: how many articles it checked and failed."""

    suite: str
    id: str
    expectation: str
    severity: Severity
    checked: int
    failed: int
    rate: float  # failed / checked, 0 when nothing was checked
    passed: bool


class RunRecord(_Model):
    """One run as the history keeps it."""

    run: int  # the store's sequence number; 0 for the run being judged
    started: dt.datetime
    tool_version: str
    passed: bool
    exit_code: int
    files: int
    articles: int
    findings: dict[str, int]
    expectations: list[ExpectationRecord]
    corpus: CorpusStats

    def stats(self, suite: str, entry_id: str) -> ExpectationRecord | None:
        return next((e for e in self.expectations if e.suite == suite and e.id == entry_id), None)


def _when_free(statement: Callable[[], object]) -> None:
    """Run ``statement`` once no other run holds the lock it needs. Turning a new history to
    WAL mode can fail at once with "database is locked" while another run creates it, without
    SQLite's busy timeout: it is tried again until that timeout."""
    deadline = time.monotonic() + BUSY_TIMEOUT_S
    while True:
        try:
            statement()
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.02)


def record_of(result: Result, now: dt.datetime) -> RunRecord:
    """The run as the history keeps it (its corpus statistics from ``result.corpus``)."""
    corpus = result.corpus or CorpusStats(articles=result.summary.articles, files=0)
    return RunRecord(
        run=0,
        started=now,
        tool_version=result.run.tool_version,
        passed=result.summary.passed,
        exit_code=int(result.exit_code),
        files=result.summary.files,
        articles=result.summary.articles,
        findings=dict(result.summary.findings),
        expectations=[
            ExpectationRecord(
                suite=e.suite,
                id=e.id,
                expectation=e.expectation,
                severity=e.severity,
                checked=e.checked,
                failed=e.failed,
                rate=e.failed / e.checked if e.checked else 0.0,
                passed=e.passed,
            )
            for s in result.suites
            for e in s.expectations
        ],
        corpus=corpus,
    )


# --- the store --------------------------------------------------------------------------------


class Store:
    """``DIR/history.sqlite``: runs appended, never changed."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.path = directory / STORE_NAME

    def exists(self) -> bool:
        return self.path.is_file()

    @contextmanager
    def _connect(self, create: bool) -> Iterator[sqlite3.Connection]:
        if self.directory.exists() and not self.directory.is_dir():
            raise HistoryError(f"{self.directory}: not a directory: --history takes a directory")
        if create:
            try:
                self.directory.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise HistoryError(f"{self.directory}: cannot create: {exc.strerror}") from None
        elif not self.exists():
            raise HistoryError(f"{self.path}: no history here (no run recorded yet)")
        try:
            with closing(
                sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
            ) as db:
                self._prepare(db, create)
                yield db
        except sqlite3.DatabaseError as exc:
            raise HistoryError(
                f"{self.path}: not a readable toolkit history ({exc}): move it away to start a "
                "new one"
            ) from None
        except OSError as exc:
            raise HistoryError(f"{self.path}: cannot open: {exc.strerror or exc}") from None

    def _prepare(self, db: sqlite3.Connection, create: bool) -> None:
        version = int(db.execute("PRAGMA user_version").fetchone()[0])
        self._check_version(version)
        if version == STORE_VERSION:
            return
        if not create:
            self._not_a_history(db)
            raise HistoryError(f"{self.path}: no history here (no run recorded yet)")
        _when_free(lambda: db.execute("PRAGMA journal_mode = WAL"))
        db.execute("BEGIN IMMEDIATE")
        try:
            # Read again under the write lock: another run may have created the history since.
            version = int(db.execute("PRAGMA user_version").fetchone()[0])
            self._check_version(version)
            if version == 0:
                self._not_a_history(db)
                # One statement at a time: executescript() would commit the transaction.
                for statement in _SCHEMA.split(";"):
                    if statement.strip():
                        db.execute(statement)
                db.execute(f"PRAGMA user_version = {STORE_VERSION}")
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise

    def _check_version(self, version: int) -> None:
        if version > STORE_VERSION:
            raise HistoryError(
                f"{self.path}: written by a newer toolkit (history version {version}; this one "
                f"reads version {STORE_VERSION}): upgrade the toolkit"
            )

    def _not_a_history(self, db: sqlite3.Connection) -> None:
        """Refuse an SQLite database of something else (version 0 with tables of its own)."""
        if db.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall():
            raise HistoryError(f"{self.path}: an SQLite database, but not a toolkit history")

    def append(self, record: RunRecord) -> int:
        """Append one run in one transaction; its sequence number."""
        with self._connect(create=True) as db:
            db.execute("BEGIN IMMEDIATE")
            try:
                cursor = db.execute(
                    "INSERT INTO runs (started, tool_version, passed, exit_code, files, "
                    "articles, summary, corpus) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        record.started.isoformat(),
                        record.tool_version,
                        int(record.passed),
                        record.exit_code,
                        record.files,
                        record.articles,
                        json.dumps({"findings": record.findings}),
                        record.corpus.model_dump_json(),
                    ),
                )
                run = int(cursor.lastrowid or 0)
                db.executemany(
                    "INSERT INTO expectations VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [
                        (
                            run,
                            e.suite,
                            e.id,
                            e.expectation,
                            e.severity,
                            e.checked,
                            e.failed,
                            e.rate,
                            int(e.passed),
                        )
                        for e in record.expectations
                    ],
                )
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise
        return run

    def read(self, last: int | None = MAX_RUNS) -> list[RunRecord]:
        """The last ``last`` runs (all with None), oldest first; [] for a store not made yet."""
        if not self.exists():
            if self.directory.exists() and not self.directory.is_dir():
                raise HistoryError(
                    f"{self.directory}: not a directory: --history takes a directory"
                )
            return []
        with self._connect(create=False) as db:
            limit = -1 if last is None else last
            runs = db.execute(
                "SELECT run, started, tool_version, passed, exit_code, files, articles, "
                "summary, corpus FROM runs ORDER BY run DESC LIMIT ?",
                (limit,),
            ).fetchall()
            first = min((r[0] for r in runs), default=0)
            rows = db.execute(
                "SELECT run, suite, id, expectation, severity, checked, failed, rate, passed "
                "FROM expectations WHERE run >= ? ORDER BY run, rowid",
                (first,),
            ).fetchall()
        by_run: dict[int, list[ExpectationRecord]] = {}
        try:
            for run, suite, eid, name, severity, checked, failed, rate, passed in rows:
                by_run.setdefault(run, []).append(
                    ExpectationRecord(
                        suite=suite,
                        id=eid,
                        expectation=name,
                        severity=severity,
                        checked=checked,
                        failed=failed,
                        rate=rate,
                        passed=bool(passed),
                    )
                )
            return [
                RunRecord(
                    run=run,
                    started=dt.datetime.fromisoformat(started),
                    tool_version=version,
                    passed=bool(passed),
                    exit_code=code,
                    files=files,
                    articles=articles,
                    findings=json.loads(summary).get("findings", {}),
                    expectations=by_run.get(run, []),
                    corpus=CorpusStats.model_validate_json(corpus),
                )
                for run, started, version, passed, code, files, articles, summary, corpus in (
                    reversed(runs)
                )
            ]
        except (ValidationError, ValueError, TypeError, AttributeError) as exc:
            first_line = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise HistoryError(f"{self.path}: a run record cannot be read: {first_line}") from None


def current_time() -> dt.datetime:
    """Now, or the time TOOLKIT_NOW names (UTC unless it names a zone)."""
    raw = os.environ.get(NOW_VARIABLE)
    if not raw:
        return dt.datetime.now(dt.UTC)
    try:
        now = dt.datetime.fromisoformat(raw.strip())
    except ValueError:
        raise HistoryError(
            f"{NOW_VARIABLE}={raw!r} is not an ISO 8601 time (e.g. 2026-12-02T06:00:00Z)"
        ) from None
    return now.replace(tzinfo=dt.UTC) if now.tzinfo is None else now.astimezone(dt.UTC)


# --- judging the history expectations ---------------------------------------------------------


@dataclass(frozen=True)
class History:
    """The past runs a run is judged against (oldest first), where they come from, and the
    time the run is taken to happen at."""

    runs: list[RunRecord]
    store: str
    now: dt.datetime


@dataclass(frozen=True)
class Context:
    """What a history expectation judges: this run, its past (None without a history), and
    which suite entry asks."""

    current: RunRecord
    past: list[RunRecord] | None
    store: str
    now: dt.datetime
    suite: str
    entry_id: str


@dataclass(frozen=True)
class Judged:
    """A history expectation's verdict: how many things it compared, the failing ones, and
    what it was judged on (shown as the expectation's note)."""

    checked: int
    failures: list[Why]
    note: str


def judge_history(
    result: Result, suites: list[Suite], profile: Profile, history: History | None
) -> Result:
    """The Result with its corpus statistics and the verdicts of its history expectations
    (each finding at the suite entry that asks for it, the history it was judged on as the
    entry's note). Called once, at the end of a run."""
    from toolkit.expectations.history import HistoryExpectation

    asked = [
        (suite, entry)
        for suite in suites
        for entry in suite.entries
        if isinstance(entry.expectation, HistoryExpectation)
    ]
    if history is None and not asked:
        return result  # nothing reads the corpus statistics
    result = result.model_copy(update={"corpus": profile.finished(result.summary.files)})
    now = history.now if history is not None else current_time()
    current = record_of(result, now)
    if history is not None:
        result = result.model_copy(update={"trend": trend_of([*history.runs, current])})
    if not asked:
        return result
    verdicts = {
        (suite.name, entry.id): _judge(suite, entry, current, history, now)
        for suite, entry in asked
    }
    return _with_verdicts(result, suites, verdicts)


def trend_of(runs: Sequence[RunRecord]) -> dict[str, list[PastRun]]:
    """Each expectation's runs ("suite/id"), oldest first."""
    out: dict[str, list[PastRun]] = {}
    for run in runs:
        for e in run.expectations:
            point = PastRun(started=run.started, failed=e.failed, checked=e.checked)
            out.setdefault(f"{e.suite}/{e.id}", []).append(point)
    return out


def _judge(
    suite: Suite,
    entry: SuiteEntry,
    current: RunRecord,
    history: History | None,
    now: dt.datetime,
) -> Judged | str:
    """The entry's verdict, or why it could not run (its judge raised or returned no Judged)."""
    from toolkit.engine import ExpectationFailure, checked_why, guarded

    context = Context(
        current=current,
        past=None if history is None else history.runs,
        store="" if history is None else history.store,
        now=now,
        suite=suite.name,
        entry_id=entry.id,
    )
    judge: Callable[[Context, Any], Judged] = entry.expectation.judge  # type: ignore[union-attr, assignment]
    try:
        verdict = guarded("its judge", judge, context, entry.params)
        if not isinstance(verdict, Judged):
            raise ExpectationFailure(f"its judge returned {type(verdict).__name__}, not Judged")
        for why in verdict.failures:
            checked_why(why, "its judge")
    except ExpectationFailure as exc:
        return str(exc)
    return verdict


def _with_verdicts(
    result: Result, suites: list[Suite], verdicts: dict[tuple[str, str], Judged | str]
) -> Result:
    from toolkit.engine import corpus_finding

    entries = {(s.name, e.id): (s, e) for s in suites for e in s.entries}
    added: list[Finding] = []
    suite_results = []
    for sr in result.suites:
        stats = []
        for e in sr.expectations:
            verdict = verdicts.get((e.suite, e.id))
            if verdict is None:
                stats.append(e)
                continue
            suite, entry = entries[(e.suite, e.id)]
            if isinstance(verdict, str):
                place = f"{suite.file}:{entry.line}" if entry.line else suite.file
                error = f"{place}: {entry.expectation.name} could not run: {verdict}"
                stats.append(e.model_copy(update={"error": error, "passed": False}))
                continue
            failed = len(verdict.failures)
            rate = (verdict.checked - failed) / verdict.checked if verdict.checked else 1.0
            passed = failed == 0 if e.mostly is None else rate >= e.mostly
            update = {
                "checked": verdict.checked,
                "failed": failed,
                "success_rate": rate,
                "passed": passed,
                "engine_note": verdict.note,
            }
            stats.append(e.model_copy(update=update))
            added += [corpus_finding(suite, entry, why) for why in verdict.failures]
        passed_suite = all(s.passed for s in stats if s.severity == "critical")
        suite_results.append(sr.model_copy(update={"expectations": stats, "passed": passed_suite}))
    findings: Sequence[Finding] = result.findings
    if added:
        # A history verdict is a few corpus-level findings, but they stand among the run's
        # findings in suite order, so the run's findings (spilled to disk) are read back once.
        order = {(s.name, e.id): i for s in suites for i, e in enumerate(_all_entries(s))}
        suite_no = {s.name: i for i, s in enumerate(suites)}
        # Stable: the findings of the other expectations keep their order.
        findings = sorted(
            [*result.findings, *added],
            key=lambda f: (suite_no.get(f.suite, 0), order.get((f.suite, f.id), 0)),
        )
    s = result.summary
    summary = summarise(s.files, s.articles, suite_results, findings)
    return result.model_copy(
        update={"suites": suite_results, "summary": summary, "findings": findings}
    )


def _all_entries(suite: Suite) -> list[SuiteEntry]:
    from toolkit.suite import entries_of

    return entries_of(suite)
