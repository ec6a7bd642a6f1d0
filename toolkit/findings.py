"""Findings kept on disk: memory bounded whatever the number of findings a run makes.

A run over a large, badly broken corpus makes a finding for every failing article, about a
million at a million articles with 30% defective. They are not kept as Python objects:

- ``FindingLog`` (the findings of a ``Partial``) hands each finding to the process's spill,
  which writes them as Arrow record batches to files in a private temporary directory
  (mode 0700) and keeps only which rows the log owns. A log sent back by a worker process is
  that list of rows, not the findings.
- ``arrange`` puts the findings of the merged log in corpus order and keeps the first of each
  expectation up to its limit, out of core: the sort keys are small integer columns read from
  the files, sorted with numpy, and the findings are then read back in that order a batch at
  a time and written to one sorted file.
- ``StoredFindings`` is the Result's sequence of findings backed by that file: it reads a
  batch at a time, for every reporter in turn.

The directory is removed once nothing refers to it any more, when the process exits, and on
SIGTERM or SIGHUP (the signal then ends the process as it would have).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import tempfile
import threading
import weakref
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from itertools import count
from pathlib import Path
from types import FrameType, UnionType
from typing import Any, Literal, Union, get_args, get_origin, overload

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from toolkit.result import SEVERITIES, Finding, FindingSequence, Severity

# Findings buffered in a process before they are written out as one record batch: a few MiB
# of Python objects at most.
SPILL_ROWS = 4096
# Findings read back (and built as Finding objects) at a time.
READ_ROWS = 2048
PREFIX = "toolkit-findings-"


def _arrow_type(annotation: Any) -> pa.DataType:
    """The Arrow type of a Finding field: derived, so that a field added to Finding is stored
    too (a type this does not know stops the import, never drops the field quietly)."""
    if annotation is str or get_origin(annotation) is Literal:
        return pa.string()
    if annotation is int:
        return pa.int64()
    args = [a for a in get_args(annotation) if a is not type(None)]
    if get_origin(annotation) in (Union, UnionType) and len(args) == 1:
        return _arrow_type(args[0])  # X | None: Arrow columns are nullable
    if get_origin(annotation) in (list, tuple) and args:
        inner = args[0]
        if get_origin(annotation) is tuple and not all(a is args[0] for a in args):
            raise TypeError(f"no Arrow form for a Finding field of type {annotation}")
        return pa.list_(_arrow_type(inner))
    raise TypeError(f"no Arrow form for a Finding field of type {annotation}")


SCHEMA = pa.schema([(name, _arrow_type(f.annotation)) for name, f in Finding.model_fields.items()])
# Fields that pydantic gives as lists of tuples (spans): Arrow reads lists back.
_TUPLES = [
    name
    for name, f in Finding.model_fields.items()
    if get_origin(f.annotation) is list and get_origin(get_args(f.annotation)[0]) is tuple
]
NAMES = SCHEMA.names

Key = tuple[str, str]
# (file, first row, end row) of a run of rows in one spill file.
Piece = tuple[str, int, int]


class SpillError(Exception):
    """The run's spill directory cannot be written (a full or read-only temporary directory):
    the run cannot go on, and the message says where, why and what to do."""


@contextlib.contextmanager
def writing(path: str) -> Iterator[None]:
    """Writing ``path`` in the spill directory: an OSError is a SpillError that says so."""
    try:
        yield
    except OSError as exc:
        raise SpillError(
            f"cannot write the run's temporary file {path}: {exc.strerror or exc}. A run keeps "
            f"its findings and what its corpus expectations judge at the end in the temporary "
            f"directory ({tempfile.gettempdir()}): free space there, or set TMPDIR to another"
        ) from exc


# --- the private directory and its removal ------------------------------------------------


# Directories to remove on SIGTERM/SIGHUP, by path: the process that made them.
_live: dict[str, int] = {}
_previous: dict[signal.Signals, Any] = {}
_lock = threading.Lock()
_SIGNALS = (signal.SIGTERM, signal.SIGHUP)


def _remove(path: str, owner: int, handed: list[bool]) -> None:
    # A worker process leaves the directory it handed rows from to the process it sent them.
    if os.getpid() == owner and not handed[0]:
        shutil.rmtree(path, ignore_errors=True)
    _live.pop(path, None)
    _release_signals()


def _on_signal(signum: int, frame: FrameType | None) -> None:
    for path, owner in list(_live.items()):
        if owner == os.getpid():
            shutil.rmtree(path, ignore_errors=True)
    _live.clear()
    handler = _previous.get(signal.Signals(signum))
    if callable(handler):
        handler(signum, frame)
        return
    signal.signal(signum, signal.SIG_DFL)
    os.kill(os.getpid(), signum)


def _hold_signals() -> None:
    """SIGTERM and SIGHUP remove the live directories first (from the main thread only: only
    it can set handlers; the reporters chain theirs before this one)."""
    if _previous or threading.current_thread() is not threading.main_thread():
        return
    for sig in _SIGNALS:
        _previous[sig] = signal.getsignal(sig)
        signal.signal(sig, _on_signal)


def _release_signals() -> None:
    if _live or not _previous or threading.current_thread() is not threading.main_thread():
        return
    for sig, handler in list(_previous.items()):
        if signal.getsignal(sig) is _on_signal:
            signal.signal(sig, handler)
    _previous.clear()


class Spill:
    """One private directory of spill files and this process's buffer of findings not yet
    written. Kept alive by every log and stored sequence that reads from it."""

    def __init__(self) -> None:
        # mkdtemp makes the directory 0700: article text stays private to the user.
        with writing(os.path.join(tempfile.gettempdir(), f"{PREFIX}...")):
            self.dir = tempfile.mkdtemp(prefix=PREFIX)
        self.pid = os.getpid()
        self.handed = [False]
        self.adopted: list[Spill] = []
        self.buffer: list[Finding] = []
        self.names = count()
        self.current = self._name()
        self.lock = threading.Lock()
        with _lock:
            _live[self.dir] = self.pid
            _hold_signals()
        self.finalizer = weakref.finalize(self, _remove, self.dir, self.pid, self.handed)

    def _name(self) -> str:
        return os.path.join(self.dir, f"{os.getpid()}-{next(self.names)}.arrow")

    def _own(self) -> None:
        """In a forked worker, the parent's buffer is not its own (called under the lock)."""
        if os.getpid() != self.pid:
            self.pid, self.buffer, self.current = os.getpid(), [], self._name()
            self.handed = [False]
            self.finalizer.detach()
            self.finalizer = weakref.finalize(self, _remove, self.dir, self.pid, self.handed)

    def new_file(self) -> str:
        """The path of a new file in the directory, for this process to write (the sightings'
        text, toolkit.spilled)."""
        with self.lock:
            self._own()
            return self._name()

    def add(self, findings: Sequence[Finding]) -> list[Piece]:
        """Buffer ``findings``; the rows they take, in order."""
        with self.lock:
            self._own()
            pieces: list[Piece] = []
            rest = list(findings)
            while rest:
                room = SPILL_ROWS - len(self.buffer)
                take, rest = rest[:room], rest[room:]
                start = len(self.buffer)
                self.buffer.extend(take)
                pieces.append((self.current, start, start + len(take)))
                if len(self.buffer) >= SPILL_ROWS:
                    self._write()
            return pieces

    def flush(self) -> None:
        """Write the buffered findings: every piece handed out can then be read."""
        with self.lock:
            if self.buffer and os.getpid() == self.pid:
                self._write()

    def _write(self) -> None:
        batch = pa.RecordBatch.from_pylist([f.__dict__ for f in self.buffer], schema=SCHEMA)
        write_batches(self.current, [batch])
        self.buffer = []
        self.current = self._name()

    def path(self, name: str) -> str:
        return os.path.join(self.dir, name)

    def close(self) -> None:
        """Remove the directory now (and those adopted from workers)."""
        for spill in self.adopted:
            spill.close()
        self.finalizer()


def write_batches(path: str, batches: Iterable[pa.RecordBatch]) -> int:
    """Write ``batches`` as one Arrow IPC file; the rows written."""
    rows = 0
    with writing(path), pa.OSFile(path, "wb") as sink, pa.ipc.new_file(sink, SCHEMA) as writer:
        for batch in batches:
            writer.write_batch(batch)
            rows += batch.num_rows
    return rows


_current: weakref.ref[Spill] | None = None


def current_spill() -> Spill:
    """The spill of the runs in progress in this process (one directory while any is alive)."""
    global _current
    with _lock:
        spill = _current() if _current is not None else None
    if spill is None or not os.path.isdir(spill.dir):
        spill = Spill()
        with _lock:
            _current = weakref.ref(spill)
    return spill


# --- the findings of a Partial --------------------------------------------------------------


class FindingLog:
    """The findings of one Partial: rows in the process's spill files, in the order they were
    added. ``append``/``extend`` take findings or another log (whose rows it then owns too)."""

    def __init__(self) -> None:
        self.spill = current_spill()
        self.pieces: list[Piece] = []
        self.size = 0

    def append(self, finding: Finding) -> None:
        self.extend([finding])

    def extend(self, findings: Iterable[Finding] | FindingLog) -> None:
        if isinstance(findings, FindingLog):
            if findings.spill is not self.spill and findings.spill not in self.spill.adopted:
                self.spill.adopted.append(findings.spill)
            self._add_pieces(findings.pieces)
            return
        rows = findings if isinstance(findings, Sequence) else list(findings)
        if rows:
            self._add_pieces(self.spill.add(rows))

    def _add_pieces(self, pieces: Iterable[Piece]) -> None:
        for name, start, end in pieces:
            self.size += end - start
            last = self.pieces[-1] if self.pieces else None
            if last is not None and last[0] == name and last[2] == start:
                self.pieces[-1] = (name, last[1], end)  # one run of rows stays one piece
            else:
                self.pieces.append((name, start, end))

    def __len__(self) -> int:
        return self.size

    def __iter__(self) -> Iterator[Finding]:
        self.spill.flush()
        for name, start, end in self.pieces:
            yield from _findings_of(_open(name).slice(start, end - start))

    def __getstate__(self) -> dict[str, Any]:
        # Sent from a worker process: the rows are written, and the directory is the
        # receiving process's to remove.
        self.spill.flush()
        self.spill.handed[0] = True
        for spill in self.spill.adopted:
            spill.handed[0] = True
        dirs = [self.spill.dir, *(s.dir for s in self.spill.adopted)]
        return {"pieces": self.pieces, "size": self.size, "dirs": dirs}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.spill = current_spill()
        for d in state["dirs"]:
            if d != self.spill.dir and all(a.dir != d for a in self.spill.adopted):
                self.spill.adopted.append(_adopt(d))
        self.pieces = state["pieces"]
        self.size = state["size"]


class CarriedLog(FindingLog):
    """A log whose rows travel with it when pickled, for a Partial sent to a process that may
    run on another machine (the Dask engine's workers and client): the receiving process
    writes them to a spill file of its own, so it holds one message's rows at a time."""

    @classmethod
    def of(cls, log: FindingLog) -> CarriedLog:
        out = cls.__new__(cls)
        out.spill, out.pieces, out.size = log.spill, list(log.pieces), log.size
        return out

    def __getstate__(self) -> dict[str, Any]:
        self.spill.flush()
        sink = pa.BufferOutputStream()
        with pa.ipc.new_stream(sink, SCHEMA) as writer:
            for table in _parts(self.pieces):
                writer.write_table(table)
        return {"rows": sink.getvalue().to_pybytes(), "size": self.size}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.spill = current_spill()
        self.pieces, self.size = [], 0
        with self.spill.lock:
            name = self.spill._name()
        rows = write_batches(name, pa.ipc.open_stream(state["rows"]))
        if rows:
            self._add_pieces([(name, 0, rows)])


def _adopt(path: str) -> Spill:
    """A directory a worker process wrote: this process removes it."""
    spill = Spill.__new__(Spill)
    spill.dir, spill.pid, spill.handed, spill.adopted = path, os.getpid(), [False], []
    spill.buffer, spill.names, spill.lock = [], count(), threading.Lock()
    spill.current = spill._name()
    with _lock:
        _live[path] = spill.pid
        _hold_signals()
    spill.finalizer = weakref.finalize(spill, _remove, path, spill.pid, spill.handed)
    return spill


def _open(path: str) -> pa.Table:
    """A spill file, memory-mapped: its pages are read as they are used."""
    with pa.memory_map(path) as source:
        return pa.ipc.open_file(source).read_all()


def _findings_of(table: pa.Table | pa.RecordBatch) -> Iterator[Finding]:
    for row in table.to_pylist():
        for name in _TUPLES:
            row[name] = [tuple(t) for t in row[name]]
        yield Finding.model_construct(**row)


# --- corpus order and the limits, out of core ---------------------------------------------


def arrange(
    log: FindingLog,
    entry_order: Mapping[Key, int],
    suite_order: Mapping[str, int],
    file_order: Mapping[str, int],
    limits: Mapping[Severity, int | None],
) -> tuple[StoredFindings, dict[Key, int]]:
    """The findings of ``log`` sorted by suite, entry, file (``file_order``; others first)
    and line, ties in the order they were made; the first of each expectation up to the
    limit of its severity kept. Returns them and how many each expectation kept."""
    log.spill.flush()
    spill = log.spill
    suites = pa.array(list(suite_order), pa.string())
    entry_keys = list(entry_order)
    entries = pa.array([f"{s}\x1f{i}" for s, i in entry_keys], pa.string())
    entry_numbers = np.fromiter(entry_order.values(), np.int64, len(entry_order))
    suite_numbers = np.fromiter(suite_order.values(), np.int64, len(suite_order))
    severities = pa.array(SEVERITIES, pa.string())
    keys: list[list[np.ndarray]] = [[], [], [], [], []]
    for part in _parts(log.pieces):
        suite_at = pc.index_in(part["suite"], value_set=suites)
        entry_at = pc.index_in(
            pc.binary_join_element_wise(part["suite"], part["id"], "\x1f"), value_set=entries
        )
        if suite_at.null_count or entry_at.null_count:
            raise KeyError("a finding of an expectation the suites do not list")
        keys[0].append(suite_numbers[_ints(suite_at)])
        keys[1].append(_ints(entry_at))
        keys[2].append(_file_numbers(part["file"], file_order))
        keys[3].append(_ints(part["line"]))
        keys[4].append(_ints(pc.index_in(part["severity"], value_set=severities)).astype(np.int8))
    if not log.pieces:
        return StoredFindings.empty(spill), {}
    suite_no, entry_at, file_no, line, severity = (np.concatenate(k) for k in keys)
    # lexsort is stable: ties keep the order the findings were made in, as list.sort did.
    order = np.lexsort((line, file_no, entry_numbers[entry_at], suite_no))
    group = entry_at[order]
    starts = np.flatnonzero(np.r_[True, group[1:] != group[:-1]])
    rank = np.arange(len(order)) - np.repeat(starts, np.diff(np.r_[starts, len(order)]))
    cap = np.array(
        [np.iinfo(np.int64).max if limits.get(s) is None else limits[s] for s in SEVERITIES],
        np.int64,
    )
    keep = rank < cap[severity[order]]
    kept_rows = order[keep]
    kept_groups = group[keep]
    kept: dict[Key, int] = {}
    ranges: dict[Key, tuple[int, int]] = {}
    if len(kept_rows):
        bounds = np.flatnonzero(np.r_[True, kept_groups[1:] != kept_groups[:-1]])
        ends = np.r_[bounds[1:], len(kept_rows)]
        for b, e in zip(bounds.tolist(), ends.tolist(), strict=True):
            key = entry_keys[int(kept_groups[b])]
            kept[key] = e - b
            ranges[key] = (b, e)
    counts = np.bincount(severity[kept_rows], minlength=len(SEVERITIES))
    path = os.path.join(spill.dir, f"sorted-{os.getpid()}-{next(spill.names)}.arrow")
    write_batches(path, _gathered(log.pieces, kept_rows))
    stored = StoredFindings(
        spill,
        path,
        0,
        len(kept_rows),
        ranges,
        Counter({s: int(n) for s, n in zip(SEVERITIES, counts.tolist(), strict=True) if n}),
    )
    return stored, kept


def _parts(pieces: list[Piece]) -> Iterator[pa.Table]:
    for name, start, end in pieces:
        yield _open(name).slice(start, end - start)


def _file_numbers(files: pa.ChunkedArray, file_order: Mapping[str, int]) -> np.ndarray:
    """The number of each finding's file; 0 for a file the run does not list (a corpus
    verdict stands at the suite file: it sorts first). Looked up once per distinct file of
    the findings: an Arrow set of every file of an archive would take more memory than the
    findings' sort keys."""
    coded = pc.dictionary_encode(files).combine_chunks()
    numbers = np.fromiter(
        (file_order.get(f, 0) for f in coded.dictionary.to_pylist()),
        np.int64,
        len(coded.dictionary),
    )
    return numbers[_ints(coded.indices)] if len(numbers) else np.zeros(len(coded), np.int64)


def _ints(array: pa.Array | pa.ChunkedArray) -> np.ndarray:
    return np.asarray(pc.fill_null(array, 0).to_numpy(zero_copy_only=False), np.int64)


def _gathered(pieces: list[Piece], rows: np.ndarray) -> Iterator[pa.RecordBatch]:
    """The rows (positions in the pieces laid end to end) in the order given, a batch at a
    time: each spill file is opened once per batch it contributes to, and only the rows
    taken are read from it."""
    offsets = np.cumsum([0] + [end - start for _, start, end in pieces])
    names = sorted({name for name, _, _ in pieces})
    file_of = np.array([names.index(name) for name, _, _ in pieces], np.int64)
    first = np.array([start for _, start, _ in pieces], np.int64)
    for at in range(0, len(rows), READ_ROWS):
        chunk = rows[at : at + READ_ROWS]
        piece = np.searchsorted(offsets, chunk, side="right") - 1
        where_in_file = chunk - offsets[piece] + first[piece]
        files = file_of[piece]
        parts: list[pa.Table] = []
        placed: list[np.ndarray] = []
        for f in np.unique(files).tolist():
            where = np.flatnonzero(files == f)
            parts.append(_open(names[f]).take(pa.array(where_in_file[where])))
            placed.append(where)
        table = pa.concat_tables(parts)
        back = np.argsort(np.concatenate(placed), kind="stable")
        yield from table.take(pa.array(back)).combine_chunks().to_batches()


# --- the Result's findings ------------------------------------------------------------------


Transform = Callable[[int, Finding], Finding]


@dataclass(frozen=True, eq=False)
class StoredFindings(FindingSequence):
    """Findings in one sorted spill file, rows ``start`` to ``end``, each passed through
    ``transform`` (its position, the finding) when read: redaction and the baseline's marks
    apply as the findings are read, never to a copy of them all."""

    spill: Spill
    path: str | None
    start: int
    end: int
    ranges: Mapping[Key, tuple[int, int]]
    counts: Counter[str]
    transform: Transform | None = None

    @classmethod
    def empty(cls, spill: Spill) -> StoredFindings:
        return cls(spill, None, 0, 0, {}, Counter())

    def __len__(self) -> int:
        return self.end - self.start

    def _table(self) -> pa.Table:
        assert self.path is not None
        return _open(self.path)

    def _read(self, start: int, end: int) -> Iterator[Finding]:
        """Rows ``start`` to ``end`` of this sequence, a batch at a time."""
        for at in range(start, end, READ_ROWS):
            stop = min(end, at + READ_ROWS)
            # Mapped again for each batch: the pages read leave this process's memory with
            # it, so reading every finding costs no more memory than reading a batch.
            found = _findings_of(self._table().slice(self.start + at, stop - at))
            if self.transform is None:
                yield from found
            else:
                for i, f in enumerate(found, at):
                    yield self.transform(i, f)

    def __iter__(self) -> Iterator[Finding]:
        return self._read(0, len(self))

    @overload
    def __getitem__(self, index: int) -> Finding: ...
    @overload
    def __getitem__(self, index: slice) -> list[Finding]: ...
    def __getitem__(self, index: int | slice) -> Finding | list[Finding]:
        if isinstance(index, slice):
            start, stop, step = index.indices(len(self))
            if step == 1:
                return list(self._read(start, stop))
            return [self[i] for i in range(start, stop, step)]
        i = index + len(self) if index < 0 else index
        if not 0 <= i < len(self):
            raise IndexError("finding index out of range")
        return next(self._read(i, i + 1))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Sequence) or isinstance(other, str | bytes):
            return NotImplemented
        return len(self) == len(other) and all(a == b for a, b in zip(self, other, strict=True))

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"<{len(self)} findings stored in {self.path}>"

    def __deepcopy__(self, memo: dict[int, Any]) -> StoredFindings:
        return self  # read-only: a copy would read the same rows

    def severities(self) -> Counter[str]:
        return Counter(self.counts)

    def of(self, suite: str, expectation_id: str) -> Sequence[Finding]:
        # ranges are rows of the file; a transform counts from this sequence's first row.
        start, end = self.ranges.get((suite, expectation_id), (0, 0))
        start, end = max(start, self.start), min(end, self.end)
        if end <= start:
            return []
        inner = self.transform
        shift = start - self.start

        def moved(i: int, f: Finding) -> Finding:
            return inner(i + shift, f) if inner is not None else f

        return StoredFindings(
            self.spill,
            self.path,
            start,
            end,
            {},
            Counter(),
            moved if inner is not None else None,
        )

    def mapped(self, fn: Transform) -> StoredFindings:
        inner = self.transform

        def both(i: int, f: Finding) -> Finding:
            return fn(i, inner(i, f) if inner is not None else f)

        return StoredFindings(
            self.spill, self.path, self.start, self.end, self.ranges, self.counts, both
        )


def mapped(findings: Sequence[Finding], fn: Transform) -> Sequence[Finding]:
    """``fn(position, finding)`` over ``findings``: lazily over stored findings, as a list
    over a list."""
    if isinstance(findings, StoredFindings):
        return findings.mapped(fn)
    return [fn(i, f) for i, f in enumerate(findings)]


def close_all() -> None:
    """Remove every spill directory of this process now (the end of a CLI run)."""
    for path, owner in list(_live.items()):
        if owner == os.getpid():
            with contextlib.suppress(OSError):
                shutil.rmtree(path)
        _live.pop(path, None)
    _release_signals()


def spill_dirs() -> list[Path]:
    """The live spill directories of this process (for tests and diagnostics)."""
    return [Path(p) for p, owner in _live.items() if owner == os.getpid()]
