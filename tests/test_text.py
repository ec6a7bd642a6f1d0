"""Text helpers: the excerpt of a finding around the offending range."""

from __future__ import annotations

import json

from toolkit.text import (
    EXCERPT_CHARS,
    excerpt_at,
    json_for_logs,
    no_workflow_commands,
    visible,
)


def test_short_text_is_its_own_excerpt() -> None:
    assert excerpt_at("BY SEO JI-EUN [seo]", 15, 18) == ("BY SEO JI-EUN [seo]", (15, 18))


def test_long_text_is_cut_around_the_range_and_the_span_follows() -> None:
    text = "a" * 300 + "<p>" + "b" * 300
    shown, (start, end) = excerpt_at(text, 300, 303)
    assert len(shown) <= EXCERPT_CHARS
    assert shown.startswith("…") and shown.endswith("…")
    assert shown[start:end] == "<p>"


def test_range_at_the_end_keeps_the_end() -> None:
    text = "x" * 500 + " caused by"
    shown, (start, end) = excerpt_at(text, len(text) - 9, len(text))
    assert shown.endswith("caused by") and not shown.endswith("…")
    assert shown[start:end] == "caused by"


def test_visible_marks_every_character_that_steers_a_terminal_or_reorders_text() -> None:
    assert visible("\x1b[2J\x9b1m\x9d8;;x\x07\x08\x7f\u202eab\u2069") == (
        "[U+001B][2J[U+009B]1m[U+009D]8;;x[U+0007][U+0008][U+007F][U+202E]ab[U+2069]"
    )
    assert visible("a\tb\r\nc\u00a0d\u2028") == "a→b[CR][U+000A]c⍽d[U+2028]"
    for code in [*range(0x20), *range(0x7F, 0xA0), *range(0x202A, 0x202F), *range(0x2066, 0x206A)]:
        assert chr(code) not in visible(chr(code)), f"U+{code:04X}"
    assert visible("Assad’s “quote” 한국 [bold]") == "Assad’s “quote” 한국 [bold]"


def test_no_workflow_commands_breaks_line_start_and_legacy_commands_only() -> None:
    text = "::error::a\n  ::add-mask::b\n\x1b[2m::stop-commands::c\nx ::d ##[error]e\n"
    assert no_workflow_commands(text) == (
        ":\u2060:error::a\n  :\u2060:add-mask::b\n\x1b[2m:\u2060:stop-commands::c\n"
        "x ::d #\u2060#[error]e\n"
    )
    assert no_workflow_commands("::x", colon="&#58;", hash="&#35;") == "&#58;:x"


def test_json_for_logs_escapes_yet_decodes_to_the_same_data() -> None:
    data = {"t": "\x1b[2J \x9b \u202e ##[error]x \\##[ ::y"}
    text = json_for_logs(json.dumps(data, ensure_ascii=False))
    assert "\x9b" not in text and "\u202e" not in text and "##[" not in text
    assert json.loads(text) == data
