"""Reporters: each renders the Result, and nothing else, into one output format."""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from toolkit.reporters import json_report, terminal
from toolkit.result import Result


@dataclass(frozen=True)
class ReportOptions:
    color: bool = False
    width: int = 120
    # Failing articles shown under each expectation in summary formats.
    examples: int = 5


Render = Callable[[Result, ReportOptions], str]
REPORTERS: dict[str, Render] = {
    "rich": terminal.render,
    "json": json_report.render,
}


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
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
