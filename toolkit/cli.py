"""The command line: parse options, call the engine, write reports, set the exit code."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from toolkit import __version__
from toolkit.result import ExitCode

EXIT_CODES = """Exit codes: 0 every critical expectation passed (warnings may exist);
1 at least one critical expectation failed; 2 usage or suite error (bad option, unknown
expectation, broken suite file, missing path); 3 nothing was checked (no input files, or zero
articles)."""

app = typer.Typer(
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
) -> None:
    """Validate news article dumps against declarative expectation suites."""


def fail(message: str, code: ExitCode = ExitCode.USAGE) -> typer.Exit:
    typer.echo(f"toolkit: error: {message}", err=True)
    return typer.Exit(int(code))


@app.command(epilog=EXIT_CODES)
def check(
    paths: Annotated[
        list[Path],
        typer.Argument(help="Dump files or directories (directories are searched for *.txt)."),
    ],
    suite: Annotated[
        list[str] | None,
        typer.Option(
            "--suite",
            "-s",
            help="Suite file, or NAME of expectations/NAME.yaml; repeatable. "
            "Default: every suite in ./expectations/.",
        ),
    ] = None,
    fmt: Annotated[
        list[str] | None,
        typer.Option(
            "--format",
            "-f",
            help="Output format, NAME or NAME:PATH; repeatable. Formats: rich (default), json.",
        ),
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Write the (single) format given without a path here."),
    ] = None,
    batch_size: Annotated[
        int, typer.Option(min=1, help="Articles validated together in one batch.")
    ] = 5000,
    jobs: Annotated[
        int,
        typer.Option(
            "--jobs", "-j", min=1, help="Worker processes reading and checking files in parallel."
        ),
    ] = 1,
    color: Annotated[
        bool | None,
        typer.Option("--color/--no-color", help="Colour the rich report (default: if a terminal)."),
    ] = None,
) -> None:
    """Check article dumps against expectation suites and report what fails, where."""
    from toolkit.engine import EngineError
    from toolkit.engine import check as run_check
    from toolkit.reporters import Destination, ReportError, ReportOptions, write_report
    from toolkit.suite import SUITE_DIR, SuiteError, available_suites, load_suite

    try:
        dests = [Destination.parse(spec) for spec in (fmt or ["rich"])]
    except ReportError as exc:
        raise fail(str(exc)) from None
    if output is not None:
        bare = [i for i, d in enumerate(dests) if d.path is None]
        if len(bare) != 1:
            raise fail("--output needs exactly one --format without a path")
        dests[bare[0]] = Destination(dests[bare[0]].format, output)
    if sum(d.path is None for d in dests) > 1:
        raise fail("only one format can go to standard output; give the others a path (NAME:PATH)")

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

    try:
        result = run_check(paths, suites, batch_size=batch_size, jobs=jobs)
    except EngineError as exc:
        raise fail(str(exc)) from None
    options = ReportOptions(color=sys.stdout.isatty() if color is None else color)
    for dest in dests:
        write_report(result, dest, options)
    if result.exit_code == ExitCode.NOTHING_CHECKED:
        why = "no input files" if result.summary.files == 0 else "zero articles in the input"
        typer.echo(f"toolkit: nothing was checked: {why}", err=True)
    raise typer.Exit(int(result.exit_code))


# Commands beyond `check` live in modules of their own under toolkit/commands/ and register
# themselves on this app when imported here (one line each).
