"""Reading dump files: bad input becomes a problem with a place, never an exception."""

from __future__ import annotations

import gzip
from pathlib import Path

from toolkit.readers import read_dump

ARTICLE = (
    " date 2025-03-11  A headline\nA headline\n\nPublished: 11 Mar. 2025, 17:03\n\n"
    "The body’s text.\n\nBY A B [a@b.kr]\ntags Korea\n"
)


def test_seed_reads_one_article(seed_text: str, tmp_path: Path) -> None:
    path = tmp_path / "seed.txt"
    path.write_text(seed_text, encoding="utf-8")
    out = read_dump(path, "seed.txt")
    assert out.problems == []
    assert len(out.articles) == 1
    assert out.articles[0].file == "seed.txt"


def test_not_utf8_names_offset_and_line_and_still_parses(tmp_path: Path) -> None:
    data = ARTICLE.encode("cp1252")
    path = tmp_path / "w.txt"
    path.write_bytes(data)
    out = read_dump(path)
    (problem,) = out.problems
    offset = data.index(b"\x92")
    assert problem.kind == "not_utf8"
    assert problem.offset == offset
    assert problem.line == 6
    assert f"offset {offset}" in problem.message and "0x92" in problem.message
    assert len(out.articles) == 1
    assert "\ufffd" in out.articles[0].paragraphs[0]


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "e.txt"
    path.write_bytes(b"")
    out = read_dump(path)
    assert [p.kind for p in out.problems] == ["empty"]
    assert "0 bytes" in out.problems[0].message
    assert out.articles == []


def test_whitespace_only_file(tmp_path: Path) -> None:
    path = tmp_path / "w.txt"
    path.write_text(" \n\u00a0\n\t\n", encoding="utf-8")
    out = read_dump(path)
    assert [p.kind for p in out.problems] == ["empty"]
    assert "white space" in out.problems[0].message


def test_binary_gzip(tmp_path: Path) -> None:
    path = tmp_path / "g.txt"
    path.write_bytes(gzip.compress(ARTICLE.encode()))
    out = read_dump(path)
    (problem,) = out.problems
    assert problem.kind == "binary"
    assert "gzip" in problem.message
    assert out.articles == []


def test_truncated_mid_character(tmp_path: Path) -> None:
    data = ARTICLE.encode("utf-8")
    cut = data.index("’".encode()) + 1  # inside the three bytes of the apostrophe
    path = tmp_path / "t.txt"
    path.write_bytes(data[:cut])
    out = read_dump(path)
    assert [p.kind for p in out.problems] == ["not_utf8"]
    assert out.problems[0].offset == cut - 1
    assert len(out.articles) == 1


def test_bom_is_dropped(tmp_path: Path) -> None:
    path = tmp_path / "b.txt"
    path.write_bytes(b"\xef\xbb\xbf" + ARTICLE.encode())
    out = read_dump(path)
    assert out.problems == []
    assert out.articles[0].date == "2025-03-11"


def test_unreadable_path_is_a_problem(tmp_path: Path) -> None:
    out = read_dump(tmp_path)  # a directory cannot be read as a file
    assert [p.kind for p in out.problems] == ["unreadable"]
