"""`toolkit report RESULT.json --format ...`: any format again from a saved result, and exit
codes that depend on the run, never on the formats."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.conftest import BROKEN, CLEAN, SUITES
from toolkit.cli import app
from toolkit.reporters import REPORTERS

runner = CliRunner()
FILE_FORMATS = sorted(set(REPORTERS) - {"rich"})


def check(*args: str) -> tuple[int, str]:
    ran = runner.invoke(app, ["check", *args, "--suite", str(SUITES / "news.yaml"), "--no-color"])
    return ran.exit_code, ran.stdout


@pytest.fixture(scope="module")
def saved(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("saved") / "result.json"
    code, _ = check(str(BROKEN / "tags_empty.txt"), "--format", f"json:{path}")
    assert code == 1
    return path


@pytest.mark.parametrize(
    ("target", "expected"), [(CLEAN, 0), (BROKEN / "tags_empty.txt", 1), (BROKEN / "empty.txt", 3)]
)
def test_exit_code_does_not_depend_on_the_formats(
    target: Path, expected: int, tmp_path: Path
) -> None:
    assert check(str(target))[0] == expected
    everything = [f"--format={f}:{tmp_path / f}" for f in FILE_FORMATS]
    assert check(str(target), *everything)[0] == expected
    for name in FILE_FORMATS:
        assert (tmp_path / name).stat().st_size > 0
        assert check(str(target), "--format", name)[0] == expected


def test_report_renders_every_format_from_saved_json(saved: Path, tmp_path: Path) -> None:
    ran = runner.invoke(
        app,
        [
            "report",
            str(saved),
            *(f"--format={f}:{tmp_path / f}" for f in FILE_FORMATS),
            "-f",
            "rich",
            "--no-color",
        ],
    )
    assert ran.exit_code == 1  # the saved run failed
    assert "tags_non_empty" in ran.stdout and "FAILED" in ran.stdout
    assert json.loads((tmp_path / "json").read_text(encoding="utf-8")) == json.loads(
        saved.read_text(encoding="utf-8")
    )
    assert "tags_empty.txt:1" in (tmp_path / "junit").read_text(encoding="utf-8")
    assert "<!DOCTYPE html>" in (tmp_path / "html").read_text(encoding="utf-8")
    github = (tmp_path / "github").read_text(encoding="utf-8").splitlines()
    assert github[0].startswith("::error file=")
    assert github[-1].endswith(f"the full report is {tmp_path / 'html'}")


def test_report_matches_check_output(saved: Path, tmp_path: Path) -> None:
    direct = tmp_path / "direct.sarif"
    check(str(BROKEN / "tags_empty.txt"), "--format", f"sarif:{direct}")
    again = runner.invoke(app, ["report", str(saved), "--format", "sarif"])
    results = [json.loads(t)["runs"][0]["results"] for t in (direct.read_text(), again.stdout)]
    assert results[0] == results[1]


def test_missing_or_foreign_result_file_is_a_usage_error(tmp_path: Path) -> None:
    ran = runner.invoke(app, ["report", str(tmp_path / "nope.json")])
    assert ran.exit_code == 2
    assert f"no such file: {tmp_path / 'nope.json'}" in ran.stderr

    foreign = tmp_path / "other.json"
    foreign.write_text('{"version": "2.1.0", "runs": []}', encoding="utf-8")
    ran = runner.invoke(app, ["report", str(foreign)])
    assert ran.exit_code == 2
    assert f"{foreign} is not a toolkit JSON result: run: Field required" in ran.stderr

    broken = tmp_path / "broken.json"
    broken.write_text("{not json", encoding="utf-8")
    ran = runner.invoke(app, ["report", str(broken)])
    assert ran.exit_code == 2 and "is not a toolkit JSON result" in ran.stderr


def test_newer_schema_version_is_refused(saved: Path, tmp_path: Path) -> None:
    data = json.loads(saved.read_text(encoding="utf-8"))
    data["schema_version"] = "2.0"
    future = tmp_path / "future.json"
    future.write_text(json.dumps(data), encoding="utf-8")
    ran = runner.invoke(app, ["report", str(future)])
    assert ran.exit_code == 2 and "schema_version 2.0" in ran.stderr


def test_bad_format_is_a_usage_error(saved: Path) -> None:
    ran = runner.invoke(app, ["report", str(saved), "--format", "pdf"])
    assert ran.exit_code == 2 and "unknown format 'pdf'" in ran.stderr
