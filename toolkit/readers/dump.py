"""Read article dump files: bytes to text to articles, with unreadable input as problems."""

from __future__ import annotations

import errno
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

from toolkit.article import Article, ArticleRows, is_blank, parse_rows

# Share of control bytes in the first block above which a file is taken for binary data.
_BINARY_SHARE = 0.10
_SNIFF = 8192
_TEXT_CONTROLS = frozenset(b"\t\n\r\x0c")
_NOT_CONTROL = bytes(b for b in range(256) if b >= 32 or b in _TEXT_CONTROLS)
# Files larger than this are not read (--max-file-size): a dump is text, and a file of this
# size is more likely a disk image or a log than one.
DEFAULT_MAX_FILE_SIZE = 256 * 1024**2
# Byte order marks of the encodings read besides UTF-8; UTF-32 first, its LE mark starts
# with UTF-16's.
_BOMS = (
    (b"\xff\xfe\x00\x00", "utf-32", "UTF-32"),
    (b"\x00\x00\xfe\xff", "utf-32", "UTF-32"),
    (b"\xff\xfe", "utf-16", "UTF-16"),
    (b"\xfe\xff", "utf-16", "UTF-16"),
)


@dataclass(frozen=True)
class ReadProblem:
    """Why a file could not be read as it should: a finding of the file_readable expectation."""

    # "empty" | "binary" | "not_utf8" | "bad_encoding" (UTF-16/32 with a BOM, bad units) |
    # "unreadable" | "not_regular" | "too_large"
    kind: str
    message: str
    line: int = 1
    offset: int | None = None
    excerpt: str = ""


@dataclass
class ReadOutcome:
    """One file read: its articles as columns (``rows``, what the engine checks) and its
    problems. ``articles`` makes Article records of the rows when asked, once."""

    file: str
    problems: list[ReadProblem] = field(default_factory=list)
    rows: ArticleRows = field(default_factory=ArticleRows)
    # At least the characters of text the rows hold, when the reader knows it cheaply (a
    # dump's articles are pieces of its text); None: count them (toolkit.batch.text_size).
    chars: int | None = field(default=None, compare=False)
    _articles: list[Article] | None = field(default=None, repr=False, compare=False)

    @property
    def articles(self) -> list[Article]:
        if self._articles is None:
            self._articles = self.rows.articles()
        return self._articles

    @articles.setter
    def articles(self, articles: list[Article]) -> None:
        self.rows = ArticleRows()
        for a in articles:
            self.rows.add(a)
        self._articles = list(articles)


def read_dump(
    path: Path, name: str | None = None, max_size: int = DEFAULT_MAX_FILE_SIZE
) -> ReadOutcome:
    """Read one dump file. Never raises for bad content: a file that is empty, binary or not
    UTF-8 gives a problem; a non-UTF-8 file is still parsed (bad bytes as U+FFFD) so that its
    articles are checked too. UTF-16 and UTF-32 with a byte order mark are decoded as such,
    and a file whose lines end in CR alone is read line by line. Only a regular file of at
    most ``max_size`` bytes is read: anything else is a problem, never a hang."""
    label = name if name is not None else str(path)
    outcome = ReadOutcome(file=label)
    data, problem = read_bytes(path, max_size)
    if problem is not None:
        outcome.problems.append(problem)
        return outcome
    return read_dump_data(data, label)


def read_dump_data(data: bytes, label: str) -> ReadOutcome:
    """Read the bytes of one dump file (``label`` names it in findings)."""
    outcome = ReadOutcome(file=label)
    text, problem = decode(data)
    if problem is not None:
        outcome.problems.append(problem)
        if problem.kind == "binary":
            return outcome
    if is_blank(text):
        what = "empty (0 bytes)" if not data else "only white space"
        outcome.problems.append(ReadProblem("empty", f"the file is {what}: it holds no article"))
        return outcome
    parse_rows(text, label, outcome.rows)
    # Each part of an article is a piece of its own lines, joins no longer than the line
    # ends they replace; the file's label and the source ("dump") stand in every row.
    outcome.chars = len(text) + (len(label) + len("dump")) * len(outcome.rows)
    return outcome


def read_bytes(path: str | Path, max_size: int) -> tuple[bytes, ReadProblem | None]:
    """The file's bytes, opened without blocking and checked to be a regular file before a
    byte is read: discovery has checked already, but the entry may have changed since, and a
    path named by a program (the pytest plugin, fixtures) has not been through it."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC)
    except OSError as exc:
        return b"", _unreadable(exc)
    try:
        st = os.fstat(fd)
        if stat.S_ISDIR(st.st_mode):
            return b"", _unreadable(IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR)))
        if not stat.S_ISREG(st.st_mode):
            return b"", ReadProblem("not_regular", "not a regular file: it was not read")
        if st.st_size > max_size:
            return b"", _too_large(st.st_size, max_size)
        data = _read_all(fd, min(st.st_size, max_size) + 1, max_size + 1)
    except OSError as exc:
        return b"", _unreadable(exc)
    finally:
        os.close(fd)
    if len(data) > max_size:
        return b"", _too_large(len(data), max_size)
    return data, None


def _read_all(fd: int, first: int, limit: int) -> bytes:
    """Up to ``limit`` bytes of ``fd`` (one byte over the cap, so that a file that grows while
    read is caught too). Plain ``os.read`` calls: a file object per file costs more than the
    read itself over many small files. The first read asks for the size fstat gave, plus one
    byte; the loop goes on to the end for a file that changed since."""
    data = os.read(fd, first)
    if not data:
        return data
    chunks = [data]
    size = len(data)
    while size < limit:
        more = os.read(fd, min(limit - size, _CHUNK))
        if not more:
            break
        chunks.append(more)
        size += len(more)
    return chunks[0] if len(chunks) == 1 else b"".join(chunks)


_CHUNK = 1 << 20


def _unreadable(exc: OSError) -> ReadProblem:
    return ReadProblem("unreadable", f"cannot read the file: {exc.strerror or exc}")


def _too_large(size: int, max_size: int) -> ReadProblem:
    return ReadProblem(
        "too_large",
        f"the file is {format_size(size)}, over the limit of {format_size(max_size)}: it was "
        "not read; raise --max-file-size to check it",
    )


def format_size(size: int) -> str:
    for unit, factor in (("GiB", 1024**3), ("MiB", 1024**2), ("KiB", 1024)):
        if size >= factor:
            return f"{size / factor:.1f} {unit} ({size:,} bytes)"
    return f"{size:,} bytes"


def parse_size(text: str) -> int:
    """``--max-file-size``: bytes, or a number with K, M or G (powers of 1024; a trailing B,
    iB and any case are accepted: 10M, 10MB, 10MiB, 512k)."""
    raw = text.strip().upper().removesuffix("IB").removesuffix("B")
    factor = 1
    if raw[-1:] in _SIZE_UNITS:
        factor = _SIZE_UNITS[raw[-1]]
        raw = raw[:-1]
    if not raw.strip().isdigit():
        raise ValueError(f"{text!r} is not a size: give bytes, or a number with K, M or G")
    return int(raw) * factor


_SIZE_UNITS = {"K": 1024, "M": 1024**2, "G": 1024**3}


def decode(data: bytes) -> tuple[str, ReadProblem | None]:
    """Bytes to text: UTF-16/32 when a BOM says so, else binary data or UTF-8. CR-only line
    ends (old Mac, some exporters) become newlines; CRLF is left to the parser."""
    for bom, codec, name in _BOMS:
        if data.startswith(bom):
            text, problem = decode_bom(data, codec, name, len(bom))
            break
    else:
        problem = sniff_binary(data)
        if problem is not None:
            return "", problem
        text, problem = decode_utf8(data)
    if "\r" in text and "\n" not in text:
        text = text.replace("\r", "\n")
    return text, problem


def decode_bom(data: bytes, codec: str, name: str, bom: int) -> tuple[str, ReadProblem | None]:
    """Decode a file with a UTF-16/32 BOM (the codec reads the BOM for the byte order); a bad
    code unit is a problem with its offset and line, and the rest is still read."""
    try:
        return data.decode(codec), None
    except UnicodeDecodeError as exc:
        text = data.decode(codec, "replace")
        before = data[: exc.start].decode(codec, "replace")
        line = before.count("\n") + 1 if "\n" in before else before.count("\r") + 1
        problem = ReadProblem(
            "bad_encoding",
            f"the file starts with a {name} byte order mark but is not valid {name}: bytes "
            f"at offset {exc.start} ({exc.reason}); re-encode it to UTF-8",
            line=line,
            offset=exc.start,
            excerpt=f"{before[-40:]}⟨{data[exc.start : exc.start + 4].hex(' ')}⟩",
        )
        return text, problem


def sniff_binary(data: bytes) -> ReadProblem | None:
    head = data[:_SNIFF]
    if not head:
        return None
    nul = head.find(b"\x00")
    # Deleting every byte that is not a control byte leaves the controls, counted in C.
    controls = len(head.translate(None, _NOT_CONTROL))
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
            line=line_at(head, at),
            offset=at,
            excerpt=head[:16].hex(" "),
        )
    return None


_MAGIC = {b"\x1f\x8b": " (gzip)", b"PK\x03\x04": " (zip)", b"%PDF": " (PDF)", b"\x89PNG": " (PNG)"}


def _binary_kind(head: bytes) -> str:
    return next((kind for magic, kind in _MAGIC.items() if head.startswith(magic)), "")


def line_at(data: bytes, offset: int) -> int:
    """The line of a byte offset; in a file whose lines end in CR alone, CRs count."""
    end = b"\r" if b"\n" not in data and b"\r" in data else b"\n"
    return data.count(end, 0, offset) + 1


def decode_utf8(data: bytes) -> tuple[str, ReadProblem | None]:
    """Decode as UTF-8 (a BOM is dropped); on a bad byte, report its offset and line and
    decode the rest with replacement characters."""
    body = data[3:] if data.startswith(b"\xef\xbb\xbf") else data
    try:
        return body.decode("utf-8"), None
    except UnicodeDecodeError as exc:
        start = exc.start + (len(data) - len(body))
        line_start = data.rfind(b"\n", 0, start) + 1
        context = data[max(line_start, start - 160) : start].decode("utf-8", "replace")[-40:]
        bad = data[start : start + 4].hex(" ")
        problem = ReadProblem(
            "not_utf8",
            f"the file is not UTF-8: byte 0x{data[start]:02x} at offset {start} "
            f"({exc.reason}); re-encode it to UTF-8 (it may be Windows-1252 or Latin-1)",
            line=line_at(data, start),
            offset=start,
            excerpt=f"{context}⟨{bad}⟩",
        )
        return body.decode("utf-8", "replace"), problem
