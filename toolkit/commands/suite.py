"""`toolkit suite export --to gx SUITE` and `toolkit suite import GX_SUITE.json`: suites that
travel to and from Great Expectations (neither imports GX: the JSON is GX 1.x's own format)."""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from toolkit.app import app, fail
from toolkit.result import ExitCode

SUITE_HELP = """Suites to and from Great Expectations 1.x ExpectationSuite JSON.

Exit codes: 0 done; 1 import: some GX expectations could not be converted (the YAML holds the
rest and names them); 2 usage error (unknown suite, file that is not a GX suite)."""

suite_app = typer.Typer(help=SUITE_HELP, no_args_is_help=True, rich_markup_mode=None)
app.add_typer(suite_app, name="suite")


class Target(StrEnum):
    gx = "gx"


@suite_app.command("export", epilog=SUITE_HELP.split("\n\n", 1)[1])
def export(
    suite: Annotated[str, typer.Argument(help="Suite file, or NAME of expectations/NAME.yaml.")],
    to: Annotated[Target, typer.Option("--to", help="Target format.")] = Target.gx,
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Write here (default: standard output).")
    ] = None,
) -> None:
    """Write SUITE as a GX ExpectationSuite (name, expectations with type, kwargs, meta,
    severity). Expectations over columns the toolkit derives name them in their meta: such a
    suite runs with `toolkit check --engine gx`, or after computing those columns."""
    from toolkit.gx_suite import to_gx_suite
    from toolkit.reporters import write_atomic
    from toolkit.suite import SuiteError, load_suite

    try:
        loaded = load_suite(suite)
    except SuiteError as exc:
        raise fail(str(exc)) from None
    data, left = to_gx_suite(loaded)
    text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    if out is None:
        sys.stdout.write(text)
    else:
        write_atomic(out, text)
    derived = sum(1 for e in data["expectations"] if "derived_columns" in e["meta"]["toolkit"])
    if derived:
        typer.echo(
            f"toolkit: {derived} of {len(data['expectations'])} expectations run over columns "
            "the toolkit derives (see meta.toolkit.derived_columns)",
            err=True,
        )
    for entry in left:
        typer.echo(
            f"toolkit: not exported: {entry.id} ({entry.expectation.name}): "
            "it has no Great Expectations form",
            err=True,
        )


@suite_app.command("import", epilog=SUITE_HELP.split("\n\n", 1)[1])
def import_(
    gx_suite: Annotated[Path, typer.Argument(help="A GX ExpectationSuite JSON file.")],
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="Write the suite YAML here (default: standard output)."),
    ] = None,
) -> None:
    """Convert a GX suite into suite YAML: the toolkit's own exports exactly, and GX
    expectations the catalog has under the same name (column_values_to_match_regex, ...).
    What cannot be converted is named on standard error and in the YAML's header."""
    from toolkit.gx_suite import GxSuiteError, from_gx_suite
    from toolkit.reporters import write_atomic

    try:
        data = json.loads(gx_suite.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise fail(f"no such file: {gx_suite}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise fail(f"cannot read {gx_suite}: {exc}") from None
    except json.JSONDecodeError as exc:
        raise fail(f"{gx_suite}:{exc.lineno}: not JSON: {exc.msg}") from None
    try:
        imported = from_gx_suite(data, str(gx_suite))
    except GxSuiteError as exc:
        raise fail(str(exc)) from None
    if out is None:
        sys.stdout.write(imported.yaml)
    else:
        write_atomic(out, imported.yaml)
    for why in imported.skipped:
        typer.echo(f"toolkit: not converted: {why}", err=True)
    if imported.skipped:
        total = imported.converted + len(imported.skipped)
        typer.echo(f"toolkit: converted {imported.converted} of {total} expectations", err=True)
        raise typer.Exit(int(ExitCode.FAILED))
