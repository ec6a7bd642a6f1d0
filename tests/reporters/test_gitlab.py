"""`--format gitlab`: GitLab Code Quality JSON, one issue per new finding."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.conftest import BROKEN, SUITES
from toolkit.cli import app

runner = CliRunner()


def issues(*args: str) -> list[dict[str, object]]:
    result = runner.invoke(app, ["check", *args, "--format", "gitlab"])
    assert result.exit_code in (0, 1), result.stderr
    loaded = json.loads(result.stdout)
    assert isinstance(loaded, list)
    return loaded


def test_each_finding_is_an_issue_with_path_line_and_severity() -> None:
    found = issues(str(BROKEN / "tags_empty.txt"), "--suite", str(SUITES / "news.yaml"))
    tags = [i for i in found if i["check_name"] == "news/tags_non_empty"]
    assert tags == [
        {
            "description": tags[0]["description"],
            "check_name": "news/tags_non_empty",
            "fingerprint": tags[0]["fingerprint"],
            "severity": "critical",
            "location": {"path": tags[0]["location"]["path"], "lines": {"begin": 19}},
        }
    ]
    assert str(tags[0]["location"]["path"]).endswith("broken/tags_empty.txt")  # type: ignore[index]
    assert tags[0]["description"] == "the 'tags' line holds no tag"
    assert {i["severity"] for i in found} <= {"critical", "major", "info"}
    fingerprints = [i["fingerprint"] for i in found]
    assert len(set(fingerprints)) == len(fingerprints)


def test_findings_a_baseline_accepts_are_not_issues(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    shutil.copy(BROKEN / "tags_empty.txt", tmp_path)
    suite = str(SUITES / "news.yaml")
    base = runner.invoke(app, ["baseline", "tags_empty.txt", "-s", suite, "-o", "b.json"])
    assert base.exit_code == 0, base.stderr
    shutil.copy(BROKEN / "body_empty.txt", tmp_path)
    found = issues(".", "-s", suite, "--baseline", "b.json", "--ignore", "hygiene")
    assert [(i["check_name"], i["location"]) for i in found] == [
        ("news/body_not_empty", {"path": "body_empty.txt", "lines": {"begin": 1}})
    ]
