"""Helpers of the history tests: dumps of generated articles, in one directory per source, and
`toolkit check` runs of them into one history."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from toolkit.article import render
from toolkit.cli import app
from toolkit.examples import example_article
from toolkit.fixtures import break_article

runner = CliRunner()

# A suite of one row expectation and the four history expectations, at known lines.
SUITE = """\
suite: feed
expectations:
  - expect: tags_non_empty
  - expect: failure_rate_drift
    min_runs: 3
  - expect: volume_within_usual
    min_runs: 3
  - expect: freshness
    max_age_hours: 36
  - expect: source_share_stable
    min_runs: 3
"""
DRIFT_LINE, VOLUME_LINE, FRESHNESS_LINE, SHARE_LINE = 4, 6, 8, 10
# The example article is published 22 Apr. 2025, 16:05: 13.9 hours before this.
NOW = "2025-04-23T06:00:00Z"


def write_dump(directory: Path, articles: int, without_tags: int = 0) -> Path:
    """``articles`` distinct articles in one dump file, the first ``without_tags`` of them
    with an empty tags line."""
    directory.mkdir(parents=True, exist_ok=True)
    base = example_article()
    texts = []
    for i in range(articles):
        headline = f"{base.headline} ({directory.name} {i})"
        article = dataclasses.replace(base, headline=headline, title=headline)
        if i < without_tags:
            article = break_article(article, "tags_non_empty")
        texts.append(render(article))
    path = directory / "dump.txt"
    path.write_text("".join(texts), encoding="utf-8")
    return path


def check(
    root: Path, incoming: Path, *extra: str, now: str = NOW
) -> tuple[int, dict[str, Any], str]:
    """`toolkit check INCOMING --suite feed.yaml --history history -f json:out.json` from
    ``root``: exit code, the JSON Result, stderr."""
    suite = root / "feed.yaml"
    if not suite.exists():
        suite.write_text(SUITE, encoding="utf-8")
    out = root / "out.json"
    out.unlink(missing_ok=True)
    ran = runner.invoke(
        app,
        ["check", str(incoming), "-s", str(suite), "-f", f"json:{out}", "-q", *extra],
        env={"TOOLKIT_NOW": now},
    )
    result = json.loads(out.read_text()) if out.exists() else {}
    return ran.exit_code, result, ran.stderr


def entry(result: dict[str, Any], entry_id: str) -> dict[str, Any]:
    return next(e for s in result["suites"] for e in s["expectations"] if e["id"] == entry_id)


def findings(result: dict[str, Any], entry_id: str) -> list[tuple[str, int, str]]:
    return [(f["file"], f["line"], f["message"]) for f in result["findings"] if f["id"] == entry_id]
