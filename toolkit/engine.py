"""Suite + batch -> pandera schema -> findings; partial results and their merge.

One function validates one batch and returns a mergeable ``Partial``; one function merges
partials; ``finish`` turns the merged partial into the Result. The same three serve a run in
one process or over a pool of processes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import multiprocessing
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from itertools import repeat
from pathlib import Path, PurePath
from typing import TYPE_CHECKING, Any, TypeVar

import numpy as np
import pandas as pd
import pandera.pandas as pa
import pyarrow

from toolkit import __version__
from toolkit.allocator import for_judging
from toolkit.article import Article, ArticleRows
from toolkit.batch import (
    FIELD_PART,
    PendingRows,
    article_rows,
    batched,
    feed_lacks,
    rows_table,
    table_frame,
    text_size,
    text_sizes,
)
from toolkit.condition import ConditionError, parse_condition
from toolkit.engines import DEFAULT_BATCH
from toolkit.expectations import CorpusExpectation, Expectation, Why
from toolkit.expectations.archive import NO_ARCHIVE, ArchiveExpectation
from toolkit.expectations.base import CORPUS_LEVEL
from toolkit.expectations.files import file_readable
from toolkit.filenumbers import FileNumbers
from toolkit.findings import FindingLog, arrange
from toolkit.history import History, judge_history
from toolkit.memo import for_batch, rows_of
from toolkit.profile import Profile, profile_batch
from toolkit.readers import Discovery, ReadOutcome, discover, shown_path
from toolkit.readers.formats import DEFAULT_READING, ReadOptions
from toolkit.result import (
    SEVERITIES,
    ExpectationStats,
    Finding,
    Result,
    RunInfo,
    Severity,
    SuiteResult,
    summarise,
)
from toolkit.shards import ByBand, Pairs, combine, shard_pairs, shard_verdicts
from toolkit.sightings import Joined, Sighting, Sightings
from toolkit.spilled import SpilledArray, spill, spill_arrays
from toolkit.suite import Suite, SuiteEntry, entries_of, fold_shared
from toolkit.text import as_mask, excerpt

if TYPE_CHECKING:
    from toolkit.index import ArchiveIndex

# Characters of article text a batch holds at most, whatever its number of articles: an Arrow
# string column holds 2 GiB (this is at most 512 MiB of UTF-8 a column), and a batch's memory
# follows its text (4,000 articles carrying pasted images would be gigabytes).
BATCH_TEXT = 128 * 1024**2
DEFAULT_LIMITS: Mapping[Severity, int | None] = {"critical": None, "warning": None, "info": 1000}
Key = tuple[str, str]  # (suite name, entry id)


class EngineError(Exception):
    """A run that cannot go on: a bad row_condition, never data."""


class ExpectationFailure(Exception):
    """An expectation's own code (a plugin's, or a built-in's) raised or returned the wrong
    shape. It is recorded against that expectation (ExpectationStats.error, exit code 4) and
    the rest of the run goes on: one broken plugin must not cost the other reports."""


T = TypeVar("T")


def guarded(what: str, fn: Callable[..., T], *args: Any) -> T:
    """``fn(*args)``, any exception of it an ExpectationFailure saying ``what`` raised."""
    try:
        return fn(*args)
    except KeyboardInterrupt:
        raise
    except BaseException as exc:  # a plugin's sys.exit() is its own failure, not the run's end
        raise ExpectationFailure(f"{what} raised {type(exc).__name__}: {_said(exc)}") from exc


def check_mask(
    check: Callable[[pd.DataFrame, Any], pd.Series], params: Any, batch: pd.DataFrame
) -> pd.Series:
    """The check's verdict on ``batch``, or an ExpectationFailure if it is not one true/false
    per article: a scalar ``True`` would otherwise pass every article."""
    ok = guarded("its check", check, batch, params)
    if not isinstance(ok, pd.Series):
        raise ExpectationFailure(
            f"its check returned {_kind(ok)}, not a pandas Series of true/false, one per article"
        )
    if len(ok) != len(batch):
        raise ExpectationFailure(f"its check returned {len(ok)} values for {len(batch)} articles")
    if not pd.api.types.is_bool_dtype(ok.dtype):
        raise ExpectationFailure(f"its check returned {ok.dtype} values, not true/false")
    if not ok.index.equals(batch.index):
        raise ExpectationFailure(
            "its check returned a Series with another index than the batch's: compute it from "
            "the batch's columns"
        )
    return ok


def checked_why(why: object, what: str) -> Why:
    """``why`` if it is a Why a finding can be made of, else an ExpectationFailure."""
    if not isinstance(why, Why):
        raise ExpectationFailure(f"{what} returned {_kind(why)}, not a Why")
    if not isinstance(why.message, str) or not isinstance(why.excerpt, str | None):
        raise ExpectationFailure(f"{what} returned a Why whose message or excerpt is not text")
    if not all(
        isinstance(sp, tuple) and len(sp) == 2 and all(type(i) is int for i in sp)
        for sp in why.spans
    ):
        raise ExpectationFailure(f"{what} returned a Why whose spans are not (start, end) pairs")
    return why


def judged(
    exp: CorpusExpectation[Any],
    seen: Sightings,
    params: Any,
    against: ArchiveIndex | None = None,
) -> dict[int, Why]:
    """The judge's verdicts on ``seen`` (in corpus order), checked: positions (or
    CORPUS_LEVEL) to a Why. An expectation with a columnar judge reads the columns; one
    without gets the list of Sighting its judge was written for; one judged against an archive
    index reads the index ``against`` too."""
    if isinstance(exp, ArchiveExpectation) and exp.against is not None and against is not None:
        verdicts = guarded("its judge", exp.against, seen, against, params)
    elif exp.judge_columns is not None and exp.sketch_columns is not None:
        verdicts = guarded("its judge", exp.judge_columns, seen, params)
    else:
        verdicts = guarded("its judge", exp.judge, seen.as_list(), params)
    if not isinstance(verdicts, dict):
        raise ExpectationFailure(
            f"its judge returned {_kind(verdicts)}, not a dict of position to Why"
        )
    for i, why in verdicts.items():
        if type(i) is not int or not (i == CORPUS_LEVEL or 0 <= i < len(seen)):
            raise ExpectationFailure(
                f"its judge returned the position {i!r}, not one of the {len(seen)} sightings "
                f"(0 to {len(seen) - 1}) or CORPUS_LEVEL"
            )
        checked_why(why, "its judge")
    return verdicts


def _said(exc: BaseException) -> str:
    try:
        return str(exc)
    except Exception:  # a plugin's exception may fail to print itself too
        return "(its message cannot be printed)"


def _kind(value: object) -> str:
    try:
        shown = repr(value)
    except Exception:
        shown = "unprintable"
    shown = shown if len(shown) <= 40 else shown[:37] + "..."
    return f"a {type(value).__name__} ({shown})"


@dataclass
class Partial:
    """What one batch (or a merge of batches) yields; every part adds up."""

    files: int = 0
    articles: int = 0
    checked: dict[Key, int] = field(default_factory=dict)
    failed: dict[Key, int] = field(default_factory=dict)
    # Written to disk as they are made (toolkit.findings): a Partial holds which rows.
    findings: FindingLog = field(default_factory=FindingLog)
    sightings: dict[Key, Sightings] = field(default_factory=dict)
    # Feed articles an entry does not apply to (they carry no part it checks).
    not_applicable: dict[Key, int] = field(default_factory=dict)
    # The first failure of each expectation that could not run (ExpectationFailure).
    errors: dict[Key, str] = field(default_factory=dict)
    # Corpus statistics (toolkit.profile), for the run history and the history expectations.
    profile: Profile = field(default_factory=Profile)
    # Corpus expectations already judged (in shards, toolkit.shards): finish() leaves them.
    judged: set[Key] = field(default_factory=set)

    def count(self, key: Key, checked: int, failed: int) -> None:
        self.checked[key] = self.checked.get(key, 0) + checked
        self.failed[key] = self.failed.get(key, 0) + failed

    def fail(self, key: Key, message: str) -> None:
        self.errors.setdefault(key, message)


def merge(parts: Iterable[Partial]) -> Partial:
    merging = Merging()
    for p in parts:
        merging.add(p)
    return merging.merged()


class Merging:
    """A merge of Partials as they come: each part's counts, findings, statistics and errors
    are added at once, and only its sightings are held, to be joined at the end in one
    concatenation. A batch's statistics (a count and a time per header day) would otherwise
    wait for the end of the run: some 130 bytes an article over a corpus of many days."""

    def __init__(self) -> None:
        self.total = Partial()
        self._sightings: dict[Key, list[Sightings]] = {}

    def add(self, p: Partial) -> None:
        total = self.total
        total.files += p.files
        total.articles += p.articles
        for key, n in p.checked.items():
            total.count(key, n, p.failed.get(key, 0))
        total.findings.extend(p.findings)
        for key, seen in p.sightings.items():
            self._sightings.setdefault(key, []).append(seen)
        for key, n in p.not_applicable.items():
            total.not_applicable[key] = total.not_applicable.get(key, 0) + n
        for key, message in p.errors.items():
            total.fail(key, message)
        total.profile.add(p.profile)
        total.judged |= p.judged

    def merged(self) -> Partial:
        """The merge of the parts added (once: the sightings lists are let go)."""
        joined: Joined = {}
        sightings, self._sightings = self._sightings, {}
        self.total.sightings = {k: Sightings.concat(seen, joined) for k, seen in sightings.items()}
        return self.total


# --- one batch --------------------------------------------------------------------------------


# pandera formats every cell of every failing row into its error report. Over the whole batch
# that would copy whole bodies and list columns once per failure, so the schema validates one
# numpy column of row numbers (a cell a failing row, no Arrow conversion in pandera's report)
# and each check reads the batch's columns by index.
def row_keys(batch: pd.DataFrame) -> pd.DataFrame:
    """What the schema validates in place of ``batch``: its index, with one plain column."""
    return pd.DataFrame({"row": np.arange(len(batch), dtype=np.int64)}, index=batch.index)


def compile_schema(
    suite: Suite,
    batch: pd.DataFrame,
    conditions: dict[str, pd.Series],
    errors: dict[str, str],
) -> pa.DataFrameSchema:
    """The suite's row expectations over ``batch`` as one pandera schema of DataFrame-wide
    checks, one per expectation, validated on the key columns. Rows a ``row_condition``
    leaves out pass. A check that cannot run passes every row and puts its failure in
    ``errors`` (by entry id)."""
    checks = []
    for entry in suite.entries:
        exp = entry.expectation
        if isinstance(exp, Expectation):
            fn = partial(
                _run_check,
                exp.check,
                entry.params,
                conditions.get(entry.id),
                errors,
                entry.id,
                batch,
            )
            checks.append(pa.Check(fn, name=entry.id, ignore_na=False))
    return pa.DataFrameSchema(checks=checks, name=suite.name)


def _run_check(
    check: Callable[[pd.DataFrame, Any], pd.Series],
    params: Any,
    condition: pd.Series | None,
    errors: dict[str, str],
    entry_id: str,
    batch: pd.DataFrame,
    keys: pd.DataFrame,
) -> pd.Series:
    try:
        ok = check_mask(check, params, batch)
    except ExpectationFailure as exc:
        errors.setdefault(entry_id, str(exc))
        return pd.Series(True, index=keys.index)
    return ok if condition is None else ok | ~condition


def failing_rows(schema: pa.DataFrameSchema, batch: pd.DataFrame) -> dict[str, pd.Index]:
    """Validate lazily and return, for each failing check, the index of the failing rows."""
    try:
        schema.validate(batch, lazy=True)
    except pa.errors.SchemaErrors as errors:
        cases = errors.failure_cases
        broken = cases[cases["index"].isna()]
        if not broken.empty:
            row = broken.iloc[0]
            raise EngineError(f"check {row['check']!r} raised: {row['failure_case']}") from errors
        return {
            str(name): pd.Index(sorted(set(group["index"].astype(int))))
            for name, group in cases.groupby("check")
        }
    return {}


def finding_limits(max_findings: int | None = None) -> dict[Severity, int | None]:
    """Findings kept per expectation, by severity. By default every critical and warning
    finding is kept and the first 1,000 of each info expectation (real dumps give hygiene
    notes on nearly every article); ``max_findings`` N caps every severity, 0 keeps all."""
    if max_findings is None:
        return dict(DEFAULT_LIMITS)
    return {s: (max_findings or None) for s in SEVERITIES}


def validate_batch(
    suites: list[Suite],
    articles: list[Article] | ArticleRows,
    file_numbers: Mapping[str, int],
    limits: Mapping[Severity, int | None] = DEFAULT_LIMITS,
    budget: dict[Key, int] | None = None,
) -> Partial:
    """Check one batch of articles against every suite. Failures are all counted; messages
    are written only for the findings kept (``limits``, less what ``budget`` says earlier
    batches of the same worker used)."""
    if not articles:
        return Partial()
    rows = articles if isinstance(articles, ArticleRows) else article_rows(articles)
    return validate_table(suites, rows_table(rows, file_numbers), limits, budget)


def validate_table(
    suites: list[Suite],
    table: pyarrow.Table,
    limits: Mapping[Severity, int | None] = DEFAULT_LIMITS,
    budget: dict[Key, int] | None = None,
) -> Partial:
    """validate_batch of a batch already made a table of toolkit.batch.SCHEMA."""
    budget = {} if budget is None else budget
    out = Partial(articles=len(table))
    if not len(table):
        return out
    batch = table_frame(table)
    with for_batch(batch):
        # Inside the memo: the profile reads the same dates as the date expectations.
        out.profile = profile_batch(batch)
        for suite in suites:
            _validate_suite(suite, batch, table, out, limits, budget)
    return out


def _validate_suite(
    suite: Suite,
    batch: pd.DataFrame,
    table: pyarrow.Table,
    out: Partial,
    limits: Mapping[Severity, int | None],
    budget: dict[Key, int],
) -> None:
    conditions = {e.id: c for e in suite.entries if (c := condition_mask(batch, e)) is not None}
    errors: dict[str, str] = {}
    schema = compile_schema(suite, batch, conditions, errors)
    failing = failing_rows(schema, row_keys(batch))
    for entry in suite.entries:
        key = (suite.name, entry.id)
        cond = conditions.get(entry.id)
        checked = len(batch) if cond is None else int(cond.sum())
        applies = applicable(batch, entry)
        if applies is not None and not applies.all():
            out.not_applicable[key] = out.not_applicable.get(key, 0) + int((~applies).sum())
        exp = entry.expectation
        if entry.id in errors:
            out.count(key, 0, 0)
            out.fail(key, errors[entry.id])
        elif isinstance(exp, Expectation):
            rows = failing.get(entry.id, pd.Index([]))
            out.count(key, checked, len(rows))
            limit = 0 if entry.mirror_of else limits.get(entry.severity)
            if limit is not None:
                rows = rows[: budget.setdefault(key, limit)]
                budget[key] -= len(rows)
            # The failing rows' values straight from the batch's table: a pandas frame of
            # them only for an explain_rows.
            records = table.take(batch.index.get_indexer(rows)).to_pylist() if len(rows) else []
            frame = batch.loc[rows] if exp.explain_rows is not None else None
            try:
                out.findings.extend(row_findings(suite, entry, frame, exp, records))
            except ExpectationFailure as exc:
                out.fail(key, str(exc))
        elif isinstance(exp, CorpusExpectation):
            scope = batch if cond is None else rows_of(batch[cond], np.flatnonzero(cond))
            out.count(key, checked, 0)
            try:
                out.sightings[key] = sightings_of(scope, entry, exp)
            except ExpectationFailure as exc:
                out.fail(key, str(exc))


def condition_mask(batch: pd.DataFrame, entry: SuiteEntry) -> pd.Series | None:
    """The articles an entry is checked on: those its row_condition keeps, less those its
    expectation leaves out (GX leaves nulls out); None for all."""
    mask = None if entry.row_condition is None else _condition(batch, entry)
    applies = applicable(batch, entry)
    if applies is not None:
        mask = applies if mask is None else mask & applies
    own = getattr(entry.expectation, "scope", None)
    if own is not None:
        inside = as_mask(own(batch, entry.params))
        mask = inside if mask is None else mask & inside
    return mask


# Parts only the dump format has: a feed (JSON Lines, CSV, Parquet) carries them only when its
# mapping names a field for them.
DUMP_PARTS = frozenset({"title", "published"})


def applicable(batch: pd.DataFrame, entry: SuiteEntry) -> pd.Series | None:
    """The articles an entry applies to: a check of a dump-only part does not apply to a feed
    article without it (a missing title line is a defect of a dump, not of a JSON record)."""
    if entry.field not in DUMP_PARTS or "source" not in batch:
        return None
    return ~feed_lacks(batch, entry.field)


def _condition(batch: pd.DataFrame, entry: SuiteEntry) -> pd.Series:
    """The row_condition's mask, computed by toolkit.condition (never evaluated as code)."""
    try:
        return parse_condition(str(entry.row_condition)).mask(batch)
    except ConditionError as exc:
        raise EngineError(f"row_condition of {entry.id!r}: {exc}") from exc


def sightings_of(scope: pd.DataFrame, entry: SuiteEntry, exp: CorpusExpectation[Any]) -> Sightings:
    """The sightings of the articles of ``scope``, in its order: the columnar sketch's key
    columns, or the sketch's keys as they come for an expectation without one."""
    column = scope[entry.field] if entry.field in scope else scope["file"]
    if exp.sketch_columns is not None and exp.judge_columns is not None:
        columns = guarded("its sketch", exp.sketch_columns, scope, entry.params)
        return Sightings.of(scope, column, keys=key_columns(columns, len(scope)))
    keys = guarded("its sketch", exp.sketch, scope, entry.params)
    if isinstance(keys, str | bytes) or not hasattr(keys, "__len__") or len(keys) != len(scope):
        size = len(keys) if hasattr(keys, "__len__") else None
        raise ExpectationFailure(
            f"its sketch returned {_kind(keys) if size is None else f'{size} keys'} for "
            f"{len(scope)} articles: give one key per article"
        )
    return Sightings.of(scope, column, objects=list(keys))


def key_columns(columns: object, n: int) -> dict[str, np.ndarray]:
    """A columnar sketch's answer, checked: named numpy arrays of ``n`` rows each."""
    if not isinstance(columns, Mapping) or not all(
        isinstance(k, str) and isinstance(v, np.ndarray) and v.ndim >= 1 and len(v) == n
        for k, v in columns.items()
    ):
        raise ExpectationFailure(
            f"its columnar sketch returned {_kind(columns)}, not named numpy arrays of {n} rows"
        )
    return dict(columns)


def row_findings(
    suite: Suite,
    entry: SuiteEntry,
    rows: pd.DataFrame | None,
    exp: Expectation[Any],
    records: list[dict[str, Any]] | None = None,
) -> list[Finding]:
    """Findings for the failing rows only, given as a frame or as ``records`` (plain Python
    values, one dict a row, as Arrow hands them over); with records, the frame is needed for
    an explain_rows alone. An explain that raises or returns no Why is an
    ExpectationFailure."""
    found = []
    part = FIELD_PART.get(entry.field)
    if records is None:
        if rows is None:
            raise ValueError("row_findings needs the rows, as a frame or as records")
        records = pyarrow.Table.from_pandas(rows, preserve_index=False).to_pylist()
    given = None
    if records and exp.explain_rows is not None:
        if rows is None:
            raise ValueError(f"{entry.id}: explain_rows needs the failing rows as a frame")
        given = explained_rows(exp, rows, entry.params)
    for i, row in enumerate(records):
        why = (
            given[i]
            if given is not None
            else checked_why(guarded("its explain", exp.explain, row, entry.params), "its explain")
        )
        value = why.excerpt if why.excerpt is not None else excerpt(row.get(entry.field))
        at = row.get(f"at_{part}") if part else None
        found.append(
            make_finding(
                suite,
                entry,
                str(row["file"]),
                int(row["line"]),
                value,
                why.message,
                field_line=int(at) if at is not None else None,
                identity=(row.get("date"), row.get("headline")),
                spans=why.spans,
            )
        )
    return found


def explained_rows(exp: Expectation[Any], rows: pd.DataFrame, params: Any) -> list[Why] | None:
    """The Whys of ``exp.explain_rows`` for ``rows``, checked (one Why a row); None for an
    expectation without it."""
    if exp.explain_rows is None:
        return None
    whys = guarded("its explain_rows", exp.explain_rows, rows, params)
    if not isinstance(whys, list) or len(whys) != len(rows):
        raise ExpectationFailure(
            f"its explain_rows returned {_kind(whys)}, not a list of {len(rows)} Why"
        )
    return [checked_why(w, "its explain_rows") for w in whys]


def make_finding(
    suite: Suite,
    entry: SuiteEntry,
    file: str,
    line: int,
    value: str,
    message: str,
    field_line: int | None = None,
    identity: tuple[object, ...] = (),
    spans: tuple[tuple[int, int], ...] = (),
) -> Finding:
    """A finding; ``identity`` is (date, headline) for an article, anything stable otherwise."""
    shown = excerpt(value)
    date, headline = identity if len(identity) == 2 else (None, None)
    # Built from values of known types, so pydantic's validation is skipped: a large failing
    # corpus makes hundreds of thousands of findings.
    return Finding.model_construct(
        suite=suite.name,
        expectation=entry.expectation.name,
        id=entry.id,
        severity=entry.severity,
        file=file,
        line=line,
        field=entry.field,
        field_line=field_line,
        excerpt=shown,
        spans=[(a, b) for a, b in spans if 0 <= a < b <= len(shown)],
        message=message,
        fingerprint=fingerprint(suite.name, entry.id, file, entry.field, value, *identity),
        date=_text_or_none(date),
        headline=_text_or_none(headline),
        also_in=list(entry.also_in),
    )


def _text_or_none(value: object) -> str | None:
    return None if value is None or (isinstance(value, float) and pd.isna(value)) else str(value)


def fingerprint(*parts: object) -> str:
    """Stable across runs for the same defect in the same article: it hashes the file's name
    (not its directory), the article's date and headline, and the offending text, never line
    numbers or run order."""
    named = [str(p) for p in parts]
    if len(named) > 2:
        named[2] = PurePath(named[2]).name if "\\" in named[2] else named[2].rsplit("/", 1)[-1]
    return hashlib.sha256("\x1f".join(named).encode("utf-8")).hexdigest()[:20]


# --- files and the whole run ------------------------------------------------------------------


def file_partial(suites: list[Suite], outcome: ReadOutcome) -> Partial:
    """Count one file for file_readable and turn its read problems into findings."""
    out = Partial()
    count_file(out, readable_entries(suites), outcome)
    return out


def readable_entries(suites: list[Suite]) -> list[tuple[Suite, SuiteEntry]]:
    """The file_readable entry of each suite, which every file is counted for."""
    return [
        (suite, next(e for e in entries_of(suite) if e.expectation.name == file_readable.name))
        for suite in suites
    ]


def count_file(
    out: Partial, readable: list[tuple[Suite, SuiteEntry]], outcome: ReadOutcome
) -> None:
    """Add one file to ``out`` (a running count of a group of files): its file_readable
    verdict and its read problems as findings. One Partial for the whole group, not one per
    file: a run over an archive of one-article files reads hundreds of thousands."""
    out.files += 1
    failed = 1 if outcome.problems else 0
    for suite, entry in readable:
        out.count((suite.name, entry.id), 1, failed)
        for problem in () if entry.mirror_of else outcome.problems:
            out.findings.append(
                make_finding(
                    suite,
                    entry,
                    outcome.file,
                    problem.line,
                    problem.excerpt,
                    problem.message,
                    field_line=problem.line,
                    identity=(problem.kind,),
                )
            )


def finish(
    suites: list[Suite],
    total: Partial,
    run: RunInfo,
    file_order: Mapping[str, int],
    limits: Mapping[Severity, int | None] = DEFAULT_LIMITS,
    history: History | None = None,
    against: ArchiveIndex | None = None,
) -> Result:
    """Judge corpus expectations on the merged sightings and assemble the Result, keeping the
    first findings of each expectation in corpus order up to its limit; then the history
    expectations (against ``history``, the past runs; toolkit.history). The archive
    expectations are judged against the index ``against`` (toolkit.index); without one they
    are not judged, and their note says so."""
    findings = total.findings
    notes: dict[Key, str] = {}
    for suite, entry, exp in _judging_order(suites):
        key = (suite.name, entry.id)
        # Each expectation's sightings are let go once judged: what the judgement costs comes
        # on top of what the expectations still to judge keep.
        held = total.sightings.pop(key, Sightings.empty())
        if key in total.judged:
            continue
        if isinstance(exp, ArchiveExpectation):
            notes[key] = NO_ARCHIVE if against is None else f"judged against {against.describe()}"
            if against is None:
                continue
        seen = held.ordered()
        del held
        try:
            verdicts = judged(exp, seen, entry.params, against)
        except ExpectationFailure as exc:
            total.fail(key, str(exc))
            continue
        add_verdicts(total, suite, entry, seen, verdicts)
        del seen
    order = {(s.name, e.id): i for s in suites for i, e in enumerate(entries_of(s))}
    suite_no = {s.name: i for i, s in enumerate(suites)}
    stored, kept = arrange(findings, order, suite_no, file_order, limits)
    results = [_suite_result(s, total, kept, notes) for s in suites]
    summary = summarise(total.files, total.articles, results, stored)
    result = Result(run=run, summary=summary, suites=results, findings=stored)
    return judge_history(result, suites, total.profile, history)


def _judging_order(
    suites: list[Suite],
) -> list[tuple[Suite, SuiteEntry, CorpusExpectation[Any]]]:
    """The corpus expectations in the order finish() judges them: those judged by LSH band
    (near-duplicates, whose judgement takes the most memory) last, when the others' sightings
    are gone. The order of the findings is the suites' whatever the order of judging."""
    found = [
        (suite, entry, entry.expectation)
        for suite in suites
        for entry in suite.entries
        if isinstance(entry.expectation, CorpusExpectation)
    ]
    return sorted(found, key=lambda item: isinstance(item[2].shards, ByBand))


def add_verdicts(
    part: Partial, suite: Suite, entry: SuiteEntry, seen: Sightings, verdicts: Mapping[int, Why]
) -> None:
    """A corpus judge's verdicts on ``seen`` counted in ``part``, with their findings (an entry
    that mirrors another counts them only)."""
    part.count((suite.name, entry.id), 0, len(verdicts))
    if not entry.mirror_of:
        for findings in verdict_findings(suite, entry, seen, verdicts):
            part.findings.extend(findings)


def verdict_findings(
    suite: Suite, entry: SuiteEntry, seen: Sightings, verdicts: Mapping[int, Why]
) -> Iterator[list[Finding]]:
    """The findings of a corpus judge's verdicts, in the order of the sightings, made
    ``VERDICT_ROWS`` at a time: over an archive a judge has hundreds of thousands of verdicts,
    and their sightings and findings all at once were hundreds of MB (270 MiB more at the
    peak over a million articles)."""
    if CORPUS_LEVEL in verdicts:
        yield [corpus_finding(suite, entry, verdicts[CORPUS_LEVEL])]
    positions = sorted(i for i in verdicts if i != CORPUS_LEVEL)
    for lo in range(0, len(positions), VERDICT_ROWS):
        at = positions[lo : lo + VERDICT_ROWS]
        yield [
            sighting_finding(suite, entry, s, verdicts[i])
            for i, s in zip(at, seen.rows(at), strict=True)
        ]


# Verdicts whose findings are made at once.
VERDICT_ROWS = 4096


def sighting_finding(suite: Suite, entry: SuiteEntry, s: Sighting, why: Why) -> Finding:
    """A corpus verdict on one sighted article: at its place, with the judge's excerpt or the
    article's own."""
    return make_finding(
        suite,
        entry,
        s.file,
        s.line,
        why.excerpt if why.excerpt is not None else s.excerpt,
        why.message,
        identity=(s.date, s.headline),
        spans=why.spans,
    )


def corpus_finding(suite: Suite, entry: SuiteEntry, why: Why) -> Finding:
    """A verdict on the corpus as a whole stands at the suite entry that asked for it."""
    return make_finding(
        suite, entry, suite.file, entry.line, why.excerpt or "", why.message, identity=("corpus",)
    )


def _not_applicable_note(entry: SuiteEntry, count: int) -> str | None:
    if not count:
        return None
    part = "title line" if entry.field == "title" else "Published: line"
    return (
        f"not applicable to {count} feed article(s): the feed has no {part} (map a field to "
        f"'{entry.field}' to check it)"
    )


def _suite_result(
    suite: Suite, total: Partial, kept: dict[Key, int], notes: Mapping[Key, str] | None = None
) -> SuiteResult:
    stats = []
    for entry in entries_of(suite):
        key = (suite.name, entry.id)
        checked = total.checked.get(key, 0)
        failed = total.failed.get(key, 0)
        rate = (checked - failed) / checked if checked else 1.0
        passed = failed == 0 if entry.mostly is None else rate >= entry.mostly
        note = None
        if entry.row_condition is not None and checked == 0 and total.articles:
            # A condition that selects nothing (a typo in a value) must not pass unseen.
            note = (
                f"no article checked: the row_condition {entry.row_condition!r} kept none of "
                f"the {total.articles} articles"
            )
        note = note or _not_applicable_note(entry, total.not_applicable.get(key, 0))
        extra = (notes or {}).get(key)
        if extra is not None:
            note = extra if note is None else f"{note}; {extra}"
        error = total.errors.get(key)
        if error is not None:
            place = f"{suite.file}:{entry.line}" if entry.line else suite.file
            error = f"{place}: {entry.expectation.name} could not run: {error}"
            passed = False
        stats.append(
            ExpectationStats(
                suite=suite.name,
                id=entry.id,
                expectation=entry.expectation.name,
                description=entry.expectation.description,
                severity=entry.severity,
                field=entry.field,
                params=entry.params_dict(),
                checked=checked,
                failed=failed,
                success_rate=rate,
                mostly=entry.mostly,
                passed=passed,
                engine_note=note,
                findings_omitted=0 if entry.mirror_of else max(0, failed - kept.get(key, 0)),
                reported_in=entry.mirror_of,
                error=error,
            )
        )
    passed = all(s.passed for s in stats if s.severity == "critical")
    return SuiteResult(
        name=suite.name,
        description=suite.description,
        file=suite.file,
        passed=passed,
        expectations=stats,
    )


def check(
    paths: list[Path],
    suites: list[Suite],
    batch_size: int = DEFAULT_BATCH,
    jobs: int = 1,
    limits: Mapping[Severity, int | None] = DEFAULT_LIMITS,
    include_hidden: bool = False,
    reading: ReadOptions = DEFAULT_READING,
    on_progress: Callable[[int, int], None] | None = None,
    history: History | None = None,
    against: ArchiveIndex | None = None,
) -> Result:
    """Check every article under ``paths`` against ``suites`` and return the Result. With
    ``jobs`` > 1, groups of files are read and checked in worker processes and their partial
    results merged: the Result is the same either way. ``limits`` caps the findings kept per
    expectation (see finding_limits); ``include_hidden`` is passed to discovery and ``reading``
    (format, field mapping, size cap) to the readers. ``on_progress(files, articles)`` is told
    the files and articles read so far (per file in one process, per group of files over
    processes). ``history`` is the past runs the history expectations are judged against,
    ``against`` the archive index the archive expectations are."""
    suites = fold_shared(suites)
    started = dt.datetime.now(dt.UTC)
    clock = time.perf_counter()
    found = discover(paths, include_hidden=include_hidden, exclude=reading.exclude)
    file_order = FileNumbers(found.labels)
    n = len(found.paths)
    if jobs > 1 and n > 1:
        # Several groups per worker keep both cores busy when file sizes differ; runs of
        # consecutive files, so that each worker reads a directory's files in order and the
        # findings budget of a group is spent on the corpus's first findings.
        size = -(-n // (jobs * 4))
        groups = [(i, min(i + size, n)) for i in range(0, n, size)]
        # Workers are forked with the suites, the files and their numbers in memory, and a
        # group is its span of the files: expectations may hold lambdas and objects from
        # custom modules that do not pickle, and an archive's paths are megabytes.
        fork = multiprocessing.get_context("fork")
        state = (suites, found, file_order)
        with ProcessPoolExecutor(
            jobs, mp_context=fork, initializer=_set_worker_state, initargs=state
        ) as pool:
            work = pool.map(
                _worker_check,
                groups,
                repeat(batch_size),
                repeat(limits),
                repeat(reading),
            )
            parts = []
            for part in work:
                parts.append(spilled(part))
                if on_progress is not None:
                    on_progress(sum(p.files for p in parts), sum(p.articles for p in parts))
    else:
        files = found.pairs()
        parts = [check_files(files, suites, file_order, batch_size, limits, reading, on_progress)]
    run = RunInfo(
        tool_version=__version__,
        paths=[shown_path(p) for p in paths],
        suites=[s.file for s in suites],
        started=started,
        duration_s=round(time.perf_counter() - clock, 4),
        **found.run_fields(),
    )
    total = merge(parts)
    parts.clear()  # the merged sightings are total's alone, to be let go as they are judged
    for_judging()
    if jobs > 1:
        _judge_bands_over(jobs, suites, total)
    return finish(suites, total, run, file_order, limits, history, against)


def sharded_keys(suites: list[Suite]) -> list[Key]:
    """The corpus expectations judged in shards: those with a sharded, columnar judge (an
    archive expectation reads the index, on the client)."""
    return [
        (suite.name, entry.id)
        for suite in suites
        for entry in suite.entries
        if isinstance(entry.expectation, CorpusExpectation)
        and not isinstance(entry.expectation, ArchiveExpectation)
        and entry.expectation.shards is not None
        and entry.expectation.sketch_columns is not None
        and entry.expectation.judge_columns is not None
    ]


# The sightings a forked process judges a shard of (see _judge_bands_over).
_band_work: list[tuple[Sightings, ByBand, Any]] = []


def _judge_bands_over(jobs: int, suites: list[Suite], total: Partial) -> None:
    """The expectations judged by LSH band (near-duplicates: the costly part of the finish)
    judged over ``jobs`` processes, each finding the pairs of its shards' buckets
    (toolkit.shards, as the Dask engine does); the sequential rule runs here over their pairs.
    The processes are forked with the merged sightings in memory, which are not copied."""
    sharded = set(sharded_keys(suites))
    for suite in suites:
        for entry in suite.entries:
            exp = entry.expectation
            key = (suite.name, entry.id)
            if (
                key not in sharded
                or key in total.judged
                or not isinstance(exp, CorpusExpectation)
                or not isinstance(exp.shards, ByBand)
            ):
                continue
            seen = total.sightings.get(key, Sightings.empty()).ordered().load()
            if len(seen) < 2:
                continue
            _band_work[:] = [(seen, exp.shards, entry.params)]
            # One shard a process: each shard hashes every body's bands again.
            shards = jobs
            fork = multiprocessing.get_context("fork")
            try:
                with ProcessPoolExecutor(jobs, mp_context=fork) as pool:
                    pairs = list(pool.map(_shard_pairs, repeat(shards), range(shards)))
            except Exception:
                # finish() judges it in this process, where a failure is reported as such.
                continue
            finally:
                _band_work.clear()
            verdicts: dict[int, Why] = {}
            for matches in combine(pairs):
                verdicts.update(shard_verdicts(seen, exp.shards, entry.params, matches))
            add_verdicts(total, suite, entry, seen, verdicts)
            total.judged.add(key)


def _shard_pairs(shards: int, shard: int) -> Pairs:
    seen, sharding, params = _band_work[0]
    return shard_pairs(seen, sharding, params, (shard, shards))


_worker_suites: list[Suite] = []
# The parent's files and their numbers, inherited by the fork (held, not copied).
_worker_files: list[tuple[Discovery, Mapping[str, int]]] = []


def _set_worker_state(suites: list[Suite], found: Discovery, file_order: Mapping[str, int]) -> None:
    _worker_suites[:] = suites
    _worker_files[:] = [(found, file_order)]


def _worker_check(
    span: tuple[int, int],
    batch_size: int,
    limits: Mapping[Severity, int | None],
    reading: ReadOptions,
) -> Partial:
    """Check the files of places ``span`` (from, to) of the run's discovery."""
    found, file_order = _worker_files[0]
    files = found.pairs(*span)
    return check_files(files, _worker_suites, file_order, batch_size, limits, reading)


def check_files(
    files: Iterable[tuple[str | Path, str]],
    suites: list[Suite],
    file_order: Mapping[str, int],
    batch_size: int = DEFAULT_BATCH,
    limits: Mapping[Severity, int | None] = DEFAULT_LIMITS,
    reading: ReadOptions = DEFAULT_READING,
    on_progress: Callable[[int, int], None] | None = None,
) -> Partial:
    """Read and check a group of files (path, label) in corpus order: the unit of work of a
    worker process. The files' articles go, as columns, into batches of ``batch_size``
    whatever the files they come from. The findings budget runs across its batches: whatever
    the grouping, the first findings of the corpus are among those kept, and finish() keeps
    exactly those."""
    readable = readable_entries(suites)
    per_file = Partial()
    # The batches' parts, merged as they come; the files' part comes first in the end.
    batches = Merging()
    budget: dict[Key, int] = {}
    pending = PendingRows(file_order)
    held = 0  # characters of text pending
    articles = 0
    for path, label in files:
        outcome = reading.read(path, label)
        count_file(per_file, readable, outcome)
        rows = outcome.rows
        articles += len(rows)
        text = text_size(rows) if outcome.chars is None else outcome.chars
        # Sizes by article only when this file's text could fill the batch before its count.
        sizes = text_sizes(rows) if held + text > BATCH_TEXT else None
        taken = 0
        for cut in batch_cuts(sizes, len(rows), len(pending), held, batch_size):
            # A full batch: what is pending and this file's rows up to the cut.
            pending.extend(rows, taken, cut)
            taken, held = cut, 0
            batches.add(spilled(validate_table(suites, pending.take(), limits, budget)))
        if taken < len(rows):
            pending.extend(rows, taken)
            held += text if taken == 0 else text_size(rows, taken)
        if on_progress is not None:
            on_progress(per_file.files, articles)
    if pending:
        batches.add(spilled(validate_table(suites, pending.take(), limits, budget)))
    return merge([per_file, batches.merged()])


def batch_cuts(
    sizes: list[int] | None, n: int, pending: int, held: int, batch_size: int
) -> list[int]:
    """Where ``n`` rows of a file close batches (the end of each, exclusive), ``pending``
    articles of ``held`` characters waiting already: a batch is ``batch_size`` articles, or
    fewer where the next article would take it over BATCH_TEXT characters (``sizes``, each
    article's; None when the rows cannot reach it), and one article at least."""
    if sizes is None:
        return list(range(batch_size - pending, n + 1, batch_size))
    cuts = []
    count, text = pending, held
    for i, size in enumerate(sizes):
        if count and text + size > BATCH_TEXT:
            cuts.append(i)
            count = text = 0
        count += 1
        text += size
        if count == batch_size:
            cuts.append(i + 1)
            count = text = 0
    return cuts


def spilled(part: Partial) -> Partial:
    """``part`` with the text and signatures its sightings keep for the finish on disk
    (toolkit.spilled)."""
    spill(c for seen in part.sightings.values() for c in seen.text_columns())
    made: dict[int, SpilledArray] = {}
    spill_arrays([c for seen in part.sightings.values() for c in seen.to_disk(made)])
    return part


def check_articles(
    articles: list[Article], suites: list[Suite], batch_size: int = DEFAULT_BATCH
) -> Result:
    """Check articles already in memory (fixtures, tests); files are those the articles name."""
    suites = fold_shared(suites)
    started = dt.datetime.now(dt.UTC)
    clock = time.perf_counter()
    file_order = files_of(articles)
    parts = [validate_batch(suites, chunk, file_order) for chunk in batched(articles, batch_size)]
    for file in file_order:
        parts.append(file_partial(suites, ReadOutcome(file=file)))
    run = RunInfo(
        tool_version=__version__,
        paths=list(file_order),
        suites=[s.file for s in suites],
        started=started,
        duration_s=round(time.perf_counter() - clock, 4),
    )
    return finish(suites, merge(parts), run, file_order)


def files_of(articles: list[Article]) -> dict[str, int]:
    """The files in-memory articles name, numbered in the order they first appear."""
    order: dict[str, int] = {}
    for a in articles:
        order.setdefault(a.file, len(order))
    return order


def display_path(path: Path) -> str:
    """Paths in findings are relative to the working directory when under it; a byte of the
    name that is not UTF-8 is shown as \\xNN (see shown_path)."""
    try:
        return shown_path(path.resolve().relative_to(Path.cwd().resolve()))
    except (ValueError, OSError, RuntimeError):
        return shown_path(path)
