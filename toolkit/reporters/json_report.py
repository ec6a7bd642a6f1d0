"""The Result as versioned JSON (``schema_version``), the machine-readable form."""

from __future__ import annotations

from typing import TYPE_CHECKING

from toolkit.result import Result

if TYPE_CHECKING:
    from toolkit.reporters import ReportOptions


def render(result: Result, options: ReportOptions) -> str:
    return result.to_json(indent=2) + "\n"
