"""`toolkit report RESULT.json`: render any report format again from a saved JSON result."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from toolkit.app import (
    EXIT_CODES,
    AnnotationsOption,
    ColorOption,
    FormatOption,
    OutputOption,
    RedactOption,
    app,
    fail,
)
from toolkit.commands.check import run_exit_code
from toolkit.result import SCHEMA_VERSION, Result


def load_result(path: Path) -> Result:
    """The Result saved by ``--format json:PATH``; a clear error for anything else."""
    from pydantic import ValidationError

    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise fail(f"no such file: {path}") from None
    except OSError as exc:
        raise fail(f"cannot read {path}: {exc.strerror}") from None
    try:
        result = Result.from_json(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "top level"
        more = f" (and {exc.error_count() - 1} more problems)" if exc.error_count() > 1 else ""
        raise fail(
            f"{path} is not a toolkit JSON result: {where}: {first['msg']}{more}; "
            "write one with `toolkit check ... --format json:PATH`"
        ) from None
    if result.schema_version.split(".")[0] != SCHEMA_VERSION.split(".")[0]:
        raise fail(
            f"{path} has schema_version {result.schema_version}; this toolkit reads "
            f"{SCHEMA_VERSION.split('.')[0]}.x: re-run `toolkit check` with this version"
        )
    return result


@app.command(epilog=EXIT_CODES)
def report(
    result_file: Annotated[
        Path, typer.Argument(metavar="RESULT.json", help="A result saved by --format json:PATH.")
    ],
    fmt: FormatOption = None,
    output: OutputOption = None,
    color: ColorOption = None,
    redact_emails: RedactOption = False,
    max_annotations: AnnotationsOption = 50,
) -> None:
    """Render reports from a saved JSON result. The exit code is the saved run's own (0, 1,
    3 or 4), so a CI step can gate on it; 2 for a bad option or a file that is not a result;
    5 for a report that could not be written."""
    from toolkit.reporters import ReportError, ReportOptions, plan_destinations, write_reports

    try:
        dests = plan_destinations(fmt or [], output)
    except ReportError as exc:
        raise fail(str(exc)) from None
    result = load_result(result_file)
    options = ReportOptions(
        color=sys.stdout.isatty() if color is None else color,
        redact_emails=redact_emails,
        max_annotations=max_annotations,
    )
    failures = write_reports(result, dests, options)
    raise typer.Exit(int(run_exit_code(result, failures)))
