"""The headline family beyond headline_in_body: not empty, within length bounds, no HTML."""

from __future__ import annotations

import pytest

from tests.conftest import failing_lines, one_suite, run
from toolkit.examples import example_article
from toolkit.fixtures import make_article
from toolkit.suite import SuiteError


def test_empty_headline_fails_once_and_length_leaves_it_alone() -> None:
    blank = make_article(example_article("a.txt"), headline="", title=None)
    result = run([blank], "- expect: headline_not_empty", "- expect: headline_length")
    assert [(f.expectation, f.file, f.line) for f in result.findings] == [
        ("headline_not_empty", "a.txt", 1)
    ]
    assert "has a date but no headline" in result.findings[0].message


def test_headline_in_body_explains_an_empty_headline() -> None:
    blank = make_article(example_article("a.txt"), headline="\u00a0", title="Korea’s chip exports")
    (f,) = run([blank], "- expect: headline_in_body").findings
    assert f.message.startswith("the header line has no headline")


@pytest.mark.parametrize(
    ("headline", "words"),
    [
        ("Kospi", "has 5 characters, fewer than 10"),
        ("Seoul " * 45, "more than 200"),
    ],
)
def test_headline_length_bounds(headline: str, words: str) -> None:
    a = make_article(example_article(), headline=headline.strip())
    (f,) = run([a], "- expect: headline_length").findings
    assert words in f.message


def test_headline_length_is_configurable_and_counts_folded_spaces() -> None:
    a = make_article(example_article(), headline="Yoon\u00a0\u00a0impeached")
    assert run([a], "- expect: headline_length").findings == []
    assert failing_lines(run([a], "- expect: headline_length\n  min_length: 16"), "headline_length")
    with pytest.raises(SuiteError, match="min_length is greater than max_length"):
        one_suite("- expect: headline_length\n  min_length: 50\n  max_length: 40")


@pytest.mark.parametrize(
    ("headline", "what"),
    [
        ("<b>Jeonbuk</b> beats Seoul to become Korea’s candidate", "tag '<b>'"),
        ("SK hynix&#x27;s second HBM line to rise in Cheongju", "entity '&#x27;'"),
        ("Seoul&nbsp;stocks close higher on chip rally", "entity '&nbsp;'"),
    ],
)
def test_headline_html_fails(headline: str, what: str) -> None:
    a = make_article(example_article(), headline=headline)
    (f,) = run([a], "- expect: headline_no_html").findings
    assert what in f.message and "header headline" in f.message


def test_headline_html_in_title_only_is_found_there() -> None:
    a = make_article(example_article(), title="Korea’s chip exports rise<br>")
    result = run([a], "- expect: headline_no_html")
    assert "title line" in result.findings[0].message
    assert run([a], "- expect: headline_no_html\n  fields: [headline]").findings == []


def test_titles_in_angle_brackets_are_not_html() -> None:
    a = make_article(example_article(), headline="Bong Joon Ho’s <Parasite> returns to theaters")
    assert run([a], "- expect: headline_no_html").findings == []
