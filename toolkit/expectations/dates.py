"""Dates: the header date and the ``Published:`` line."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from pydantic import Field

from toolkit.article import Article
from toolkit.batch import feed_lacks
from toolkit.expectations.base import (
    AnyExpectation,
    Expectation,
    GxForm,
    Params,
    Row,
    Why,
    gx_objects,
)
from toolkit.memo import shared
from toolkit.text import SPACE_CLASS, as_mask
from toolkit.textcache import text_cache

_ISO_DATE = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"

# --- the Published: value ---------------------------------------------------------------------
#
# The forms real sites print, each read strictly: a regex of fixed shape takes the value apart
# and datetime itself checks the parts (so "31 Feb." and "5:03 p.m." at hour 13 fail). Hand
# written because no parser at hand is both strict and this narrow: dateutil's parser guesses
# (it fills a missing year, reads "11/03" either way and takes "Mars" with fuzzy matching),
# strptime has no optional period or "Sept.", and fromisoformat alone would also take
# "20250311" or "2025-W11-2". ISO 8601 values get a shape check first and then fromisoformat.
#
#   11 Mar. 2025, 17:03        day first, 24-hour clock (the publisher's own style)
#   11 Mar. 2025, 5:03 p.m.    day first, 12-hour clock
#   Mar. 11, 2025, 5:03 PM     month first, 12-hour clock (or no time: "March 11, 2025")
#   2025-03-11T17:03:00+09:00  ISO 8601, with or without a zone ("Z", "+09:00"), T or a space
#   ... | Updated: 12 Mar. 2025, 09:20   an update after the publication time (also without
#                                        the bar or the colon); it must parse too
_S = f"[{SPACE_CLASS}]"
_MONTH_WORD = r"[A-Z][a-z]{2,8}[.]?"
_TIME = r"(?P<hour>[0-9]{1,2}):(?P<minute>[0-9]{2})"
_AMPM = rf"(?:{_S}*(?P<ampm>AM|PM|am|pm|a[.]m[.]|p[.]m[.]|A[.]M[.]|P[.]M[.]))"
_DAY_FIRST = re.compile(
    rf"(?P<day>[0-9]{{1,2}}){_S}+(?P<month>{_MONTH_WORD}){_S}+(?P<year>[0-9]{{4}})"
    rf"(?:,?{_S}+{_TIME}{_AMPM}?)?"
)
# Month first goes with the 12-hour clock, as US sites print it; "Mar. 11, 2025, 17:03" mixes
# two styles and is more likely a scraper's assembly than a page's.
_MONTH_FIRST = re.compile(
    rf"(?P<month>{_MONTH_WORD}){_S}+(?P<day>[0-9]{{1,2}}),{_S}*(?P<year>[0-9]{{4}})"
    rf"(?:,?{_S}+{_TIME}{_AMPM})?"
)
_ISO_TIME = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}(?:[T ][0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:[.][0-9]{1,6})?)?"
    r"(?:Z|[+-][0-9]{2}:?[0-9]{2})?)?"
)
_UPDATED = "Updated"
# The extreme zones in use: a zone outside them is a typo or a scraper's invention.
_WEST = pd.Timedelta(hours=12)
_EAST = pd.Timedelta(hours=14)
# What may stand between the publication time and "Updated": spaces, a bar, a middle dot.
_UPDATED_SEPARATORS = f"{SPACE_CLASS}|·•/,;"
_MONTH_NAMES = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
# Each month's full name, its three letters with or without a period, and the usual variants
# (June, July, Sept.). Nothing else: "Mars" and "Marc." are not March.
_MONTH_NUMBER = {
    word: n
    for n, name in enumerate(_MONTH_NAMES, 1)
    for word in (name, name[:3], f"{name[:3]}.", *(("Sept", "Sept.") if n == 9 else ()))
}
_PUBLISHED_FORMS = (
    "'D Mon. YYYY, HH:MM' ('11 Mar. 2025, 17:03'), 'Mon. D, YYYY, h:MM PM' "
    "('Mar. 11, 2025, 5:03 PM'), or ISO 8601 ('2025-03-11T17:03:00+09:00'), optionally "
    "followed by '| Updated: ...'"
)


@dataclasses.dataclass(frozen=True)
class Published:
    """A parsed Published: value: the time as written (in the page's own zone, which is the
    calendar day a reader of the page saw) and, when the page gave a zone, the UTC instant."""

    local: dt.datetime
    utc: dt.datetime | None = None


# Cached: every check over a batch asks for the same values again.
@text_cache(maxsize=1 << 16)
def parse_published(value: str) -> Published | str:
    """The Published: value parsed, or why it does not parse (a sentence for the message).
    An ``Updated`` part must parse too; the publication time is the one returned."""
    text = value.strip(SPACE_CLASS)
    head, updated, tail = text.partition(_UPDATED)
    if updated:
        rest = head.rstrip(_UPDATED_SEPARATORS)
        if not rest or rest == head:
            return f"'{_UPDATED}' must follow the publication time, after a space or a '|'"
        tail = tail.removeprefix(":")
        if not tail[:1].isspace():
            return f"'{_UPDATED}' must be followed by a space or ': ' and a time"
        later = _parse_one(tail)
        if isinstance(later, str):
            return f"the Updated part: {later}"
        text = rest
    return _parse_one(text)


def _parse_one(text: str) -> Published | str:
    text = text.strip(SPACE_CLASS)
    if text[:1].isdigit() and _ISO_TIME.fullmatch(text):
        try:
            moment = dt.datetime.fromisoformat(text)
        except ValueError as exc:
            return f"not a real date and time ({exc})"
        if moment.tzinfo is None:
            return Published(moment)
        offset = moment.utcoffset() or dt.timedelta()
        if not -_WEST <= offset <= _EAST:
            return f"the zone {moment:%z} is not in use anywhere (UTC-12:00 to UTC+14:00)"
        utc = moment.astimezone(dt.UTC).replace(tzinfo=None)
        return Published(moment.replace(tzinfo=None), utc)
    m = _DAY_FIRST.fullmatch(text) or _MONTH_FIRST.fullmatch(text)
    if m is None:
        return f"expected {_PUBLISHED_FORMS}"
    month = _MONTH_NUMBER.get(m["month"])
    if month is None:
        return f"{m['month']!r} is not an English month name or abbreviation"
    hour, minute = int(m["hour"] or 0), int(m["minute"] or 0)
    if m["ampm"]:
        if not 1 <= hour <= 12:
            return f"hour {hour} does not exist on the 12-hour clock ({m['ampm']})"
        hour = hour % 12 + (12 if m["ampm"][0] in "pP" else 0)
    try:
        return Published(dt.datetime(int(m["year"]), month, int(m["day"]), hour, minute))
    except ValueError as exc:
        return f"not a real date and time ({exc})"


# The publisher's own form ("11 Mar. 2025, 17:03"), the form of nearly every value, is read
# over the whole column in pyarrow (RE2); parse_published reads what this does not match, once
# for each distinct value. The month word goes through the same table, so both agree.
_COMMON = (
    f"^(?P<day>[0-9]{{1,2}}){_S}+(?P<month>{_MONTH_WORD}){_S}+(?P<year>[0-9]{{4}}),?{_S}+"
    "(?P<hour>[0-9]{1,2}):(?P<minute>[0-9]{2})$"
)
_PARTS = ("day", "month", "year", "hour", "minute")


def _published_times(batch: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """Each Published: value as written (naive, in the page's zone) and its UTC instant when
    the page gave a zone; NaT where absent, unparseable or without a zone. Read once per
    batch (toolkit.memo): the profile and three expectations ask for it."""
    local, utc = shared(batch, "published_times", _published_arrays)
    # Each caller's Series is its own copy (pandas copies an array it is given), a plugin's too.
    return pd.Series(local, index=batch.index), pd.Series(utc, index=batch.index)


def _published_arrays(batch: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    local, utc = _read_published(batch)
    return _frozen(local), _frozen(utc)


def _frozen(times: pd.Series) -> np.ndarray:
    """The values, read-only: the memo's, shared by every caller of the batch."""
    values = times.to_numpy(dtype="datetime64[ns]", copy=True)
    values.flags.writeable = False
    return values


def _read_published(batch: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    raw = batch["published"].astype("string[pyarrow]").str.strip()
    text = pa.array(raw, type=pa.string())
    if isinstance(text, pa.ChunkedArray):  # what an empty Series gives
        text = text.combine_chunks()
    parts = pc.extract_regex(text, _COMMON)
    common = pc.fill_null(pc.is_valid(parts), False).to_numpy(zero_copy_only=False)
    month = pc.index_in(pc.struct_field(parts, "month"), value_set=pa.array(list(_MONTH_NUMBER)))
    numbers = np.array([*_MONTH_NUMBER.values(), 0])
    fields = {
        k: pc.fill_null(pc.cast(pc.struct_field(parts, k), pa.int64()), 1).to_numpy(
            zero_copy_only=False
        )
        for k in _PARTS
        if k != "month"
    }
    fields["month"] = numbers[pc.fill_null(month, -1).to_numpy(zero_copy_only=False)]
    # to_datetime adds hours and minutes as durations: 25:00 would roll into the next day.
    common &= (fields["hour"] <= 23) & (fields["minute"] <= 59)
    fields["year"] = np.where(common, fields["year"], 2000)
    frame = pd.DataFrame(fields, index=batch.index)
    local = pd.to_datetime(frame, errors="coerce").where(common)
    utc = pd.Series(pd.NaT, index=batch.index, dtype="datetime64[ns]")
    rest = raw.notna().to_numpy(dtype=bool) & ~common
    if rest.any():
        codes, distinct = pd.factorize(raw[rest])
        parsed = [parse_published(v) for v in distinct.tolist()]
        ok = [p if isinstance(p, Published) else Published(dt.datetime(1, 1, 1)) for p in parsed]
        bad = np.array([not isinstance(p, Published) for p in parsed] + [True])
        for column, values in ((local, [p.local for p in ok]), (utc, [p.utc for p in ok])):
            times = pd.to_datetime(pd.Series(values, dtype=object), errors="coerce").to_numpy()
            times = np.where(bad[:-1], np.datetime64("NaT", "ns"), times)
            column[rest] = np.append(times, np.datetime64("NaT", "ns"))[codes]
    return local.astype("datetime64[ns]"), utc


def header_dates(batch: pd.DataFrame) -> pd.Series:
    """The header date as a timestamp; NaT where it is not a real YYYY-MM-DD date. Read once
    per batch (toolkit.memo)."""
    (days,) = shared(batch, "header_dates", _header_array)
    return pd.Series(days, index=batch.index)


def _header_array(batch: pd.DataFrame) -> tuple[np.ndarray]:
    raw = batch["date"].astype("string[pyarrow]")
    iso = raw.where(as_mask(raw.str.match(_ISO_DATE)))
    return (_frozen(pd.to_datetime(iso, format="%Y-%m-%d", errors="coerce")),)


def published_dates(batch: pd.DataFrame) -> pd.Series:
    """The ``Published:`` time as written (naive, in the page's zone); NaT where absent or
    unparseable."""
    return _published_times(batch)[0]


def published_instants(batch: pd.DataFrame) -> pd.Series:
    """The ``Published:`` time as an instant read as UTC: the page's own UTC instant when it
    gave a zone, else the time as written (a dump names no zone); NaT where absent or
    unparseable."""
    written, utc = _published_times(batch)
    return utc.fillna(written)


# The header date is a calendar day in the publisher's zone, which the dump does not name. A
# Published: time written with a zone is an instant, and an instant falls on the header's day
# somewhere on Earth when that day lies between its date at UTC-12:00 and at UTC+14:00 (the
# extreme zones in use): "2025-03-10T20:03Z" is 11 March in Seoul. A time without a zone is
# the day it shows.


def published_days(batch: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """The first and last calendar day the Published: time can be in some zone (the same day
    for a time without a zone); NaT where absent or unparseable."""
    written, utc = _published_times(batch)
    local = written.dt.normalize()
    first = (utc - _WEST).dt.normalize().fillna(local)
    last = (utc + _EAST).dt.normalize().fillna(local)
    return first.where(local.notna()), last.where(local.notna())


def published_gap(batch: pd.DataFrame) -> pd.Series:
    """Whole days between the header date and the nearest day the Published: time can be
    (0 on the same day); NaN where either date is missing or unparseable."""
    header = header_dates(batch)
    first, last = published_days(batch)
    before = (first - header).dt.days.clip(lower=0)
    after = (header - last).dt.days.clip(lower=0)
    return before + after


# The publisher's own abbreviations, for the values the toolkit writes.
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


def format_published(day: dt.datetime) -> str:
    """A ``Published:`` value in the publisher's own style."""
    return f"{day.day} {_MONTHS[day.month - 1]} {day.year}, {day:%H:%M}"


# --- date_parseable ---------------------------------------------------------------------------


class DateParseable(Params):
    published: bool = Field(True, description="also require a Published: line that parses")


def _date_parseable(batch: pd.DataFrame, p: DateParseable) -> pd.Series:
    ok = header_dates(batch).notna()
    if p.published:
        # A feed record without a published time has no Published: line to parse.
        ok &= published_dates(batch).notna() | feed_lacks(batch, "published")
    return as_mask(ok)


def _explain_date(row: Row, p: DateParseable) -> Why:
    date = row["date"]
    if date is None and row.get("source", "dump") != "dump":
        return Why("no date: the record has no value for the field mapped to 'date'", "")
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
    parsed = parse_published(published)
    reason = parsed if isinstance(parsed, str) else f"expected {_PUBLISHED_FORMS}"
    return Why(f"the Published: value {published!r} does not parse: {reason}", published)


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
        keep &= published_dates(batch).notna() | feed_lacks(batch, "published")
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
    "page's Published: line as the page prints it ('11 Mar. 2025, 17:03', 'Mar. 11, 2025, "
    "5:03 PM', '2025-03-11T17:03:00+09:00', '... | Updated: ...').",
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
    gap = published_gap(batch)
    # Where either date is missing, date_parseable reports it; this check has nothing to compare.
    return as_mask(gap.isna() | (gap <= p.tolerance_days))


def _explain_published(row: Row, p: PublishedMatchesDate) -> Why:
    parsed = parse_published(str(row["published"]))
    zoned = isinstance(parsed, Published) and parsed.utc is not None
    where = " in any time zone (UTC-12:00 to UTC+14:00)" if zoned else ""
    return Why(
        f"the Published: date ({row['published']}) disagrees with the header date "
        f"({row['date']}){where}: the scraper may have taken the date from another page",
        f"date {row['date']} / Published: {row['published']}",
    )


def _break_published(article: Article, p: PublishedMatchesDate) -> Article:
    header = dt.datetime.fromisoformat(article.date or "2025-03-11")
    shifted = header + dt.timedelta(days=p.tolerance_days + 2, hours=10)
    return dataclasses.replace(article, published=format_published(shifted))


def _published_gap(batch: pd.DataFrame, p: PublishedMatchesDate) -> dict[str, pd.Series]:
    """Whole days between the Published: day and the header date; 0 where either date is
    missing or unparseable (date_parseable reports those: there is nothing to compare)."""
    return {"published_gap_days": published_gap(batch).fillna(0).astype("int64")}


published_matches_date = Expectation(
    name="published_matches_date",
    family="dates",
    description="The Published: date is the same day as the header date (a time with a zone: "
    "the header's day in some zone).",
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
