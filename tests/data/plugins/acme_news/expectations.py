"""Acme's desk rule: every address in a byline is one of the desk's own domains."""

from __future__ import annotations

import dataclasses

import pandas as pd
from pydantic import Field

from toolkit.article import Article, reparse
from toolkit.expectations.base import AnyExpectation, Expectation, Params, Row, Why
from toolkit.text import as_mask


class FromDomain(Params):
    domains: list[str] = Field(description="the desk's email domains, e.g. [joongang.co.kr]")


def _domains(batch: pd.DataFrame) -> pd.Series:
    # One row per address, vectorised: "a@x.kr" -> "x.kr"; the list column explodes in place.
    emails = batch["byline_emails"].explode().astype("string[pyarrow]")
    return emails.str.extract(r"@([^@]+)$", expand=False).str.lower()


def _check(batch: pd.DataFrame, p: FromDomain) -> pd.Series:
    domains = _domains(batch)
    foreign = domains.notna() & ~domains.isin([d.lower() for d in p.domains])
    return as_mask(~foreign.groupby(level=0).any().reindex(batch.index, fill_value=False))


def _explain(row: Row, p: FromDomain) -> Why:
    foreign = [a for a in row["byline_emails"] if a.rsplit("@", 1)[-1].lower() not in p.domains]
    return Why(
        f"{foreign[0]!r} is not an address of the desk ({', '.join(p.domains)})",
        row["byline"],
    )


def _break(article: Article, p: FromDomain) -> Article:
    byline = f"BY {', '.join(article.byline_names) or 'KIM MIN-JI'} [desk@example.com]"
    return reparse(dataclasses.replace(article, byline=byline))


byline_from_domain = Expectation(
    name="byline_from_domain",
    family="acme",
    description="Every address in the byline belongs to one of the desk's domains.",
    field="byline_emails",
    params=FromDomain,
    check=_check,
    explain=_explain,
    fix="Credit the desk's own address; a freelancer's address belongs in the notes.",
    breaker=_break,
    severity="warning",
)

EXPECTATIONS: list[AnyExpectation] = [byline_from_domain]
