"""A Markdown summary, short enough for ``$GITHUB_STEP_SUMMARY`` (1 MiB per step)."""

from __future__ import annotations

import itertools
import re
from html import escape
from typing import TYPE_CHECKING

from toolkit.result import SEVERITIES, ExpectationStats, Finding, Result
from toolkit.text import no_workflow_commands, visible

if TYPE_CHECKING:
    from toolkit.reporters import ReportOptions

# What Markdown would read as emphasis, code, links or table cells is backslash-escaped
# (CommonMark's rule for punctuation, which no library offers on its own); html.escape then
# neutralises HTML, which GitHub renders inline (quotes stay: outside a tag they are text).
_MARKDOWN = re.compile(r"([\\`*_\[\]|~])")
STATUS = {True: "✅", False: "❌"}
ERROR = "⛔"


def md(text: str) -> str:
    """Article text as literal Markdown, invisible characters (line breaks too) shown, so it
    stays on one line."""
    return escape(_MARKDOWN.sub(r"\\\1", visible(text)), quote=False)


def code(text: str) -> str:
    """A code span: literal inside, so only its own delimiter needs care."""
    return "`" + visible(text).replace("`", "'") + "`"


def excerpt_md(f: Finding) -> str:
    """The excerpt with the offending spans in bold."""
    text, cuts = f.excerpt, sorted({0, len(f.excerpt)} | {p for s in f.spans for p in s})
    parts = []
    for a, b in itertools.pairwise(cuts):
        if a >= b or b > len(text):
            continue
        piece = md(text[a:b])
        inside = any(s <= a and b <= e for s, e in f.spans)
        parts.append(f"<b>{piece}</b>" if inside else piece)
    return "".join(parts)


def _row(e: ExpectationStats) -> str:
    mostly = f" (mostly {e.mostly:g})" if e.mostly is not None else ""
    status = ERROR if e.error is not None else STATUS[e.passed]
    return (
        f"| {status} | {code(e.id)} | {e.severity} | {e.failed} / {e.checked} "
        f"| {e.success_rate:.1%}{mostly} |"
    )


def render(result: Result, options: ReportOptions) -> str:
    s = result.summary
    verdict = (
        f"{ERROR} error: {s.errors} expectation(s) could not run"
        if s.errors
        else "⚠️ nothing checked"
        if result.exit_code == 3
        else f"{STATUS[s.passed]} {'passed' if s.passed else 'failed'}"
    )
    suites = ", ".join(code(x.name) for x in result.suites)
    out = [
        f"## toolkit check {verdict}",
        "",
        f"**{s.files}** files · **{s.articles}** articles · {result.run.duration_s:.2f} s · "
        f"suites {suites} · {result.run.tool} {result.run.tool_version}",
        "",
        "| findings | " + " | ".join(SEVERITIES) + " |",
        "| --- | " + " | ".join("---:" for _ in SEVERITIES) + " |",
        "| | " + " | ".join(str(s.findings[x]) for x in SEVERITIES) + " |",
        "",
        *_baseline_lines(result),
    ]
    for suite in result.suites:
        out += [
            f"### suite {code(suite.name)} {STATUS[suite.passed]}",
            "",
            "| | expectation | severity | failed / checked | pass rate |",
            "| --- | --- | --- | ---: | ---: |",
            *(_row(e) for e in suite.expectations),
            "",
            *(
                f"- {ERROR} {code(e.id)} could not run: {md(e.error)}"
                for e in suite.expectations
                if e.error
            ),
            *([""] if any(e.error for e in suite.expectations) else []),
        ]
        for e in suite.expectations:
            # Accepted findings are counted above, not listed.
            found, total = result.unaccepted(e.suite, e.id, options.examples)
            if not total:
                continue
            out += [
                f"<details><summary>{STATUS[e.passed]} "
                f"<code>{escape(visible(e.id), quote=False)}</code>: "
                f"{total} failing, the first {min(total, options.examples)}</summary>",
                "",
            ]
            for f in found:
                line = f"- {code(f'{f.file}:{f.line}')} {md(f.message)}"
                if f.excerpt:
                    line += f"<br><code>{excerpt_md(f)}</code>"
                out.append(line)
            if total > options.examples:
                out.append(f"- … and {total - options.examples} more")
            out += ["", "</details>", ""]
    if options.full_report:
        out += [f"Full report: {code(options.full_report)}", ""]
    # A summary printed into a CI log must start no workflow command (toolkit.text).
    return no_workflow_commands("\n".join(out))


def _baseline_lines(result: Result) -> list[str]:
    """New, accepted and no-longer-seen findings against the baseline file, if one is used."""
    b = result.summary.baseline
    if b is None:
        return []
    out = [
        f"Baseline {code(b.file)}: **{b.new}** new · {b.accepted} accepted · "
        f"{len(b.stale)} no longer seen",
        "",
    ]
    if b.stale:
        out += [
            f"<details><summary>No longer seen: remove from {code(b.file)}</summary>",
            "",
            *(f"- {code(e.file)} {code(e.id)} {md(e.excerpt)}" for e in b.stale),
            "",
            "</details>",
            "",
        ]
    return out
