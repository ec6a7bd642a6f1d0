"""Text helpers shared by checks and reporters."""

from __future__ import annotations

import re

import numpy as np
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
# The same characters one by one, for str.strip() and friends, which take no ranges.
UNICODE_SPACE_CHARS = (
    "\u00a0\u1680" + "".join(map(chr, range(0x2000, 0x200B))) + "\u202f\u205f\u3000"
)
SPACE_CHARS = " \t\n\r\f\v" + UNICODE_SPACE_CHARS

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
    "\t": "→",
    "\r": "[CR]",
}
# Besides those, every character that can steer a terminal, a CI log or the order text is
# shown in: C0 controls (ESC, BEL, backspace, the line break), DEL, C1 controls (CSI U+009B and
# OSC U+009D act as ESC [ and ESC ] in many terminals), the bidirectional embeddings, overrides
# and isolates (they reorder what a reader sees), and the Unicode line and paragraph separators.
CONTROLS = "\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u2028\u2029"
SHOWN = re.compile("[" + re.escape("".join(INVISIBLE)) + CONTROLS + "]")
EXCERPT_CHARS = 120


def _marker(m: re.Match[str]) -> str:
    ch = m.group()
    return INVISIBLE.get(ch) or f"[U+{ord(ch):04X}]"


def visible(text: str) -> str:
    """Untrusted text as every report shows it: invisible and control characters as markers
    (a no-break space as ⍽, ESC as [U+001B], a line break as [U+000A]), so that no text from
    a corpus or a file name can move the cursor, clear a screen, open a link, start a line or
    reorder what is shown. One C-level regex scan: most text has nothing to replace."""
    return SHOWN.sub(_marker, text)


# GitHub's runner reads a workflow command from a log line that starts with "::" (after
# leading white space) and, in the legacy form, from "##[" anywhere in a line. Any report can
# be printed into a CI log, and rich wraps long text where it likes, so reports pass their
# whole rendered output through no_workflow_commands(). The colour codes a report writes
# itself may come first on a line.
_COMMAND_AT_LINE_START = re.compile(r"^((?:[^\S\n]|\x1b\[[0-9;]*m)*):(?=:)", re.MULTILINE)
# A WORD JOINER (zero width, no line break) between the two characters keeps the text as it
# reads and makes it no command, in formats with no escape of their own (terminal, Markdown).
WORD_JOINER = "\u2060"


def no_workflow_commands(
    text: str, colon: str = ":" + WORD_JOINER, hash: str = "#" + WORD_JOINER
) -> str:
    """``text`` (many lines) with nothing a GitHub Actions runner would take as a workflow
    command: no line starting with "::", no "##[" anywhere. The first ":" or "#" becomes
    ``colon`` or ``hash``: a format's own escape of it (an XML character reference, a JSON
    \\u escape) keeps the data exact for its readers."""
    text = _COMMAND_AT_LINE_START.sub(lambda m: m.group(1) + colon, text)
    return text.replace("##[", hash + "#[")


# Raw in JSON text (JSON escapes only C0 controls), yet acted on by some terminals (C1) or
# reordering what is shown (bidi); they occur in JSON only inside strings.
_JSON_RAW_CONTROLS = re.compile("[\x7f-\x9f\u202a-\u202e\u2066-\u2069\u2028\u2029]")


def json_for_logs(text: str) -> str:
    """JSON text that is safe to print to a terminal or a CI log and decodes to the same data:
    C1 controls, DEL and bidi characters as \\u escapes, and no workflow command."""
    text = _JSON_RAW_CONTROLS.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
    return no_workflow_commands(text, colon="\\u003a", hash="\\u0023")


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

# How far a message looks on either side of a hit for the word it stands in. Article text is
# untrusted: one "word" may be a pasted 2 MB image, and Python's re rescans such a word from each
# of its characters when a word pattern is searched for ("[^ ]*$", "\\w+'\\w+"), which is
# quadratic. A bounded window keeps every message builder linear in the field's length.
WORD_REACH = 100


def window(text: str, start: int, end: int, reach: int = WORD_REACH) -> Span:
    """The bounds of at most ``reach`` characters of ``text`` on either side of [start, end)."""
    return max(0, start - reach), min(len(text), end + reach)


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


# Text a check that makes an Arrow string or a Python object of every word, paragraph or body
# handles at once: a run of rows of about this many characters, so that such intermediates
# (tens of times the text) stay within tens of MiB whatever the batch size.
CHUNK_CHARS = 1 << 20


def text_runs(texts: pd.Series | pa.Array, most: int = CHUNK_CHARS) -> list[slice]:
    """Runs of consecutive rows of ``texts`` of at most ``most`` bytes of UTF-8 each (what the
    temporaries grow with; the offsets give it, where characters would be counted), and of at
    least one row each (a longer text is a run of its own), in order."""
    lengths = text_bytes(texts)
    runs = []
    lo, total = 0, 0
    for i, n in enumerate(lengths.tolist()):
        if i > lo and total + n > most:
            runs.append(slice(lo, i))
            lo, total = i, 0
        total += n
    if lo < len(lengths):
        runs.append(slice(lo, len(lengths)))
    return runs


def text_bytes(texts: pd.Series | pa.Array) -> np.ndarray:
    """The UTF-8 length of each text in bytes, 0 where missing: read from the Arrow offsets,
    with no pass over the text."""
    text = texts if isinstance(texts, pa.Array) else pa.array(texts, pa.string(), from_pandas=True)
    lengths = pc.binary_length(text)
    counted: np.ndarray = pc.fill_null(lengths, 0).to_numpy(zero_copy_only=False)
    return counted.astype(np.int64)


def non_empty(texts: pd.Series) -> pd.Series:
    """True where there is a text and it is not the empty string."""
    return pd.Series(text_bytes(texts) > 0, index=texts.index)


def normalise_space(series: pd.Series) -> pd.Series:
    """Fold runs of any Unicode white space (no-break spaces included) to one space and strip."""
    text = pa.array(series, type=pa.string(), from_pandas=True)
    return pd.Series(fold_space(text), index=series.index, dtype="string[pyarrow]")


# Every character Arrow's utf8_split_whitespace and utf8_trim_whitespace take for white space,
# which is Python's str.isspace() set (tests/test_text.py checks both): SPACE_CLASS, the
# information separators, NEL and the line and paragraph separators. All but the plain space.
_OTHER_SPACE = "\t\n\v\f\r\x1c-\x1f\x85" + UNICODE_SPACES + "\u2028\u2029"
# A text is already folded unless it has one of them, two spaces running, or a space at an end.
_UNFOLDED = f"[{_OTHER_SPACE}]|  |^ | $"


def fold_space(text: pa.Array | pa.ChunkedArray) -> pa.Array:
    """``text`` with each run of white space folded to one space and both ends stripped.
    Split and join in pyarrow (a regex replacement costs a rewrite per space, twice as slow),
    and only for the texts that still need it after two substring passes (one body in
    twenty of the benchmark's corpus). Finding them is one regex pass, a tenth of the cost
    of the split."""
    if isinstance(text, pa.ChunkedArray):
        text = text.combine_chunks()
    # Two kinds of white space fill real bodies: the blank line that joins paragraphs and the
    # no-break space inside sentences. Each becomes one space, as folding would make it, in a
    # plain substring pass; a run this leaves (a space beside one) is folded below.
    text = pc.replace_substring(pc.replace_substring(text, "\n\n", " "), "\u00a0", " ")
    unfolded = pc.fill_null(pc.match_substring_regex(text, _UNFOLDED), False)
    if not pc.any(unfolded).as_py():
        return text
    rest = text.filter(unfolded)
    folded = pc.binary_join(pc.utf8_split_whitespace(pc.utf8_trim_whitespace(rest)), " ")
    return pc.replace_with_mask(text, unfolded, folded)


def as_mask(values: pd.Series) -> pd.Series:
    """A plain boolean Series (missing counts as False), as pandera expects from a check."""
    return values.fillna(False).astype(bool)
