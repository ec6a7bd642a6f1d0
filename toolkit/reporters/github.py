"""GitHub Actions workflow commands: one annotation per finding, worst first, capped.

GitHub shows only a few annotations per step (10 of each kind, 50 per job at the time of
writing), so the rest are counted in a closing line that names the full report.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable
from typing import TYPE_CHECKING

from toolkit.result import SEVERITIES, Finding, Result, Severity
from toolkit.text import visible

if TYPE_CHECKING:
    from toolkit.reporters import ReportOptions

COMMAND: dict[Severity, str] = {"critical": "error", "warning": "warning", "info": "notice"}
MESSAGE_CHARS = 400


# The escaping rules of the workflow-command syntax (as GitHub's own actions/toolkit applies
# them); no Python package implements it, and it is four replacements.
def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def command(name: str, message: str, **properties: str | int) -> str:
    props = ",".join(f"{k}={escape_property(str(v))}" for k, v in properties.items())
    return (
        f"::{name} {props}::{escape_data(message)}"
        if props
        else f"::{name}::{escape_data(message)}"
    )


def worst_first(result: Result, limit: int | None = None) -> list[Finding]:
    """Critical before warning before info; within one severity the findings of failed
    expectations before those that pass under ``mostly``; then by file and line. With
    ``limit``, the first ``limit`` of that order among those the baseline does not accept,
    picked as the findings are read (heapq.nsmallest is sorted()[:limit], ties included)."""
    rank = {s: i for i, s in enumerate(SEVERITIES)}
    failed = {(e.suite, e.id) for e in result.failed_expectations()}

    def key(f: Finding) -> tuple[int, bool, str, int]:
        return (rank[f.severity], (f.suite, f.id) not in failed, f.file, f.line)

    if limit is None:
        return sorted(result.findings, key=key)
    new: Iterable[Finding] = (f for f in result.findings if f.baseline != "accepted")
    return heapq.nsmallest(limit, new, key=key)


def annotation(f: Finding) -> str:
    # Corpus text, file names and suite names go through visible() before the command syntax
    # escapes them: a control character shows as its marker (the log viewer would act on ESC),
    # and a line break is a marker too, so one finding is one line of annotation.
    text = visible(f.message)
    if f.excerpt:
        text += f" · {visible(f.excerpt)}"
    if len(text) > MESSAGE_CHARS:
        text = text[: MESSAGE_CHARS - 1] + "…"
    return command(
        COMMAND[f.severity],
        text,
        file=visible(f.file),
        line=f.field_line or f.line,
        title=visible(f"{f.suite}/{f.id} ({f.severity})"),
    )


def render(result: Result, options: ReportOptions) -> str:
    # Findings the baseline file accepts are not annotated: only new ones need a look.
    limit = max(0, options.max_annotations)
    ordered = worst_first(result, limit)
    b = result.summary.baseline
    new = len(result.findings) if b is None else b.new
    # An expectation that could not run is always annotated, before any finding, uncapped.
    errors = [
        command("error", visible(e.error or ""), title=f"{e.suite}/{e.id} could not run")
        for e in result.errored_expectations()
    ]
    lines = [annotation(f) for f in ordered]
    more = new - len(lines)
    verdict = (
        f"could not run {len(errors)} expectation(s)"
        if errors
        else "nothing checked"
        if result.exit_code == 3
        else ("passed" if result.summary.passed else "failed")
    )
    where = (
        f"the full report is {options.full_report}"
        if options.full_report
        else "write the full report with --format html:PATH (or json:PATH)"
    )
    counts = ", ".join(f"{result.summary.findings[s]} {s}" for s in SEVERITIES)
    head = f"toolkit check {verdict}: {new} findings ({counts})"
    if b is not None:
        head = (
            f"toolkit check {verdict}: {b.new} new findings, {b.accepted} accepted by "
            f"{b.file}, {len(b.stale)} no longer seen"
        )
    if more:
        lines.append(
            command(
                "notice", f"{head}; {more} more not annotated here; {where}", title="toolkit check"
            )
        )
    else:
        lines.append(command("notice", f"{head}, all annotated; {where}", title="toolkit check"))
    return "\n".join([*errors, *lines]) + "\n"
