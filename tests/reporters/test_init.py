"""Destinations (NAME[:PATH]), one Result written to many formats, atomic files."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from toolkit.reporters import (
    REPORTERS,
    Destination,
    ReportError,
    ReportOptions,
    plan_destinations,
    write_atomic,
    write_reports,
)
from toolkit.result import Result


def test_every_issue_format_is_registered() -> None:
    assert {"rich", "json", "html", "junit", "sarif", "github", "markdown"} <= set(REPORTERS)


def test_plan_destinations() -> None:
    assert plan_destinations([]) == [Destination("rich", None)]
    assert plan_destinations(["HTML:out/r.html", "github"]) == [
        Destination("html", Path("out/r.html")),
        Destination("github", None),
    ]
    assert plan_destinations(["junit"], Path("j.xml")) == [Destination("junit", Path("j.xml"))]
    with pytest.raises(ReportError, match="only one format can go to standard output"):
        plan_destinations(["github", "markdown"])
    with pytest.raises(ReportError, match=r"unknown format 'pdf': choose from .*sarif"):
        plan_destinations(["pdf:x.pdf"])
    with pytest.raises(ReportError, match="--output needs exactly one"):
        plan_destinations(["json:a.json"], Path("b.json"))


def test_github_names_the_full_report_written_in_the_same_run(
    small_result: Result, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    dests = plan_destinations(
        [f"sarif:{tmp_path / 'r.sarif'}", "github", f"html:{tmp_path / 'r.html'}"]
    )
    write_reports(small_result, dests, ReportOptions())
    last = capsys.readouterr().out.splitlines()[-1]
    assert last.endswith(f"the full report is {tmp_path / 'r.html'}")
    assert (tmp_path / "r.sarif").exists() and (tmp_path / "r.html").exists()


def test_write_atomic_leaves_no_partial_file_and_a_normal_mode(tmp_path: Path) -> None:
    target = tmp_path / "deep" / "report.html"
    write_atomic(target, "<p>one</p>")
    assert target.read_text(encoding="utf-8") == "<p>one</p>"
    umask = os.umask(0)
    os.umask(umask)
    assert target.stat().st_mode & 0o777 == 0o666 & ~umask

    with pytest.raises(TypeError):  # the write fails half-way: the old report stays whole
        write_atomic(target, 42)  # type: ignore[arg-type]
    assert target.read_text(encoding="utf-8") == "<p>one</p>"
    assert [p.name for p in target.parent.iterdir()] == ["report.html"]
