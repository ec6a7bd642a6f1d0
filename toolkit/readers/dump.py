"""Read article dump files: bytes to text to articles, with unreadable input as problems."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from toolkit.article import Article, is_blank, parse_text

# Share of control bytes in the first block above which a file is taken for binary data.
_BINARY_SHARE = 0.10
_SNIFF = 8192
_TEXT_CONTROLS = frozenset(b"\t\n\r\x0c")


@dataclass(frozen=True)
class ReadProblem:
    """Why a file could not be read as it should: a finding of the file_readable expectation."""

    kind: str  # "empty" | "binary" | "not_utf8" | "unreadable"
    message: str
    line: int = 1
    offset: int | None = None
    excerpt: str = ""


@dataclass
class ReadOutcome:
    file: str
    articles: list[Article] = field(default_factory=list)
    problems: list[ReadProblem] = field(default_factory=list)


def read_dump(path: Path, name: str | None = None) -> ReadOutcome:
    """Read one dump file. Never raises for bad content: a file that is empty, binary or not
    UTF-8 gives a problem; a non-UTF-8 file is still parsed (bad bytes as U+FFFD) so that its
    articles are checked too."""
    label = name if name is not None else str(path)
    outcome = ReadOutcome(file=label)
    try:
        data = path.read_bytes()
    except OSError as exc:
        outcome.problems.append(ReadProblem("unreadable", f"cannot read the file: {exc.strerror}"))
        return outcome
    return read_dump_data(data, label)


def read_dump_data(data: bytes, label: str) -> ReadOutcome:
    """Read the bytes of one dump file (``label`` names it in findings)."""
    outcome = ReadOutcome(file=label)
    problem = sniff_binary(data)
    if problem is not None:
        outcome.problems.append(problem)
        return outcome
    text, problem = decode_utf8(data)
    if problem is not None:
        outcome.problems.append(problem)
    if is_blank(text):
        what = "empty (0 bytes)" if not data else "only white space"
        outcome.problems.append(ReadProblem("empty", f"the file is {what}: it holds no article"))
        return outcome
    outcome.articles = parse_text(text, label)
    return outcome


def sniff_binary(data: bytes) -> ReadProblem | None:
    head = data[:_SNIFF]
    if not head:
        return None
    nul = head.find(b"\x00")
    controls = sum(1 for b in head if b < 32 and b not in _TEXT_CONTROLS)
    if nul >= 0 or controls / len(head) > _BINARY_SHARE:
        at = (
            nul
            if nul >= 0
            else next(i for i, b in enumerate(head) if b < 32 and b not in _TEXT_CONTROLS)
        )
        kind = _binary_kind(head)
        return ReadProblem(
            "binary",
            f"the file holds binary data{kind}, not article text (first control byte at "
            f"offset {at}); check what the scraper saved",
            line=head.count(b"\n", 0, at) + 1,
            offset=at,
            excerpt=head[:16].hex(" "),
        )
    return None


_MAGIC = {b"\x1f\x8b": " (gzip)", b"PK\x03\x04": " (zip)", b"%PDF": " (PDF)", b"\x89PNG": " (PNG)"}


def _binary_kind(head: bytes) -> str:
    return next((kind for magic, kind in _MAGIC.items() if head.startswith(magic)), "")


def decode_utf8(data: bytes) -> tuple[str, ReadProblem | None]:
    """Decode as UTF-8 (a BOM is dropped); on a bad byte, report its offset and line and
    decode the rest with replacement characters."""
    body = data[3:] if data.startswith(b"\xef\xbb\xbf") else data
    try:
        return body.decode("utf-8"), None
    except UnicodeDecodeError as exc:
        start = exc.start + (len(data) - len(body))
        line_start = data.rfind(b"\n", 0, start) + 1
        context = data[line_start:start].decode("utf-8", "replace")[-40:]
        bad = data[start : start + 4].hex(" ")
        problem = ReadProblem(
            "not_utf8",
            f"the file is not UTF-8: byte 0x{data[start]:02x} at offset {start} "
            f"({exc.reason}); re-encode it to UTF-8 (it may be Windows-1252 or Latin-1)",
            line=data.count(b"\n", 0, start) + 1,
            offset=start,
            excerpt=f"{context}⟨{bad}⟩",
        )
        return body.decode("utf-8", "replace"), problem
