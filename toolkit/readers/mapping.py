"""Field mapping: from a feed's record fields to the article's, with presets for common feeds.

A feed (JSON Lines, JSON, CSV, Parquet) names its fields its own way: news-please writes
``maintext`` and ``date_publish``, fundus ``plaintext`` and ``publishing_date``. A mapping says
which record field fills which article field; every expectation then reads the same article
columns whatever the source.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ConfigDict, field_validator

from toolkit.article import Article, parse_byline
from toolkit.textcache import text_cache

# Article fields a mapping may fill, and the record value types each accepts.
ARTICLE_FIELDS = ("headline", "body", "date", "published", "byline", "tags", "caption", "title")


class FieldMapping(BaseModel):
    """Which record field fills each article field; ``None`` leaves it empty."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    headline: str | None = "title"
    body: str | None = "text"
    date: str | None = "date"
    published: str | None = None
    byline: str | None = "authors"
    tags: str | None = "tags"
    caption: str | None = None
    title: str | None = None

    @field_validator("*")
    @classmethod
    def _not_blank(cls, value: str | None) -> str | None:
        if value is not None and not value.strip():
            raise ValueError("a record field name cannot be empty")
        return value

    def fields(self) -> dict[str, str]:
        """Article field -> record field, for the fields mapped."""
        return {k: v for k, v in self.model_dump().items() if v is not None}


PRESETS: Mapping[str, FieldMapping] = {
    # title / text / date / authors / tags: the plain layout most exports use.
    "plain": FieldMapping(),
    # news-please's JSON output (one article per record).
    "news-please": FieldMapping(
        headline="title", body="maintext", date="date_publish", byline="authors", tags=None
    ),
    # fundus's Article.to_json(): plaintext is the body with paragraphs split by blank lines.
    "fundus": FieldMapping(
        headline="title", body="plaintext", date="publishing_date", byline="authors", tags="topics"
    ),
}
DEFAULT_PRESET = "plain"


def resolve_mapping(
    preset: str | None = None, overrides: Mapping[str, str] | None = None
) -> FieldMapping:
    """A preset (``plain`` by default) with some fields remapped (``{"body": "content"}``);
    an override of ``""`` or ``"-"`` unmaps a field. Raises ValueError on an unknown preset
    or article field, with what is valid."""
    name = preset or DEFAULT_PRESET
    if name not in PRESETS:
        raise ValueError(f"unknown input preset {name!r}; presets: {', '.join(PRESETS)}")
    base = PRESETS[name].model_dump()
    for key, value in (overrides or {}).items():
        if key not in ARTICLE_FIELDS:
            raise ValueError(
                f"unknown article field {key!r} in the input mapping; fields: "
                + ", ".join(ARTICLE_FIELDS)
            )
        base[key] = None if value in ("", "-") else value
    return FieldMapping(**base)


def parse_mapping_option(values: Iterable[str]) -> dict[str, str]:
    """``--map body=content`` options to a dict; raises ValueError naming the bad one."""
    out: dict[str, str] = {}
    for value in values:
        for part in value.split(","):
            key, sep, record_field = part.partition("=")
            if not sep or not key.strip():
                raise ValueError(f"--map takes ARTICLE_FIELD=RECORD_FIELD, not {part!r}")
            out[key.strip()] = record_field.strip()
    return out


@dataclass
class RecordProblems:
    """Record-level problems of one file, grouped by cause: counted exactly, a few places kept
    as examples, so a feed with 10,000 bad records gives one finding per cause, not 10,000."""

    examples: int = 5
    causes: dict[str, list[int]] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)

    def add(self, cause: str, place: int) -> None:
        self.counts[cause] = self.counts.get(cause, 0) + 1
        seen = self.causes.setdefault(cause, [])
        if len(seen) < self.examples:
            seen.append(place)


_DATE = re.compile(r"^(\d{4}-\d{2}-\d{2})(?:$|[T ])")
_BLANK_LINES = re.compile(r"\n[ \t\u00a0]*\n")


def to_article(
    record: Mapping[str, Any],
    mapping: FieldMapping,
    file: str,
    place: int,
    problems: RecordProblems,
    unit: str,
) -> Article:
    """One record as an Article. A mapped field that is missing, or of a type the article
    field cannot take, is a problem of the record (the field stays empty, so the
    expectations on it report it too)."""
    art = Article(file=file, line=place, source=unit)
    for target, source in _fields_of(mapping):
        value = record.get(source)
        if value is None:
            if source not in record:
                problems.add(f"mapped field {source!r} ({target}) is missing", place)
            continue
        if not _assign(art, target, value):
            kind = _KINDS.get(type(value).__name__, f"a {type(value).__name__}")
            problems.add(f"field {source!r} ({target}) holds {kind}, not {_WANTS[target]}", place)
    art.lines = dict.fromkeys(_PARTS, place)
    return art


_PARTS = ("headline", "title", "published", "caption", "body", "byline", "tags")


@functools.lru_cache(maxsize=64)
def _fields_of(mapping: FieldMapping) -> tuple[tuple[str, str], ...]:
    # Once per mapping, not once per record: model_dump() is most of a small record's cost.
    return tuple(mapping.fields().items())


@text_cache(maxsize=4096)
def _byline_parts(line: str) -> tuple[str | None, tuple[str, ...], tuple[str, ...]]:
    """parse_byline's result for one byline text, parsed once per distinct text: a feed's
    records repeat the same authors, and the parse is a dozen regex passes."""
    scratch = Article(file="", line=0)
    parse_byline(scratch, line)
    return scratch.byline, tuple(scratch.byline_names), tuple(scratch.byline_emails)


def _set_byline(art: Article, line: str) -> None:
    art.byline, names, emails = _byline_parts(line)
    art.byline_names = list(names)
    art.byline_emails = list(emails)


_KINDS = {
    "int": "a number",
    "float": "a number",
    "bool": "true/false",
    "list": "a list",
    "dict": "an object",
    "str": "text",
}
_WANTS = {
    "headline": "text",
    "title": "text",
    "caption": "text",
    "published": "text or a date",
    "date": "text or a date",
    "body": "text or a list of paragraphs",
    "byline": "text or a list of names",
    "tags": "a list of tags or text",
}


def _assign(art: Article, target: str, value: Any) -> bool:
    """Set one article field from a record value; False when the type does not fit."""
    if target in ("headline", "title", "caption"):
        if not isinstance(value, str):
            return False
        setattr(art, target, value)
    elif target in ("date", "published"):
        text = _date_text(value)
        if text is None:
            return False
        if target == "date":
            # The header date is a calendar date; an ISO timestamp keeps its date part, and
            # the whole value is kept as the published time.
            m = _DATE.match(text)
            art.date = m.group(1) if m else text
            if m and len(text) > 10 and art.published is None:
                art.published = text
        else:
            art.published = text
    elif target == "body":
        if isinstance(value, str):
            art.paragraphs = [p.strip() for p in _BLANK_LINES.split(value) if p.strip()]
        elif isinstance(value, list) and all(isinstance(p, str) for p in value):
            art.paragraphs = [p.strip() for p in value if p.strip()]
        else:
            return False
    elif target == "byline":
        if isinstance(value, list) and all(isinstance(n, str) for n in value):
            names = [n.strip() for n in value if n.strip()]
            _set_byline(art, ", ".join(names))
        elif isinstance(value, str):
            _set_byline(art, value)
        else:
            return False
    elif target == "tags":
        if isinstance(value, list) and all(isinstance(t, str) for t in value):
            art.tags = [t.strip() for t in value if t.strip()]
        elif isinstance(value, str):
            # A text cell (CSV) separates tags with commas or semicolons; one tag otherwise.
            sep = ";" if ";" in value else ","
            art.tags = [t.strip() for t in value.split(sep) if t.strip()]
        else:
            return False
        art.tags_raw = " ".join(art.tags)
        art.tags_list = True
    return True


def _date_text(value: Any) -> str | None:
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return None
