"""Hygiene: typographic habits that real dumps all carry (no-break spaces, straight and curly
apostrophes side by side, white space at the ends of lines). They are worth knowing before text
is compared or tokenised, but they are not defects: the default severity is ``info``, so they
never fail a run unless a suite says so.
"""

from __future__ import annotations

import dataclasses
import re

import pandas as pd
from pydantic import Field

from toolkit.article import Article
from toolkit.expectations.base import AnyExpectation, Expectation, Params, Row, Why, gx_all_true
from toolkit.expectations.body import (
    FIELD_NAMES,
    TextField,
    any_match,
    first_match,
    why_at,
    with_text,
)
from toolkit.text import UNICODE_SPACE_CHARS, UNICODE_SPACES, window

# Not the byline: Cloudflare's placeholder carries a no-break space, and byline_has_email
# reports it.
_PROSE: tuple[TextField, ...] = ("headline", "title", "caption", "body")


class Prose(Params):
    fields: tuple[TextField, ...] = Field(_PROSE, min_length=1, description="text fields to read")


# --- hygiene_no_break_spaces ------------------------------------------------------------------

# U+00A0, and the narrow (U+202F) and figure (U+2007) no-break spaces.
_NBSP = "[\u00a0\u2007\u202f]"
_NBSP_RE = re.compile(_NBSP)
_NBSP_CHARS = "\u00a0\u2007\u202f"


def _no_nbsp(batch: pd.DataFrame, p: Prose) -> pd.Series:
    return ~any_match(batch, p.fields, _NBSP)


def _explain_nbsp(row: Row, p: Prose) -> Why:
    hit = first_match(row, p.fields, _NBSP_RE)
    if hit is None:
        return Why("a no-break space in the text")
    name, text, m = hit
    n = sum(text.count(ch) for ch in _NBSP_CHARS)
    return why_at(
        f"{n} no-break space{'s' if n != 1 else ''} (U+{ord(m.group()):04X}) in the "
        f"{FIELD_NAMES[name]}: they look like spaces but are not one to searches, tokenisers "
        "and string comparisons; fold them to plain spaces before such use",
        text,
        m.start(),
        m.end(),
    )


def _nbsp_column(batch: pd.DataFrame, p: Prose) -> dict[str, pd.Series]:
    """True where none of the named fields holds a no-break space (U+00A0, U+2007, U+202F)."""
    return {"text_nbsp_free": _no_nbsp(batch, p)}


def _add_nbsp(article: Article, p: Prose) -> Article:
    if "body" in p.fields and article.paragraphs:
        paragraphs = [article.paragraphs[0].replace(" ", "\u00a0", 1), *article.paragraphs[1:]]
        return dataclasses.replace(article, paragraphs=paragraphs)
    field = p.fields[0]
    return with_text(article, field, (getattr(article, field) or "").replace(" ", "\u00a0", 1))


hygiene_no_break_spaces = Expectation(
    name="hygiene_no_break_spaces",
    family="hygiene",
    description="No no-break spaces in the text (informational: real dumps carry them).",
    field="body",
    params=Prose,
    check=_no_nbsp,
    explain=_explain_nbsp,
    fix="Fold no-break spaces to plain spaces when text is normalised for search or training; "
    "keep them in an archive that must stay byte for byte.",
    breaker=_add_nbsp,
    severity="info",
    gx=gx_all_true("text_nbsp_free", _nbsp_column),
)


# --- hygiene_mixed_apostrophes ----------------------------------------------------------------

# An apostrophe inside a word ("Assad’s", "Ministry's"), not a quotation mark. RE2 reads \pL
# (any letter) over the columns; Python's re, which lacks it, reads [^\W\d_] for the excerpt.
_CURLY = "\\pL’\\pL"
_STRAIGHT = "\\pL'\\pL"
_CURLY_RE = re.compile("[^\\W\\d_]’[^\\W\\d_]")
_STRAIGHT_RE = re.compile("[^\\W\\d_]'[^\\W\\d_]")


def _one_apostrophe(batch: pd.DataFrame, p: Prose) -> pd.Series:
    return ~(any_match(batch, p.fields, _CURLY) & any_match(batch, p.fields, _STRAIGHT))


def _explain_apostrophes(row: Row, p: Prose) -> Why:
    curly = first_match(row, p.fields, _CURLY_RE)
    straight = first_match(row, p.fields, _STRAIGHT_RE)
    if curly is None or straight is None:
        return Why("both curly (’) and straight (') apostrophes in the text")
    name, text, m = straight
    word = _word_at(text, m.start() + 1)
    other = _word_at(curly[1], curly[2].start() + 1)
    return why_at(
        f"both curly and straight apostrophes: '{other}' (U+2019) in the "
        f"{FIELD_NAMES[curly[0]]} beside '{word}' (U+0027) in the {FIELD_NAMES[name]}; fold "
        "them to one form before comparing or tokenising text",
        text,
        m.start() + 1,
        m.start() + 2,
    )


_WORD_AROUND = re.compile("[^\\W_]+[’'][^\\W_]+")
# A character no word of _WORD_AROUND holds: the words after one are found as from the start.
_NOT_IN_WORD = re.compile("[^\\w’']|_")


def _word_at(text: str, at: int) -> str:
    # Only a window around ``at`` is read: from the whole text, Python's re rescans a long word
    # from each of its characters (quadratic), and the message quotes the word.
    lo, hi = window(text, at, at)
    if lo > 0 and (cut := _NOT_IN_WORD.search(text, lo, at)):
        lo = cut.end()
    for m in _WORD_AROUND.finditer(text, lo, hi):
        if m.start() <= at < m.end():
            return m.group()
    return text[max(0, at - 1) : at + 2]


def _apostrophes_column(batch: pd.DataFrame, p: Prose) -> dict[str, pd.Series]:
    """True where the named fields do not use both the curly (U+2019) and the straight
    (U+0027) apostrophe inside words."""
    return {"text_one_apostrophe": _one_apostrophe(batch, p)}


_MIXED_SENTENCE = "The ministry’s figures match the agency's."


def _mix_apostrophes(article: Article, p: Prose) -> Article:
    if "body" not in p.fields:
        field = p.fields[0]
        return with_text(article, field, f"{getattr(article, field) or ''} {_MIXED_SENTENCE}")
    paragraphs = list(article.paragraphs) or [""]
    paragraphs[0] = f"{paragraphs[0]} {_MIXED_SENTENCE}".strip()
    return dataclasses.replace(article, paragraphs=paragraphs)


hygiene_mixed_apostrophes = Expectation(
    name="hygiene_mixed_apostrophes",
    family="hygiene",
    description="One apostrophe style in the text, not curly (’) beside straight (') "
    "(informational: real dumps mix them).",
    field="body",
    params=Prose,
    check=_one_apostrophe,
    explain=_explain_apostrophes,
    fix="Fold apostrophes to one form (’ or ') when text is normalised for search or training.",
    breaker=_mix_apostrophes,
    severity="info",
    gx=gx_all_true("text_one_apostrophe", _apostrophes_column),
)


# --- hygiene_trailing_whitespace --------------------------------------------------------------

# White space at the end of a line or paragraph as the text keeps it: the reader strips plain
# spaces and tabs from body lines, so there it is mostly no-break spaces ("statement.\u00a0").
_HSPACE = f" \t{UNICODE_SPACES}"
_TRAILING = f"[{_HSPACE}]+\n|[{_HSPACE}]+$"
_HSPACE_CHARS = f" \t{UNICODE_SPACE_CHARS}"
# The last white-space character of a line; rstrip() then finds where its run starts. Python's
# re would rescan a long run of spaces inside a line from each of its characters for _TRAILING.
_LINE_END_SPACE = re.compile(f"[{_HSPACE}](?:\n|$)")


def trailing_space(text: str) -> tuple[int, int] | None:
    """Where the first white space at the end of a line of ``text`` stands, or None."""
    m = _LINE_END_SPACE.search(text)
    if m is None:
        return None
    end = m.start() + 1
    line_start = text.rfind("\n", 0, m.start()) + 1
    return line_start + len(text[line_start:end].rstrip(_HSPACE_CHARS)), end


class Lines(Params):
    fields: tuple[TextField, ...] = Field(
        ("title", "caption", "body"), min_length=1, description="text fields to read"
    )


def _no_trailing(batch: pd.DataFrame, p: Lines) -> pd.Series:
    return ~any_match(batch, p.fields, _TRAILING)


def _explain_trailing(row: Row, p: Lines) -> Why:
    for name in p.fields:
        text = row.get(name)
        if isinstance(text, str) and (at := trailing_space(text)):
            return why_at(
                f"white space at the end of a line of the {FIELD_NAMES[name]}: invisible, it "
                "makes equal texts compare unequal; strip it when normalising",
                text,
                *at,
            )
    return Why("white space at the end of a line")


def _trailing_column(batch: pd.DataFrame, p: Lines) -> dict[str, pd.Series]:
    """True where no line or paragraph of the named fields ends in white space (no-break
    spaces included)."""
    return {"text_no_trailing_space": _no_trailing(batch, p)}


def _pad_line(article: Article, p: Lines) -> Article:
    # The reader keeps the title line as written, trailing spaces included.
    if "title" in p.fields and article.title is not None:
        return dataclasses.replace(article, title=f"{article.title}  ")
    if "body" in p.fields and article.paragraphs:
        last = f"{article.paragraphs[-1]}\u00a0"
        return dataclasses.replace(article, paragraphs=[*article.paragraphs[:-1], last])
    field = p.fields[0]
    return with_text(article, field, f"{getattr(article, field) or ''}\u00a0")


hygiene_trailing_whitespace = Expectation(
    name="hygiene_trailing_whitespace",
    family="hygiene",
    description="No white space at the ends of lines (informational: real dumps carry it).",
    field="body",
    params=Lines,
    check=_no_trailing,
    explain=_explain_trailing,
    fix="Strip white space (no-break spaces too) from line ends when text is normalised.",
    breaker=_pad_line,
    severity="info",
    gx=gx_all_true("text_no_trailing_space", _trailing_column),
)

EXPECTATIONS: list[AnyExpectation] = [
    hygiene_no_break_spaces,
    hygiene_mixed_apostrophes,
    hygiene_trailing_whitespace,
]
