"""The headline: the header's headline and the page's title line."""

from __future__ import annotations

import dataclasses
from typing import Literal

import pandas as pd
from pydantic import Field, model_validator

from toolkit.article import Article
from toolkit.expectations.base import (
    AnyExpectation,
    Expectation,
    GxForm,
    NoParams,
    Params,
    Row,
    Why,
    gx_all_true,
    gx_objects,
    one_row,
)
from toolkit.expectations.body import arrow_text, explain_html, html_free
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
    if not str(row["headline"]).strip():
        return Why("the header line has no headline to compare with the title line", "")
    if row["title"] is None:
        return Why("no title line under the header: the headline is not repeated in the body", "")
    return Why(
        "the title line differs from the header headline: the scraper may have mixed two pages",
        f"{row['headline']} ≠ {row['title']}",
    )


def _compared(batch: pd.DataFrame, p: NoParams) -> dict[str, pd.Series]:
    """The header headline and the title line with white space folded (no-break spaces too)
    and curly quotes straightened; None where missing, which never equals anything."""
    return {
        "headline_compared": gx_objects(comparable(batch["headline"])),
        "title_compared": gx_objects(comparable(batch["title"])),
    }


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
    # "neither": a row where both are missing is compared too, and fails, as in the toolkit.
    gx=GxForm(
        "expect_column_pair_values_to_be_equal",
        lambda p: {
            "column_A": "headline_compared",
            "column_B": "title_compared",
            "ignore_row_if": "neither",
        },
        _compared,
    ),
)


# --- headline_not_empty -----------------------------------------------------------------------


def headline_lengths(batch: pd.DataFrame) -> pd.Series:
    """Characters of the headline with white space folded; 0 when missing."""
    return normalise_space(batch["headline"].astype("string[pyarrow]")).str.len().fillna(0)


def has_headline(batch: pd.DataFrame, p: object) -> pd.Series:
    """The articles with a headline (headline_not_empty reports the others, once)."""
    return as_mask(headline_lengths(batch) > 0)


def _headline_not_empty(batch: pd.DataFrame, p: NoParams) -> pd.Series:
    return has_headline(batch, p)


def _explain_not_empty(row: Row, p: NoParams) -> Why:
    if row["headline"] is None:
        return Why("no header line (' date YYYY-MM-DD  Headline'), so no headline", "")
    return Why("the header line has a date but no headline after it", f" date {row['date']}")


def _headline_present_column(batch: pd.DataFrame, p: NoParams) -> dict[str, pd.Series]:
    """True where the header line holds a headline (white space aside)."""
    return {"headline_present": _headline_not_empty(batch, p)}


def _blank_headline(article: Article, p: NoParams) -> Article:
    return dataclasses.replace(article, headline="", title=None)


headline_not_empty = Expectation(
    name="headline_not_empty",
    family="headline",
    description="The header line holds a headline after the date.",
    field="headline",
    params=NoParams,
    check=_headline_not_empty,
    explain=_explain_not_empty,
    fix="Make the scraper write the page's headline into the header line.",
    breaker=_blank_headline,
    gx=gx_all_true("headline_present", _headline_present_column),
)


# --- headline_length --------------------------------------------------------------------------


class HeadlineLength(Params):
    min_length: int = Field(10, ge=1, description="fewest characters")
    max_length: int = Field(200, ge=1, description="most characters")

    @model_validator(mode="after")
    def _bounds(self) -> HeadlineLength:
        if self.min_length > self.max_length:
            raise ValueError("min_length is greater than max_length")
        return self


# Han, kana and Hangul carry about two Latin letters' worth a character: "東京で地震" is a
# whole headline. Their characters count twice toward the minimum, as in body_min_words.
_DENSE = r"[\p{Han}\p{Hiragana}\p{Katakana}\p{Hangul}]"


def _dense_chars(headline: pd.Series) -> pd.Series:
    return headline.astype("string[pyarrow]").str.count(_DENSE).fillna(0)


def _headline_length(batch: pd.DataFrame, p: HeadlineLength) -> pd.Series:
    n = headline_lengths(batch)
    weighted = n + _dense_chars(batch["headline"])
    # An empty headline is headline_not_empty's finding, not this one's.
    return as_mask((n == 0) | ((weighted >= p.min_length) & (n <= p.max_length)))


def _explain_length(rows: pd.DataFrame, p: HeadlineLength) -> list[Why]:
    headlines = pd.Series(
        [" ".join(str(h).split()) for h in arrow_text(rows["headline"]).to_pylist()],
        dtype="string[pyarrow]",
    )
    out = []
    for headline, dense in zip(headlines.tolist(), _dense_chars(headlines).tolist(), strict=True):
        n = len(headline)
        if n + int(dense) < p.min_length:
            out.append(
                Why(
                    f"the headline has {n} characters, fewer than {p.min_length}: the scraper "
                    "may have taken a section label or a fragment for it",
                    headline,
                )
            )
        else:
            out.append(
                Why(
                    f"the headline has {n} characters, more than {p.max_length}: the scraper "
                    "may have taken a paragraph or the page's whole title block for it",
                    headline,
                )
            )
    return out


def _folded_headline(batch: pd.DataFrame, p: HeadlineLength) -> dict[str, pd.Series]:
    """The headline with white space folded; None when missing or empty."""
    folded = normalise_space(batch["headline"].astype("string[pyarrow]"))
    return {"headline_folded": gx_objects(folded.where(folded.str.len() > 0))}


def _lengthen_headline(article: Article, p: HeadlineLength) -> Article:
    # The headline runs on into the body, as when a scraper takes the page's title block.
    base = article.headline or "Officials announce new measures"
    filler = " ".join(" ".join(article.paragraphs).split()) or base
    headline = f"{base}: {filler}"
    while len(headline) <= p.max_length:
        headline = f"{headline} {filler}"
    headline = headline[: p.max_length + 20].rstrip()
    return dataclasses.replace(article, headline=headline, title=headline)


headline_length = Expectation(
    name="headline_length",
    family="headline",
    description="The headline's length is within bounds (default 10 to 200 characters).",
    field="headline",
    params=HeadlineLength,
    check=_headline_length,
    explain=one_row(_explain_length),
    explain_rows=_explain_length,
    fix="Take the headline from the page's headline element, not from a label or the body.",
    breaker=_lengthen_headline,
    severity="warning",
    gx=GxForm(
        "expect_column_value_lengths_to_be_between",
        lambda p: {
            "column": "headline_folded",
            "min_value": p.min_length,
            "max_value": p.max_length,
        },
        _folded_headline,
    ),
    scope=has_headline,
)


# --- headline_no_html -------------------------------------------------------------------------


class HeadlineText(Params):
    fields: tuple[Literal["headline", "title"], ...] = Field(
        ("headline", "title"), min_length=1, description="the header headline, the title line"
    )


def _headline_no_html(batch: pd.DataFrame, p: HeadlineText) -> pd.Series:
    return html_free(batch, p.fields)


def _explain_html(row: Row, p: HeadlineText) -> Why:
    return explain_html(row, p.fields)


def _headline_html_free(batch: pd.DataFrame, p: HeadlineText) -> dict[str, pd.Series]:
    """True where neither the header headline nor the title line holds an HTML tag or
    entity."""
    return {"headline_html_free": html_free(batch, p.fields)}


def _bold_headline(article: Article, p: HeadlineText) -> Article:
    first, _, rest = (article.headline or "Officials announce new measures").partition(" ")
    headline = f"<b>{first}</b> {rest}".rstrip()
    return dataclasses.replace(article, headline=headline, title=headline)


headline_no_html = Expectation(
    name="headline_no_html",
    family="headline",
    description="No HTML tags or entities in the header headline or the title line.",
    field="headline",
    params=HeadlineText,
    check=_headline_no_html,
    explain=_explain_html,
    fix="Take the headline's text, not its markup: strip tags and unescape HTML entities.",
    breaker=_bold_headline,
    gx=gx_all_true("headline_html_free", _headline_html_free),
)

EXPECTATIONS: list[AnyExpectation] = [
    headline_in_body,
    headline_not_empty,
    headline_length,
    headline_no_html,
]
