"""The benchmark's instruments make what they claim: corpora of the stated size, layout and
shares, a read floor that reads everything, a GX pipeline that finds the mission defects, and
ratio lines that judge against the targets. No timing is asserted."""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import pytest

from tests.bench import floor, gx_pipeline
from tests.bench.corpora import Spec, ensure_corpus, kind_of
from tests.bench.process import Measured
from tests.benchmark import MISSION, Corpus, Row, make_corpus, ratios, summarise_collapsed
from toolkit.article import parse_text
from toolkit.engine import check
from toolkit.suite import load_suite


def _articles(root: Path) -> dict[Path, int]:
    return {
        p: len(parse_text(p.read_text(encoding="utf-8"), p.name))
        for p in sorted(root.rglob("*.txt"))
    }


def test_one_article_a_file(tmp_path: Path) -> None:
    path, manifest = ensure_corpus(tmp_path, Spec(300))
    counts = _articles(path)
    assert len(counts) == 300 and set(counts.values()) == {1}
    assert manifest["articles"] == 300 and manifest["files"] == 300
    assert manifest["kinds"] == {"clean": 210, "defective": 90, "near": 0}


def test_twenty_articles_a_file(tmp_path: Path) -> None:
    path, manifest = ensure_corpus(tmp_path, Spec(410, per_file=20))
    counts = _articles(path)
    assert sorted(counts.values()) == [10] + [20] * 20
    assert sum(counts.values()) == manifest["articles"] == 410


def test_a_corpus_is_the_same_each_time_and_reused(tmp_path: Path) -> None:
    spec = Spec(120, per_file=20, near_copies=0.1)
    first, _ = ensure_corpus(tmp_path / "a", spec)
    second, _ = ensure_corpus(tmp_path / "b", spec)
    texts = [{p.relative_to(d): p.read_bytes() for p in d.rglob("*.txt")} for d in (first, second)]
    assert texts[0] == texts[1]
    (first / "day_0000" / "dump_000000.txt").write_text("changed")
    again, _ = ensure_corpus(tmp_path / "a", spec)
    assert (again / "day_0000" / "dump_000000.txt").read_text() == "changed"  # kept, not rebuilt


def _shingles(text: str) -> set[tuple[str, ...]]:
    words = re.findall(r"\w+", text.lower())
    return {tuple(words[i : i + 5]) for i in range(len(words) - 4)}


def test_near_copies_are_ten_percent_and_share_most_shingles(tmp_path: Path) -> None:
    spec = Spec(500, near_copies=0.1)
    path, manifest = ensure_corpus(tmp_path, spec)
    assert manifest["kinds"] == {"clean": 300, "defective": 150, "near": 50}
    details = manifest["details"].items()
    templates = {k.split(":")[1]: v for k, v in details if k.startswith("near:")}
    assert set(templates) == {"weather", "market", "sports", "correction"}
    assert sum(templates.values()) == 50
    near = [n for n in range(500) if kind_of(n, spec) == "near"]
    bodies = {}
    for file in path.rglob("*.txt"):
        (article,) = parse_text(file.read_text(encoding="utf-8"), file.name)
        number = int(file.name.split("_")[0])
        if number in near and article.headline and article.headline.startswith("Kospi closes"):
            bodies[number] = _shingles(article.body)
    assert len(bodies) >= 2
    a, b = list(bodies.values())[:2]
    assert len(a & b) / len(a | b) > 0.3
    clean = [
        _shingles(parse_text(f.read_text(encoding="utf-8"), f.name)[0].body)
        for f in sorted(path.rglob("*.txt"))[:40]
        if kind_of(int(f.name.split("_")[0]), spec) == "clean"
    ]
    assert max(len(x & y) / len(x | y) for x, y in itertools.pairwise(clean)) < 0.3


def test_clean_articles_pass_the_mission_suite(tmp_path: Path) -> None:
    path, _ = ensure_corpus(tmp_path, Spec(200, per_file=20, defective=0.0))
    result = check([path], [load_suite(MISSION)])
    assert result.summary.articles == 200
    assert result.findings == []


def test_make_corpus_keeps_its_signature(tmp_path: Path) -> None:
    assert make_corpus(tmp_path, 1500, seed=3, defective=0.3) == 1500
    counts = _articles(tmp_path)
    assert [p.name for p in counts] == ["dump_000000.txt", "dump_000001.txt"]
    assert list(counts.values()) == [1000, 500]


def test_the_read_floor_reads_every_file(tmp_path: Path) -> None:
    path, manifest = ensure_corpus(tmp_path, Spec(50))
    lines = sum(p.read_bytes().count(b"\n") for p in path.rglob("*.txt"))
    assert floor.count_lines(str(path)) == (manifest["files"], lines)


def test_the_gx_pipeline_finds_what_the_mission_suite_finds(tmp_path: Path) -> None:
    pytest.importorskip("great_expectations")
    path, _ = ensure_corpus(tmp_path, Spec(400, per_file=20))
    articles, failing = gx_pipeline.run(path, batch_size=150)
    assert articles == 400
    result = check([path], [load_suite(MISSION)])
    found: dict[str, set[tuple[str, int]]] = {}
    for f in result.findings:
        found.setdefault(f.expectation, set()).add((f.file, f.line))
    names = {
        "dates_parseable": "date_parseable",
        "byline_has_email": "byline_has_email",
        "tags_non_empty": "tags_non_empty",
        "headline_in_body": "headline_in_body",
    }
    for mine, theirs in names.items():
        assert failing[mine], mine
        assert failing[mine] == found[theirs], mine


def _measured(wall: float, peak: float = 100.0, status: str = "ok") -> Measured:
    return Measured(wall, wall, peak, peak, 1, status, "", "")


def test_ratio_lines_judge_each_target() -> None:
    small, large = Spec(200_000), Spec(1_000_000)
    rows = [
        Row(Corpus("one", small), "gx pipeline", _measured(100)),
        Row(Corpus("one", small), "mission", _measured(40)),
        Row(Corpus("one", small), "news", _measured(120, peak=450)),
        Row(Corpus("one", small), "news -j2", _measured(60)),
        Row(Corpus("one", large), "news", _measured(700, peak=600)),
        Row(Corpus("near", large), "news", _measured(1, status="timeout")),
        Row(Corpus("near", small), "news", _measured(130)),
    ]
    text = "\n".join(ratios(rows))
    assert re.search(r"mission / GX pipeline time, 200k +0\.40x +<= 0\.5x +PASS", text)
    assert re.search(r"news / GX pipeline time, 200k +1\.20x +<= 1x +MISS", text)
    assert re.search(r"speed-up\), 200k +2\.00x +>= 1\.7x +PASS", text)
    assert re.search(r"news peak RSS, 200k +450 MiB +<= 500MiB +PASS", text)
    assert re.search(r"per article 1M / 200k, one +1\.17x +<= 1\.1x +MISS", text)
    assert re.search(r"per article 1M / 200k, near +infx +<= 1\.1x +MISS", text)
    assert re.search(r"news peak RSS 1M / 200k +1\.33x +<= 1\.2x +MISS", text)


def test_profile_summary_shares() -> None:
    collapsed = (
        "<module> (toolkit/cli.py:1);check (toolkit/engine.py:10);judge (toolkit/corpus.py:5) 6\n"
        "<module> (toolkit/cli.py:1);check (toolkit/engine.py:10);read (toolkit/dump.py:3) 3\n"
        "<module> (toolkit/cli.py:1);read (toolkit/dump.py:3);wrapper (pyarrow/compute.py:9) 1\n"
    )
    text = "\n".join(summarise_collapsed(collapsed))
    assert "10 samples" in text
    assert re.search(r"60\.0% \(60\.0%\)  corpus\.judge", text)
    assert re.search(r"30\.0%  dump\.read", text)
    assert re.search(r"toolkit function.*\n.*60\.0%  corpus\.judge\n +40\.0%  dump\.read", text)
