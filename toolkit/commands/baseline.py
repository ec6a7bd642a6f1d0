"""`toolkit baseline PATH... -o FILE`: accept every current finding in a baseline file."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from toolkit.app import EXIT_CODES, ConfigOption, IgnoreOption, SelectOption, app, fail
from toolkit.commands.check import check

DEFAULT_BASELINE = "toolkit-baseline.json"


@app.command("baseline", epilog=EXIT_CODES)
def write_baseline(
    ctx: typer.Context,
    paths: Annotated[
        list[Path] | None,
        typer.Argument(metavar="PATH", help="Dump files or directories (default: the config's)."),
    ] = None,
    baseline_file: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            metavar="FILE",
            help="The baseline file to write (default: the configuration's baseline, else "
            "toolkit-baseline.json).",
        ),
    ] = None,
    suite: Annotated[
        list[str] | None,
        typer.Option("--suite", "-s", metavar="FILE|NAME", help="As for `toolkit check`."),
    ] = None,
    config: ConfigOption = None,
    select: SelectOption = None,
    ignore: IgnoreOption = None,
) -> None:
    """Write the fingerprints of every current finding to a baseline file (sorted, one a
    line): `toolkit check --baseline FILE` then fails only on findings not in it."""
    if baseline_file is None:
        from toolkit.config import ConfigError, load, resolve

        try:
            configured = resolve({}, load(config))["baseline"]
        except ConfigError as exc:
            raise fail(str(exc)) from None
        baseline_file = Path(configured or DEFAULT_BASELINE)
    # The same run as `toolkit check --update-baseline FILE`, with no report but the file.
    check(
        ctx,
        paths=[str(p) for p in paths] if paths else None,
        suite=suite,
        fmt=None,
        output=None,
        config=config,
        select=select,
        ignore=ignore,
        update_baseline=baseline_file,
        quiet=True,
        only_baseline=True,
    )
