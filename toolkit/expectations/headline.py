"""The headline: the header's headline and the page's title line."""

from __future__ import annotations

import dataclasses

import pandas as pd

from toolkit.article import Article
from toolkit.expectations.base import AnyExpectation, Expectation, NoParams, Row, Why
from toolkit.text import as_mask, normalise_space

# Straight and curly quotes differ between a page's title and its headline tag.
_QUOTES = {"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"'}


def comparable(series: pd.Series) -> pd.Series:
    """Headlines as compared: white space folded (no-break spaces too), quotes straightened."""
    out = normalise_space(series.astype("string[pyarrow]"))
    for curly, straight in _QUOTES.items():
        out = out.str.replace(curly, straight, regex=False)
    return out


def _headline_in_body(batch: pd.DataFrame, p: NoParams) -> pd.Series:
    return as_mask(comparable(batch["headline"]) == comparable(batch["title"]))


def _explain_in_body(row: Row, p: NoParams) -> Why:
    if row["headline"] is None:
        return Why("no header line, so no headline to compare", "")
    if row["title"] is None:
        return Why("no title line under the header: the headline is not repeated in the body", "")
    return Why(
        "the title line differs from the header headline: the scraper may have mixed two pages",
        f"{row['headline']} ≠ {row['title']}",
    )


def _swap_title(article: Article, p: NoParams) -> Article:
    return dataclasses.replace(article, title="Seoul stocks close higher on chip rally")


headline_in_body = Expectation(
    name="headline_in_body",
    family="headline",
    description="The title line under the header repeats the header headline "
    "(white space and quote styles aside).",
    field="title",
    params=NoParams,
    check=_headline_in_body,
    explain=_explain_in_body,
    fix="Take the headline and the body from the same page; a differing title line usually "
    "means the scraper mixed pages.",
    breaker=_swap_title,
)

EXPECTATIONS: list[AnyExpectation] = [headline_in_body]
