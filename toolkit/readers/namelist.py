"""The paths and labels of a run's input files, held compactly.

A run keeps the path and the label of every file it discovered until its end (the finish
names files by their number). As Python strings an archive path is some 130 bytes a file, and
200,000 small objects made between the directory listings that outlive them. ``NameList``
keeps each directory part once and the rest of each name as UTF-8 in one buffer: some 12
bytes a file beside the name itself, in three objects whatever the count.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, overload


class NameList(Sequence[str]):
    """A list of strings, each split at its last '/': the part up to it (a directory, shared)
    and the rest (bytes in one buffer). Any string round-trips, lone surrogates of
    ``os.fsdecode`` included. Appends, extends and compares equal to a list of the same
    strings; indexing makes the string anew, so it suits few reads a name (the run reads each
    once or twice), not a hot lookup."""

    __slots__ = ("_buf", "_dir_no", "_dir_of", "_dirs", "_ends")

    def __init__(self, items: Iterable[str] = ()) -> None:
        self._dirs: list[str] = []
        self._dir_no: dict[str, int] = {}
        self._dir_of = array("I")
        self._ends = array("Q")
        self._buf = bytearray()
        self.extend(items)

    def append(self, text: str) -> None:
        cut = text.rfind("/") + 1
        head = text[:cut]
        no = self._dir_no.get(head)
        if no is None:
            no = self._dir_no[head] = len(self._dirs)
            self._dirs.append(head)
        self._dir_of.append(no)
        self._buf += text[cut:].encode("utf-8", "surrogatepass")
        self._ends.append(len(self._buf))

    def extend(self, items: Iterable[str]) -> None:
        for text in items:
            self.append(text)

    def __len__(self) -> int:
        return len(self._ends)

    @overload
    def __getitem__(self, index: int) -> str: ...

    @overload
    def __getitem__(self, index: slice) -> list[str]: ...

    def __getitem__(self, index: int | slice) -> str | list[str]:
        if isinstance(index, slice):
            lo, hi, step = index.indices(len(self))
            if step == 1:
                return list(self.between(lo, hi))
            return [self[i] for i in range(lo, hi, step)]
        n = len(self)
        i = index + n if index < 0 else index
        if not 0 <= i < n:
            raise IndexError("NameList index out of range")
        start = self._ends[i - 1] if i else 0
        name = self._buf[start : self._ends[i]].decode("utf-8", "surrogatepass")
        return self._dirs[self._dir_of[i]] + name

    def between(self, lo: int, hi: int) -> Iterator[str]:
        """The strings from place ``lo`` to ``hi`` (exclusive), one at a time."""
        dirs, dir_of, ends, buf = self._dirs, self._dir_of, self._ends, self._buf
        lo, hi = max(lo, 0), min(hi, len(ends))
        start = ends[lo - 1] if 0 < lo <= hi else 0
        for i in range(lo, hi):
            end = ends[i]
            yield dirs[dir_of[i]] + buf[start:end].decode("utf-8", "surrogatepass")
            start = end

    def __iter__(self) -> Iterator[str]:
        return self.between(0, len(self))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Sequence) or isinstance(other, str | bytes):
            return NotImplemented
        return len(self) == len(other) and all(a == b for a, b in zip(self, other, strict=True))

    __hash__ = None  # type: ignore[assignment]  # mutable, like a list

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        return (NameList, (list(self),))

    def __repr__(self) -> str:
        return f"NameList({list(self)!r})"
