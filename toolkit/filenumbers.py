"""Each input file's number, its place in the corpus order, looked up by its label.

A run numbers the files it discovered, and every batch asks for the number of each article's
file. A dict of the labels costs some 63 bytes a file beside the labels themselves (its table
and a Python int a number: 13 MiB at 200,000 files, held for the whole run, and touched, so
copied, by every forked worker). ``FileNumbers`` is the same Mapping over the run's own list of
labels and a sorted array of their hashes, 12 bytes a file.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import numpy as np


class FileNumbers(Mapping[str, int]):
    """``{label: i for i, label in enumerate(labels)}`` (a label given twice: its last place)
    as a Mapping that shares ``labels`` and keeps 12 bytes a file. Labels are found by their
    Python hash and then compared, so a collision of hashes costs a comparison, never a wrong
    number. Pickles as its labels (the hash differs between processes, not between forks)."""

    __slots__ = ("_hashes", "_labels", "_order")

    def __init__(self, labels: Sequence[str]) -> None:
        self._labels = labels
        hashes = np.fromiter(map(hash, labels), np.int64, len(labels))
        pos = np.int32 if len(labels) < 2**31 else np.int64
        self._order = np.argsort(hashes, kind="stable").astype(pos)
        self._hashes = hashes[self._order]

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        return (FileNumbers, (list(self._labels),))

    def _find(self, label: str, start: int) -> int | None:
        """The last place of ``label`` among the equal hashes from sorted position ``start``."""
        found = None
        h = self._hashes[start] if start < len(self._hashes) else None
        at = start
        while at < len(self._hashes) and self._hashes[at] == h:
            i = int(self._order[at])
            if self._labels[i] == label:
                found = i  # places of equal hashes are in label order: the last one wins
            at += 1
        return found

    def __getitem__(self, label: str) -> int:
        found = self._lookup(label)
        if found is None:
            raise KeyError(label)
        return found

    def _lookup(self, label: object) -> int | None:
        if not isinstance(label, str):
            return None
        start = int(np.searchsorted(self._hashes, hash(label)))
        if start >= len(self._hashes) or self._hashes[start] != hash(label):
            return None
        return self._find(label, start)

    def __contains__(self, label: object) -> bool:
        return self._lookup(label) is not None

    def __iter__(self) -> Iterator[str]:
        return iter(dict.fromkeys(self._labels))

    def __len__(self) -> int:
        return len(dict.fromkeys(self._labels))

    def numbers(self, files: Sequence[str], default: int = 0) -> list[int]:
        """``[self.get(f, default) for f in files]``, the hashes looked up at once."""
        if not len(files) or not len(self._hashes):
            return [default] * len(files)
        hashes = np.fromiter(map(hash, files), np.int64, len(files))
        start = np.searchsorted(self._hashes, hashes)
        at = np.minimum(start, len(self._hashes) - 1)
        place = self._order[at].tolist()
        # Unique hashes and their own label (the usual case), else a look at the equal ones.
        unique = self._hashes[at] == hashes
        nxt = np.minimum(at + 1, len(self._hashes) - 1)
        unique &= (self._hashes[nxt] != hashes) | (nxt == at)
        labels = self._labels
        return [
            i if ok and labels[i] == f else self._or(self._lookup(f), default)
            for f, i, ok in zip(files, place, unique.tolist(), strict=True)
        ]

    @staticmethod
    def _or(found: int | None, default: int) -> int:
        return default if found is None else found


def numbers_of(
    file_numbers: Mapping[str, int], files: Sequence[str], default: int = 0
) -> list[int]:
    """The number of each of ``files`` (``default`` for one not numbered)."""
    if isinstance(file_numbers, FileNumbers):
        return file_numbers.numbers(files, default)
    number = file_numbers.get
    return [number(f, default) for f in files]
