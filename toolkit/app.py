"""The `toolkit` command group: the Typer app, its error handling, and the options several
commands share. Each command lives in toolkit/commands/ and registers itself here."""

from __future__ import annotations

import sys
import traceback
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from typer.core import TyperGroup

from toolkit import __version__
from toolkit.result import ExitCode

if TYPE_CHECKING:
    from typer._click import Context


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
