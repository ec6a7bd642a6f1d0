"""The rich terminal report: summary, a table per suite, the first failing articles."""

from __future__ import annotations

import io
from collections.abc import Mapping
from typing import TYPE_CHECKING

from rich.console import Console, Group
from rich.markup import escape
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from toolkit.result import ExpectationStats, Result, Severity
from toolkit.text import visible

if TYPE_CHECKING:
    from toolkit.reporters import ReportOptions

SEVERITY_STYLE = {"critical": "bold red", "warning": "yellow", "info": "cyan"}
# Only a critical failure fails the run; the words say so.
FAILED_STATUS = {"critical": "FAIL", "warning": "warn", "info": "note"}
MARK = {"critical": "✗", "warning": "!", "info": "·"}


def render(result: Result, options: ReportOptions) -> str:
    buf = io.StringIO()
    console = Console(
        file=buf,
        width=options.width,
        force_terminal=options.color,
        no_color=not options.color,
        highlight=False,
        emoji=False,
    )
    console.print(_summary(result))
    for suite in result.suites:
        console.print()
        console.print(Text.assemble(("suite ", "bold"), (suite.name, "bold"), f"  ({suite.file})"))
        if suite.description:
            console.print(Text(suite.description, style="dim"))
        console.print(_suite_table(suite.expectations))
        for e in suite.expectations:
            if e.engine_note:
                console.print(Text.assemble("  note ", (e.id, "bold"), f": {e.engine_note}"))
            if e.error:
                console.print(
                    Text.assemble("  error ", (e.id, "bold magenta"), f": {visible(e.error)}")
                )
        failing = [e for e in suite.expectations if e.failed]
        for stats in failing:
            console.print(_examples(result, stats, options.examples))
    if result.run.skipped_files:
        names = ", ".join(result.run.skipped_files[:5])
        more = len(result.run.skipped_files) - 5
        tail = f" and {more} more" if more > 0 else ""
        console.print(
            f"[dim]Not read (not a .txt dump): {escape(names)}{tail}. Name a file to read it.[/dim]"
        )
    return buf.getvalue()


def _summary(result: Result) -> Panel:
    s = result.summary
    code = result.exit_code
    if s.errors:
        verdict = Text(f"ERROR: {s.errors} expectation(s) could not run", style="bold magenta")
    elif code == 3:
        verdict = Text("NOTHING CHECKED", style="bold yellow")
    elif s.passed:
        verdict = Text("PASSED", style="bold green")
    else:
        verdict = Text("FAILED", style="bold red")
    facts = Text.assemble(
        verdict,
        f"   files {s.files}   articles {s.articles}   duration {result.run.duration_s:.2f}s\n",
        "findings: ",
        *_counts(s.findings),
        "\nfailed expectations: ",
        *_counts(s.expectations_failed),
        f" of {s.expectations}",
    )
    engine = f" · engine {result.run.engine}" if result.run.engine != "pandera" else ""
    title = f"toolkit check · {len(result.suites)} suite(s){engine}"
    return Panel(facts, title=title, expand=False)


def _counts(counts: Mapping[Severity, int]) -> list[Text | str]:
    parts: list[Text | str] = []
    for i, (severity, n) in enumerate(counts.items()):
        if i:
            parts.append(", ")
        parts.append(Text(f"{n} {severity}", style=SEVERITY_STYLE[severity] if n else "dim"))
    return parts


def _suite_table(stats: list[ExpectationStats]) -> Table:
    table = Table()
    table.add_column("expectation")
    table.add_column("severity")
    table.add_column("checked", justify="right")
    table.add_column("failed", justify="right")
    table.add_column("success", justify="right")
    table.add_column("status")
    for e in stats:
        if e.error is not None:
            status = Text("ERROR", style="bold magenta")
        elif e.passed and not e.failed:
            status = Text("pass", style="green")
        elif e.passed:
            status = Text(f"pass (mostly {e.mostly:g})", style="green")
        else:
            status = Text(FAILED_STATUS[e.severity], style=SEVERITY_STYLE[e.severity])
        table.add_row(
            e.id,
            Text(e.severity, style=SEVERITY_STYLE[e.severity]),
            str(e.checked),
            str(e.failed),
            f"{e.success_rate:.1%}",
            status,
        )
    return table


def _examples(result: Result, stats: ExpectationStats, limit: int) -> Group:
    found = result.findings_for(stats.suite, stats.id)
    head = Text.assemble(
        (
            f"  {MARK[stats.severity]} " if not stats.passed else "  • ",
            SEVERITY_STYLE[stats.severity],
        ),
        (stats.id, "bold"),
        f"  {stats.failed} failing",
    )
    lines: list[Text] = [head]
    for f in found[:limit]:
        lines.append(Text.assemble(("    ", ""), (f"{f.file}:{f.line}", "bold"), f"  {f.message}"))
        if f.excerpt:
            lines.append(Text.assemble("      ", (visible(f.excerpt), "dim")))
    shown = min(len(found), limit)
    more = len(found) + stats.findings_omitted - shown
    if more > 0:
        omitted = stats.findings_omitted
        note = f" ({omitted} not kept: --max-findings)" if omitted else ""
        lines.append(Text(f"    … and {more} more{note}", style="dim"))
    return Group(*lines)
