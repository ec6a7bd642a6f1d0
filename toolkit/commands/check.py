"""`toolkit check`: parse options, run the chosen engine, write reports, set the exit code."""

from __future__ import annotations

import dataclasses
import inspect
import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from toolkit.app import (
    EXIT_CODES,
    AnnotationsOption,
    ColorOption,
    ConfigOption,
    FormatOption,
    IgnoreOption,
    OutputOption,
    RedactOption,
    SelectOption,
    app,
    fail,
)
from toolkit.engines import (
    DEFAULT_BATCH,
    DEFAULT_ENGINE,
    ENGINES,
    RunRequest,
    all_options,
    help_text,
)
from toolkit.readers.dump import DEFAULT_MAX_FILE_SIZE, parse_size
from toolkit.result import ExitCode

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from toolkit.config import Settings
    from toolkit.engines import EngineSpec
    from toolkit.history import History
    from toolkit.index import ArchiveIndex
    from toolkit.readers.formats import ReadOptions
    from toolkit.result import Result
    from toolkit.suite import Suite

ENGINE_HELP = "The engine that runs the suites. " + help_text()
INPUT_FORMAT_HELP = (
    "Read every input file as this format instead of choosing by suffix: dump (.txt), jsonl "
    "(.jsonl, .ndjson), json (.json), csv, tsv, parquet (.parquet, .pq); each suffix may "
    "end in .gz, .bz2, .xz or .zst."
)
INPUT_PRESET_HELP = (
    "Field mapping of record feeds: plain (title, text, date, authors, tags), news-please "
    "(title, maintext, date_publish, authors), fundus (title, plaintext, publishing_date, "
    "authors, topics)."
)
MAP_HELP = (
    "Map an article field to a record field, e.g. --map body=content; repeatable or "
    "comma-separated; FIELD= leaves it unmapped. Fields: headline, body, date, published, "
    "byline, tags, caption, title."
)
HIDDEN_HELP = "Read hidden entries (names starting with '.') in directories; default: list them."
MAX_FILE_SIZE_HELP = (
    "Largest file read, in bytes or with K, M or G (e.g. 64M); a larger file is a "
    "file_readable finding."
)


def _size(text: str | int) -> int:
    if isinstance(text, int):  # the default
        return text
    try:
        return parse_size(text)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None


class InputFormat(StrEnum):
    dump = "dump"
    jsonl = "jsonl"
    json = "json"
    csv = "csv"
    tsv = "tsv"
    parquet = "parquet"


class InputPreset(StrEnum):
    plain = "plain"
    news_please = "news-please"
    fundus = "fundus"


def check(
    ctx: typer.Context,
    paths: Annotated[
        list[str] | None,
        typer.Argument(
            metavar="PATH",
            help="Dump files, feeds or directories (directories are walked for every input format: "
            ".txt, .jsonl, .ndjson, .json, .csv, .tsv, .parquet, each also compressed); URLs "
            "(s3://, gs://, file://) for an engine that reads them. "
            "Default: paths in the configuration.",
        ),
    ] = None,
    suite: Annotated[
        list[str] | None,
        typer.Option(
            "--suite",
            "-s",
            metavar="FILE|NAME",
            help="Suite file, or NAME of expectations/NAME.yaml; repeatable. "
            "Default: the configuration's suites, else the suites in ./expectations/ that no "
            "other suite extends.",
        ),
    ] = None,
    fmt: FormatOption = None,
    output: OutputOption = None,
    batch_size: Annotated[
        int,
        typer.Option(
            min=1,
            metavar="N",
            help="Articles validated together in one batch (smaller: less memory); a batch "
            "also holds at most 128 Mi characters of text.",
        ),
    ] = DEFAULT_BATCH,
    jobs: Annotated[
        int,
        typer.Option(
            "--jobs",
            "-j",
            min=1,
            metavar="N",
            help="Worker processes reading and checking files in parallel.",
        ),
    ] = 1,
    max_findings: Annotated[
        int | None,
        typer.Option(
            min=0,
            metavar="N",
            help="Findings kept per expectation, every severity (0: all). Default: all critical "
            "and warning findings, the first 1000 of each info expectation. Counts stay exact.",
        ),
    ] = None,
    color: ColorOption = None,
    redact_emails: RedactOption = False,
    max_annotations: AnnotationsOption = 50,
    engine: Annotated[
        str, typer.Option(metavar="NAME", help=ENGINE_HELP, autocompletion=lambda: list(ENGINES))
    ] = DEFAULT_ENGINE,
    include_hidden: Annotated[bool, typer.Option("--include-hidden", help=HIDDEN_HELP)] = False,
    max_file_size: Annotated[
        int,
        typer.Option(metavar="SIZE", parser=_size, show_default="256M", help=MAX_FILE_SIZE_HELP),
    ] = DEFAULT_MAX_FILE_SIZE,
    config: ConfigOption = None,
    select: SelectOption = None,
    ignore: IgnoreOption = None,
    baseline: Annotated[
        Path | None,
        typer.Option(metavar="FILE", help="Fail only on findings not in this baseline file."),
    ] = None,
    history: Annotated[
        Path | None,
        typer.Option(
            metavar="DIR",
            file_okay=False,
            help="Append this run to the history in DIR (created if need be) and judge the "
            "history expectations against its past runs (`toolkit history DIR` shows them).",
        ),
    ] = None,
    against: Annotated[
        Path | None,
        typer.Option(
            metavar="INDEX",
            help="Judge the archive expectations against this archive index (`toolkit index "
            "build`): body_archived (a body already archived) and body_near_archived (a "
            "near-duplicate of an archived body), each finding naming the archived file and "
            "line. The suites' entries of them are judged; when no suite names them, both run "
            "with their defaults (severity warning; the index's signature parameters), in the "
            "first suite.",
        ),
    ] = None,
    update_baseline: Annotated[
        Path | None,
        typer.Option(
            metavar="FILE", help="Write every finding of this run to a baseline file, accepted."
        ),
    ] = None,
    quiet: Annotated[
        bool,
        typer.Option(
            "--quiet", "-q", help="No progress; the report shows the verdict and failures only."
        ),
    ] = False,
    show_passing: Annotated[
        bool, typer.Option(help="List passing expectations in the terminal report.")
    ] = False,
    show_info: Annotated[
        bool, typer.Option(help="List info findings in the terminal report (default: counted).")
    ] = False,
    show_settings: Annotated[
        bool, typer.Option(help="Print the effective settings and where each came from; exit.")
    ] = False,
    # `toolkit baseline`: the same run, writing the baseline file and no report.
    only_baseline: Annotated[bool, typer.Option(hidden=True)] = False,
    input_format: Annotated[
        InputFormat | None, typer.Option(metavar="FORMAT", help=INPUT_FORMAT_HELP)
    ] = None,
    input_preset: Annotated[
        InputPreset | None, typer.Option(metavar="PRESET", help=INPUT_PRESET_HELP)
    ] = None,
    field_map: Annotated[
        list[str] | None, typer.Option("--map", metavar="FIELD=RECORD_FIELD", help=MAP_HELP)
    ] = None,
    **engine_options: str | None,
) -> None:
    """Check article dumps against expectation suites and report what fails, where."""
    # The engines' own options (toolkit.engines), by name.
    engine_options = {o.name: engine_options.get(o.name) for _, o in all_options()}
    from toolkit.config import default_suites
    from toolkit.engine import finding_limits
    from toolkit.reporters import ReportError, ReportOptions, plan_destinations, write_reports
    from toolkit.suite import SUITE_DIR, SuiteError, load_suite

    # The configuration file fills what the command line leaves out (toolkit.config).
    settings = _settings(ctx, config, locals())
    if show_settings:
        from toolkit.config import describe

        typer.echo(describe(settings), nl=False)
        raise typer.Exit(0)
    targets = [str(p) for p in settings["paths"]]
    suite = settings["suites"] or None
    fmt, output = settings["formats"], _path_or_none(settings["output"])
    batch_size, jobs = settings["batch_size"], settings["jobs"]
    max_findings = settings["max_findings"]
    spec = _engine(settings["engine"], engine_options, jobs)
    redact_emails, max_annotations = settings["redact_emails"], settings["max_annotations"]
    baseline = _path_or_none(settings["baseline"])
    history_dir = _path_or_none(settings["history"])
    input_format, input_preset = settings["input_format"], settings["input_preset"]
    if not targets:
        raise fail("no PATH given and no 'paths' in the configuration: pass PATH")
    if (baseline or update_baseline) is not None and max_findings is None:
        max_findings = 0  # every finding is kept, so that each can be matched

    try:
        dests = plan_destinations(fmt or [], output)
    except ReportError as exc:
        raise fail(str(exc)) from None
    if history_dir is not None and not spec.history:
        raise fail(
            f"--history judges the run's history expectations: --engine {spec.name} does not"
        )
    if against is not None and not spec.against:
        raise fail(
            f"--against judges the archive expectations against an index: --engine {spec.name} "
            "does not"
        )
    index = _open_index(against)
    past = _read_history(history_dir)
    urls = [t for t in targets if is_url(t)]
    if urls and not spec.urls:
        reads = [s.name for s in ENGINES.values() if s.urls]
        raise fail(
            f"{urls[0]} is a URL: --engine {spec.name} reads local paths"
            + (f" (--engine {' or '.join(reads)} reads URLs)" if reads else "")
        )
    missing = [t for t in targets if not is_url(t) and not Path(t).exists()]
    if missing:
        raise fail(f"no such file or directory: {', '.join(map(str, missing))}")
    refs = suite or [str(p) for p in default_suites()]
    if not refs:
        raise fail(f"no suite given and no *.yaml suite in {SUITE_DIR}/: pass --suite FILE")
    try:
        suites = [load_suite(ref) for ref in refs]
    except SuiteError as exc:
        raise fail(str(exc)) from None
    names = [s.name for s in suites]
    if len(set(names)) != len(names):
        raise fail(f"two suites share a name: {', '.join(names)}")
    if index is not None:
        _arm(suites, index)
    _select(suites, settings["select"], settings["ignore"])
    if index is not None and not _judges_archive(suites):
        raise fail(
            "--against: no archive expectation is left to judge (--select/--ignore left out "
            "body_archived and body_near_archived)"
        )

    from_suites = _suites_input(suites)
    reading = reading_options(
        max_file_size,
        input_format or from_suites.get("format"),
        input_preset or from_suites.get("preset"),
        {**from_suites.get("map", {}), **settings["input_map"]},
    )
    own = [d.path for d in dests if d.path is not None] + [
        p for p in (baseline, update_baseline) if p
    ]
    if history_dir is not None:
        from toolkit.history import STORE_NAME

        own += [history_dir / f"{STORE_NAME}{end}" for end in ("", "-wal", "-shm")]
    if index is not None:
        own += index.own_files()
    reading = dataclasses.replace(reading, exclude=tuple(own))
    limits = finding_limits(max_findings)
    request = RunRequest(
        targets=targets,
        suites=suites,
        batch_size=batch_size,
        jobs=jobs,
        limits=limits,
        include_hidden=include_hidden,
        reading=reading,
        options=engine_options,
        history=past,
        against=index,
    )
    result = _run(spec, request, quiet)
    result = _apply_baseline(result, baseline, update_baseline)
    options = ReportOptions(
        color=sys.stdout.isatty() if color is None else color,
        redact_emails=redact_emails,
        max_annotations=max_annotations,
        width=_terminal_width(),
        quiet=quiet,
        show_passing=settings["show_passing"],
        show_info=settings["show_info"],
    )
    failures = [] if only_baseline else write_reports(result, dests, options)
    if history_dir is not None and past is not None and not only_baseline:
        _append_history(history_dir, result, past)
    if result.exit_code == ExitCode.NOTHING_CHECKED:
        why = "no input files" if result.summary.files == 0 else "zero articles in the input"
        typer.echo(f"toolkit: nothing was checked: {why}", err=True)
    raise typer.Exit(int(run_exit_code(result, failures)))


def run_exit_code(result: Result, failures: Sequence[object]) -> ExitCode:
    """The exit code of a run whose reports were written with ``failures`` (each printed
    here, one line): 4 for an expectation that could not run wins, then 5 for a report not
    written, then the Result's own (3, 1 or 0)."""
    from toolkit.text import visible

    for failure in failures:
        typer.echo(f"toolkit: error: {visible(str(failure))}", err=True)
    for stats in result.errored_expectations():
        where = f"{stats.suite}/{stats.id}"
        typer.echo(f"toolkit: error: {where}: {visible(stats.error or '')}", err=True)
    if result.exit_code == ExitCode.ERROR or not failures:
        return result.exit_code
    return ExitCode.REPORT_FAILED


CONFIGURABLE = {
    "paths": "paths",
    "suite": "suites",
    "fmt": "formats",
    "output": "output",
    "select": "select",
    "ignore": "ignore",
    "baseline": "baseline",
    "history": "history",
    "max_findings": "max_findings",
    "batch_size": "batch_size",
    "jobs": "jobs",
    "engine": "engine",
    "max_annotations": "max_annotations",
    "redact_emails": "redact_emails",
    "show_passing": "show_passing",
    "show_info": "show_info",
    "input_format": "input_format",
    "input_preset": "input_preset",
    "field_map": "input_map",
}


def _settings(ctx: typer.Context, config: Path | None, values: dict[str, object]) -> Settings:
    """The configuration's values, overridden by the options given on the command line."""
    from toolkit.config import ConfigError, load, resolve

    given = {}
    for param, key in CONFIGURABLE.items():
        source = ctx.get_parameter_source(param) if param in ctx.params else None
        # By name: Typer vendors click, and its ParameterSource enum is not public there.
        if source is not None and source.name in ("COMMANDLINE", "ENVIRONMENT"):
            value = values[param]
            if param == "field_map":
                value = _map_option(value)  # type: ignore[arg-type]
            elif isinstance(value, list):
                value = [str(v) for v in value]
            elif isinstance(value, Path | StrEnum):
                value = str(value)
            given[key] = value
    try:
        return resolve(given, load(config))
    except ConfigError as exc:
        raise fail(str(exc)) from None


def _map_option(values: list[str]) -> dict[str, str]:
    from toolkit.readers.mapping import parse_mapping_option

    try:
        return parse_mapping_option(values)
    except ValueError as exc:
        raise fail(str(exc)) from None


def _path_or_none(value: object) -> Path | None:
    return None if value is None else Path(str(value))


def _select(suites: list[Suite], select: list[str], ignore: list[str]) -> None:
    from toolkit.config import SelectionError, select_entries

    try:
        select_entries(suites, select, ignore)
    except SelectionError as exc:
        raise fail(str(exc)) from None


def _read_history(directory: Path | None) -> History | None:
    """The past runs in ``directory`` (None without one); a history that cannot be read is a
    usage error, before the run."""
    from toolkit.history import MAX_RUNS, History, HistoryError, Store, current_time

    if directory is None:
        return None
    store = Store(directory)
    try:
        return History(store.read(MAX_RUNS), str(store.path), current_time())
    except HistoryError as exc:
        raise fail(str(exc)) from None


def _open_index(path: Path | None) -> ArchiveIndex | None:
    """The archive index of --against (None without one); one that cannot be used is a usage
    error, before the run."""
    from toolkit.index import ArchiveIndex, ArchiveIndexError

    if path is None:
        return None
    try:
        return ArchiveIndex.open(path)
    except ArchiveIndexError as exc:
        raise fail(str(exc)) from None


def _arm(suites: list[Suite], index: ArchiveIndex) -> None:
    from toolkit.index import ArchiveIndexError, arm

    try:
        arm(suites, index)
    except ArchiveIndexError as exc:
        raise fail(str(exc)) from None


def _judges_archive(suites: list[Suite]) -> bool:
    from toolkit.expectations.archive import ArchiveExpectation

    return any(isinstance(e.expectation, ArchiveExpectation) for s in suites for e in s.entries)


def _append_history(directory: Path, result: Result, past: History) -> None:
    """Record the run in its history; a run that checked nothing (exit 3) is not recorded."""
    from toolkit.history import HistoryError, Store, record_of

    if not result.summary.articles:
        return
    try:
        run = Store(directory).append(record_of(result, past.now))
    except HistoryError as exc:
        raise fail(str(exc)) from None
    typer.echo(f"toolkit: run {run} recorded in {Store(directory).path}", err=True)


def _apply_baseline(result: Result, baseline: Path | None, update: Path | None) -> Result:
    """Write the run's findings to ``update``; judge the run against ``baseline`` (or the
    baseline just written: every finding accepted)."""
    from toolkit import baseline as baselines
    from toolkit.reporters import write_atomic

    if update is not None:
        if result.summary.articles:
            write_atomic(update, baselines.render(result))
            typer.echo(
                f"toolkit: baseline of {len(result.findings)} findings written to {update}",
                err=True,
            )
        baseline = update
    if baseline is None or not result.summary.articles:
        return result
    try:
        entries = baselines.load(baseline)
    except baselines.BaselineError as exc:
        raise fail(str(exc)) from None
    return baselines.apply(result, entries, str(baseline))


def _terminal_width() -> int:
    """The terminal's width (COLUMNS when set), at least 60; 120 when not a terminal."""
    import shutil

    return max(60, shutil.get_terminal_size((120, 24)).columns)


def _suites_input(suites: list[Suite]) -> dict[str, Any]:
    """The input mapping the suites declare (``input:``); two suites that disagree are a
    usage error: one run reads its files one way."""
    merged: dict[str, Any] = {"map": {}}
    owner: dict[str, str] = {}
    for suite in suites:
        items = [(k, v) for k, v in suite.input.items() if k != "map"]
        items += [(f"map.{k}", v or "") for k, v in suite.input.get("map", {}).items()]
        for key, value in items:
            where = merged["map"] if key.startswith("map.") else merged
            name = key.removeprefix("map.")
            if name in where and where[name] != value:
                raise fail(
                    f"suites {owner[key]} and {suite.name} read input differently ({key}: "
                    f"{where[name]!r} and {value!r}): run them separately"
                )
            where[name] = value
            owner[key] = suite.name
    return merged


def reading_options(
    max_file_size: int,
    input_format: str | None,
    preset: str | None,
    field_map: dict[str, str],
) -> ReadOptions:
    """How the run reads its files, from the options and the configuration; a bad mapping
    is a usage error."""
    from toolkit.readers.formats import ReadOptions
    from toolkit.readers.mapping import resolve_mapping

    try:
        mapping = resolve_mapping(preset, field_map)
    except ValueError as exc:
        raise fail(str(exc)) from None
    return ReadOptions(max_file_size=max_file_size, input_format=input_format, mapping=mapping)


def is_url(target: str) -> bool:
    """``scheme://...`` (s3://, gs://, file://, memory://): read through fsspec, not the OS."""
    scheme, sep, _ = target.partition("://")
    return bool(sep) and len(scheme) > 1 and scheme.isascii() and scheme.isalnum()


def _engine(name: str, options: Mapping[str, str | None], jobs: int) -> EngineSpec:
    """The engine chosen, with the options given checked against it: another engine's
    option, or --jobs for an engine that runs in one process, is a usage error."""
    from toolkit.engines import UnknownEngine, engine

    try:
        spec = engine(name)
    except UnknownEngine as exc:
        raise fail(str(exc)) from None
    own = {o.name for o in spec.options}
    for other, option in all_options():
        if options.get(option.name) is not None and option.name not in own:
            raise fail(f"{option.flag} is an option of --engine {other.name}")
    if jobs > 1 and not spec.parallel:
        raise fail(f"--jobs runs work in processes; --engine {spec.name} runs in one")
    return spec


def _run(spec: EngineSpec, request: RunRequest, quiet: bool) -> Result:
    """Run the engine, with a progress bar on a terminal; its notes go to standard error."""
    from toolkit.allocator import for_long_runs
    from toolkit.engine import EngineError
    from toolkit.engines import EngineUnavailable
    from toolkit.findings import SpillError
    from toolkit.progress import progress, wanted

    try:
        module = spec.load()
    except EngineUnavailable as exc:
        raise fail(str(exc)) from None
    for_long_runs()
    total = 0
    if wanted(quiet) and not any(is_url(t) for t in request.targets):
        from toolkit.readers import discover

        # For the bar's length and the time left; the walk is cheap beside the reading.
        # Counted, not kept: the run discovers the files again, and holds that list.
        total = len(discover(request.paths, request.include_hidden, request.reading.exclude).paths)
    with progress(total, wanted(quiet)) as on_progress:
        try:
            result = module.run(dataclasses.replace(request, on_progress=on_progress))
        except EngineError as exc:
            raise fail(str(exc), getattr(exc, "exit_code", ExitCode.USAGE)) from None
        except SpillError as exc:
            raise fail(str(exc), ExitCode.ERROR) from None
    notes = getattr(module, "notes", None)
    for line in notes(request, result) if notes is not None else []:
        typer.echo(f"toolkit: {line}", err=True)
    return result


def _with_engine_options(func: Any) -> Any:
    """``check`` with every engine's own options added to its signature, which Typer reads:
    the command declares none of them by name."""
    sig = inspect.signature(func, eval_str=True)
    params = [p for p in sig.parameters.values() if p.kind is not p.VAR_KEYWORD]
    for spec, option in all_options():
        annotation = Annotated[
            str | None,
            typer.Option(
                option.flag,
                metavar=option.metavar,
                envvar=option.envvar,
                help=f"{option.help.rstrip('.')} (--engine {spec.name} only).",
            ),
        ]
        params.append(
            inspect.Parameter(
                option.name, inspect.Parameter.KEYWORD_ONLY, default=None, annotation=annotation
            )
        )
        func.__annotations__[option.name] = annotation
    func.__signature__ = sig.replace(parameters=params)
    return func


app.command("check", epilog=EXIT_CODES)(_with_engine_options(check))
