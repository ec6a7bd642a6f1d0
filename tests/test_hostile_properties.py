"""Property test of the whole pipeline on hostile input: arbitrary bytes and mutated real dumps
(byte flips, truncation, NULs, control characters, stray headers, BOMs, CR-only line ends)
under odd file names go through discovery, the dump reader, the engines and every reporter.
No exception escapes, every file is accounted for, and no report but JSON holds a raw ESC,
C1 or bidi character (JSON escapes them; it must decode back to the same Result)."""

from __future__ import annotations

import json
import re
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import CLEAN, SEED, SUITES
from toolkit import gx_engine
from toolkit.article import render
from toolkit.engine import check
from toolkit.readers.discover import discover
from toolkit.readers.formats import read_file
from toolkit.reporters import REPORTERS, ReportOptions
from toolkit.result import Result
from toolkit.strategies import articles
from toolkit.suite import Suite, load_suite

SOURCES = [SEED.read_bytes(), *(p.read_bytes() for p in sorted(CLEAN.glob("*.txt")))]
SUITE = load_suite(str(SUITES / "news.yaml"))
# Raw in any report but JSON, these would drive a terminal or reorder what is shown.
RAW_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
NASTY = [
    b"\x00",
    b"\x1b[2J",
    b"\x1b]8;;http://x\x1b\\",
    "\x9b".encode(),
    "\u202e".encode(),
    b"\x07\x08\x7f",
    b"\r",
    b"\xef\xbb\xbf",
    b"\xff\xfe",
    b"\n date 2025-03-11  \n",
    b"\nPublished: \x1b[31m\n",
    b"::error::pwned",
    b"##[add-mask]x",
    b"\xc3",
]


@st.composite
def mutated(draw: st.DrawFn) -> bytes:
    """A real dump (the seed, a clean one or a generated one), then a few mutations."""
    if draw(st.booleans()):
        data = draw(st.sampled_from(SOURCES))
    else:
        data = render(draw(articles(quirks=True))).encode("utf-8")
    for _ in range(draw(st.integers(0, 4))):
        kind = draw(st.sampled_from(["flip", "cut", "insert", "cr", "bom"]))
        at = draw(st.integers(0, len(data)))
        if kind == "flip" and data:
            at = min(at, len(data) - 1)
            data = data[:at] + bytes([data[at] ^ draw(st.integers(1, 255))]) + data[at + 1 :]
        elif kind == "cut":
            data = data[:at]
        elif kind == "insert":
            data = data[:at] + draw(st.sampled_from(NASTY)) + data[at:]
        elif kind == "cr":
            data = data.replace(b"\r\n", b"\n").replace(b"\n", b"\r")
        else:
            data = b"\xef\xbb\xbf" + data
    return data


# File names: ordinary, with control and bidi characters, with a workflow command, not a dump.
NAMES = st.tuples(
    st.text(
        st.characters(
            blacklist_categories=("Cs",), blacklist_characters="/\x00.", max_codepoint=0x2FFF
        ),
        min_size=1,
        max_size=12,
    ),
    st.sampled_from([".txt", ".txt", ".TXT", ".csv", ""]),
).map(lambda parts: parts[0] + parts[1])
FILES = st.dictionaries(
    NAMES, st.one_of(st.binary(max_size=600), mutated()), min_size=1, max_size=4
)


def write_tree(root: Path, files: dict[str, bytes]) -> list[Path]:
    written = []
    for name, data in files.items():
        path = root / name
        try:
            path.write_bytes(data)
        except OSError:  # a name the file system refuses (too long in bytes)
            continue
        written.append(path)
    return written


def run_pipeline(
    files: dict[str, bytes], engine: Callable[[list[Path], list[Suite]], Result]
) -> None:
    root = Path(tempfile.mkdtemp(prefix="hostile-"))
    try:
        written = write_tree(root, files)
        found = discover([root])
        # Every file is accounted for: read, or listed as not read.
        assert sorted(found.files + [s.path for s in found.skipped]) == sorted(written)
        result = engine([root], [SUITE])
        assert result.summary.files == len(found.files)
        assert sorted(result.run.skipped_files) == sorted(s.label for s in found.skipped)
        articles = 0
        for path, label in zip(found.files, found.labels, strict=True):
            outcome = read_file(path, label)
            articles += len(outcome.articles)
            if not outcome.articles:
                # A file that gives no article says why, in the Result, by its name.
                assert outcome.problems
                assert any(f.file == label for f in result.findings)
        assert result.summary.articles == articles
        check_reports(result)
    finally:
        shutil.rmtree(root)


def check_reports(result: Result) -> None:
    for name, render_report in REPORTERS.items():
        for color in (False, True) if name == "rich" else (False,):
            text = render_report(result, ReportOptions(width=70, color=color, examples=3))
            if name == "json":
                assert Result.from_json(text) == result
                json.loads(text)
                continue
            if color:
                text = re.sub(r"\x1b\[[0-9;]*m", "", text)  # the report's own colours
            assert RAW_CONTROL.findall(text) == [], name
            for line in text.splitlines():
                assert not line.lstrip().startswith("::") or name == "github", (name, line)
                assert "##[" not in line or name == "github", (name, line)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(files=FILES)
def test_pandera_engine_and_every_report_survive_hostile_trees(files: dict[str, bytes]) -> None:
    run_pipeline(files, check)


# Great Expectations takes seconds a run: a few examples only.
@settings(
    max_examples=4,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(files=FILES)
def test_gx_engine_survives_hostile_trees(files: dict[str, bytes]) -> None:
    run_pipeline(files, gx_engine.check)
