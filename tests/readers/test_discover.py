"""Discovery: every entry is read or listed with its reason; nothing hangs, crashes or vanishes."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from toolkit.readers import discover, shown_path
from toolkit.readers.discover import NOT_INPUT, Discovery


def skips(found: Discovery, root: Path) -> list[tuple[str, str, str]]:
    return [(s.path.relative_to(root).as_posix(), s.kind, s.reason) for s in found.skipped]


def rel(found: Discovery, root: Path) -> list[str]:
    return [p.relative_to(root).as_posix() for p in found.files]


def test_walks_sorted_lists_hidden_and_other_files(tmp_path: Path) -> None:
    # Hidden entries used to be passed over without a word; now they are listed.
    (tmp_path / "b").mkdir()
    (tmp_path / ".git").mkdir()
    for name in ("b/2.txt", "a.txt", "notes.md", ".hidden.txt", ".git/x.txt"):
        (tmp_path / name).write_text("x")
    found = discover([tmp_path])
    assert rel(found, tmp_path) == ["a.txt", "b/2.txt"]
    assert skips(found, tmp_path) == [
        (".git", "hidden", "a hidden directory; --include-hidden walks it"),
        (".hidden.txt", "hidden", "a hidden file; --include-hidden reads it"),
        ("notes.md", "not_dump", NOT_INPUT),
    ]


def test_include_hidden_reads_hidden_files_and_directories(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    for name in ("a.txt", ".hidden.txt", ".git/x.txt"):
        (tmp_path / name).write_text("x")
    found = discover([tmp_path], include_hidden=True)
    assert rel(found, tmp_path) == [".hidden.txt", "a.txt", ".git/x.txt"]
    assert found.skipped == []


def test_named_file_is_read_whatever_its_suffix_and_only_once(tmp_path: Path) -> None:
    f = tmp_path / "dump.data"
    f.write_text("x")
    found = discover([f, tmp_path / "missing.txt", f])
    assert found.files == [f]
    assert found.missing == [tmp_path / "missing.txt"]
    assert [(s.kind, s.reason) for s in found.skipped] == [
        ("duplicate", f"the same file as {found.labels[0]}, read once")
    ]


def test_named_hidden_directory_is_walked(tmp_path: Path) -> None:
    (tmp_path / ".corpus").mkdir()
    (tmp_path / ".corpus" / "a.txt").write_text("x")
    assert rel(discover([tmp_path / ".corpus"]), tmp_path) == [".corpus/a.txt"]


def test_fifo_socket_and_device_are_listed_never_opened(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.txt")
    (tmp_path / "zero.txt").symlink_to("/dev/zero")
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(str(tmp_path / "sock.txt"))
    try:
        found = discover([tmp_path])
    finally:
        sock.close()
    assert found.files == []
    assert skips(found, tmp_path) == [
        ("pipe.txt", "not_regular", "not a regular file: a FIFO (named pipe)"),
        ("sock.txt", "not_regular", "not a regular file: a socket"),
        ("zero.txt", "not_regular", "not a regular file: a character device"),
    ]


def test_named_fifo_is_a_skip_not_a_hang(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.txt")
    found = discover([tmp_path / "pipe.txt", Path("/dev/null")])
    assert found.files == []
    assert [(s.kind, s.reason) for s in found.skipped] == [
        ("not_regular", "not a regular file: a FIFO (named pipe)"),
        ("not_regular", "not a regular file: a character device"),
    ]


def test_links_loops_and_dangling(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("x")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "b.txt").write_text("x")
    (tmp_path / "sub" / "up").symlink_to("..")  # a loop back to the root
    (tmp_path / "again").symlink_to("sub")  # a second way to sub
    (tmp_path / "same.txt").symlink_to("a.txt")
    (tmp_path / "dangling.txt").symlink_to("nowhere.txt")
    (tmp_path / "loop.txt").symlink_to("loop.txt")
    outside = tmp_path.parent / f"{tmp_path.name}-outside"
    outside.mkdir()
    (outside / "c.txt").write_text("x")
    (tmp_path / "linked").symlink_to(outside)
    found = discover([tmp_path])
    # A symlinked directory is walked (once); its files are reported under the link.
    assert rel(found, tmp_path) == ["a.txt", "again/b.txt", "linked/c.txt"]
    label = found.labels[0].removesuffix("/a.txt")
    assert skips(found, tmp_path) == [
        ("dangling.txt", "broken_link", "a symbolic link to nothing (no target)"),
        ("loop.txt", "link_loop", "a symbolic link loop: it leads back to itself"),
        ("same.txt", "duplicate", f"the same file as {label}/a.txt, read once"),
        ("again/up", "walked", f"the same directory as {label}, walked once"),
        ("sub", "walked", f"the same directory as {label}/again, walked once"),
    ]


def test_deep_tree_is_walked_without_recursion(tmp_path: Path) -> None:
    levels = [tmp_path]
    for _ in range(1200):  # deeper than Python's recursion limit; made and removed in loops
        levels.append(levels[-1] / "d")
        levels[-1].mkdir()
    (levels[-1] / "a.txt").write_text("x")
    try:
        assert len(discover([tmp_path]).files) == 1
    finally:
        (levels[-1] / "a.txt").unlink()
        for level in reversed(levels[1:]):
            level.rmdir()


def test_unlistable_directory_is_listed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    (locked / "a.txt").write_text("x")
    real = os.scandir

    def scandir(path: os.PathLike[str]) -> object:
        # As root, chmod 000 does not stop listing; the error is made where it would occur.
        if Path(path) == locked:
            raise PermissionError(13, "Permission denied")
        return real(path)

    monkeypatch.setattr(os, "scandir", scandir)
    found = discover([tmp_path])
    assert found.files == []
    assert skips(found, tmp_path) == [
        ("locked", "unlistable", "cannot list the directory: Permission denied")
    ]


@pytest.mark.skipif(os.geteuid() == 0, reason="root lists a chmod 000 directory")
def test_chmod_000_directory_is_listed(tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    (locked / "a.txt").write_text("x")
    locked.chmod(0)
    try:
        found = discover([tmp_path])
    finally:
        locked.chmod(0o755)
    assert skips(found, tmp_path) == [
        ("locked", "unlistable", "cannot list the directory: Permission denied")
    ]


def test_non_utf8_name_is_read_shown_escaped_and_kept_byte_exact(tmp_path: Path) -> None:
    raw = os.fsencode(tmp_path) + b"/caf\xe9.txt"
    with open(raw, "wb") as f:
        f.write(b"x")
    found = discover([tmp_path])
    assert [os.fsencode(p) for p in found.files] == [raw]
    assert found.labels[0].endswith("/caf\\xe9.txt")
    assert found.raw_names() == {found.labels[0]: raw.hex()}
    assert bytes.fromhex(found.run_fields()["raw_paths"][found.labels[0]]) == raw


def test_shown_path_escapes_only_undecodable_bytes() -> None:
    assert shown_path("plain/a.txt") == "plain/a.txt"
    assert shown_path("café/\udcff.txt") == "café/\\xff.txt"
    assert shown_path(Path(os.fsdecode(b"a\x80b"))) == "a\\x80b"


KINDS = ("txt", "other", "fifo", "dir", "link", "dangling")


@settings(max_examples=40, deadline=None)
@given(
    entries=st.lists(
        st.tuples(
            st.binary(min_size=1, max_size=6).filter(lambda b: b"/" not in b and b"\0" not in b),
            st.sampled_from(KINDS),
        ),
        max_size=12,
        unique_by=lambda e: e[0],
    )
)
def test_every_entry_is_read_or_listed_once(entries: list[tuple[bytes, str]]) -> None:
    """Any names (bytes that are not UTF-8, dots, spaces) and kinds of entry: each one met is
    a file read or a skip, exactly once, and nothing raises."""
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        root = os.fsencode(tmp)
        made: list[bytes] = []
        for name, kind in entries:
            if name in (b".", b".."):
                continue
            path = root + b"/" + name + (b".txt" if kind in ("txt", "link") else b"")
            if kind in ("txt", "other"):
                with open(path, "wb") as f:
                    f.write(b"x")
            elif kind == "fifo":
                os.mkfifo(path)
            elif kind == "dir":
                os.mkdir(path)
                with open(path + b"/in.txt", "wb") as f:
                    f.write(b"x")
            elif kind == "link":
                os.symlink(root, path)  # a loop back to the root, or through a hidden name
            else:
                os.symlink(b"nowhere", path)
            # A directory walked is accounted for by its file; a hidden one is listed itself.
            made.append(path + b"/in.txt" if kind == "dir" and not name.startswith(b".") else path)
        found = discover([Path(tmp)])
        seen = [os.fsencode(p) for p in found.files] + [os.fsencode(s.path) for s in found.skipped]
        assert len(seen) == len(set(seen))
        for path in made:
            assert path in seen, path
        assert all(ch < "\udc80" or ch > "\udcff" for s in found.labels for ch in s)


def test_the_runs_own_files_are_listed_not_read(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(" date 2025-03-11  A\n", "utf-8")
    report = tmp_path / "report.json"
    report.write_text("{}", "utf-8")
    found = discover([tmp_path], exclude=(report, tmp_path / "not-yet.json"))
    assert [p.name for p in found.files] == ["a.txt"]
    assert [(s.path.name, s.kind) for s in found.skipped] == [("report.json", "own_file")]


@pytest.mark.parametrize("parent", [".", "/", "a", "a/b", "/tmp/x", "../up"])
def test_a_child_path_is_spelt_as_its_path_would_spell_it(parent: str) -> None:
    from toolkit.readers.discover import _child

    assert _child(Path(parent), "0001.txt") == str(Path(parent) / "0001.txt")


def _in_and_out(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """in/a.txt, in/b.txt and out/c.txt under ``root``, the working directory."""
    for name in ("in/a.txt", "in/b.txt", "out/c.txt"):
        (root / name).parent.mkdir(exist_ok=True)
        (root / name).write_text("x")
    monkeypatch.chdir(root)


def test_a_path_is_kept_apart_from_its_label_only_where_they_differ(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _in_and_out(tmp_path, monkeypatch)
    same = discover([Path("in")])
    assert same.paths is same.labels and list(same.labels) == ["in/a.txt", "in/b.txt"]
    # Named by its absolute path, a file under the working directory is reported relative.
    mixed = discover([Path("in"), tmp_path / "out"])
    assert list(mixed.labels) == ["in/a.txt", "in/b.txt", "out/c.txt"]
    assert list(mixed.paths) == ["in/a.txt", "in/b.txt", str(tmp_path / "out" / "c.txt")]
    joined = Discovery()
    joined.extend(same)
    joined.extend(mixed)
    assert list(joined.paths) == [*same.paths, *mixed.paths]
    assert list(joined.labels) == [*same.labels, *mixed.labels]


def test_pairs_are_each_file_s_path_and_label_over_any_span(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _in_and_out(tmp_path, monkeypatch)
    for found in (discover([Path("in")]), discover([Path("in"), tmp_path / "out"])):
        expected = list(zip(found.paths, found.labels, strict=True))
        assert list(found.pairs()) == expected
        assert list(found.pairs(1, 2)) == expected[1:2] and list(found.pairs(5, 9)) == []
