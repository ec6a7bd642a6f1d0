"""The rich terminal report: summary, a table per suite, the first failing articles."""

from __future__ import annotations

import io
from collections.abc import Mapping
from typing import TYPE_CHECKING

from rich.console import Console, Group
from rich.padding import Padding
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from toolkit.result import ExpectationStats, Result, Severity
from toolkit.text import no_workflow_commands, visible

if TYPE_CHECKING:
    from toolkit.reporters import ReportOptions

SEVERITY_STYLE = {"critical": "bold red", "warning": "yellow", "info": "cyan"}
# Only a critical failure fails the run; the words say so.
FAILED_STATUS = {"critical": "FAIL", "warning": "warn", "info": "note"}
MARK = {"critical": "✗", "warning": "!", "info": "·"}
# Entries not read (run.skipped) listed with their reason; the rest are counted.
SKIPS_SHOWN = 10


# Every string from a corpus, a file name or a suite enters the report through visible() and
# as a rich Text (never as markup, so "[" in article text is text and no OSC 8 link can be
# made); the rendered report then goes through no_workflow_commands(), since rich wraps long
# text where it likes and a continuation line must not start a GitHub workflow command.


def render(result: Result, options: ReportOptions) -> str:
    buf = io.StringIO()
    console = Console(
        file=buf,
        width=max(60, options.width),
        force_terminal=options.color,
        no_color=not options.color,
        highlight=False,
        emoji=False,
    )
    if not options.quiet:
        console.print(_summary(result))
    for suite in result.suites:
        failing = [
            e
            for e in suite.expectations
            if e.failed and not _accepted_all(e) and e.reported_in is None
        ]
        if options.quiet:
            for stats in failing:
                if not stats.passed and stats.severity != "info":
                    console.print(_examples(result, stats, options.examples))
            continue
        console.print()
        console.print(
            Text.assemble(
                ("suite ", "bold"), (visible(suite.name), "bold"), f"  ({visible(suite.file)})"
            )
        )
        if suite.description:
            console.print(Text(visible(suite.description), style="dim"))
        shown = [e for e in suite.expectations if options.show_passing or e.failed]
        if shown:
            console.print(_suite_table(shown))
        folded = [e for e in suite.expectations if e not in shown]
        if folded:
            names = ", ".join(visible(e.id) for e in folded)
            line = Text.assemble(("✓ ", "green"), f"{len(folded)} passing: ", (names, "dim"))
            console.print(Padding(line, (0, 0, 0, 2), expand=False))
        console.print(*_shared(suite.expectations))
        for e in suite.expectations:
            if e.engine_note:
                console.print(
                    Text.assemble("  note ", (visible(e.id), "bold"), f": {visible(e.engine_note)}")
                )
            if e.error:
                console.print(
                    Text.assemble(
                        "  error ", (visible(e.id), "bold magenta"), f": {visible(e.error)}"
                    )
                )
        info = [e for e in failing if e.severity == "info"]
        for stats in failing:
            if stats.severity != "info" or options.show_info:
                console.print(_examples(result, stats, options.examples))
        if info and not options.show_info:
            counts = ", ".join(f"{visible(e.id)} {e.failed}" for e in info)
            line = Text.assemble(
                ("· info ", SEVERITY_STYLE["info"]),
                f"(never fails a run) articles: {counts}  (--show-info lists them)",
            )
            console.print(Padding(line, (0, 0, 0, 2), expand=False))
    skips = result.run.skips()
    if skips and not options.quiet:
        console.print()
        console.print(Text(f"Not read: {len(skips)} entries", style="bold"))
        for skip in skips[:SKIPS_SHOWN]:
            console.print(Text(f"  {visible(skip.path)}  {visible(skip.reason)}", style="dim"))
        if len(skips) > SKIPS_SHOWN:
            console.print(
                Text(f"  … and {len(skips) - SKIPS_SHOWN} more (all in --format json or html)")
            )
    if result.summary.baseline is not None and result.summary.baseline.stale and not options.quiet:
        console.print(_stale(result))
    console.print(_verdict(result))
    # Rich pads wrapped, indented lines to the width: trailing blanks only make copies noisy.
    text = "\n".join(line.rstrip(" ") for line in buf.getvalue().split("\n"))
    return no_workflow_commands(text)


def _shared(stats: list[ExpectationStats]) -> list[Padding]:
    """One line per earlier suite whose entries this suite repeats: their findings are
    listed there, once."""
    lines = []
    for owner in dict.fromkeys(e.reported_in for e in stats if e.reported_in):
        ids = [e.id for e in stats if e.reported_in == owner and e.failed]
        if not ids:
            continue
        line = Text.assemble(
            f"= {len(ids)} failing shared with suite {visible(str(owner))} (same expectation "
            "and parameters), listed there once: ",
            (visible(", ".join(ids)), "dim"),
        )
        lines.append(Padding(line, (0, 0, 0, 2), expand=False))
    return lines


def _accepted_all(stats: ExpectationStats) -> bool:
    """Every finding of the expectation is in the baseline: nothing to act on here."""
    return stats.accepted > 0 and stats.passed and stats.accepted >= stats.failed


EXIT_MEANING = {
    0: "exit 0: every critical expectation passed",
    1: "exit 1: a critical expectation failed",
    3: "exit 3: nothing was checked",
}


def _verdict(result: Result) -> Text:
    """The closing line: what a person reads last, with what the exit code means."""
    s = result.summary
    code = int(result.exit_code)
    word, style = (
        ("NOTHING CHECKED", "bold yellow")
        if code == 3
        else ("PASSED", "bold green")
        if s.passed
        else ("FAILED", "bold red")
    )
    failed = {k: n for k, n in s.expectations_failed.items() if n} or s.expectations_failed
    parts: list[Text | str] = [
        Text(word, style=style),
        " · failed expectations: ",
        *_counts(failed),
        f" of {s.expectations} · {s.files} files, {s.articles} articles",
    ]
    if s.baseline is not None:
        b = s.baseline
        parts.append(
            f" · baseline: {b.new} new, {b.accepted} accepted, {len(b.stale)} no longer seen"
        )
    parts.append(f" · {EXIT_MEANING.get(code, f'exit {code}')}")
    return Text.assemble(*parts)


def _stale(result: Result) -> Group:
    baseline = result.summary.baseline
    assert baseline is not None
    head = Text(
        f"No longer seen ({len(baseline.stale)}): remove from {visible(baseline.file)} "
        "(toolkit baseline rewrites it)",
        style="bold",
    )
    lines: list[Text | Padding] = [head]
    for e in baseline.stale[:10]:
        row = Text.assemble(
            (visible(e.file), "bold"), f"  {visible(e.id)}  ", (visible(e.excerpt), "dim")
        )
        lines.append(Padding(row, (0, 0, 0, 4), expand=False))
    if len(baseline.stale) > 10:
        lines.append(Text(f"    … and {len(baseline.stale) - 10} more", style="dim"))
    return Group(*lines)


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
        elif e.passed and e.mostly is None:
            status = Text(f"pass ({e.accepted} accepted)", style="green")
        elif e.passed:
            status = Text(f"pass (mostly {e.mostly:g})", style="green")
        else:
            status = Text(FAILED_STATUS[e.severity], style=SEVERITY_STYLE[e.severity])
        table.add_row(
            Text(visible(e.id)),
            Text(e.severity, style=SEVERITY_STYLE[e.severity]),
            str(e.checked),
            str(e.failed),
            f"{e.success_rate:.1%}",
            status,
        )
    return table


def _examples(result: Result, stats: ExpectationStats, limit: int) -> Group:
    found, total = result.unaccepted(stats.suite, stats.id, limit)
    head = Text.assemble(
        (
            f"  {MARK[stats.severity]} " if not stats.passed else "  • ",
            SEVERITY_STYLE[stats.severity],
        ),
        (visible(stats.id), "bold"),
        f"  {stats.failed} failing",
        f" ({stats.accepted} accepted by the baseline)" if stats.accepted else "",
        f"  (also suite {visible(', '.join(found[0].also_in))})"
        if found and found[0].also_in
        else "",
    )
    lines: list[Text | Padding] = [head]
    for f in found:
        # Padded rather than prefixed with spaces: a wrapped line keeps its indent.
        lines.append(
            Padding(
                Text.assemble((f"{visible(f.file)}:{f.line}", "bold"), f"  {visible(f.message)}"),
                (0, 0, 0, 4),
                expand=False,
            )
        )
        if f.excerpt:
            lines.append(Padding(Text(visible(f.excerpt), style="dim"), (0, 0, 0, 6), expand=False))
    shown = len(found)
    more = total + stats.findings_omitted - shown
    if more > 0:
        omitted = stats.findings_omitted
        note = f" ({omitted} not kept: --max-findings)" if omitted else ""
        lines.append(Text(f"    … and {more} more{note}", style="dim"))
    return Group(*lines)
