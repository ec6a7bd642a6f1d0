"""Tags: the last line of an article, ``tags`` followed by the tags."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from pydantic import Field, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

from toolkit.article import Article
from toolkit.configfile import VOCABULARY_BYTES, read_config
from toolkit.expectations.base import (
    AnyExpectation,
    Expectation,
    GxForm,
    NoParams,
    Params,
    Row,
    Why,
    gx_all_true,
)
from toolkit.text import SPACE_CLASS, as_mask, excerpt_at


def _tags_non_empty(batch: pd.DataFrame, p: NoParams) -> pd.Series:
    return as_mask(batch["tags"].list.len() > 0)


def _explain_non_empty(row: Row, p: NoParams) -> Why:
    if row["tags_raw"] is None:
        return Why("no 'tags' line at the end of the article: it may be truncated", "")
    return Why("the 'tags' line holds no tag", "tags")


def _tag_count(batch: pd.DataFrame, p: NoParams) -> dict[str, pd.Series]:
    """The number of tags on the 'tags' line; 0 when the line is empty or missing."""
    return {"tag_count": batch["tags"].list.len().fillna(0).astype("int64")}


def _empty_tags(article: Article, p: NoParams) -> Article:
    return dataclasses.replace(article, tags_raw="", tags=[])


tags_non_empty = Expectation(
    name="tags_non_empty",
    family="tags",
    description="The article ends with a 'tags' line that holds at least one tag.",
    field="tags",
    params=NoParams,
    check=_tags_non_empty,
    explain=_explain_non_empty,
    fix="Make the scraper keep the page's tags (keywords) line.",
    breaker=_empty_tags,
    gx=GxForm(
        "expect_column_values_to_be_between",
        lambda p: {"column": "tag_count", "min_value": 1},
        _tag_count,
    ),
)


# --- shared: tags as words --------------------------------------------------------------------

_WORD = re.compile(f"[^{SPACE_CLASS}]+")


def _word_spans(raw: str) -> list[tuple[int, int]]:
    return [m.span() for m in _WORD.finditer(raw)]


def _by_distinct_line(batch: pd.DataFrame, judge: Callable[[str], int | None]) -> pd.Series:
    """``judge`` (tags line -> index of the offending word, or None) applied once per distinct
    tags line; None where the line passes or is missing."""
    raw = batch["tags_raw"]
    verdict = {line: judge(line) for line in raw.dropna().unique()}
    return raw.map(verdict, na_action="ignore")


def has_tags(batch: pd.DataFrame, p: object) -> pd.Series:
    """The articles with at least one tag (tags_non_empty reports the others, once)."""
    return as_mask(batch["tags"].list.len() > 0)


# --- tags_unique ------------------------------------------------------------------------------


def tag_reading(words: list[str]) -> tuple[list[tuple[int, int]], int | None]:
    """The line's words read as tags: [start, end) word spans, and the index of the first word
    of a tag that repeats an earlier one (None when every tag differs).

    Tags are separated by single spaces and a tag may hold spaces ("Olympische Spiele 2024 in
    Paris", "Index finančního zdraví"), so repeated words are normal; a repeat counts only
    where no reading of the line as tags explains it. The reading, in one pass:

    - a tag never holds the same word twice, so two equal words belong to two tags;
    - the same two words in the same order, seen more than once on the line, stay in one tag
      ("Olympische Spiele ... Olympische Spiele", "Syria diplomacy Syria diplomacy"): the same
      words twice are the same tag, or the start or end of a longer one, not a coincidence
      of tag boundaries;
    - within that, each tag is as long as it can be: a tag ends only where the next word
      repeats one of its own, at the last place before that word where a tag may end.

    The line fails when two tags of that reading are equal ("Korea Korea", "Syria diplomacy
    Syria diplomacy", a line holding its tag list twice), or when no tag may end between two
    equal words. Comparisons are exact (case and all)."""
    pairs: dict[tuple[str, str], int] = {}
    for i in range(1, len(words)):
        pair = (words[i - 1], words[i])
        pairs[pair] = pairs.get(pair, 0) + 1

    def may_end_before(m: int) -> bool:
        return pairs[(words[m - 1], words[m])] == 1

    spans: list[tuple[int, int]] = []
    start = 0
    at: dict[str, int] = {}  # each word of the current tag and its position
    for j, word in enumerate(words):
        k = at.get(word)
        if k is not None:
            m = next((m for m in range(j, k, -1) if may_end_before(m)), None)
            if m is None:
                return spans, j
            spans.append((start, m))
            start = m
            at = {words[i]: i for i in range(m, j)}
        at[word] = j
    if words:
        spans.append((start, len(words)))
    seen: set[tuple[str, ...]] = set()
    for lo, hi in spans:
        tag = tuple(words[lo:hi])
        if tag in seen:
            return spans, lo
        seen.add(tag)
    return spans, None


def duplicate_tag(raw: str) -> int | None:
    """The index (among the line's words) of the first word of a tag that repeats an earlier
    one on the line, or None; see tag_reading."""
    return tag_reading(raw.split())[1]


def _tags_unique(batch: pd.DataFrame, p: NoParams) -> pd.Series:
    ok = _by_distinct_line(batch, duplicate_tag).isna()
    if "tags_list" not in batch or not batch["tags_list"].any():
        return as_mask(ok)
    # A feed that gives its tags as a list says where each tag ends: a repeat is exact.
    listed = batch["tags_list"].fillna(False).astype(bool).to_numpy()
    return as_mask(pd.Series(np.where(listed, ~_listed_twice(batch), ok), index=batch.index))


def _listed_twice(batch: pd.DataFrame) -> np.ndarray:
    """Rows whose tag list holds one tag twice, by grouping (row, tag) pairs in Arrow."""
    tags = pa.array(batch["tags"])
    flat = pc.list_flatten(tags)
    rows = pc.list_parent_indices(tags)
    pairs = pa.table({"row": rows, "tag": flat}).group_by(["row", "tag"])
    pairs = pairs.aggregate([("tag", "count")])
    twice = pc.filter(pairs["row"], pc.greater(pairs["tag_count"], 1))
    out = np.zeros(len(batch), dtype=bool)
    out[np.asarray(twice.to_numpy(zero_copy_only=False), dtype=np.int64)] = True
    return out


def _explain_unique(row: Row, p: NoParams) -> Why:
    if row.get("tags_list"):
        tags = list(row["tags"] or [])
        twice = next((t for i, t in enumerate(tags) if t in tags[:i]), "")
        return Why(f"the tag {twice!r} appears twice in the feed's tag list", twice)
    raw = str(row["tags_raw"])
    spans, i = tag_reading(raw.split())
    if i is None:
        return Why("a tag appears twice on the tags line", raw)
    words = _word_spans(raw)
    last = next((hi for lo, hi in spans if lo == i), None)
    if last is None:  # no tag may end between two equal words
        start, end = words[i]
        shown, span = excerpt_at(raw, start, end)
        return Why(
            f"the word {raw[start:end]!r} appears twice on the tags line where no tag may end "
            "between the two (every pair of words between them repeats on the line): the line "
            "likely holds its tag list twice",
            shown,
            (span,),
        )
    start, end = words[i][0], words[last - 1][1]
    shown, span = excerpt_at(raw, start, end)
    return Why(
        f"the tag {raw[start:end]!r} appears twice on the tags line, and no reading of the line "
        "as tags (a tag may hold spaces) explains the repeat: the scraper joined two tag lists, "
        "or the page lists the tag twice",
        shown,
        (span,),
    )


def _unique_column(batch: pd.DataFrame, p: NoParams) -> dict[str, pd.Series]:
    """True where no tag repeats on the tags line, read as tags that may hold spaces (two
    equal words in two tags, a repeated pair of words kept in one tag, each tag as long as
    it can be)."""
    return {"tags_unique": _tags_unique(batch, p)}


def _repeat_tag(article: Article, p: NoParams) -> Article:
    # The tag list twice, as when a scraper joins the page's two keyword blocks: no reading
    # of the line can explain that.
    line = " ".join((article.tags_raw or "").split()) or "news"
    return dataclasses.replace(article, tags_raw=f"{line} {line}")


tags_unique = Expectation(
    name="tags_unique",
    family="tags",
    description="No tag appears twice on the tags line (read as tags that may hold spaces: a "
    "repeated word that a multi-word tag explains passes).",
    field="tags",
    params=NoParams,
    check=_tags_unique,
    explain=_explain_unique,
    fix="Deduplicate the tags in the scraper (the page may list a keyword twice, or two tag "
    "lists were joined). Where the feed gives tags as a list, keep it: on the space-joined "
    "line only a repeat that no multi-word reading explains can be told apart.",
    breaker=_repeat_tag,
    severity="warning",
    gx=gx_all_true("tags_unique", _unique_column),
    scope=has_tags,
)


# --- tags_in_vocabulary -----------------------------------------------------------------------


@lru_cache(maxsize=32)
def load_vocabulary(path: str, case_sensitive: bool) -> frozenset[str]:
    """The tags of a vocabulary file: one a line, blank lines and '#' comments skipped."""
    # Bounded and regular files only: a suite's "vocabulary: /dev/zero" must not read forever.
    text = read_config(Path(path), VOCABULARY_BYTES)
    tags = (" ".join(line.split()) for line in text.splitlines())
    return frozenset(
        t if case_sensitive else t.casefold() for t in tags if t and not t.startswith("#")
    )


class Vocabulary(Params):
    vocabulary: Path = Field(
        description="file of allowed tags, one a line (a tag may hold spaces); relative to the "
        "working directory or to the suite file"
    )
    case_sensitive: bool = Field(False, description="compare tags with their case")

    @field_validator("vocabulary")
    @classmethod
    def _readable(cls, path: Path, info: ValidationInfo) -> Path:
        suite_dir = (info.context or {}).get("suite_dir")
        if not path.is_absolute() and not path.exists() and suite_dir:
            beside = Path(suite_dir) / path
            path = beside if beside.exists() else path
        try:
            load_vocabulary(str(path), True)
        except (OSError, UnicodeDecodeError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            raise PydanticCustomError(
                "vocabulary_file",
                "cannot read the vocabulary file {path}: {reason}",
                {"path": str(path), "reason": reason},
            ) from None
        return path

    def tags(self) -> frozenset[str]:
        return load_vocabulary(str(self.vocabulary), self.case_sensitive)


def unknown_tag(raw: str, vocabulary: frozenset[str], case_sensitive: bool) -> int | None:
    """The index of the first word that starts no tag of the vocabulary, or None. The line is
    read greedily, longest vocabulary tag first, so "North Korea" is one tag when listed."""
    words = raw.split() if case_sensitive else raw.casefold().split()
    longest = max((len(t.split()) for t in vocabulary), default=1)
    i = 0
    while i < len(words):
        for n in range(min(longest, len(words) - i), 0, -1):
            if " ".join(words[i : i + n]) in vocabulary:
                i += n
                break
        else:
            return i
    return None


def _in_vocabulary(batch: pd.DataFrame, p: Vocabulary) -> pd.Series:
    vocabulary = p.tags()
    found = _by_distinct_line(batch, lambda raw: unknown_tag(raw, vocabulary, p.case_sensitive))
    return as_mask(found.isna())


def _explain_vocabulary(row: Row, p: Vocabulary) -> Why:
    raw = str(row["tags_raw"])
    i = unknown_tag(raw, p.tags(), p.case_sensitive)
    if i is None:
        return Why("a tag is not in the vocabulary", raw)
    start, end = _word_spans(raw)[i]
    shown, span = excerpt_at(raw, start, end)
    return Why(
        f"{raw[start:end]!r} on the tags line starts no tag of the vocabulary "
        f"{p.vocabulary.name}: add it there, or map the site's keyword to a listed tag",
        shown,
        (span,),
    )


def _vocabulary_column(batch: pd.DataFrame, p: Vocabulary) -> dict[str, pd.Series]:
    """True where every tag on the tags line is in the vocabulary file (read greedily, longest
    listed tag first, since a tag may hold spaces)."""
    return {"tags_in_vocabulary": _in_vocabulary(batch, p)}


def _unlisted_tag(article: Article, p: Vocabulary) -> Article:
    tag = "unlisted-keyword"
    while (tag if p.case_sensitive else tag.casefold()) in p.tags():
        tag += "-x"
    return dataclasses.replace(article, tags_raw=f"{article.tags_raw or ''} {tag}".strip())


tags_in_vocabulary = Expectation(
    name="tags_in_vocabulary",
    family="tags",
    description="Every tag is in a controlled vocabulary (a file of tags, one a line).",
    field="tags",
    params=Vocabulary,
    check=_in_vocabulary,
    explain=_explain_vocabulary,
    fix="Map the site's keywords to the vocabulary in the pipeline, or extend the vocabulary "
    "file when the new tag is wanted.",
    breaker=_unlisted_tag,
    severity="warning",
    gx=gx_all_true("tags_in_vocabulary", _vocabulary_column),
    scope=has_tags,
)

EXPECTATIONS: list[AnyExpectation] = [tags_non_empty, tags_unique, tags_in_vocabulary]
