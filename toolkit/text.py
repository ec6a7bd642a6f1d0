"""Text helpers shared by checks and reporters."""

from __future__ import annotations

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

# White space as news text carries it, for a regex character class. Patterns run on Arrow
# columns go to pyarrow's RE2 only when they avoid \s, \d, \w, \b, lookarounds and "\u"
# escapes (pandas falls back to a Python loop otherwise), so the characters are listed here as
# themselves: RE2's \s would also miss the no-break space.
UNICODE_SPACES = "\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000"
SPACE_CLASS = f" \t\n\r\f\v{UNICODE_SPACES}"
SPACE_RUN = f"[{SPACE_CLASS}]+"

# Characters a reader cannot see, shown as visible markers in reports.
INVISIBLE = {
    "\u00a0": "⍽",
    "\u200b": "[ZWSP]",
    "\u200c": "[ZWNJ]",
    "\u200d": "[ZWJ]",
    "\u2060": "[WJ]",
    "\ufeff": "[BOM]",
    "\u00ad": "[SHY]",
    "\u200e": "[LRM]",
    "\u200f": "[RLM]",
    "\u202a": "[LRE]",
    "\u202b": "[RLE]",
    "\u202c": "[PDF]",
    "\u202d": "[LRO]",
    "\u202e": "[RLO]",
    "\u2066": "[LRI]",
    "\u2067": "[RLI]",
    "\u2068": "[FSI]",
    "\u2069": "[PDI]",
    "\t": "→",
    "\r": "[CR]",
}
EXCERPT_CHARS = 120


def visible(text: str) -> str:
    """Show invisible and control characters as markers (a no-break space as ⍽)."""
    out = []
    for ch in text:
        if ch in INVISIBLE:
            out.append(INVISIBLE[ch])
        elif ord(ch) < 32 or 0x7F <= ord(ch) < 0xA0:
            out.append(f"[U+{ord(ch):04X}]")
        else:
            out.append(ch)
    return "".join(out)


def excerpt(text: object, around: int | None = None, width: int = EXCERPT_CHARS) -> str:
    """A short piece of ``text``; centred on ``around`` when given."""
    if text is None or (isinstance(text, float) and pd.isna(text)):
        return ""
    s = str(text)
    if len(s) <= width:
        return s
    if around is None:
        return s[: width - 1] + "…"
    start = max(0, min(around - width // 2, len(s) - width))
    head = "…" if start > 0 else ""
    tail = "…" if start + width < len(s) else ""
    return head + s[start : start + width] + tail


Span = tuple[int, int]


def excerpt_at(text: str, start: int, end: int, width: int = EXCERPT_CHARS) -> tuple[str, Span]:
    """A piece of ``text`` (at most ``width`` characters, ellipses included) around the range
    [start, end), and where that range sits inside the piece, for a finding to highlight."""
    if len(text) <= width:
        return text, (start, end)
    inner = width - 2  # room for an ellipsis at each end
    end = min(end, start + inner)
    lo = max(0, min(start - (inner - (end - start)) // 2, len(text) - inner))
    head = "…" if lo > 0 else ""
    tail = "…" if lo + inner < len(text) else ""
    shift = len(head) - lo
    return head + text[lo : lo + inner] + tail, (start + shift, end + shift)


def normalise_space(series: pd.Series) -> pd.Series:
    """Fold runs of any Unicode white space (no-break spaces included) to one space and strip.
    Split and join in pyarrow: a regex replacement costs a rewrite per space, twice as slow."""
    text = pa.array(series, type=pa.string(), from_pandas=True)
    words = pc.utf8_split_whitespace(pc.utf8_trim_whitespace(text))
    joined = pc.binary_join(words, " ")
    return pd.Series(joined, index=series.index, dtype="string[pyarrow]")


def as_mask(values: pd.Series) -> pd.Series:
    """A plain boolean Series (missing counts as False), as pandera expects from a check."""
    return values.fillna(False).astype(bool)
