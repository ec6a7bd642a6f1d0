"""The input formats, in one table: the suffixes each is chosen by, and how it is read.

Every caller (the engines, the pytest plugin, fixtures) reads a file through ``read_file``;
discovery walks directories for ``KNOWN_SUFFIXES``. Adding a format is one reader function
and one row here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from toolkit.readers.compressed import COMPRESSIONS, decompress, split_compression
from toolkit.readers.dump import (
    DEFAULT_MAX_FILE_SIZE,
    ReadOutcome,
    ReadProblem,
    read_bytes,
    read_dump_data,
)
from toolkit.readers.mapping import FieldMapping, resolve_mapping

Reader = Callable[[bytes, str, FieldMapping], ReadOutcome]


def _records(fmt: str) -> Reader:
    """A record-feed reader, imported when a feed is read: pyarrow's JSON, CSV and Parquet
    modules cost start-up time that a run over dump text never needs."""

    def read(data: bytes, label: str, mapping: FieldMapping) -> ReadOutcome:
        from toolkit.readers import records

        if fmt in ("csv", "tsv"):
            return records.read_delimited(data, label, mapping, fmt)
        reader: Reader = getattr(records, f"read_{fmt}")
        return reader(data, label, mapping)

    return read


@dataclass(frozen=True)
class Format:
    name: str
    suffixes: tuple[str, ...]
    read: Reader
    description: str


FORMATS: dict[str, Format] = {
    f.name: f
    for f in (
        Format("dump", (".txt",), lambda d, lb, m: read_dump_data(d, lb), "article dump text"),
        Format("jsonl", (".jsonl", ".ndjson"), _records("jsonl"), "JSON Lines, one record a line"),
        Format("json", (".json",), _records("json"), "a JSON array of records"),
        Format("csv", (".csv",), _records("csv"), "CSV with a header row"),
        Format("tsv", (".tsv",), _records("tsv"), "TSV with a header row"),
        Format("parquet", (".parquet", ".pq"), _records("parquet"), "Apache Parquet"),
    )
}
_BY_SUFFIX = {s: f for f in FORMATS.values() for s in f.suffixes}
# Suffixes discovery reads: every format's, plain or compressed.
KNOWN_SUFFIXES = tuple(_BY_SUFFIX) + tuple(s + c for s in _BY_SUFFIX for c in COMPRESSIONS)
DEFAULT_MAPPING = resolve_mapping()


def is_known(name: str | Path) -> bool:
    return format_of(name) is not None


def format_of(name: str | Path, override: str | None = None) -> Format | None:
    """The format a file is read as: ``override`` (``--input-format``) or its suffix."""
    if override is not None:
        return FORMATS[override]
    inner, _ = split_compression(name)
    return _BY_SUFFIX.get(inner)


@dataclass(frozen=True)
class ReadOptions:
    """How input files are read: the same for every file of a run, and picklable, so that
    worker processes read as the parent would."""

    max_file_size: int = DEFAULT_MAX_FILE_SIZE
    # A format name of FORMATS for every file, instead of choosing by suffix.
    input_format: str | None = None
    mapping: FieldMapping = DEFAULT_MAPPING
    # Files the run writes or reads as settings (reports, the baseline): never read as input.
    exclude: tuple[Path, ...] = ()

    def read(self, path: str | Path, label: str) -> ReadOutcome:
        return read_file(path, label, self.mapping, self.input_format, self.max_file_size)


DEFAULT_READING = ReadOptions()


def read_file(
    path: str | Path,
    label: str | None = None,
    mapping: FieldMapping = DEFAULT_MAPPING,
    input_format: str | None = None,
    max_size: int = DEFAULT_MAX_FILE_SIZE,
) -> ReadOutcome:
    """Read one input file of any format into articles; never raises for bad content."""
    name = label if label is not None else str(path)
    data, problem = read_bytes(path, max_size)
    if problem is not None:
        return ReadOutcome(file=name, problems=[problem])
    return read_data(data, name, path, mapping, input_format, max_size)


def read_data(
    data: bytes,
    label: str,
    name: str | Path,
    mapping: FieldMapping = DEFAULT_MAPPING,
    input_format: str | None = None,
    max_size: int = DEFAULT_MAX_FILE_SIZE,
) -> ReadOutcome:
    """Read the bytes of one input file, its format and compression chosen by ``name``
    (its path or URL); ``label`` names it in findings. The readers of remote inputs
    (toolkit.readers.remote) hand their bytes here."""
    fmt = format_of(name, input_format) or FORMATS["dump"]
    _, compression = split_compression(name)
    problems: list[ReadProblem] = []
    if compression is not None:
        got = decompress(data, compression, max_size)
        data = got.data
        if got.damage is not None:
            problems.append(ReadProblem("compressed", got.damage))
        if not data and got.damage is not None:
            return ReadOutcome(file=label, problems=problems)
    outcome = fmt.read(data, label, mapping)
    outcome.problems[:0] = problems
    return outcome
