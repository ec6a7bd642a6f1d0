"""`toolkit suite export --to gx` and `toolkit suite import`: files, messages, exit codes."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from tests.conftest import SEED, SUITES
from toolkit.cli import app
from toolkit.suite import load_suite

runner = CliRunner()


def invoke(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_export_to_stdout_is_gx_suite_json() -> None:
    code, out, err = invoke("suite", "export", "--to", "gx", str(SUITES / "news.yaml"))
    assert code == 0
    data = json.loads(out)
    assert data["name"] == "news"
    first = data["expectations"][0]
    assert first["type"] == "expect_column_values_to_match_strftime_format"
    assert first["meta"]["toolkit"]["expect"] == "date_parseable"
    assert "derived_columns_note" in data["meta"]["toolkit"]
    assert "run over columns the toolkit derives" in err


def test_export_names_what_it_leaves_out(tmp_path: Path) -> None:
    target = tmp_path / "out" / "news.json"
    code, out, err = invoke(
        "suite", "export", "--to", "gx", str(SUITES / "news.yaml"), "-o", str(target)
    )
    assert code == 0 and out == ""
    data = json.loads(target.read_text(encoding="utf-8"))
    left = data["meta"]["toolkit"].get("not_exported", [])
    for item in left:
        assert f"not exported: {item['id']} ({item['expect']})" in err
    exported = {e["meta"]["toolkit"]["id"] for e in data["expectations"]}
    listed = {e.id for e in load_suite(SUITES / "news.yaml").entries}
    assert exported | {i["id"] for i in left} == listed


def test_export_unknown_suite_is_a_usage_error() -> None:
    code, out, err = invoke("suite", "export", "--to", "gx", "no_such_suite")
    assert code == 2 and out == ""
    assert "no_such_suite" in err and "no such suite" in err


def test_export_to_another_format_is_a_usage_error() -> None:
    code, _, err = invoke("suite", "export", "--to", "soda", str(SUITES / "news.yaml"))
    assert code == 2
    assert "soda" in err


def test_import_of_an_export_gives_a_suite_that_runs(tmp_path: Path) -> None:
    exported = tmp_path / "joongang.json"
    assert invoke("suite", "export", "--to", "gx", "joongang", "-o", str(exported))[0] == 0
    target = tmp_path / "back.yaml"
    code, out, err = invoke("suite", "import", str(exported), "--out", str(target))
    assert (code, out, err) == (0, "", "")
    check = runner.invoke(app, ["check", str(SEED), "--suite", str(target), "--format", "json"])
    assert check.exit_code == 1
    critical = [f for f in json.loads(check.stdout)["findings"] if f["severity"] == "critical"]
    assert [(f["expectation"], f["line"]) for f in critical] == [("byline_has_email", 1)]


def test_import_names_what_it_cannot_convert(tmp_path: Path) -> None:
    source = tmp_path / "vendor.json"
    source.write_text(
        json.dumps(
            {
                "name": "vendor",
                "expectations": [
                    {
                        "type": "expect_column_values_to_not_be_null",
                        "kwargs": {"column": "byline"},
                    },
                    {"type": "expect_column_kl_divergence_to_be_less_than", "kwargs": {}},
                ],
            }
        ),
        encoding="utf-8",
    )
    code, out, err = invoke("suite", "import", str(source))
    assert code == 1
    assert "expect: column_values_to_not_be_null" in out
    assert "# Not converted" in out
    assert (
        "not converted: expectation 2 (expect_column_kl_divergence_to_be_less_than): "
        "the toolkit has no expectation for this Great Expectations type"
    ) in err
    assert "converted 1 of 2 expectations" in err


def test_import_of_broken_json_names_the_line(tmp_path: Path) -> None:
    source = tmp_path / "broken.json"
    source.write_text('{\n  "name": "x",\n  "expectations": [,]\n}\n', encoding="utf-8")
    code, out, err = invoke("suite", "import", str(source))
    assert code == 2 and out == ""
    assert f"{source}:3: not JSON" in err


def test_import_of_something_else_is_a_usage_error(tmp_path: Path) -> None:
    source = tmp_path / "result.json"
    source.write_text('{"schema_version": "1.0", "findings": []}', encoding="utf-8")
    code, _, err = invoke("suite", "import", str(source))
    assert code == 2
    assert "not a Great Expectations suite" in err
    code, _, err = invoke("suite", "import", str(tmp_path / "missing.json"))
    assert code == 2 and "no such file" in err
