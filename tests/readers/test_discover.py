from __future__ import annotations

from pathlib import Path

from toolkit.readers import discover


def test_walks_sorted_skips_hidden_and_reports_other_files(tmp_path: Path) -> None:
    (tmp_path / "b").mkdir()
    (tmp_path / ".git").mkdir()
    for name in ("b/2.txt", "a.txt", "notes.md", ".hidden.txt", ".git/x.txt"):
        (tmp_path / name).write_text("x")
    found = discover([tmp_path])
    assert [p.relative_to(tmp_path).as_posix() for p in found.files] == ["a.txt", "b/2.txt"]
    assert [p.name for p in found.skipped] == ["notes.md"]


def test_named_file_is_read_whatever_its_suffix_and_only_once(tmp_path: Path) -> None:
    f = tmp_path / "dump.data"
    f.write_text("x")
    found = discover([f, tmp_path / "missing.txt", f])
    assert found.files == [f]
    assert found.missing == [tmp_path / "missing.txt"]
