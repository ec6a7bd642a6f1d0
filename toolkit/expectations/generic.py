"""Generic expectations in Great Expectations' vocabulary, over any column of the batch.

The names and keyword arguments are GX 1.x's own (``column``, ``regex``, ``min_value``,
``max_value``, ``strict_min``, ``strict_max``, ``value_set``, ``strftime_format``), and so are
the verdicts, so that a team that knows GX reads a suite at once and both engines agree:

- **Nulls are neither expected nor unexpected.** Every ``column_values_*`` expectation except
  ``column_values_to_not_be_null`` leaves out the articles whose value is null (a missing part:
  no title line, no caption, no byline, no tags line...). They count neither as passed nor as
  failed, so ``mostly`` is the share of the non-null values, as in GX. An empty body is the empty
  text, not null: use ``column_value_lengths_to_be_between`` with ``min_value: 1`` for it.
- ``column_values_to_be_between`` compares numbers with numbers and, as GX's bounds are never
  text, a text column (``date``) as YYYY-MM-DD dates with date bounds; a value that is not
  such a date is left out like a null (``date_parseable`` reports it).
- **List columns** (``tags``, ``byline_names``, ``byline_emails``): an empty list is the list's
  null (no value). Every other expectation applies to each element, and the article passes when
  every element does (``column_values_to_match_regex`` on ``byline_emails``: every address
  matches). ``column_values_to_be_unique`` compares whole lists. The GX form of a list-column
  expectation runs over a derived column holding, for each article, its first failing element
  (or its first element when none fails), which gives GX's expectation the same verdict.
- ``column_values_to_match_regex`` searches anywhere in the value (anchor with ``^``/``$``),
  in RE2 (pyarrow), whose time is linear in the text; a pattern RE2 cannot run is a suite
  error. GX's own pandas engine uses Python's ``re``: the two agree except that RE2's
  white-space, word, digit and word-boundary escapes are ASCII only, and its ``$`` does not
  match before a final newline.
- ``column_values_to_be_unique`` fails every article that shares its value with another, the
  first one included (GX's ``duplicated(keep=False)``), over the whole corpus.
- ``table_row_count_to_be_between`` counts the articles of the whole corpus (those its
  ``row_condition`` keeps). ``mostly`` has no meaning for it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import difflib
import hashlib
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from functools import partial
from itertools import chain
from typing import Any, Literal, TypeVar

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from pydantic import ConfigDict, Field, ValidationInfo, field_validator, model_validator
from pydantic_core import PydanticCustomError

from toolkit.article import Article, reparse
from toolkit.batch import SCHEMA, to_frame
from toolkit.condition import re2_problem
from toolkit.expectations.base import (
    CORPUS_LEVEL,
    AnyExpectation,
    CorpusExpectation,
    Expectation,
    GxForm,
    Params,
    Row,
    Sighting,
    Unbreakable,
    Why,
    gx_objects,
)
from toolkit.text import EXCERPT_CHARS, as_mask, excerpt, visible

Kind = Literal["text", "number", "list"]
FAMILY = "generic"


def _kind(t: pa.DataType) -> Kind:
    if pa.types.is_list(t):
        return "list"
    if pa.types.is_integer(t) or pa.types.is_floating(t):
        return "number"
    return "text"


# The columns a generic expectation may name: the article's own parts. The run's bookkeeping
# (line, file_no, the at_* lines) and the parser's notes (problems) are not article data.
_HIDDEN = {"line", "file_no", "problems"}
COLUMN_KINDS: dict[str, Kind] = {
    f.name: _kind(f.type) for f in SCHEMA if f.name not in _HIDDEN and not f.name.startswith("at_")
}
COLUMNS = tuple(COLUMN_KINDS)


def unknown_column_message(column: str) -> str:
    close = difflib.get_close_matches(column, COLUMNS, n=1)
    more = f"did you mean {close[0]!r}? " if close else ""
    return f"unknown column {column!r}: {more}valid columns: {', '.join(COLUMNS)}"


class ColumnParams(Params):
    column: str = Field(description="the column: " + ", ".join(COLUMNS))

    @field_validator("column")
    @classmethod
    def _known_column(cls, column: str) -> str:
        if column not in COLUMN_KINDS:
            raise invalid("unknown_column", unknown_column_message(column))
        return column

    @property
    def kind(self) -> Kind:
        return COLUMN_KINDS[self.column]


def invalid(kind: str, message: str) -> PydanticCustomError:
    """A validation error whose message is taken as written (braces in it are not a template)."""
    return PydanticCustomError(kind, "{message}", {"message": message})


def _only(p: ColumnParams, kinds: tuple[Kind, ...], hint: str) -> None:
    if p.kind not in kinds:
        raise invalid("column_kind", f"{p.column!r} is a {p.kind} column: {hint}")


# Columns hold 64-bit integers: a bound or value beyond them would overflow when compared.
INT64_MAX = 2**63 - 1


def _comparable_number(value: int | float, what: str) -> int | float:
    if isinstance(value, int) and not -INT64_MAX <= value <= INT64_MAX:
        raise invalid("value_range", f"{what} {value} is beyond the 64-bit range of the column")
    if isinstance(value, float) and value != value:
        raise invalid("value_range", f"{what} is not a number (nan)")
    return value


def _of_column_kind(value: Any, info: ValidationInfo, what: str) -> Any:
    """``value`` as the column compares it: YAML's dates as ISO text (the date column holds
    text); a boolean, or text for a number column (or the reverse), is an error."""
    if isinstance(value, dt.date):
        value = value.isoformat()
    column = info.data.get("column")
    if value is None or column is None:
        return value
    kind = COLUMN_KINDS[column]
    if isinstance(value, bool):
        raise invalid(
            "value_kind",
            f"{what} holds {value!r}, a boolean (YAML reads yes, no, on and off as booleans): "
            "quote it",
        )
    if (kind == "number") != isinstance(value, int | float):
        noun = "numbers" if kind == "number" else "text"
        raise invalid(
            "value_kind", f"{column} holds {noun}, so {what} {value!r} does not compare with it"
        )
    return _comparable_number(value, what) if kind == "number" else value


P = TypeVar("P", bound=ColumnParams)
ElementOk = Callable[[pd.Series, Any], np.ndarray]


# --- values, elements and verdicts ------------------------------------------------------------


def _elements(batch: pd.DataFrame, column: str) -> tuple[pd.Series, np.ndarray]:
    """The values an expectation judges one by one, with each one's row position: the non-null
    values of a text or number column, every element of a list column."""
    values = batch[column]
    if COLUMN_KINDS[column] != "list":
        present = values.notna().to_numpy(dtype=bool)
        return values[present].reset_index(drop=True), np.flatnonzero(present)
    lists = pa.array(values, type=pa.list_(pa.string()))
    flat = pd.Series(pc.list_flatten(lists).to_pandas(types_mapper=pd.ArrowDtype))
    parents = pc.list_parent_indices(lists).to_numpy(zero_copy_only=False)
    return flat, parents


def _present(batch: pd.DataFrame, p: ColumnParams) -> pd.Series:
    return present(batch, p.column)


def present(batch: pd.DataFrame, column: str) -> pd.Series:
    """True where the article has a value in ``column`` (a non-empty list for list columns)."""
    values = batch[column]
    if COLUMN_KINDS[column] == "list":
        return as_mask(values.list.len() > 0)
    return as_mask(values.notna())


def _rows_pass(batch: pd.DataFrame, column: str, ok: np.ndarray, parents: np.ndarray) -> pd.Series:
    verdict = np.ones(len(batch), dtype=bool)
    verdict[parents[~ok]] = False
    return pd.Series(verdict, index=batch.index)


def _first_failing(batch: pd.DataFrame, column: str, element_ok: ElementOk, p: Any) -> pd.Series:
    """Per article, its first failing element, else its first element, else null: the column
    GX judges in place of a list column."""
    flat, parents = _elements(batch, column)
    ok = element_ok(flat, p) if len(flat) else np.zeros(0, dtype=bool)
    order = pd.DataFrame({"row": parents, "ok": ok, "value": flat})
    first = order.sort_values(["row", "ok"], kind="stable").drop_duplicates("row")
    out = pd.Series([None] * len(batch), dtype=object, index=batch.index)
    out.iloc[first["row"].to_numpy()] = first["value"].astype(object).to_numpy()
    return out


def gx_column(p: ColumnParams, gx_type: str) -> str:
    """The column GX reads: the column itself, or for a list column a derived one named after
    the expectation and its parameters (two entries never share a derived column)."""
    if p.kind != "list":
        return p.column
    digest = hashlib.sha1(f"{gx_type}:{p.model_dump_json()}".encode()).hexdigest()[:8]
    return f"{p.column}__{digest}"


def _gx_form(gx_type: str, extra: Callable[[Any], dict[str, Any]], element_ok: ElementOk) -> GxForm:
    def kwargs(p: Any) -> dict[str, Any]:
        return {"column": gx_column(p, gx_type), **extra(p)}

    def derive(batch: pd.DataFrame, p: Any) -> dict[str, pd.Series]:
        if p.kind != "list":
            return {}
        return {gx_column(p, gx_type): _first_failing(batch, p.column, element_ok, p)}

    return GxForm(type=gx_type, kwargs=kwargs, derive=derive)


def _per_distinct(values: pd.Series, test: Callable[[str], bool]) -> np.ndarray:
    """``test`` once per distinct value: dumps repeat dates, tags and addresses many times."""
    codes, uniques = pd.factorize(values)
    verdicts = np.fromiter((test(str(u)) for u in uniques), dtype=bool, count=len(uniques))
    return verdicts[codes]


def _shown(value: object) -> str:
    """A value as a message quotes it: short, with invisible characters made visible (⍽)."""
    return f"'{visible(excerpt(value, width=60))}'" if isinstance(value, str) else str(value)


def _where(p: ColumnParams) -> str:
    return f"an element of {p.column}" if p.kind == "list" else p.column


def _around(value: str, start: int, end: int) -> tuple[str, tuple[tuple[int, int], ...]]:
    """An excerpt of ``value`` centred on [start, end), with that span's place in it (the
    window toolkit.text.excerpt cuts)."""
    if len(value) <= EXCERPT_CHARS:
        return value, ((start, end),)
    width = EXCERPT_CHARS - 2  # room for the ellipses, so that the finding keeps it whole
    cut = max(0, min(start - width // 2, len(value) - width))
    shift = (1 if cut > 0 else 0) - cut
    return excerpt(value, around=start, width=width), ((start + shift, end + shift),)


def _bounds(p: Any) -> str:
    low = None if p.min_value is None else f"{'more than' if p.strict_min else 'at least'}"
    high = None if p.max_value is None else f"{'less than' if p.strict_max else 'at most'}"
    parts = []
    if low:
        parts.append(f"{low} {_bound(p.min_value)}")
    if high:
        parts.append(f"{high} {_bound(p.max_value)}")
    return " and ".join(parts)


def _bound(value: object) -> str:
    return value.isoformat() if isinstance(value, dt.date) else repr(value)


def _inside(values: pd.Series, p: Any) -> np.ndarray:
    ok = np.ones(len(values), dtype=bool)
    if p.min_value is not None:
        ok &= as_mask(values > p.min_value if p.strict_min else values >= p.min_value).to_numpy()
    if p.max_value is not None:
        ok &= as_mask(values < p.max_value if p.strict_max else values <= p.max_value).to_numpy()
    return ok


def _check_bounds(p: Any) -> None:
    if p.min_value is None and p.max_value is None:
        raise invalid("bounds", "give min_value, max_value or both")
    if p.min_value is not None and p.max_value is not None and p.min_value > p.max_value:
        raise invalid(
            "bounds", f"min_value ({p.min_value!r}) is greater than max_value ({p.max_value!r})"
        )


# --- breakers: write a value into an article as the dump text carries it -----------------------


def read_column(article: Article, column: str) -> Any:
    """The value the batch holds for ``article`` in ``column`` (a list for list columns)."""
    value = to_frame([article], {})[column].iloc[0]
    if COLUMN_KINDS[column] == "list":
        return list(value)
    return None if value is None or pd.isna(value) else value


def _assign(article: Article, column: str, value: Any) -> Article:
    """The article with its raw fields changed so that ``column`` reads ``value`` (None: null)."""
    replace = dataclasses.replace
    if column in ("date", "headline") and value is None:
        return replace(article, date=None, headline=None)
    if column in ("headline", "title"):
        # Headline and title line change together: the title line repeats the headline.
        return replace(article, headline=value, title=value)
    if column == "date":
        return replace(article, date=value, published=_published_on(article, value))
    if column in ("published", "caption", "byline", "tags_raw", "file"):
        return replace(article, **{column: value})
    if column == "body":
        return replace(article, paragraphs=[] if not value else str(value).split("\n\n"))
    if column == "paragraphs":
        return replace(article, paragraphs=_n_paragraphs(article.paragraphs, int(value)))
    if column == "tags":
        return replace(article, tags_raw=" ".join(value))
    if column in ("byline_names", "byline_emails"):
        names = value if column == "byline_names" else article.byline_names
        emails = value if column == "byline_emails" else article.byline_emails
        bracket = f" [{', '.join(emails)}]" if emails else ""
        return replace(article, byline=f"BY {', '.join(names)}{bracket}".replace("BY  [", "BY ["))
    raise Unbreakable(f"the column {column!r} cannot be written into an article")


def _published_on(article: Article, date: str | None) -> str | None:
    """Keep the Published: line on the header's day, so that only the date's own expectation
    fails."""
    from toolkit.expectations.dates import format_published

    try:
        day = dt.date.fromisoformat(date or "")
    except ValueError:
        return article.published
    return format_published(dt.datetime.combine(day, dt.time(16, 5)))


def _n_paragraphs(paragraphs: list[str], n: int) -> list[str]:
    if n < 0:
        raise Unbreakable("an article cannot have fewer than zero paragraphs")
    source = paragraphs or ["The ministry said the figures would be revised next month."]
    return [source[i % len(source)] for i in range(n)]


def write(article: Article, column: str, value: Any) -> Article:
    """``article`` with ``column`` set to ``value``, rendered and parsed again; Unbreakable when
    the dump format cannot carry the value (the parser reads something else back)."""
    parsed = reparse(_assign(article, column, value))
    if read_column(parsed, column) != value:
        raise Unbreakable(f"the dump format cannot carry {value!r} in {column}")
    shift = article.line - parsed.line
    return dataclasses.replace(
        parsed, line=article.line, lines={k: v + shift for k, v in parsed.lines.items()}
    )


def _break_with(
    article: Article,
    exp: Expectation[Any],
    p: ColumnParams,
    candidates: Iterable[Any],
    reason: str,
) -> Article:
    """The first candidate value (an element, for list columns) that the dump can carry and that
    makes the article fail ``exp``."""
    current = read_column(article, p.column)
    for candidate in candidates:
        if p.kind == "list":
            value: Any = [*(current or [])[:-1], candidate]
        else:
            value = candidate
        try:
            broken = write(article, p.column, value)
        except Unbreakable:
            continue
        frame = to_frame([broken], {})
        in_scope = exp.scope is None or bool(exp.scope(frame, p).iloc[0])
        if in_scope and not exp.check(frame, p).iloc[0]:
            return broken
    raise Unbreakable(reason)


def _text_candidates(current: object) -> Iterator[str]:
    """Texts to try, mildest first, so that a breaker trips its own expectation and, as far as
    possible, none of the news checks (HTML, mojibake and placeholders come last)."""
    text = current if isinstance(current, str) else ""
    words = text.split()
    yield from (f"{text} x", f"x{text}", text.upper(), text.lower(), " ".join(reversed(words)))
    yield from (text[: len(text) // 2], f"{text}!", "x", "N/A", "0", "X" * 300)
    yield from (f"{text} >", f"< {text}", f"{text} [1]", f"{text} (updated)")
    yield from ("2025-02-30", "11/03/2025", "", f"{text} <p>", "<p>", "Lorem ipsum dolor sit amet.")
    yield from ("Itâ€™s", "[email\u00a0protected]", "\ufffd")


def _current_element(article: Article, p: ColumnParams) -> object:
    current = read_column(article, p.column)
    if p.kind == "list":
        return current[-1] if current else ""
    return current


# --- column_values_to_not_be_null -------------------------------------------------------------


class NotNull(ColumnParams):
    model_config = ConfigDict(json_schema_extra={"examples": [{"column": "caption"}]})


def _not_null(batch: pd.DataFrame, p: NotNull) -> pd.Series:
    return present(batch, p.column)


def _explain_null(row: Row, p: NotNull) -> Why:
    if p.kind == "list":
        return Why(f"{p.column} is empty: the article has no {p.column.replace('_', ' ')}", "")
    return Why(f"{p.column} is null: the article has no {p.column.replace('_', ' ')}", "")


def _break_null(article: Article, p: NotNull) -> Article:
    empty: Any = [] if p.kind == "list" else None
    try:
        return write(article, p.column, empty)
    except Unbreakable:
        raise Unbreakable(
            f"{p.column} is never null: an article always has a {p.column} (the body of an "
            "article without paragraphs is the empty text)"
        ) from None


column_values_to_not_be_null = Expectation(
    name="column_values_to_not_be_null",
    family=FAMILY,
    description="Every article has a value in the column (a non-empty list for list columns).",
    field="column",
    params=NotNull,
    check=_not_null,
    explain=_explain_null,
    fix="Make the scraper keep this part of the page; a missing part often means a changed "
    "page layout or a truncated download.",
    breaker=_break_null,
    gx=_gx_form("expect_column_values_to_not_be_null", lambda p: {}, lambda v, p: np.ones(len(v))),
)


# --- column_values_to_match_regex / column_values_to_not_match_regex ---------------------------


class Regex(ColumnParams):
    regex: str = Field(
        max_length=10_000,
        description="a regular expression (RE2 syntax), searched anywhere in the value",
    )

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"column": "headline", "regex": "^[^<>]*$"}]}
    )

    @field_validator("regex")
    @classmethod
    def _compiles(cls, regex: str) -> str:
        # A suite's pattern runs in RE2, whose time is linear in the text: one RE2 cannot run
        # (back-references, look-around) is refused, never run in Python's re instead.
        problem = re2_problem(regex)
        if problem is not None:
            raise invalid("regex", problem)
        return regex

    @model_validator(mode="after")
    def _text_only(self) -> Regex:
        _only(self, ("text", "list"), "a regex applies to text; use column_values_to_be_between")
        return self


def _searches(values: pd.Series, p: Regex) -> np.ndarray:
    # RE2 over the whole column, in C and in linear time (a suite's "(a+)+$" cannot hang it).
    text = pa.array(values, type=pa.string())
    found = pc.match_substring_regex(text, pattern=p.regex)
    return np.asarray(found.to_numpy(zero_copy_only=False), dtype=bool)


def first_match(regex: str, value: str) -> tuple[int, int]:
    """Where RE2 first finds ``regex`` in ``value``: [start, end) in characters, (0, 0) when
    it does not. RE2 reports the start as a byte offset; the match's length is what removing
    it takes off the text."""
    text = pa.array([value], type=pa.string())
    at = pc.find_substring_regex(text, pattern=regex)[0].as_py()
    if at is None or at < 0:
        return (0, 0)
    rest = pc.replace_substring_regex(text, pattern=regex, replacement="", max_replacements=1)
    start = len(value.encode("utf-8")[:at].decode("utf-8", errors="ignore"))
    return (start, start + len(value) - len(rest[0].as_py()))


def _match_regex(batch: pd.DataFrame, p: Regex) -> pd.Series:
    flat, parents = _elements(batch, p.column)
    return _rows_pass(batch, p.column, _searches(flat, p), parents)


def _first_bad(row: Row, p: ColumnParams, ok: ElementOk) -> Any:
    value = row[p.column]
    if p.kind != "list":
        return value
    elements = list(value)
    verdicts = ok(pd.Series(elements, dtype=pd.ArrowDtype(pa.string())), p)
    return elements[int(np.argmin(verdicts))]


def _explain_match(row: Row, p: Regex) -> Why:
    value = _first_bad(row, p, _searches)
    return Why(f"{_where(p)} {_shown(value)} does not match the regex '{p.regex}'", str(value))


def _break_match(article: Article, p: Regex) -> Article:
    return _break_with(
        article,
        column_values_to_match_regex,
        p,
        _text_candidates(_current_element(article, p)),
        f"no text the dump can carry fails to match '{p.regex}'",
    )


column_values_to_match_regex = Expectation(
    name="column_values_to_match_regex",
    family=FAMILY,
    description="Every value of the column matches a regular expression (RE2, searched).",
    field="column",
    params=Regex,
    check=_match_regex,
    explain=_explain_match,
    fix="Fix the scraper's extraction of this part, or widen the regex if the value is valid.",
    breaker=_break_match,
    gx=_gx_form("expect_column_values_to_match_regex", lambda p: {"regex": p.regex}, _searches),
    scope=_present,
)


class ForbiddenRegex(Regex):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"column": "headline", "regex": "(?i)\\bbreaking\\b"}]}
    )


def _misses(values: pd.Series, p: Regex) -> np.ndarray:
    return ~_searches(values, p)


def _not_match_regex(batch: pd.DataFrame, p: Regex) -> pd.Series:
    flat, parents = _elements(batch, p.column)
    return _rows_pass(batch, p.column, _misses(flat, p), parents)


def _explain_not_match(row: Row, p: Regex) -> Why:
    value = str(_first_bad(row, p, _misses))
    start, end = first_match(p.regex, value)
    shown, spans = _around(value, start, end)
    return Why(
        f"{_where(p)} contains {value[start:end]!r}, which the regex '{p.regex}' forbids",
        shown,
        spans,
    )


def _break_not_match(article: Article, p: Regex) -> Article:
    current = str(_current_element(article, p) or "")
    return _break_with(
        article,
        column_values_to_not_match_regex,
        p,
        _matching_texts(p.regex, current),
        f"no text the dump can carry matches '{p.regex}'",
    )


def _fits(shape: str, text: str) -> bool:
    return re.fullmatch(shape, text) is not None


def _matching_texts(regex: str, current: str) -> Iterator[str]:
    """Texts that match ``regex``: hypothesis builds them from the pattern itself (hand-written
    generation from a regex would miss most of its syntax)."""
    try:
        from hypothesis import HealthCheck, find, settings
        from hypothesis import strategies as st
        from hypothesis.errors import HypothesisException
    except ImportError:
        return
    quiet = settings(
        database=None,
        derandomize=True,
        max_examples=300,
        suppress_health_check=list(HealthCheck),
    )
    for shape in (r"[^\n\r]*", r"[^\s]+"):
        try:
            found = find(
                st.from_regex(regex).filter(partial(_fits, shape)),
                lambda s: True,
                settings=quiet,
            )
        except (HypothesisException, re.error):  # RE2 syntax Python's re does not read
            continue
        first, _, rest = current.partition(" ")
        yield from (f"{current} {found}", f"{first} {found} {rest}", found)


column_values_to_not_match_regex = Expectation(
    name="column_values_to_not_match_regex",
    family=FAMILY,
    description="No value of the column matches a regular expression (RE2, searched).",
    field="column",
    params=ForbiddenRegex,
    check=_not_match_regex,
    explain=_explain_not_match,
    fix="Clean the forbidden text out in the scraper (or where the dump is made).",
    breaker=_break_not_match,
    gx=_gx_form("expect_column_values_to_not_match_regex", lambda p: {"regex": p.regex}, _misses),
    scope=_present,
)


# --- column_value_lengths_to_be_between -------------------------------------------------------


class LengthsBetween(ColumnParams):
    min_value: int | None = Field(
        None, ge=0, le=INT64_MAX, description="shortest length in characters"
    )
    max_value: int | None = Field(
        None, ge=0, le=INT64_MAX, description="longest length in characters"
    )
    strict_min: bool = Field(False, description="the length must be more than min_value")
    strict_max: bool = Field(False, description="the length must be less than max_value")

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"column": "tags", "min_value": 2, "max_value": 40}]}
    )

    @model_validator(mode="after")
    def _valid(self) -> LengthsBetween:
        _only(self, ("text", "list"), "lengths are of text; use column_values_to_be_between")
        _check_bounds(self)
        return self


def _lengths_ok(values: pd.Series, p: LengthsBetween) -> np.ndarray:
    # Characters (code points), as GX's str.len(); pyarrow counts them without a Python loop.
    return _inside(values.astype(pd.ArrowDtype(pa.string())).str.len(), p)


def _lengths(batch: pd.DataFrame, p: LengthsBetween) -> pd.Series:
    flat, parents = _elements(batch, p.column)
    return _rows_pass(batch, p.column, _lengths_ok(flat, p), parents)


def _explain_lengths(row: Row, p: LengthsBetween) -> Why:
    value = str(_first_bad(row, p, _lengths_ok))
    return Why(
        f"{_where(p)} is {len(value)} character{'s' if len(value) != 1 else ''} long; "
        f"expected {_bounds(p)}",
        value,
    )


def _break_lengths(article: Article, p: LengthsBetween) -> Article:
    current = str(_current_element(article, p) or "")
    return _break_with(
        article,
        column_values_to_be_between_lengths,
        p,
        _texts_of_lengths(current, _outside_lengths(p)),
        f"no length outside {_bounds(p)} can be written into {p.column}",
    )


def _outside_lengths(p: LengthsBetween) -> list[int]:
    out = []
    if p.min_value is not None:
        out.append(p.min_value if p.strict_min else p.min_value - 1)
    if p.max_value is not None:
        out.append(p.max_value if p.strict_max else p.max_value + 1)
    return [n for n in out if n >= 0]


def _texts_of_lengths(current: str, lengths: list[int]) -> Iterator[str]:
    base = current or "Lorem ipsum dolor sit amet"
    for n in lengths:
        text = (base + " ") * (n // (len(base) + 1) + 1)
        yield text[:n].rstrip() + "x" * (n - len(text[:n].rstrip()))


column_values_to_be_between_lengths = Expectation(
    name="column_value_lengths_to_be_between",
    family=FAMILY,
    description="Every value of the column is between two lengths, in characters.",
    field="column",
    params=LengthsBetween,
    check=_lengths,
    explain=_explain_lengths,
    fix="A value too short is often cut off by the scraper, one too long often two parts run "
    "together: fix the extraction, or adjust the bounds.",
    breaker=_break_lengths,
    gx=_gx_form(
        "expect_column_value_lengths_to_be_between",
        lambda p: p.model_dump(exclude={"column"}),
        _lengths_ok,
    ),
    scope=_present,
)


# --- column_values_to_be_in_set ---------------------------------------------------------------

Scalar = str | int | float


class InSet(ColumnParams):
    value_set: list[Scalar] = Field(description="the allowed values")

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "column": "tags",
                    "value_set": [
                        "Korea",
                        "economy",
                        "exports",
                        "semiconductors",
                        "tariffs",
                        "SK",
                        "hynix",
                    ],
                }
            ]
        }
    )

    @field_validator("value_set", mode="before")
    @classmethod
    def _same_kind(cls, values: Any, info: ValidationInfo) -> Any:
        if not isinstance(values, list):
            return values
        return [_of_column_kind(v, info, "value_set") for v in values]


def _in_set_ok(values: pd.Series, p: InSet) -> np.ndarray:
    return as_mask(values.isin(p.value_set)).to_numpy()


def _in_set(batch: pd.DataFrame, p: InSet) -> pd.Series:
    flat, parents = _elements(batch, p.column)
    return _rows_pass(batch, p.column, _in_set_ok(flat, p), parents)


def _explain_in_set(row: Row, p: InSet) -> Why:
    value = _first_bad(row, p, _in_set_ok)
    allowed = ", ".join(map(repr, p.value_set[:5])) + (", …" if len(p.value_set) > 5 else "")
    return Why(f"{_where(p)} {_shown(value)} is not in the value set ({allowed})", str(value))


def _break_in_set(article: Article, p: InSet) -> Article:
    current = _current_element(article, p)
    if p.kind == "number":
        now = int(current) if isinstance(current, int | float) else 0
        top = max([*(int(v) for v in p.value_set), now])
        candidates: Iterable[Any] = [now + 1, top + 1]
    else:
        candidates = _text_candidates(current)
    return _break_with(
        article, column_values_to_be_in_set, p, candidates, "every value is in the set"
    )


column_values_to_be_in_set = Expectation(
    name="column_values_to_be_in_set",
    family=FAMILY,
    description="Every value of the column is one of a set of values.",
    field="column",
    params=InSet,
    check=_in_set,
    explain=_explain_in_set,
    fix="Map the value to the controlled vocabulary in the scraper, or add it to value_set.",
    breaker=_break_in_set,
    gx=_gx_form(
        "expect_column_values_to_be_in_set", lambda p: {"value_set": p.value_set}, _in_set_ok
    ),
    scope=_present,
)


# --- column_values_to_be_between --------------------------------------------------------------


class Between(ColumnParams):
    min_value: int | float | dt.date | None = Field(None, description="the smallest value")
    max_value: int | float | dt.date | None = Field(None, description="the largest value")
    strict_min: bool = Field(False, description="values must be more than min_value")
    strict_max: bool = Field(False, description="values must be less than max_value")

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"column": "date", "min_value": "2025-01-01", "max_value": "2025-12-31"}]
        }
    )

    @field_validator("min_value", "max_value", mode="before")
    @classmethod
    def _same_kind(cls, value: Any, info: ValidationInfo) -> Any:
        # GX compares numbers with numbers and dates with dates (its bounds are never text).
        column = info.data.get("column")
        if value is None or column is None:
            return value
        if isinstance(value, bool):
            raise invalid("value_kind", f"{info.field_name} is {value!r}, a boolean: quote it")
        if COLUMN_KINDS[column] == "number":
            if not isinstance(value, int | float):
                raise invalid(
                    "value_kind", f"{column} holds numbers: {info.field_name} {value!r} is not one"
                )
            return _comparable_number(value, str(info.field_name))
        try:
            return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))
        except ValueError:
            raise invalid(
                "value_kind",
                f"{column} is text, read as YYYY-MM-DD dates: {info.field_name} {value!r} is "
                "not such a date",
            ) from None

    @model_validator(mode="after")
    def _valid(self) -> Between:
        _only(self, ("number", "text"), "bounds apply to numbers and dates, not to lists")
        _check_bounds(self)
        return self


def _as_compared(values: pd.Series, p: Between) -> pd.Series:
    """Numbers as they are; text read as YYYY-MM-DD dates (NaT where it is not one)."""
    if p.kind == "number":
        return values
    return pd.to_datetime(values.astype("string[pyarrow]"), format="%Y-%m-%d", errors="coerce")


def _between_scope(batch: pd.DataFrame, p: Between) -> pd.Series:
    """Articles with a value to compare: text that is not a date is left out, as a null is
    (date_parseable reports it), so that GX, reading the same dates, agrees."""
    return as_mask(_as_compared(batch[p.column], p).notna())


def _between_ok(values: pd.Series, p: Between) -> np.ndarray:
    compared = _as_compared(values, p)
    if p.kind == "number":
        return _inside(compared, p)
    bounds = {k: pd.Timestamp(v) if v is not None else None for k, v in _bound_values(p).items()}
    return _inside(compared, p.model_copy(update=bounds))


def _bound_values(p: Between) -> dict[str, Any]:
    return {"min_value": p.min_value, "max_value": p.max_value}


def _between(batch: pd.DataFrame, p: Between) -> pd.Series:
    flat, parents = _elements(batch, p.column)
    return _rows_pass(batch, p.column, _between_ok(flat, p), parents)


def _explain_between(row: Row, p: Between) -> Why:
    value = row[p.column]
    return Why(f"{p.column} {_shown(value)} is out of bounds: expected {_bounds(p)}", str(value))


def _break_between(article: Article, p: Between) -> Article:
    return _break_with(
        article,
        column_values_to_be_between,
        p,
        _outside(p),
        f"no value {p.column} can hold lies outside {_bounds(p)}",
    )


def _outside(p: Between) -> Iterator[Any]:
    for bound, step, strict in ((p.min_value, -1, p.strict_min), (p.max_value, 1, p.strict_max)):
        if bound is None:
            continue
        if isinstance(bound, dt.date):
            yield (bound if strict else bound + dt.timedelta(days=step)).isoformat()
        else:
            yield int(bound) if strict and bound == int(bound) else int(np.floor(bound + step))


_BETWEEN_GX = "expect_column_values_to_be_between"


def _between_gx_column(p: Between) -> str:
    return gx_column(p, _BETWEEN_GX) if p.kind == "number" else f"{p.column}__as_date"


def _between_gx_kwargs(p: Between) -> dict[str, Any]:
    bounds = {
        k: v.isoformat() if isinstance(v, dt.date) else v for k, v in _bound_values(p).items()
    }
    return {
        "column": _between_gx_column(p),
        **bounds,
        "strict_min": p.strict_min,
        "strict_max": p.strict_max,
    }


def _between_gx_derive(batch: pd.DataFrame, p: Between) -> dict[str, pd.Series]:
    """GX's bounds are dates, never text: it reads the text column as dates (None where it
    holds no date, which GX skips as the toolkit does)."""
    if p.kind == "number":
        return {}
    days = _as_compared(batch[p.column], p)
    return {_between_gx_column(p): days.dt.date.astype(object).where(days.notna(), None)}


column_values_to_be_between = Expectation(
    name="column_values_to_be_between",
    family=FAMILY,
    description="Every value of the column lies between two bounds: numbers, or dates for a "
    "text column holding YYYY-MM-DD dates.",
    field="column",
    params=Between,
    check=_between,
    explain=_explain_between,
    fix="Check where the value comes from in the scraper (a wrong page, a default value), or "
    "adjust the bounds.",
    breaker=_break_between,
    gx=GxForm(type=_BETWEEN_GX, kwargs=_between_gx_kwargs, derive=_between_gx_derive),
    scope=_between_scope,
)


# --- column_values_to_match_strftime_format ---------------------------------------------------


class Strftime(ColumnParams):
    strftime_format: str = Field(description="a strptime format, e.g. %Y-%m-%d")

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"column": "published", "strftime_format": "%d %b. %Y, %H:%M"}]
        }
    )

    @field_validator("strftime_format")
    @classmethod
    def _usable(cls, fmt: str) -> str:
        # GX's own test: a format that can write a date and read it back.
        try:
            dt.datetime.strptime(dt.datetime.now(dt.UTC).strftime(fmt), fmt)
        except ValueError as exc:
            raise invalid("strftime", f"unusable strftime format: {exc}") from None
        return fmt

    @model_validator(mode="after")
    def _text_only(self) -> Strftime:
        _only(self, ("text", "list"), "a strftime format reads text")
        return self


def _strptime_problem(value: str, fmt: str) -> str | None:
    try:
        dt.datetime.strptime(value, fmt)
    except ValueError as exc:
        return str(exc)
    return None


def _parses(values: pd.Series, p: Strftime) -> np.ndarray:
    # datetime.strptime, as GX does: pandas' to_datetime accepts forms strptime refuses. Each
    # distinct value is parsed once.
    return _per_distinct(values, lambda v: _strptime_problem(v, p.strftime_format) is None)


def _strftime(batch: pd.DataFrame, p: Strftime) -> pd.Series:
    flat, parents = _elements(batch, p.column)
    return _rows_pass(batch, p.column, _parses(flat, p), parents)


def _explain_strftime(row: Row, p: Strftime) -> Why:
    value = str(_first_bad(row, p, _parses))
    problem = _strptime_problem(value, p.strftime_format)
    return Why(
        f"{_where(p)} {_shown(value)} does not match the format '{p.strftime_format}': {problem}",
        value,
    )


# Other ways dumps write dates: the article's own date rewritten in them breaks the format
# while the value stays a real date.
_OTHER_FORMATS = (
    "%d %B %Y, %H:%M",
    "%d %b %Y, %H:%M",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d",
    "%d/%m/%Y",
    "%B %d, %Y",
    "%Y%m%d",
)


def _same_date_elsewise(current: object, fmt: str) -> Iterator[str]:
    try:
        when = dt.datetime.strptime(str(current), fmt)
    except ValueError:
        return
    yield from (when.strftime(other) for other in _OTHER_FORMATS)


def _break_strftime(article: Article, p: Strftime) -> Article:
    current = _current_element(article, p)
    return _break_with(
        article,
        column_values_to_match_strftime_format,
        p,
        chain(_same_date_elsewise(current, p.strftime_format), _text_candidates(current)),
        f"no text the dump can carry fails the format '{p.strftime_format}'",
    )


column_values_to_match_strftime_format = Expectation(
    name="column_values_to_match_strftime_format",
    family=FAMILY,
    description="Every value of the column parses with a strftime format (datetime.strptime).",
    field="column",
    params=Strftime,
    check=_strftime,
    explain=_explain_strftime,
    fix="Write dates in one format in the scraper, or change strftime_format to the one used.",
    breaker=_break_strftime,
    gx=_gx_form(
        "expect_column_values_to_match_strftime_format",
        lambda p: {"strftime_format": p.strftime_format},
        _parses,
    ),
    scope=_present,
)


# --- column_values_to_be_unique (corpus-wide) -------------------------------------------------


class Unique(ColumnParams):
    model_config = ConfigDict(json_schema_extra={"examples": [{"column": "headline"}]})


_UNIQUE_GX = "expect_column_values_to_be_unique"
_SEPARATOR = "\x1f"  # between the elements of a list when whole lists are compared


def _whole_values(batch: pd.DataFrame, p: Unique) -> pd.Series:
    """The values compared: text or numbers as they are, a list as its elements joined."""
    values = batch[p.column]
    if p.kind != "list":
        return values
    joined = pc.binary_join(pa.array(values, type=pa.list_(pa.string())), _SEPARATOR)
    # The array, not a Series: a Series passed with an index would be aligned on it.
    whole = pd.Series(joined.to_pandas(types_mapper=pd.ArrowDtype).array, index=batch.index)
    return whole.where(present(batch, p.column))


def _unique_keys(batch: pd.DataFrame, p: Unique) -> pd.Series:
    """A 128-bit hash of each value (two seeds of pandas' vectorised hash): the corpus keeps
    16 bytes an article, whatever the length of the value. Null values get no key."""
    keys = pd.Series([None] * len(batch), index=batch.index, dtype=object)
    has = present(batch, p.column).to_numpy()
    if has.any():
        shown = _whole_values(batch, p)[has].astype(str)
        one = pd.util.hash_pandas_object(shown, index=False).to_numpy()
        two = pd.util.hash_pandas_object(shown, index=False, hash_key="toolkit.unique.1")
        keys[has] = list(zip(one.tolist(), two.to_numpy().tolist(), strict=True))
    return keys


def _derive_unique(batch: pd.DataFrame, p: Unique) -> dict[str, pd.Series]:
    if p.kind != "list":
        return {}
    return {gx_column(p, _UNIQUE_GX): gx_objects(_whole_values(batch, p))}


def _judge_unique(seen: list[Sighting], p: Unique) -> dict[int, Why]:
    places: dict[Any, list[int]] = defaultdict(list)
    for i, s in enumerate(seen):
        if s.key is not None:
            places[s.key].append(i)
    out: dict[int, Why] = {}
    for group in places.values():
        if len(group) < 2:
            continue
        for i in group:
            others = [f"{seen[j].file}:{seen[j].line}" for j in group if j != i]
            listed = ", ".join(others[:3]) + (
                f" and {len(others) - 3} more" if len(others) > 3 else ""
            )
            out[i] = Why(f"{p.column} is not unique: the same value is at {listed}")
    return out


column_values_to_be_unique = CorpusExpectation(
    name="column_values_to_be_unique",
    family=FAMILY,
    description="No two articles of the corpus share a value in the column (every one that "
    "does fails, the first included).",
    field="column",
    params=Unique,
    sketch=_unique_keys,
    judge=_judge_unique,
    fix="Drop the duplicated articles from the dump, or find why the scraper saved one value "
    "under two articles.",
    gx=GxForm(
        type=_UNIQUE_GX,
        kwargs=lambda p: {"column": gx_column(p, _UNIQUE_GX)},
        derive=_derive_unique,
    ),
    scope=_present,
)


# --- table_row_count_to_be_between (corpus-wide) ----------------------------------------------


class RowCount(Params):
    min_value: int | None = Field(None, ge=0, description="fewest articles in the corpus")
    max_value: int | None = Field(None, ge=0, description="most articles in the corpus")
    strict_min: bool = Field(False, description="more than min_value articles")
    strict_max: bool = Field(False, description="fewer than max_value articles")

    # The example's bound lets one article pass and shows the finding on a corpus of two.
    model_config = ConfigDict(json_schema_extra={"examples": [{"max_value": 1}]})

    @model_validator(mode="after")
    def _valid(self) -> RowCount:
        _check_bounds(self)
        return self


def _no_key(batch: pd.DataFrame, p: RowCount) -> pd.Series:
    return pd.Series([None] * len(batch), index=batch.index, dtype=object)


def _judge_count(seen: list[Sighting], p: RowCount) -> dict[int, Why]:
    n = len(seen)
    if _inside(pd.Series([n]), p)[0]:
        return {}
    message = f"the corpus holds {n} article{'s' if n != 1 else ''}; expected {_bounds(p)}"
    if p.max_value is not None and n > 0 and n >= p.max_value + (0 if p.strict_max else 1):
        # Too many: the finding stands on the first article over the limit.
        first_over = max(0, p.max_value - 1 if p.strict_max else p.max_value)
        return {first_over: Why(f"{message}: this is the first article over the limit")}
    return {CORPUS_LEVEL: Why(message)}


table_row_count_to_be_between = CorpusExpectation(
    name="table_row_count_to_be_between",
    family=FAMILY,
    description="The corpus holds a number of articles between two bounds.",
    field="file",
    params=RowCount,
    sketch=_no_key,
    judge=_judge_count,
    fix="Too few articles: a scraper run failed or a filter dropped pages; too many: pages were "
    "fetched twice or the dump mixes runs.",
    gx=GxForm(
        type="expect_table_row_count_to_be_between",
        kwargs=lambda p: p.model_dump(),
    ),
)


EXPECTATIONS: list[AnyExpectation] = [
    column_values_to_not_be_null,
    column_values_to_match_regex,
    column_values_to_not_match_regex,
    column_values_to_be_between_lengths,
    column_values_to_be_in_set,
    column_values_to_be_unique,
    column_values_to_be_between,
    column_values_to_match_strftime_format,
    table_row_count_to_be_between,
]

__all__ = ["COLUMNS", "COLUMN_KINDS", "EXPECTATIONS"]
