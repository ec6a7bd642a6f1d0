"""Great Expectations 1.x as a second engine: the same suites, the same Result.

Imported only when ``toolkit check --engine gx`` is chosen: Great Expectations takes seconds
to import. Every article goes into one pandas DataFrame (``toolkit.batch.to_frame`` plus the
columns the expectations derive), validated as one whole-dataframe batch of an ephemeral
context against one GX ExpectationSuite per toolkit suite, built by ``toolkit.gx_suite.plan``
(the same suites ``toolkit suite export --to gx`` writes). GX's verdicts and unexpected rows
then go through the pandera engine's own parts (Partial, findings, finish), so the Result is
the same in shape and every reporter reads it unchanged.

Nothing here knows any one expectation: each brings its GX form. An entry without one (and
file_readable, which the readers judge) is checked by the toolkit's own engine, and its
ExpectationStats says so in ``engine_note``: nothing is passed over in silence.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import great_expectations as gx
import pandas as pd
from great_expectations.checkpoint.actions import UpdateDataDocsAction, ValidationAction
from great_expectations.core.expectation_validation_result import (
    ExpectationSuiteValidationResult,
    ExpectationValidationResult,
)
from great_expectations.data_context.types.base import (
    DataContextConfig,
    InMemoryStoreBackendDefaults,
    ProgressBarsConfig,
)
from great_expectations.expectations.expectation_configuration import ExpectationConfiguration

from toolkit import __version__
from toolkit.article import Article
from toolkit.batch import batched, to_frame
from toolkit.condition import ConditionError, parse_condition
from toolkit.engine import (
    DEFAULT_LIMITS,
    EngineError,
    ExpectationFailure,
    Key,
    Partial,
    applicable,
    condition_mask,
    corpus_finding,
    file_partial,
    files_of,
    finish,
    judged,
    merge,
    row_findings,
    sighting_finding,
    sightings_of,
    validate_batch,
)
from toolkit.engines import DEFAULT_BATCH
from toolkit.expectations import CorpusExpectation, Expectation, Why
from toolkit.expectations.base import CORPUS_LEVEL
from toolkit.expectations.files import file_readable
from toolkit.filenumbers import FileNumbers
from toolkit.gx_suite import (
    META_KEY,
    GxPlan,
    derive_columns,
    gx_form,
    plan,
    unsupported_reason,
)
from toolkit.readers import ReadOutcome, discover, shown_path
from toolkit.readers.formats import DEFAULT_READING, ReadOptions
from toolkit.result import Finding, Result, RunInfo, Severity, SuiteResult, summarise
from toolkit.suite import Suite, SuiteEntry, entries_of, fold_shared

ENGINE = "gx"
DOCS_SITE = "toolkit"
# Index values of failing rows are all a finding needs; GX's COMPLETE format gives them all.
RESULT_FORMAT: dict[str, Any] = {"result_format": "COMPLETE", "include_unexpected_rows": False}


def check(
    paths: list[Path],
    suites: list[Suite],
    data_docs: Path | None = None,
    batch_size: int = DEFAULT_BATCH,
    limits: Mapping[Severity, int | None] = DEFAULT_LIMITS,
    include_hidden: bool = False,
    reading: ReadOptions = DEFAULT_READING,
) -> Result:
    """Check every article under ``paths`` with Great Expectations; ``data_docs`` is a
    directory for GX Data Docs of the run. ``batch_size`` applies to the entries the
    toolkit checks itself; GX validates all articles as one batch. ``include_hidden`` and
    ``reading`` are passed to discovery and the readers, as in the pandera engine."""
    suites = fold_shared(suites)
    started = dt.datetime.now(dt.UTC)
    clock = time.perf_counter()
    found = discover(paths, include_hidden=include_hidden, exclude=reading.exclude)
    labels = found.labels
    file_order = FileNumbers(labels)
    parts: list[Partial] = []
    articles: list[Article] = []
    for path, label in zip(found.files, labels, strict=True):
        outcome = reading.read(path, label)
        parts.append(file_partial(suites, outcome))
        articles.extend(outcome.articles)
    total, verdicts = validate(suites, articles, file_order, data_docs, batch_size)
    run = RunInfo(
        tool_version=__version__,
        engine=ENGINE,
        paths=[shown_path(p) for p in paths],
        suites=[s.file for s in suites],
        started=started,
        duration_s=0.0,
        **found.run_fields(),
    )
    result = finish(suites, merge([*parts, total]), run, file_order, limits)
    return _as_run(result, suites, verdicts, time.perf_counter() - clock)


def check_articles(
    articles: list[Article], suites: list[Suite], data_docs: Path | None = None
) -> Result:
    """Check articles already in memory with Great Expectations (tests, fixtures)."""
    suites = fold_shared(suites)
    started = dt.datetime.now(dt.UTC)
    clock = time.perf_counter()
    file_order = files_of(articles)
    parts = [file_partial(suites, ReadOutcome(file=file)) for file in file_order]
    total, verdicts = validate(suites, articles, file_order, data_docs)
    run = RunInfo(
        tool_version=__version__,
        engine=ENGINE,
        paths=list(file_order),
        suites=[s.file for s in suites],
        started=started,
        duration_s=0.0,
    )
    result = finish(suites, merge([*parts, total]), run, file_order)
    return _as_run(result, suites, verdicts, time.perf_counter() - clock)


def validate(
    suites: list[Suite],
    articles: list[Article],
    file_order: Mapping[str, int],
    data_docs: Path | None = None,
    batch_size: int = DEFAULT_BATCH,
) -> tuple[Partial, dict[Key, bool]]:
    """Every article against every suite: GX for the entries it has a form for, the toolkit's
    engine for the rest. Returns the partial result and GX's verdict on each entry it ran."""
    plans = plan(suites)
    ran = {p.key for p in plans}
    rest = [_without(s, ran) for s in suites]
    parts = [validate_batch(rest, chunk, file_order) for chunk in batched(articles, batch_size)]
    out = Partial()  # the articles are counted by validate_batch above
    verdicts: dict[Key, bool] = {}
    if not articles:  # nothing to check (exit code 3): GX is not started
        for p in plans:
            out.count(p.key, 0, 0)
        return merge([*parts, out]), verdicts
    batch, conditions = _with_conditions(
        plans, derive_columns(plans, to_frame(articles, file_order))
    )
    for p, outcome, raised in _run_gx(plans, batch, data_docs, conditions):
        try:
            if raised is not None:
                raise ExpectationFailure(f"Great Expectations could not run it: {raised}")
            found = _gx_findings(p, batch, outcome)
        except ExpectationFailure as exc:  # recorded as the toolkit's engine records it
            out.count(p.key, 0, 0)
            out.fail(p.key, str(exc))
            continue
        out.count(p.key, _checked(p, batch, outcome), len(found))
        if not p.entry.mirror_of:  # reported once, by the suite named first
            out.findings.extend(found)
        verdicts[p.key] = bool(outcome.success)
    return merge([*parts, out]), verdicts


CONDITION_COLUMN = "toolkit_row_condition_{}"


def _with_conditions(
    plans: list[GxPlan], batch: pd.DataFrame
) -> tuple[pd.DataFrame, dict[Key, str]]:
    """``batch`` with a boolean column for each distinct row_condition, computed by the
    toolkit's condition grammar (toolkit.condition); GX filters on that column by name, so the
    suite's text is never handed to GX's ``DataFrame.query``."""
    columns: dict[str, str] = {}
    masks: dict[str, pd.Series] = {}
    by_entry: dict[Key, str] = {}
    for p in plans:
        text = p.entry.row_condition
        applies = applicable(batch, p.entry)
        if applies is not None and bool(applies.all()):
            applies = None
        if text is None and applies is None:
            continue
        # One column per condition and (for feeds) the dump-only part it leaves out.
        name = f"{text}\x1f{p.entry.field if applies is not None else ''}"
        if name not in columns:
            columns[name] = CONDITION_COLUMN.format(len(columns) + 1)
            kept: pd.Series | None
            try:
                kept = parse_condition(text).mask(batch) if text is not None else None
            except ConditionError as exc:
                raise EngineError(f"row_condition of {p.entry.id!r}: {exc}") from exc
            if applies is not None:
                kept = applies if kept is None else kept & applies
            assert kept is not None  # a condition, or a part that does not apply
            masks[columns[name]] = kept
        by_entry[p.key] = columns[name]
    return (batch.assign(**masks) if masks else batch), by_entry


def _checked(p: GxPlan, batch: pd.DataFrame, outcome: ExpectationValidationResult) -> int:
    """The articles GX judged: those its row_condition keeps, less the nulls it leaves out
    (as the toolkit's ``scope`` does). An aggregate expectation reports no count: its scope."""
    result = outcome.result
    if result.get("element_count") is not None:
        return int(result["element_count"]) - int(result.get("missing_count") or 0)
    return len(_scoped(batch, p))


def _scoped(batch: pd.DataFrame, p: GxPlan) -> pd.DataFrame:
    """The articles an entry speaks about, as the toolkit's engine selects them."""
    mask = condition_mask(batch, p.entry)
    return batch if mask is None else batch[mask]


def _without(suite: Suite, ran: set[Key]) -> Suite:
    entries = [e for e in suite.entries if (suite.name, e.id) not in ran]
    return Suite(name=suite.name, file=suite.file, description=suite.description, entries=entries)


# --- Great Expectations -----------------------------------------------------------------------


def _context(data_docs: Path | None) -> Any:
    """An ephemeral context: nothing written but the Data Docs asked for; no usage statistics
    sent, no progress bars on the terminal."""
    sites = {}
    if data_docs is not None:
        sites[DOCS_SITE] = {
            "class_name": "SiteBuilder",
            "store_backend": {
                "class_name": "TupleFilesystemStoreBackend",
                "base_directory": str(data_docs.resolve()),
            },
            "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
        }
    config = DataContextConfig(
        store_backend_defaults=InMemoryStoreBackendDefaults(init_temp_docs_sites=False),
        analytics_enabled=False,
        progress_bars=ProgressBarsConfig(globally=False),
        data_docs_sites=sites,
    )
    return gx.get_context(mode="ephemeral", project_config=config)


def _run_gx(
    plans: list[GxPlan], batch: pd.DataFrame, data_docs: Path | None, conditions: dict[Key, str]
) -> Iterator[tuple[GxPlan, ExpectationValidationResult, str | None]]:
    """Validate ``batch`` against one GX suite per toolkit suite, in one checkpoint run;
    yield each plan with its GX result, matched by the toolkit id in the result's meta, and
    the message of the exception GX caught while running it (None if it ran)."""
    context = _context(data_docs)
    definition = (
        context.data_sources.add_pandas("toolkit")
        .add_dataframe_asset("articles")
        .add_batch_definition_whole_dataframe("all articles")
    )
    by_suite: dict[str, list[GxPlan]] = {}
    for p in plans:
        by_suite.setdefault(p.suite.name, []).append(p)
    validations = []
    for name, members in by_suite.items():
        suite = context.suites.add(
            gx.ExpectationSuite(
                name=name,
                expectations=[_expectation(p, conditions.get(p.key)) for p in members],
            )
        )
        validations.append(
            context.validation_definitions.add(
                gx.ValidationDefinition(name=name, data=definition, suite=suite)
            )
        )
    if not validations:
        return
    actions: list[ValidationAction] = []
    if data_docs is not None:
        actions.append(UpdateDataDocsAction(name="data docs", site_names=[DOCS_SITE]))
    checkpoint = context.checkpoints.add(
        gx.Checkpoint(
            name="toolkit check",
            validation_definitions=validations,
            actions=actions,
            result_format=RESULT_FORMAT,
        )
    )
    run = checkpoint.run(batch_parameters={"dataframe": batch})
    results: dict[str, ExpectationSuiteValidationResult] = {
        r.suite_name: r for r in run.run_results.values()
    }
    for name, members in by_suite.items():
        by_id = {_toolkit_id(r): r for r in results[name].results}
        for p in members:
            outcome = by_id[p.entry.id]
            raised = [i for i in _exception_infos(outcome.exception_info) if i["raised_exception"]]
            message = (raised[0].get("exception_message") or "an error") if raised else None
            yield p, outcome, message


def _expectation(p: GxPlan, condition_column: str | None) -> Any:
    """The plan as a GX Expectation; a configuration GX refuses is a suite error, named."""
    config = p.configuration(condition_column)
    try:
        return ExpectationConfiguration(**config).to_domain_obj()
    except Exception as exc:  # GX raises its own and pydantic's errors alike
        raise EngineError(
            f"Great Expectations refuses {p.entry.id!r} of suite {p.suite.name!r} as "
            f"{config['type']}: {exc}"
        ) from exc


def _toolkit_id(outcome: ExpectationValidationResult) -> str:
    config = outcome.expectation_config
    meta = config.meta if config is not None else None
    if not meta or META_KEY not in meta:
        raise EngineError(
            "Great Expectations returned a result for an expectation it was not given"
        )
    return str(meta[META_KEY]["id"])


def _exception_infos(info: dict[str, Any] | None) -> list[dict[str, Any]]:
    """GX reports an exception either flat or keyed by the metric that raised it."""
    if not info:
        return []
    if "raised_exception" in info:
        return [info]
    return [v for v in info.values() if isinstance(v, dict) and "raised_exception" in v]


def _gx_findings(
    p: GxPlan, batch: pd.DataFrame, outcome: ExpectationValidationResult
) -> list[Finding]:
    """A finding for each article GX found unexpected, in the expectation's own words."""
    rows = outcome.result.get("unexpected_index_list")
    failing = pd.Index(sorted({int(r) for r in rows or []}), dtype="int64")
    exp = p.entry.expectation
    if isinstance(exp, Expectation):
        return row_findings(p.suite, p.entry, batch.loc[failing], exp)
    if isinstance(exp, CorpusExpectation):
        aggregate = rows is None and not outcome.success
        return _corpus_findings(p, exp, batch, failing, aggregate)
    return []


def _corpus_findings(
    p: GxPlan,
    exp: CorpusExpectation[Any],
    batch: pd.DataFrame,
    failing: pd.Index,
    aggregate: bool,
) -> list[Finding]:
    """GX names the failing rows (or, for an aggregate such as a row count, only that the
    corpus fails); the expectation's judge gives the reasons (which articles a duplicate
    repeats, how many articles there are)."""
    if failing.empty and not aggregate:
        return []
    scope = _scoped(batch, p)
    seen = sightings_of(scope, p.entry, exp)
    order = seen.order()
    rows = scope.index[order].tolist()
    verdicts = judged(exp, seen.take(order), p.entry.params)
    if aggregate:
        if CORPUS_LEVEL in verdicts:
            return [corpus_finding(p.suite, p.entry, verdicts[CORPUS_LEVEL])]
        failing = pd.Index([rows[i] for i in verdicts], dtype="int64")
    why_at = {rows[i]: why for i, why in verdicts.items() if i != CORPUS_LEVEL}
    position = {row: int(k) for k, row in zip(order, rows, strict=True)}
    found = []
    for row, s in zip(failing, seen.rows([position[r] for r in failing]), strict=True):
        why = why_at.get(row) or Why(f"Great Expectations' {p.form.type} fails on this article")
        found.append(sighting_finding(p.suite, p.entry, s, why))
    return found


# --- the Result -------------------------------------------------------------------------------


def _as_run(
    result: Result, suites: list[Suite], verdicts: dict[Key, bool], seconds: float
) -> Result:
    """GX's own verdict for each entry it ran (severity and mostly applied by GX), and a note
    on each entry it did not run."""
    notes = {
        (s.name, e.id): _note(e)
        for s in suites
        for e in entries_of(s)
        if gx_form(e.expectation) is None
    }
    suite_results: list[SuiteResult] = []
    for sr in result.suites:
        stats = []
        for e in sr.expectations:
            key = (e.suite, e.id)
            if key in verdicts and e.error is None:
                e = e.model_copy(update={"passed": verdicts[key]})
            note = "; ".join(n for n in (notes.get(key), e.engine_note) if n) or None
            e = e.model_copy(update={"engine_note": note})
            stats.append(e)
        passed = all(e.passed for e in stats if e.severity == "critical")
        suite_results.append(sr.model_copy(update={"expectations": stats, "passed": passed}))
    s = result.summary
    summary = summarise(s.files, s.articles, suite_results, result.findings)
    run = result.run.model_copy(update={"duration_s": round(seconds, 4)})
    return result.model_copy(update={"run": run, "suites": suite_results, "summary": summary})


def _note(entry: SuiteEntry) -> str:
    if entry.expectation is file_readable:
        return "checked by the file readers, before any engine"
    return f"checked by the toolkit's own engine: {unsupported_reason(entry)}"
