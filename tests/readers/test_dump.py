"""Reading dump files: bad input becomes a problem with a place, never an exception."""

from __future__ import annotations

import gzip
import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from toolkit.readers import parse_size, read_dump

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


def test_cr_only_line_ends_give_every_article_at_its_line(tmp_path: Path) -> None:
    path = tmp_path / "mac.txt"
    path.write_bytes(ARTICLE.replace("\n", "\r").encode() * 2300)
    out = read_dump(path)
    assert out.problems == []
    assert len(out.articles) == 2300
    per_article = ARTICLE.count("\n")
    assert [a.line for a in out.articles[:3]] == [1, 1 + per_article, 1 + 2 * per_article]
    assert out.articles[-1].line == 1 + 2299 * per_article
    assert out.articles[0].tags_raw == "Korea"


def test_cr_only_not_utf8_counts_lines_by_cr(tmp_path: Path) -> None:
    data = ARTICLE.replace("\n", "\r").encode("cp1252")
    path = tmp_path / "w.txt"
    path.write_bytes(data)
    (problem,) = read_dump(path).problems
    assert problem.kind == "not_utf8" and problem.line == 6


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be"])
def test_utf16_and_utf32_with_bom_are_decoded(tmp_path: Path, codec: str) -> None:
    path = tmp_path / "wide.txt"
    path.write_bytes(("\ufeff" + ARTICLE).encode(codec))
    out = read_dump(path)
    assert out.problems == []
    (article,) = out.articles
    assert article.date == "2025-03-11"
    assert article.paragraphs == ["The body’s text."]


def test_utf16_without_bom_is_still_binary(tmp_path: Path) -> None:
    path = tmp_path / "wide.txt"
    path.write_bytes(ARTICLE.encode("utf-16-le"))
    assert [p.kind for p in read_dump(path).problems] == ["binary"]


def test_utf16_with_bom_and_a_broken_unit_is_named_and_still_read(tmp_path: Path) -> None:
    data = ("\ufeff" + ARTICLE).encode("utf-16-le") + b"\x00\xd8"  # a lone high surrogate
    path = tmp_path / "wide.txt"
    path.write_bytes(data)
    out = read_dump(path)
    (problem,) = out.problems
    assert problem.kind == "bad_encoding"
    assert problem.offset == len(data) - 2
    assert "UTF-16 byte order mark but is not valid UTF-16" in problem.message
    assert len(out.articles) == 1


def test_file_over_the_size_cap_is_not_read(tmp_path: Path) -> None:
    path = tmp_path / "big.txt"
    path.write_bytes(ARTICLE.encode() * 100)
    out = read_dump(path, max_size=1024)
    (problem,) = out.problems
    assert problem.kind == "too_large"
    size = len(ARTICLE.encode()) * 100
    assert problem.message == (
        f"the file is {size / 1024:.1f} KiB ({size:,} bytes), over the limit of 1.0 KiB "
        "(1,024 bytes): it was not read; raise --max-file-size to check it"
    )
    assert out.articles == []
    assert read_dump(path, max_size=size).problems == []


def test_fifo_and_device_are_never_read(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.txt")
    for path in (tmp_path / "pipe.txt", Path("/dev/zero")):
        out = read_dump(path)
        assert [(p.kind, p.message) for p in out.problems] == [
            ("not_regular", "not a regular file: it was not read")
        ]


def test_read_error_is_a_problem(tmp_path: Path) -> None:
    # A regular file whose read fails (EIO), which chmod cannot give a test running as root.
    link = tmp_path / "mem.txt"
    link.symlink_to("/proc/self/mem")
    out = read_dump(link)
    assert [(p.kind, p.message) for p in out.problems] == [
        ("unreadable", "cannot read the file: Input/output error")
    ]


@pytest.mark.parametrize(
    ("text", "size"),
    [
        ("0", 0),
        ("512", 512),
        ("10K", 10240),
        ("10MB", 10 * 1024**2),
        ("2g", 2 * 1024**3),
        ("1MiB", 1024**2),
    ],
)
def test_parse_size(text: str, size: int) -> None:
    assert parse_size(text) == size


@pytest.mark.parametrize("text", ["", "M", "1.5M", "-1", "10X", "ten"])
def test_parse_size_refuses(text: str) -> None:
    with pytest.raises(ValueError, match="is not a size"):
        parse_size(text)


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    data=st.binary(max_size=2048),
    prefix=st.sampled_from(
        [b"", b"\xff\xfe", b"\xfe\xff", b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff", b"\xef\xbb\xbf"]
    ),
)
def test_any_bytes_give_articles_or_problems_never_an_exception(
    tmp_path: Path, data: bytes, prefix: bytes
) -> None:
    path = tmp_path / "any.txt"
    path.write_bytes(prefix + data)
    out = read_dump(path)
    assert out.articles or out.problems
    assert all(p.line >= 1 for p in out.problems)


_DUMP_LINES = [
    " date 2025-03-11  Seoul stocks close higher",
    "date 2025-03-12 Exports rose",
    "Seoul stocks close higher",
    "Published: 11 Mar. 2025, 17:03",
    "A photo of the exchange [YONHAP]",
    "The Kospi rose 1.2 percent.",
    "  indented\u00a0line\t",
    "\u00a0",
    "",
    "BY SEO JI-EUN [seo.jieun@joongang.co.kr]",
    "By Kim Min-ji [kim@x.kr]",
    "tags Korea economy",
    "tags",
]


@given(st.lists(st.sampled_from(_DUMP_LINES), max_size=40), st.sampled_from(["\n", "\r\n", "\r"]))
def test_a_dump_s_articles_hold_no_more_text_than_its_bound(lines: list[str], end: str) -> None:
    # Batches are cut by this bound (toolkit.engine.BATCH_TEXT) without counting each field.
    from toolkit.batch import text_size
    from toolkit.readers.dump import read_dump_data

    out = read_dump_data(end.join(lines).encode(), "incoming/a.txt")
    if out.chars is not None:
        assert text_size(out.rows) <= out.chars
