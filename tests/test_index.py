"""The archive index on disk: lookups stream over segments and row groups and answer as the
corpus expectations judge (body_unique's hash, body_near_duplicate's MinHash), whatever the
row groups."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest

from toolkit import index as archive_index
from toolkit.article import Article, parse_text, render
from toolkit.batch import to_frame
from toolkit.engine import check
from toolkit.expectations.archive import body_archived, body_near_archived
from toolkit.expectations.corpus import NearDuplicate, body_columns
from toolkit.fixtures import break_article
from toolkit.index import ArchiveIndex, add, build
from toolkit.suite import Suite, SuiteEntry

REPO = Path(__file__).resolve().parents[1]
CLEAN = REPO / "corpora" / "clean"
SEED = REPO / "corpora" / "seed" / "000_faaed4314eeb3cba.txt"


def articles_of(path: Path) -> list[Article]:
    return parse_text(path.read_text("utf-8"), path.name)


def write(path: Path, articles: list[Article]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(render(a) for a in articles), encoding="utf-8")
    return path


def frame(articles: list[Article]) -> object:
    return to_frame(articles, {a.file: 0 for a in articles})


def archive_suite() -> Suite:
    entries = [
        SuiteEntry(id=e.name, expectation=e, params=e.params(), severity="warning")
        for e in (body_archived, body_near_archived)
    ]
    return Suite(name="archive", file="archive.yaml", entries=entries)


@pytest.fixture
def seed() -> Article:
    return articles_of(SEED)[0]


def test_lookups_stream_over_row_groups_and_segments(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, seed: Article
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(archive_index, "ROW_GROUP", 2)
    write(tmp_path / "a" / "seed.txt", [seed])
    build(Path("x.idx"), [CLEAN], NearDuplicate(), batch_size=3)
    add(Path("x.idx"), [Path("a")], batch_size=3)
    index = ArchiveIndex.open(Path("x.idx"))
    assert index.articles == 12
    # Batches of 3 written in row groups of at most 2.
    assert [(g.segment.name, g.rows) for g in index._groups] == [
        *[("segment-000001.parquet", n) for n in (2, 1, 2, 1, 2, 1, 2)],
        ("segment-000002.parquet", 1),
    ]
    update = dataclasses.replace(break_article(seed, "body_near_duplicate"), file="u.txt")
    last = articles_of(CLEAN / "multi_3_articles.txt")[2]
    batch = frame([update, last])
    keys = body_columns(batch, NearDuplicate())  # type: ignore[arg-type]
    exact = index.exact(keys["body"], keys["has_body"])
    assert exact.tolist() == [-1, 10]  # the clean corpus's last article, in the last group
    match, share = index.near(
        keys["signature"], keys["has_signature"] & (exact < 0), NearDuplicate()
    )
    assert match.tolist() == [11, -1]
    assert index.places([10, 11]) == {
        10: f"{CLEAN}/multi_3_articles.txt:44 ({last.headline!r})",
        11: f"a/seed.txt:1 ({seed.headline!r})",
    }
    # The estimate is body_near_duplicate's: the share of equal signature values of the two.
    pair = body_columns(frame([seed, update]), NearDuplicate())  # type: ignore[arg-type]
    assert share[0] == np.count_nonzero(pair["signature"][0] == pair["signature"][1]) / 64


def test_the_earliest_archived_copy_is_named(tmp_path: Path, seed: Article) -> None:
    write(tmp_path / "one" / "a.txt", [seed])
    write(tmp_path / "two" / "b.txt", [dataclasses.replace(seed, file="b.txt")])
    build(tmp_path / "x.idx", [tmp_path / "one"], NearDuplicate())
    add(tmp_path / "x.idx", [tmp_path / "two"])
    write(tmp_path / "in" / "c.txt", [seed])
    result = check(
        [tmp_path / "in"], [archive_suite()], against=ArchiveIndex.open(tmp_path / "x.idx")
    )
    assert [(f.id, f.file, f.message.split(":")[0]) for f in result.findings] == [
        (
            "body_archived",
            f"{tmp_path}/in/c.txt",
            f"the body duplicates the archived article at {tmp_path}/one/a.txt",
        )
    ]


def test_the_most_similar_archived_body_is_named_and_the_cap_bounds_a_bucket(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, seed: Article
) -> None:
    # Two archived versions of one story: the seed, and the seed with a sentence added.
    longer = break_article(seed, "body_near_duplicate")
    write(tmp_path / "arch" / "a.txt", [seed, longer])
    build(tmp_path / "x.idx", [tmp_path / "arch"], NearDuplicate())
    index = ArchiveIndex.open(tmp_path / "x.idx")
    twice = dataclasses.replace(
        longer, paragraphs=[*longer.paragraphs[:-1], longer.paragraphs[-1] + " It was signed."]
    )
    keys = body_columns(frame([twice]), NearDuplicate())  # type: ignore[arg-type]
    match, _ = index.near(keys["signature"], keys["has_signature"], NearDuplicate())
    assert match.tolist() == [1]  # the longer one: closer than the seed
    # With one archived body a bucket, only the earliest of each bucket is compared.
    monkeypatch.setattr(archive_index, "CAP", 1)
    match, _ = index.near(keys["signature"], keys["has_signature"], NearDuplicate())
    assert match.tolist() == [0]


def test_two_adds_at_once_take_turns(tmp_path: Path, seed: Article) -> None:
    from concurrent.futures import ThreadPoolExecutor

    write(tmp_path / "one" / "a.txt", [seed])
    build(tmp_path / "x.idx", [tmp_path / "one"], NearDuplicate())
    for name in ("two", "three"):
        write(tmp_path / name / "b.txt", [dataclasses.replace(seed, headline=name)])
    with ThreadPoolExecutor(2) as pool:
        done = list(pool.map(lambda d: add(tmp_path / "x.idx", [tmp_path / d]), ["two", "three"]))
    assert sorted(d.segment.name for d in done if d.segment) == [
        "segment-000002.parquet",
        "segment-000003.parquet",
    ]
    index = ArchiveIndex.open(tmp_path / "x.idx")
    assert [s.file for s in index.meta.segments] == [
        "segment-000001.parquet",
        "segment-000002.parquet",
        "segment-000003.parquet",
    ]
    assert index.articles == 3


def test_worker_processes_give_the_same_findings(tmp_path: Path, seed: Article) -> None:
    write(tmp_path / "arch" / "a.txt", [seed])
    build(tmp_path / "x.idx", [tmp_path / "arch"], NearDuplicate())
    index = ArchiveIndex.open(tmp_path / "x.idx")
    update = break_article(seed, "body_near_duplicate")
    for i in range(4):
        write(tmp_path / "in" / f"{i}.txt", [seed if i % 2 else update])
    one = check([tmp_path / "in"], [archive_suite()], against=index)
    two = check([tmp_path / "in"], [archive_suite()], jobs=2, batch_size=1, against=index)
    assert [(f.id, f.file) for f in one.findings] == [(f.id, f.file) for f in two.findings]
    assert [(f.id, Path(f.file).name) for f in one.findings] == [
        ("body_archived", "1.txt"),
        ("body_archived", "3.txt"),
        ("body_near_archived", "0.txt"),
        ("body_near_archived", "2.txt"),
    ]
