"""Invisible characters: each named and shown where it stands; joiners and marks pass where the
script uses them."""

from __future__ import annotations

import pytest

from tests.conftest import run
from tests.expectations.test_body import STORY, one, with_body
from toolkit.examples import example_article
from toolkit.fixtures import make_article

ENTRY = "- expect: body_no_invisible_chars"


@pytest.mark.parametrize(
    ("text", "named", "word"),
    [
        ("Police closed Seo\u200bul roads.", "<U+200B ZERO WIDTH SPACE> at", "Seo[ZWSP]ul"),
        ("Die Straßen\u00adbahn fährt.", "<U+00AD SOFT HYPHEN>", "Straßen[SHY]bahn"),
        ("The \ufeffministry said.", "<U+FEFF ZERO WIDTH NO-BREAK SPACE>", "[BOM]ministry"),
        ("Prices rose\u2060 again.", "<U+2060 WORD JOINER>", "rose[WJ]"),
        (
            "Invoice \u202egnp.exe\u202c paid.",
            "<U+202E RIGHT-TO-LEFT OVERRIDE>",
            "[U+202E]gnp.exe[U+202C]",
        ),
        (
            "The file \u2066name\u2069 was sent.",
            "<U+2066 LEFT-TO-RIGHT ISOLATE>",
            "[U+2066]name[U+2069]",
        ),
        ("Exports rose\u200e sharply.", "<U+200E LEFT-TO-RIGHT MARK>", "rose[LRM]"),
        ("東京\u200bで会見した。", "<U+200B ZERO WIDTH SPACE>", "東京[ZWSP]で会見した。"),
        ("혼\u200c잡 시간대에 요금을 할인한다.", "<U+200C ZERO WIDTH NON-JOINER>", "혼[ZWNJ]잡"),
        ("Fans wrote: ok\u200d thanks.", "<U+200D ZERO WIDTH JOINER>", "ok[ZWJ]"),
    ],
)
def test_each_invisible_character_is_named_and_shown(text: str, named: str, word: str) -> None:
    message, excerpt, spans = one(run([with_body(STORY, text)], ENTRY), "body_no_invisible_chars")
    assert named in message and f"('{word}')" in message and "in the body" in message
    ((start, end),) = spans
    assert end - start == 1 and excerpt[start] in text and not excerpt[start].isprintable()


def test_all_of_them_are_counted_and_the_first_five_named() -> None:
    text = "A\u200bB\u200bC\u200bD\u200bE\u200bF\u200bG and more words."
    message, _, _ = one(run([with_body(STORY, text)], ENTRY), "body_no_invisible_chars")
    assert message.startswith("6 invisible characters in the body: <U+200B ZERO WIDTH SPACE>")
    assert message.count("<U+200B") == 5 and "and 1 more" in message


@pytest.mark.parametrize(
    "text",
    [
        "Fans posted 👨\u200d👩\u200d👧 and 🏳\ufe0f\u200d🌈 under the video.",  # emoji sequences
        "Voters in Tehran said: می\u200cخواهم رای بدهم.",  # Persian ZWNJ
        "The slogan read क्\u200dष in the rally posters.",  # Devanagari joiner
        "The Hebrew sign read שלום\u200f 2024.",  # a mark in right-to-left text
        "Plain text with no invisible characters at all.",
    ],
)
def test_joiners_and_marks_pass_where_the_script_uses_them(text: str) -> None:
    assert run([with_body(STORY, text)], ENTRY).findings == []


def test_the_headline_is_read_and_fields_narrow_it() -> None:
    headline = "Korea\u200b’s chip exports rise for a sixth month"
    a = make_article(example_article(), headline=headline)
    message, _, _ = one(run([a], ENTRY), "body_no_invisible_chars")
    assert "in the header headline" in message
    assert run([a], f"{ENTRY}\n  fields: [body]").findings == []
