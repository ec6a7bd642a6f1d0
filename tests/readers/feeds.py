"""One set of realistic records, written by the tests in every feed format and compression."""

from __future__ import annotations

import bz2
import gzip
import json
import lzma
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

RECORDS: list[dict[str, Any]] = [
    {
        "title": "Bank of Korea holds rate at 3.5 percent",
        "text": (
            "The Bank of Korea kept its benchmark rate at 3.5 percent on Thursday, its tenth "
            "straight freeze.\n\nGovernor Rhee Chang-yong said inflation was slowing but "
            "household debt remained a concern.\n\nMarkets had expected the decision."
        ),
        "date": "2024-05-23T10:12:00+09:00",
        "authors": ["LEE HA-YEON [lee.hayeon@joongang.co.kr]"],
        "tags": ["economy", "Bank of Korea", "interest rates"],
    },
    {
        "title": "Olympische Spiele: Paris zieht Bilanz",
        "text": (
            "Nach zwei Wochen Wettkämpfen zieht die Stadt Paris eine positive Bilanz der "
            "Olympischen Spiele.\n\n„Wir haben gezeigt, was möglich ist“, sagte die "
            "Bürgermeisterin am Montag."
        ),
        "date": "2024-08-12",
        "authors": ["Birgit Baumann <b.baumann@example.at>"],
        "tags": ["Olympische Spiele 2024 in Paris", "Olympische Spiele"],
    },
    {
        # Defects: no email in the byline, an empty tag list.
        "title": "Rain expected across the south on Friday",
        "text": "Heavy rain is expected across the southern provinces on Friday, forecasters said.",
        "date": "2024-07-05",
        "authors": ["KIM MIN-JI"],
        "tags": [],
    },
]


def as_csv_rows(records: list[dict[str, Any]]) -> list[dict[str, str]]:
    """CSV cells are text: lists joined with semicolons."""
    return [{k: "; ".join(v) if isinstance(v, list) else v for k, v in r.items()} for r in records]


def write_jsonl(path: Path, records: list[dict[str, Any]] = RECORDS) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), "utf-8")
    return path


def write_json(path: Path, records: list[dict[str, Any]] = RECORDS) -> Path:
    path.write_text(json.dumps(records, ensure_ascii=False, indent=1), "utf-8")
    return path


def write_csv(path: Path, records: list[dict[str, Any]] = RECORDS) -> Path:
    table = pa.Table.from_pylist(as_csv_rows(records))
    options = pa_csv.WriteOptions(delimiter="\t" if path.suffix == ".tsv" else ",")
    pa_csv.write_csv(table, path, write_options=options)
    return path


def write_parquet(path: Path, records: list[dict[str, Any]] = RECORDS) -> Path:
    pq.write_table(pa.Table.from_pylist(records), path)
    return path


WRITERS: dict[str, Callable[[Path], Path]] = {
    ".jsonl": write_jsonl,
    ".ndjson": write_jsonl,
    ".json": write_json,
    ".csv": write_csv,
    ".tsv": write_csv,
    ".parquet": write_parquet,
}


def _zstd(data: bytes) -> bytes:
    return bytes(pa.compress(data, codec="zstd", asbytes=True))


COMPRESSORS: dict[str, Callable[[bytes], bytes]] = {
    "": lambda data: data,
    ".gz": gzip.compress,
    ".bz2": bz2.compress,
    ".xz": lzma.compress,
    ".zst": _zstd,
}


def write_feed(directory: Path, suffix: str, compression: str = "") -> Path:
    """RECORDS as ``feed<suffix><compression>`` in ``directory``."""
    plain = WRITERS[suffix](directory / f"plain{suffix}")
    target = directory / f"feed{suffix}{compression}"
    target.write_bytes(COMPRESSORS[compression](plain.read_bytes()))
    plain.unlink()
    return target
