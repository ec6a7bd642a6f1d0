"""What sightings keep for the finish that waits on disk until then.

A corpus expectation keeps, for each article it sights, the file, an excerpt, the headline and
the header day, to write the findings of its verdicts at the end of the run, its place in the
corpus order (file number and line) and its keys (a 64-bit hash, and for the expectations that
compare bodies a 256-byte MinHash signature): at 200,000 articles of the shipped news suite
some 120 MB of text, 100 MB of signatures and 17 MB of the rest, which only the finish
reads. ``TextColumn`` is such a text column as segments, each an Arrow array in memory or a
record batch in a file of the run's spill directory (toolkit.findings), which ``spill``
writes once a batch is checked; ``take`` reads back the segments that hold the rows asked
for, one at a time, so that reading the verdicts' rows costs a segment's memory, not the
column's. ``SpilledArray`` is a numeric
column the same way (``spill_arrays``), joined into one spill file and mapped as one array
when its expectation is judged: the signatures no longer grow with the files read, joining the
batches' sightings does not hold two copies of them, and a judge that reads them a block at a
time lets go of each block's pages (``drop_pages``).

A column pickles as its values (a Dask worker may run on another machine), and what a worker
process sends back is spilled again where it is received.
"""

from __future__ import annotations

import mmap
import os
from collections.abc import Callable, Iterable, Sequence
from typing import Any, TypeVar

import numpy as np
import pyarrow as pa

from toolkit.findings import Spill, current_spill, writing

# Where an on-disk segment is: the spill file, and the record batch in it (text) or the byte
# offset of its first row (arrays).
OnDisk = tuple[str, int]
_SCHEMA = pa.schema([("text", pa.string())])


class _Segments:
    """A column as segments, each in memory or on disk, with their lengths. Segments are only
    ever replaced by their on-disk copy, so a column's values never change: columns shared by
    several expectations' sightings stay shared."""

    __slots__ = ("__weakref__", "_lengths", "_segments", "_spills")
    # The type of a segment in memory.
    _memory: type

    def __init__(self, segments: Sequence[Any], lengths: Sequence[int] | np.ndarray) -> None:
        self._segments: list[Any] = list(segments)
        self._lengths = np.asarray(lengths, dtype=np.int64)
        # The spill directories the segments are in, kept alive while the column is.
        self._spills: list[Spill] = []

    def __len__(self) -> int:
        return int(self._lengths.sum())

    def in_memory(self) -> bool:
        return all(isinstance(s, self._memory) for s in self._segments)

    def _spilled_as(self, parts: Sequence[_Segments]) -> None:
        """This column, the parts joined, keeps their spill directories alive."""
        self._spills = list({id(s): s for p in parts for s in p._spills}.values())


class TextColumn(_Segments):
    """A text column (Arrow strings, nulls for missing values) in segments, in memory or on
    disk."""

    __slots__ = ()
    _memory = pa.Array

    @classmethod
    def of(cls, values: pa.Array | pa.ChunkedArray) -> TextColumn:
        chunks = values.chunks if isinstance(values, pa.ChunkedArray) else [values]
        return cls(chunks, [len(c) for c in chunks])

    @classmethod
    def concat(cls, parts: Sequence[TextColumn]) -> TextColumn:
        out = cls(
            [s for p in parts for s in p._segments],
            np.concatenate([p._lengths for p in parts]) if parts else [],
        )
        out._spilled_as(parts)
        return out

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        return (TextColumn.of, (self.values(),))

    def values(self) -> pa.ChunkedArray:
        """The whole column, read into memory."""
        return pa.chunked_array([self._read(i) for i in range(len(self._segments))], pa.string())

    def take(self, positions: np.ndarray | Sequence[int]) -> pa.Array:
        """The values at ``positions`` (any order, repeats allowed), reading each segment
        that holds one of them once."""
        at = np.asarray(positions, dtype=np.int64)
        if not len(at):
            return pa.array([], pa.string())
        starts = np.concatenate([[0], np.cumsum(self._lengths)])
        if at.min() < 0 or at.max() >= starts[-1]:
            raise IndexError("position out of the column's range")
        segment = np.searchsorted(starts, at, side="right") - 1
        order = np.argsort(segment, kind="stable")
        bounds = np.flatnonzero(np.r_[True, segment[order][1:] != segment[order][:-1]])
        pieces = []
        for lo, hi in zip(bounds.tolist(), [*bounds[1:].tolist(), len(order)], strict=True):
            s = int(segment[order[lo]])
            local = at[order[lo:hi]] - starts[s]
            pieces.append(self._read(s).take(pa.array(local, pa.int64())))
        by_segment = pa.concat_arrays(pieces)
        back = np.empty(len(at), dtype=np.int64)
        back[order] = np.arange(len(at))
        return by_segment.take(pa.array(back, pa.int64()))

    def _read(self, i: int) -> pa.Array:
        segment = self._segments[i]
        if isinstance(segment, pa.Array):
            return segment
        path, batch = segment
        with pa.OSFile(path) as source:
            return pa.ipc.open_file(source).get_batch(batch).column(0)


class SpilledArray(_Segments):
    """A numeric column of sightings (file numbers, lines, hashes, a MinHash signature of 256
    bytes an article), in segments in memory or in the run's spill directory. While files are
    read the columns of a corpus wait on disk; a judge gets each whole, as one array
    (``Sightings.keys``, ``Sightings.corpus_order``), read without a second copy."""

    __slots__ = ("_loaded", "dtype", "row_shape")
    _memory = np.ndarray

    def __init__(
        self,
        segments: Sequence[np.ndarray | OnDisk],
        lengths: Sequence[int] | np.ndarray,
        dtype: np.dtype[Any],
        row_shape: tuple[int, ...],
    ) -> None:
        super().__init__(segments, lengths)
        self._loaded: np.ndarray | None = None
        self.dtype = dtype
        self.row_shape = row_shape

    @classmethod
    def of(cls, values: np.ndarray) -> SpilledArray:
        return cls([values], [len(values)], values.dtype, values.shape[1:])

    @classmethod
    def concat(cls, parts: Sequence[SpilledArray]) -> SpilledArray:
        out = cls(
            [s for p in parts for s in p._segments],
            np.concatenate([p._lengths for p in parts]),
            parts[0].dtype,
            parts[0].row_shape,
        )
        out._spilled_as(parts)
        return out

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        # Sent to another process as the plain array it stands for.
        return (np.asarray, (self.values(),))

    def load(self) -> np.ndarray:
        """The whole column as one array, made once: every holder of the column gets the same
        array. A column that waits on disk is joined into one spill file and mapped, not read
        (at 200,000 articles, 51 MB): the band keys read it a block at a time and let go of
        each block's pages (``drop_pages``). Checking candidate pairs reads rows at random,
        which brings the pages back (see toolkit.lsh.similarities)."""
        if self._loaded is None:
            mapped = None if self.in_memory() else self._mapped()
            if mapped is not None:
                self._loaded = mapped
            else:
                self._loaded = self.values()
                self._segments, self._spills = [self._loaded], []
                self._lengths = np.array([len(self._loaded)], dtype=np.int64)
        return self._loaded

    def _mapped(self) -> np.ndarray | None:
        """The column as a read-only array mapped from one new spill file (None where it has
        no bytes, or where the file cannot be mapped)."""
        n = len(self)
        row_bytes = self.dtype.itemsize * int(np.prod(self.row_shape, dtype=np.int64))
        if not n * row_bytes:
            return None
        where = current_spill()
        path = where.new_file()
        with writing(path), open(path, "wb") as sink:
            for i in range(len(self._segments)):
                segment = self._segment(i, row_bytes)
                if segment.size:  # a view of no bytes cannot be cast to bytes
                    sink.write(segment.data.cast("B"))
        if all(s is not where for s in self._spills):
            self._spills.append(where)
        fd = os.open(path, os.O_RDONLY)
        try:
            mapping = mmap.mmap(fd, n * row_bytes, access=mmap.ACCESS_READ)
        except (OSError, ValueError):
            return None
        finally:
            os.close(fd)
        return np.frombuffer(mapping, dtype=self.dtype).reshape(n, *self.row_shape)

    def _segment(self, i: int, row_bytes: int) -> np.ndarray:
        """Segment ``i`` read into memory (its rows, contiguous)."""
        segment, n = self._segments[i], int(self._lengths[i])
        if isinstance(segment, np.ndarray):
            return np.ascontiguousarray(segment, dtype=self.dtype)
        out = np.empty((n, *self.row_shape), dtype=self.dtype)
        if n * row_bytes:
            path, offset = segment
            with open(path, "rb") as source:
                source.seek(offset)
                got = source.readinto(out.data.cast("B"))
            if got != n * row_bytes:
                raise OSError(f"{path}: a spill file is shorter than what was written")
        return out

    def values(self) -> np.ndarray:
        """The whole column as one array in memory, each segment read into its place."""
        if self._loaded is not None:
            return np.array(self._loaded)
        out = np.empty((len(self), *self.row_shape), dtype=self.dtype)
        row_bytes = self.dtype.itemsize * int(np.prod(self.row_shape, dtype=np.int64))
        at = 0
        for i, n in enumerate(self._lengths.tolist()):
            out[at : at + n] = self._segment(i, row_bytes)
            at += n
        return out


def mapping(array: np.ndarray) -> mmap.mmap | None:
    """The file mapping an array ``SpilledArray.load`` mapped is a view of; None for any other
    array."""
    base: object = array
    while isinstance(base, np.ndarray):
        base = base.base
    if isinstance(base, memoryview):  # np.frombuffer's view of the mapping
        base = base.obj
    return base if isinstance(base, mmap.mmap) else None


def drop_pages(array: np.ndarray) -> None:
    """Let go of the pages read so far of an array ``SpilledArray.load`` mapped (they are read
    again from the file when next needed); nothing for any other array."""
    mapped = mapping(array)
    if mapped is not None and hasattr(mmap, "MADV_DONTNEED"):
        mapped.madvise(mmap.MADV_DONTNEED)


C = TypeVar("C", bound=_Segments)


def _spill(columns: Iterable[C], write: Callable[[str, list[tuple[C, Any]]], list[OnDisk]]) -> None:
    """Write the in-memory segments of ``columns`` (each column once, however often given) to
    one new file of the run's spill directory (``write``: the path and each segment with its
    column, giving where each went), and let the columns read them from there."""
    distinct = list({id(c): c for c in columns}.values())
    todo = [(c, i) for c in distinct for i, s in enumerate(c._segments) if isinstance(s, c._memory)]
    if not todo:
        return
    where = current_spill()
    path = where.new_file()
    with writing(path):
        placed = write(path, [(c, c._segments[i]) for c, i in todo])
    for (c, i), on_disk in zip(todo, placed, strict=True):
        c._segments[i] = on_disk
        if all(s is not where for s in c._spills):
            c._spills.append(where)


def spill(columns: Iterable[TextColumn]) -> None:
    """Write the text columns' in-memory segments to the spill, one record batch each."""
    _spill(columns, _write_text)


def spill_arrays(columns: Iterable[SpilledArray]) -> None:
    """Write the arrays' in-memory segments to the spill, their rows' bytes one after the
    other."""
    _spill(columns, _write_arrays)


def _write_text(path: str, segments: list[tuple[TextColumn, pa.Array]]) -> list[OnDisk]:
    with pa.OSFile(path, "wb") as sink, pa.ipc.new_file(sink, _SCHEMA) as writer:
        for _, segment in segments:
            writer.write_batch(pa.record_batch([segment.cast(pa.string())], schema=_SCHEMA))
    return [(path, n) for n in range(len(segments))]


def _write_arrays(path: str, segments: list[tuple[SpilledArray, np.ndarray]]) -> list[OnDisk]:
    placed: list[OnDisk] = []
    with open(path, "wb") as sink:
        for column, segment in segments:
            data = np.ascontiguousarray(segment, dtype=column.dtype)
            placed.append((path, sink.tell()))
            if data.size:  # a view of no bytes cannot be cast to bytes
                sink.write(data.data.cast("B"))
    return placed
