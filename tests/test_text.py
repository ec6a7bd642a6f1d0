"""Text helpers: the excerpt of a finding around the offending range."""

from __future__ import annotations

from toolkit.text import EXCERPT_CHARS, excerpt_at


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
