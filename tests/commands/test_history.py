"""`toolkit history`: the trend per expectation as a table, JSON and a self-contained page."""

from __future__ import annotations

import base64
import hashlib
import html
import json
import re
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.runs import check, write_dump
from toolkit.cli import app

runner = CliRunner()


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Three runs: 0, 1 and 4 articles in 10 without tags."""
    root = tmp_path_factory.mktemp("trend")
    for bad in (0, 1, 4):
        incoming = root / "incoming"
        shutil.rmtree(incoming, ignore_errors=True)
        write_dump(incoming / "a", 10, bad)
        check(root, incoming, "--history", str(root / "h"))
    return root / "h"


def invoke(*args: str) -> tuple[int, str, str]:
    ran = runner.invoke(app, ["history", *args])
    return ran.exit_code, ran.stdout, ran.stderr


def test_json_gives_each_rate_and_the_change(history: Path) -> None:
    code, out, _ = invoke(str(history), "--format", "json")
    assert code == 0
    trend = json.loads(out)
    assert trend["store"] == str(history / "history.sqlite")
    assert [r["run"] for r in trend["runs"]] == [1, 2, 3]
    assert [r["articles"] for r in trend["runs"]] == [10, 10, 10]
    tags = next(e for e in trend["expectations"] if e["id"] == "tags_non_empty")
    assert tags["rates"] == [0.0, 0.1, 0.4]
    assert tags["failed"] == [0, 1, 4]
    assert tags["change"] == pytest.approx(0.3)
    assert tags["sparkline"] == "▁▃█"
    # Not judged in any run (too few runs of history): no rate.
    drift = next(e for e in trend["expectations"] if e["id"] == "failure_rate_drift")
    assert drift["rates"] == [None, None, None] and drift["sparkline"] == "   "


def test_last_and_expectation_narrow_it(history: Path) -> None:
    code, out, _ = invoke(
        str(history), "-f", "json", "--last", "2", "--expectation", "feed/tags_non_empty"
    )
    assert code == 0
    trend = json.loads(out)
    assert [r["run"] for r in trend["runs"]] == [2, 3]
    assert [(e["id"], e["rates"]) for e in trend["expectations"]] == [
        ("tags_non_empty", [0.1, 0.4])
    ]
    code, _, err = invoke(str(history), "--expectation", "tags_nonempty")
    assert code == 2
    assert err.startswith("toolkit: error: no expectation 'tags_nonempty' in the history: ids: ")


def test_the_terminal_table_shows_rates_sparkline_and_change(history: Path) -> None:
    code, out, _ = invoke(str(history))
    assert code == 0
    assert out.splitlines()[0].startswith(
        f"{history / 'history.sqlite'}: runs 1-3, articles ███ (10 in the last)"
    )
    row = next(line for line in out.splitlines() if "feed/tags_non_empty" in line)
    cells = [c.strip() for c in row.strip("│ ").split("│")]
    assert cells == ["feed/tags_non_empty", "critical", "0.0% 10.0% 40.0%", "▁▃█", "40.0%", "+30.0"]


def test_the_page_is_self_contained_and_escaped(tmp_path: Path) -> None:
    root = tmp_path
    (root / "feed.yaml").write_text(
        "suite: feed\nexpectations:\n  - expect: tags_non_empty\n"
        "    id: '<img src=x onerror=alert(1)>'\n"
    )
    write_dump(root / "in" / "a", 2, 1)
    check(root, root / "in", "--history", str(root / "h"))
    code, _, err = invoke(str(root / "h"), "--format", "html", "-o", str(root / "trend.html"))
    assert code == 0, err
    page = (root / "trend.html").read_text()
    csp = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', page)
    style = re.search(r"<style>(.*?)</style>", page, re.S)
    assert csp is not None and style is not None
    digest = base64.b64encode(hashlib.sha256(style.group(1).encode()).digest()).decode()
    assert html.unescape(csp.group(1)) == (
        f"default-src 'none'; style-src 'sha256-{digest}'; img-src data:; base-uri 'none'; "
        "form-action 'none'"
    )
    assert "<script" not in page and "<img" not in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
    assert not re.search(r"(src|href)=\"?https?:", page)
    assert "<polyline points=" in page and "50.0%" in page


def test_no_history_is_a_usage_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    code, _, err = invoke()
    assert code == 2
    assert err.strip() == (
        "toolkit: error: no DIR given and no 'history' in the configuration: pass DIR"
    )
    code, _, err = invoke("nowhere")
    assert code == 2
    assert (
        err.strip()
        == "toolkit: error: nowhere/history.sqlite: no history here (no run recorded yet)"
    )
    (tmp_path / "toolkit.toml").write_text('history = "nowhere"\n')
    assert invoke()[0] == 2


def test_a_corrupt_store_is_named(tmp_path: Path) -> None:
    (tmp_path / "history.sqlite").write_text("not a database at all" * 50)
    code, _, err = invoke(str(tmp_path))
    assert code == 2
    assert err.strip() == (
        f"toolkit: error: {tmp_path / 'history.sqlite'}: not a readable toolkit history (file "
        "is not a database): move it away to start a new one"
    )
