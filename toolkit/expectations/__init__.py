"""The expectation catalog: every built-in expectation, by name."""

from __future__ import annotations

from toolkit.expectations import (
    archive,
    body,
    byline,
    corpus,
    dates,
    generic,
    headline,
    history,
    hygiene,
    invisible,
    tags,
)
from toolkit.expectations.base import (
    AnyExpectation,
    CorpusExpectation,
    Expectation,
    Params,
    Sighting,
    Why,
)
from toolkit.expectations.files import file_readable

BUILTINS: list[AnyExpectation] = [
    file_readable,
    *dates.EXPECTATIONS,
    *byline.EXPECTATIONS,
    *tags.EXPECTATIONS,
    *headline.EXPECTATIONS,
    *body.EXPECTATIONS,
    *invisible.EXPECTATIONS,
    *hygiene.EXPECTATIONS,
    *corpus.EXPECTATIONS,
    *archive.EXPECTATIONS,
    *history.EXPECTATIONS,
    *generic.EXPECTATIONS,
]
CATALOG: dict[str, AnyExpectation] = {e.name: e for e in BUILTINS}

__all__ = [
    "CATALOG",
    "AnyExpectation",
    "CorpusExpectation",
    "Expectation",
    "Params",
    "Sighting",
    "Why",
]
