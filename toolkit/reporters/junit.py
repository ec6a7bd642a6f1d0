"""JUnit XML for CI test tabs: one testsuite per suite, one testcase per expectation."""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from toolkit.result import ExpectationStats, Finding, Result
from toolkit.text import no_workflow_commands, visible

if TYPE_CHECKING:
    from toolkit.reporters import ReportOptions

# visible() already marks C0/C1 controls; these are the remaining characters XML 1.0 forbids.
_NOT_XML = re.compile("[\ud800-\udfff\ufffe\uffff]")


def xml_text(text: str) -> str:
    """Article text made safe for XML, invisible characters (line breaks too) shown."""
    return _NOT_XML.sub(lambda m: f"[U+{ord(m.group()):04X}]", visible(text))


def place(f: Finding) -> str:
    return f"{f.file}:{f.line}"


def failure_message(stats: ExpectationStats, found: Sequence[Finding], limit: int) -> str:
    """One line: how many articles fail and the first of them, by file:line."""
    first = ", ".join(place(f) for f in found[:limit])
    more = f" and {len(found) - limit} more" if len(found) > limit else ""
    mostly = f" (mostly {stats.mostly:g} required)" if stats.mostly is not None else ""
    return (
        f"{stats.failed} of {stats.checked} fail, pass rate {stats.success_rate:.1%}{mostly}; "
        f"first: {first}{more}"
    )


def details(found: Sequence[Finding], limit: int) -> str:
    lines = []
    for f in found[:limit]:
        lines.append(xml_text(f"{place(f)}  [{f.field}]  {f.message}"))
        if f.excerpt:
            lines.append("    " + xml_text(f.excerpt))
    if len(found) > limit:
        lines.append(f"… and {len(found) - limit} more")
    return "\n".join(lines)


def render(result: Result, options: ReportOptions) -> str:
    # junitparser keeps the element tree right (nesting, counts); it is small and maintained.
    from junitparser import Error, Failure, JUnitXml, TestCase, TestSuite

    xml = JUnitXml("toolkit check")
    for suite in result.suites:
        ts = TestSuite(xml_text(suite.name))
        ts.timestamp = result.run.started.isoformat()
        ts.add_property("file", xml_text(suite.file))
        ts.add_property("articles", str(result.summary.articles))
        ts.add_property("files", str(result.summary.files))
        if suite.description:
            ts.add_property("description", xml_text(suite.description))
        failures = errors = 0
        for stats in suite.expectations:
            case = TestCase(xml_text(stats.id), classname=xml_text(suite.name))
            found = result.findings_for(stats.suite, stats.id)
            if stats.error is not None:  # it could not run: an <error>, not a <failure>
                errors += 1
                case.result = [Error(xml_text(stats.error), "error")]
            elif not stats.passed:
                failures += 1
                # type carries the severity: only critical failures fail the run (exit 1).
                failure = Failure(
                    xml_text(failure_message(stats, found, options.examples)), stats.severity
                )
                failure.text = details(found, options.examples)
                case.result = [failure]
            elif found:
                case.system_out = (
                    f"passes under mostly={stats.mostly:g} with {stats.failed} failing:\n"
                    + details(found, options.examples)
                )
            ts.append(case)  # type: ignore[no-untyped-call]  # junitparser leaves it bare
        # Counted here: junitparser's add_testcase() recounts the whole suite each time and
        # writes a time of 0, but the engine validates all suites in one pass, so no
        # per-suite time exists.
        ts.tests = len(suite.expectations)
        ts.failures = failures
        ts.errors = errors
        ts.skipped = 0
        xml.add_testsuite(ts)
    xml.tests = sum(len(s.expectations) for s in result.suites)
    xml.failures = sum(
        1 for s in result.suites for e in s.expectations if not e.passed and e.error is None
    )
    xml.errors = result.summary.errors
    xml.time = round(result.run.duration_s, 3)
    out = io.BytesIO()
    xml.write(out, pretty=True)
    # Printed into a CI log, no line may start a workflow command: a place (file:line) starts
    # the lines of a failure's text. Character references keep the text exact for XML readers.
    return no_workflow_commands(out.getvalue().decode("utf-8"), colon="&#58;", hash="&#35;")
