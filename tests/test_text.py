"""Text helpers: the excerpt of a finding around the offending range, white space folding."""

from __future__ import annotations

import json
import random
import re
import sys

import pyarrow as pa
import pyarrow.compute as pc

from toolkit.text import (
    _OTHER_SPACE,
    EXCERPT_CHARS,
    excerpt_at,
    fold_space,
    json_for_logs,
    no_workflow_commands,
    visible,
)

_EVERY_SPACE = [chr(c) for c in range(sys.maxunicode + 1) if chr(c).isspace()]


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


def _split_and_join(text: pa.Array) -> pa.Array:
    return pc.binary_join(pc.utf8_split_whitespace(pc.utf8_trim_whitespace(text)), " ")


def test_the_spaces_fold_space_looks_for_are_arrows_and_pythons_white_space() -> None:
    # Arrow's split takes a character for white space exactly when str.isspace() does.
    chars = [chr(c) for c in range(sys.maxunicode + 1) if not 0xD800 <= c <= 0xDFFF]
    parts = pc.list_value_length(pc.utf8_split_whitespace(pa.array([f"a{c}b" for c in chars])))
    arrow = {c for c, n in zip(chars, parts.to_pylist(), strict=True) if n == 2}
    assert arrow == set(_EVERY_SPACE)
    others = re.compile(f"[{_OTHER_SPACE}]")
    assert {c for c in _EVERY_SPACE if others.fullmatch(c)} == set(_EVERY_SPACE) - {" "}


def test_fold_space_gives_what_splitting_and_joining_every_text_gives() -> None:
    rng = random.Random(5)
    pieces = [*_EVERY_SPACE, *"ab’é\u200b", "  ", "\n\n", "\n\n\n", " \u00a0", "\u00a0\n\n"]
    texts: list[str | None] = [
        "".join(rng.choice(pieces) for _ in range(rng.randrange(12))) for _ in range(20_000)
    ]
    texts += [None, "", " ", "a", "a b", "\u00a0", "\n\n", "United\u00a0Nations said.\n\nIt"]
    text = pa.array(texts, type=pa.string())
    assert fold_space(text).equals(_split_and_join(text))
    assert fold_space(text.slice(0, 0)).equals(_split_and_join(text.slice(0, 0)))
    chunked = pa.chunked_array([text.slice(0, 7), text.slice(7, 9)])
    assert fold_space(chunked).equals(_split_and_join(text.slice(0, 16)))


def test_fold_space_of_folded_texts_is_the_same_texts() -> None:
    text = pa.array(["Exports rose.", "", None, "a b c"], type=pa.string())
    assert fold_space(text).to_pylist() == ["Exports rose.", "", None, "a b c"]
