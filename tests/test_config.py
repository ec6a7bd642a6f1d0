"""Project configuration through `toolkit check`: lookup, precedence, bad files, select and
ignore, `severity: off`, the default suites, --quiet."""

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
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A project: the shipped suites in expectations/, two clean and two broken dumps in
    dumps/, a sub directory to run from; the working directory is the project."""
    shutil.copytree(SUITES, tmp_path / "expectations")
    dumps = tmp_path / "dumps"
    dumps.mkdir()
    for src in (*sorted(CLEAN.glob("00[12]_*.txt")), BROKEN / "tags_empty.txt"):
        shutil.copy(src, dumps)
    shutil.copy(BROKEN / "byline_no_email.txt", dumps)
    (tmp_path / "sub").mkdir()
    monkeypatch.chdir(tmp_path)
    return tmp_path


def json_run(*args: str) -> tuple[int, dict[str, Any]]:
    code, out, err = invoke("check", *args, "-f", "json")
    assert code in (0, 1), err
    return code, json.loads(out)


def ids(result: dict[str, Any]) -> list[str]:
    return [e["id"] for s in result["suites"] for e in s["expectations"]]


def test_pyproject_table_is_found_walking_up_and_paths_are_relative_to_it(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (project / "pyproject.toml").write_text(
        '[project]\nname = "archive"\n\n[tool.toolkit]\npaths = ["dumps"]\nsuites = ["news"]\n'
    )
    monkeypatch.chdir(project / "sub")
    code, result = json_run()
    assert code == 1
    assert [s["name"] for s in result["suites"]] == ["news"]
    assert result["summary"]["files"] == 4
    assert {f["file"] for f in result["findings"] if f["severity"] == "critical"} == {
        str(project / "dumps" / "tags_empty.txt")
    }


def test_toolkit_toml_wins_over_pyproject_in_the_same_directory(project: Path) -> None:
    (project / "pyproject.toml").write_text('[tool.toolkit]\nsuites = ["news"]\n')
    (project / "toolkit.toml").write_text('paths = ["dumps"]\nsuites = ["joongang"]\n')
    _, result = json_run()
    assert [s["name"] for s in result["suites"]] == ["joongang"]


def test_a_pyproject_without_the_table_is_passed_over(project: Path) -> None:
    (project / "toolkit.toml").write_text('paths = ["dumps"]\nselect = ["tags"]\n')
    (project / "sub" / "pyproject.toml").write_text('[project]\nname = "inner"\n')
    code, out, _ = invoke("config")
    assert code == 0
    assert "configuration: toolkit.toml" in out
    assert 'select          = ["tags"]' in out


def test_the_command_line_overrides_the_file(project: Path) -> None:
    (project / "toolkit.toml").write_text('paths = ["dumps"]\nselect = ["tags"]\njobs = 2\n')
    _, result = json_run()
    assert (
        ids(result)
        == ["file_readable", "tags_non_empty", "tags_unique", "tags_vocabulary"][: len(ids(result))]
    )
    assert all(i == "file_readable" or i.startswith("tags_") for i in ids(result))
    code, result = json_run("dumps/byline_no_email.txt", "--select", "byline_has_email")
    assert result["summary"]["files"] == 1
    assert ids(result) == ["file_readable", "byline_has_email"]
    assert code == 1


@pytest.mark.parametrize(
    ("toml", "line", "message"),
    [
        (
            'paths = ["dumps"]\nsuite = ["news"]\n',
            2,
            "unknown configuration key 'suite': did you mean 'suites'?",
        ),
        (
            'paths = ["dumps"]\n\njobs = "two"\n',
            3,
            "'jobs' is a whole number, 1 or more, not 'two'",
        ),
        ("paths = [dumps]\n", 1, "broken TOML: Invalid value"),
        ('paths = ["dumps"]\nbatch_size = 0\n', 2, "'batch_size' is a whole number, 1 or more"),
        ('formats = ["rich", "yaml:out.yaml"]\n', 1, "unknown format 'yaml'"),
        ('paths = "dumps"\nredact_emails = "yes"\n', 2, "'redact_emails' is true or false"),
        (
            'input = { format = "jsonl" }\n',
            1,
            "'input': the input mapping is set with the keys input_format",
        ),
    ],
)
def test_a_bad_configuration_is_exit_2_with_file_and_line(
    project: Path, toml: str, line: int, message: str
) -> None:
    (project / "toolkit.toml").write_text(toml)
    code, _, err = invoke("check", "dumps")
    assert code == 2
    assert f"toolkit.toml:{line}: {message}" in err
    assert "Traceback" not in err


def test_a_bad_value_in_pyproject_names_its_line(project: Path) -> None:
    (project / "pyproject.toml").write_text(
        '[project]\nname = "x"\n\n[tool.toolkit]\npaths = ["dumps"]\nmax_findings = -1\n'
        "\n[tool.other]\nmax_findings = 3\n"
    )
    code, _, err = invoke("check")
    assert code == 2
    assert "pyproject.toml:6: 'max_findings' is a whole number, 0 or more, not -1" in err


def test_no_path_anywhere_is_a_usage_error(project: Path) -> None:
    code, _, err = invoke("check")
    assert code == 2
    assert "no PATH given and no 'paths' in the configuration" in err


# --- select and ignore ------------------------------------------------------------------------


def test_select_and_ignore_by_family_and_id_repeatable_and_comma_separated(
    project: Path,
) -> None:
    _, result = json_run("dumps", "--select", "tags,byline", "--ignore", "tags_unique")
    assert ids(result) == [
        "file_readable",
        "byline_has_email",
        "byline_email_matches_name",
        "tags_non_empty",
    ]
    _, result = json_run("dumps", "--ignore", "hygiene", "--ignore", "dates,corpus")
    assert not any(i.startswith(("hygiene_", "date_", "published_")) for i in ids(result))
    assert "body_unique" not in ids(result) and "headline_in_body" in ids(result)
    assert result["summary"]["findings"]["info"] == 0


def test_an_unknown_selection_is_exit_2_with_did_you_mean(project: Path) -> None:
    code, _, err = invoke("check", "dumps", "--select", "hygeine")
    assert code == 2
    assert "no expectation id or family 'hygeine'; did you mean 'hygiene'?" in err
    (project / "toolkit.toml").write_text('ignore = ["tags_non_emtpy"]\n')
    code, _, err = invoke("check", "dumps")
    assert code == 2 and "did you mean 'tags_non_empty'?" in err


def test_ignoring_the_failing_expectations_passes_the_run(project: Path) -> None:
    code, _ = json_run("dumps", "--ignore", "tags_non_empty,byline_has_email")
    assert code == 0


# --- severity: off ----------------------------------------------------------------------------


@pytest.mark.parametrize("spelling", ["off", '"off"', "false"])
def test_severity_off_switches_off_an_inherited_entry(project: Path, spelling: str) -> None:
    (project / "expectations" / "lenient.yaml").write_text(
        "suite: lenient\nextends: news\nexpectations:\n"
        f"  - expect: tags_non_empty\n    severity: {spelling}\n"
    )
    code, result = json_run("dumps", "--suite", "lenient")
    assert "tags_non_empty" not in ids(result)
    assert "tags_unique" in ids(result)
    assert not [f for f in result["findings"] if f["id"] == "tags_non_empty"]
    # news makes the byline email a warning: with tags off, nothing critical fails.
    assert code == 0


def test_a_misspelt_severity_still_names_its_line(project: Path) -> None:
    (project / "expectations" / "bad.yaml").write_text(
        "suite: bad\nextends: news\nexpectations:\n  - expect: tags_non_empty\n    severity: of\n"
    )
    code, _, err = invoke("check", "dumps", "--suite", "bad")
    assert code == 2
    assert "bad.yaml:5: severity 'of' is not one of critical, warning, info, or off" in err


# --- the default suites -----------------------------------------------------------------------


def test_no_suite_runs_the_suites_no_other_suite_extends(project: Path) -> None:
    (project / "expectations" / "other.yaml").write_text(
        "suite: other\nexpectations:\n  - expect: tags_non_empty\n"
    )
    _, result = json_run("dumps")
    assert [s["name"] for s in result["suites"]] == ["joongang", "other"]
    # Each defect of joongang/news is reported once, by joongang.
    byline = [f for f in result["findings"] if f["id"] == "byline_has_email"]
    assert [(f["suite"], f["file"]) for f in byline] == [("joongang", "dumps/byline_no_email.txt")]


def test_the_configuration_names_the_suites(project: Path) -> None:
    (project / "toolkit.toml").write_text('suites = ["news", "expectations/joongang.yaml"]\n')
    _, result = json_run("dumps")
    assert [s["name"] for s in result["suites"]] == ["news", "joongang"]
    # joongang extends news: their shared entries report each defect once, under news, with
    # joongang named; joongang's critical byline_has_email (news: a warning) is its own check.
    tags = [f for f in result["findings"] if f["id"] == "tags_non_empty"]
    assert [(f["suite"], f["file"], f["line"], f["also_in"]) for f in tags] == [
        ("news", "dumps/tags_empty.txt", 1, ["joongang"])
    ]
    byline = [f for f in result["findings"] if f["id"] == "byline_has_email"]
    assert [(f["suite"], f["severity"], f["also_in"]) for f in byline] == [
        ("news", "warning", []),
        ("joongang", "critical", []),
    ]
    joongang = {e["id"]: e for e in result["suites"][1]["expectations"]}
    assert joongang["tags_non_empty"]["failed"] == 1
    assert joongang["tags_non_empty"]["reported_in"] == "news"
    assert joongang["tags_non_empty"]["findings_omitted"] == 0
    assert joongang["byline_has_email"]["reported_in"] is None


def test_suites_named_together_report_a_shared_defect_once(project: Path) -> None:
    result = runner.invoke(
        app,
        ["check", "dumps", "--suite", "news", "--suite", "joongang", "--no-color"],
        env={"COLUMNS": "200"},
    )
    assert result.exit_code == 1
    out = result.stdout
    assert out.count("dumps/tags_empty.txt:1") == 1
    assert "  ✗ tags_non_empty  1 failing  (also suite joongang)" in out
    assert (
        "  = 4 failing shared with suite news (same expectation and parameters), listed there "
        "once: tags_non_empty, hygiene_no_break_spaces, hygiene_mixed_apostrophes, "
        "hygiene_trailing_whitespace"
    ) in out
    # The suite named first reports; the counts of both stay whole.
    code, both = json_run("dumps", "--suite", "joongang", "--suite", "news")
    assert code == 1
    assert {f["suite"] for f in both["findings"] if f["id"] == "tags_non_empty"} == {"joongang"}


# --- --quiet ----------------------------------------------------------------------------------


def test_quiet_prints_the_failing_expectations_and_the_verdict_only(project: Path) -> None:
    result = runner.invoke(app, ["check", "dumps", "--quiet", "--no-color"], env={"COLUMNS": "200"})
    code, out, err = result.exit_code, result.stdout, result.stderr
    assert code == 1
    assert err == ""
    lines = out.splitlines()
    assert lines[0] == "  ✗ byline_has_email  1 failing"
    assert "dumps/byline_no_email.txt:1" in out and "dumps/tags_empty.txt:1" in out
    assert "suite joongang" not in out and "hygiene" not in out and "╭" not in out
    assert lines[-1].startswith("FAILED · failed expectations: 2 critical, 3 info of 27 · 4 files")
    assert lines[-1].endswith("exit 1: a critical expectation failed")


def test_the_batch_size_defaults_agree() -> None:
    """The configuration key, the --batch-size option and the engines share one default."""
    import inspect

    from toolkit.commands.check import check
    from toolkit.config import KEYS
    from toolkit.engines import DEFAULT_BATCH

    option = inspect.signature(check).parameters["batch_size"].default
    assert KEYS["batch_size"].default == option == DEFAULT_BATCH
