"""Baseline files: the findings a team has accepted, so that a run fails only on new ones.

The file is JSON, one finding a line, sorted by file, expectation and fingerprint: a diff of
it reads as "these defects were accepted" or "these were fixed". Each line carries the
expectation id, the file and a short excerpt so that a reviewer sees what is accepted; only
the fingerprint is matched (it does not change when lines move, see engine.fingerprint).
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from pydantic import ValidationError

from toolkit.findings import mapped
from toolkit.result import (
    BaselineEntry,
    BaselineSummary,
    ExpectationStats,
    Finding,
    Result,
    SuiteResult,
    summarise,
)
from toolkit.text import visible

BASELINE_FORMAT = 1
EXCERPT_CHARS = 60


class BaselineError(Exception):
    """A baseline file that cannot be read; ``str()`` reads ``file:line: message``."""


def entry_of(finding: Finding) -> BaselineEntry:
    short = visible(" ".join(finding.excerpt.split()))
    if len(short) > EXCERPT_CHARS:
        short = short[: EXCERPT_CHARS - 1] + "…"
    return BaselineEntry(
        file=finding.file,
        id=finding.id,
        suite=finding.suite,
        fingerprint=finding.fingerprint,
        excerpt=short,
    )


def _order(entry: BaselineEntry) -> tuple[str, str, str, str]:
    return (entry.file, entry.id, entry.suite, entry.fingerprint)


def render(result: Result) -> str:
    """The baseline accepting every finding of ``result``."""
    entries = sorted((entry_of(f) for f in result.findings), key=_order)
    lines = [
        json.dumps(e.model_dump(), ensure_ascii=False, separators=(", ", ": ")) for e in entries
    ]
    body = ",\n".join(f"    {line}" for line in lines)
    findings = f"[\n{body}\n  ]" if lines else "[]"
    return f'{{\n  "toolkit_baseline": {BASELINE_FORMAT},\n  "findings": {findings}\n}}\n'


def load(path: Path) -> list[BaselineEntry]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise BaselineError(
            f"{path}: no such baseline file (write one with `toolkit baseline PATH -o {path}`)"
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise BaselineError(f"{path}: cannot read the baseline: {exc}") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise BaselineError(f"{path}:{exc.lineno}: broken JSON: {exc.msg}") from None
    if not isinstance(data, dict) or data.get("toolkit_baseline") != BASELINE_FORMAT:
        raise BaselineError(
            f'{path}:1: not a toolkit baseline (it starts {{"toolkit_baseline": '
            f"{BASELINE_FORMAT}, ...}}: write one with `toolkit baseline`)"
        )
    raw = data.get("findings")
    if not isinstance(raw, list):
        raise BaselineError(f"{path}: 'findings' must be a list")
    entries = []
    for number, item in enumerate(raw):
        try:
            entries.append(BaselineEntry.model_validate(item))
        except ValidationError as exc:
            # One entry a line, after the three opening lines (as render writes it).
            err = exc.errors()[0]
            key = ".".join(str(p) for p in err["loc"])
            raise BaselineError(
                f"{path}:{number + 4}: finding {number + 1}: {key}: {err['msg']}"
            ) from None
    return entries


def apply(result: Result, entries: list[BaselineEntry], label: str) -> Result:
    """Mark each finding new or accepted; an expectation whose findings are all accepted
    passes, and the baseline entries no finding matched are listed as stale."""
    left = Counter(e.fingerprint for e in entries)
    # One byte a finding: the marks are applied as the findings are read, not to a copy.
    flags = bytearray()
    accepted_of: Counter[tuple[str, str]] = Counter()
    new_of: Counter[tuple[str, str]] = Counter()
    for f in result.findings:
        accepted = left[f.fingerprint] > 0
        if accepted:
            left[f.fingerprint] -= 1
        flags.append(accepted)
        (accepted_of if accepted else new_of)[(f.suite, f.id)] += 1

    def mark(i: int, f: Finding) -> Finding:
        return f.model_copy(update={"baseline": "accepted" if flags[i] else "new"})

    marked = mapped(result.findings, mark)
    stale = []
    for e in sorted(entries, key=_order):
        if left[e.fingerprint] > 0:
            left[e.fingerprint] -= 1
            stale.append(e)
    suites = [_suite(s, accepted_of, new_of) for s in result.suites]
    summary = summarise(result.summary.files, result.summary.articles, suites, marked)
    new = sum(new_of.values())
    baseline = BaselineSummary(file=label, new=new, accepted=len(marked) - new, stale=stale)
    return result.model_copy(
        update={
            "suites": suites,
            "findings": marked,
            "summary": summary.model_copy(update={"baseline": baseline}),
        }
    )


def _suite(
    suite: SuiteResult,
    accepted_of: Counter[tuple[str, str]],
    new_of: Counter[tuple[str, str]],
) -> SuiteResult:
    stats = [
        _stats(e, accepted_of[(e.suite, e.id)], new_of[(e.suite, e.id)]) for e in suite.expectations
    ]
    passed = all(e.passed for e in stats if e.severity == "critical")
    return suite.model_copy(update={"expectations": stats, "passed": passed})


def _stats(stats: ExpectationStats, accepted: int, new: int) -> ExpectationStats:
    # Failing articles not accounted for by accepted findings; findings not kept
    # (--max-findings) cannot be matched, so they count as new.
    unaccepted = max(stats.failed - accepted, 1 if new else 0)
    if stats.mostly is None:
        passed = unaccepted == 0
    else:
        rate = (stats.checked - unaccepted) / stats.checked if stats.checked else 1.0
        passed = rate >= stats.mostly
    return stats.model_copy(update={"accepted": accepted, "passed": passed})
