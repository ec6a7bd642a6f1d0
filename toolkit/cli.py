"""The command line: parse options, call the engine, write reports, set the exit code."""

from __future__ import annotations

import dataclasses
import sys
import traceback
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from typer.core import TyperGroup

from toolkit import __version__
from toolkit.readers.dump import DEFAULT_MAX_FILE_SIZE, parse_size
from toolkit.result import ExitCode

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from typer._click import Context

    from toolkit.config import Settings
    from toolkit.history import History
    from toolkit.readers.formats import ReadOptions
    from toolkit.result import Result, Severity
    from toolkit.suite import Suite

EXIT_CODES = """Exit codes: 0 every critical expectation passed (warnings may exist);
1 at least one critical expectation failed; 2 usage or suite error (bad option, unknown
expectation, broken suite file, missing path, two formats to one path); 3 nothing was checked
(no input files, or zero articles); 4 an expectation could not run (a custom expectation raised
or returned the wrong shape; the run completes and every report shows it) or an internal error
(one line; --debug shows the traceback); 5 a report could not be written (the others are).
When several apply, the first of 2, 4, 5, 3, 1 wins."""

FORMAT_HELP = (
    "Output format, NAME or NAME:PATH; repeatable. A file is replaced atomically, a symlink's "
    "target written, a device or FIFO written in place. Formats: rich "
    "(default, terminal), json (the Result), html (self-contained review page), junit (JUnit "
    "XML), sarif (SARIF 2.1.0), github (Actions annotations), markdown (step summary), gitlab "
    "(GitLab Code Quality)."
)
REDACT_HELP = "Replace email addresses in the article text of every report format."
ANNOTATIONS_HELP = "Most annotations the github format prints; the rest are counted."

# Report options shared by `check` and `report`, declared once.
FormatOption = Annotated[
    list[str] | None,
    typer.Option("--format", "-f", metavar="NAME[:PATH]", help=FORMAT_HELP),
]
OutputOption = Annotated[
    Path | None,
    typer.Option(
        "--output",
        "-o",
        metavar="FILE",
        help="Write the (single) format given without a path here.",
    ),
]
ColorOption = Annotated[
    bool | None,
    typer.Option("--color/--no-color", help="Colour the rich report (default: if a terminal)."),
]
RedactOption = Annotated[bool, typer.Option("--redact-emails", help=REDACT_HELP)]
AnnotationsOption = Annotated[int, typer.Option(min=0, metavar="N", help=ANNOTATIONS_HELP)]
ENGINE_HELP = (
    "pandera (default): vectorised checks in batches, over --jobs processes. gx: the same suites "
    "run through Great Expectations 1.x (slower to start; for teams that already use GX)."
)
DATA_DOCS_HELP = "Build Great Expectations Data Docs for the run in DIR (--engine gx only)."
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


class Engine(StrEnum):
    pandera = "pandera"
    gx = "gx"


DEBUG_FLAG = "--debug"


class ToolkitGroup(TyperGroup):
    """The command group: ``--debug`` is accepted anywhere on the command line, and any
    exception that escapes a command is exit 4 with one line, never a traceback and exit 1
    (1 means a critical expectation failed: CI must be able to tell a bug from bad data)."""

    def parse_args(self, ctx: Context, args: list[str]) -> list[str]:
        # `toolkit check x --debug` reads as `toolkit --debug check x`; after `--` is data.
        end = args.index("--") if "--" in args else len(args)
        if DEBUG_FLAG in args[:end]:
            args = [DEBUG_FLAG, *(a for a in args[:end] if a != DEBUG_FLAG), *args[end:]]
        return super().parse_args(ctx, args)

    def invoke(self, ctx: Context) -> Any:
        try:
            return super().invoke(ctx)
        except (typer.Exit, typer.Abort, typer.TyperException):
            raise  # exit codes, usage errors and Ctrl-C, already handled by typer
        except Exception as exc:
            if ctx.params.get("debug"):
                traceback.print_exc(file=sys.stderr)
            typer.echo(internal_error_line(exc, bool(ctx.params.get("debug"))), err=True)
            raise typer.Exit(int(ExitCode.ERROR)) from None


def internal_error_line(exc: BaseException, debug: bool) -> str:
    """One line: the exception's type and message (its first line, control characters shown
    as markers: a message may quote article text)."""
    from toolkit.text import visible

    text = str(exc).strip()
    message = visible(text.splitlines()[0]) if text else ""
    line = f"toolkit: internal error: {type(exc).__name__}: {message}".rstrip(": ")
    return line if debug else f"{line} (rerun with {DEBUG_FLAG} for the traceback)"


app = typer.Typer(
    cls=ToolkitGroup,
    name="toolkit",
    help="Validate news article dumps against declarative expectation suites.\n\n" + EXIT_CODES,
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"toolkit {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Print the version."),
    ] = False,
    debug: Annotated[
        bool,
        typer.Option(
            DEBUG_FLAG,
            help="On an internal error (exit 4), print the traceback; accepted after any command.",
        ),
    ] = False,
) -> None:
    """Validate news article dumps against declarative expectation suites."""


def fail(message: str, code: ExitCode = ExitCode.USAGE) -> typer.Exit:
    typer.echo(f"toolkit: error: {message}", err=True)
    return typer.Exit(int(code))


@app.command(epilog=EXIT_CODES)
def check(
    ctx: typer.Context,
    paths: Annotated[
        list[Path] | None,
        typer.Argument(
            metavar="PATH",
            help="Dump files, feeds or directories (directories are walked for every input format: "
            ".txt, .jsonl, .ndjson, .json, .csv, .tsv, .parquet, each also compressed). "
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
            help="Articles validated together in one batch (smaller: less memory).",
        ),
    ] = 5000,
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
    engine: Annotated[Engine, typer.Option(help=ENGINE_HELP)] = Engine.pandera,
    data_docs: Annotated[
        Path | None, typer.Option(metavar="DIR", file_okay=False, help=DATA_DOCS_HELP)
    ] = None,
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
) -> None:
    """Check article dumps against expectation suites and report what fails, where."""
    from toolkit.config import default_suites
    from toolkit.engine import EngineError, finding_limits
    from toolkit.reporters import ReportError, ReportOptions, plan_destinations, write_reports
    from toolkit.suite import SUITE_DIR, SuiteError, load_suite

    # The configuration file fills what the command line leaves out (toolkit.config).
    settings = _settings(ctx, config, locals())
    if show_settings:
        from toolkit.config import describe

        typer.echo(describe(settings), nl=False)
        raise typer.Exit(0)
    paths = [Path(p) for p in settings["paths"]]
    suite = settings["suites"] or None
    fmt, output = settings["formats"], _path_or_none(settings["output"])
    batch_size, jobs = settings["batch_size"], settings["jobs"]
    max_findings, engine = settings["max_findings"], Engine(settings["engine"])
    redact_emails, max_annotations = settings["redact_emails"], settings["max_annotations"]
    baseline = _path_or_none(settings["baseline"])
    history_dir = _path_or_none(settings["history"])
    input_format, input_preset = settings["input_format"], settings["input_preset"]
    if not paths:
        raise fail("no PATH given and no 'paths' in the configuration: pass PATH")
    if (baseline or update_baseline) is not None and max_findings is None:
        max_findings = 0  # every finding is kept, so that each can be matched

    try:
        dests = plan_destinations(fmt or [], output)
    except ReportError as exc:
        raise fail(str(exc)) from None
    if engine is not Engine.gx and data_docs is not None:
        raise fail("--data-docs builds Great Expectations Data Docs: it needs --engine gx")
    if engine is Engine.gx and jobs > 1:
        raise fail("--jobs runs the pandera engine in processes; --engine gx runs in one")
    if engine is Engine.gx and history_dir is not None:
        raise fail("--history judges the run with the pandera engine: leave out --engine gx")
    past = _read_history(history_dir)

    missing = [p for p in paths if not p.exists()]
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
    _select(suites, settings["select"], settings["ignore"])

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
    reading = dataclasses.replace(reading, exclude=tuple(own))
    limits = finding_limits(max_findings)
    try:
        if engine is Engine.gx:
            result = _gx_check(
                paths, suites, batch_size, data_docs, limits, include_hidden, reading
            )
        else:
            result = _pandera_check(
                paths, suites, batch_size, jobs, limits, quiet, include_hidden, reading, past
            )
    except EngineError as exc:
        raise fail(str(exc)) from None
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


# --- configuration, selection, baseline and progress of `check` (issue: adoption in CI) ------

ConfigOption = Annotated[
    Path | None,
    typer.Option(
        "--config",
        metavar="FILE",
        help="A toolkit.toml or pyproject.toml (default: the first found walking up).",
    ),
]
SelectOption = Annotated[
    list[str] | None,
    typer.Option(
        metavar="NAME[,NAME]",
        help="Only these expectation ids or families (see `toolkit expectations`); repeatable.",
    ),
]
IgnoreOption = Annotated[
    list[str] | None,
    typer.Option(metavar="NAME[,NAME]", help="Skip these expectation ids or families."),
]
# `check` parameters the configuration can set, by configuration key.
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


def _pandera_check(
    paths: list[Path],
    suites: list[Suite],
    batch_size: int,
    jobs: int,
    limits: Mapping[Severity, int | None],
    quiet: bool,
    include_hidden: bool,
    reading: ReadOptions,
    history: History | None = None,
) -> Result:
    from toolkit.engine import check as run_check
    from toolkit.progress import progress, wanted

    total = 0
    if wanted(quiet):
        from toolkit.readers import discover

        # For the bar's length and the time left; the walk is cheap beside the reading.
        total = len(discover(paths, include_hidden, reading.exclude).files)
    with progress(total, wanted(quiet)) as on_progress:
        return run_check(
            paths,
            suites,
            batch_size=batch_size,
            jobs=jobs,
            limits=limits,
            include_hidden=include_hidden,
            reading=reading,
            on_progress=on_progress,
            history=history,
        )


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


def _gx_check(
    paths: list[Path],
    suites: list[Suite],
    batch_size: int,
    data_docs: Path | None,
    limits: Mapping[Severity, int | None],
    include_hidden: bool,
    reading: ReadOptions,
) -> Result:
    """The GX engine, imported only now: Great Expectations takes seconds to import."""
    try:
        from toolkit import gx_engine
    except ModuleNotFoundError as exc:
        if not (exc.name or "").startswith("great_expectations"):
            raise
        raise fail(
            "--engine gx needs Great Expectations: pip install 'news-corpus-toolkit[gx]'"
        ) from None
    result = gx_engine.check(
        paths,
        suites,
        data_docs=data_docs,
        batch_size=batch_size,
        limits=limits,
        include_hidden=include_hidden,
        reading=reading,
    )
    if data_docs is not None and result.summary.articles:
        typer.echo(f"toolkit: Data Docs written to {data_docs / 'index.html'}", err=True)
    return result


# Commands beyond `check` live in modules of their own under toolkit/commands/ and register
# themselves on this app when imported here (one line each).
from toolkit.commands import baseline as baseline_commands  # noqa: E402, F401
from toolkit.commands import catalog, fixtures, report  # noqa: E402, F401
from toolkit.commands import config as config_commands  # noqa: E402, F401
from toolkit.commands import history as history_commands  # noqa: E402, F401
from toolkit.commands import suite as suite_commands  # noqa: E402, F401
