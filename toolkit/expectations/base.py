"""What an expectation is: one definition holds its check, message, parameters and breaker."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, TypeVar, Union

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict

from toolkit.article import Article
from toolkit.result import Severity
from toolkit.sightings import Sighting as Sighting
from toolkit.sightings import Sightings

if TYPE_CHECKING:
    from toolkit.expectations.files import FileExpectation
    from toolkit.expectations.history import HistoryExpectation
    from toolkit.shards import Sharding


class Params(BaseModel):
    """Parameters of an expectation; unknown keys are an error in the suite file."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class NoParams(Params):
    pass


P = TypeVar("P", bound=Params)
Row = Mapping[str, Any]


@dataclass(frozen=True)
class Why:
    """Why one article failed: a message a person can act on, and the offending text."""

    message: str
    excerpt: str | None = None
    # [start, end) offsets inside ``excerpt`` of the offending text, for reports to highlight.
    spans: tuple[tuple[int, int], ...] = ()


@dataclass(frozen=True)
class GxForm:
    """How the Great Expectations engine runs an expectation: a GX 1.x expectation type (snake
    case, e.g. "expect_column_values_to_match_regex") with kwargs built from the parameters,
    over the batch columns plus any columns ``derive`` computes first (for checks GX has no
    vocabulary for, such as "the byline holds a valid address")."""

    type: str
    kwargs: Callable[[Any], dict[str, Any]]
    # Its docstring is exported beside the columns, for GX users who must compute them.
    derive: Callable[[pd.DataFrame, Any], dict[str, pd.Series]] | None = None


def gx_objects(series: pd.Series) -> pd.Series:
    """A derived text column as GX's pandas metrics read it: Python strings and None, because
    GX compares values one by one and ``pd.NA`` has no truth value."""
    return series.astype(object).where(series.notna(), None)


def gx_all_true(column: str, derive: Callable[[pd.DataFrame, Any], dict[str, pd.Series]]) -> GxForm:
    """The GX form of a check GX has no words for: ``derive`` computes a boolean column (True
    where the article passes) and GX expects every value of it to be True."""
    return GxForm(
        "expect_column_values_to_be_in_set",
        lambda p: {"column": column, "value_set": [True]},
        derive,
    )


@dataclass(frozen=True)
class Expectation(Generic[P]):
    """A row expectation: ``check`` maps a batch of articles to a boolean Series (True where
    the article passes); ``explain`` is called only for the failing rows."""

    name: str
    family: str
    description: str
    field: str
    params: type[P]
    check: Callable[[pd.DataFrame, P], pd.Series]
    explain: Callable[[Row, P], Why]
    fix: str
    # Changes a valid article so that this expectation (and, ideally, no other) fails.
    breaker: Callable[[Article, P], Article] | None = None
    severity: Severity = "critical"
    # None: Great Expectations cannot express it, and the GX engine says so in the result.
    gx: GxForm | None = None
    # The articles the expectation speaks about (None: all). The others are neither passed nor
    # failed and ``mostly`` leaves them out, as GX leaves out nulls.
    scope: Callable[[pd.DataFrame, P], pd.Series] | None = None
    # The explanations of the failing rows of a batch at once (one Why a row, in order), for
    # an explanation that runs Arrow kernels: a pattern compiled or a frame made per row costs
    # milliseconds, over a whole batch it is paid once. The engines call it in place of
    # ``explain``, which is then its one-row form (``one_row``).
    explain_rows: Callable[[pd.DataFrame, P], list[Why]] | None = None

    def field_of(self, params: Params) -> str:
        column = getattr(params, "column", None)
        return column if isinstance(column, str) else self.field


def one_row(explain_rows: Callable[[pd.DataFrame, P], list[Why]]) -> Callable[[Row, P], Why]:
    """The ``explain`` of an expectation whose ``explain_rows`` is the explanation: the row
    as a one-row frame (its values as the engines hand them over)."""

    def explain(row: Row, params: P) -> Why:
        return explain_rows(pd.DataFrame({k: [v] for k, v in row.items()}), params)[0]

    return explain


class Unbreakable(ValueError):
    """A breaker cannot make the article fail with these parameters (a regex that every text
    matches, a column that is never null): the message says why."""


# A judge's verdict on the corpus as a whole rather than on one article (a row count below its
# minimum, or one over zero articles): the finding stands at the suite entry's own line.
CORPUS_LEVEL = -1


@dataclass(frozen=True)
class CorpusExpectation(Generic[P]):
    """An expectation over the whole corpus (duplicates, counts). ``sketch`` reduces a batch to
    one small key per article; ``judge`` sees every sighting at the end and returns the
    failing ones (by position in the list it was given) with their reasons.

    The columnar form, when given, is what the engines run: ``sketch_columns`` reduces a batch
    to named numpy arrays (one row per article: a hash, a signature matrix) and
    ``judge_columns`` reads them for the whole corpus (a ``Sightings``, in corpus order) and
    answers as ``judge`` does, without a Python object per article. ``sketch`` and ``judge``
    stay the list form of the same verdicts (see ``toolkit.sightings.listed``)."""

    name: str
    family: str
    description: str
    field: str
    params: type[P]
    sketch: Callable[[pd.DataFrame, P], pd.Series]
    judge: Callable[[list[Sighting], P], dict[int, Why]]
    fix: str
    breaker: Callable[[Article, P], Article] | None = None
    severity: Severity = "critical"
    gx: GxForm | None = None
    scope: Callable[[pd.DataFrame, P], pd.Series] | None = None
    sketch_columns: Callable[[pd.DataFrame, P], Mapping[str, np.ndarray]] | None = None
    judge_columns: Callable[[Sightings, P], dict[int, Why]] | None = None
    # How the columnar judge runs on shards of the sightings (toolkit.shards), for an engine
    # that spreads a corpus over machines; without it, one process judges them all.
    shards: Sharding | None = None

    def field_of(self, params: Params) -> str:
        column = getattr(params, "column", None)
        return column if isinstance(column, str) else self.field


AnyExpectation = Union[
    Expectation[Any], CorpusExpectation[Any], "FileExpectation", "HistoryExpectation"
]
