"""Compressed input: ``.gz``, ``.bz2``, ``.xz`` and ``.zst`` of every format.

Decompression is bounded (a small file can expand to gigabytes) and tolerant: what a
truncated or corrupt stream yields before the damage is kept and read, and the damage is a
problem of the file, so the good records of a cut-off feed are still checked.
"""

from __future__ import annotations

import bz2
import lzma
import os
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

COMPRESSIONS: dict[str, str] = {".gz": "gzip", ".bz2": "bz2", ".xz": "xz", ".zst": "zstd"}
_CHUNK = 1 << 16


@dataclass(frozen=True)
class Decompressed:
    data: bytes
    # Why the stream could not be read to its end (truncated, corrupt, over the size cap).
    damage: str | None = None


def split_compression(name: str | PurePath) -> tuple[str, str | None]:
    """The format suffix and the compression of a file name: ``a.jsonl.gz`` is
    (``.jsonl``, ``gzip``), ``a.txt`` is (``.txt``, None). The last two of PurePath.suffixes,
    found by string partition: it is asked of every file of a run, and building a PurePath
    costs more than the rest of choosing its reader (and interns each name it parses, in a
    table that keeps the size of the longest run it served)."""
    if isinstance(name, PurePath):
        base = name.name
    else:
        base = os.path.basename(name)
        if base in ("", ".", ".."):  # a name that ends in a separator or a dot component
            base = PurePath(name).name
    if base.endswith("."):
        return "", None
    head, dot, last = base.lstrip(".").lower().rpartition(".")
    if not dot:
        return "", None
    compression = COMPRESSIONS.get("." + last)
    if compression is None:
        return "." + last, None
    _, dot, inner = head.rpartition(".")
    return ("." + inner if dot else ""), compression


class _Stream:
    """Incremental decompression of one codec, so that a cut-off stream still yields all
    that came before the cut (the stdlib file objects yield nothing of a chunk that fails)."""

    def __init__(self, compression: str) -> None:
        self.compression = compression
        self._new()

    def _new(self) -> None:
        if self.compression == "gzip":
            self._d: Any = zlib.decompressobj(wbits=31)
        elif self.compression == "bz2":
            self._d = bz2.BZ2Decompressor()
        else:
            self._d = lzma.LZMADecompressor()

    def feed(self, raw: bytes) -> bytes:
        out: bytes = self._d.decompress(raw)
        # Several gzip/bz2/xz members back to back (as `cat a.gz b.gz` makes) are one stream.
        while self._d.eof and self._d.unused_data:
            rest = self._d.unused_data
            self._new()
            out += self._d.decompress(rest)
        return out

    @property
    def complete(self) -> bool:
        return bool(self._d.eof)


def _chunks(raw: bytes, compression: str) -> Iterator[bytes]:
    if compression == "zstd":
        # pyarrow ships the zstd codec (no further dependency); it decompresses as it reads,
        # so small reads keep what precedes a damaged frame.
        import pyarrow

        with pyarrow.input_stream(pyarrow.BufferReader(raw), compression="zstd") as stream:
            while chunk := stream.read(_CHUNK):
                yield chunk
        return
    stream = _Stream(compression)
    for at in range(0, len(raw), _CHUNK):
        yield stream.feed(raw[at : at + _CHUNK])
    if not stream.complete:
        raise EOFError


def decompress(raw: bytes, compression: str, limit: int | None) -> Decompressed:
    """Decompress ``raw`` in chunks, at most ``limit`` bytes of output."""
    chunks: list[bytes] = []
    size = 0
    try:
        for chunk in _chunks(raw, compression):
            chunks.append(chunk)
            size += len(chunk)
            if limit is not None and size > limit:
                return Decompressed(
                    b"".join(chunks)[:limit],
                    f"it decompresses to more than {limit:,} bytes (the --max-file-size "
                    "cap); only the first part was read",
                )
    except EOFError:
        return Decompressed(
            b"".join(chunks),
            f"the {compression} stream is truncated (it ends before its end marker); the "
            "records before the cut were read",
        )
    except (OSError, zlib.error, lzma.LZMAError, ValueError) as exc:
        # pyarrow raises OSError for corrupt zstd frames.
        return Decompressed(
            b"".join(chunks),
            f"the {compression} stream is corrupt ({exc}); what came before it was read",
        )
    return Decompressed(b"".join(chunks))
