"""Dates: the header date and the ``Published:`` line."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re

import pandas as pd
from pydantic import Field

from toolkit.article import Article
from toolkit.expectations.base import (
    AnyExpectation,
    Expectation,
    GxForm,
    Params,
    Row,
    Why,
    gx_objects,
)
from toolkit.text import SPACE_CLASS, as_mask

_ISO_DATE = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
# "11 Mar. 2025, 17:03", "4 May 2024, 9:15", "2 Sept. 2024, 10:00", "1 June 2023, 08:00":
# folded to "11 Mar 2025, 17:03" so one strptime format reads them all. Only the endings of
# real month names follow the three letters, so that "Mars" or "Marc." is not taken for March.
_MONTH_END = "(?:uary|ruary|ch|il|e|y|ust|t|tember|ober|ember)?"
_PUBLISHED = (
    f"^([0-9]{{1,2}})[{SPACE_CLASS}]+([A-Z][a-z]{{2}}){_MONTH_END}[.]?[{SPACE_CLASS}]+"
    f"([0-9]{{4}}),?[{SPACE_CLASS}]+([0-9]{{1,2}}:[0-9]{{2}})"
    # Pages updated after publication show both on one line: "... 17:03 Updated: 12 Mar. ...".
    f"(?:[{SPACE_CLASS}]+Updated:.*)?$"
)
_PUBLISHED_FORMAT = "%d %b %Y, %H:%M"
_MONTHS = [
    "Jan.",
    "Feb.",
    "Mar.",
    "Apr.",
    "May",
    "June",
    "July",
    "Aug.",
    "Sept.",
    "Oct.",
    "Nov.",
    "Dec.",
]

# A century either way: wide enough for any real tolerance, far from the calendar's end.
MAX_DAYS = 36_500


def header_dates(batch: pd.DataFrame) -> pd.Series:
    """The header date as a timestamp; NaT where it is not a real YYYY-MM-DD date."""
    raw = batch["date"].astype("string[pyarrow]")
    iso = raw.where(as_mask(raw.str.match(_ISO_DATE)))
    return pd.to_datetime(iso, format="%Y-%m-%d", errors="coerce")


def published_dates(batch: pd.DataFrame) -> pd.Series:
    """The ``Published:`` value as a timestamp; NaT where absent or unparseable."""
    raw = batch["published"].astype("string[pyarrow]").str.strip()
    folded = raw.str.replace(_PUBLISHED, r"\1 \2 \3, \4", regex=True)
    folded = folded.where(as_mask(raw.str.match(_PUBLISHED)))
    return pd.to_datetime(folded, format=_PUBLISHED_FORMAT, errors="coerce")


def format_published(day: dt.datetime) -> str:
    """A ``Published:`` value in the publisher's own style."""
    return f"{day.day} {_MONTHS[day.month - 1]} {day.year}, {day:%H:%M}"


# --- date_parseable ---------------------------------------------------------------------------


class DateParseable(Params):
    published: bool = Field(True, description="also require a Published: line that parses")


def _date_parseable(batch: pd.DataFrame, p: DateParseable) -> pd.Series:
    ok = header_dates(batch).notna()
    if p.published:
        ok &= published_dates(batch).notna()
    return as_mask(ok)


def _explain_date(row: Row, p: DateParseable) -> Why:
    date = row["date"]
    if date is None:
        return Why(
            "no header line: the article does not start with ' date YYYY-MM-DD  Headline'", ""
        )
    if not date:
        return Why("the header date is empty: expected YYYY-MM-DD before the headline", date)
    if not re.fullmatch(_ISO_DATE, date):
        return Why(f"the header date {date!r} is not in YYYY-MM-DD form", date)
    try:
        dt.date.fromisoformat(date)
    except ValueError as exc:
        return Why(f"the header date {date!r} is not a real calendar date ({exc})", date)
    published = row["published"]
    if published is None:
        return Why("no 'Published:' line: the article may be truncated or mis-scraped", "")
    return Why(
        f"the Published: value {published!r} does not parse: expected 'D Mon. YYYY, HH:MM' "
        "as in '11 Mar. 2025, 17:03'",
        published,
    )


def _break_date(article: Article, p: DateParseable) -> Article:
    return dataclasses.replace(article, date="2025-02-30")


def _date_column(p: DateParseable) -> str:
    return "header_date_if_published" if p.published else "header_date"


def _date_text(batch: pd.DataFrame, p: DateParseable) -> dict[str, pd.Series]:
    """The header date when it has the YYYY-MM-DD shape (strptime alone would take '2025-3-1'),
    else empty; with `published`, empty too where the Published: value is missing or does not
    parse (a GX strftime format holds one date). Never null."""
    raw = batch["date"].astype("string[pyarrow]")
    keep = as_mask(raw.str.match(_ISO_DATE))
    if p.published:
        keep &= published_dates(batch).notna()
    return {_date_column(p): gx_objects(raw.where(keep, ""))}


def _date_gx_kwargs(p: DateParseable) -> dict[str, object]:
    return {"column": _date_column(p), "strftime_format": "%Y-%m-%d"}


date_parseable = Expectation(
    name="date_parseable",
    family="dates",
    description="The header date is a real YYYY-MM-DD date and the Published: line parses.",
    field="date",
    params=DateParseable,
    check=_date_parseable,
    explain=_explain_date,
    fix="Fix the scraper's date extraction: write the header date as YYYY-MM-DD and keep the "
    "page's 'Published: D Mon. YYYY, HH:MM' line.",
    breaker=_break_date,
    gx=GxForm("expect_column_values_to_match_strftime_format", _date_gx_kwargs, _date_text),
)


# --- published_matches_date -------------------------------------------------------------------


class PublishedMatchesDate(Params):
    # Bounded: a date plus more days than the calendar holds overflows when checked.
    tolerance_days: int = Field(
        0, ge=0, le=MAX_DAYS, description="days the two dates may differ by"
    )


def _published_matches(batch: pd.DataFrame, p: PublishedMatchesDate) -> pd.Series:
    header = header_dates(batch)
    published = published_dates(batch).dt.normalize()
    gap = (published - header).abs()
    # Where either date is missing, date_parseable reports it; this check has nothing to compare.
    return as_mask(gap.isna() | (gap <= pd.Timedelta(days=p.tolerance_days)))


def _explain_published(row: Row, p: PublishedMatchesDate) -> Why:
    return Why(
        f"the Published: date ({row['published']}) disagrees with the header date "
        f"({row['date']}): the scraper may have taken the date from another page",
        f"date {row['date']} / Published: {row['published']}",
    )


def _break_published(article: Article, p: PublishedMatchesDate) -> Article:
    header = dt.datetime.fromisoformat(article.date or "2025-03-11")
    shifted = header + dt.timedelta(days=p.tolerance_days + 2, hours=10)
    return dataclasses.replace(article, published=format_published(shifted))


def _published_gap(batch: pd.DataFrame, p: PublishedMatchesDate) -> dict[str, pd.Series]:
    """Whole days between the Published: day and the header date; 0 where either date is
    missing or unparseable (date_parseable reports those: there is nothing to compare)."""
    gap = (published_dates(batch).dt.normalize() - header_dates(batch)).abs().dt.days
    return {"published_gap_days": gap.fillna(0).astype("int64")}


published_matches_date = Expectation(
    name="published_matches_date",
    family="dates",
    description="The Published: date is the same day as the header date.",
    field="published",
    params=PublishedMatchesDate,
    check=_published_matches,
    explain=_explain_published,
    fix="Take the header date and the Published: line from the same page.",
    breaker=_break_published,
    gx=GxForm(
        "expect_column_values_to_be_between",
        lambda p: {"column": "published_gap_days", "max_value": p.tolerance_days},
        _published_gap,
    ),
)


# --- date_in_range ----------------------------------------------------------------------------


class DateInRange(Params):
    min_date: dt.date = Field(dt.date(1990, 1, 1), description="earliest acceptable header date")
    max_days_ahead: int = Field(1, ge=0, le=MAX_DAYS, description="days after today still accepted")


def _date_in_range(batch: pd.DataFrame, p: DateInRange) -> pd.Series:
    header = header_dates(batch)
    latest = pd.Timestamp(dt.date.today() + dt.timedelta(days=p.max_days_ahead))
    inside = (header >= pd.Timestamp(p.min_date)) & (header <= latest)
    return as_mask(header.isna() | inside)


def _explain_range(row: Row, p: DateInRange) -> Why:
    day = dt.date.fromisoformat(row["date"])
    if day < p.min_date:
        return Why(f"the header date {day} is before {p.min_date}", row["date"])
    return Why(f"the header date {day} is in the future", row["date"])


def _break_range(article: Article, p: DateInRange) -> Article:
    future = dt.date.today() + dt.timedelta(days=p.max_days_ahead + 400)
    published = format_published(dt.datetime.combine(future, dt.time(9, 30)))
    return dataclasses.replace(article, date=future.isoformat(), published=published)


def _day_number(day: dt.date) -> int:
    return day.year * 10000 + day.month * 100 + day.day


def _header_day(batch: pd.DataFrame, p: DateInRange) -> dict[str, pd.Series]:
    """The header date as the number YYYYMMDD; an unparseable date counts as min_date
    (date_parseable reports it). Numbers, because GX's between does not compare dates
    with its date-typed bounds."""
    header = header_dates(batch)
    day = header.dt.year * 10000 + header.dt.month * 100 + header.dt.day
    return {"header_day": day.fillna(_day_number(p.min_date)).astype("int64")}


def _range_gx_kwargs(p: DateInRange) -> dict[str, object]:
    # The upper bound is fixed when the suite is built: GX has no notion of "today".
    latest = dt.date.today() + dt.timedelta(days=p.max_days_ahead)
    return {
        "column": "header_day",
        "min_value": _day_number(p.min_date),
        "max_value": _day_number(latest),
    }


date_in_range = Expectation(
    name="date_in_range",
    family="dates",
    description="The header date is not in the future and not before a given date.",
    field="date",
    params=DateInRange,
    check=_date_in_range,
    explain=_explain_range,
    fix="Check the scraper's clock and date parsing; a future or ancient date is usually a "
    "day/month swap or a default value.",
    breaker=_break_range,
    gx=GxForm("expect_column_values_to_be_between", _range_gx_kwargs, _header_day),
)

EXPECTATIONS: list[AnyExpectation] = [date_parseable, published_matches_date, date_in_range]
