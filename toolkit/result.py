"""The Result of a run: plain data that every reporter reads, serialised as versioned JSON."""

from __future__ import annotations

import datetime as dt
from abc import abstractmethod
from collections import Counter
from collections.abc import Iterable, Sequence
from enum import IntEnum
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, GetCoreSchemaHandler, TypeAdapter
from pydantic_core import core_schema

from toolkit.profile import CorpusStats

SCHEMA_VERSION = "1.1"
Severity = Literal["critical", "warning", "info"]
SEVERITIES: tuple[Severity, ...] = ("critical", "warning", "info")


class ExitCode(IntEnum):
    """Exit codes of ``toolkit check`` (README, ``--help``). When several apply, the first of
    USAGE, ERROR, REPORT_FAILED, NOTHING_CHECKED, FAILED wins."""

    OK = 0
    FAILED = 1
    USAGE = 2
    NOTHING_CHECKED = 3
    # An expectation could not run (its code raised or returned the wrong shape), or the tool
    # itself failed: the verdict is incomplete, whatever else passed or failed.
    ERROR = 4
    # A report could not be written; every other report was.
    REPORT_FAILED = 5


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Finding(_Model):
    """One failure of one expectation on one article (or one file)."""

    suite: str
    expectation: str
    id: str
    severity: Severity
    file: str
    line: int
    field: str
    field_line: int | None = None
    excerpt: str
    # Where the problem sits inside ``excerpt``: [start, end) character offsets, for highlighting.
    spans: list[tuple[int, int]] = Field(default_factory=list)
    message: str
    fingerprint: str
    # The article's header date and headline, as written (None for file-level findings).
    date: str | None = None
    headline: str | None = None
    # With --baseline: "accepted" (in the baseline file, does not fail the run) or "new".
    baseline: Literal["new", "accepted"] | None = None
    # The other suites of the run whose entry checks the same thing: the defect is reported
    # once, here (see toolkit.suite.fold_shared).
    also_in: list[str] = Field(default_factory=list)


class FindingSequence(Sequence[Finding]):
    """Findings kept outside memory (toolkit.findings.StoredFindings), read as they are
    used: a Result's findings may be a million."""

    @abstractmethod
    def severities(self) -> Counter[str]:
        """How many findings of each severity."""

    @abstractmethod
    def of(self, suite: str, expectation_id: str) -> Sequence[Finding]:
        """The findings of one expectation, without reading the others."""


def _findings_as_they_are(value: Any, handler: core_schema.ValidatorFunctionWrapHandler) -> Any:
    # Stored findings were made by the engine: validating them would read them all.
    return value if isinstance(value, FindingSequence) else handler(value)


def _findings_as_list(value: Any, handler: core_schema.SerializerFunctionWrapHandler) -> Any:
    return handler(list(value) if isinstance(value, FindingSequence) else value)


class _Findings:
    """The type of Result.findings: a list of Finding in JSON, a list or a FindingSequence
    in Python."""

    @classmethod
    def __get_pydantic_core_schema__(
        cls, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        as_list = handler.generate_schema(list[Finding])
        return core_schema.no_info_wrap_validator_function(
            _findings_as_they_are,
            as_list,
            serialization=core_schema.wrap_serializer_function_ser_schema(
                _findings_as_list, schema=as_list
            ),
        )


Findings = Annotated[Sequence[Finding], _Findings]
_FINDING_LIST = TypeAdapter(list[Finding])


class ExpectationStats(_Model):
    suite: str
    id: str
    expectation: str
    description: str
    severity: Severity
    field: str
    params: dict[str, Any] = Field(default_factory=dict)
    checked: int
    failed: int
    success_rate: float
    mostly: float | None = None
    passed: bool
    # Set when the run's engine (run.engine) did not check this expectation itself: who did,
    # and why (e.g. an expectation Great Expectations has no form for, under --engine gx).
    engine_note: str | None = None
    # Failing articles whose findings were not kept (--max-findings); the counts stay exact.
    findings_omitted: int = 0
    # With --baseline: this expectation's findings the baseline file accepts.
    accepted: int = 0
    # Set when the expectation could not run: its check, explain, sketch or judge raised or
    # returned the wrong shape. "suite.yaml:LINE: what happened"; such an entry never passes.
    error: str | None = None
    # Set when an earlier suite of the run has the same entry (same expectation, parameters,
    # severity): that suite's name; the findings are listed there, once, and counted here too.
    reported_in: str | None = None


class SuiteResult(_Model):
    name: str
    description: str = ""
    file: str
    passed: bool
    expectations: list[ExpectationStats]


class SkippedFile(_Model):
    """An entry of the input that was not read (a FIFO, a hidden file, a *.md file...)."""

    path: str
    # What it is, one of toolkit.readers.discover.SkipKind; "not_read" in a 1.0 Result.
    kind: str
    reason: str


class RunInfo(_Model):
    tool: str = "toolkit"
    tool_version: str
    engine: str = "pandera"
    paths: list[str]
    suites: list[str]
    started: dt.datetime
    duration_s: float
    # The paths of ``skipped``, kept for readers of schema 1.0.
    skipped_files: list[str] = Field(default_factory=list)
    skipped: list[SkippedFile] = Field(default_factory=list)
    # Paths in this Result show each byte that is not UTF-8 as \xNN; here are the exact bytes
    # (hex) of each such path, by the path as shown.
    raw_paths: dict[str, str] = Field(default_factory=dict)

    def skips(self) -> list[SkippedFile]:
        """Every skipped entry with its reason; a 1.0 Result has the paths alone."""
        if self.skipped or not self.skipped_files:
            return list(self.skipped)
        return [SkippedFile(path=p, kind="not_read", reason="not read") for p in self.skipped_files]


class BaselineEntry(_Model):
    """One accepted finding in a baseline file (toolkit.baseline)."""

    file: str
    id: str
    suite: str
    fingerprint: str
    excerpt: str = ""


class BaselineSummary(_Model):
    """How the run compares with its baseline file: only new findings fail it; stale entries
    (no longer seen) can be removed from the file."""

    file: str
    new: int
    accepted: int
    stale: list[BaselineEntry] = Field(default_factory=list)


class Summary(_Model):
    files: int
    articles: int
    passed: bool
    expectations: int
    expectations_failed: dict[Severity, int]
    findings: dict[Severity, int]
    baseline: BaselineSummary | None = None
    # Expectations that could not run (ExpectationStats.error): exit code 4.
    errors: int = 0


class PastRun(_Model):
    """One run of one expectation, for the reports that draw its trend (the HTML report's
    sparkline)."""

    started: dt.datetime
    failed: int
    checked: int


class Result(_Model):
    schema_version: str = SCHEMA_VERSION
    run: RunInfo
    summary: Summary
    suites: list[SuiteResult]
    findings: Findings
    # The corpus statistics of the run (toolkit.profile), set when the run has a history or
    # history expectations; kept in the history, not in the JSON Result.
    corpus: CorpusStats | None = Field(default=None, exclude=True)
    # With a history (--history): each expectation's ("suite/id") past runs and this one,
    # oldest first; kept out of the JSON Result like ``corpus``.
    trend: dict[str, list[PastRun]] | None = Field(default=None, exclude=True)

    @property
    def exit_code(self) -> ExitCode:
        if self.summary.errors:
            return ExitCode.ERROR
        if self.summary.articles == 0:
            return ExitCode.NOTHING_CHECKED
        return ExitCode.OK if self.summary.passed else ExitCode.FAILED

    def errored_expectations(self) -> list[ExpectationStats]:
        """The expectations that could not run, each with its error."""
        return [e for s in self.suites for e in s.expectations if e.error is not None]

    def failed_expectations(self) -> list[ExpectationStats]:
        return [e for s in self.suites for e in s.expectations if not e.passed]

    def findings_for(self, suite: str, expectation_id: str) -> Sequence[Finding]:
        if isinstance(self.findings, FindingSequence):
            return self.findings.of(suite, expectation_id)
        return [f for f in self.findings if f.suite == suite and f.id == expectation_id]

    def unaccepted(self, suite: str, expectation_id: str, limit: int) -> tuple[list[Finding], int]:
        """The first ``limit`` findings of one expectation the baseline does not accept, and
        how many there are: what a summary lists and counts, without a copy of them all."""
        found = self.findings_for(suite, expectation_id)
        if self.summary.baseline is None:  # no baseline was applied: nothing is accepted
            return list(found[: max(0, limit)]), len(found)
        first: list[Finding] = []
        total = 0
        for f in found:
            if f.baseline != "accepted":
                if total < limit:
                    first.append(f)
                total += 1
        return first, total

    def to_json(self, indent: int | None = 2) -> str:
        parts: list[str] = []
        self.write_json(parts.append, indent)
        return "".join(parts)

    def write_json(self, write: Any, indent: int | None = 2, chunk: int = 2048) -> None:
        """``to_json`` in pieces, to ``write`` (a file's write method): the findings are
        serialised ``chunk`` at a time, never all at once. The text is the same."""
        head = self.model_copy(update={"findings": []}).model_dump_json(indent=indent)
        # findings is the last field: the text ends with its empty list and the closing brace.
        tail = "[]\n}" if indent else "[]}"
        assert head.endswith(tail)
        write(head[: -len(tail)])
        first = True
        for group in _chunks(self.findings, chunk):
            text = _FINDING_LIST.dump_json(group, indent=indent).decode("utf-8")
            inner = text[1:-1]  # without the list's brackets
            if indent:
                # One level deeper; JSON strings hold no raw line break, so this is exact.
                inner = inner.rstrip("\n").replace("\n", "\n" + " " * indent)
                write(("[" if first else ",") + inner)
            else:
                write(("[" if first else ",") + inner)
            first = False
        if first:
            write(tail)
        else:
            write("\n" + " " * indent + "]\n}" if indent else "]}")

    @classmethod
    def from_json(cls, text: str | bytes) -> Result:
        return cls.model_validate_json(text)

    @classmethod
    def load(cls, path: Path) -> Result:
        return cls.from_json(path.read_bytes())


def _chunks(findings: Iterable[Finding], size: int) -> Iterable[list[Finding]]:
    group: list[Finding] = []
    for f in findings:
        group.append(f)
        if len(group) == size:
            yield group
            group = []
    if group:
        yield group


def summarise(
    files: int, articles: int, suites: list[SuiteResult], findings: Iterable[Finding]
) -> Summary:
    stats = [e for s in suites for e in s.expectations]
    failed = Counter(e.severity for e in stats if not e.passed)
    by_severity = (
        findings.severities()
        if isinstance(findings, FindingSequence)
        else Counter(f.severity for f in findings)
    )
    return Summary(
        files=files,
        articles=articles,
        passed=all(s.passed for s in suites),
        expectations=len(stats),
        expectations_failed={s: failed.get(s, 0) for s in SEVERITIES},
        findings={s: by_severity.get(s, 0) for s in SEVERITIES},
        errors=sum(e.error is not None for e in stats),
    )
