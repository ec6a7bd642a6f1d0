"""Record feeds (JSON Lines, JSON, CSV/TSV, Parquet) read in bulk by pyarrow, then mapped.

Each format reads its bytes into an Arrow table and the place of each record (JSONL line,
JSON record number, CSV row with the header as row 1, Parquet row), falling back to a
record-by-record read only to locate what pyarrow refuses, so that one malformed record is a
finding with its place and the rest of the file is still read.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterable, Mapping
from typing import Any

import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.json as pa_json

from toolkit.readers.dump import ReadOutcome, ReadProblem
from toolkit.readers.mapping import FieldMapping, RecordProblems, to_article

# The word each format uses for a record's place, as findings show it.
UNITS = {"jsonl": "line", "json": "record", "csv": "row", "tsv": "row", "parquet": "row"}


def outcome_of(
    label: str,
    fmt: str,
    records: Iterable[tuple[int, Mapping[str, Any]]],
    mapping: FieldMapping,
    problems: RecordProblems,
    read_problems: list[ReadProblem],
) -> ReadOutcome:
    """Map records to articles and group the record problems into one finding per cause."""
    outcome = ReadOutcome(file=label, problems=list(read_problems))
    outcome.articles = [to_article(r, mapping, label, at, problems, fmt) for at, r in records]
    unit = UNITS[fmt]
    for cause, places in problems.causes.items():
        count = problems.counts[cause]
        shown = ", ".join(str(p) for p in places)
        more = " …" if count > len(places) else ""
        outcome.problems.append(
            ReadProblem(
                "record",
                f"{count} record(s): {cause} (at {unit} {shown}{more})",
                line=places[0],
            )
        )
    if not outcome.articles and not outcome.problems:
        outcome.problems.append(ReadProblem("empty", f"the file holds no record ({fmt})"))
    return outcome


def _string_schema(mapping: FieldMapping) -> pa.Schema:
    # Mapped text fields are read as text: pyarrow would otherwise turn "2025-03-11 17:03"
    # into a timestamp and lose how the feed wrote it.
    names = [v for k, v in mapping.fields().items() if k not in ("body", "byline", "tags")]
    return pa.schema([(n, pa.string()) for n in dict.fromkeys(names)])


def read_jsonl(data: bytes, label: str, mapping: FieldMapping) -> ReadOutcome:
    problems = RecordProblems()
    lines = data.split(b"\n")
    places = [i + 1 for i, ln in enumerate(lines) if ln.strip()]
    try:
        table = pa_json.read_json(
            io.BytesIO(data),
            parse_options=pa_json.ParseOptions(
                explicit_schema=_string_schema(mapping), unexpected_field_behavior="infer"
            ),
        )
        rows = table.to_pylist()
        if len(rows) != len(places):
            raise ValueError("record count differs from the line count")
        records: list[tuple[int, Mapping[str, Any]]] = list(zip(places, rows, strict=True))
        bad: list[ReadProblem] = []
    except (pa.ArrowInvalid, ValueError):
        records, bad = _jsonl_by_line(lines, places)
    return outcome_of(label, "jsonl", records, mapping, problems, bad)


def _jsonl_by_line(
    lines: list[bytes], places: list[int]
) -> tuple[list[tuple[int, Mapping[str, Any]]], list[ReadProblem]]:
    """Record by record, for a file pyarrow refuses: each malformed line is a problem with
    its line and column; the others are read."""
    records: list[tuple[int, Mapping[str, Any]]] = []
    bad: dict[str, list[tuple[int, int]]] = {}
    for at in places:
        raw = lines[at - 1]
        try:
            value = json.loads(raw)
        except UnicodeDecodeError:
            bad.setdefault("not UTF-8", []).append((at, 1))
            continue
        except json.JSONDecodeError as exc:
            bad.setdefault(f"malformed JSON ({exc.msg})", []).append((at, exc.colno))
            continue
        if not isinstance(value, dict):
            bad.setdefault(f"a JSON {type(value).__name__}, not an object", []).append((at, 1))
            continue
        records.append((at, value))
    return records, [_grouped(cause, seen, "line") for cause, seen in bad.items()]


def _grouped(cause: str, seen: list[tuple[int, int]], unit: str) -> ReadProblem:
    shown = ", ".join(f"{line}:{col}" if col else str(line) for line, col in seen[:5])
    more = " …" if len(seen) > 5 else ""
    where = f"{unit}:column" if any(col for _, col in seen) else unit
    return ReadProblem(
        "record",
        f"{len(seen)} record(s) not read: {cause} (at {where} {shown}{more})",
        line=seen[0][0],
    )


def read_json(data: bytes, label: str, mapping: FieldMapping) -> ReadOutcome:
    """A JSON array of records (or one object holding one)."""
    problems = RecordProblems()
    try:
        value = json.loads(data)
    except UnicodeDecodeError:
        return outcome_of(
            label, "json", [], mapping, problems, [ReadProblem("not_utf8", "the file is not UTF-8")]
        )
    except json.JSONDecodeError as exc:
        return outcome_of(
            label,
            "json",
            [],
            mapping,
            problems,
            [
                ReadProblem(
                    "record",
                    f"malformed JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}; no "
                    "record could be read",
                    line=exc.lineno,
                )
            ],
        )
    items = value if isinstance(value, list) else [value]
    records: list[tuple[int, Mapping[str, Any]]] = []
    for n, item in enumerate(items, start=1):
        if isinstance(item, dict):
            records.append((n, item))
        else:
            problems.add(f"a JSON {type(item).__name__}, not an object", n)
    return outcome_of(label, "json", records, mapping, problems, [])


def read_delimited(data: bytes, label: str, mapping: FieldMapping, fmt: str) -> ReadOutcome:
    """CSV or TSV with a header row; a row with the wrong number of fields is a problem at
    its row (the header is row 1) and the other rows are read."""
    problems = RecordProblems()
    wrong: list[tuple[int, int]] = []

    def invalid(row: Any) -> str:
        wrong.append((int(row.number or 0), 0))
        return "skip"

    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        # pyarrow does not check the header's names; a bad byte there would end the run.
        line = data.count(b"\n", 0, exc.start) + 1
        message = f"the file is not UTF-8: byte 0x{data[exc.start]:02x} at offset {exc.start}"
        return outcome_of(
            label, fmt, [], mapping, problems, [ReadProblem("not_utf8", message, line=line)]
        )
    try:
        table = pa_csv.read_csv(
            io.BytesIO(data),
            # One thread: pyarrow gives the row number of a bad row only then.
            read_options=pa_csv.ReadOptions(use_threads=False),
            parse_options=pa_csv.ParseOptions(
                delimiter="\t" if fmt == "tsv" else ",",
                newlines_in_values=True,
                invalid_row_handler=invalid,
            ),
            convert_options=pa_csv.ConvertOptions(
                column_types=_string_schema(mapping), strings_can_be_null=False
            ),
        )
    except pa.ArrowInvalid as exc:
        return outcome_of(
            label,
            fmt,
            [],
            mapping,
            problems,
            [ReadProblem("record", f"the {fmt.upper()} file cannot be read: {exc}")],
        )
    skipped = {line for line, _ in wrong}
    places = (n for n in range(2, table.num_rows + len(skipped) + 2) if n not in skipped)
    records = list(zip(places, _rows(table), strict=False))
    bad = [_grouped("wrong number of fields", wrong, "row")] if wrong else []
    return outcome_of(label, fmt, records, mapping, problems, bad)


def read_parquet(data: bytes, label: str, mapping: FieldMapping) -> ReadOutcome:
    import pyarrow.parquet as pq

    problems = RecordProblems()
    try:
        table = pq.read_table(io.BytesIO(data))
    except (pa.ArrowInvalid, OSError) as exc:
        return outcome_of(
            label,
            "parquet",
            [],
            mapping,
            problems,
            [ReadProblem("record", f"the Parquet file cannot be read: {exc}")],
        )
    absent = {t: s for t, s in mapping.fields().items() if s not in table.column_names}
    bad = []
    if absent:
        # One problem for the schema, not one per row; the fields stay empty, so the
        # expectations on them report the articles too.
        mapping = mapping.model_copy(update=dict.fromkeys(absent))
        missing = [f"{s!r} ({t})" for t, s in absent.items()]
        bad.append(
            ReadProblem(
                "schema",
                f"the Parquet schema has no column {', '.join(missing)}; its columns: "
                + ", ".join(table.column_names[:20]),
            )
        )
    records = list(enumerate(_rows(table), start=1))
    return outcome_of(label, "parquet", records, mapping, problems, bad)


def _rows(table: pa.Table) -> list[dict[str, Any]]:
    try:
        rows: list[dict[str, Any]] = table.to_pylist()
    except UnicodeDecodeError:
        # A column name that is not UTF-8 (Parquet does not check them): its values are
        # dropped, the other columns read.
        good = [n for n in range(table.num_columns) if _utf8_name(table, n)]
        rows = table.select(good).to_pylist()
    return rows


def _utf8_name(table: pa.Table, n: int) -> bool:
    try:
        table.field(n).name  # noqa: B018 - decoding the name is the test
    except UnicodeDecodeError:
        return False
    return True
