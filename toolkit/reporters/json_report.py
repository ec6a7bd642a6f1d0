"""The Result as versioned JSON (``schema_version``), the machine-readable form."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from toolkit.result import Result
from toolkit.text import json_for_logs

if TYPE_CHECKING:
    from toolkit.reporters import ReportOptions


def render(result: Result, options: ReportOptions) -> str:
    """The data exactly as the run found it (JSON escapes C0 controls itself); C1 and bidi
    characters and GitHub's legacy workflow command "##[" are written as JSON escapes, which
    every JSON reader decodes back to the same text (toolkit.text.json_for_logs)."""
    parts: list[str] = []
    write(result, options, parts.append)
    return "".join(parts)


def write(result: Result, options: ReportOptions, out: Callable[[str], object]) -> None:
    """``render``'s text, to ``out`` a few thousand findings at a time. Each piece starts at
    a bracket, a comma or a line break and ends at a closing brace, so no "##[" or line
    start is cut in two and json_for_logs gives the same text piece by piece."""
    result.write_json(lambda piece: out(json_for_logs(piece)), indent=2)
    out("\n")
