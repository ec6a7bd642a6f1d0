"""What a corpus expectation keeps of each article between batches, as columns.

The sightings of one batch are a few arrays, one row per article in the expectation's scope:
file number and line (the corpus order), file, excerpt, date and headline (for the findings),
and the expectation's key columns (numpy arrays: a 64-bit hash, a MinHash signature matrix).
They are made in the process that read the batch, pickle as a few buffers, and merge by
concatenation; once a batch is checked they wait on disk (toolkit.spilled) until their
expectation is judged, so that what a run keeps does not grow with the corpus; the corpus
order is one stable sort at the end. No Python object is made per
article, except for a custom expectation that gives no columnar form: its sketch's keys are
kept as they come and its judge gets the list of ``Sighting`` it was written for.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar, cast

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from toolkit.lsh import sorted_distinct
from toolkit.memo import same_rows
from toolkit.spilled import SpilledArray, TextColumn
from toolkit.text import EXCERPT_CHARS, excerpt

if TYPE_CHECKING:
    from toolkit.expectations.base import Why

KeyColumns = dict[str, np.ndarray]
# As a Sightings stores them: a column of several values per article may wait on disk.
StoredKeys = dict[str, np.ndarray | SpilledArray]


def _text_or_none(value: object) -> str | None:
    return None if value is None or (isinstance(value, float) and pd.isna(value)) else str(value)


def text_column(values: pd.Series | Sequence[object]) -> pa.ChunkedArray:
    """A text column as Arrow strings (null for a missing value); a column of other values
    (numbers, lists) as their ``str``."""
    try:
        arr = pa.array(values, from_pandas=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError):
        arr = None
    if arr is None or not (pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type)):
        if arr is not None and pa.types.is_null(arr.type):
            return pa.chunked_array([pa.nulls(len(arr), pa.string())])
        arr = pa.array([_text_or_none(v) for v in list(values)], type=pa.string())
    if isinstance(arr, pa.ChunkedArray):
        return arr.cast(pa.string())
    return pa.chunked_array([arr.cast(pa.string())], type=pa.string())


def excerpts(values: pd.Series) -> pa.ChunkedArray:
    """``toolkit.text.excerpt`` of every value, in Arrow kernels for a text column."""
    try:
        arr = pa.array(values, from_pandas=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError):
        arr = None
    if arr is None or not (pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type)):
        # A missing value (None, NaN, pd.NA) has the empty excerpt.
        shown = [excerpt(None if v is pd.NA else v) for v in values]
        return pa.chunked_array([pa.array(shown, type=pa.string())])
    arr = arr.cast(pa.string())
    text = pc.fill_null(arr, "")
    long = pc.greater(pc.utf8_length(text), EXCERPT_CHARS)
    # utf8_slice_codeunits counts code points, as Python's slicing does.
    cut = pc.binary_join_element_wise(pc.utf8_slice_codeunits(text, 0, EXCERPT_CHARS - 1), "…", "")
    out = pc.if_else(long, cut, text)
    return out if isinstance(out, pa.ChunkedArray) else pa.chunked_array([out])


@dataclass(frozen=True)
class Sighting:
    """One article as a corpus expectation's list-form judge reads it."""

    order: tuple[int, int]  # (file number, line): the corpus order, whatever the batching
    file: str
    line: int
    key: Any
    excerpt: str
    date: str | None = None
    headline: str | None = None


@dataclass
class Sightings:
    """The sightings of one corpus expectation, one row per article."""

    # int64; a SpilledArray from when the batch is checked until the expectation is judged
    # (``load``), so that a million articles do not keep 16 MB of them between batches.
    file_no: np.ndarray | SpilledArray
    line: np.ndarray | SpilledArray
    # Read only for the articles with a verdict: on disk once a batch is checked (spilled).
    file: TextColumn
    excerpt: TextColumn
    headline: TextColumn
    # Read whole by headline_unique's judge (the day of each headline), on disk until then.
    date: TextColumn
    # The key columns of an expectation with a columnar sketch, each with one row per article
    # (``keys`` gives them as arrays).
    stored: StoredKeys = field(default_factory=dict)
    # The keys of one without (a custom expectation's sketch), one per article, as they came.
    objects: list[Any] | None = None

    def __len__(self) -> int:
        return len(self.line)

    def corpus_order(self) -> tuple[np.ndarray, np.ndarray]:
        """The file number and the line of each sighting (read from disk the first time)."""
        return _array(self.file_no), _array(self.line)

    @property
    def keys(self) -> KeyColumns:
        """The key columns as arrays: those waiting on disk are read now (once)."""
        return cast(KeyColumns, self.load().stored)

    def load(self) -> Sightings:
        """These sightings with their corpus order and key columns read from disk, once (the
        engine does it before forking the processes that judge them, so that they share one
        copy)."""
        self.file_no, self.line = self.corpus_order()
        for name, column in self.stored.items():
            if isinstance(column, SpilledArray):
                self.stored[name] = column.load()
        return self

    def to_disk(self, made: dict[int, SpilledArray]) -> list[SpilledArray]:
        """Let the corpus order and the key columns wait on disk (toolkit.spilled.spill_arrays
        writes them): ``made`` holds the column made of each array, so that sightings sharing
        an array share the column."""

        def waiting(column: np.ndarray | SpilledArray) -> SpilledArray:
            if isinstance(column, SpilledArray):
                return column
            return made.setdefault(id(column), SpilledArray.of(column))

        out = [waiting(self.file_no), waiting(self.line)]
        self.file_no, self.line = out
        for name, column in self.stored.items():
            out.append(waiting(column))
            self.stored[name] = out[-1]
        return out

    @classmethod
    def of(
        cls,
        scope: pd.DataFrame,
        column: pd.Series,
        keys: KeyColumns | None = None,
        objects: list[Any] | None = None,
    ) -> Sightings:
        """The sightings of the articles of ``scope``; the excerpt is of ``column``. Of rows of
        a batch, the columns are those of other sightings of the same rows (toolkit.memo)."""
        return cls(
            file_no=same_rows(scope, "file_no", lambda f: f["file_no"].to_numpy(dtype=np.int64)),
            line=same_rows(scope, "line", lambda f: f["line"].to_numpy(dtype=np.int64)),
            file=same_rows(scope, "file", lambda f: TextColumn.of(text_column(f["file"]))),
            excerpt=same_rows(
                scope, ("excerpt", column.name), lambda _: TextColumn.of(excerpts(column))
            ),
            headline=same_rows(
                scope, "headline", lambda f: TextColumn.of(text_column(f["headline"]))
            ),
            date=same_rows(scope, "date", lambda f: TextColumn.of(text_column(f["date"]))),
            stored=dict(keys or {}),
            objects=objects,
        )

    @classmethod
    def empty(cls) -> Sightings:
        none = np.zeros(0, np.int64)
        text = TextColumn.of(pa.array([], pa.string()))
        return cls(none, none, text, text, text, text)

    @classmethod
    def concat(cls, parts: Iterable[Sightings], joined: Joined | None = None) -> Sightings:
        """The parts one after the other (the Arrow columns without a copy). With ``joined``
        (one dict for the sightings of all the expectations of a merge), a column whose parts
        are the same objects as another's is joined once and shared."""
        full = [p for p in parts if len(p)]
        if not full:
            return cls.empty()
        if len(full) == 1:
            return full[0]
        joined = {} if joined is None else joined
        names = full[0].stored.keys()
        objects = None
        if any(p.objects is not None for p in full):
            objects = [k for p in full for k in (p.objects or [None] * len(p))]
        return cls(
            file_no=_join(joined, [p.file_no for p in full], _keys),
            line=_join(joined, [p.line for p in full], _keys),
            file=_join(joined, [p.file for p in full], TextColumn.concat),
            excerpt=_join(joined, [p.excerpt for p in full], TextColumn.concat),
            headline=_join(joined, [p.headline for p in full], TextColumn.concat),
            date=_join(joined, [p.date for p in full], TextColumn.concat),
            stored={n: _join(joined, [p.stored[n] for p in full], _keys) for n in names},
            objects=objects,
        )

    def order(self) -> np.ndarray:
        """Positions in corpus order (file number, then line; ties as they came)."""
        file_no, line = self.corpus_order()
        return np.lexsort((line, file_no))

    def take(self, positions: np.ndarray) -> Sightings:
        file_no, line = self.corpus_order()
        return Sightings(
            file_no=file_no[positions],
            line=line[positions],
            file=TextColumn.of(self.file.take(positions)),
            excerpt=TextColumn.of(self.excerpt.take(positions)),
            headline=TextColumn.of(self.headline.take(positions)),
            date=TextColumn.of(self.date.take(positions)),
            stored={n: k[positions] for n, k in self.keys.items()},
            objects=None if self.objects is None else [self.objects[i] for i in positions],
        )

    def ordered(self) -> Sightings:
        """The sightings in corpus order, whatever the batching and the processes."""
        order = self.order()
        if (order == np.arange(len(order))).all():
            return self
        return self.take(order)

    def rows(self, positions: Sequence[int] | np.ndarray) -> list[Sighting]:
        """The sightings at ``positions`` as ``Sighting`` records (key: the custom sketch's)."""
        at = np.asarray(positions, dtype=np.int64)
        files, excerpts_, headlines, dates = (
            c.take(at).to_pylist() for c in (self.file, self.excerpt, self.headline, self.date)
        )
        file_no, line = self.corpus_order()
        return [
            Sighting(
                order=(int(file_no[i]), int(line[i])),
                file=f,
                line=int(line[i]),
                key=None if self.objects is None else self.objects[i],
                excerpt=x or "",
                date=d,
                headline=h,
            )
            for i, f, x, d, h in zip(positions, files, excerpts_, dates, headlines, strict=True)
        ]

    def places(self, positions: Sequence[int] | np.ndarray) -> list[str]:
        """``file:line ('headline')`` of the sightings at ``positions``, as messages name them."""
        return [place(s) for s in self.rows(positions)]

    def named(self, positions: np.ndarray) -> dict[int, str]:
        """The place of each of ``positions`` (once each), as a message names a first sighting."""
        distinct = sorted_distinct(np.asarray(positions, dtype=np.int64))
        return dict(zip(distinct.tolist(), self.places(distinct), strict=True))

    def as_list(self) -> list[Sighting]:
        return self.rows(np.arange(len(self)))

    def text_columns(self) -> list[TextColumn]:
        """The text columns, on disk once a batch is checked (toolkit.spilled.spill)."""
        return [self.file, self.excerpt, self.headline, self.date]


# Columns already joined in a merge, by the identities of their parts (which it holds, so that
# the identities stay theirs).
Joined = dict[tuple[int, ...], tuple[list[Any], Any]]
C = TypeVar("C")


def _join(joined: Joined, parts: list[C], join: Callable[[list[C]], C]) -> C:
    key = tuple(map(id, parts))
    if key not in joined:
        joined[key] = (parts, join(parts))
    out: C = joined[key][1]
    return out


def _keys(parts: list[np.ndarray | SpilledArray]) -> np.ndarray | SpilledArray:
    """Key columns joined: on disk still when any part is."""
    arrays = [p for p in parts if isinstance(p, np.ndarray)]
    if len(arrays) == len(parts):
        return np.concatenate(arrays)
    return SpilledArray.concat(
        [p if isinstance(p, SpilledArray) else SpilledArray.of(p) for p in parts]
    )


def _array(column: np.ndarray | SpilledArray) -> np.ndarray:
    return column.load() if isinstance(column, SpilledArray) else column


def place(s: Sighting) -> str:
    """Where a sighting is, as a message names the first of a duplicate."""
    headline = f" ({s.headline!r})" if s.headline else ""
    return f"{s.file}:{s.line}{headline}"


def from_list(seen: Sequence[Sighting], names: Sequence[str]) -> Sightings:
    """Sightings whose keys are rows of key columns (``columns_as_rows``), back to columns."""
    if not seen:
        return Sightings.empty()
    return Sightings(
        file_no=np.array([s.order[0] for s in seen], dtype=np.int64),
        line=np.array([s.line for s in seen], dtype=np.int64),
        file=TextColumn.of(text_column([s.file for s in seen])),
        excerpt=TextColumn.of(text_column([s.excerpt for s in seen])),
        headline=TextColumn.of(text_column([s.headline for s in seen])),
        date=TextColumn.of(text_column([s.date for s in seen])),
        stored={n: np.stack([s.key[k] for s in seen]) for k, n in enumerate(names)},
    )


ColumnSketch = Callable[[pd.DataFrame, Any], Mapping[str, np.ndarray]]
ColumnJudge = Callable[[Sightings, Any], "dict[int, Why]"]


ListSketch = Callable[[pd.DataFrame, Any], pd.Series]
ListJudge = Callable[[list[Sighting], Any], "dict[int, Why]"]


def listed(
    sketch: ColumnSketch, judge: ColumnJudge, names: Sequence[str]
) -> tuple[ListSketch, ListJudge]:
    """The list form (``sketch`` giving one key per article, ``judge`` reading a list of
    Sighting) of a columnar sketch and judge, for callers of the protocol custom expectations
    use: a key is the tuple of the article's values in the key columns ``names``."""

    def as_rows(batch: pd.DataFrame, p: Any) -> pd.Series:
        columns = sketch(batch, p)
        rows = list(zip(*(columns[n] for n in names), strict=True))
        return pd.Series(rows, index=batch.index, dtype=object)

    def judge_list(seen: list[Sighting], p: Any) -> dict[int, Why]:
        return judge(from_list(seen, names), p)

    return as_rows, judge_list
