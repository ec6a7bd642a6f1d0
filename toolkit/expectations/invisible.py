"""Invisible characters: zero-width spaces and joiners, soft hyphens, byte-order marks inside the
text and bidirectional controls. Print shows nothing where they sit, but they split words for
search, matching and tokenising, and bidirectional controls reorder what a reader sees (the
"Trojan Source" trick), so each is a defect of the scrape, named and shown where it stands.

Two of them are also letters' business, and there they pass:

- ZERO WIDTH JOINER between emoji ("👨‍👩‍👧", "🏳️‍🌈") builds one emoji, and in Arabic-script
  and Indic text (Persian, Urdu, Hindi, Bengali, Malayalam, Sinhala...) the joiner and
  ZERO WIDTH NON-JOINER choose letter forms ("می‌خواهم"). In a text holding letters of those
  scripts they pass; elsewhere a joiner passes only between emoji.
- LEFT-TO-RIGHT and RIGHT-TO-LEFT MARK order numbers and Latin words inside Hebrew and Arabic
  text; they pass in a text holding right-to-left letters.

Embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069) never pass: news text has no
need of them, and they are what makes displayed text differ from stored text.
"""

from __future__ import annotations

import dataclasses
import unicodedata

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from pydantic import Field

from toolkit.article import Article
from toolkit.expectations.base import AnyExpectation, Expectation, Params, Why, gx_all_true, one_row
from toolkit.expectations.body import (
    ALL_TEXT,
    FIELD_NAMES,
    TextField,
    arrow_text,
    by_first_field,
    field_hits,
    why_at,
    with_text,
    word_around,
)
from toolkit.text import visible

# The characters as themselves, not "\u" escapes: pandas hands such patterns to RE2.
_ALWAYS = "\u00ad\u200b\u2060\ufeff\u202a-\u202e\u2066-\u2069"
_MARKS = "\u200e\u200f"
_ZWNJ, _ZWJ = "\u200c", "\u200d"
_ALL = f"[{_ALWAYS}{_MARKS}{_ZWNJ}{_ZWJ}]"
_RTL = "[\\p{Hebrew}\\p{Arabic}\\p{Syriac}\\p{Thaana}\\p{Nko}]"
_JOINING = (
    "[\\p{Arabic}\\p{Syriac}\\p{Devanagari}\\p{Bengali}\\p{Gurmukhi}\\p{Gujarati}\\p{Oriya}"
    "\\p{Tamil}\\p{Telugu}\\p{Kannada}\\p{Malayalam}\\p{Sinhala}\\p{Mongolian}\\p{Myanmar}"
    "\\p{Khmer}]"
)
# What may stand on each side of a joiner inside an emoji sequence: a symbol, the emoji
# variation selector, a skin-tone modifier.
_EMOJI_PART = "\\p{So}\ufe0f\U0001f3fb-\U0001f3ff"
_STRAY_JOINER = f"(?:^|[^{_EMOJI_PART}]){_ZWJ}|{_ZWJ}(?:[^{_EMOJI_PART}]|$)"
_SHOWN = 5


class Invisible(Params):
    fields: tuple[TextField, ...] = Field(ALL_TEXT, min_length=1, description="text fields to read")


def _matches(values: pd.Series | pa.Array, pattern: str) -> pd.Series:
    found = pc.match_substring_regex(arrow_text(values), pattern)
    return pd.Series(found, dtype="boolean").fillna(False)


def _bad(column: pd.Series) -> pd.Series:
    """True where the text holds an invisible character its script gives no use to."""
    always = _matches(column, f"[{_ALWAYS}]")
    joining = _matches(column, _JOINING)
    marks = _matches(column, f"[{_MARKS}]") & ~_matches(column, _RTL)
    nonjoiner = _matches(column, _ZWNJ) & ~joining
    joiner = _matches(column, _STRAY_JOINER) & ~joining
    bad = always | marks | nonjoiner | joiner
    return pd.Series(bad.to_numpy(dtype=bool), index=column.index)


def _no_invisible(batch: pd.DataFrame, p: Invisible) -> pd.Series:
    # A cheap pass first: only texts with any of the characters are judged by script.
    bad = pd.Series(False, index=batch.index)
    hints = field_hits(batch, p.fields, _ALL)
    for name, hint in zip(p.fields, hints, strict=True):
        if hint.any():
            bad |= _bad(batch[name][hint]).reindex(batch.index, fill_value=False)
    return ~bad


def label(ch: str) -> str:
    """A character as a finding names it: <U+200B ZERO WIDTH SPACE>."""
    return f"<U+{ord(ch):04X} {unicodedata.name(ch, 'UNNAMED')}>"


def offending(texts: pa.Array | pa.ChunkedArray) -> list[list[int]]:
    """Where the invisible characters that fail the check stand in each text (none in a
    missing one): the scripts of every text and the sides of every joiner judged by the
    check's own patterns, one kernel call each for all the texts."""
    values = texts.to_pylist()
    rtl = _matches(texts, _RTL).tolist()
    joining = _matches(texts, _JOINING).tolist()
    ats = [[i for i, ch in enumerate(t) if ch in _SET] if t else [] for t in values]
    pairs = zip(values, ats, strict=True)
    windows = [t[max(0, i - 1) : i + 2] for t, at in pairs for i in at if t[i] == _ZWJ]
    stray = iter(_matches(pa.array(windows, pa.string()), _STRAY_JOINER).tolist())
    found = []
    for text, at, in_rtl, in_joining in zip(values, ats, rtl, joining, strict=True):
        out = []
        for i in at:
            ch = text[i]
            if ch == _ZWJ:
                if next(stray) and not in_joining:
                    out.append(i)
            elif ch == _ZWNJ:
                if not in_joining:
                    out.append(i)
            elif ch in _MARKS:
                if not in_rtl:
                    out.append(i)
            else:
                out.append(i)
        found.append(out)
    return found


_SET = frozenset(
    "\u00ad\u200b\u2060\ufeff\u200e\u200f\u200c\u200d"
    + "".join(map(chr, range(0x202A, 0x202F)))
    + "".join(map(chr, range(0x2066, 0x206A)))
)


def _explain_invisible(rows: pd.DataFrame, p: Invisible) -> list[Why]:
    def explain(name: str, values: pa.Array) -> list[Why | None]:
        return [
            _invisible_why(name, text, found) if found else None
            for text, found in zip(values.to_pylist(), offending(values), strict=True)
        ]

    unnamed = Why("an invisible or bidirectional control character in the text")
    return by_first_field(rows, p.fields, explain, unnamed)


def _invisible_why(name: str, text: str, found: list[int]) -> Why:
    shown = []
    for i in found[:_SHOWN]:
        start, end = word_around(text, i, i + 1)
        shown.append(f"{label(text[i])} at character {i + 1} ('{visible(text[start:end])}')")
    more = f" and {len(found) - _SHOWN} more" if len(found) > _SHOWN else ""
    n = len(found)
    return why_at(
        f"{n} invisible character{'s' if n != 1 else ''} in the {FIELD_NAMES[name]}: "
        f"{', '.join(shown)}{more}; they show as nothing but split words for search and "
        "comparison (bidirectional controls also reorder what is displayed): strip them "
        "when extracting the text",
        text,
        found[0],
        found[0] + 1,
    )


def _invisible_column(batch: pd.DataFrame, p: Invisible) -> dict[str, pd.Series]:
    """True where none of the named fields holds a zero-width space (U+200B), word joiner
    (U+2060), soft hyphen (U+00AD), byte-order mark (U+FEFF) or bidirectional embedding,
    override or isolate (U+202A-U+202E, U+2066-U+2069); nor a left-to-right or right-to-left
    mark (U+200E, U+200F) outside text with Hebrew or Arabic-script letters; nor a zero-width
    joiner or non-joiner (U+200D, U+200C) outside text with Arabic-script or Indic letters,
    except a joiner between emoji."""
    return {"text_invisible_free": _no_invisible(batch, p)}


def _hide_space(article: Article, p: Invisible) -> Article:
    if "body" in p.fields and article.paragraphs:
        first = article.paragraphs[0]
        cut = first.find(" ", len(first) // 3)
        cut = cut if cut > 0 else len(first) // 2
        # A zero-width space glued into a word, as copied text from a CMS carries it.
        paragraphs = [f"{first[:cut]}\u200b{first[cut:]}", *article.paragraphs[1:]]
        return dataclasses.replace(article, paragraphs=paragraphs)
    field = p.fields[0]
    return with_text(article, field, f"{getattr(article, field) or ''}\u200b")


body_no_invisible_chars = Expectation(
    name="body_no_invisible_chars",
    family="invisible",
    description="No invisible characters in the text: zero-width spaces, word joiners, soft "
    "hyphens, byte-order marks, bidirectional controls; each is named and shown. Joiners pass "
    "between emoji and in Arabic-script and Indic text, left-to-right and right-to-left marks "
    "in Hebrew and Arabic-script text, where they are part of the writing.",
    field="body",
    params=Invisible,
    check=_no_invisible,
    explain=one_row(_explain_invisible),
    explain_rows=_explain_invisible,
    fix="Strip U+200B, U+2060, U+00AD, U+FEFF and the bidirectional controls when extracting "
    "the text (they come from CMS editors, copy-paste and hyphenation markup such as &shy;).",
    breaker=_hide_space,
    severity="warning",
    gx=gx_all_true("text_invisible_free", _invisible_column),
)

EXPECTATIONS: list[AnyExpectation] = [body_no_invisible_chars]
