"""The Published: forms real dumps carry (FORMAT.md): month abbreviations with a period except
May, Sept. beside Sep., June and July in full; and what must not pass for a month."""

from __future__ import annotations

import pytest

from tests.conftest import run
from toolkit.examples import example_article
from toolkit.fixtures import make_article


@pytest.mark.parametrize(
    ("date", "published"),
    [
        ("2025-03-11", "11 Mar. 2025, 17:03"),
        ("2024-05-23", "23 May 2024, 11:42"),
        ("2024-09-10", "10 Sept. 2024, 15:20"),
        ("2023-09-05", "5 Sep. 2023, 10:22"),
        ("2023-06-16", "16 June 2023, 18:05"),
        ("2025-07-08", "8 July 2025, 22:31"),
        ("2024-09-03", "3 Sept. 2024, 9:05"),
        ("2024-01-02", "2 January 2024, 10:00"),
        ("2025-03-11", "11\u00a0Mar.\u00a02025,\u00a017:03"),
        ("2025-03-11", "11 Mar. 2025, 17:03 Updated: 12 Mar. 2025, 09:20"),
    ],
)
def test_published_forms_parse_and_match(date: str, published: str) -> None:
    a = make_article(example_article(), date=date, published=published)
    result = run([a], "- expect: date_parseable", "- expect: published_matches_date")
    assert result.findings == []


@pytest.mark.parametrize(
    "published",
    [
        "11 Mars 2025, 17:03",
        "11 Marc. 2025, 17:03",
        "yesterday, 17:03",
        "30 Feb. 2025, 10:00",
        "11 Mar. 2025, 25:00",
        "Mar. 11, 2025, 17:03",
        "",
    ],
)
def test_what_is_not_a_published_date_fails(published: str) -> None:
    a = make_article(example_article(), date="2025-03-11", published=published)
    (f,) = run([a], "- expect: date_parseable").findings
    assert f.expectation == "date_parseable" and f.line == 1


def test_published_on_another_day_is_named_with_both_dates() -> None:
    a = make_article(example_article(), date="2024-09-10", published="12 Sept. 2024, 15:20")
    (f,) = run([a], "- expect: published_matches_date").findings
    assert "(12 Sept. 2024, 15:20)" in f.message and "(2024-09-10)" in f.message
