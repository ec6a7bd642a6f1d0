"""The body: present, long enough, whole (not cut mid-sentence), and free of HTML, mojibake,
control characters and site boilerplate.

The text checks read every field a ``fields`` parameter names (the caption beside the body by
default; the headline and title too where a defect there is the same defect). Each pattern runs
over whole Arrow columns in pyarrow's RE2; Python's ``re`` reads the same pattern again only for
the failing rows, to say where the problem sits. The patterns are therefore written in the
syntax both engines share: no ``\\s``, ``\\d``, ``\\w``, ``\\b`` or lookarounds.
"""

from __future__ import annotations

import dataclasses
import html.entities
import re
from collections.abc import Callable, Iterable
from functools import lru_cache
from typing import Any, Literal

import ftfy
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from ftfy.badness import BADNESS_RE, is_bad
from pydantic import Field, field_validator

from toolkit.article import Article
from toolkit.expectations.base import (
    AnyExpectation,
    Expectation,
    NoParams,
    Params,
    Row,
    Why,
    gx_all_true,
    one_row,
)
from toolkit.text import (
    SPACE_CHARS,
    SPACE_CLASS,
    SPACE_RUN,
    as_mask,
    excerpt_at,
    fold_space,
    non_empty,
    text_runs,
    visible,
    window,
)
from toolkit.textcache import text_cache

TextField = Literal["headline", "title", "published", "caption", "body", "byline", "tags_raw"]
ALL_TEXT: tuple[TextField, ...] = (
    "headline",
    "title",
    "published",
    "caption",
    "body",
    "byline",
    "tags_raw",
)
FIELD_NAMES: dict[str, str] = {
    "headline": "header headline",
    "title": "title line",
    "published": "Published: line",
    "caption": "caption",
    "body": "body",
    "byline": "byline",
    "tags_raw": "tags line",
}


# --- shared by the text checks ---------------------------------------------------------------


def field_hits(batch: pd.DataFrame, fields: Iterable[str], pattern: str) -> np.ndarray:
    """Where each of ``fields`` matches ``pattern`` (RE2): a (fields, articles) bool array,
    missing text never matching. The columns are searched as one array: RE2 compiles the
    pattern at each call, and for a long phrase list or a Unicode class that costs more than
    searching a batch's headlines."""
    names = list(fields)
    if not names:
        return np.zeros((0, len(batch)), dtype=bool)
    text = pa.concat_arrays([large_text(arrow_text(batch[name])) for name in names])
    hit = pc.fill_null(pc.match_substring_regex(text, pattern), False)
    found: np.ndarray = hit.to_numpy(zero_copy_only=False).reshape(len(names), len(batch))
    return found


def any_match(batch: pd.DataFrame, fields: Iterable[str], pattern: str) -> pd.Series:
    """True where any of ``fields`` matches ``pattern`` (RE2, over each whole column)."""
    return pd.Series(field_hits(batch, fields, pattern).any(axis=0), index=batch.index)


def first_match(
    row: Row, fields: Iterable[str], regex: re.Pattern[str]
) -> tuple[str, str, re.Match[str]] | None:
    """The first field of ``row`` (in ``fields`` order) that ``regex`` matches: its name, its
    text and the match."""
    for name in fields:
        text = row.get(name)
        if isinstance(text, str) and (m := regex.search(text)):
            return name, text, m
    return None


def why_at(message: str, text: str, start: int, end: int) -> Why:
    """A reason whose excerpt is the piece of ``text`` around [start, end), highlighted, taken
    from the paragraph (line) the range starts in."""
    lo = text.rfind("\n", 0, start) + 1
    hi = text.find("\n", max(start, end - 1))
    hi = len(text) if hi < 0 else hi
    shown, (a, b) = excerpt_at(text[lo:hi], start - lo, min(end, hi) - lo)
    return Why(message, shown, ((a, b),))


class InText(Params):
    fields: tuple[TextField, ...] = Field(
        ("caption", "body"), min_length=1, description="text fields to read"
    )


def with_text(article: Article, field: str, value: str) -> Article:
    """``article`` with the text of ``field`` replaced: the body becomes one paragraph, and a
    new headline is the title line's too, so that headline_in_body still holds."""
    if field == "body":
        return dataclasses.replace(article, paragraphs=[value] if value else [])
    changes: dict[str, Any] = {field: value}
    if field == "headline":
        changes["title"] = value
    return dataclasses.replace(article, **changes)


def _with_paragraph(article: Article, index: int, text: str) -> Article:
    paragraphs = list(article.paragraphs) or [""]
    paragraphs[index] = text
    return dataclasses.replace(article, paragraphs=paragraphs)


def has_body(batch: pd.DataFrame, p: object) -> pd.Series:
    """The articles a body check speaks about: those with a body (body_not_empty reports the
    others, once)."""
    return non_empty(batch["body"])


# --- body_not_empty ---------------------------------------------------------------------------


def _body_not_empty(batch: pd.DataFrame, p: NoParams) -> pd.Series:
    # The parser keeps no blank paragraph, so an empty body is the empty string.
    return non_empty(batch["body"])


def _explain_not_empty(row: Row, p: NoParams) -> Why:
    if row.get("caption"):
        return Why("the body is empty: only a photo caption stands under the Published: line", "")
    return Why("the body is empty: no paragraph between the header and the byline", "")


def _body_present_column(batch: pd.DataFrame, p: NoParams) -> dict[str, pd.Series]:
    """True where the article has at least one body paragraph."""
    return {"body_present": _body_not_empty(batch, p)}


def _drop_body(article: Article, p: NoParams) -> Article:
    return dataclasses.replace(article, paragraphs=[])


body_not_empty = Expectation(
    name="body_not_empty",
    family="body",
    description="The article has a body: at least one paragraph of text.",
    field="body",
    params=NoParams,
    check=_body_not_empty,
    explain=_explain_not_empty,
    fix="Re-fetch the page: an empty body means the scraper saved a page whose text had not "
    "loaded, or missed the article's text container.",
    breaker=_drop_body,
    gx=gx_all_true("body_present", _body_present_column),
)


# --- body_min_words ---------------------------------------------------------------------------

_WORD = f"[^{SPACE_CLASS}]+"
# Scripts written without spaces between words, or whose spaced units are long, are measured
# in characters. Han, kana and Hangul: 2 characters a word (Chinese words average under two
# characters, Japanese ones about two; a Korean eojeol, a word with its particles, runs to three
# syllables and carries what two English words do, so its syllables at 2 a word give a Korean
# body about the count the same story has in English). Thai, Lao, Khmer and Myanmar: 4 code
# points a word (vowel and tone marks are code points of their own; words average four to five).
DENSE = "[\\p{Han}\\p{Hiragana}\\p{Katakana}\\p{Hangul}]"
UNSPACED = "[\\p{Thai}\\p{Lao}\\p{Khmer}\\p{Myanmar}]"
DENSE_PER_WORD = 2
UNSPACED_PER_WORD = 4


class MinWords(Params):
    # Photo stories run to two or three sentences; a stub or teaser stops at one.
    min_words: int = Field(
        30,
        ge=2,
        description="fewest words a body may have (Han, kana and Hangul count 2 characters a "
        "word, Thai, Lao, Khmer and Myanmar 4)",
    )


@dataclasses.dataclass(frozen=True)
class WordCount:
    """How a body's length reads: its runs of non-space characters, and its characters of the
    scripts measured in characters."""

    spaced: pd.Series
    dense: pd.Series
    unspaced: pd.Series

    @property
    def by_characters(self) -> pd.Series:
        return self.dense // DENSE_PER_WORD + self.unspaced // UNSPACED_PER_WORD

    @property
    def words(self) -> pd.Series:
        # The larger reading: a Latin-script body is its spaced words, a Japanese or Thai one
        # its characters, and a body in two scripts never counts fewer words than it has.
        by_chars = self.by_characters
        return self.spaced.where(self.spaced >= by_chars, by_chars)


def count_words(body: pd.Series) -> WordCount:
    """Both readings of each body, in pyarrow: the split on white space (five times faster
    than counting regex matches) and RE2 counts of the characters of each script group."""
    text = pa.array(body, type=pa.string(), from_pandas=True)
    split = pc.list_value_length(pc.utf8_split_whitespace(pc.utf8_trim_whitespace(text)))
    spaced = pd.Series(split, index=body.index, dtype="Int64").fillna(0)
    # An empty text splits into one empty word.
    spaced = spaced.where(non_empty(body).to_numpy(), 0)

    def counted(pattern: str) -> pd.Series:
        found = pc.count_substring_regex(text, pattern)
        return pd.Series(found, index=body.index, dtype="Int64").fillna(0)

    return WordCount(spaced, counted(DENSE), counted(UNSPACED))


def word_counts(batch: pd.DataFrame) -> pd.Series:
    """Words of each body, as body_min_words counts them."""
    return count_words(batch["body"]).words


def _body_min_words(batch: pd.DataFrame, p: MinWords) -> pd.Series:
    # Only a body with fewer spaced words than the minimum can fail: the characters are
    # counted for those alone. An empty body is body_not_empty's finding, not this one's.
    body = batch["body"]
    text = pa.array(body, type=pa.string(), from_pandas=True)
    # Split no further than the minimum: a body of at least min_words words gives that many
    # pieces (the last holding the rest), one of fewer gives its words, and no Arrow string is
    # made of every word of the batch.
    split = pc.list_value_length(
        pc.utf8_split_whitespace(pc.utf8_trim_whitespace(text), max_splits=p.min_words)
    )
    spaced = pd.Series(split, index=body.index, dtype="Int64").fillna(0)
    ok = as_mask((spaced >= p.min_words) | ~non_empty(body))
    if not ok.all():
        short = ~ok
        ok[short] = as_mask(count_words(body[short]).words >= p.min_words)
    return ok


def _explain_min_words(rows: pd.DataFrame, p: MinWords) -> list[Why]:
    count = count_words(rows["body"].astype("string[pyarrow]"))
    out = []
    for n, by_chars, spaced, dense, unspaced, body in zip(
        count.words.tolist(),
        count.by_characters.tolist(),
        count.spaced.tolist(),
        count.dense.tolist(),
        count.unspaced.tolist(),
        arrow_text(rows["body"]).to_pylist(),
        strict=True,
    ):
        how = ""
        if int(by_chars) > int(spaced):
            parts = []
            if dense:
                parts.append(f"{dense} Han, kana or Hangul characters at {DENSE_PER_WORD} a word")
            if unspaced:
                parts.append(f"{unspaced} Thai, Lao, Khmer or Myanmar code points at 4 a word")
            how = f" ({' and '.join(parts)})"
        n = int(n)
        out.append(
            Why(
                f"the body has {n} word{'s' if n != 1 else ''}{how}, fewer than {p.min_words}: "
                "the page may be a stub, a teaser or cut short",
                body,
            )
        )
    return out


def _min_words_column(batch: pd.DataFrame, p: MinWords) -> dict[str, pd.Series]:
    """True where the body is empty (body_not_empty's case) or holds at least min_words words:
    runs of characters other than white space (no-break spaces included), or, where it reads
    more, Han, kana and Hangul characters at 2 a word plus Thai, Lao, Khmer and Myanmar code
    points at 4 a word."""
    return {"body_long_enough": _body_min_words(batch, p)}


def _shorten_body(article: Article, p: MinWords) -> Article:
    keep = min(p.min_words - 1, 12)
    short = " ".join(" ".join(article.paragraphs).split()[:keep])
    if int(word_counts(pd.DataFrame({"body": [short]}, dtype="string[pyarrow]")).iloc[0]) > keep:
        # Text without spaces: a few characters are a short body.
        short = short[:keep]
    short = short.rstrip(",;:.!?—–-、，。") + "."
    return dataclasses.replace(article, paragraphs=[short])


body_min_words = Expectation(
    name="body_min_words",
    family="body",
    description="The body holds at least a minimum number of words (default 30); Chinese, "
    "Japanese and Korean count 2 characters a word, Thai, Lao, Khmer and Myanmar 4, chosen per "
    "article by the larger reading.",
    field="body",
    params=MinWords,
    check=_body_min_words,
    explain=one_row(_explain_min_words),
    explain_rows=_explain_min_words,
    fix="Check the page: a very short body is usually a teaser, a paywalled stub or a page "
    "that had not finished loading.",
    breaker=_shorten_body,
    severity="warning",
    gx=gx_all_true("body_long_enough", _min_words_column),
    scope=has_body,
)


# --- body_ends_with_punctuation ---------------------------------------------------------------

# A sentence end, then closing quotes or brackets, then optionally a credit or dateline: in
# brackets or parentheses ("(Yonhap)", "[YONHAP]", "(Birgit Baumann aus Berlin, 3.5.2024)",
# "（共同）"), or a paragraph of its own in capitals ("YONHAP", "ČTK"); then only white space.
# A sentence end is '.' (not "..."), '!' or '?', or their full-width forms; a closing CJK
# bracket alone (Japanese drops the '。' after a closing 「…」); or an ellipsis inside closing
# quotes (speech that trails off: "„Wir werden sehen …“"), never a bare ellipsis (a teaser).
# Closers may stand after a space: French sets « … » apart with (no-break) spaces.
_CLOSERS = "\"'”’“‘»«›‹)\\]」』）】〕〉》〞＂＇］"
_CJK_CLOSE = "」』）】〕〉》"
_CLOSE = f"[{SPACE_CLASS}]*[{_CLOSERS}]"
_STOP = "[^.]\\.|[!?。！？．｡‼⁇⁈⁉]"
_ELLIPSIS = "…|\\.\\.\\."
_CREDIT = (
    "\\([^()\n]{1,80}\\)|\\[[^\\[\\]\n]{1,80}\\]|（[^（）\n]{1,40}）|【[^【】\n]{1,40}】"
    "|\n\\p{Lu}[\\p{Lu}&./ -]+"
)
_WHOLE_END = (
    f"(?:(?:{_STOP})(?:{_CLOSE})*|[{_CJK_CLOSE}]|(?:{_ELLIPSIS})(?:{_CLOSE})+)"
    f"(?:[{SPACE_CLASS}]*(?:{_CREDIT}))?[{SPACE_CLASS}]*$"
)
_ELLIPSIS_END = re.compile(f"(?:\\.\\.\\.|…)[{_CLOSERS}]*[{SPACE_CLASS}]*$")
# The last four words, read from the end of the reversed body: searched for with "$" at the end,
# Python's re would rescan a long word from each of its characters (minutes for 150 KB).
_LAST_WORDS_REVERSED = re.compile(f"(?:[^{SPACE_CLASS}]+[{SPACE_CLASS}]+){{0,3}}[^{SPACE_CLASS}]+")


# How much of the body's end the check reads: the pattern needs a sentence end, its closers and
# a credit of at most 80 characters. Reading only the tail keeps RE2 from scanning (and building
# automaton states for) the whole text of every article.
_TAIL_CHARS = 300


def _ends_with_punctuation(batch: pd.DataFrame, p: NoParams) -> pd.Series:
    body = batch["body"]
    tail = pc.utf8_slice_codeunits(pc.utf8_rtrim_whitespace(arrow_text(body)), -_TAIL_CHARS)
    whole = pd.Series(pc.match_substring_regex(tail, _WHOLE_END), index=body.index)
    return as_mask(whole.astype("boolean") | (body.str.len() == 0))


def _explain_end(row: Row, p: NoParams) -> Why:
    body = str(row["body"]).rstrip(SPACE_CHARS)
    m = _ELLIPSIS_END.search(body)
    if m:
        return why_at(
            "the body ends with an ellipsis: the page was probably cut (a teaser or a paywall)",
            body,
            m.start(),
            m.end(),
        )
    last = _LAST_WORDS_REVERSED.match(body[::-1])
    start = len(body) - last.end() if last else max(0, len(body) - 20)
    return why_at(
        "the body ends mid-sentence, without a full stop, question or exclamation mark: the "
        "article looks truncated",
        body,
        start,
        len(body),
    )


def _ends_column(batch: pd.DataFrame, p: NoParams) -> dict[str, pd.Series]:
    """True where the body is empty or its last sentence ends whole: in '.', '!' or '?' (or
    '。', '！', '？', '．'), perhaps followed by closing quotes, guillemets or brackets; in a
    closing CJK bracket (」, 』, ）, 】); or in an ellipsis inside closing quotes; then perhaps a
    credit or dateline in brackets or parentheses, or a credit paragraph in capitals."""
    return {"body_ends_whole": _ends_with_punctuation(batch, p)}


def _cut_last_paragraph(article: Article, p: NoParams) -> Article:
    if not article.paragraphs:
        return dataclasses.replace(article, paragraphs=["The talks are expected to resume"])
    words = article.paragraphs[-1].split()
    keep = max(3, (len(words) * 2) // 3)
    cut = " ".join(words[:keep])
    if len(words) < 6:
        # Text without spaces (Japanese, Chinese, Thai): cut it by characters.
        cut = article.paragraphs[-1][: max(6, (len(article.paragraphs[-1]) * 2) // 3)]
    cut = cut.rstrip(f".,;:!?…—–-、，{_CLOSERS}{SPACE_CLASS}")
    return _with_paragraph(article, -1, cut)


body_ends_with_punctuation = Expectation(
    name="body_ends_with_punctuation",
    family="body",
    description="The body's last sentence is whole: it ends in '.', '!' or '?' or the full-width "
    "'。！？．' (closing quotes „“ «» 「」, brackets and a credit or dateline in brackets may "
    "follow; a closing 」 or ） alone ends Japanese and Chinese text), not mid-sentence or in a "
    "bare ellipsis.",
    field="body",
    params=NoParams,
    check=_ends_with_punctuation,
    explain=_explain_end,
    fix="Re-fetch the page in full: a body cut mid-sentence comes from a paywall, a 'read more' "
    "teaser, a timeout or a size limit in the scraper.",
    breaker=_cut_last_paragraph,
    severity="warning",
    gx=gx_all_true("body_ends_whole", _ends_column),
    scope=has_body,
)


# --- HTML: tags and entities (also read by headline_no_html) ----------------------------------

_TAG_NAMES = (
    "a|abbr|article|aside|b|blockquote|body|br|button|center|cite|code|del|div|em|figcaption|"
    "figure|font|footer|form|h[1-6]|head|header|hr|html|i|iframe|img|input|ins|label|li|link|"
    "mark|meta|nav|noscript|ol|p|picture|pre|q|s|script|section|small|source|span|strike|"
    "strong|style|sub|sup|svg|table|tbody|td|th|thead|tr|tt|u|ul|video|wbr"
)
# Only real element names: news text puts titles in angle brackets ("<Parasite>").
_TAG = f"<(?i:/?(?:{_TAG_NAMES}))(?:[ \t\r\n/][^<>]{{0,500}})?>|<!--|<!\\[CDATA\\["
# The entities scrapers leave behind, also cut off before their ';' ("&quo", "&#x27").
_COMMON_ENTITIES = ["nbsp", "amp", "quot", "apos", "lsquo", "rsquo", "ldquo", "rdquo", "sbquo"]
_COMMON_ENTITIES += ["bdquo", "mdash", "ndash", "hellip", "middot", "laquo", "raquo", "copy"]
_COMMON_ENTITIES += ["reg", "trade", "bull", "deg"]
_CUT_NAMES = sorted(
    {name[:k] for name in _COMMON_ENTITIES for k in range(3, len(name) + 1)} | {"lt", "gt"},
    key=lambda s: (-len(s), s),
)
_NUMERIC_ENTITY = "&#[0-9]{1,7};?|&#[xX][0-9A-Fa-f]{1,6};?"
_CUT_ENTITY = f"&(?:{'|'.join(_CUT_NAMES)})(?:[^A-Za-z0-9;]|$)"
_SURE_HTML = f"{_TAG}|{_NUMERIC_ENTITY}|{_CUT_ENTITY}"
# Any other "&name;" is an entity only if HTML5 defines it: "&Co;" is not.
_NAMED_ENTITY = "&[A-Za-z][A-Za-z0-9]{1,31};"
_SURE_HTML_RE = re.compile(_SURE_HTML)
_NAMED_ENTITY_RE = re.compile("&([A-Za-z][A-Za-z0-9]{1,31});")


def _is_entity(name: str) -> bool:
    return f"{name};" in html.entities.html5


def html_free(batch: pd.DataFrame, fields: Iterable[str]) -> pd.Series:
    """True where no field holds an HTML tag or entity."""
    names = list(fields)
    bad = field_hits(batch, names, _SURE_HTML)
    named = field_hits(batch, names, _NAMED_ENTITY) & ~bad
    for i, name in enumerate(names):
        if named[i].any():
            # Only the few texts with an "&name;" are read again, to look the names up.
            texts = arrow_text(batch[name]).filter(pa.array(named[i])).to_pylist()
            bad[i, np.flatnonzero(named[i])] = [_has_named_entity(t) for t in texts]
    return pd.Series(~bad.any(axis=0), index=batch.index)


def _has_named_entity(text: str) -> bool:
    return any(_is_entity(m[1]) for m in _NAMED_ENTITY_RE.finditer(text))


def html_problem(text: str) -> tuple[str, int, int] | None:
    """The first HTML tag or entity in ``text``: what it is, and where."""
    found = [(m.start(), m.end()) for m in _SURE_HTML_RE.finditer(text)]
    found += [(m.start(), m.end()) for m in _NAMED_ENTITY_RE.finditer(text) if _is_entity(m[1])]
    if not found:
        return None
    start, end = min(found)
    piece = text[start:end]
    if piece.startswith("<"):
        return f"the HTML tag '{piece}'", start, end
    if piece.endswith(";"):
        return f"the HTML entity '{piece}'", start, end
    # A cut-off entity: the match also took the character after it.
    cut = _ENTITY_START.match(piece)
    end = start + (cut.end() if cut else len(piece))
    return f"the cut-off HTML entity '{text[start:end]}'", start, end


_ENTITY_START = re.compile("&#?[A-Za-z0-9]*")


def explain_html(row: Row, fields: Iterable[str]) -> Why:
    for name in fields:
        text = row.get(name)
        if isinstance(text, str) and (problem := html_problem(text)):
            what, start, end = problem
            return why_at(
                f"{what} in the {FIELD_NAMES[name]}: markup was left in the text; strip tags and "
                "unescape entities when extracting it",
                text,
                start,
                end,
            )
    return Why("HTML markup in the text")


def _body_no_html(batch: pd.DataFrame, p: InText) -> pd.Series:
    return html_free(batch, p.fields)


def _explain_body_html(row: Row, p: InText) -> Why:
    return explain_html(row, p.fields)


def _html_free_column(batch: pd.DataFrame, p: InText) -> dict[str, pd.Series]:
    """True where no named field holds an HTML tag (<p>, </b>, <br/>...) or entity (&nbsp;,
    &#x27;, or one cut off before its ';' such as '&quo')."""
    return {"text_html_free": html_free(batch, p.fields)}


def _tag_paragraph(article: Article, p: InText) -> Article:
    if not article.paragraphs:
        return dataclasses.replace(article, paragraphs=["<p>The report was released.</p>"])
    first = article.paragraphs[0]
    return _with_paragraph(article, 0, f"<p>{first}&nbsp;</p>")


body_no_html = Expectation(
    name="body_no_html",
    family="body",
    description="No HTML tags (<p>, <br/>) or entities (&nbsp;, &#x27;, a cut-off &quo) in the "
    "body and caption.",
    field="body",
    params=InText,
    check=_body_no_html,
    explain=_explain_body_html,
    fix="Extract the page's text, not its markup: strip tags and unescape HTML entities "
    "(html.unescape) in the scraper.",
    breaker=_tag_paragraph,
    gx=gx_all_true("text_html_free", _html_free_column),
)


# --- body_no_mojibake -------------------------------------------------------------------------

# UTF-8 read as Windows-1252 or Latin-1 turns every non-ASCII character into a lead character
# (Â-ô) and one or more continuation characters (U+0080-U+00BF, or what Windows-1252 puts at
# 0x80-0x9F): "â€™" for "’". A cheap RE2 pass over the column keeps only texts with such a pair
# (or MacRoman "‚Ä" and Windows-1251 "вЂ" mojibake); ftfy's badness heuristic then judges each
# distinct candidate, so accented names ("João", "café’s") are not taken for mojibake.
_CONTINUATION = "\u0080-\u00bf€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ"
_MOJIBAKE_HINT = f"[Â-ô][{_CONTINUATION}]|‚Ä|вЂ|√[±∂†≠®™´≤≥¥µø]"


class Mojibake(Params):
    fields: tuple[TextField, ...] = Field(
        ("headline", "title", "caption", "body", "byline"),
        min_length=1,
        description="text fields to read",
    )


@text_cache(maxsize=4096)
def _looks_bad(text: str) -> bool:
    return bool(is_bad(text))


def mojibake_free(batch: pd.DataFrame, fields: Iterable[str]) -> pd.Series:
    names = list(fields)
    bad = field_hits(batch, names, _MOJIBAKE_HINT)
    for i, name in enumerate(names):
        if bad[i].any():
            # ftfy judges each distinct candidate once (_looks_bad's cache), in any field.
            texts = arrow_text(batch[name]).filter(pa.array(bad[i])).to_pylist()
            bad[i, np.flatnonzero(bad[i])] = [_looks_bad(t) for t in texts]
    return pd.Series(~bad.any(axis=0), index=batch.index)


def _body_no_mojibake(batch: pd.DataFrame, p: Mojibake) -> pd.Series:
    return mojibake_free(batch, p.fields)


_SPACE = re.compile(f"[{SPACE_CLASS}]")
_WORD_START = re.compile(f"[^{SPACE_CLASS}]*")


def word_around(text: str, start: int, end: int) -> tuple[int, int]:
    """[start, end) widened to the whole word (or words) it falls in, by at most WORD_REACH
    characters on either side: the message quotes the word, and a pasted image is one word."""
    lo, hi = window(text, start, end)
    # The nearest space before ``start``, as the first one in the reversed piece.
    space = _SPACE.search(text[lo:start][::-1])
    after = _WORD_START.match(text, end, hi)
    return (start - space.start() if space else lo), (after.end() if after else end)


def _explain_mojibake(row: Row, p: Mojibake) -> Why:
    for name in p.fields:
        text = row.get(name)
        if not isinstance(text, str) or not _looks_bad(text):
            continue
        m = BADNESS_RE.search(text)
        if m is None:
            continue
        # The whole word around the bad sequence, and what ftfy makes of it.
        start, end = word_around(text, m.start(), m.end())
        word = text[start:end]
        fixed = ftfy.fix_text(word)
        reading = f" (ftfy reads '{word}' as '{fixed}')" if fixed != word else ""
        return why_at(
            f"mojibake '{visible(m.group())}' in the {FIELD_NAMES[name]}: UTF-8 text was decoded "
            f"as Windows-1252 or Latin-1{reading}",
            text,
            start,
            end,
        )
    return Why("mojibake in the text (ftfy's badness heuristic)")


def _mojibake_column(batch: pd.DataFrame, p: Mojibake) -> dict[str, pd.Series]:
    """True where ftfy's badness heuristic (ftfy.badness.is_bad) finds no mojibake in any of the
    named fields."""
    return {"text_mojibake_free": mojibake_free(batch, p.fields)}


def _garble(article: Article, p: Mojibake) -> Article:
    field = next((f for f in ("body", "caption", "title") if f in p.fields), p.fields[0])
    if field == "body" and article.paragraphs:
        return _with_paragraph(article, 0, _mojibake_of(article.paragraphs[0]))
    value = getattr(article, field) or "Officials said it’s too early to tell."
    return with_text(article, field, _mojibake_of(value))


def _mojibake_of(text: str) -> str:
    """``text`` as a reader that took its UTF-8 for Windows-1252 shows it, with at least one
    curly apostrophe to garble."""
    if not any(ord(ch) > 127 for ch in text):
        text = f"It’s official: {text}"
    return text.encode("utf-8").decode("cp1252", errors="replace").replace("\ufffd", "?")


body_no_mojibake = Expectation(
    name="body_no_mojibake",
    family="body",
    description="No mojibake ('â€™' for '’') in the text, by ftfy's badness heuristic.",
    field="body",
    params=Mojibake,
    check=_body_no_mojibake,
    explain=_explain_mojibake,
    fix="Decode the page with the charset it declares (UTF-8 for nearly every site); to repair "
    "text already garbled, ftfy.fix_text restores it.",
    breaker=_garble,
    gx=gx_all_true("text_mojibake_free", _mojibake_column),
)


# --- body_no_replacement_or_control_chars -----------------------------------------------------

# C0 controls but tab and newline, DEL, C1 controls, and U+FFFD (bytes lost in decoding).
_CONTROL = "[\\x00-\\x08\\x0b-\\x1f\\x7f-\\x9f\ufffd]"
_CONTROL_RE = re.compile(_CONTROL)
_CONTROL_NAMES = {
    0x00: "NUL",
    0x07: "BEL",
    0x08: "BACKSPACE",
    0x0B: "VERTICAL TAB",
    0x0C: "FORM FEED",
    0x0D: "CARRIAGE RETURN",
    0x1B: "ESCAPE",
    0x7F: "DELETE",
    0x85: "NEXT LINE",
}


class Controls(Params):
    fields: tuple[TextField, ...] = Field(ALL_TEXT, min_length=1, description="text fields to read")


def _no_controls(batch: pd.DataFrame, p: Controls) -> pd.Series:
    return ~any_match(batch, p.fields, _CONTROL)


def _explain_controls(row: Row, p: Controls) -> Why:
    hit = first_match(row, p.fields, _CONTROL_RE)
    if hit is None:
        return Why("a control or replacement character in the text")
    name, text, m = hit
    code = ord(m.group())
    where = FIELD_NAMES[name]
    if code == 0xFFFD:
        message = (
            f"the replacement character U+FFFD (�) in the {where}: bytes were lost when the "
            "text was decoded with the wrong encoding; decode the source again"
        )
    else:
        label = _CONTROL_NAMES.get(code, "a C1 control" if code >= 0x80 else "a C0 control")
        # C1 controls mostly come from UTF-8 decoded as Latin-1 ("â\x80\x99" for "’").
        cause = "; with 'â' or 'Ã' before it, it is mojibake" if 0x80 <= code <= 0x9F else ""
        message = (
            f"the control character U+{code:04X} ({label}) in the {where}: it is invisible in "
            f"print and breaks downstream tools; strip it in the scraper{cause}"
        )
    return why_at(message, text, m.start(), m.end())


def _controls_column(batch: pd.DataFrame, p: Controls) -> dict[str, pd.Series]:
    """True where none of the named fields holds U+FFFD or a control character other than tab
    and newline (C0, DEL, C1)."""
    return {"text_control_free": _no_controls(batch, p)}


def _insert_control(article: Article, p: Controls) -> Article:
    if "body" in p.fields and article.paragraphs:
        first = article.paragraphs[0]
        cut = first.find(" ", len(first) // 2)
        cut = cut if cut > 0 else len(first)
        return _with_paragraph(article, 0, f"{first[:cut]}\x07{first[cut:]}")
    field = p.fields[0]
    return with_text(article, field, f"{getattr(article, field) or ''}\ufffd")


body_no_replacement_or_control_chars = Expectation(
    name="body_no_replacement_or_control_chars",
    family="body",
    description="No U+FFFD replacement character and no control character other than tab and "
    "newline, in any text field.",
    field="body",
    params=Controls,
    check=_no_controls,
    explain=_explain_controls,
    fix="Decode the source with its real encoding (U+FFFD marks bytes that were lost) and strip "
    "control characters when extracting the text.",
    breaker=_insert_control,
    gx=gx_all_true("text_control_free", _controls_column),
)


# --- body_no_boilerplate ----------------------------------------------------------------------

# Site furniture that scrapers save with the article: subscription and paywall prompts, cookie
# banners, JavaScript notices, sharing and copyright lines, in English and in the languages of
# the sites most often scraped beside it. Whole phrases, so that an article about subscriptions
# or cookies is not taken for one; and a phrase counts only where a notice stands (see
# notices()), not inside an ordinary sentence in the middle of a story.
DEFAULT_BOILERPLATE: tuple[str, ...] = (
    "subscribe to our newsletter",
    "sign up for our newsletter",
    "subscribe to continue reading",
    "subscribe to read",
    "subscribe now",
    "log in to continue reading",
    "sign in to continue reading",
    "to read the full article",
    "already a subscriber",
    "subscribers only",
    "this article is for subscribers",
    "sign in to continue",
    "log in to continue",
    "sign up to continue",
    "register to continue",
    "create a free account",
    "enable javascript",
    "javascript is disabled",
    "javascript is required",
    "javascript is not enabled",
    "javascript must be enabled",
    "turn on javascript",
    "your browser does not support",
    "accept all cookies",
    "we use cookies",
    "this site uses cookies",
    "this website uses cookies",
    "manage cookie settings",
    "manage cookies",
    "by continuing to browse",
    "by continuing to use this site",
    "all rights reserved",
    "share this article",
    "click here to",
    # German
    "jetzt abonnieren",
    "alle rechte vorbehalten",
    "wir verwenden cookies",
    "dieser artikel ist nur für abonnenten",
    "bitte aktivieren sie javascript",
    # French
    "abonnez-vous",
    "réservé aux abonnés",
    "déjà abonné",
    "tous droits réservés",
    "nous utilisons des cookies",
    # Spanish
    "suscríbete",
    "ya eres suscriptor",
    "exclusivo para suscriptores",
    "todos los derechos reservados",
    "utilizamos cookies",
    # Czech
    "všechna práva vyhrazena",
    "předplaťte si",
    "pouze pro předplatitele",
    "používáme cookies",
    # Japanese, Chinese, Korean
    "無断転載を禁じます",
    "無断転載禁止",
    "有料会員限定",
    "版权所有",
    "未经授权不得转载",
    "무단전재 및 재배포 금지",
    "무단 전재 및 재배포 금지",
)
# A notice is short: the part of its paragraph that stands around the phrase.
NOTICE_CHARS = 150


class Boilerplate(Params):
    phrases: tuple[str, ...] = Field(
        DEFAULT_BOILERPLATE,
        description="phrases that mark boilerplate (case and white space aside); replaces the "
        "default list",
    )
    extra_phrases: tuple[str, ...] = Field((), description="phrases added to the list")
    fields: tuple[TextField, ...] = Field(
        ("caption", "body"), min_length=1, description="text fields to read"
    )

    @field_validator("phrases", "extra_phrases")
    @classmethod
    def _words(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        if any(not phrase.strip() for phrase in value):
            raise ValueError("a phrase must hold at least one word")
        return value


# The letters a phrase may not run into (ASCII and Latin letters as themselves, which both RE2
# and Python's re read); other scripts write phrases without spaces around them.
_LETTER = "A-Za-z0-9À-ÖØ-öø-ɏ"
_OPENING = '[¿¡"“„«‹(\\[]?'
_SENTENCE_END = '.!?:…。！？」”"»)\\]'
_COPYRIGHT = "(?:©|ⓒ|\\(c\\)|copyright|저작권자)[^\n]{0,80}"


@lru_cache(maxsize=64)
def phrase_pattern(phrases: tuple[str, ...]) -> str:
    """The phrases as one case-insensitive alternation, any white space (no-break spaces too)
    between their words."""
    words = (SPACE_RUN.join(re.escape(w) for w in phrase.split()) for phrase in phrases)
    return f"(?i:{'|'.join(words)})"


@dataclasses.dataclass(frozen=True)
class NoticeShapes:
    """The RE2 patterns of a notice, each read over one paragraph (short ones only, bar the
    last): see notices()."""

    anywhere: str  # the phrase as whole words
    opening: str  # a paragraph that opens with it
    closing: str  # a sentence that opens with it, in the last paragraph's tail


@lru_cache(maxsize=64)
def notice_shapes(phrases: tuple[str, ...]) -> NoticeShapes:
    phrase = phrase_pattern(phrases)
    after = f"(?:[^{_LETTER}]|$)"
    return NoticeShapes(
        anywhere=f"(?:^|[^{_LETTER}]){phrase}{after}",
        opening=f"(?i)^{_OPENING}(?:{_COPYRIGHT})?{phrase}{after}",
        closing=f"[{_SENTENCE_END}][{SPACE_CLASS}]*{_OPENING}{phrase}{after}",
    )


def notices(values: pd.Series | pa.Array, phrases: tuple[str, ...]) -> pd.DataFrame:
    """The paragraphs of each text that are notices, judged by place and shape: a short
    paragraph (at most NOTICE_CHARS * 2 characters) that opens with a phrase, anywhere; a
    short first or last paragraph holding a phrase; a phrase opening a sentence in the last
    NOTICE_CHARS characters of the text. One row per notice: ``row`` (the text's position),
    ``paragraph`` (its number from 0) and ``tail`` (True where only the text's tail made it
    one). Split and matched in pyarrow; each pattern reads one paragraph at a time, so RE2
    needs no window over a whole text."""
    shapes = notice_shapes(phrases)
    split = pc.split_pattern(arrow_text(values), "\n\n")
    flat = pc.list_flatten(split)
    parent = np.asarray(pc.list_parent_indices(split))
    sizes = np.asarray(pc.list_value_length(split).fill_null(0))
    starts = np.repeat(np.cumsum(sizes) - sizes, sizes)
    number = np.arange(len(parent)) - starts[: len(parent)] if len(parent) else parent
    last = number == sizes[parent] - 1 if len(parent) else parent.astype(bool)
    short = np.asarray(pc.utf8_length(flat).fill_null(0)) <= 2 * NOTICE_CHARS

    def hit(text: pa.Array, pattern: str) -> np.ndarray:
        return np.asarray(pc.match_substring_regex(text, pattern).fill_null(False))

    anywhere = hit(flat, shapes.anywhere)
    opening = anywhere & hit(flat, shapes.opening)
    tail = pc.utf8_slice_codeunits(pc.utf8_rtrim_whitespace(flat), -NOTICE_CHARS)
    closing = last & hit(tail, shapes.closing)
    placed = (short & (opening | (anywhere & ((number == 0) | last)))) | closing
    return pd.DataFrame(
        {
            "row": parent[placed],
            "paragraph": number[placed],
            "tail": (closing & ~(short & anywhere))[placed],
        }
    )


def _no_boilerplate(batch: pd.DataFrame, p: Boilerplate) -> pd.Series:
    # The phrases alone first (one cheap pass over each column); the paragraphs of the few
    # texts that hold a phrase are then judged by place and shape.
    phrases = (*p.phrases, *p.extra_phrases)
    bad = pd.Series(False, index=batch.index)
    if not phrases:
        return ~bad  # an empty list turns the check off
    for name in p.fields:
        hint = any_match(batch, [name], phrase_pattern(phrases))
        if hint.any():
            found = notices(batch[name][hint], phrases)["row"].unique()
            bad.loc[batch.index[np.flatnonzero(hint.to_numpy())[found]]] = True
    return ~bad


def _explain_boilerplate(rows: pd.DataFrame, p: Boilerplate) -> list[Why]:
    phrases = (*p.phrases, *p.extra_phrases)
    phrase = re.compile(phrase_pattern(phrases))

    def explain(name: str, values: pa.Array) -> list[Why | None]:
        texts = values.to_pylist()
        out: list[Why | None] = [None] * len(texts)
        for row, number, tail in (
            notices(values, phrases).drop_duplicates("row").itertuples(index=False)
        ):
            text = texts[row]
            paragraphs = text.split("\n\n")
            at = sum(len(x) + 2 for x in paragraphs[:number])
            end = at + len(paragraphs[number].rstrip())
            m = phrase.search(text, max(at, end - NOTICE_CHARS) if tail else at)
            if m is not None:
                out[row] = why_at(
                    f"site boilerplate in the {FIELD_NAMES[name]} ('{m.group()}'): a "
                    "subscription, cookie, copyright or script notice was saved as article text",
                    text,
                    m.start(),
                    m.end(),
                )
        return out

    fields = p.fields if phrases else ()
    return by_first_field(rows, fields, explain, Why("site boilerplate in the text"))


def by_first_field(
    rows: pd.DataFrame,
    fields: Iterable[str],
    explain: Callable[[str, pa.Array], list[Why | None]],
    otherwise: Why,
) -> list[Why]:
    """Each row's Why from the first of ``fields`` that explains it: ``explain(name, texts)``
    answers for the texts of one field (a Why or None each) of the rows still unexplained;
    ``otherwise`` for a row no field explains."""
    out: list[Why | None] = [None] * len(rows)
    for name in fields:
        todo = [i for i, why in enumerate(out) if why is None]
        if name not in rows or not todo:
            continue
        for i, why in zip(todo, explain(name, arrow_text(rows[name].iloc[todo])), strict=True):
            out[i] = why
    return [why or otherwise for why in out]


def _boilerplate_column(batch: pd.DataFrame, p: Boilerplate) -> dict[str, pd.Series]:
    """True where none of the named fields holds one of the boilerplate phrases (whole words,
    any case, any white space between the words) where a notice stands: opening a short
    paragraph of its own, anywhere in a short first or last paragraph, or opening the sentence
    that ends the text."""
    return {"text_boilerplate_free": _no_boilerplate(batch, p)}


def _add_paywall(article: Article, p: Boilerplate) -> Article:
    phrase = (*p.phrases, *p.extra_phrases)[0] if (p.phrases or p.extra_phrases) else ""
    notice = f"{phrase[:1].upper()}{phrase[1:]}." if phrase else "Subscribe now."
    return dataclasses.replace(article, paragraphs=[*article.paragraphs, notice])


body_no_boilerplate = Expectation(
    name="body_no_boilerplate",
    family="body",
    description="No site boilerplate (subscription, paywall, cookie, copyright or JavaScript "
    "notices, in English, German, French, Spanish, Czech, Japanese, Chinese and Korean) in the "
    "body and caption, judged by place and shape: a short paragraph of its own, a short first "
    "or last paragraph, or a sentence ending the text; the phrase list is a parameter.",
    field="body",
    params=Boilerplate,
    check=_no_boilerplate,
    explain=one_row(_explain_boilerplate),
    explain_rows=_explain_boilerplate,
    fix="Extract only the article's text container; drop paywall, cookie and newsletter "
    "blocks, or fetch the page with the session that shows the full article.",
    breaker=_add_paywall,
    severity="warning",
    gx=gx_all_true("text_boilerplate_free", _boilerplate_column),
)

# --- body_no_repeated_paragraph --------------------------------------------------------------


class Repeats(Params):
    # "Advertisement", "—", "(AP)", a lone "Photo" line: short pieces that pages repeat.
    min_chars: int = Field(
        30,
        ge=1,
        description="paragraphs shorter than this (white space folded) are not compared",
    )


def _paragraph_table(body: pd.Series, min_chars: int) -> pd.DataFrame:
    """Every body paragraph of at least min_chars characters as a row (its article's position
    in the batch, its text with white space folded), split and folded in pyarrow."""
    text = pa.array(body, type=pa.string(), from_pandas=True)
    paragraphs = pc.split_pattern(text, "\n\n")
    flat = pc.list_flatten(paragraphs)
    folded = fold_space(flat)
    keep = pc.greater_equal(pc.utf8_length(folded), min_chars)
    return pd.DataFrame(
        {
            "row": pc.filter(pc.list_parent_indices(paragraphs), keep).to_numpy(),
            "text": pd.Series(pc.filter(folded, keep), dtype="string[pyarrow]"),
        }
    )


def _no_repeats(batch: pd.DataFrame, p: Repeats) -> pd.Series:
    ok = np.ones(len(batch), dtype=bool)
    body = batch["body"]
    # A run of bodies at a time: the paragraphs, their words and their Python strings take
    # some ten times the text. A paragraph is compared within its own body only.
    for run in text_runs(body):
        table = _paragraph_table(body.iloc[run], p.min_chars)
        repeated = table["row"][table.duplicated(["row", "text"])].unique()
        ok[np.asarray(repeated, dtype=np.int64) + run.start] = False
    return pd.Series(ok, index=batch.index)


def _explain_repeats(row: Row, p: Repeats) -> Why:
    body = str(row["body"])
    seen: dict[str, int] = {}
    at = 0
    for number, paragraph in enumerate(body.split("\n\n"), start=1):
        key = " ".join(paragraph.split())
        if len(key) >= p.min_chars:
            if key in seen:
                return why_at(
                    f"paragraph {number} of the body repeats paragraph {seen[key]} word for "
                    "word: the scraper read the same block twice",
                    body,
                    at,
                    at + len(paragraph),
                )
            seen[key] = number
        at += len(paragraph) + 2
    return Why("a paragraph of the body stands twice")


def _repeats_column(batch: pd.DataFrame, p: Repeats) -> dict[str, pd.Series]:
    """True where no body paragraph of at least min_chars characters (white space folded)
    stands twice in the same body."""
    return {"body_paragraphs_distinct": _no_repeats(batch, p)}


def _repeat_paragraph(article: Article, p: Repeats) -> Article:
    paragraphs = list(article.paragraphs)
    longest = max(paragraphs, key=len, default="")
    if len(" ".join(longest.split())) < p.min_chars:
        sentence = "The ministry said the measures would take effect at the start of next month."
        longest = " ".join([sentence] * (p.min_chars // len(sentence) + 1))
        paragraphs.append(longest)
    at = paragraphs.index(longest)
    # The copy right after the original, as a scraper that read the block twice leaves it.
    paragraphs.insert(at + 1, longest)
    return dataclasses.replace(article, paragraphs=paragraphs)


body_no_repeated_paragraph = Expectation(
    name="body_no_repeated_paragraph",
    family="body",
    description="No paragraph stands twice in the body (white space aside; paragraphs under "
    "min_chars characters, such as 'Advertisement' or '—', are not compared). Any script: the "
    "paragraphs are compared as text.",
    field="body",
    params=Repeats,
    check=_no_repeats,
    explain=_explain_repeats,
    fix="Fix the scraper's text extraction: a paragraph read twice comes from a page that "
    "repeats a block (a pull quote, a lazy-loaded copy, a print view) or a selector that "
    "matches nested elements.",
    breaker=_repeat_paragraph,
    severity="warning",
    gx=gx_all_true("body_paragraphs_distinct", _repeats_column),
    scope=has_body,
)


# --- body_not_headline_or_caption -------------------------------------------------------------

# Texts compared by their letters and digits alone, lower-cased: "Title." and "TITLE" are one,
# in any script.
_NOT_LETTER = "[^\\pL\\pN]+"
_CAPTION_CREDIT = f"\\[[^\\[\\]]*\\][{SPACE_CLASS}]*$"
_STAND_INS: tuple[tuple[str, str], ...] = (
    ("headline", "the headline"),
    ("title", "the title line"),
    ("caption", "the photo caption"),
    ("caption_text", "the photo caption"),
)


def arrow_text(values: pd.Series | pa.Array) -> pa.Array:
    """A text column as an Arrow string array (missing values as nulls)."""
    if isinstance(values, pa.Array):
        return values
    return pa.array(values, type=pa.string(), from_pandas=True)


def large_text(text: pa.Array | pa.ChunkedArray) -> pa.Array:
    """One array with 64-bit offsets, to be joined to others: several columns of a batch
    together may pass the 2 GiB of a string array."""
    large = text.cast(pa.large_string())  # before joining chunks: they may pass 2 GiB too
    return large.combine_chunks() if isinstance(large, pa.ChunkedArray) else large


def _letters(values: pd.Series | pa.Array) -> pa.Array:
    return pc.utf8_lower(pc.replace_substring_regex(arrow_text(values), _NOT_LETTER, ""))


def _stand_in(batch: pd.DataFrame) -> pd.Series:
    """Which text the body only repeats, by its key in _STAND_INS; missing where none."""
    caption = arrow_text(batch["caption"])
    texts = [
        arrow_text(batch["body"]),
        arrow_text(batch["headline"]),
        arrow_text(batch["title"]),
        caption,
        pc.replace_substring_regex(caption, _CAPTION_CREDIT, ""),
    ]
    # One call for the five columns: RE2 compiles the pattern (Unicode classes, costly) at
    # each call, which for a small batch costs more than the folding itself.
    letters = _letters(pa.concat_arrays([large_text(t) for t in texts]))
    n = len(batch)
    body, headline, title, whole, text = (letters.slice(i * n, n) for i in range(5))
    others = {"headline": headline, "title": title, "caption": whole, "caption_text": text}
    found = np.full(len(batch), None, dtype=object)
    present = pc.greater(pc.utf8_length(body), 0)
    for key, _ in reversed(_STAND_INS):
        same = pc.and_kleene(pc.equal(body, others[key]), present).fill_null(False)
        found[same.to_numpy(zero_copy_only=False)] = key
    return pd.Series(found, index=batch.index, dtype="string[pyarrow]")


def _not_stand_in(batch: pd.DataFrame, p: NoParams) -> pd.Series:
    # Only a body about as short as the headline, title or caption can be one of them again:
    # the letters are folded for those alone (a body that is more than twice as long as all of
    # them, punctuation and spaces included, cannot have the same letters).
    length = batch["body"].str.len().fillna(0)
    longest = pd.concat(
        [batch[k].str.len().fillna(0) for k in ("headline", "title", "caption")], axis=1
    ).max(axis=1)
    maybe = as_mask(length <= 2 * longest + 20)
    ok = pd.Series(True, index=batch.index)
    if maybe.any():
        ok[maybe] = as_mask(_stand_in(batch[maybe]).isna())
    return ok


def _explain_stand_in(rows: pd.DataFrame, p: NoParams) -> list[Why]:
    names = dict(_STAND_INS)
    return [
        Why(
            f"the body is only {names.get(str(key), 'the headline or caption')} again: the "
            "scraper saved the page's title or photo block, not the article's text",
            str(body),
        )
        for key, body in zip(
            _stand_in(rows).tolist(), arrow_text(rows["body"]).to_pylist(), strict=True
        )
    ]


def _stand_in_column(batch: pd.DataFrame, p: NoParams) -> dict[str, pd.Series]:
    """True where the body, compared by its letters and digits alone in lower case, is not the
    headline, the title line or the caption (with or without its bracketed credit)."""
    return {"body_not_stand_in": _not_stand_in(batch, p)}


def _body_as_caption(article: Article, p: NoParams) -> Article:
    # The body's text is made the caption too, so that the body is long and whole (no other
    # body check fails) and is only the caption again.
    text = " ".join(article.paragraphs)
    if article.published is not None and text:
        return dataclasses.replace(article, caption=f"{text} [YONHAP]")
    headline = article.headline or article.title or "Officials said the talks would resume."
    return dataclasses.replace(article, paragraphs=[headline])


body_not_headline_or_caption = Expectation(
    name="body_not_headline_or_caption",
    family="body",
    description="The body is not only the headline, the title line or the photo caption again "
    "(compared by letters and digits, case aside, in any script).",
    field="body",
    params=NoParams,
    check=_not_stand_in,
    explain=one_row(_explain_stand_in),
    explain_rows=_explain_stand_in,
    fix="Re-fetch the page: a body that repeats the headline or caption means the scraper "
    "missed the article's text container and saved the title or photo block instead.",
    breaker=_body_as_caption,
    gx=gx_all_true("body_not_stand_in", _stand_in_column),
    scope=has_body,
)

EXPECTATIONS: list[AnyExpectation] = [
    body_not_empty,
    body_min_words,
    body_ends_with_punctuation,
    body_no_html,
    body_no_mojibake,
    body_no_replacement_or_control_chars,
    body_no_boilerplate,
    body_no_repeated_paragraph,
    body_not_headline_or_caption,
]
