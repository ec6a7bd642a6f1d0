"""The Result as versioned JSON (``schema_version``), the machine-readable form."""

from __future__ import annotations

from typing import TYPE_CHECKING

from toolkit.result import Result
from toolkit.text import json_for_logs

if TYPE_CHECKING:
    from toolkit.reporters import ReportOptions


def render(result: Result, options: ReportOptions) -> str:
    """The data exactly as the run found it (JSON escapes C0 controls itself); C1 and bidi
    characters and GitHub's legacy workflow command "##[" are written as JSON escapes, which
    every JSON reader decodes back to the same text (toolkit.text.json_for_logs)."""
    return json_for_logs(result.to_json(indent=2)) + "\n"
