"""The byline: present, with valid email addresses."""

from __future__ import annotations

import dataclasses
from functools import lru_cache

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from email_validator import EmailNotValidError, validate_email

from toolkit.article import Article, is_cloudflare_placeholder
from toolkit.expectations.base import AnyExpectation, Expectation, NoParams, Row, Why
from toolkit.text import as_mask

CLOUDFLARE_PLACEHOLDER = "[email\u00a0protected]"


@lru_cache(maxsize=65536)
def email_problem(address: str) -> str | None:
    """Why ``address`` is not a valid email address, or None. Syntax only: no DNS look-ups."""
    if is_cloudflare_placeholder(address):
        return "placeholder"
    try:
        validate_email(address, check_deliverability=False)
    except EmailNotValidError as exc:
        return str(exc)
    return None


def emails_valid(batch: pd.DataFrame) -> pd.Series:
    """True where the byline holds at least one address and every address is valid. Each
    distinct address is validated once, however many articles carry it."""
    emails = pa.array(batch["byline_emails"], type=pa.list_(pa.string()))
    flat = pc.list_flatten(emails)
    parents = pc.list_parent_indices(emails).to_numpy()
    bad = pd.Series(flat.to_pandas()).map(lambda a: email_problem(a) is not None).to_numpy()
    lengths = pc.fill_null(pc.list_value_length(emails), 0).to_numpy(zero_copy_only=False)
    has_any = lengths > 0
    ok = pd.Series(has_any, index=batch.index)
    if bad.any():
        ok.iloc[pd.unique(parents[bad])] = False
    return ok


# --- byline_present ---------------------------------------------------------------------------


def _byline_present(batch: pd.DataFrame, p: NoParams) -> pd.Series:
    return as_mask(batch["byline"].notna())


def _explain_present(row: Row, p: NoParams) -> Why:
    return Why(
        "no byline ('BY NAME [email]') before the tags line: the article may be truncated",
        "",
    )


def _drop_byline(article: Article, p: NoParams) -> Article:
    return dataclasses.replace(article, byline=None, byline_names=[], byline_emails=[])


byline_present = Expectation(
    name="byline_present",
    family="byline",
    description="A byline line ('BY NAME [email]') stands before the tags line.",
    field="byline",
    params=NoParams,
    check=_byline_present,
    explain=_explain_present,
    fix="Make the scraper keep the byline; a missing byline often means a truncated page.",
    breaker=_drop_byline,
)


# --- byline_has_email -------------------------------------------------------------------------


def _byline_has_email(batch: pd.DataFrame, p: NoParams) -> pd.Series:
    return emails_valid(batch)


def _explain_email(row: Row, p: NoParams) -> Why:
    byline = row["byline"]
    if byline is None:
        return Why("no byline, so no email: the article may be truncated", "")
    emails = list(row["byline_emails"])
    if not emails:
        return Why("the byline has no email address in brackets ('BY NAME [name@host]')", byline)
    problems = {a: email_problem(a) for a in emails}
    if any(p == "placeholder" for p in problems.values()):
        return Why(
            "the byline holds Cloudflare's '[email protected]' placeholder, not an address: "
            "the address was lost when the page was scraped; make the scraper decode "
            "Cloudflare-protected emails (the data-cfemail attribute)",
            byline,
        )
    address, reason = next((a, r) for a, r in problems.items() if r is not None)
    return Why(f"{address!r} in the byline is not a valid email address: {reason}", byline)


def _break_email(article: Article, p: NoParams) -> Article:
    names = ", ".join(article.byline_names) or "SEO JI-EUN"
    return dataclasses.replace(
        article,
        byline=f"BY {names} [{CLOUDFLARE_PLACEHOLDER}]",
        byline_emails=[CLOUDFLARE_PLACEHOLDER],
    )


byline_has_email = Expectation(
    name="byline_has_email",
    family="byline",
    description="The byline holds at least one email address, and every address is valid; "
    "Cloudflare's '[email protected]' placeholder fails.",
    field="byline",
    params=NoParams,
    check=_byline_has_email,
    explain=_explain_email,
    fix="Keep the author's address in the byline; for '[email protected]', decode Cloudflare's "
    "obfuscated address in the scraper.",
    breaker=_break_email,
)

EXPECTATIONS: list[AnyExpectation] = [byline_present, byline_has_email]
