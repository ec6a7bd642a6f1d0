"""`toolkit index build` / `toolkit index add` and `toolkit check --against`: an archive indexed
in two steps, then incoming dumps judged against it, with the places of both articles."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from toolkit.article import parse_text, render
from toolkit.cli import app
from toolkit.examples import example_article
from toolkit.fixtures import break_article

runner = CliRunner()
REPO = Path(__file__).resolve().parents[2]
CLEAN = REPO / "corpora" / "clean"
SEED = REPO / "corpora" / "seed" / "000_faaed4314eeb3cba.txt"

TRAINEES = "Trainee doctors walk out over medical school quota hike, disrupting surgeries"
SYRIA = "South Korea tentatively agrees to diplomatic ties with Syria, says Foreign Ministry"
EXACT = (
    f"the body duplicates the archived article at archive/2025/multi_3_articles.txt:22 "
    f"('{TRAINEES}'): the story is already in the archive; drop it from the dump"
)
NEAR = (
    f"the body is a near-duplicate of the archived article at archive/2026/seed.txt:1 "
    f"('{SYRIA}'): about 98% of their 3-word sequences are shared (MinHash estimate); an "
    "archived story sent again, perhaps updated"
)
GATE = """\
suite: gate
expectations:
  - expect: body_archived
    severity: critical
  - expect: body_near_archived
"""


def invoke(*args: str) -> tuple[int, str, str]:
    ran = runner.invoke(app, list(args))
    return ran.exit_code, ran.stdout, ran.stderr


def check(*args: str) -> tuple[int, dict[str, Any], str]:
    """`toolkit check ARGS -f json:out.json -q`: exit code, the JSON Result, stderr."""
    out = Path("out.json")
    out.unlink(missing_ok=True)
    code, _, err = invoke("check", *args, "-f", f"json:{out}", "-q")
    return code, (json.loads(out.read_text()) if out.exists() else {}), err


def found(result: dict[str, Any], *ids: str) -> list[tuple[str, str, int, str]]:
    return [
        (f["id"], f["file"], f["line"], f["message"]) for f in result["findings"] if f["id"] in ids
    ]


def entry(result: dict[str, Any], entry_id: str) -> dict[str, Any]:
    return next(e for s in result["suites"] for e in s["expectations"] if e["id"] == entry_id)


@pytest.fixture
def root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """archive/2025 (the clean corpus) and archive/2026 (the seed article), and incoming/:
    an exact copy of an article of archive/2025, a near copy (updated) of archive/2026's, and
    an article of neither."""
    monkeypatch.chdir(tmp_path)
    shutil.copytree(CLEAN, tmp_path / "archive" / "2025")
    (tmp_path / "archive" / "2026").mkdir()
    shutil.copy(SEED, tmp_path / "archive" / "2026" / "seed.txt")
    incoming = tmp_path / "incoming"
    incoming.mkdir()
    trainees = parse_text((CLEAN / "multi_3_articles.txt").read_text("utf-8"), "m.txt")[1]
    (incoming / "copy.txt").write_text(render(trainees), encoding="utf-8")
    seed = parse_text(SEED.read_text("utf-8"), "seed.txt")[0]
    update = break_article(seed, "body_near_duplicate")
    (incoming / "update.txt").write_text(render(update), encoding="utf-8")
    (tmp_path / "fresh").mkdir()
    (tmp_path / "fresh" / "new.txt").write_text(render(example_article()), encoding="utf-8")
    shutil.copy(tmp_path / "fresh" / "new.txt", incoming / "new.txt")
    (tmp_path / "gate.yaml").write_text(GATE, encoding="utf-8")
    return tmp_path


@pytest.fixture
def index(root: Path) -> Path:
    """The index of archive/2025, then archive/2026 added to it."""
    code, _, err = invoke("index", "build", "archive/2025", "-o", "archive.idx")
    assert (code, err) == (
        0,
        "toolkit: 11 articles of 9 files written to archive.idx (segment-000001.parquet)\n",
    )
    code, _, err = invoke("index", "add", "archive.idx", "archive/2026")
    assert (code, err) == (
        0,
        "toolkit: 1 articles of 1 files added to archive.idx (segment-000002.parquet)\n",
    )
    return root / "archive.idx"


def test_exact_and_near_copies_of_archived_articles_are_found_with_both_places(
    index: Path,
) -> None:
    code, result, _ = check("incoming", "-s", "news", "--against", "archive.idx")
    assert found(result, "body_archived", "body_near_archived") == [
        ("body_archived", "incoming/copy.txt", 1, EXACT),
        ("body_near_archived", "incoming/update.txt", 1, NEAR),
    ]
    # Not named by the news suite: both run with their defaults, warnings.
    assert code == 0
    assert entry(result, "body_archived")["severity"] == "warning"
    assert entry(result, "body_archived")["engine_note"] == (
        "judged against archive.idx: 12 archived articles in 2 segments"
    )
    assert (
        entry(result, "body_near_archived")["checked"],
        entry(result, "body_near_archived")["failed"],
    ) == (3, 1)


def test_a_suite_names_them_with_its_own_severity(index: Path) -> None:
    code, result, _ = check("incoming", "-s", "gate.yaml", "--against", "archive.idx")
    assert code == 1  # body_archived is critical in gate.yaml
    assert [(f["id"], f["severity"], f["file"]) for f in result["findings"]] == [
        ("body_archived", "critical", "incoming/copy.txt"),
        ("body_near_archived", "warning", "incoming/update.txt"),
    ]


def test_a_clean_incoming_corpus_gives_none(index: Path) -> None:
    code, result, _ = check("fresh", "-s", "news", "--against", "archive.idx")
    assert code == 0
    assert found(result, "body_archived", "body_near_archived") == []
    assert entry(result, "body_near_archived")["checked"] == 1


def test_without_against_a_suite_entry_is_not_judged_and_says_so(index: Path) -> None:
    code, result, _ = check("incoming", "-s", "gate.yaml")
    assert code == 0
    assert result["findings"] == []
    assert entry(result, "body_archived")["engine_note"] == (
        "no archive index: not judged (run with --against INDEX; `toolkit index build` makes one)"
    )


def test_the_index_inside_the_incoming_corpus_is_not_read_as_input(index: Path) -> None:
    shutil.move(str(index), "incoming/archive.idx")
    code, result, _ = check("incoming", "-s", "news", "--against", "incoming/archive.idx")
    assert code == 0
    assert result["summary"]["files"] == 3
    assert found(result, "file_readable") == []
    assert [f[0] for f in found(result, "body_archived", "body_near_archived")] == [
        "body_archived",
        "body_near_archived",
    ]


# --- bad input --------------------------------------------------------------------------------


def test_a_missing_index_is_a_usage_error(root: Path) -> None:
    code, _, err = check("incoming", "-s", "news", "--against", "nothing.idx")
    assert code == 2
    assert err == (
        "toolkit: error: nothing.idx: no such archive index (make one with `toolkit index "
        "build ARCHIVE -o nothing.idx`)\n"
    )


def test_a_directory_that_is_not_an_index_is_a_usage_error(root: Path) -> None:
    code, _, err = check("incoming", "-s", "news", "--against", "archive")
    assert code == 2
    assert "archive: not an archive index: it has no index.json" in err


def test_a_corrupt_index_json_names_the_file(index: Path) -> None:
    (index / "index.json").write_text("{not json", encoding="utf-8")
    code, _, err = check("incoming", "-s", "news", "--against", "archive.idx")
    assert code == 2
    assert err.startswith("toolkit: error: archive.idx/index.json: not readable as JSON (")


def test_an_index_json_of_another_shape_names_the_field(index: Path) -> None:
    meta = json.loads((index / "index.json").read_text())
    meta["segments"][0]["file"] = "../elsewhere/segment-000001.parquet"
    (index / "index.json").write_text(json.dumps(meta), encoding="utf-8")
    code, _, err = check("incoming", "-s", "news", "--against", "archive.idx")
    assert code == 2
    assert "archive.idx/index.json: not a toolkit archive index (segments.0.file: " in err


def test_a_truncated_segment_names_the_segment(index: Path) -> None:
    segment = index / "segment-000002.parquet"
    segment.write_bytes(segment.read_bytes()[:100])
    code, _, err = check("incoming", "-s", "news", "--against", "archive.idx")
    assert code == 2
    assert err.startswith(
        "toolkit: error: archive.idx/segment-000002.parquet: not a readable index segment ("
    )


def test_a_missing_segment_names_the_segment(index: Path) -> None:
    (index / "segment-000001.parquet").unlink()
    code, _, err = invoke("index", "add", "archive.idx", "fresh")
    assert code == 2
    assert "archive.idx/segment-000001.parquet: missing (listed in archive.idx/index.json)" in err


def test_an_index_of_a_newer_toolkit_says_upgrade(index: Path) -> None:
    meta = json.loads((index / "index.json").read_text())
    meta["version"] = 99
    (index / "index.json").write_text(json.dumps(meta), encoding="utf-8")
    code, _, err = check("incoming", "-s", "news", "--against", "archive.idx")
    assert code == 2
    assert "written by a newer toolkit (index version 99; this one reads version 1)" in err


def test_add_refuses_other_signature_parameters(index: Path) -> None:
    before = (index / "index.json").read_text()
    code, _, err = invoke("index", "add", "archive.idx", "fresh", "--num-perm", "128")
    assert code == 2
    assert err == (
        "toolkit: error: archive.idx was built with shingle_words 3, num_perm 64, threshold 0.5 "
        "(14 bands of 4), not shingle_words 3, num_perm 128, threshold 0.5 (25 bands of 5): its "
        "signatures could not be compared with the new ones; add without these options, or "
        "build a new index\n"
    )
    assert (index / "index.json").read_text() == before
    assert sorted(p.name for p in index.iterdir() if p.suffix == ".parquet") == [
        "segment-000001.parquet",
        "segment-000002.parquet",
    ]


def test_a_suite_asking_for_other_parameters_is_a_usage_error(index: Path) -> None:
    Path("strict.yaml").write_text(
        "suite: strict\nexpectations:\n  - expect: body_near_archived\n    threshold: 0.8\n",
        encoding="utf-8",
    )
    code, _, err = check("incoming", "-s", "strict.yaml", "--against", "archive.idx")
    assert code == 2
    assert err.startswith(
        "toolkit: error: strict.yaml:3: body_near_archived: archive.idx was built with "
        "shingle_words 3, num_perm 64, threshold 0.5 (14 bands of 4); body_near_archived asks "
        "for shingle_words 3, num_perm 64, threshold 0.8 ("
    )


def test_an_index_built_with_other_parameters_is_judged_with_them(root: Path) -> None:
    code, _, _ = invoke("index", "build", "archive", "-o", "wide.idx", "--threshold", "0.3")
    assert code == 0
    code, result, _ = check("incoming", "-s", "news", "--against", "wide.idx")
    assert entry(result, "body_near_archived")["params"]["threshold"] == 0.3
    assert [f[1] for f in found(result, "body_near_archived")] == ["incoming/update.txt"]


def test_an_archive_of_no_files_writes_no_index(root: Path) -> None:
    Path("empty").mkdir()
    code, _, err = invoke("index", "build", "empty", "-o", "empty.idx")
    assert code == 3
    assert err == "toolkit: nothing to index: no input files; empty.idx not written\n"
    assert not Path("empty.idx").exists()
    assert [p.name for p in root.iterdir() if p.name.startswith(".")] == []


def test_an_archive_of_zero_articles_leaves_the_index_unchanged(index: Path) -> None:
    Path("blank").mkdir()
    Path("blank/empty.txt").write_text("", encoding="utf-8")
    before = (index / "index.json").read_text()
    code, _, err = invoke("index", "add", "archive.idx", "blank")
    assert code == 3
    assert err.endswith(
        "toolkit: nothing to index: zero articles in the input; archive.idx not changed\n"
    )
    assert (index / "index.json").read_text() == before
    assert sorted(p.name for p in index.iterdir()) == [
        ".lock",
        "index.json",
        "segment-000001.parquet",
        "segment-000002.parquet",
    ]


def test_unreadable_files_are_named_and_the_rest_indexed(root: Path) -> None:
    shutil.copy(REPO / "corpora" / "broken" / "not_utf8.txt", "archive/2026/not_utf8.txt")
    shutil.copy(REPO / "corpora" / "broken" / "empty.txt", "archive/2026/empty.txt")
    code, _, err = invoke("index", "build", "archive/2026", "-o", "a.idx")
    assert code == 1
    assert err.splitlines() == [
        "toolkit: warning: archive/2026/empty.txt:1: the file is empty (0 bytes): it holds no "
        "article",
        "toolkit: warning: archive/2026/not_utf8.txt:9: the file is not UTF-8: byte 0x92 at "
        "offset 540 (invalid start byte); re-encode it to UTF-8 (it may be Windows-1252 or "
        "Latin-1)",
        "toolkit: 2 articles of 3 files written to a.idx (segment-000001.parquet)",
        "toolkit: 2 file(s) had read problems (above): their readable articles are indexed",
    ]
    meta = json.loads(Path("a.idx/index.json").read_text())
    assert meta["segments"][0]["articles"] == 2


def test_build_refuses_an_existing_index_and_a_missing_archive(index: Path) -> None:
    code, _, err = invoke("index", "build", "archive", "-o", "archive.idx")
    assert code == 2
    assert err == (
        "toolkit: error: archive.idx: already exists: `toolkit index add archive.idx ARCHIVE` "
        "appends to an index; remove it to build a new one\n"
    )
    code, _, err = invoke("index", "build", "no/such/dir", "-o", "b.idx")
    assert (code, err) == (2, "toolkit: error: no such file or directory: no/such/dir\n")


def test_the_gx_engine_does_not_judge_against_an_index(index: Path) -> None:
    code, _, err = check("incoming", "-s", "news", "--against", "archive.idx", "--engine", "gx")
    assert code == 2
    assert err == (
        "toolkit: error: --against judges the archive expectations against an index: "
        "--engine gx does not\n"
    )


def test_ignoring_both_leaves_nothing_to_judge(index: Path) -> None:
    code, _, err = check(
        "incoming", "-s", "news", "--against", "archive.idx", "--ignore", "archive"
    )
    assert code == 2
    assert "--against: no archive expectation is left to judge" in err


def test_the_readme_example_on_the_shipped_corpora(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(REPO)
    index = str(tmp_path / "archive.idx")
    assert invoke("index", "build", "corpora/clean", "-o", index)[0] == 0
    assert invoke("index", "add", index, "corpora/seed")[0] == 0
    out = tmp_path / "out.json"
    code, _, _ = invoke(
        "check", "corpora/resent", "--against", index, "--select", "archive", "-f", f"json:{out}"
    )
    assert code == 0
    result = json.loads(out.read_text())
    assert found(result, "body_archived", "body_near_archived") == [
        (
            "body_archived",
            "corpora/resent/trainee_doctors.txt",
            1,
            EXACT.replace("archive/2025/", "corpora/clean/"),
        ),
        (
            "body_near_archived",
            "corpora/resent/syria_ties_update.txt",
            1,
            NEAR.replace("archive/2026/seed.txt", "corpora/seed/000_faaed4314eeb3cba.txt"),
        ),
    ]
