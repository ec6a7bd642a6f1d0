"""`toolkit check` from the command line: exit codes, reports, JSON shape."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.conftest import BROKEN, SEED, SUITES
from toolkit import __version__
from toolkit.cli import app

runner = CliRunner()


def invoke(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_seed_fails_with_exactly_one_critical_finding_the_placeholder() -> None:
    code, out, _ = invoke(
        "check", str(SEED.parent), "--format", "json", "--suite", str(SUITES / "joongang.yaml")
    )
    assert code == 1
    result = json.loads(out)
    critical = [f for f in result["findings"] if f["severity"] == "critical"]
    assert len(critical) == 1
    (f,) = critical
    assert (f["expectation"], f["line"], f["field"]) == ("byline_has_email", 1, "byline")
    assert f["file"].endswith("000_faaed4314eeb3cba.txt")
    assert "Cloudflare" in f["message"] and "placeholder" in f["message"]
    passed = {e["id"] for e in result["suites"][0]["expectations"] if e["passed"]}
    assert {"date_parseable", "tags_non_empty", "headline_in_body"} <= passed


def test_seed_rich_report_shows_place_and_visible_nbsp() -> None:
    code, out, _ = invoke(
        "check", str(SEED), "--suite", str(SUITES / "joongang.yaml"), "--no-color"
    )
    assert code == 1
    assert "FAILED" in out
    assert "000_faaed4314eeb3cba.txt:1" in out
    assert "[[email⍽protected]]" in out  # the no-break space made visible


def test_json_shape(corpus_dir: Callable[..., Path]) -> None:
    folder = corpus_dir("clean/001_f03fe77191dea3c1.txt", "seed/000_faaed4314eeb3cba.txt")
    code, out, _ = invoke(
        "check", str(folder), "--format", "json", "--suite", str(SUITES / "news.yaml")
    )
    result = json.loads(out)
    assert code == 0  # the byline email is a warning in the news suite
    assert result["schema_version"] == "1.1"
    assert result["summary"]["files"] == 2 and result["summary"]["articles"] == 2
    stats = result["suites"][0]["expectations"]
    assert {"id", "severity", "checked", "failed", "success_rate", "mostly", "passed"} <= set(
        stats[0]
    )
    assert result["findings"]
    for f in result["findings"]:
        assert {"expectation", "severity", "file", "line", "message", "fingerprint"} <= set(f)


def test_unknown_expectation_exits_2_naming_file_and_line(tmp_path: Path) -> None:
    suite = tmp_path / "bad.yaml"
    suite.write_text(
        "suite: bad\nexpectations:\n  - expect: tags_non_empty\n  - expect: headline_in_bodyy\n"
    )
    code, out, err = invoke("check", str(SEED), "--suite", str(suite))
    assert code == 2
    assert f"{suite}:4" in err
    assert (
        "unknown expectation 'headline_in_bodyy'" in err
        and "did you mean 'headline_in_body'" in err
    )
    assert out == ""


def test_broken_yaml_exits_2(tmp_path: Path) -> None:
    suite = tmp_path / "bad.yaml"
    suite.write_text("suite: bad\nexpectations: [\n")
    code, _, err = invoke("check", str(SEED), "--suite", str(suite))
    assert code == 2 and "broken YAML" in err and str(suite) in err


def test_empty_directory_exits_3(tmp_path: Path) -> None:
    code, _, err = invoke("check", str(tmp_path), "--suite", str(SUITES / "news.yaml"))
    assert code == 3
    assert "nothing was checked: no input files" in err


def test_only_unreadable_files_exits_3_and_reports_them(tmp_path: Path) -> None:
    (tmp_path / "empty.txt").write_bytes(b"")
    code, out, err = invoke(
        "check", str(tmp_path), "--suite", str(SUITES / "news.yaml"), "-f", "json"
    )
    assert code == 3
    assert "zero articles" in err
    (finding,) = json.loads(out)["findings"]
    assert finding["expectation"] == "file_readable" and finding["file"].endswith("empty.txt")


def test_missing_path_and_bad_format_exit_2(tmp_path: Path) -> None:
    code, _, err = invoke("check", str(tmp_path / "nope"))
    assert code == 2 and "no such file or directory" in err
    code, _, err = invoke("check", str(SEED), "--format", "yaml")
    assert code == 2 and "unknown format 'yaml'" in err


def test_unknown_suite_name_exits_2() -> None:
    code, _, err = invoke("check", str(SEED), "--suite", "nosuchsuite")
    assert code == 2 and "no such suite" in err


def test_output_file_and_format_with_path(tmp_path: Path) -> None:
    target = tmp_path / "out" / "result.json"
    code, out, _ = invoke(
        "check", str(SEED), "-s", str(SUITES / "news.yaml"), "-f", f"json:{target}", "--no-color"
    )
    assert code == 0
    assert "PASSED" not in out  # only the json format was asked for, into a file
    assert json.loads(target.read_text())["summary"]["articles"] == 1
    other = tmp_path / "r.json"
    code, _, _ = invoke(
        "check", str(SEED), "-s", str(SUITES / "news.yaml"), "-f", "json", "-o", str(other)
    )
    assert code == 0 and json.loads(other.read_text())["schema_version"]


def test_version_and_help() -> None:
    code, out, _ = invoke("--version")
    assert code == 0 and out.strip() == f"toolkit {__version__}"
    code, out, _ = invoke("check", "--help")
    assert code == 0
    for needle in ("Exit codes", "critical", "nothing was checked"):
        assert needle in out


def test_default_suites_come_from_expectations_dir(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    # No expectations/ here: the shipped news suite runs (the seed's hidden address is a
    # warning there).
    code, out, _ = invoke("check", str(SEED), "-f", "json")
    assert code == 0
    assert [s["name"] for s in json.loads(out)["suites"]] == ["news"]
    shutil.copytree(SUITES, tmp_path / "expectations")
    code, out, _ = invoke("check", str(SEED), "-f", "json")
    assert code == 1
    # joongang extends news: only joongang runs, so each defect is reported once.
    assert [s["name"] for s in json.loads(out)["suites"]] == ["joongang"]


def test_installed_command_runs_in_a_subprocess() -> None:
    exe = shutil.which("toolkit") or str(Path(sys.executable).parent / "toolkit")
    proc = subprocess.run(
        [exe, "check", str(SEED), "--suite", str(SUITES / "joongang.yaml"), "--format", "json"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 1, proc.stderr
    assert json.loads(proc.stdout)["summary"]["findings"]["critical"] == 1


# --- internal errors: exit 4, one line, the traceback only with --debug ------------------------

BUG = "a bug, not bad data"


def _raise(*args: object, **kwargs: object) -> None:
    raise RuntimeError(BUG)


@pytest.mark.parametrize(
    ("target", "args"),
    [
        ("toolkit.engine.check", ["check", str(SEED), "--suite", str(SUITES / "news.yaml")]),
        ("toolkit.result.Result.from_json", ["report", str(SEED)]),
        ("toolkit.suite.load_suite", ["suite", "export", "news", "--to", "gx"]),
        ("toolkit.commands.catalog._catalog", ["expectations"]),
        ("toolkit.commands.catalog._catalog", ["explain", "tags_non_empty"]),
        (
            "toolkit.fixtures.verify",
            ["fixtures", "verify", str(SEED.parent), "--suite", str(SUITES / "news.yaml")],
        ),
    ],
)
def test_an_internal_error_exits_4_with_one_line(
    monkeypatch: pytest.MonkeyPatch, target: str, args: list[str]
) -> None:
    monkeypatch.setattr(target, _raise)
    code, out, err = invoke(*args)
    assert code == 4, err
    assert err == (
        f"toolkit: internal error: RuntimeError: {BUG} (rerun with --debug for the traceback)\n"
    )
    assert "Traceback" not in out + err


@pytest.mark.parametrize("where", ["before", "after"])
def test_debug_shows_the_traceback_wherever_it_is_given(
    monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    monkeypatch.setattr("toolkit.engine.check", _raise)
    args = ["check", str(SEED), "--suite", str(SUITES / "news.yaml")]
    code, _, err = invoke(*(["--debug", *args] if where == "before" else [*args, "--debug"]))
    assert code == 4
    assert err.startswith("Traceback (most recent call last):\n")
    assert err.splitlines()[-2] == f"RuntimeError: {BUG}"
    assert err.splitlines()[-1] == f"toolkit: internal error: RuntimeError: {BUG}"


def test_an_internal_error_in_a_real_process_exits_4(tmp_path: Path) -> None:
    # A row expectation whose `scope` (outside the guarded check) raises: a real bug path.
    (tmp_path / "scoped_bug.py").write_text(
        "from toolkit.expectations.tags import tags_non_empty\n"
        "import dataclasses\n"
        "def _scope(batch, p):\n    raise LookupError('scope \\x1b[2J broke')\n"
        "EXPECTATIONS = [dataclasses.replace(tags_non_empty, name='scoped', scope=_scope)]\n",
        encoding="utf-8",
    )
    (tmp_path / "s.yaml").write_text(
        "suite: s\nplugins: [scoped_bug]\nexpectations:\n  - expect: scoped\n", encoding="utf-8"
    )
    script = Path(sys.executable).with_name("toolkit")
    done = subprocess.run(
        [str(script), "check", str(SEED), "--suite", "s.yaml"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 4
    assert done.stderr == (
        "toolkit: internal error: LookupError: scope [U+001B][2J broke "
        "(rerun with --debug for the traceback)\n"
    )


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_temporary_directory_that_cannot_be_written_exits_4_saying_what_to_do(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, jobs: str
) -> None:
    """Sightings and findings wait in the temporary directory: a full or unwritable one ends
    the run with a message naming the file and TMPDIR, in one process or over workers."""
    missing = tmp_path / "gone" / "spilled.arrow"

    class Nowhere:
        def new_file(self) -> str:
            return str(missing)

    monkeypatch.setattr("toolkit.spilled.current_spill", Nowhere)
    code, out, err = invoke("check", str(BROKEN), "--suite", str(SUITES / "news.yaml"), "-j", jobs)
    assert code == 4, err
    assert err.startswith(f"toolkit: error: cannot write the run's temporary file {missing}: ")
    assert "set TMPDIR to another" in err
    assert "Traceback" not in out + err
