"""The Published: forms real dumps carry (FORMAT.md): month abbreviations with a period except
May, Sept. beside Sep., June and July in full; and what must not pass for a month."""

from __future__ import annotations

import pandas as pd
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


@pytest.mark.parametrize(
    ("date", "published"),
    [
        ("2025-03-11", "2025-03-11T17:03:00+09:00"),
        ("2025-03-11", "2025-03-11T08:03Z"),
        ("2025-03-11", "2025-03-11 17:03"),
        ("2025-03-11", "2025-03-11T17:03:00.250+01:00"),
        ("2025-03-11", "Mar. 11, 2025, 5:03 PM"),
        ("2025-03-11", "Mar. 11, 2025 5:03PM"),
        ("2025-03-11", "11 Mar. 2025, 5:03 p.m."),
        ("2025-03-11", "11 Mar. 2025, 12:10 a.m."),
        ("2025-03-11", "March 11, 2025"),
        ("2024-09-03", "Sept. 3, 2024, 9:05 AM"),
        ("2025-03-11", "11 Mar. 2025, 17:03 | Updated: 12 Mar. 2025, 09:20"),
        ("2025-03-11", "11 Mar. 2025, 17:03  Updated: 12 Mar. 2025, 09:20"),
        ("2025-03-11", "11 Mar. 2025, 17:03 Updated 2025-03-12T09:20+09:00"),
        ("2025-03-11", "2025-03-11T17:03+09:00 · Updated: 2025-03-11T18:40+09:00"),
    ],
)
def test_other_published_forms_parse_and_match(date: str, published: str) -> None:
    a = make_article(example_article(), date=date, published=published)
    result = run([a], "- expect: date_parseable", "- expect: published_matches_date")
    assert result.findings == []


@pytest.mark.parametrize(
    ("published", "reason"),
    [
        ("31 Feb. 2025, 10:00", "not a real date and time (day is out of range for month)"),
        ("Feb. 31, 2025, 10:00 AM", "not a real date and time (day is out of range for month)"),
        ("2025-02-31T10:00+09:00", "not a real date and time"),
        ("11 Mar. 2025, 13:03 PM", "hour 13 does not exist on the 12-hour clock (PM)"),
        ("11 Mar. 2025, 0:30 a.m.", "hour 0 does not exist on the 12-hour clock (a.m.)"),
        ("11 Mär. 2025, 17:03", "expected 'D Mon. YYYY, HH:MM'"),
        ("11 Mars 2025, 17:03", "'Mars' is not an English month name or abbreviation"),
        ("Marz 11, 2025, 5:03 PM", "'Marz' is not an English month name or abbreviation"),
        ("2025-03-11T17:03+15:00", "the zone +1500 is not in use anywhere"),
        ("20250311T1703", "expected 'D Mon. YYYY, HH:MM'"),
        ("2025-W11-2", "expected 'D Mon. YYYY, HH:MM'"),
        ("11 Mar. 2025, 17:03 Updated: yesterday", "the Updated part: expected"),
        ("Updated: 11 Mar. 2025, 17:03", "'Updated' must follow the publication time"),
        ("11 Mar. 2025, 17:03 Updated:12 Mar. 2025", "'Updated' must be followed by a space"),
    ],
)
def test_impossible_and_unknown_published_values_are_named(published: str, reason: str) -> None:
    a = make_article(example_article(), date="2025-03-11", published=published)
    (f,) = run([a], "- expect: date_parseable").findings
    assert f.message.startswith(f"the Published: value {published!r} does not parse: {reason}")


@pytest.mark.parametrize(
    ("date", "published", "same_day"),
    [
        # 20:03 UTC on 10 March is 05:03 on 11 March in Seoul: the header's day somewhere.
        ("2025-03-11", "2025-03-10T20:03Z", True),
        ("2025-03-10", "2025-03-11T05:03+09:00", True),
        # Noon UTC is on the 11th in every zone from UTC-12:00 to UTC+11:59.
        ("2025-03-12", "2025-03-11T12:00Z", True),
        ("2025-03-13", "2025-03-11T12:00Z", False),
        ("2025-03-09", "2025-03-10T13:00Z", False),
        # Without a zone the time is the day it shows.
        ("2025-03-10", "2025-03-11 05:03", False),
        ("2025-03-10", "11 Mar. 2025, 12:30 a.m.", False),
    ],
)
def test_a_zoned_time_matches_the_days_it_falls_on_somewhere(
    date: str, published: str, same_day: bool
) -> None:
    a = make_article(example_article(), date=date, published=published)
    found = run([a], "- expect: published_matches_date").findings
    assert (found == []) is same_day


def test_tolerance_days_counts_from_the_nearest_possible_day() -> None:
    a = make_article(example_article(), date="2025-03-13", published="2025-03-11T12:00Z")
    assert run([a], "- expect: published_matches_date\n  tolerance_days: 1").findings == []


def test_the_common_form_and_the_slow_path_agree() -> None:
    """The column is read in pyarrow for the publisher's own form and value by value for the
    rest: both must give the same time for the same text."""
    import pandas as pd

    from toolkit.expectations.dates import Published, parse_published, published_dates

    values = [
        "11 Mar. 2025, 17:03",
        "11 March 2025, 7:03",
        "31 Feb. 2025, 10:00",
        "3 Sept 2024, 25:00",
    ]
    got = published_dates(pd.DataFrame({"published": pd.Series(values, dtype="string[pyarrow]")}))
    for value, time in zip(values, got, strict=True):
        parsed = parse_published(value)
        expected = parsed.local if isinstance(parsed, Published) else None
        assert (None if pd.isna(time) else time.to_pydatetime()) == expected, value


def test_dates_read_once_per_batch_are_the_callers_own_to_change() -> None:
    """The header dates and Published: times are parsed once per batch (toolkit.memo) and
    shared by the profile and the date expectations; each caller gets its own Series."""
    from tests.conftest import CLEAN
    from toolkit.batch import rows_frame
    from toolkit.expectations.dates import header_dates, published_dates
    from toolkit.memo import for_batch
    from toolkit.readers import discover, read_dump

    rows = read_dump(next(iter(discover([CLEAN]).files))).rows
    batch = rows_frame(rows, {})
    with for_batch(batch):
        expected = (header_dates(batch).tolist(), published_dates(batch).tolist())
        for mine in (header_dates(batch), published_dates(batch)):
            mine[:] = pd.NaT
        assert (header_dates(batch).tolist(), published_dates(batch).tolist()) == expected
    assert pd.notna(expected[0]).all() and pd.notna(expected[1]).all()
