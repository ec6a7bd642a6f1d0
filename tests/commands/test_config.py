"""`toolkit config` and `toolkit check --show-settings`: each setting and where it came from."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from toolkit.cli import app

runner = CliRunner()


def lines_of(*args: str) -> dict[str, str]:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.stderr
    return {line.split(" ", 1)[0]: line for line in result.stdout.splitlines()[1:]}


def test_config_shows_defaults_file_lines_and_relative_paths(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "x"\n\n[tool.toolkit]\npaths = ["dumps"]\n'
        'formats = ["rich", "sarif:reports/out.sarif"]\njobs = 2\n'
    )
    (tmp_path / "sub").mkdir()
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["config"])
    assert result.stdout.splitlines()[0] == "configuration: pyproject.toml [tool.toolkit]"
    shown = lines_of("config")
    assert shown["paths"].split("=", 1)[1].split()[0] == '["dumps"]'
    assert shown["paths"].endswith("# pyproject.toml:5")
    assert '["rich", "sarif:reports/out.sarif"]' in shown["formats"]
    assert shown["formats"].endswith("# pyproject.toml:6")
    assert shown["jobs"].endswith("# pyproject.toml:7")
    assert shown["batch_size"].split("#")[1].strip() == "default"
    # From a sub directory the same file is found, and its paths stay relative to it.
    monkeypatch.chdir(tmp_path / "sub")
    shown = lines_of("config")
    assert f'["{tmp_path / "dumps"}"]' in shown["paths"]


def test_check_show_settings_marks_the_command_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "toolkit.toml").write_text('paths = ["dumps"]\nselect = ["body"]\njobs = 2\n')
    monkeypatch.chdir(tmp_path)
    shown = lines_of("check", "--show-settings", "-j", "1", "--ignore", "a,b")
    assert shown["jobs"].split("#")[1].strip() == "command line"
    assert '["a", "b"]' in shown["ignore"]
    assert shown["select"].split("#")[1].strip() == "toolkit.toml:2"
    assert shown["paths"].split("#")[1].strip() == "toolkit.toml:1"


def test_config_with_no_file_says_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["config"])
    assert result.exit_code == 0
    assert result.stdout.startswith("configuration: none found")


def test_config_option_names_a_file_and_a_missing_one_is_exit_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "ci.toml").write_text("jobs = 3\n")
    assert lines_of("config", "--config", "ci.toml")["jobs"].endswith("# ci.toml:1")
    result = runner.invoke(app, ["config", "--config", "nope.toml"])
    assert result.exit_code == 2
    assert "nope.toml: no such configuration file" in result.stderr
