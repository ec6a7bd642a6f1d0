"""The byline: present, with valid email addresses."""

from __future__ import annotations

import dataclasses
import re
import unicodedata

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from email_validator import EmailNotValidError, validate_email

from toolkit.article import PLACEHOLDER_IN, Article, is_cloudflare_placeholder
from toolkit.expectations.base import (
    AnyExpectation,
    Expectation,
    GxForm,
    NoParams,
    Row,
    Why,
    gx_all_true,
)
from toolkit.text import as_mask
from toolkit.textcache import text_cache

CLOUDFLARE_PLACEHOLDER = "[email\u00a0protected]"


@text_cache(maxsize=65536)
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
    distinct = pc.unique(flat)
    invalid = [a for a in distinct.to_pylist() if a is not None and email_problem(a) is not None]
    bad = pc.fill_null(pc.is_in(flat, value_set=pa.array(invalid, pa.string())), False)
    bad = bad.to_numpy(zero_copy_only=False)
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
    gx=GxForm("expect_column_values_to_not_be_null", lambda p: {"column": "byline"}),
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
        placeholder = PLACEHOLDER_IN.search(byline)
        return Why(
            "the byline holds Cloudflare's '[email protected]' placeholder, not an address: "
            "the address was lost when the page was scraped; make the scraper decode "
            "Cloudflare-protected emails (the data-cfemail attribute)",
            byline,
            spans=(placeholder.span(),) if placeholder else (),
        )
    address, reason = next((a, r) for a, r in problems.items() if r is not None)
    at = byline.find(address)
    return Why(
        f"{address!r} in the byline is not a valid email address: {reason}",
        byline,
        spans=((at, at + len(address)),) if at >= 0 else (),
    )


def _emails_valid_column(batch: pd.DataFrame, p: NoParams) -> dict[str, pd.Series]:
    """True where the byline holds at least one address and every address is a valid email
    (email-validator, syntax only); false for none, an invalid one or Cloudflare's placeholder."""
    return {"byline_emails_valid": emails_valid(batch).astype(bool)}


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
    gx=GxForm(
        "expect_column_values_to_be_in_set",
        lambda p: {"column": "byline_emails_valid", "value_set": [True]},
        _emails_valid_column,
    ),
)


# --- byline_email_matches_name ----------------------------------------------------------------

_NON_LETTERS = re.compile("[^a-z]+")


def _ascii_letters(text: str) -> str:
    """Lower-case ASCII letters only: accents dropped ("JOÃO" -> "joao"), the rest removed."""
    plain = unicodedata.normalize("NFKD", text.casefold()).encode("ascii", "ignore").decode()
    return _NON_LETTERS.sub("", plain)


def _name_forms(name: str) -> set[str]:
    """What an address's local part may hold of ``name``: the name's words run together in
    either order ("seojieun", "jieunseo"), or one word with the initials of the others
    ("sjieun", "jseo")."""
    words = [w for w in (_ascii_letters(part) for part in name.split()) if w]
    forms = {"".join(words), "".join(reversed(words))}
    for k, word in enumerate(words):
        initials = "".join(w[0] for i, w in enumerate(words) if i != k)
        forms |= {initials + word, word + initials}
    return {f for f in forms if f}


def address_matches(address: str, names: list[str]) -> bool:
    """True when every piece of the local part ("seo", "jieun" of "seo.jieun@...") is found in
    some form of one of the names."""
    local = address.rsplit("@", 1)[0]
    plain = unicodedata.normalize("NFKD", local.casefold()).encode("ascii", "ignore").decode()
    pieces = [piece for piece in _NON_LETTERS.split(plain) if len(piece) > 1]
    if not pieces:
        return True  # initials only ("s.j@..."): nothing to compare
    return any(
        all(any(piece in form for form in forms) for piece in pieces)
        for forms in (_name_forms(n) for n in names)
    )


def mismatched_address(names: list[str], emails: list[str]) -> str | None:
    """The first valid address that matches none of the names, or None. Invalid addresses and
    placeholders are byline_has_email's; a byline without names has nothing to compare."""
    if not names:
        return None
    for address in emails:
        if email_problem(address) is None and not address_matches(address, names):
            return address
    return None


def _names_match(batch: pd.DataFrame) -> pd.Series:
    # The names and addresses follow from the byline text: judge each distinct byline once.
    firsts = batch.loc[batch["byline"].notna() & ~batch["byline"].duplicated()]
    verdict = {
        byline: mismatched_address(list(names), list(emails)) is None
        for byline, names, emails in zip(
            firsts["byline"].tolist(),
            firsts["byline_names"].tolist(),
            firsts["byline_emails"].tolist(),
            strict=True,
        )
    }
    return as_mask(batch["byline"].map(verdict, na_action="ignore").fillna(True))


def _email_matches_name(batch: pd.DataFrame, p: NoParams) -> pd.Series:
    return _names_match(batch)


def _explain_match(row: Row, p: NoParams) -> Why:
    names = list(row["byline_names"])
    address = mismatched_address(names, list(row["byline_emails"])) or ""
    byline = str(row["byline"])
    start = max(0, byline.find(address))
    return Why(
        f"the address {address!r} matches no name in the byline ({', '.join(names)}): real "
        "desks credit an editor's or translator's address, so check it only if authorship "
        "matters",
        byline,
        ((start, start + len(address)),) if address in byline else (),
    )


def _names_match_column(batch: pd.DataFrame, p: NoParams) -> dict[str, pd.Series]:
    """True where every valid address in the byline matches one of its names (the local part's
    pieces found in a name's words, run together or as initials); true without a byline."""
    return {"byline_emails_match_names": _names_match(batch)}


def _desk_address(article: Article, p: NoParams) -> Article:
    names = ", ".join(article.byline_names) or "SEO JI-EUN"
    domain = next((e.rsplit("@", 1)[1] for e in article.byline_emails if "@" in e), None)
    address = f"newsdesk@{domain or 'joongang.co.kr'}"
    return dataclasses.replace(article, byline=f"BY {names} [{address}]", byline_emails=[address])


byline_email_matches_name = Expectation(
    name="byline_email_matches_name",
    family="byline",
    description="Every address in the byline matches one of its names (informational: desks "
    "credit editors' and translators' addresses).",
    field="byline",
    params=NoParams,
    check=_email_matches_name,
    explain=_explain_match,
    fix="Nothing to fix when a desk credits an editor's or a translator's address; otherwise "
    "check that the scraper paired each name with its own address.",
    breaker=_desk_address,
    severity="info",
    gx=gx_all_true("byline_emails_match_names", _names_match_column),
)

EXPECTATIONS: list[AnyExpectation] = [byline_present, byline_has_email, byline_email_matches_name]
