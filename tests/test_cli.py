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

from tests.conftest import SEED, SUITES
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
    code, _, err = invoke("check", str(SEED))
    assert code == 2 and "no suite given" in err
    shutil.copytree(SUITES, tmp_path / "expectations")
    code, out, _ = invoke("check", str(SEED), "-f", "json")
    assert code == 1
    assert len(json.loads(out)["suites"]) == len(list(SUITES.glob("*.yaml")))


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
