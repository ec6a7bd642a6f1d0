"""file_readable through the shipped suite: a file that is not UTF-8 is a critical finding that
names the byte, its offset and its line; empty and binary files are findings, never crashes."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import SUITES
from toolkit.engine import check
from toolkit.suite import load_suite

DEFECTS = Path(__file__).resolve().parent.parent / "data" / "catalog" / "defects"


def test_windows_1252_file_names_byte_offset_and_line() -> None:
    path = DEFECTS / "not_utf8_cp1252.txt"
    result = check([path], [load_suite(SUITES / "news.yaml", directory=SUITES)])
    (f,) = [f for f in result.findings if f.expectation == "file_readable"]
    assert (f.severity, f.line) == ("critical", 8)
    # The paragraph separator is a no-break space, 0xa0 in Windows-1252, after paragraph one.
    assert "byte 0xa0 at offset 463" in f.message and "not UTF-8" in f.message
    assert path.read_bytes()[463] == 0xA0
    assert path.read_bytes()[:463].count(b"\n") + 1 == 8
    # Its articles are still checked: the replacement characters show where bytes were lost.
    assert result.summary.articles == 1
    assert result.exit_code == 1


def test_empty_and_binary_files_are_findings() -> None:
    suite = load_suite(SUITES / "joongang.yaml", directory=SUITES)
    result = check([DEFECTS / "empty_file.txt", DEFECTS / "binary_png.txt"], [suite])
    found = {(Path(f.file).name, f.line): f.message for f in result.findings}
    assert found[("empty_file.txt", 1)].startswith("the file is empty (0 bytes)")
    assert "binary data (PNG)" in found[("binary_png.txt", 3)]
    assert result.summary.articles == 0 and result.exit_code == 3
