"""Corpus statistics of a run: articles, body lengths, dates, sources and the newest article.

``Profile`` is what one batch yields (mergeable: every part adds up, or takes the maximum),
computed over the batch's columns at once; ``CorpusStats`` is the finished form a run keeps in
its history (toolkit.history) and the feed-health expectations read.

Every part stays small whatever the corpus size: body lengths are counted in logarithmic bins
(each 2% wide, so a quantile is within 1% of the exact one, at most a few hundred bins for any
length), articles are counted per header day and per source, and the newest article is kept
per day. The source of an article is the name of the directory that holds its file (a vendor's
or a scraper's folder, the usual layout of incoming dumps): ``incoming/yonhap/a.txt`` is
``yonhap``; a file given without a directory is ``.``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict, Field

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd
    import pyarrow as pa

# Bin b holds the lengths L with round(log(L) / log(BASE)) == b; bin -1 holds empty bodies.
BASE = 1.02
QUANTILES = (0.0, 0.05, 0.25, 0.5, 0.75, 0.95, 1.0)
UNDATED = "undated"


@dataclass
class Profile:
    """What a batch (or a merge of batches) tells about the corpus; every part adds up."""

    articles: int = 0
    body_bins: dict[int, int] = field(default_factory=dict)
    days: dict[str, int] = field(default_factory=dict)
    sources: dict[str, int] = field(default_factory=dict)
    # The newest article time (ISO, UTC) on each header day.
    newest: dict[str, str] = field(default_factory=dict)

    def add(self, other: Profile) -> None:
        self.articles += other.articles
        for b, n in other.body_bins.items():
            self.body_bins[b] = self.body_bins.get(b, 0) + n
        for mine, theirs in ((self.days, other.days), (self.sources, other.sources)):
            for key, n in theirs.items():
                mine[key] = mine.get(key, 0) + n
        for day, time in other.newest.items():
            if time > self.newest.get(day, ""):
                self.newest[day] = time

    def finished(self, files: int) -> CorpusStats:
        """The run's statistics, ``files`` being the files the run read."""
        dated = sorted(d for d in self.days if d != UNDATED)
        return CorpusStats(
            articles=self.articles,
            files=files,
            body_length=body_quantiles(self.body_bins),
            first_date=dated[0] if dated else None,
            last_date=dated[-1] if dated else None,
            days=len(dated),
            per_date=dict(sorted(self.days.items())),
            per_source=dict(sorted(self.sources.items())),
            newest=dict(sorted(self.newest.items())),
        )


class CorpusStats(BaseModel):
    """The corpus of one run, as its history keeps it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    articles: int
    files: int
    # Body length in characters at the quantiles "0", "0.05", ... "1" (keys as text: JSON).
    body_length: dict[str, int] = Field(default_factory=dict)
    first_date: str | None = None
    last_date: str | None = None
    days: int = 0
    per_date: dict[str, int] = Field(default_factory=dict)
    per_source: dict[str, int] = Field(default_factory=dict)
    newest: dict[str, str] = Field(default_factory=dict)

    def shares(self, by: str) -> dict[str, float]:
        """The share of the articles of each source (``by`` "source") or header day ("date")."""
        counts = self.per_source if by == "source" else self.per_date
        total = sum(counts.values())
        return {k: n / total for k, n in counts.items()} if total else {}


def body_quantiles(bins: dict[int, int]) -> dict[str, int]:
    """Body length quantiles from the binned counts (each within 1% of the exact value)."""
    total = sum(bins.values())
    if not total:
        return {}
    ordered = sorted(bins.items())
    out: dict[str, int] = {}
    for q in QUANTILES:
        rank = max(1, math.ceil(q * total))  # the nearest-rank quantile
        seen = 0
        for b, n in ordered:
            seen += n
            if seen >= rank:
                out[f"{q:g}"] = 0 if b < 0 else round(BASE**b)
                break
    return out


def profile_batch(batch: pd.DataFrame) -> Profile:
    """The batch's statistics, computed over its columns at once (Arrow kernels: a pandas
    value_counts or groupby costs milliseconds a batch in fixed overhead)."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    from toolkit.expectations.dates import header_dates, published_instants

    lengths = pc.fill_null(pc.utf8_length(_arrow(batch["body"])), 0).to_numpy()
    with np.errstate(divide="ignore"):
        bins = np.where(lengths > 0, np.rint(np.log(lengths) / math.log(BASE)), -1).astype(int)
    keys, counts = np.unique(bins, return_counts=True)
    header = header_dates(batch)
    # A header date that parses is written YYYY-MM-DD (header_dates): it is its own day, with
    # no strftime per article.
    dated = pa.array(header.notna().to_numpy())
    days = pc.if_else(dated, _arrow(batch["date"]), UNDATED)
    # The article's time: its Published: instant, else the start of its header day.
    times = published_instants(batch).fillna(header).to_numpy()
    latest = (
        pa.table({"day": days, "time": pa.array(times, mask=np.isnat(times))})
        .group_by("day")
        .aggregate([("time", "max")])
        .filter(pc.is_valid(pc.field("time_max")))
    )
    newest = latest["time_max"].to_numpy().astype(times.dtype)
    return Profile(
        articles=len(batch),
        body_bins={int(k): int(n) for k, n in zip(keys, counts, strict=True)},
        days=_counts(days),
        sources=_counts(_sources(batch["file"])),
        newest=dict(zip(latest["day"].to_pylist(), _iso_times(newest), strict=True)),
    )


def _arrow(column: pd.Series) -> pa.Array:
    """A string column of the batch as one Arrow string array."""
    import pyarrow as pa

    return pa.array(column, type=pa.string())


def _counts(values: pa.Array) -> dict[str, int]:
    counted = values.value_counts()
    return dict(
        zip(counted.field("values").to_pylist(), counted.field("counts").to_pylist(), strict=True)
    )


def _iso_times(times: np.ndarray) -> list[str]:
    """Timestamp.isoformat of each time, in one numpy call when none has a fraction of a
    second (a batch has a time for each of up to thousands of days)."""
    import numpy as np
    import pandas as pd

    seconds = times.astype("datetime64[s]")
    if (seconds == times).all():
        return list(np.datetime_as_string(seconds, unit="s").tolist())
    return [pd.Timestamp(t).isoformat() for t in times]


def _sources(files: pd.Series) -> pa.Array:
    """The source of each article: the name of the directory that holds its file (the part
    of the label before its last slash or backslash), ``.`` where there is none."""
    import pyarrow.compute as pc

    labels = pc.replace_substring(_arrow(files), "\\", "/")
    parent = pc.struct_field(pc.extract_regex(labels, r"(?P<dir>[^/]*)/[^/]*$"), "dir")
    named: pa.Array = pc.if_else(pc.fill_null(pc.not_equal(parent, ""), False), parent, ".")
    return named
