"""The archive index: the body hashes and near-duplicate signatures of already-archived
articles, kept on disk so that ``toolkit check --against INDEX`` finds incoming articles that
repeat them (body_archived, body_near_archived).

An index is a directory::

    archive.idx/
      index.json               format version, signature parameters, the list of segments
      segment-000001.parquet   one per `toolkit index build` / `toolkit index add`
      segment-000002.parquet

Each segment holds one row per archived article: its file and line (as findings show them),
its headline, the hash of its body (body_unique's: white space folded), the number of words,
the MinHash signature (body_near_duplicate's: ``num_perm`` uint32) and the LSH band keys of
that signature (``bands`` uint64), in row groups of ``ROW_GROUP`` articles.

Why Parquet segments and not SQLite with an index on band hashes:

- Building and appending are vectorised: a batch of articles is one Arrow table written as it
  is. SQLite would insert every article and every one of its band keys (14 a body: 140 million
  rows at 10 million articles) one at a time into a B-tree, and its index on random 64-bit
  keys makes that slower the larger the archive grows.
- Memory stays bounded whatever the archive holds: a lookup streams over the segments one row
  group at a time (the body hashes, word counts and band keys of 65,536 articles: about 8 MB),
  compares them with the incoming corpus in numpy (sorted arrays, ``searchsorted``), and reads
  a row group's signatures and places only when one of its articles is a candidate. What grows
  with the archive is the time of a lookup (about 130 bytes read per archived article, none of
  them kept), not its memory; the incoming side is held as body_near_duplicate holds it.
- An append writes a new segment and then replaces ``index.json`` (both by rename): segments
  already written are never rewritten, a crash half way leaves the index as it was, and two
  appends at once take turns on a lock file. Any Parquet reader (pyarrow, DuckDB, pandas) can
  read the segments.

An index records the signature parameters it was built with (shingle_words, num_perm and the
LSH bands of its threshold): `toolkit index add` with other parameters is refused, and
body_near_archived must ask for the same ones, since signatures made otherwise cannot be
compared. A missing or corrupt index (no index.json, a segment missing, truncated or of another
layout, an index.json of a newer toolkit) is an ArchiveIndexError naming the file.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import re
import shutil
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from toolkit import __version__
from toolkit.article import Article
from toolkit.batch import batched, to_frame
from toolkit.expectations.corpus import NearDuplicate, body_signatures
from toolkit.lsh import CAP, band_keys, bands, share_a_band, similarities, sorted_distinct
from toolkit.readers import discover
from toolkit.readers.discover import Skip
from toolkit.readers.dump import ReadProblem
from toolkit.readers.formats import DEFAULT_READING, ReadOptions
from toolkit.sightings import Sighting, place, text_column

if TYPE_CHECKING:
    from toolkit.suite import Suite

FORMAT = "toolkit-archive-index"
VERSION = 1
META_NAME = "index.json"
LOCK_NAME = ".lock"
# body_columns' signatures: datasketch's seeded permutations taken mod 2^32 over 32-bit
# shingle hashes (toolkit.expectations.corpus). A change there is a new scheme.
SCHEME = "minhash-u32-seed1"
ROW_GROUP = 1 << 16
_SEGMENT = re.compile(r"segment-(\d{6})\.parquet")


class ArchiveIndexError(Exception):
    """An index that cannot be used (missing, corrupt, newer, other parameters): the message
    names the file; the command line exits 2."""


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Signature(_Model):
    """How the index's signatures and band keys were made."""

    scheme: str = SCHEME
    shingle_words: int = Field(ge=1, le=12)
    num_perm: int = Field(ge=16, le=1024)
    threshold: float = Field(gt=0, le=1)
    bands: int = Field(ge=1)
    rows: int = Field(ge=1)

    @classmethod
    def of(cls, p: NearDuplicate) -> Signature:
        b, r = bands(p.threshold, p.num_perm)
        return cls(
            shingle_words=p.shingle_words,
            num_perm=p.num_perm,
            threshold=p.threshold,
            bands=b,
            rows=r,
        )

    def params(self) -> NearDuplicate:
        """body_near_archived's parameters for this index (min_words its default)."""
        return NearDuplicate(
            threshold=self.threshold, shingle_words=self.shingle_words, num_perm=self.num_perm
        )

    def shown(self) -> str:
        return (
            f"shingle_words {self.shingle_words}, num_perm {self.num_perm}, threshold "
            f"{self.threshold:g} ({self.bands} bands of {self.rows})"
        )


class SegmentInfo(_Model):
    # A plain name inside the index: index.json never makes a run read a file elsewhere.
    file: str = Field(pattern=f"^{_SEGMENT.pattern}$")
    articles: int = Field(ge=0)
    files: int = Field(ge=0)
    added: dt.datetime
    sources: list[str]


class Meta(_Model):
    format: Literal["toolkit-archive-index"]
    version: int
    tool_version: str
    signature: Signature
    segments: list[SegmentInfo]


def schema(sig: Signature) -> pa.Schema:
    return pa.schema(
        [
            ("file", pa.string()),
            ("line", pa.int64()),
            ("headline", pa.string()),
            ("body", pa.uint64()),
            ("has_body", pa.bool_()),
            ("words", pa.int64()),
            ("bands", pa.list_(pa.uint64(), sig.bands)),
            ("signature", pa.list_(pa.uint32(), sig.num_perm)),
        ]
    )


def _matrix(column: pa.ChunkedArray, width: int) -> np.ndarray:
    """A fixed-size list column as an (n, width) numpy matrix, without a copy where it can."""
    arr = column.combine_chunks() if column.num_chunks != 1 else column.chunk(0)
    values: np.ndarray = arr.flatten().to_numpy(zero_copy_only=False)
    return values.reshape(len(arr), width)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


@dataclass(frozen=True)
class _RowGroup:
    offset: int  # the archive-wide number of its first row
    segment: Path
    index: int
    rows: int


@dataclass
class ArchiveIndex:
    """An index on disk, opened: its parameters and segments, checked."""

    path: Path
    meta: Meta
    _groups: list[_RowGroup] = field(default_factory=list)

    @property
    def signature(self) -> Signature:
        return self.meta.signature

    @property
    def articles(self) -> int:
        return sum(s.articles for s in self.meta.segments)

    def describe(self) -> str:
        n = len(self.meta.segments)
        return (
            f"{self.path}: {self.articles:,} archived articles in {n} segment"
            f"{'s' if n != 1 else ''}"
        )

    def own_files(self) -> tuple[Path, ...]:
        """The index's own files: a run never reads them as input."""
        return (self.path / META_NAME, *(self.path / s.file for s in self.meta.segments))

    @classmethod
    def open(cls, path: Path) -> ArchiveIndex:
        """The index at ``path``, its index.json and every segment's footer checked."""
        meta = read_meta(path)
        expected = schema(meta.signature)
        groups = []
        offset = 0
        for seg in meta.segments:
            file = path / seg.file
            try:
                pf = pq.ParquetFile(file)
            except FileNotFoundError:
                raise ArchiveIndexError(
                    f"{file}: missing (listed in {path / META_NAME}): the index is incomplete; "
                    "rebuild it"
                ) from None
            except (OSError, pa.ArrowException) as exc:
                raise ArchiveIndexError(
                    f"{file}: not a readable index segment ({_first_line(exc)}): rebuild the index"
                ) from None
            if not pf.schema_arrow.equals(expected) or pf.metadata.num_rows != seg.articles:
                raise ArchiveIndexError(
                    f"{file}: not the segment {path / META_NAME} lists ({pf.metadata.num_rows} "
                    f"rows, {seg.articles} expected, or another layout): rebuild the index"
                )
            for i in range(pf.num_row_groups):
                rows = pf.metadata.row_group(i).num_rows
                groups.append(_RowGroup(offset, file, i, rows))
                offset += rows
        return cls(path, meta, groups)

    def _read(self, group: _RowGroup, columns: list[str]) -> pa.Table:
        try:
            return pq.ParquetFile(group.segment).read_row_group(group.index, columns=columns)
        except (OSError, pa.ArrowException) as exc:
            raise ArchiveIndexError(
                f"{group.segment}: row group {group.index} cannot be read ({_first_line(exc)}): "
                "rebuild the index"
            ) from None

    def _scan(self, columns: list[str]) -> Iterator[tuple[_RowGroup, pa.Table]]:
        for group in self._groups:
            if group.rows:
                yield group, self._read(group, columns)

    # --- lookups ----------------------------------------------------------------------------

    def exact(self, hashes: np.ndarray, present: np.ndarray) -> np.ndarray:
        """For each incoming body (its hash, where ``present``), the first archived row with
        the same body hash, or -1."""
        keys = sorted_distinct(hashes[present])
        first = np.full(len(keys), -1, dtype=np.int64)
        if len(keys):
            for group, table in self._scan(["body", "has_body"]):
                body = table["body"].to_numpy()
                has = table["has_body"].to_numpy()
                at = np.minimum(np.searchsorted(keys, body), len(keys) - 1)
                hit = np.flatnonzero(has & (keys[at] == body))
                if not len(hit):
                    continue
                # Hits come in row order: the first of each key is the earliest archived.
                hit_keys, where = np.unique(at[hit], return_index=True)
                new = first[hit_keys] < 0
                first[hit_keys[new]] = group.offset + hit[where[new]]
        out = np.full(len(hashes), -1, dtype=np.int64)
        if len(keys):
            at = np.minimum(np.searchsorted(keys, hashes), len(keys) - 1)
            found = present & (keys[at] == hashes)
            out[found] = first[at[found]]
        return out

    def near(
        self, sig: np.ndarray, eligible: np.ndarray, p: NearDuplicate
    ) -> tuple[np.ndarray, np.ndarray]:
        """For each incoming signature (where ``eligible``), the most similar archived body
        (the earliest of equals) of at least ``min_words`` words that shares an LSH band with
        it and is estimated at least ``threshold`` similar, as body_near_duplicate judges a
        pair; -1 for none. Returns the archived rows and the similarities.

        As in toolkit.lsh, each incoming body meets at most ``CAP`` archived bodies of each of
        its buckets (the earliest): a template archived a million times costs CAP pairs."""
        b, r = self.signature.bands, self.signature.rows
        match = np.full(len(sig), -1, dtype=np.int64)
        best = np.zeros(len(sig), dtype=np.float64)
        at = np.flatnonzero(eligible)
        if not len(at) or not self._groups:
            return match, best
        mine = sig[at]
        flat = band_keys(mine, b, r).ravel()
        order = np.argsort(flat, kind="stable")
        keys, owner = flat[order], (order // b).astype(np.int64)
        starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])
        distinct = keys[starts]
        sizes = np.diff(np.r_[starts, len(keys)])
        taken = np.zeros(len(distinct), dtype=np.int64)  # archived partners met, per bucket
        for group, table in self._scan(["has_body", "words", "bands"]):
            ok = table["has_body"].to_numpy() & (table["words"].to_numpy() >= p.min_words)
            archived = _matrix(table["bands"], b).ravel()
            arow = np.repeat(np.arange(group.rows, dtype=np.int64), b)
            g = np.minimum(np.searchsorted(distinct, archived), len(distinct) - 1)
            hit = np.flatnonzero(ok[arow] & (distinct[g] == archived))
            if not len(hit):
                continue
            hg, ha = g[hit], arow[hit]
            o = np.lexsort((ha, hg))
            hg, ha = hg[o], ha[o]
            first = np.flatnonzero(np.r_[True, hg[1:] != hg[:-1]])
            rank = np.arange(len(hg)) - np.repeat(first, np.diff(np.r_[first, len(hg)]))
            keep = rank < CAP - taken[hg]
            hg, ha = hg[keep], ha[keep]
            taken += np.bincount(hg, minlength=len(distinct))
            count = sizes[hg]
            if not count.sum():
                continue
            step = np.arange(int(count.sum())) - np.repeat(np.cumsum(count) - count, count)
            mine_rows = owner[np.repeat(starts[hg], count) + step]
            code = sorted_distinct(mine_rows * group.rows + np.repeat(ha, count))
            later, earlier = code // group.rows, code % group.rows
            theirs = _matrix(self._read(group, ["signature"])["signature"], self.signature.num_perm)
            share = similarities(mine, earlier, later, other=theirs)
            keep = share >= p.threshold
            later, earlier, share = later[keep], earlier[keep], share[keep]
            keep = share_a_band(mine, earlier, later, b, r, other=theirs)
            later, earlier, share = later[keep], earlier[keep], share[keep]
            if not len(later):
                continue
            o = np.lexsort((earlier, -share, later))
            later, earlier, share = later[o], earlier[o], share[o]
            head = np.r_[True, later[1:] != later[:-1]]
            later, earlier, share = later[head], earlier[head], share[head]
            # Row groups come in archive order: an equal similarity later is not the earliest.
            better = share > best[at[later]]
            best[at[later[better]]] = share[better]
            match[at[later[better]]] = group.offset + earlier[better]
        return match, best

    def places(self, rows: Sequence[int] | np.ndarray) -> dict[int, str]:
        """``file:line ('headline')`` of archived rows, as messages name an article."""
        wanted = sorted_distinct(np.asarray(rows, dtype=np.int64))
        if not len(wanted):
            return {}
        offsets = np.array([g.offset for g in self._groups], dtype=np.int64)
        owner = np.searchsorted(offsets, wanted, side="right") - 1
        out: dict[int, str] = {}
        for k in np.unique(owner).tolist():
            group = self._groups[k]
            mine = wanted[owner == k]
            table = self._read(group, ["file", "line", "headline"])
            taken = table.take(pa.array(mine - group.offset, type=pa.int64())).to_pylist()
            for row, record in zip(mine.tolist(), taken, strict=True):
                shown = Sighting(
                    order=(0, 0),
                    file=record["file"],
                    line=record["line"],
                    key=None,
                    excerpt="",
                    headline=record["headline"],
                )
                out[row] = place(shown)
        return out

    def mismatch(self, p: NearDuplicate) -> str | None:
        """Why body_near_archived with ``p`` cannot be judged against this index, if so."""
        theirs = Signature.of(p)
        mine = self.signature
        if (theirs.shingle_words, theirs.num_perm, theirs.bands, theirs.rows) == (
            mine.shingle_words,
            mine.num_perm,
            mine.bands,
            mine.rows,
        ):
            return None
        return (
            f"{self.path} was built with {mine.shown()}; body_near_archived asks for "
            f"{theirs.shown()}: give the entry the index's parameters, or build an index with "
            "them (toolkit index build --shingle-words N --num-perm N --threshold X)"
        )


def read_meta(path: Path) -> Meta:
    """The index.json of the index at ``path``, checked."""
    if not path.exists():
        raise ArchiveIndexError(
            f"{path}: no such archive index (make one with `toolkit index build ARCHIVE -o {path}`)"
        )
    if not path.is_dir():
        raise ArchiveIndexError(
            f"{path}: not an archive index (a directory made by `toolkit index build`)"
        )
    meta_path = path / META_NAME
    try:
        raw = json.loads(meta_path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ArchiveIndexError(
            f"{path}: not an archive index: it has no {META_NAME} (made by `toolkit index build`)"
        ) from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ArchiveIndexError(f"{meta_path}: not readable as JSON ({_first_line(exc)})") from None
    if isinstance(raw, dict) and raw.get("format") == FORMAT:
        version = raw.get("version")
        if isinstance(version, int) and version > VERSION:
            raise ArchiveIndexError(
                f"{meta_path}: written by a newer toolkit (index version {version}; this one "
                f"reads version {VERSION}): upgrade the toolkit"
            )
    try:
        meta = Meta.model_validate(raw)
    except ValidationError as exc:
        problem = exc.errors()[0]
        where = ".".join(str(p) for p in problem["loc"]) or "the document"
        raise ArchiveIndexError(
            f"{meta_path}: not a toolkit archive index ({where}: {problem['msg']})"
        ) from None
    if meta.version != VERSION or meta.signature.scheme != SCHEME:
        raise ArchiveIndexError(
            f"{meta_path}: an index of version {meta.version}, scheme {meta.signature.scheme}; "
            f"this toolkit reads version {VERSION}, scheme {SCHEME}: rebuild the index"
        )
    return meta


# --- building and adding ----------------------------------------------------------------------


@dataclass
class Indexed:
    """What a build or an add read and wrote."""

    files: int = 0
    articles: int = 0
    problems: list[tuple[str, ReadProblem]] = field(default_factory=list)
    skipped: list[Skip] = field(default_factory=list)
    missing: list[Path] = field(default_factory=list)
    segment: Path | None = None


class NothingToIndex(Exception):
    """No input file, or zero articles: no index written or changed (exit 3)."""


def _found(sources: list[Path], reading: ReadOptions) -> tuple[Indexed, list[tuple[Path, str]]]:
    """The archive files under ``sources`` (before anything is written), and what was not
    read; no file at all is NothingToIndex."""
    found = discover(sources, exclude=reading.exclude)
    out = Indexed(skipped=found.skipped, missing=found.missing)
    files = list(zip(found.files, found.labels, strict=True))
    if not files:
        raise NothingToIndex("no input files")
    return out, files


def _write_segment(
    target: Path,
    out: Indexed,
    files: list[tuple[Path, str]],
    sig: Signature,
    reading: ReadOptions,
    batch_size: int,
    on_file: Callable[[int, int], None] | None = None,
) -> Indexed:
    """Read every archived article of ``files`` into one segment file ``target``, in row
    groups of ROW_GROUP articles; memory holds one batch and one row group."""
    file_numbers = {label: i for i, (_, label) in enumerate(files)}

    def articles() -> Iterator[Article]:
        for path, label in files:
            outcome = reading.read(path, label)
            out.files += 1
            out.problems += [(outcome.file, p) for p in outcome.problems]
            if on_file is not None:
                on_file(out.files, out.articles + len(outcome.articles))
            yield from outcome.articles

    shape = schema(sig)
    pending: list[pa.Table] = []
    held = 0
    with pq.ParquetWriter(target, shape) as writer:
        for chunk in batched(articles(), batch_size):
            frame = to_frame(chunk, file_numbers)
            hashes, present, signature, words = body_signatures(
                frame, sig.shingle_words, sig.num_perm
            )
            keys = band_keys(signature, sig.bands, sig.rows)
            columns = {
                "file": text_column(frame["file"]),
                "line": pa.array(frame["line"].to_numpy(dtype=np.int64)),
                "headline": text_column(frame["headline"]),
                "body": pa.array(hashes.astype(np.uint64)),
                "has_body": pa.array(present),
                "words": pa.array(words),
                "bands": pa.FixedSizeListArray.from_arrays(pa.array(keys.ravel()), sig.bands),
                "signature": pa.FixedSizeListArray.from_arrays(
                    pa.array(signature.ravel()), sig.num_perm
                ),
            }
            table = pa.table(columns, schema=shape)
            out.articles += len(chunk)
            pending.append(table)
            held += len(table)
            if held >= ROW_GROUP:
                writer.write_table(pa.concat_tables(pending), row_group_size=ROW_GROUP)
                pending, held = [], 0
        if pending:
            writer.write_table(pa.concat_tables(pending), row_group_size=ROW_GROUP)
    if not out.articles:
        raise NothingToIndex("zero articles in the input")
    return out


def _segment_info(name: str, indexed: Indexed, sources: list[Path]) -> SegmentInfo:
    from toolkit.engine import display_path

    return SegmentInfo(
        file=name,
        articles=indexed.articles,
        files=indexed.files,
        added=dt.datetime.now(dt.UTC),
        sources=[display_path(s) for s in sources],
    )


def _write_meta(directory: Path, meta: Meta) -> None:
    temp = directory / f"{META_NAME}.tmp"
    temp.write_text(meta.model_dump_json(indent=2) + "\n", encoding="utf-8")
    os.replace(temp, directory / META_NAME)


def build(
    path: Path,
    sources: list[Path],
    p: NearDuplicate,
    reading: ReadOptions = DEFAULT_READING,
    batch_size: int = 5000,
    on_file: Callable[[int, int], None] | None = None,
) -> Indexed:
    """A new index at ``path`` (which must not exist) of every article under ``sources``. It
    is written beside ``path`` and renamed into place: a failed build leaves nothing."""
    if path.exists() or path.is_symlink():
        raise ArchiveIndexError(
            f"{path}: already exists: `toolkit index add {path} ARCHIVE` appends to an index; "
            "remove it to build a new one"
        )
    if not path.parent.is_dir():
        raise ArchiveIndexError(f"{path.parent}: no such directory for the index")
    sig = Signature.of(p)
    out, files = _found(sources, reading)
    temp = path.parent / f".{path.name}.tmp-{os.getpid()}"
    try:
        temp.mkdir()
        name = "segment-000001.parquet"
        indexed = _write_segment(temp / name, out, files, sig, reading, batch_size, on_file)
        meta = Meta(
            format=FORMAT,
            version=VERSION,
            tool_version=__version__,
            signature=sig,
            segments=[_segment_info(name, indexed, sources)],
        )
        _write_meta(temp, meta)
        os.rename(temp, path)
    except BaseException:
        shutil.rmtree(temp, ignore_errors=True)
        raise
    indexed.segment = path / name
    return indexed


def add(
    path: Path,
    sources: list[Path],
    p: NearDuplicate | None = None,
    reading: ReadOptions = DEFAULT_READING,
    batch_size: int = 5000,
    on_file: Callable[[int, int], None] | None = None,
) -> Indexed:
    """Append a segment of every article under ``sources`` to the index at ``path``. ``p``,
    when given, must be the index's signature parameters. Two adds at once take turns (a
    lock on ``path/.lock``); the index's own files are never read as input."""
    import fcntl

    meta = read_meta(path)
    if p is not None and Signature.of(p) != meta.signature:
        raise ArchiveIndexError(
            f"{path} was built with {meta.signature.shown()}, not {Signature.of(p).shown()}: "
            "its signatures could not be compared with the new ones; add without these options, "
            "or build a new index"
        )
    with open(path / LOCK_NAME, "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        index = ArchiveIndex.open(path)  # as it is now that this add holds the lock
        meta = index.meta
        numbers = [int(m.group(1)) for s in meta.segments if (m := _SEGMENT.fullmatch(s.file))]
        numbers += [int(m.group(1)) for f in os.listdir(path) if (m := _SEGMENT.fullmatch(f))]
        name = f"segment-{max(numbers, default=0) + 1:06d}.parquet"
        temp = path / f"{name}.tmp"
        reading = dataclasses.replace(reading, exclude=(*reading.exclude, *index.own_files()))
        out, files = _found(sources, reading)
        try:
            indexed = _write_segment(temp, out, files, meta.signature, reading, batch_size, on_file)
            os.replace(temp, path / name)
        except BaseException:
            temp.unlink(missing_ok=True)
            raise
        segments = [*meta.segments, _segment_info(name, indexed, sources)]
        _write_meta(path, meta.model_copy(update={"segments": segments}))
    indexed.segment = path / name
    return indexed


# --- a run against an index -------------------------------------------------------------------


def arm(suites: list[Suite], index: ArchiveIndex) -> bool:
    """Make the run judge ``index``: when no suite names an archive expectation, both are added
    to the first suite with their default severity (body_near_archived with the index's
    signature parameters). True if they were added. Either way, a body_near_archived entry that
    asks for other signature parameters than the index's is an ArchiveIndexError."""
    from toolkit.expectations.archive import (
        ArchiveExpectation,
        body_archived,
        body_near_archived,
    )
    from toolkit.suite import SuiteEntry

    named = [
        (suite, entry)
        for suite in suites
        for entry in suite.entries
        if isinstance(entry.expectation, ArchiveExpectation) and not entry.off
    ]
    for suite, entry in named:
        if entry.expectation is body_near_archived and isinstance(entry.params, NearDuplicate):
            problem = index.mismatch(entry.params)
            if problem is not None:
                where = f"{suite.file}:{entry.line}" if entry.line else suite.file
                raise ArchiveIndexError(f"{where}: {entry.id}: {problem}")
    if named or not suites:
        return False
    suites[0].entries += [
        SuiteEntry(id=exp.name, expectation=exp, params=params, severity=exp.severity, line=0)
        for exp, params in (
            (body_archived, body_archived.params()),
            (body_near_archived, index.signature.params()),
        )
    ]
    return True
