"""`toolkit index build ARCHIVE... -o INDEX` and `toolkit index add INDEX ARCHIVE...`: the
archive index that `toolkit check --against INDEX` judges incoming articles against
(toolkit.index)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from toolkit.app import app, fail
from toolkit.commands.check import (
    INPUT_FORMAT_HELP,
    INPUT_PRESET_HELP,
    MAP_HELP,
    InputFormat,
    InputPreset,
    reading_options,
)
from toolkit.readers.dump import DEFAULT_MAX_FILE_SIZE
from toolkit.result import ExitCode

if TYPE_CHECKING:
    from toolkit.expectations.corpus import NearDuplicate
    from toolkit.index import Indexed
    from toolkit.readers.formats import ReadOptions

EXIT_HELP = """Exit codes: 0 indexed; 1 indexed, but some archive files had read problems
(each named on standard error, FILE:LINE; what could be read is indexed); 2 usage error (a
missing ARCHIVE, an INDEX that exists for build, or that is missing, corrupt or of other
signature parameters for add); 3 nothing to index (no input files, or zero articles: no index
written or changed); 4 internal error."""

INDEX_HELP = (
    "The archive index of body hashes and near-duplicate signatures that `toolkit check "
    "--against INDEX` judges incoming articles against.\n\n" + EXIT_HELP
)

index_app = typer.Typer(help=INDEX_HELP, no_args_is_help=True, rich_markup_mode=None)
app.add_typer(index_app, name="index")

ArchiveArgument = Annotated[
    list[Path],
    typer.Argument(
        metavar="ARCHIVE...",
        help="Archived dump files, feeds or directories (walked as `toolkit check` walks them).",
    ),
]
ThresholdOption = Annotated[
    float | None,
    typer.Option(
        help="Similarity from which bodies are near-duplicates: sets the LSH bands (default 0.5, "
        "body_near_duplicate's).",
    ),
]
ShingleOption = Annotated[
    int | None, typer.Option(min=1, max=12, help="Words per shingle (default 3).")
]
PermOption = Annotated[
    int | None, typer.Option(min=16, max=1024, help="MinHash permutations (default 64).")
]
FormatOption = Annotated[InputFormat | None, typer.Option(metavar="FORMAT", help=INPUT_FORMAT_HELP)]
PresetOption = Annotated[InputPreset | None, typer.Option(metavar="PRESET", help=INPUT_PRESET_HELP)]
MapOption = Annotated[
    list[str] | None, typer.Option("--map", metavar="FIELD=RECORD_FIELD", help=MAP_HELP)
]
BatchOption = Annotated[
    int, typer.Option(min=1, metavar="N", help="Articles read and hashed together.")
]


@index_app.command("build", epilog=EXIT_HELP)
def build(
    archive: ArchiveArgument,
    output: Annotated[
        Path,
        typer.Option(
            "--output", "-o", metavar="INDEX", help="The index directory to make (must not exist)."
        ),
    ],
    threshold: ThresholdOption = None,
    shingle_words: ShingleOption = None,
    num_perm: PermOption = None,
    input_format: FormatOption = None,
    input_preset: PresetOption = None,
    field_map: MapOption = None,
    batch_size: BatchOption = 5000,
) -> None:
    """Make an archive index of every article under ARCHIVE: its file and line, headline, body
    hash and MinHash signature."""
    from toolkit.expectations.corpus import NearDuplicate
    from toolkit.index import build as build_index

    p = _params(threshold, shingle_words, num_perm) or NearDuplicate()
    reading = _reading(archive, input_format, input_preset, field_map)
    _done(lambda: build_index(output, archive, p, reading, batch_size), output, "written to")


@index_app.command("add", epilog=EXIT_HELP)
def add(
    index: Annotated[Path, typer.Argument(metavar="INDEX", help="An index made by build.")],
    archive: ArchiveArgument,
    threshold: ThresholdOption = None,
    shingle_words: ShingleOption = None,
    num_perm: PermOption = None,
    input_format: FormatOption = None,
    input_preset: PresetOption = None,
    field_map: MapOption = None,
    batch_size: BatchOption = 5000,
) -> None:
    """Append every article under ARCHIVE to INDEX, as a new segment. The signature options,
    when given, must be the index's (default: the index's)."""
    from toolkit.index import add as add_to_index

    p = _params(threshold, shingle_words, num_perm)
    reading = _reading(archive, input_format, input_preset, field_map)
    _done(lambda: add_to_index(index, archive, p, reading, batch_size), index, "added to")


def _params(
    threshold: float | None, shingle_words: int | None, num_perm: int | None
) -> NearDuplicate | None:
    """The signature parameters given (the rest body_near_duplicate's defaults), or None."""
    from pydantic import ValidationError

    from toolkit.expectations.corpus import NearDuplicate

    given = {
        k: v
        for k, v in (
            ("threshold", threshold),
            ("shingle_words", shingle_words),
            ("num_perm", num_perm),
        )
        if v is not None
    }
    if not given:
        return None
    try:
        return NearDuplicate(**given)
    except ValidationError as exc:
        problem = exc.errors()[0]
        option = "--" + str(problem["loc"][0]).replace("_", "-")
        raise fail(f"{option}: {problem['msg']}") from None


def _reading(
    archive: list[Path],
    input_format: InputFormat | None,
    input_preset: InputPreset | None,
    field_map: list[str] | None,
) -> ReadOptions:
    from toolkit.readers.mapping import parse_mapping_option

    missing = [p for p in archive if not p.exists() and not p.is_symlink()]
    if missing:
        raise fail(f"no such file or directory: {', '.join(map(str, missing))}")
    try:
        mapping = parse_mapping_option(field_map or [])
    except ValueError as exc:
        raise fail(str(exc)) from None
    return reading_options(
        DEFAULT_MAX_FILE_SIZE,
        None if input_format is None else str(input_format),
        None if input_preset is None else str(input_preset),
        mapping,
    )


def _done(work: Callable[[], Indexed], index: Path, verb: str) -> None:
    """Run the build or add; report what was indexed, what was not read and each read
    problem; exit with the code EXIT_HELP documents."""
    from toolkit.index import ArchiveIndexError, NothingToIndex
    from toolkit.text import visible

    try:
        done = work()
    except ArchiveIndexError as exc:
        raise fail(str(exc)) from None
    except NothingToIndex as exc:
        unchanged = "not written" if verb == "written to" else "not changed"
        typer.echo(f"toolkit: nothing to index: {exc}; {index} {unchanged}", err=True)
        raise typer.Exit(int(ExitCode.NOTHING_CHECKED)) from None
    for skip in done.skipped:
        typer.echo(f"toolkit: not read: {skip.label}: {skip.reason}", err=True)
    for file, problem in done.problems:
        typer.echo(f"toolkit: warning: {file}:{problem.line}: {visible(problem.message)}", err=True)
    typer.echo(
        f"toolkit: {done.articles:,} articles of {done.files:,} files {verb} {index} "
        f"({done.segment.name if done.segment else ''})",
        err=True,
    )
    if done.problems:
        files = len({file for file, _ in done.problems})
        typer.echo(
            f"toolkit: {files} file(s) had read problems (above): their readable articles are "
            "indexed",
            err=True,
        )
        raise typer.Exit(int(ExitCode.FAILED))
