"""The clean example article: what explanations and fixtures start from."""

from __future__ import annotations

from tests.conftest import SUITES
from toolkit.article import render
from toolkit.engine import check_articles
from toolkit.examples import EXAMPLE_TEXT, example_article
from toolkit.suite import load_suite


def test_it_renders_back_to_its_own_text() -> None:
    assert render(example_article()) == EXAMPLE_TEXT


def test_it_has_every_part_a_clean_article_has() -> None:
    a = example_article()
    assert a.problems == []
    assert a.caption is not None and a.caption.endswith("[YONHAP]")
    assert len(a.paragraphs) >= 5
    assert a.byline_names == ["LEE JAE-LIM", "SEO JI-EUN"]
    assert len(a.byline_emails) == 2
    assert a.tags


def test_it_passes_every_shipped_suite_without_a_single_finding() -> None:
    suites = [load_suite(p, directory=SUITES) for p in sorted(SUITES.glob("*.yaml"))]
    result = check_articles([example_article()], suites)
    assert [(f.id, f.message) for f in result.findings] == []
    assert result.exit_code == 0


def test_each_call_gives_a_fresh_copy() -> None:
    a = example_article()
    a.paragraphs.append("Changed.")
    assert example_article().paragraphs != a.paragraphs
