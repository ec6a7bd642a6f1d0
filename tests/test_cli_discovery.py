"""`toolkit check` on odd trees: every entry is read or listed with its reason, through the CLI."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from tests.conftest import SEED, SUITES
from toolkit.cli import app
from toolkit.readers.discover import NOT_INPUT

runner = CliRunner()
NEWS = str(SUITES / "news.yaml")
# A generous guard against a hang (a FIFO or /dev/zero opened for reading), not a timing.
HANG_GUARD_S = 120


def invoke(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def run_json(*args: str) -> tuple[int, dict[str, Any]]:
    code, out, err = invoke("check", *args, "--suite", NEWS, "--format", "json")
    assert out, err
    return code, json.loads(out)


def toolkit(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    exe = shutil.which("toolkit") or str(Path(sys.executable).parent / "toolkit")
    return subprocess.run(
        [exe, *args],
        capture_output=True,
        text=True,
        check=False,
        timeout=HANG_GUARD_S,
        cwd=cwd,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)},
    )


@pytest.fixture
def odd_tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A corpus of one good dump among everything a tree can hold; cwd is its parent."""
    root = tmp_path / "corpus"
    (root / "sub").mkdir(parents=True)
    shutil.copy(SEED, root / "a.txt")
    os.mkfifo(root / "fifo.txt")
    (root / "zero.txt").symlink_to("/dev/zero")
    (root / "dangling.txt").symlink_to("nowhere.txt")
    (root / "loop.txt").symlink_to("loop.txt")
    (root / "sub" / "up").symlink_to("..")
    (root / "notes.md").write_text("x")
    (root / ".hidden.txt").write_text("")
    (root / ".git").mkdir()
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(str(root / "sock.txt"))
    sock.close()
    monkeypatch.chdir(tmp_path)
    return root


ODD_SKIPS = [
    {
        "path": "corpus/.git",
        "kind": "hidden",
        "reason": "a hidden directory; --include-hidden walks it",
    },
    {
        "path": "corpus/.hidden.txt",
        "kind": "hidden",
        "reason": "a hidden file; --include-hidden reads it",
    },
    {
        "path": "corpus/dangling.txt",
        "kind": "broken_link",
        "reason": "a symbolic link to nothing (no target)",
    },
    {
        "path": "corpus/fifo.txt",
        "kind": "not_regular",
        "reason": "not a regular file: a FIFO (named pipe)",
    },
    {
        "path": "corpus/loop.txt",
        "kind": "link_loop",
        "reason": "a symbolic link loop: it leads back to itself",
    },
    {
        "path": "corpus/notes.md",
        "kind": "not_dump",
        "reason": NOT_INPUT,
    },
    {"path": "corpus/sock.txt", "kind": "not_regular", "reason": "not a regular file: a socket"},
    {
        "path": "corpus/zero.txt",
        "kind": "not_regular",
        "reason": "not a regular file: a character device",
    },
    {
        "path": "corpus/sub/up",
        "kind": "walked",
        "reason": "the same directory as corpus, walked once",
    },
]


def test_odd_tree_lists_every_entry_not_read_with_its_reason(odd_tree: Path) -> None:
    proc = toolkit("check", "corpus", "--suite", NEWS, "--format", "json", cwd=odd_tree.parent)
    assert proc.returncode == 0, proc.stderr  # the seed passes the news suite's criticals
    result = json.loads(proc.stdout)
    assert result["schema_version"] == "1.1"
    assert result["summary"]["files"] == 1
    assert result["run"]["skipped"] == ODD_SKIPS
    assert result["run"]["skipped_files"] == [s["path"] for s in ODD_SKIPS]
    assert result["run"]["raw_paths"] == {}


def test_rich_and_html_reports_show_each_skip_and_reason(odd_tree: Path) -> None:
    code, out, _ = invoke("check", "corpus", "--suite", NEWS, "--no-color", "-f", "html:r.html")
    assert code == 0
    html = (odd_tree.parent / "r.html").read_text(encoding="utf-8")
    assert "Not read: 9 entries" in html
    assert "<li><code>corpus/fifo.txt</code>: not a regular file: a FIFO (named pipe)</li>" in html
    code, out, _ = invoke("check", "corpus", "--suite", NEWS, "--no-color")
    assert code == 0
    assert "Not read: 9 entries" in out
    assert "  corpus/zero.txt  not a regular file: a character device" in out
    assert "  corpus/sub/up  the same directory as corpus, walked once" in out


def test_include_hidden_reads_hidden_files(odd_tree: Path) -> None:
    code, result = run_json("corpus", "--include-hidden")
    # The hidden file holds no article: a file_readable finding, which fails the run.
    assert code == 1
    (finding,) = [f for f in result["findings"] if f["expectation"] == "file_readable"]
    assert finding["file"] == "corpus/.hidden.txt"
    assert "hidden" not in {s["kind"] for s in result["run"]["skipped"]}


def test_named_fifo_and_device_are_listed_and_nothing_is_checked(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.txt")
    proc = toolkit(
        "check", "pipe.txt", "/dev/zero", "--suite", NEWS, "--format", "json", cwd=tmp_path
    )
    assert proc.returncode == 3
    assert "toolkit: nothing was checked: no input files" in proc.stderr
    skipped = json.loads(proc.stdout)["run"]["skipped"]
    assert skipped == [
        {
            "path": "pipe.txt",
            "kind": "not_regular",
            "reason": "not a regular file: a FIFO (named pipe)",
        },
        {
            "path": "/dev/zero",
            "kind": "not_regular",
            "reason": "not a regular file: a character device",
        },
    ]


def test_non_utf8_name_is_checked_shown_escaped_and_kept_byte_exact(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    os.mkdir(b"corpus")
    shutil.copy(SEED, b"corpus/caf\xe9.txt")
    os.mkfifo(b"corpus/p\xff.txt")
    code, result = run_json("corpus")
    assert code == 0
    files = {f["file"] for f in result["findings"]}
    assert files == {"corpus/caf\\xe9.txt"}
    assert result["run"]["skipped"] == [
        {
            "path": "corpus/p\\xff.txt",
            "kind": "not_regular",
            "reason": "not a regular file: a FIFO (named pipe)",
        }
    ]
    raw = result["run"]["raw_paths"]
    assert {k: bytes.fromhex(v) for k, v in raw.items()} == {
        "corpus/caf\\xe9.txt": b"corpus/caf\xe9.txt",
        "corpus/p\\xff.txt": b"corpus/p\xff.txt",
    }
    code, out, _ = invoke("check", "corpus", "--suite", NEWS, "--no-color")
    assert code == 0
    assert "corpus/caf\\xe9.txt:1" in out
    assert "corpus/p\\xff.txt  not a regular file" in out


def test_file_over_max_file_size_is_a_file_readable_finding(tmp_path: Path) -> None:
    size = SEED.stat().st_size
    shutil.copy(SEED, tmp_path / "a.txt")
    (tmp_path / "big.txt").write_bytes(SEED.read_bytes() * 3)
    code, result = run_json(str(tmp_path), "--max-file-size", str(size))
    assert code == 1
    (finding,) = [f for f in result["findings"] if f["expectation"] == "file_readable"]
    assert finding["severity"] == "critical"
    assert finding["file"].endswith("big.txt")
    big = 3 * size
    assert finding["message"] == (
        f"the file is {big / 1024:.1f} KiB ({big:,} bytes), over the limit of "
        f"{size / 1024:.1f} KiB ({size:,} bytes): it was not read; raise --max-file-size "
        "to check it"
    )
    assert result["summary"]["articles"] == 1
    code, result = run_json(str(tmp_path), "--max-file-size", "1M")
    assert code == 0 and result["summary"]["articles"] == 4


def test_bad_max_file_size_is_a_usage_error() -> None:
    code, _, err = invoke("check", str(SEED), "--max-file-size", "10X")
    assert code == 2
    assert "'10X' is not a size: give bytes, or a number with K, M or G" in err


def test_file_that_cannot_be_read_is_a_finding(tmp_path: Path) -> None:
    # /proc/self/mem is a regular file whose read fails, even for root (chmod 000 would not).
    (tmp_path / "mem.txt").symlink_to("/proc/self/mem")
    code, result = run_json(str(tmp_path / "mem.txt"))
    assert code == 3  # no article was read
    (finding,) = result["findings"]
    assert finding["expectation"] == "file_readable"
    assert finding["message"] == "cannot read the file: Input/output error"


def test_gx_engine_takes_the_same_options(odd_tree: Path) -> None:
    pytest.importorskip("great_expectations")
    code, out, err = invoke(
        "check", "corpus", "--suite", NEWS, "--format", "json", "--engine", "gx", "--include-hidden"
    )
    assert code == 1, err  # the hidden file, read, holds no article
    result = json.loads(out)
    assert result["run"]["engine"] == "gx"
    assert [s["path"] for s in result["run"]["skipped"]] == [
        s["path"] for s in ODD_SKIPS if s["kind"] != "hidden"
    ]


def test_a_saved_1_0_result_still_reports_its_skipped_files(odd_tree: Path) -> None:
    code, result = run_json("corpus")
    assert code == 0
    result["schema_version"] = "1.0"
    del result["run"]["skipped"], result["run"]["raw_paths"]
    saved = odd_tree.parent / "old.json"
    saved.write_text(json.dumps(result), encoding="utf-8")
    code, out, err = invoke("report", str(saved), "--format", "rich", "--no-color")
    assert code == 0, err
    assert "Not read: 9 entries" in out
    assert "  corpus/fifo.txt  not read" in out
