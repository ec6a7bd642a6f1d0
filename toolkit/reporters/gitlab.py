"""GitLab Code Quality JSON: one issue per finding, for merge-request widgets.

The format is a JSON array of issues with description, check_name, fingerprint, severity
and location (path, lines.begin), as GitLab's Code Quality report documents it. Findings a
baseline file accepts are left out: only new ones are issues to look at.
"""

from __future__ import annotations

import json
from collections import Counter
from typing import TYPE_CHECKING, Any

from toolkit.result import Result, Severity
from toolkit.text import json_for_logs, visible

if TYPE_CHECKING:
    from toolkit.reporters import ReportOptions

# GitLab's scale is info, minor, major, critical, blocker; only a critical finding fails a run.
SEVERITY: dict[Severity, str] = {"critical": "critical", "warning": "major", "info": "info"}


def render(result: Result, options: ReportOptions) -> str:
    issues: list[dict[str, Any]] = []
    seen: Counter[str] = Counter()
    for f in result.findings:
        if f.baseline == "accepted":
            continue
        # GitLab tells issues apart by fingerprint: the same defect twice in one file (a
        # duplicated article) gets a numbered second one.
        seen[f.fingerprint] += 1
        n = seen[f.fingerprint]
        issues.append(
            {
                "description": visible(f.message),
                "check_name": f"{f.suite}/{f.id}",
                "fingerprint": f.fingerprint if n == 1 else f"{f.fingerprint}-{n}",
                "severity": SEVERITY[f.severity],
                "location": {"path": f.file, "lines": {"begin": f.field_line or f.line}},
            }
        )
    # The raw path stays exact for GitLab to place it; C1 and bidi characters are escaped.
    return json_for_logs(json.dumps(issues, indent=2, ensure_ascii=False)) + "\n"
