"""SARIF 2.1.0 for code-scanning tools: one rule per expectation, one result per finding."""

from __future__ import annotations

import re
from pathlib import PurePath, PurePosixPath
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from toolkit.result import ExpectationStats, Finding, Result, Severity
from toolkit.text import json_for_logs, visible

if TYPE_CHECKING:
    from toolkit.reporters import ReportOptions

SCHEMA = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
LEVEL: dict[Severity, str] = {"critical": "error", "warning": "warning", "info": "note"}
# The key of the finding's own fingerprint among partialFingerprints; versioned, as SARIF
# asks, so that a change of how fingerprints are made can be told apart.
FINGERPRINT_KEY = "toolkitFingerprint/v1"
SRCROOT = "%SRCROOT%"


def artifact_uri(path: str) -> tuple[str, str | None]:
    """The URI of a finding's file and its base: relative paths stay relative to the checkout
    (``%SRCROOT%``), which is how code-scanning services map results onto the repository."""
    p = PurePath(path)
    if p.is_absolute():
        return p.as_uri(), None
    return quote(PurePosixPath(*p.parts).as_posix()), SRCROOT


def render(result: Result, options: ReportOptions) -> str:
    # sarif-pydantic's models (pydantic only) keep the field names and nesting of the spec.
    from sarif_pydantic import (
        ArtifactLocation,
        Location,
        Message,
        PhysicalLocation,
        Region,
        ReportingConfiguration,
        ReportingDescriptor,
        Run,
        Sarif,
        Tool,
        ToolDriver,
    )
    from sarif_pydantic import Result as SarifResult

    rules: list[ReportingDescriptor] = []
    index: dict[tuple[str, str], int] = {}
    for suite in result.suites:
        for e in suite.expectations:
            index[(e.suite, e.id)] = len(rules)
            rules.append(
                ReportingDescriptor(
                    id=f"{e.suite}/{e.id}",
                    name=e.expectation,
                    short_description=Message(text=visible(e.description)),
                    full_description=Message(
                        text=f"{visible(e.description)} (suite {visible(e.suite)}, "
                        f"severity {e.severity}"
                        + (f", mostly {e.mostly:g})" if e.mostly is not None else ")")
                    ),
                    default_configuration=ReportingConfiguration(level=LEVEL[e.severity]),
                    properties={
                        "suite": e.suite,
                        "severity": e.severity,
                        "field": e.field,
                        "tags": [e.suite, e.severity],
                    },
                )
            )

    def one(f: Finding) -> SarifResult:
        uri, base = artifact_uri(f.file)
        # What a code-scanning page shows is text from the corpus: control and bidi characters
        # as markers (visible()), as in every report; the JSON report keeps the raw text.
        props: dict[str, Any] = {
            "articleLine": f.line,
            "field": f.field,
            "excerpt": visible(f.excerpt),
        }
        if f.date is not None:
            props["date"] = visible(f.date)
        if f.headline is not None:
            props["headline"] = visible(f.headline)
        if f.baseline is not None:
            # "new" or "accepted" against the run's baseline file (--baseline).
            props["baseline"] = f.baseline
        return SarifResult(
            rule_id=f"{f.suite}/{f.id}",
            rule_index=index.get((f.suite, f.id)),
            level=LEVEL[f.severity],
            message=Message(text=visible(f.message)),
            locations=[
                Location(
                    physical_location=PhysicalLocation(
                        artifact_location=ArtifactLocation(uri=uri, uri_base_id=base),
                        region=Region(start_line=f.field_line or f.line),
                    )
                )
            ],
            partial_fingerprints={FINGERPRINT_KEY: f.fingerprint},
            properties=props,
        )

    def could_not_run(suite_file: str, e: ExpectationStats) -> SarifResult:
        """An expectation that could not run: an error-level result at its suite entry."""
        uri, base = artifact_uri(suite_file)
        at = re.match(re.escape(suite_file) + r":(\d+):", e.error or "")
        return SarifResult(
            rule_id=f"{e.suite}/{e.id}",
            rule_index=index.get((e.suite, e.id)),
            kind="fail",
            level="error",
            message=Message(text=e.error or ""),
            locations=[
                Location(
                    physical_location=PhysicalLocation(
                        artifact_location=ArtifactLocation(uri=uri, uri_base_id=base),
                        region=Region(start_line=int(at.group(1)) if at else 1),
                    )
                )
            ],
            properties={"couldNotRun": True},
        )

    log = Sarif(
        schema_uri=SCHEMA,
        runs=[
            Run(
                tool=Tool(
                    driver=ToolDriver(
                        name=result.run.tool,
                        version=result.run.tool_version,
                        semantic_version=result.run.tool_version,
                        rules=rules,
                    )
                ),
                results=[
                    *(
                        could_not_run(s.file, e)
                        for s in result.suites
                        for e in s.expectations
                        if e.error
                    ),
                    *(one(f) for f in result.findings),
                ],
                properties={
                    "passed": result.summary.passed,
                    "expectationsNotRun": result.summary.errors,
                    "files": result.summary.files,
                    "articles": result.summary.articles,
                    "suites": result.run.suites,
                    "started": result.run.started.isoformat(),
                    "durationSeconds": result.run.duration_s,
                },
            )
        ],
    )
    text: str = log.model_dump_json(by_alias=True, exclude_none=True, indent=2)
    return json_for_logs(text) + "\n"
