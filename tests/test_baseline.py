"""Baseline files through the CLI: write, add a defect (only it fails), fix one (it is listed
as no longer seen); the file is sorted, one finding a line."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from tests.conftest import BROKEN, CLEAN, SUITES
from toolkit.cli import app

runner = CliRunner()


def invoke(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args), env={"COLUMNS": "200"})
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def archive(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An archive with findings already: two clean dumps, a byline with no email and empty
    tags, checked by the shipped suites."""
    shutil.copytree(SUITES, tmp_path / "expectations")
    dumps = tmp_path / "dumps"
    dumps.mkdir()
    for src in (*sorted(CLEAN.glob("00[12]_*.txt")), BROKEN / "tags_empty.txt"):
        shutil.copy(src, dumps)
    shutil.copy(BROKEN / "byline_no_email.txt", dumps)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run_json(*args: str) -> tuple[int, dict[str, Any]]:
    code, out, err = invoke("check", *args, "-f", "json")
    assert code in (0, 1), err
    return code, json.loads(out)


def test_the_baseline_file_is_sorted_one_finding_a_line(archive: Path) -> None:
    code, out, err = invoke("baseline", "dumps", "-o", "toolkit-baseline.json")
    assert code == 0, err
    assert out == ""
    assert "baseline of 13 findings written to toolkit-baseline.json" in err
    lines = (archive / "toolkit-baseline.json").read_text().splitlines()
    assert lines[:3] == ["{", '  "toolkit_baseline": 1,', '  "findings": [']
    assert lines[-2:] == ["  ]", "}"]
    entries = [json.loads(line.strip().rstrip(",")) for line in lines[3:-2]]
    assert len(entries) == 13
    assert [list(e) for e in entries[:1]] == [["file", "id", "suite", "fingerprint", "excerpt"]]
    keys = [(e["file"], e["id"], e["suite"], e["fingerprint"]) for e in entries]
    assert keys == sorted(keys)
    tags = next(e for e in entries if e["id"] == "tags_non_empty")
    assert tags["file"] == "dumps/tags_empty.txt" and tags["suite"] == "joongang"
    # The same findings give the same file, byte for byte (a stable diff).
    before = (archive / "toolkit-baseline.json").read_bytes()
    invoke("check", "dumps", "--update-baseline", "toolkit-baseline.json", "-q")
    assert (archive / "toolkit-baseline.json").read_bytes() == before


def test_round_trip_only_new_findings_fail_and_fixed_ones_are_listed(archive: Path) -> None:
    assert invoke("baseline", "dumps", "-o", "base.json")[0] == 0
    code, result = run_json("dumps", "--baseline", "base.json")
    assert code == 0
    assert result["summary"]["baseline"] == {
        "file": "base.json",
        "new": 0,
        "accepted": 13,
        "stale": [],
    }
    assert {f["baseline"] for f in result["findings"]} == {"accepted"}

    # A new defect: only it fails the run, and only it is annotated.
    shutil.copy(BROKEN / "body_empty.txt", archive / "dumps")
    code, result = run_json("dumps", "--baseline", "base.json")
    assert code == 1
    new = [f for f in result["findings"] if f["baseline"] == "new"]
    assert [(f["id"], f["file"]) for f in new if f["severity"] != "info"] == [
        ("body_not_empty", "dumps/body_empty.txt")
    ]
    failed = [e["id"] for s in result["suites"] for e in s["expectations"] if not e["passed"]]
    assert failed == ["body_not_empty"] or set(failed) - {"body_not_empty"} <= {
        e["id"] for s in result["suites"] for e in s["expectations"] if e["severity"] == "info"
    }
    byline = next(
        e for s in result["suites"] for e in s["expectations"] if e["id"] == "byline_has_email"
    )
    assert byline["failed"] == 1 and byline["accepted"] == 1 and byline["passed"]
    code, out, _ = invoke("check", "dumps", "--baseline", "base.json", "-f", "github")
    errors = [line for line in out.splitlines() if line.startswith("::error")]
    assert len(errors) == 1 and "file=dumps/body_empty.txt" in errors[0]
    assert "new findings" in out.splitlines()[-1]
    code, out, _ = invoke("check", "dumps", "--baseline", "base.json", "-f", "sarif")
    states = {
        (r["ruleId"], r["properties"]["baseline"]) for r in json.loads(out)["runs"][0]["results"]
    }
    assert ("joongang/body_not_empty", "new") in states
    assert ("joongang/tags_non_empty", "accepted") in states

    # A defect fixed: its entry is listed as no longer seen, in every report.
    (archive / "dumps" / "tags_empty.txt").unlink()
    (archive / "dumps" / "body_empty.txt").unlink()
    code, result = run_json("dumps", "--baseline", "base.json")
    assert code == 0
    stale = result["summary"]["baseline"]["stale"]
    assert {(e["file"], e["id"]) for e in stale} >= {("dumps/tags_empty.txt", "tags_non_empty")}
    assert all(e["file"] == "dumps/tags_empty.txt" for e in stale)
    code, out, _ = invoke("check", "dumps", "--baseline", "base.json", "--no-color")
    assert f"No longer seen ({len(stale)}): remove from base.json" in out
    assert "dumps/tags_empty.txt  tags_non_empty" in out
    assert out.splitlines()[-1].startswith("PASSED")
    assert f"baseline: 0 new, {13 - len(stale)} accepted, {len(stale)} no longer seen" in out
    code, out, _ = invoke("check", "dumps", "--baseline", "base.json", "-f", "markdown")
    assert f"Baseline `base.json`: **0** new · {13 - len(stale)} accepted" in out
    assert "`dumps/tags_empty.txt` `tags_non_empty`" in out


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{", "base.json:1: broken JSON"),
        ('{"findings": []}', "base.json:1: not a toolkit baseline"),
        (
            '{\n  "toolkit_baseline": 1,\n  "findings": [\n    {"file": "a"}\n  ]\n}',
            "base.json:4: finding 1: id: Field required",
        ),
    ],
)
def test_a_bad_baseline_is_exit_2_with_its_line(archive: Path, text: str, message: str) -> None:
    (archive / "base.json").write_text(text)
    code, _, err = invoke("check", "dumps", "--baseline", "base.json")
    assert code == 2
    assert message in err


def test_a_missing_baseline_says_how_to_write_one(archive: Path) -> None:
    code, _, err = invoke("check", "dumps", "--baseline", "nope.json")
    assert code == 2
    assert "nope.json: no such baseline file (write one with `toolkit baseline" in err


def test_baseline_writes_to_the_configured_file(archive: Path) -> None:
    (archive / "toolkit.toml").write_text('paths = ["dumps"]\nbaseline = "ci/accepted.json"\n')
    code, _, err = invoke("baseline")
    assert code == 0, err
    assert "written to ci/accepted.json" in err
    code, out, _ = invoke("check", "--quiet", "--no-color")
    assert code == 0
    assert out.splitlines()[-1].startswith("PASSED")
    assert "baseline: 0 new, 13 accepted, 0 no longer seen" in out
