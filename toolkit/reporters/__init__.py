"""Reporters: each renders the Result, and nothing else, into one output format."""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from toolkit.reporters import (
    github,
    gitlab,
    html,
    json_report,
    junit,
    markdown,
    sarif,
    terminal,
)
from toolkit.reporters.redact import redact_emails
from toolkit.result import Result


@dataclass(frozen=True)
class ReportOptions:
    color: bool = False
    width: int = 120
    # Failing articles shown under each expectation in summary formats.
    examples: int = 5
    # Replace email addresses in every format: applied once to the Result (write_reports).
    redact_emails: bool = False
    # GitHub shows only a few annotations per step; the rest are counted in a closing line.
    max_annotations: int = 50
    # Where this run's full report is written, for formats that show only part of it.
    full_report: str | None = None
    # The terminal report: only the verdict and the failures; passing rows and info findings
    # listed rather than folded into a line.
    quiet: bool = False
    show_passing: bool = False
    show_info: bool = False


Render = Callable[[Result, ReportOptions], str]
REPORTERS: dict[str, Render] = {
    "rich": terminal.render,
    "json": json_report.render,
    "html": html.render,
    "junit": junit.render,
    "sarif": sarif.render,
    "github": github.render,
    "markdown": markdown.render,
    "gitlab": gitlab.render,
}
# The file a person or a tool should open for everything a capped format leaves out.
FULL_REPORT_PREFERENCE = ("html", "json", "sarif", "junit", "markdown")


class ReportError(Exception):
    pass


@dataclass(frozen=True)
class Destination:
    format: str
    path: Path | None  # None: standard output

    @classmethod
    def parse(cls, spec: str) -> Destination:
        """``NAME`` (standard output) or ``NAME:PATH``."""
        name, _, path = spec.partition(":")
        name = name.strip().lower()
        if name not in REPORTERS:
            raise ReportError(
                f"unknown format {name!r}: choose from {', '.join(sorted(REPORTERS))} "
                "(NAME or NAME:PATH)"
            )
        return cls(name, Path(path) if path and path != "-" else None)


def plan_destinations(specs: Sequence[str], output: Path | None = None) -> list[Destination]:
    """Parse ``--format`` values (default: rich on standard output); ``output`` is the path of
    the one format given without a path. At most one format may go to standard output."""
    dests = [Destination.parse(spec) for spec in (specs or ["rich"])]
    if output is not None:
        bare = [i for i, d in enumerate(dests) if d.path is None]
        if len(bare) != 1:
            raise ReportError("--output needs exactly one --format without a path")
        dests[bare[0]] = Destination(dests[bare[0]].format, output)
    if sum(d.path is None for d in dests) > 1:
        raise ReportError(
            "only one format can go to standard output; give the others a path (NAME:PATH)"
        )
    return dests


def write_reports(result: Result, dests: Sequence[Destination], options: ReportOptions) -> None:
    """Write every destination from one Result: redaction happens here, once, so no format
    can leak what another hides."""
    if options.redact_emails:
        result = redact_emails(result)
    if options.full_report is None:
        files = {d.format: d.path for d in dests if d.path is not None}
        full = next((files[f] for f in FULL_REPORT_PREFERENCE if f in files), None)
        options = replace(options, full_report=str(full) if full else None)
    for dest in dests:
        write_report(result, dest, options)


def write_report(result: Result, dest: Destination, options: ReportOptions) -> None:
    text = REPORTERS[dest.format](result, options)
    if dest.path is None:
        sys.stdout.write(text)
        sys.stdout.flush()
    else:
        write_atomic(dest.path, text)


def write_atomic(path: Path, text: str) -> None:
    """Write to a temporary file beside ``path`` and rename it over: a killed run never
    leaves half a report."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as out:
            out.write(text)
        # mkstemp creates the file private (0600); a report gets the mode any new file gets.
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask
