"""Hostile text checks in time linear in its length: one article a file, each holding a body
(or a headline) that used to make a message builder rescan a long word or run of spaces from
each of its characters. All of them are checked in one `toolkit check` run of both shipped
suites, in a subprocess with a generous hang guard (not a timed assertion: a quadratic pattern
takes hours on these sizes, the whole run takes seconds). The findings must be the ones a
normal article with the same defect gets, with bounded excerpts and messages."""

from __future__ import annotations

import base64
import json
import os
import random
import subprocess
import sys
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ROOT, SUITES
from toolkit.expectations.body import word_around
from toolkit.text import EXCERPT_CHARS, WORD_REACH

MB = 2_000_000
KB150 = 150_000
HANG_GUARD = 600  # seconds; the run takes well under a minute even on a loaded machine
_RANDOM = random.Random(9)

BODIES: dict[str, str] = {
    # One 2 MB word, then a few words and no full stop: the last-words finder reads past it.
    "word": "a" * MB + " and then the text was cut",
    "base64": base64.b64encode(_RANDOM.randbytes(MB * 3 // 4)).decode("ascii"),
    "spaces": "Officials said" + " " * KB150 + "that talks would resume",
    "nbsp": "Officials said" + "\u00a0" * KB150 + "that talks would resume.\u00a0",
    "line": " ".join(["exports"] * (MB // 8)),
    "apostrophes": "a" * KB150 + " " + "it’s the ministry's " * 5_000 + "'" * 100_000 + ".",
    "mojibake": "a" * KB150 + " Itâ€™s here. " + "Itâ€™s official. " * 5_000,
    "angles": "<" * MB + ".",
    "ampersands": "&" * MB + " &quo" * 1_000 + ".",
}
HEADLINE = "Seoul " * (100_000 // 6)
CLEAN_BODY = " ".join(["The ministry said exports rose in February."] * 10)


def _article(body: str, headline: str) -> str:
    return (
        f" date 2025-03-11  {headline}\n{headline}\n\nPublished: 11 Mar. 2025, 17:03\n\n"
        f"{body}\n\nBY SEO JI-EUN [seo.jieun@joongang.co.kr]\ntags Korea economy\n"
    )


@cache
def _run(tmp: Path) -> tuple[int, dict[str, Any]]:
    corpus = tmp / "corpus"
    corpus.mkdir()
    for name, body in BODIES.items():
        headline = f"Seoul stocks close higher on chip rally ({name})"
        (corpus / f"{name}.txt").write_text(_article(body, headline), encoding="utf-8")
    (corpus / "headline.txt").write_text(_article(CLEAN_BODY, HEADLINE), encoding="utf-8")
    out = tmp / "result.json"
    command = [sys.executable, "-c", "from toolkit.cli import app; app()", "check", str(corpus)]
    command += ["-s", str(SUITES / "news.yaml"), "-s", str(SUITES / "joongang.yaml")]
    command += ["-f", f"json:{out}"]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    try:
        proc = subprocess.run(
            command, capture_output=True, text=True, timeout=HANG_GUARD, env=env, check=False
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"toolkit check hung on hostile text (no result after {HANG_GUARD} s)")
    assert out.exists(), proc.stderr
    return proc.returncode, json.loads(out.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def result(tmp_path_factory: pytest.TempPathFactory) -> tuple[int, dict[str, Any]]:
    return _run(tmp_path_factory.mktemp("linear"))


def findings(result: tuple[int, dict[str, Any]], name: str) -> dict[tuple[str, str], Any]:
    """The findings on ``name``.txt, by (suite, expectation)."""
    return {
        (f["suite"], f["expectation"]): f
        for f in result[1]["findings"]
        if Path(f["file"]).name == f"{name}.txt"
    }


def expectations(result: tuple[int, dict[str, Any]], name: str) -> set[str]:
    return {e for _, e in findings(result, name)}


def test_every_file_is_checked_and_the_exit_code_is_the_critical_one(
    result: tuple[int, dict[str, Any]],
) -> None:
    code, data = result
    assert data["summary"]["articles"] == len(BODIES) + 1
    # Only mojibake and a cut-off entity fail critical expectations.
    critical = {Path(f["file"]).name for f in data["findings"] if f["severity"] == "critical"}
    assert critical == {"mojibake.txt", "ampersands.txt"}
    assert code == 1


def test_excerpts_and_messages_stay_short(result: tuple[int, dict[str, Any]]) -> None:
    for f in result[1]["findings"]:
        assert len(f["excerpt"]) <= EXCERPT_CHARS + 2, (f["expectation"], f["file"])
        assert len(f["message"]) < 1000, (f["expectation"], f["file"])
        assert all(0 <= a < b <= len(f["excerpt"]) for a, b in f["spans"])


def test_a_two_megabyte_word_is_a_short_body_cut_mid_sentence(
    result: tuple[int, dict[str, Any]],
) -> None:
    found = findings(result, "word")
    assert expectations(result, "word") == {"body_min_words", "body_ends_with_punctuation"}
    assert found[("news", "body_min_words")]["message"].startswith(
        "the body has 7 words, fewer than 30"
    )
    end = found[("news", "body_ends_with_punctuation")]
    assert "ends mid-sentence" in end["message"]
    # The last four words are highlighted, with the end of the 2 MB word before them.
    shown = end["excerpt"]
    assert shown.startswith("…aaaa") and shown.endswith(" and then the text was cut")
    assert [shown[a:b] for a, b in end["spans"]] == ["the text was cut"]


def test_base64_is_one_short_body(result: tuple[int, dict[str, Any]]) -> None:
    assert {"body_min_words", "body_ends_with_punctuation"} <= expectations(result, "base64")


def test_a_run_of_spaces_inside_a_line(result: tuple[int, dict[str, Any]]) -> None:
    found = findings(result, "spaces")
    assert expectations(result, "spaces") == {"body_min_words", "body_ends_with_punctuation"}
    end = found[("news", "body_ends_with_punctuation")]
    shown = end["excerpt"]
    assert shown.startswith("…    ") and shown.endswith("    that talks would resume")
    assert [shown[a:b] for a, b in end["spans"]] == ["that talks would resume"]


def test_a_run_of_no_break_spaces_and_one_at_the_end(result: tuple[int, dict[str, Any]]) -> None:
    found = findings(result, "nbsp")
    assert expectations(result, "nbsp") == {
        "body_min_words",
        "hygiene_no_break_spaces",
        "hygiene_trailing_whitespace",
    }
    assert found[("news", "hygiene_no_break_spaces")]["message"].startswith(
        f"{KB150 + 1} no-break spaces (U+00A0) in the body"
    )
    trailing = found[("news", "hygiene_trailing_whitespace")]
    assert trailing["excerpt"].endswith("that talks would resume.\u00a0")
    (span,) = trailing["spans"]
    assert trailing["excerpt"][span[0] : span[1]] == "\u00a0"


def test_a_two_megabyte_line_without_a_full_stop(result: tuple[int, dict[str, Any]]) -> None:
    found = findings(result, "line")
    assert expectations(result, "line") == {"body_ends_with_punctuation"}
    assert found[("news", "body_ends_with_punctuation")]["excerpt"].endswith(
        "exports exports exports exports"
    )


def test_apostrophes_after_a_long_word(result: tuple[int, dict[str, Any]]) -> None:
    found = findings(result, "apostrophes")
    mixed = found[("news", "hygiene_mixed_apostrophes")]
    assert mixed["message"].startswith(
        "both curly and straight apostrophes: 'it’s' (U+2019) in the body beside 'ministry's' "
        "(U+0027) in the body"
    )


def test_mojibake_after_a_long_word(result: tuple[int, dict[str, Any]]) -> None:
    found = findings(result, "mojibake")
    # news and joongang share the entry: reported once, under news, joongang named.
    moji = found[("news", "body_no_mojibake")]
    assert moji["also_in"] == ["joongang"]
    assert moji["severity"] == "critical"
    assert "ftfy reads 'Itâ€™s' as 'It's'" in moji["message"]
    (span,) = moji["spans"]
    assert moji["excerpt"][span[0] : span[1]] == "Itâ€™s"


def test_markup_characters_alone_are_not_html(result: tuple[int, dict[str, Any]]) -> None:
    assert "body_no_html" not in expectations(result, "angles")
    found = findings(result, "ampersands")
    html = found[("news", "body_no_html")]
    assert html["message"].startswith("the cut-off HTML entity '&quo' in the body")


def test_a_long_headline(result: tuple[int, dict[str, Any]]) -> None:
    found = findings(result, "headline")
    assert expectations(result, "headline") == {"headline_length", "hygiene_trailing_whitespace"}
    assert found[("news", "headline_length")]["message"].startswith(
        f"the headline has {len(HEADLINE.strip())} characters, more than 200"
    )


def test_word_around_reads_a_bounded_window() -> None:
    text = "x" * MB + "Itâ€™s" + "y" * MB
    start = text.index("â€™")
    lo, hi = word_around(text, start, start + 3)
    assert (lo, hi) == (start - WORD_REACH, start + 3 + WORD_REACH)
    # A word that starts a paragraph is that word, not the line break before it.
    text = "It rose.\n\nItâ€™s over."
    start = text.index("â€™")
    lo, hi = word_around(text, start, start + 3)
    assert text[lo:hi] == "Itâ€™s"
