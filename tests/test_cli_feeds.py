"""`toolkit check` on feeds: the same records in every format and compression get the same
verdicts as the same articles in dump text, each finding at its record's place."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from tests.conftest import SUITES
from tests.readers.feeds import COMPRESSORS, RECORDS, WRITERS, write_feed, write_jsonl
from toolkit.article import Article, parse_byline, render
from toolkit.cli import app

NEWS = str(SUITES / "news.yaml")
# Parts only dump text has: a feed without them is "not applicable", never a failure.
DUMP_ONLY = {"headline_in_body", "published_matches_date"}


def run(*args: str) -> tuple[int, dict[str, Any]]:
    result = CliRunner().invoke(app, ["check", *args, "--suite", NEWS, "-f", "json"])
    return result.exit_code, json.loads(result.stdout)


def verdicts(report: dict[str, Any], places: list[int]) -> set[tuple[str, int, str]]:
    """(expectation, record number, message) of every finding, record numbers from 1."""
    index = {place: n for n, place in enumerate(places, start=1)}
    return {
        (f["expectation"], index[f["line"]], f["message"])
        for f in report["findings"]
        if f["expectation"] not in DUMP_ONLY | {"file_readable"}
    }


def as_dump(directory: Path) -> tuple[Path, list[int]]:
    """RECORDS as dump text, with a title line and Published: line so that the dump-only
    expectations pass, and the line each article starts at."""
    text, starts, line = "", [], 1
    for r in RECORDS:
        art = Article(
            file="d.txt",
            line=1,
            date=r["date"][:10],
            headline=r["title"],
            title=r["title"],
            published=r["date"] if len(r["date"]) > 10 else None,
            paragraphs=r["text"].split("\n\n"),
            tags_raw=" ".join(r["tags"]),
        )
        parse_byline(art, "BY " + ", ".join(r["authors"]))
        block = render(art)
        starts.append(line)
        line += block.count("\n")
        text += block
    path = directory / "d.txt"
    path.write_text(text, "utf-8")
    return path, starts


PLACES = {".jsonl": [1, 2, 3], ".json": [1, 2, 3], ".csv": [2, 3, 4], ".parquet": [1, 2, 3]}


@pytest.fixture(scope="module")
def from_dump(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], list[int]]:
    dump, starts = as_dump(tmp_path_factory.mktemp("dump"))
    code, report = run(str(dump))
    assert code == 1
    return report, starts


@pytest.mark.parametrize("compression", list(COMPRESSORS))
@pytest.mark.parametrize("suffix", list(PLACES))
def test_feed_verdicts_match_the_dump_text(
    tmp_path: Path,
    suffix: str,
    compression: str,
    from_dump: tuple[dict[str, Any], list[int]],
) -> None:
    feed = write_feed(tmp_path, suffix, compression)
    code, from_feed = run(str(feed))
    assert code == 1
    dump_report, starts = from_dump
    got = verdicts(from_feed, PLACES[suffix])
    # Multi-word tags are one tag in a feed; the dump's space-split line cannot say so, and
    # the Published: line of the dump is not in the feed: those differ by design.
    expected = {
        v
        for v in verdicts(dump_report, starts)
        if v[0] != "tags_unique" and "no 'Published:' line" not in v[2]
    }
    assert {v for v in got if v[0] != "tags_unique"} == expected
    # The defective record (no email, no tags) is found at its own place in the feed.
    lines = {(f["expectation"], f["line"]) for f in from_feed["findings"]}
    assert ("tags_non_empty", PLACES[suffix][2]) in lines
    assert ("byline_has_email", PLACES[suffix][2]) in lines
    stats = {e["id"]: e for s in from_feed["suites"] for e in s["expectations"]}
    assert stats["headline_in_body"]["checked"] == 0
    assert "not applicable to 3 feed article(s)" in stats["headline_in_body"]["engine_note"]


def test_directory_of_feeds_is_walked_for_every_format(tmp_path: Path) -> None:
    for suffix in WRITERS:
        (tmp_path / suffix[1:]).mkdir()
        write_feed(tmp_path / suffix[1:], suffix, ".gz")
    (tmp_path / "notes.md").write_text("not input", "utf-8")
    code, report = run(str(tmp_path))
    assert code == 1
    assert report["summary"]["files"] == len(WRITERS)
    assert report["summary"]["articles"] == 3 * len(WRITERS)
    assert [s["path"] for s in report["run"]["skipped"]] == [f"{tmp_path.name}/notes.md"] or [
        Path(s["path"]).name for s in report["run"]["skipped"]
    ] == ["notes.md"]


def test_bad_records_are_file_findings_and_good_records_are_checked(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "f.jsonl")
    path.write_text(path.read_text("utf-8") + '{"title": oops}\n', "utf-8")
    code, report = run(str(path))
    assert code == 1
    unreadable = [f for f in report["findings"] if f["expectation"] == "file_readable"]
    assert [(f["line"], f["message"]) for f in unreadable] == [
        (4, "1 record(s) not read: malformed JSON (Expecting value) (at line:column 4:11)")
    ]
    assert report["summary"]["articles"] == 3


def test_input_format_and_mapping_options(tmp_path: Path) -> None:
    record = {"headline_text": "A headline", "content": "One paragraph.", "day": "2024-05-02"}
    path = tmp_path / "export.log"
    path.write_text(json.dumps(record) + "\n", "utf-8")
    code, report = run(
        str(path),
        "--input-format",
        "jsonl",
        "--map",
        "headline=headline_text,body=content",
        "--map",
        "date=day",
        "--map",
        "byline=",
        "--map",
        "tags=",
    )
    assert report["summary"]["articles"] == 1
    failed = {f["expectation"] for f in report["findings"]}
    assert "date_parseable" not in failed and "body_not_empty" not in failed
    assert code == 1  # byline and tags are unmapped: those expectations fail on the record


def test_bad_mapping_is_a_usage_error(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "f.jsonl")
    result = CliRunner().invoke(app, ["check", str(path), "--suite", NEWS, "--map", "bdy=x"])
    assert result.exit_code == 2
    assert "unknown article field 'bdy' in the input mapping" in result.stderr
    result = CliRunner().invoke(app, ["check", str(path), "--suite", NEWS, "--map", "body"])
    assert result.exit_code == 2
    assert "--map takes ARTICLE_FIELD=RECORD_FIELD, not 'body'" in result.stderr


def test_input_mapping_from_the_configuration(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    record = {"headline_text": "A headline", "content": "One paragraph.", "day": "2024-05-02"}
    (tmp_path / "export.log").write_text(json.dumps(record) + "\n", "utf-8")
    (tmp_path / "toolkit.toml").write_text(
        'input_format = "jsonl"\n'
        'input_map = {headline = "headline_text", body = "content", date = "day"}\n',
        "utf-8",
    )
    monkeypatch.chdir(tmp_path)
    code, report = run("export.log")
    assert report["summary"]["articles"] == 1
    failed = {f["expectation"] for f in report["findings"]}
    assert "date_parseable" not in failed and "body_not_empty" not in failed
    assert code == 1
    # The command line overrides the configuration's mapping as a whole.
    code, report = run("export.log", "--map", "headline=headline_text")
    assert "body_not_empty" in {f["expectation"] for f in report["findings"]}


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ('input_format = "xml"', "toolkit.toml:1: 'input_format' is one of dump, jsonl"),
        ('input_preset = "np"', "toolkit.toml:1: 'input_preset' is one of plain, news-please"),
        ('input_map = {bdy = "x"}', "toolkit.toml:1: unknown article field 'bdy'"),
        ("[input]\nformat = 'jsonl'", "toolkit.toml:1: 'input': the input mapping is set with"),
    ],
)
def test_bad_input_configuration_is_a_usage_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, line: str, message: str
) -> None:
    write_jsonl(tmp_path / "f.jsonl")
    (tmp_path / "toolkit.toml").write_text(line + "\n", "utf-8")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(app, ["check", "f.jsonl", "--suite", NEWS])
    assert result.exit_code == 2
    assert message in result.stderr


def test_input_mapping_from_the_suite(tmp_path: Path) -> None:
    record = {"headline_text": "A headline", "content": "One paragraph.", "day": "2024-05-02"}
    (tmp_path / "export.log").write_text(json.dumps(record) + "\n", "utf-8")
    suite = tmp_path / "vendor.yaml"
    suite.write_text(
        "suite: vendor\nextends: news\ninput:\n  format: jsonl\n"
        "  map: {headline: headline_text, body: content, date: day}\nexpectations: []\n",
        "utf-8",
    )
    result = CliRunner().invoke(
        app, ["check", str(tmp_path / "export.log"), "-s", str(suite), "-f", "json"]
    )
    report = json.loads(result.stdout)
    assert report["summary"]["articles"] == 1
    failed = {f["expectation"] for f in report["findings"]}
    assert "date_parseable" not in failed and "body_not_empty" not in failed
    bad = tmp_path / "bad.yaml"
    bad.write_text("suite: bad\nextends: news\ninput:\n  preset: np\nexpectations: []\n", "utf-8")
    result = CliRunner().invoke(app, ["check", str(tmp_path / "export.log"), "-s", str(bad)])
    assert result.exit_code == 2
    assert "bad.yaml:3: 'input' preset is one of plain, news-please, fundus, not 'np'" in (
        result.stderr
    )
