"""Destinations (NAME[:PATH]), one Result written to many formats, atomic files."""

from __future__ import annotations

import json
import os
import signal
import stat
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.conftest import SEED, SUITES
from tests.reporters.conftest import make_result, stats
from toolkit.cli import app, run_exit_code
from toolkit.reporters import (
    REPORTERS,
    Destination,
    ReportError,
    ReportOptions,
    plan_destinations,
    write_atomic,
    write_reports,
)
from toolkit.result import ExitCode, Result, SuiteResult


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


# --- safe output: what sits at the path is respected ------------------------------------------

SUITE_ARGS = ["--suite", str(SUITES / "news.yaml")]


def check(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["check", str(SEED), *SUITE_ARGS, *args])
    return result.exit_code, result.stdout, result.stderr


def test_a_device_is_written_through_never_replaced() -> None:
    code, _, err = check("--format", "json:/dev/null")
    assert code == 0, err  # the seed's byline is a warning in news
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)


def test_a_symlink_is_followed_and_stays_a_link(tmp_path: Path) -> None:
    target = tmp_path / "real" / "result.json"
    target.parent.mkdir()
    target.write_text("old", encoding="utf-8")
    target.chmod(0o640)
    link = tmp_path / "latest.json"
    link.symlink_to(target)
    code, _, err = check("--format", f"json:{link}")
    assert code == 0, err
    assert link.is_symlink() and os.readlink(link) == str(target)
    assert json.loads(target.read_text(encoding="utf-8"))["summary"]["articles"] == 1
    assert stat.S_IMODE(target.stat().st_mode) == 0o640  # the replaced file's mode is kept
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["latest.json", "real", "result.json"]


def test_a_fifo_is_written_through_and_one_without_reader_is_an_error(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    code, _, err = check("--format", f"json:{fifo}", "--format", f"junit:{tmp_path / 'j.xml'}")
    assert code == 5
    assert err == (
        f"toolkit: error: cannot write the json report to {fifo}: No such device or address "
        "(a FIFO no process reads)\n"
    )
    assert (tmp_path / "j.xml").exists()
    reader = subprocess.Popen(["cat", str(fifo)], stdout=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:  # until cat has the FIFO open for reading
            code, _, err = check("--format", f"json:{fifo}")
            if code != 5:
                break
        received, _ = reader.communicate(timeout=30)
    finally:
        reader.kill()
    assert code == 0, err
    assert json.loads(received)["summary"]["articles"] == 1
    assert stat.S_ISFIFO(fifo.stat().st_mode)


@pytest.mark.parametrize(
    "spell",
    [lambda d: [d / "r.json", d / "sub" / ".." / "r.json"], lambda d: [d / "r.json", d / "l"]],
)
def test_one_file_for_two_formats_is_a_usage_error_before_anything_runs(
    tmp_path: Path, spell: Callable[[Path], list[Path]]
) -> None:
    (tmp_path / "l").symlink_to(tmp_path / "r.json")
    first, second = spell(tmp_path)
    code, out, err = check("--format", f"json:{first}", "--format", f"sarif:{second}")
    assert code == 2
    assert err == (
        f"toolkit: error: --format json:{first} and --format sarif:{second} write the same file "
        f"({tmp_path / 'r.json'}): give each its own path\n"
    )
    assert out == "" and [p.name for p in tmp_path.iterdir()] == ["l"]


def test_a_report_that_cannot_be_written_is_named_and_the_others_are_written(
    tmp_path: Path,
) -> None:
    (tmp_path / "file").write_text("", encoding="utf-8")
    (tmp_path / "dir").mkdir()
    code, out, err = check(
        "--format", f"json:{tmp_path / 'file' / 'r.json'}",
        "--format", f"html:{tmp_path / 'dir'}",
        "--format", "sarif:/dev/full",
        "--format", f"junit:{tmp_path / 'ok.xml'}",
        "--format", "github",
    )  # fmt: skip
    assert code == 5
    assert err.splitlines() == [
        f"toolkit: error: cannot write the json report to {tmp_path / 'file' / 'r.json'}: "
        "Not a directory",
        f"toolkit: error: cannot write the html report to {tmp_path / 'dir'}: Is a directory",
        "toolkit: error: cannot write the sarif report to /dev/full: No space left on device",
    ]
    assert '<testsuites name="toolkit check"' in (tmp_path / "ok.xml").read_text(encoding="utf-8")
    assert out.endswith(f"the full report is {tmp_path / 'ok.xml'}\n")
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["dir", "file", "ok.xml"]


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into a read-only directory")
def test_a_read_only_directory_is_a_write_failure(tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o555)
    try:
        code, _, err = check("--format", f"json:{locked / 'r.json'}")
    finally:
        locked.chmod(0o755)
    assert code == 5
    assert (
        err == f"toolkit: error: cannot write the json report to {locked / 'r.json'}: "
        "Permission denied\n"
    )


def test_a_plugin_error_outranks_a_report_not_written(tmp_path: Path) -> None:
    bad = stats("s", "broken", "warning", 1, 0).model_copy(
        update={"error": "s.yaml:3: broken could not run", "passed": False}
    )
    result = make_result(
        [SuiteResult(name="s", file="s.yaml", passed=False, expectations=[bad])], [], articles=1
    )
    assert result.exit_code == ExitCode.ERROR
    failures = write_reports(result, plan_destinations(["json:/dev/full"]), ReportOptions())
    assert [str(f) for f in failures] == [
        "cannot write the json report to /dev/full: No space left on device"
    ]
    assert run_exit_code(result, failures) == ExitCode.ERROR
    passing = make_result([], [], articles=1)
    assert run_exit_code(passing, failures) == ExitCode.REPORT_FAILED
    assert run_exit_code(passing, []) == ExitCode.OK


SLOW_WRITE = """
import os, sys, time
from pathlib import Path
from toolkit import reporters
from toolkit.result import Result

def held(tmp, path):  # the rename never comes: the report is in flight when the signal does
    print(tmp, flush=True)
    time.sleep(60)

reporters.os.replace = held
result = Result.load(Path(sys.argv[1]))
reporters.write_reports(result, reporters.plan_destinations(["json:" + sys.argv[2]]),
                        reporters.ReportOptions())
"""


def test_sigterm_removes_the_temporary_file_in_flight(tmp_path: Path, small_result: Result) -> None:
    saved = tmp_path / "saved.json"
    saved.write_text(small_result.to_json(), encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    with subprocess.Popen(
        [sys.executable, "-c", SLOW_WRITE, str(saved), str(out / "r.json")],
        stdout=subprocess.PIPE,
        text=True,
    ) as child:
        try:
            assert child.stdout is not None
            tmp = Path(child.stdout.readline().strip())
            assert tmp.parent == out and tmp.name.startswith(".r.json.") and tmp.exists()
            child.send_signal(signal.SIGTERM)
            # Ended by the signal itself: a shell sees 128 + 15.
            assert child.wait(timeout=30) == -signal.SIGTERM
        finally:
            child.kill()
    assert list(out.iterdir()) == []
