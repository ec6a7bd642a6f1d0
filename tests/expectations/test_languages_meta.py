"""Published: forms, tags_unique and headline_unique on news in German, French, Spanish, Czech,
Japanese, Chinese, Korean and English: clean articles (each Published form, multi-word tags
that share words, a headline recurring on another day) pass, and each defect is still caught
in every language."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import SUITES, one_suite
from toolkit.article import Article, parse_text
from toolkit.engine import check_articles
from toolkit.suite import load_suite

LANGUAGES = ("de", "fr", "es", "cs", "ja", "zh", "ko", "en")
DATA = Path(__file__).resolve().parent.parent / "data" / "languages"
MINE = (
    "date_parseable",
    "published_matches_date",
    "date_in_range",
    "tags_non_empty",
    "tags_unique",
    "headline_unique",
)
SUITE = one_suite(*(f"- expect: {name}" for name in MINE))


def articles(path: Path) -> list[Article]:
    return parse_text(path.read_text(encoding="utf-8"), path.name)


def test_every_language_has_clean_and_broken_articles() -> None:
    for lang in LANGUAGES:
        assert len(articles(DATA / "clean" / f"meta_{lang}.txt")) == 2
        for defect in ("published", "tags", "headline"):
            assert articles(DATA / "broken" / f"meta_{lang}_{defect}.txt")


def test_clean_articles_pass_in_every_language_together() -> None:
    corpus = [a for lang in LANGUAGES for a in articles(DATA / "clean" / f"meta_{lang}.txt")]
    result = check_articles(corpus, [SUITE])
    assert [(f.id, f.file, f.line, f.message) for f in result.findings] == []


def test_the_shipped_suite_finds_nothing_of_these_expectations_in_clean_articles() -> None:
    corpus = [a for lang in LANGUAGES for a in articles(DATA / "clean" / f"meta_{lang}.txt")]
    result = check_articles(corpus, [load_suite(SUITES / "news.yaml", directory=SUITES)])
    mine = [f for f in result.findings if f.expectation in MINE]
    assert [(f.id, f.file, f.line, f.severity) for f in mine] == []


# What each broken Published: line is (the page's value as the scraper kept it).
UNPARSEABLE = {
    "de": "'10. Aug. 2024, 22:15' does not parse: expected",
    "fr": "'14 mars 2025, 18:45' does not parse: expected",
    "es": "'3 Feb. 2025, 21:10 p.m.' does not parse: hour 21 does not exist on the 12-hour",
    "cs": "'31 Apr. 2025, 09:30' does not parse: not a real date and time",
    "ja": "'2025年3月11日 17:03' does not parse: expected",
    "zh": "'2025-04-31T15:30:00+08:00' does not parse: not a real date and time",
    "ko": "'2025.03.11 17:03' does not parse: expected",
    "en": "'Mar. 11, 2025, 13:05 PM' does not parse: hour 13 does not exist on the 12-hour",
}


@pytest.mark.parametrize("lang", LANGUAGES)
def test_published_defects_are_caught(lang: str) -> None:
    path = DATA / "broken" / f"meta_{lang}_published.txt"
    first, second = articles(path)
    result = check_articles([first, second], [SUITE])
    found = [(f.id, f.file, f.line) for f in result.findings]
    assert found == [
        ("date_parseable", path.name, first.line),
        ("published_matches_date", path.name, second.line),
    ]
    unparseable, mismatch = result.findings
    assert unparseable.message.startswith(f"the Published: value {UNPARSEABLE[lang]}")
    assert unparseable.severity == mismatch.severity == "critical"
    assert f"disagrees with the header date ({second.date})" in mismatch.message


@pytest.mark.parametrize("lang", LANGUAGES)
def test_repeated_tags_are_caught(lang: str) -> None:
    path = DATA / "broken" / f"meta_{lang}_tags.txt"
    (article,) = articles(path)
    (f,) = check_articles([article], [SUITE]).findings
    assert (f.id, f.file, f.line, f.field_line) == (
        "tags_unique",
        path.name,
        1,
        article.lines["tags"],
    )
    assert "appears twice on the tags line" in f.message
    shown = f.excerpt[slice(*f.spans[0])]
    assert shown and (article.tags_raw or "").count(shown) == 2


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_headline_shared_on_one_day_is_caught(lang: str) -> None:
    path = DATA / "broken" / f"meta_{lang}_headline.txt"
    first, second = articles(path)
    (f,) = check_articles([first, second], [SUITE]).findings
    assert (f.id, f.file, f.line, f.severity) == (
        "headline_unique",
        path.name,
        second.line,
        "warning",
    )
    assert f.message.startswith(
        f"the headline is the same as in {path.name}:{first.line} ({first.headline!r}), on the "
        f"same day ({first.date})"
    )
