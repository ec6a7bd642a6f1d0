"""The command line: parse options, call the engine, write reports, set the exit code."""

from __future__ import annotations

import sys
import traceback
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from typer.core import TyperGroup

from toolkit import __version__
from toolkit.result import ExitCode

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from typer._click import Context

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
    "XML), sarif (SARIF 2.1.0), github (Actions annotations), markdown (step summary)."
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
    add_completion=False,
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
    paths: Annotated[
        list[Path],
        typer.Argument(
            metavar="PATH",
            help="Dump files or directories (directories are searched for *.txt).",
        ),
    ],
    suite: Annotated[
        list[str] | None,
        typer.Option(
            "--suite",
            "-s",
            metavar="FILE|NAME",
            help="Suite file, or NAME of expectations/NAME.yaml; repeatable. "
            "Default: every suite in ./expectations/.",
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
) -> None:
    """Check article dumps against expectation suites and report what fails, where."""
    from toolkit.engine import EngineError, finding_limits
    from toolkit.engine import check as run_check
    from toolkit.reporters import ReportError, ReportOptions, plan_destinations, write_reports
    from toolkit.suite import SUITE_DIR, SuiteError, available_suites, load_suite

    try:
        dests = plan_destinations(fmt or [], output)
    except ReportError as exc:
        raise fail(str(exc)) from None
    if engine is not Engine.gx and data_docs is not None:
        raise fail("--data-docs builds Great Expectations Data Docs: it needs --engine gx")
    if engine is Engine.gx and jobs > 1:
        raise fail("--jobs runs the pandera engine in processes; --engine gx runs in one")

    missing = [p for p in paths if not p.exists()]
    if missing:
        raise fail(f"no such file or directory: {', '.join(map(str, missing))}")
    refs = suite or [str(p) for p in available_suites()]
    if not refs:
        raise fail(f"no suite given and no *.yaml suite in {SUITE_DIR}/: pass --suite FILE")
    try:
        suites = [load_suite(ref) for ref in refs]
    except SuiteError as exc:
        raise fail(str(exc)) from None
    names = [s.name for s in suites]
    if len(set(names)) != len(names):
        raise fail(f"two suites share a name: {', '.join(names)}")

    limits = finding_limits(max_findings)
    try:
        if engine is Engine.gx:
            result = _gx_check(paths, suites, batch_size, data_docs, limits)
        else:
            result = run_check(paths, suites, batch_size=batch_size, jobs=jobs, limits=limits)
    except EngineError as exc:
        raise fail(str(exc)) from None
    options = ReportOptions(
        color=sys.stdout.isatty() if color is None else color,
        redact_emails=redact_emails,
        max_annotations=max_annotations,
    )
    failures = write_reports(result, dests, options)
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


def _gx_check(
    paths: list[Path],
    suites: list[Suite],
    batch_size: int,
    data_docs: Path | None,
    limits: Mapping[Severity, int | None],
) -> Result:
    """The GX engine, imported only now: Great Expectations takes seconds to import."""
    try:
        from toolkit import gx_engine
    except ModuleNotFoundError as exc:
        if not (exc.name or "").startswith("great_expectations"):
            raise
        raise fail("--engine gx needs Great Expectations: pip install 'toolkit[gx]'") from None
    result = gx_engine.check(
        paths, suites, data_docs=data_docs, batch_size=batch_size, limits=limits
    )
    if data_docs is not None and result.summary.articles:
        typer.echo(f"toolkit: Data Docs written to {data_docs / 'index.html'}", err=True)
    return result


# Commands beyond `check` live in modules of their own under toolkit/commands/ and register
# themselves on this app when imported here (one line each).
from toolkit.commands import catalog, fixtures, report  # noqa: E402, F401
from toolkit.commands import suite as suite_commands  # noqa: E402, F401
