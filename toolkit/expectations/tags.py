"""Tags: the last line of an article, ``tags`` followed by the tags."""

from __future__ import annotations

import dataclasses

import pandas as pd

from toolkit.article import Article
from toolkit.expectations.base import AnyExpectation, Expectation, NoParams, Row, Why
from toolkit.text import as_mask


def _tags_non_empty(batch: pd.DataFrame, p: NoParams) -> pd.Series:
    return as_mask(batch["tags"].list.len() > 0)


def _explain_non_empty(row: Row, p: NoParams) -> Why:
    if row["tags_raw"] is None:
        return Why("no 'tags' line at the end of the article: it may be truncated", "")
    return Why("the 'tags' line holds no tag", "tags")


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
)

EXPECTATIONS: list[AnyExpectation] = [tags_non_empty]
