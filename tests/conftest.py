"""Shared fixtures: the seed, clean articles, and helpers to run suites on articles."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from toolkit.article import Article, parse_text
from toolkit.engine import check_articles
from toolkit.result import Result
from toolkit.suite import Suite, parse_suite

ROOT = Path(__file__).resolve().parent.parent
CORPORA = ROOT / "corpora"
SEED = CORPORA / "seed" / "000_faaed4314eeb3cba.txt"
CLEAN = CORPORA / "clean"
BROKEN = CORPORA / "broken"
SUITES = ROOT / "toolkit" / "suites"  # the shipped suites


def one_suite(*entries: str, name: str = "t") -> Suite:
    """A suite of the given YAML entries, e.g. one_suite("- expect: tags_non_empty")."""
    body = "\n".join(f"  {line}" for e in entries for line in e.splitlines())
    return parse_suite(f"suite: {name}\nexpectations:\n{body}\n", directory=SUITES)


def run(articles: list[Article], *entries: str) -> Result:
    return check_articles(articles, [one_suite(*entries)])


def failing_lines(result: Result, expectation: str) -> list[tuple[str, int]]:
    return [(f.file, f.line) for f in result.findings if f.expectation == expectation]


@pytest.fixture
def seed_text() -> str:
    return SEED.read_text(encoding="utf-8")


@pytest.fixture
def seed_article(seed_text: str) -> Article:
    return parse_text(seed_text, "seed.txt")[0]


@pytest.fixture
def clean_articles() -> list[Article]:
    out: list[Article] = []
    for path in sorted(CLEAN.glob("*.txt")):
        out.extend(parse_text(path.read_text(encoding="utf-8"), path.name))
    return out


@pytest.fixture
def corpus_dir(tmp_path: Path) -> Callable[..., Path]:
    """Copy named corpora files (relative to corpora/) into a fresh directory."""

    def make(*names: str) -> Path:
        target = tmp_path / "corpus"
        target.mkdir(exist_ok=True)
        for name in names:
            shutil.copy(CORPORA / name, target / Path(name).name)
        return target

    return make
