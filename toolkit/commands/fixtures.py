"""``toolkit fixtures``: write mutants of a clean article, and prove that a suite catches them."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from toolkit.app import app, fail
from toolkit.result import ExitCode

if TYPE_CHECKING:
    from toolkit.fixtures import Verdict, Verification
    from toolkit.suite import Suite

VERIFY_EXIT_CODES = """Exit codes: 0 the clean article passes and every mutant is caught by its
own expectation alone; 1 a mutant survives, trips another critical expectation too, or has no
file, or the clean article fails; 2 usage or suite error (bad option, broken suite, no
manifest); 3 nothing to verify (no expectation of the suite can be broken)."""

fixtures_app = typer.Typer(
    name="fixtures",
    help="Article fixtures: mutants that show whether a suite catches what it claims.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
)
app.add_typer(fixtures_app, name="fixtures")

SuiteOption = Annotated[
    str,
    typer.Option(
        "--suite", "-s", help="Suite file, or NAME of expectations/NAME.yaml.", show_default=False
    ),
]
_LABEL = {
    "caught": "caught",
    "survived": "SURVIVED",
    "also": "NOT ALONE",
    "missing": "MISSING",
    "unbreakable": "CANNOT FAIL",
    "skipped": "skipped",
}


def _suite(ref: str) -> Suite:
    from toolkit.suite import SuiteError, load_suite

    try:
        return load_suite(ref)
    except SuiteError as exc:
        raise fail(str(exc)) from None


@fixtures_app.command()
def generate(
    suite: SuiteOption,
    out: Annotated[
        Path,
        typer.Option("--out", "-o", help="Directory to write the fixtures to (created if needed)."),
    ],
    source: Annotated[
        Path | None,
        typer.Option(
            "--from",
            help="A dump file whose first article is the clean one to mutate; it must pass the "
            "suite. Default: the built-in example article.",
        ),
    ] = None,
) -> None:
    """Write a clean article, one mutant per expectation of the suite that can be broken, and
    manifest.json naming which file must fail which expectation."""
    from toolkit.engine import display_path
    from toolkit.fixtures import MANIFEST, FixtureError, load_source
    from toolkit.fixtures import generate as write_fixtures

    loaded = _suite(suite)
    if source is not None and not source.is_file():
        raise fail(f"--from {source}: no such file")
    try:
        article = load_source(source) if source is not None else None
        manifest = write_fixtures(loaded, out, article)
    except FixtureError as exc:
        raise fail(str(exc)) from None
    except OSError as exc:
        raise fail(f"cannot write to {out}: {exc.strerror}") from None
    where = display_path(out)
    typer.echo(
        f"wrote {where}/{manifest.clean} (from {manifest.source}) and "
        f"{len(manifest.mutants)} mutants for suite {loaded.name}; manifest {where}/{MANIFEST}"
    )
    width = max((len(m.file) for m in manifest.mutants), default=0)
    for m in manifest.mutants:
        beside = " (after the clean article)" if m.with_clean else ""
        typer.echo(f"  {m.file:<{width}}  must fail {m.id}{beside}")
    for entry_id, reason in manifest.unbreakable.items():
        typer.echo(f"  {'-':<{width}}  no mutant for {entry_id}: {reason}")
    for entry_id in manifest.no_breaker:
        typer.echo(f"  {'-':<{width}}  no mutant for {entry_id}: its definition has no breaker")


@fixtures_app.command(epilog=VERIFY_EXIT_CODES)
def verify(
    directory: Annotated[
        Path, typer.Argument(help="A directory written by 'toolkit fixtures generate'.")
    ],
    suite: SuiteOption,
) -> None:
    """Run the suite on the clean article and on each mutant alone; print, per expectation,
    whether its mutant was caught by it and by nothing else critical, and a mutation score."""
    from toolkit.engine import EngineError
    from toolkit.fixtures import FixtureError
    from toolkit.fixtures import verify as run_verify

    loaded = _suite(suite)
    if not directory.is_dir():
        raise fail(f"no such directory: {directory}")
    try:
        verification = run_verify(loaded, directory)
    except FixtureError as exc:
        raise fail(str(exc)) from None
    except EngineError as exc:
        raise fail(str(exc)) from None
    for line in describe(verification, loaded):
        typer.echo(line)
    if not verification.clean_passes or (verification.tested and not verification.passed):
        raise typer.Exit(int(ExitCode.FAILED))
    if not verification.tested:
        typer.echo(f"toolkit: nothing to verify: no expectation of {loaded.name} can be broken")
        raise typer.Exit(int(ExitCode.NOTHING_CHECKED))


def describe(v: Verification, suite: Suite) -> list[str]:
    """The verification as lines of text: the clean article, one line per expectation, the
    score."""
    m = v.manifest
    lines = [f"suite {suite.name} ({suite.file}) on {v.directory}/ (made for suite {m.suite})"]
    if v.stale:
        lines.append(
            f"  (mutants for entries no longer in the suite, not run: {', '.join(v.stale)})"
        )
    if not v.clean_read:
        lines.append(f"  {'FAILED':<11}  {v.clean_file}: the clean article cannot be read")
    for f in v.clean_failures:
        lines.append(
            f"  {'FAILED':<11}  {f.file}:{f.line}: the clean article fails {f.id}: {f.message}"
        )
    if v.clean_passes:
        lines.append(f"  {'clean':<11}  {v.clean_file} passes every expectation")
    width = max((len(_name(x)) for x in v.verdicts), default=0)
    for x in v.verdicts:
        place = x.file or ""
        detail = f"{place}: {x.detail}" if x.detail and place else x.detail or place
        lines.append(f"  {_LABEL[x.status]:<11}  {_name(x):<{width}}  {detail}")
    tested = len(v.tested)
    percent = f"{v.score:.0%}" if tested else "n/a"
    lines.append(f"mutation score: {v.caught}/{tested} ({percent})")
    return lines


def _name(v: Verdict) -> str:
    return v.id if v.severity == "critical" else f"{v.id} ({v.severity})"
