"""Every feed format and compression reads the same records into the same articles, with
places; bad records are problems with their place and the good records are still read."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from tests.readers.feeds import COMPRESSORS, RECORDS, WRITERS, write_feed, write_jsonl
from toolkit.readers.formats import KNOWN_SUFFIXES, format_of, read_file
from toolkit.readers.mapping import resolve_mapping

# The place of each record: JSONL line, JSON record number, CSV row (the header is row 1).
PLACES = {
    ".jsonl": [1, 2, 3],
    ".ndjson": [1, 2, 3],
    ".json": [1, 2, 3],
    ".csv": [2, 3, 4],
    ".tsv": [2, 3, 4],
    ".parquet": [1, 2, 3],
}


@pytest.mark.parametrize("compression", list(COMPRESSORS))
@pytest.mark.parametrize("suffix", list(WRITERS))
def test_each_format_and_compression_reads_the_same_articles(
    tmp_path: Path, suffix: str, compression: str
) -> None:
    path = write_feed(tmp_path, suffix, compression)
    out = read_file(path, path.name)
    assert out.problems == []
    assert [a.line for a in out.articles] == PLACES[suffix]
    first, german, rain = out.articles
    assert first.headline == "Bank of Korea holds rate at 3.5 percent"
    assert first.date == "2024-05-23"
    assert first.published == "2024-05-23T10:12:00+09:00"
    assert len(first.paragraphs) == 3
    assert first.byline_emails == ["lee.hayeon@joongang.co.kr"]
    # A multi-word tag stays one tag, whatever the format.
    assert first.tags == ["economy", "Bank of Korea", "interest rates"]
    assert german.tags == ["Olympische Spiele 2024 in Paris", "Olympische Spiele"]
    assert german.paragraphs[1].startswith("„Wir haben gezeigt")
    assert german.byline_emails == ["b.baumann@example.at"]
    assert rain.byline_emails == [] and rain.tags == []
    assert {a.title for a in out.articles} == {None}
    assert all(a.file == path.name for a in out.articles)


def test_known_suffixes_cover_every_format_and_compression() -> None:
    for suffix in WRITERS:
        assert suffix in KNOWN_SUFFIXES
        for compression in COMPRESSORS:
            assert format_of(f"x{suffix}{compression}") is not None
    assert format_of("x.txt.gz") is not None and format_of("x.txt.gz").name == "dump"  # type: ignore[union-attr]
    assert format_of("notes.md") is None


def test_dump_text_compressed_is_read_as_a_dump(tmp_path: Path, seed_text: str) -> None:
    path = tmp_path / "seed.txt.gz"
    path.write_bytes(gzip.compress(seed_text.encode("utf-8")))
    out = read_file(path, "seed.txt.gz")
    assert out.problems == []
    (article,) = out.articles
    assert article.headline is not None and article.headline.startswith("South Korea")
    assert article.source == "dump"


def test_malformed_json_line_is_a_problem_with_line_and_column(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "bad.jsonl")
    lines = path.read_text("utf-8").splitlines()
    lines.insert(1, '{"title": "cut off", "text": ')
    lines.insert(3, "[1, 2]")
    path.write_text("\n".join(lines) + "\n", "utf-8")
    out = read_file(path, "bad.jsonl")
    assert [a.line for a in out.articles] == [1, 3, 5]
    messages = sorted(p.message for p in out.problems)
    assert messages == [
        "1 record(s) not read: a JSON list, not an object (at line:column 4:1)",
        "1 record(s) not read: malformed JSON (Expecting value) (at line:column 2:30)",
    ]
    assert sorted(p.line for p in out.problems) == [2, 4]


def test_csv_row_with_wrong_field_count_is_a_problem_and_other_rows_are_read(
    tmp_path: Path,
) -> None:
    path = write_feed(tmp_path, ".csv")
    lines = path.read_text("utf-8").splitlines()
    # Right after the header: the records' cells hold newlines, so rows are not lines.
    lines.insert(1, '"only","three","fields"')
    path.write_text("\n".join(lines) + "\n", "utf-8")
    out = read_file(path, "feed.csv")
    assert [a.line for a in out.articles] == [3, 4, 5]
    assert out.articles[0].headline == RECORDS[0]["title"]
    (problem,) = out.problems
    assert problem.message == "1 record(s) not read: wrong number of fields (at row 2)"
    assert problem.line == 2


def test_missing_and_mistyped_fields_are_counted_once_per_cause(tmp_path: Path) -> None:
    records = [dict(r) for r in RECORDS * 4]
    for r in records[:5]:
        del r["tags"]
    records[6] = {**records[6], "title": 42}
    path = write_jsonl(tmp_path / "f.jsonl", records)
    out = read_file(path, "f.jsonl")
    assert len(out.articles) == 12
    messages = sorted(p.message for p in out.problems)
    assert messages == [
        "1 record(s): field 'title' (headline) holds a number, not text (at line 7)",
        "5 record(s): mapped field 'tags' (tags) is missing (at line 1, 2, 3, 4, 5)",
    ]
    assert out.articles[6].headline is None


def test_truncated_gzip_keeps_the_records_before_the_cut(tmp_path: Path) -> None:
    data = write_jsonl(tmp_path / "f.jsonl", RECORDS * 200).read_bytes()
    packed = gzip.compress(data)
    path = tmp_path / "cut.jsonl.gz"
    path.write_bytes(packed[: len(packed) // 2])
    out = read_file(path, "cut.jsonl.gz")
    kinds = [p.kind for p in out.problems]
    assert kinds[0] == "compressed" and "truncated" in out.problems[0].message
    # The records before the cut are read; the cut line itself is a malformed record.
    assert 10 < len(out.articles) < 600
    assert kinds[1:] == ["record"]


def test_decompression_is_capped(tmp_path: Path) -> None:
    path = tmp_path / "big.jsonl.gz"
    path.write_bytes(gzip.compress(b" " * 5_000_000))
    out = read_file(path, "big.jsonl.gz", max_size=1_000_000)
    assert "more than 1,000,000 bytes" in out.problems[0].message


def test_parquet_without_a_mapped_column_is_one_schema_problem(tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = tmp_path / "f.parquet"
    pq.write_table(pa.Table.from_pylist([{"title": "A", "text": "B"}] * 3), path)
    out = read_file(path, "f.parquet")
    assert len(out.articles) == 3
    (problem,) = out.problems
    assert problem.kind == "schema"
    assert problem.message.startswith("the Parquet schema has no column 'date' (date)")


def test_mapping_presets_and_overrides(tmp_path: Path) -> None:
    record = {
        "title": "A headline",
        "maintext": "First paragraph.\n\nSecond paragraph.",
        "date_publish": "2025-03-11 17:03:00",
        "authors": ["Kim Min-ji"],
    }
    path = tmp_path / "np.jsonl"
    path.write_text(json.dumps(record) + "\n", "utf-8")
    out = read_file(path, "np.jsonl", resolve_mapping("news-please"))
    assert out.problems == []
    (article,) = out.articles
    assert article.paragraphs == ["First paragraph.", "Second paragraph."]
    assert article.date == "2025-03-11" and article.published == "2025-03-11 17:03:00"
    assert article.byline_names == ["Kim Min-ji"]
    remapped = resolve_mapping("plain", {"body": "maintext", "date": "date_publish"})
    (again,) = read_file(path, "np.jsonl", remapped).articles
    assert again.paragraphs == article.paragraphs
    with pytest.raises(ValueError, match="unknown input preset 'nope'; presets: plain"):
        resolve_mapping("nope")
    with pytest.raises(ValueError, match="unknown article field 'bdy'"):
        resolve_mapping(None, {"bdy": "x"})


def test_body_as_list_of_paragraphs(tmp_path: Path) -> None:
    path = tmp_path / "l.jsonl"
    record = {**RECORDS[0], "text": ["One.", "  ", "Two."]}
    path.write_text(json.dumps(record) + "\n", "utf-8")
    (article,) = read_file(path, "l.jsonl").articles
    assert article.paragraphs == ["One.", "Two."]
