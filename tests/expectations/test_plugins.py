"""Custom expectations: a module a suite names, an installed package's entry point."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from toolkit.cli import app
from toolkit.expectations.plugins import GROUP, PluginError, catalog, load_module
from toolkit.suite import SuiteError, load_suite

PLUGINS = Path(__file__).resolve().parent.parent / "data" / "plugins"
SUITE = PLUGINS / "acme.yaml"
CORPUS = PLUGINS / "corpus"
SITE = PLUGINS / "site"  # holds an installed distribution's metadata: acme-news 1.0
FOREIGN = "'mark.lowe@wirefeed.com' is not an address of the desk (joongang.co.kr)"


def write(tmp_path: Path, text: str, name: str = "team.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def error_of(path: Path) -> str:
    with pytest.raises(SuiteError) as info:
        load_suite(path, directory=path.parent)
    return str(info.value)


def test_a_suite_runs_its_plugin_end_to_end_from_the_cli() -> None:
    result = CliRunner().invoke(
        app, ["check", str(CORPUS), "--suite", str(SUITE), "--format", "json"]
    )
    assert result.exit_code == 0, result.output  # the custom expectation is a warning
    report = json.loads(result.stdout)
    found = [
        (f["id"], Path(f["file"]).name, f["line"], f["severity"], f["message"])
        for f in report["findings"]
    ]
    assert found == [("byline_from_domain", "desk.txt", 22, "warning", FOREIGN)]


def test_the_installed_command_finds_a_plugin_beside_its_suite(tmp_path: Path) -> None:
    # The console script's import path holds neither the suite's directory nor the working
    # directory: the module is found because the suite names it.
    shutil.copytree(
        PLUGINS, tmp_path / "team", ignore=shutil.ignore_patterns("site", "__pycache__")
    )
    elsewhere = tmp_path / "run"
    elsewhere.mkdir()
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    script = Path(sys.executable).with_name("toolkit")
    done = subprocess.run(
        [
            str(script),
            "check",
            "../team/corpus",
            "--suite",
            "../team/acme.yaml",
            "--format",
            "json",
        ],
        cwd=elsewhere,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    messages = [f["message"] for f in json.loads(done.stdout)["findings"]]
    assert messages == [FOREIGN]


def test_a_module_that_does_not_import_is_a_suite_error_at_its_line(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "suite: team\nplugins:\n  - acme_news.expectations\n  - acme_news.missing\n"
        "expectations:\n  - expect: tags_non_empty\n",
    )
    shutil.copytree(PLUGINS / "acme_news", tmp_path / "acme_news")
    message = error_of(path)
    assert message.startswith(f"{path}:4: cannot import the plugin module 'acme_news.missing': ")
    result = CliRunner().invoke(app, ["check", str(CORPUS), "--suite", str(path)])
    assert result.exit_code == 2
    assert f"{path}:4: cannot import the plugin module" in result.stderr


@pytest.mark.parametrize(
    ("module", "expected"),
    [
        (
            "acme_clash",
            "plugin module 'acme_clash' defines 'tags_non_empty', a name taken by the built-in "
            "expectation: rename it",
        ),
        (
            "acme_no_list",
            "module 'acme_no_list' has no EXPECTATIONS: expose a list of Expectation or "
            "CorpusExpectation objects, as the built-in modules do",
        ),
    ],
)
def test_a_bad_plugin_is_named(tmp_path: Path, module: str, expected: str) -> None:
    shutil.copy(PLUGINS / f"{module}.py", tmp_path / f"{module}.py")
    path = write(
        tmp_path, f"suite: team\nplugins: [{module}]\nexpectations:\n  - expect: tags_non_empty\n"
    )
    assert error_of(path) == f"{path}:2: {expected}"


def test_plugins_must_be_a_list_of_module_names(tmp_path: Path) -> None:
    path = write(
        tmp_path, "suite: team\nplugins: acme_news\nexpectations:\n  - expect: tags_non_empty\n"
    )
    assert error_of(path) == f"{path}:2: 'plugins' is a list of module names: [my_team.checks]"


def test_an_unknown_custom_name_without_its_plugin_is_an_unknown_expectation(
    tmp_path: Path,
) -> None:
    path = write(
        tmp_path,
        "suite: team\nexpectations:\n  - expect: byline_from_domain\n    domains: [x.kr]\n",
    )
    assert error_of(path).startswith(f"{path}:3: unknown expectation 'byline_from_domain'")


def test_an_extending_suite_inherits_its_base_plugins(tmp_path: Path) -> None:
    shutil.copytree(PLUGINS / "acme_news", tmp_path / "acme_news")
    shutil.copy(SUITE, tmp_path / "acme.yaml")
    path = write(
        tmp_path,
        "suite: strict\nextends: acme\nexpectations:\n  - expect: byline_from_domain\n"
        "    domains: [joongang.co.kr]\n    severity: critical\n",
    )
    suite = load_suite(path, directory=tmp_path)
    assert suite.plugins == ["acme_news.expectations"]
    first = suite.entries[0]
    assert (first.id, first.severity) == ("byline_from_domain", "critical")


def test_load_module_reads_expectations_exactly_as_the_builtins_expose_them() -> None:
    found = load_module("acme_news.expectations", [PLUGINS])
    assert [e.name for e in found] == ["byline_from_domain"]


def test_an_installed_package_brings_its_expectations_by_entry_point(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.syspath_prepend(str(PLUGINS))
    monkeypatch.syspath_prepend(str(SITE))
    known = catalog()
    assert known.origin["byline_from_domain"] == (
        f"entry point 'acme' (acme_news.expectations) of group {GROUP!r}"
    )
    # A suite uses it without naming a module; naming it too is no clash (the same object).
    path = write(
        tmp_path,
        "suite: team\nplugins: [acme_news.expectations]\nexpectations:\n"
        "  - expect: byline_from_domain\n    domains: [joongang.co.kr]\n",
    )
    assert load_suite(path).entries[0].expectation is known.get("byline_from_domain")
    listing = CliRunner().invoke(app, ["expectations", "--family", "acme"])
    assert listing.exit_code == 0
    name, family, severity, description = listing.stdout.split(maxsplit=3)
    assert (name, family, severity) == ("byline_from_domain", "acme", "warning")
    assert (
        description.strip() == "Every address in the byline belongs to one of the desk's domains."
    )


def test_a_broken_entry_point_is_named(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    dist = tmp_path / "broken_pkg-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: broken-pkg\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text(f"[{GROUP}]\nbroken = no_such_pkg.checks\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(PluginError, match="cannot load the entry point 'broken'"):
        catalog()
    result = CliRunner().invoke(app, ["expectations"])
    assert result.exit_code == 2
    assert "entry point 'broken' (no_such_pkg.checks)" in result.stderr


# --- a plugin that breaks: recorded against its expectation, the run completes ----------------

BROKEN_SUITE = """suite: team
plugins: [acme_broken]
expectations:
  - expect: tags_non_empty
  - expect: {name}
    mode: {mode}
  - expect: headline_in_body
"""
FORMATS = ("json", "html", "junit", "sarif", "markdown")


def broken_suite(tmp_path: Path, name: str, mode: str) -> Path:
    shutil.copy(PLUGINS / "acme_broken.py", tmp_path / "acme_broken.py")
    return write(tmp_path, BROKEN_SUITE.format(name=name, mode=mode))


def run_every_format(tmp_path: Path, suite: Path, *extra: str) -> tuple[int, str, str, Path]:
    out = tmp_path / "reports"
    args = ["check", str(CORPUS), "--suite", str(suite), "--format", "github"]
    for fmt in FORMATS:
        args += ["--format", f"{fmt}:{out / fmt}"]
    result = CliRunner().invoke(app, [*args, *extra])
    return result.exit_code, result.stdout, result.stderr, out


@pytest.mark.parametrize(
    ("name", "mode", "what"),
    [
        (
            "broken_row",
            "raises",
            "its check raised ZeroDivisionError: the desk rule divided by zero",
        ),
        (
            "broken_row",
            "scalar",
            "its check returned a bool (True), not a pandas Series of true/false, one per article",
        ),
        (
            "broken_row",
            "strings",
            "its check returned a list (['yes', 'yes']), not a pandas Series of true/false, "
            "one per article",
        ),
        ("broken_row", "short", "its check returned 1 values for 2 articles"),
        ("broken_row", "numbers", "its check returned int64 values, not true/false"),
        ("broken_row", "explain_raises", "its explain raised KeyError: 'no_such_column'"),
        ("broken_row", "explain_text", "its explain returned a str ('not a Why'), not a Why"),
        ("broken_corpus", "sketch_raises", "its sketch raised RuntimeError: the sketch broke"),
        (
            "broken_corpus",
            "sketch_short",
            "its sketch returned 0 keys for 2 articles: give one key per article",
        ),
        ("broken_corpus", "judge_raises", "its judge raised ValueError: the judge broke"),
        (
            "broken_corpus",
            "judge_list",
            "its judge returned a list (['bad']), not a dict of position to Why",
        ),
        (
            "broken_corpus",
            "judge_range",
            "its judge returned the position 9, not one of the 2 sightings (0 to 1) or "
            "CORPUS_LEVEL",
        ),
    ],
)
def test_a_broken_plugin_is_an_error_of_its_expectation_in_every_report(
    tmp_path: Path, name: str, mode: str, what: str
) -> None:
    suite = broken_suite(tmp_path, name, mode)
    code, stdout, stderr, out = run_every_format(tmp_path, suite)
    error = f"{suite}:5: {name} could not run: {what}"
    assert code == 4, stderr
    assert stderr == f"toolkit: error: team/{name}: {error}\n"
    # Every report was written, and nothing else beside the suite and its plugin.
    assert sorted(p.name for p in out.iterdir()) == sorted(FORMATS)
    assert {p.name for p in tmp_path.iterdir()} <= {
        "team.yaml",
        "acme_broken.py",
        "reports",
        "__pycache__",
    }

    report = json.loads((out / "json").read_text(encoding="utf-8"))
    stats = {e["id"]: e for e in report["suites"][0]["expectations"]}
    assert (stats[name]["error"], stats[name]["passed"]) == (error, False)
    # The other expectations ran: both articles checked, no error.
    assert stats["headline_in_body"]["checked"] == 2 and stats["headline_in_body"]["error"] is None
    assert report["summary"]["errors"] == 1

    junit = (out / "junit").read_text(encoding="utf-8")
    assert f'<error message="{error}" type="error"' in junit.replace("&apos;", "'")
    assert 'errors="1"' in junit

    sarif = json.loads((out / "sarif").read_text(encoding="utf-8"))["runs"][0]
    (not_run,) = [r for r in sarif["results"] if r.get("properties", {}).get("couldNotRun")]
    assert (not_run["level"], not_run["message"]["text"]) == ("error", error)
    assert not_run["locations"][0]["physicalLocation"]["region"]["startLine"] == 5

    # GitHub: the error first, whatever the cap, its text the command's message.
    assert stdout.splitlines()[0] == f"::error title=team/{name} could not run::{error}"

    markdown = (out / "markdown").read_text(encoding="utf-8")
    assert "## toolkit check ⛔ error: 1 expectation(s) could not run" in markdown
    assert f"- ⛔ `{name}` could not run: " in markdown

    html = (out / "html").read_text(encoding="utf-8")
    assert "<title>toolkit check: error</title>" in html
    assert "could not run: " in html


def test_a_broken_plugin_shows_in_the_rich_report(tmp_path: Path) -> None:
    suite = broken_suite(tmp_path, "broken_row", "raises")
    result = CliRunner().invoke(app, ["check", str(CORPUS), "--suite", str(suite), "--no-color"])
    assert result.exit_code == 4
    assert "ERROR: 1 expectation(s) could not run" in result.stdout
    assert "error broken_row: " in result.stdout
    assert "its check raised ZeroDivisionError: the desk rule divided by zero" in result.stdout


def test_an_expectation_that_could_not_run_outranks_a_critical_failure(tmp_path: Path) -> None:
    # tags_non_empty fails critically on the broken article; the run still says 4: its verdict
    # is incomplete.
    suite = broken_suite(tmp_path, "broken_corpus", "judge_raises")
    bad = tmp_path / "dump"
    bad.mkdir()
    text = (CORPUS / "desk.txt").read_text(encoding="utf-8")
    (bad / "d.txt").write_text(
        text.replace("tags Korea semiconductors exports tariffs SK hynix", "tags", 1), "utf-8"
    )
    result = CliRunner().invoke(app, ["check", str(bad), "--suite", str(suite), "-f", "json"])
    assert result.exit_code == 4
    report = json.loads(result.stdout)
    assert report["summary"]["expectations_failed"]["critical"] == 2, report["findings"]
    assert [f["id"] for f in report["findings"]] == ["tags_non_empty"]
    # `toolkit report` gives the saved run's own code.
    saved = tmp_path / "r.json"
    saved.write_text(result.stdout, encoding="utf-8")
    again = CliRunner().invoke(app, ["report", str(saved), "-f", "json:" + str(tmp_path / "b")])
    assert again.exit_code == 4


def test_a_plugin_that_exits_on_import_is_a_suite_error(tmp_path: Path) -> None:
    shutil.copy(PLUGINS / "acme_exits.py", tmp_path / "acme_exits.py")
    path = write(
        tmp_path, "suite: team\nplugins: [acme_exits]\nexpectations:\n  - expect: tags_non_empty\n"
    )
    assert error_of(path) == (
        f"{path}:2: the plugin module 'acme_exits' raised on import: SystemExit: 0"
    )
    result = CliRunner().invoke(app, ["check", str(CORPUS), "--suite", str(path)])
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == (
        f"toolkit: error: {path}:2: the plugin module 'acme_exits' raised on import: "
        "SystemExit: 0\n"
    )


def test_explain_of_a_plugin_whose_explain_raises_is_a_clean_message(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shutil.copy(PLUGINS / "acme_broken.py", tmp_path / "acme_broken.py")
    monkeypatch.chdir(tmp_path)  # the working directory is on a plugin's import path
    args = ["explain", "broken_row", "--plugin", "acme_broken", "--set", "mode=explain_raises"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert result.exception is None
    assert "Traceback" not in result.output
    assert result.stdout.splitlines()[-4:] == [
        "The expectation could not run: suite.yaml:3: broken_row could not run: its explain "
        "raised KeyError: 'no_such_column'",
        "",
        "Fix:",
        "  Fix the plugin.",
    ]
