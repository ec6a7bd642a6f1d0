"""Tags: the last line of an article, ``tags`` followed by the tags."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

import pandas as pd
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

# Words that join a proper name across spaces: "Bank of Korea", "Ministry of Trade and Energy".
_JOINERS = frozenset({"of", "and", "the", "for", "on", "de", "&"})


def duplicate_tag(raw: str) -> int | None:
    """The index (among the line's words) of the first word that repeats a tag, or None.

    Tags are separated by single spaces and a tag may hold spaces ("North Korea", "climate
    change"), so the line cannot be split for certain. A repeat counts when it cannot be read
    as part of longer tags: the same word twice in a row (unless the first ends a name, as in
    "Bank of Korea Korea economy"), the same run of two or more words twice ("North Korea ...
    North Korea"), or a word twice where neither sighting can belong to a longer tag, that is,
    has no neighbour of its own kind: a capitalised word beside another (through "of", "and":
    "Bank of Korea"), a lower-case word beside another ("climate change", "climate finance").
    So "Korea economy Korea exports" repeats "Korea", while the seed's "Korea Syria diplomacy
    ties North Korea" does not."""
    words = raw.split()
    folded = [w.casefold() for w in words]
    capital = [w[:1].isupper() for w in words]

    def neighbour(i: int, step: int) -> int | None:
        k = i + step
        if 0 <= k < len(words) and folded[k] in _JOINERS:
            k += step
        return k if 0 <= k < len(words) else None

    def ends_name(i: int) -> bool:
        k = neighbour(i, -1)
        return k is not None and capital[k]

    def in_longer_tag(i: int) -> bool:
        if capital[i]:
            return any((k := neighbour(i, step)) is not None and capital[k] for step in (-1, 1))
        return any(0 <= i + step < len(words) and not capital[i + step] for step in (-1, 1))

    for i in range(1, len(words)):
        if folded[i] == folded[i - 1] and not ends_name(i - 1):
            return i
    pairs: dict[tuple[str, str], int] = {}
    for i in range(1, len(words)):
        j = pairs.setdefault((folded[i - 1], folded[i]), i)
        if j < i - 1:
            return i
    seen: set[str] = set()
    for i, word in enumerate(folded):
        if in_longer_tag(i):
            continue
        if word in seen:
            return i
        seen.add(word)
    return None


def _tags_unique(batch: pd.DataFrame, p: NoParams) -> pd.Series:
    return as_mask(_by_distinct_line(batch, duplicate_tag).isna())


def _explain_unique(row: Row, p: NoParams) -> Why:
    raw = str(row["tags_raw"])
    i = duplicate_tag(raw)
    if i is None:
        return Why("a tag appears twice on the tags line", raw)
    start, end = _word_spans(raw)[i]
    shown, span = excerpt_at(raw, start, end)
    return Why(
        f"the tag {raw[start:end]!r} appears twice on the tags line: the scraper joined two "
        "tag lists, or the page lists the tag twice",
        shown,
        (span,),
    )


def _unique_column(batch: pd.DataFrame, p: NoParams) -> dict[str, pd.Series]:
    """True where no tag repeats on the tags line (a word twice in a row, a run of words
    twice, or a word twice outside a capitalised name such as "North Korea")."""
    return {"tags_unique": _tags_unique(batch, p)}


def _repeat_tag(article: Article, p: NoParams) -> Article:
    # The first word twice at the start: nothing before it can make it part of a name.
    words = (article.tags_raw or "").split() or ["news"]
    return dataclasses.replace(article, tags_raw=" ".join([words[0], *words]))


tags_unique = Expectation(
    name="tags_unique",
    family="tags",
    description="No tag appears twice on the tags line.",
    field="tags",
    params=NoParams,
    check=_tags_unique,
    explain=_explain_unique,
    fix="Deduplicate the tags in the scraper (the page may list a keyword twice, or two tag "
    "lists were joined).",
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
