"""Property tests: generated articles survive rendering and parsing, pass the catalog, and the
parser and the dump reader never raise, whatever the bytes."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from toolkit.article import HEADER, Article, parse_text, render, split_lines
from toolkit.engine import check_articles
from toolkit.expectations import CATALOG
from toolkit.readers import read_dump
from toolkit.strategies import articles, dumps
from toolkit.suite import Suite, SuiteEntry


@settings(max_examples=60)
@given(articles(quirks=True))
def test_rendering_then_parsing_gives_back_the_same_article(article: Article) -> None:
    assert parse_text(render(article), article.file) == [article]


@settings(max_examples=30)
@given(articles(quirks=True))
def test_each_part_s_line_is_where_the_text_holds_it(article: Article) -> None:
    lines = split_lines(render(article))
    expected = {
        "headline": f" date {article.date}  {article.headline}",
        "title": article.title,
        "published": f"Published: {article.published}",
        "caption": article.caption,
        "body": article.paragraphs[0],
        "byline": article.byline,
        "tags": f"tags {article.tags_raw}",
    }
    assert {part: lines[n - 1] for part, n in article.lines.items()} == {
        part: text for part, text in expected.items() if part in article.lines
    }


@settings(max_examples=30)
@given(dumps(quirks=True))
def test_a_dump_of_many_articles_parses_into_them_at_their_lines(
    dump: tuple[str, list[Article]],
) -> None:
    text, expected = dump
    assert parse_text(text, "dump.txt") == expected


def _catalog_suite() -> Suite:
    """Every catalog expectation that runs with its default parameters, at severity critical."""
    entries = []
    for name, exp in CATALOG.items():
        try:
            params = exp.params()
        except ValidationError:
            continue  # needs parameters (a column, a regex): nothing to say by default
        entries.append(SuiteEntry(id=name, expectation=exp, params=params, severity="critical"))
    return Suite(name="catalog", file="catalog", entries=entries)


CATALOG_SUITE = _catalog_suite()


@settings(max_examples=12, deadline=None)
@given(articles())
def test_generated_articles_pass_every_expectation_of_the_catalog(article: Article) -> None:
    # One article a run: the corpus expectations have nothing to compare, and random articles
    # drawn together may well be near-duplicates of each other (the shrinker makes them so).
    result = check_articles([article], [CATALOG_SUITE])
    assert [(f.id, f.message, f.excerpt) for f in result.findings] == []


@given(st.text())
def test_the_parser_never_raises_on_any_text(text: str) -> None:
    found = parse_text(text, "any.txt")
    lines = split_lines(text)
    headers = sum(bool(HEADER.match(ln)) for ln in lines)
    assert headers <= len(found) <= headers + 1
    assert all(1 <= a.line <= len(lines) for a in found)
    assert [a.line for a in found] == sorted({a.line for a in found})


# Lines that look like parts of the format, mixed at random: the parser's branches get work.
_FRAGMENTS = st.sampled_from(
    [
        " date 2025-03-11  Headline",
        "date 2025-02-30",
        " date ",
        "Published: 11 Mar. 2025, 17:03",
        "Published:",
        "A caption [YONHAP]",
        "BY SEO JI-EUN [seo@jd.kr]",
        "BY [[email\u00a0protected]]",
        "BY A [",
        "tags Korea",
        "tags",
        "",
        "\u00a0",
        "\r",
        "\t",
    ]
)


@given(st.lists(st.one_of(_FRAGMENTS, st.text(max_size=40)), max_size=30))
def test_the_parser_never_raises_on_format_like_lines(lines: list[str]) -> None:
    text = "\n".join(lines)
    for article in parse_text(text, "mix.txt"):
        assert all(isinstance(n, int) and n >= article.line for n in article.lines.values())


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=2000))
def test_the_dump_reader_never_raises_on_any_bytes(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "any.txt"
    path.write_bytes(data)
    outcome = read_dump(path, "any.txt")
    if not data.strip(b" \t\r\n"):
        assert [p.kind for p in outcome.problems] == ["empty"] and outcome.articles == []
    else:
        assert outcome.articles or outcome.problems
    assert all(p.line >= 1 for p in outcome.problems)


@settings(max_examples=20, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(dump=dumps(max_articles=3))
def test_the_dump_reader_reads_generated_dumps_without_problems(
    tmp_path: Path, dump: tuple[str, list[Article]]
) -> None:
    text, expected = dump
    path = tmp_path / "dump.txt"
    path.write_bytes(text.encode("utf-8"))
    outcome = read_dump(path, "dump.txt")
    assert outcome.problems == []
    assert outcome.articles == expected


@settings(max_examples=20)
@given(articles(min_date=dt.date(2024, 9, 1), max_date=dt.date(2024, 9, 30)))
def test_articles_are_drawn_within_the_dates_asked_for(article: Article) -> None:
    assert article.date is not None and "2024-09-01" <= article.date <= "2024-09-30"
    assert article.published is not None and " Sept. 2024, " in article.published
