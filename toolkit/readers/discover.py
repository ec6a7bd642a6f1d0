"""Turn the paths given on the command line into the list of files to read.

Every entry met is either read or listed as a skip with its reason: nothing is dropped quietly.
Discovery never opens an entry to find out what it is (a FIFO or a device would block or never
end): it walks with ``os.scandir``, whose entries carry their type, and stats an entry at most
once. Symbolic links are followed, a directory at most once: a loop, or a second way to the
same directory, is a skip naming the first.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import chain
from pathlib import Path
from typing import Any, Literal

from toolkit.readers.formats import is_known
from toolkit.readers.namelist import NameList
from toolkit.result import SkippedFile

# Files of other names met in a directory are listed, not read; a file named explicitly is
# read whatever its name (as a dump, or as --input-format says).
NOT_INPUT = (
    "not an input file (.txt, .jsonl, .ndjson, .json, .csv, .tsv, .parquet, each also .gz, "
    ".bz2, .xz or .zst); name it to read it"
)


SkipKind = Literal[
    "not_dump",  # a regular file of no known input format, met in a directory
    "hidden",  # a name starting with '.', met in a directory (--include-hidden reads it)
    "not_regular",  # a FIFO, socket or device: never opened
    "broken_link",  # a symbolic link whose target does not exist
    "link_loop",  # a symbolic link that points back to itself (ELOOP)
    "walked",  # a directory already walked by another way (a symlink loop or a second link)
    "duplicate",  # a file already read by another way (named twice, a symlink, a hard link)
    "unlistable",  # a directory that cannot be listed (permissions, I/O error)
    "unstatable",  # an entry whose type cannot be learnt (permissions, I/O error)
    "own_file",  # a file the run itself writes or reads as settings (a report, the baseline)
]

_TYPE_NAMES = (
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
)


@dataclass(frozen=True)
class Skip:
    """An entry that is not read, and why."""

    path: Path
    label: str  # the path as reports show it (see shown_path)
    kind: SkipKind
    reason: str


@dataclass
class Discovery:
    # The name each file is reported under, in the order found. As text: an archive's worth
    # of Path objects would be some 500 bytes a file (its parts are kept as a list of
    # strings), and of strings some 130, held for the whole run (see NameList).
    labels: NameList = field(default_factory=NameList)
    # Entries seen but not read, each with its reason, in walk order.
    skipped: list[Skip] = field(default_factory=list)
    missing: list[Path] = field(default_factory=list)
    # The path of each file, where one differs from its label (None: each is its label, as a
    # file is when named relative to the working directory or outside it).
    _paths: NameList | None = None

    @property
    def paths(self) -> NameList:
        """The path of each file to read, as text, in the order of ``labels``."""
        return self.labels if self._paths is None else self._paths

    def pairs(self, lo: int = 0, hi: int | None = None) -> Iterator[tuple[str, str]]:
        """(path, label) of the files from place ``lo`` to ``hi`` (exclusive; None: the end),
        one string for both where the path is the label."""
        hi = len(self.labels) if hi is None else hi
        labels = self.labels.between(lo, hi)
        if self._paths is None:
            return ((label, label) for label in labels)
        return zip(self._paths.between(lo, hi), labels, strict=True)

    @property
    def files(self) -> list[Path]:
        """The files to read, as paths."""
        return [Path(p) for p in self.paths]

    def add(self, path: str | os.PathLike[str], label: str) -> None:
        """Take a file to read, reported as ``label``."""
        text = os.fspath(path)
        if self._paths is None and text != label:
            self._paths = NameList(self.labels)
        if self._paths is not None:
            self._paths.append(text)
        self.labels.append(label)

    def extend(self, other: Discovery) -> None:
        """Take the files, skips and missing paths of ``other`` after these."""
        for path, label in other.pairs():
            self.add(path, label)
        self.skipped += other.skipped
        self.missing += other.missing

    def run_fields(self) -> dict[str, Any]:
        """The skips and raw paths as the Result's RunInfo holds them."""
        return {
            "skipped_files": [s.label for s in self.skipped],
            "skipped": [
                SkippedFile(path=s.label, kind=s.kind, reason=s.reason) for s in self.skipped
            ],
            "raw_paths": self.raw_names(),
        }

    def raw_names(self) -> dict[str, str]:
        """The exact bytes (hex) of every reported path that is not UTF-8, by its label."""
        # One pair at a time: a list of the pairs would be the archive's paths as strings.
        pairs: Iterable[tuple[str | Path, str]] = chain(
            self.pairs(), ((s.path, s.label) for s in self.skipped)
        )
        return {
            label: os.fsencode(path).hex()
            for path, label in pairs
            if shown_path(path) != os.fspath(path)
        }


def shown_path(path: str | os.PathLike[str]) -> str:
    """A path as text that any report can hold: each byte of the name that is not UTF-8
    (kept by os.fsdecode as a lone surrogate, which JSON and terminals refuse) is written
    ``\\xNN``. The exact bytes stay in the Result (Discovery.raw_names, run.raw_paths)."""
    text = os.fspath(path)
    if text.isascii():
        return text
    # The surrogateescape round trip is the only way to the original bytes; the hand-written
    # loop touches only names with non-ASCII characters, and it is one pass over a name.
    return "".join(
        f"\\x{ord(ch) - 0xDC00:02x}" if 0xDC80 <= ord(ch) <= 0xDCFF else ch for ch in text
    )


def discover(
    paths: list[Path], include_hidden: bool = False, exclude: tuple[Path, ...] = ()
) -> Discovery:
    """Walk directories in sorted order so that runs are reproducible: at each level its
    files, then its directories. Hidden entries (a name starting with '.') met in a directory
    are listed, not read, unless ``include_hidden``; a path named here is always read, but
    for the run's own files (``exclude``: its reports, its baseline), which are never input."""
    walk = _Walk(include_hidden, exclude)
    for path in paths:
        walk.named(path)
    return walk.found


class _Walk:
    def __init__(self, include_hidden: bool, exclude: tuple[Path, ...] = ()) -> None:
        self.include_hidden = include_hidden
        self.found = Discovery()
        self.own: set[tuple[int, int]] = set()
        for path in exclude:
            try:
                st = os.stat(path)
            except OSError:
                continue  # not written yet: it cannot be met either
            self.own.add((st.st_dev, st.st_ino))
        # The place in ``found`` of every file taken, by st_dev, then st_ino: a (dev, ino)
        # tuple and the label a file were some 300 bytes a file of an archive, held for the
        # walk (the label is found.labels[place]).
        self.files_seen: dict[int, dict[int, int]] = {}
        # (st_dev, st_ino) of every directory taken, with the label it was taken as.
        self.dirs_seen: dict[tuple[int, int], str] = {}

    def skip(self, path: Path, label: str, kind: SkipKind, reason: str) -> None:
        self.found.skipped.append(Skip(path, label, kind, reason))

    def named(self, path: Path) -> None:
        label = _root_label(path)
        try:
            st = path.stat()
        except FileNotFoundError:
            if _is_link(path):
                self.skip(path, label, "broken_link", "a symbolic link to nothing (no target)")
            else:
                self.found.missing.append(path)
            return
        except OSError as exc:
            self._unstatable(path, label, exc)
            return
        if stat.S_ISDIR(st.st_mode):
            self.directory(path, label, st)
        else:
            self.file(path, label, st)

    def file(self, path: Path, label: str, st: os.stat_result) -> None:
        if not stat.S_ISREG(st.st_mode):
            self.skip(path, label, "not_regular", f"not a regular file: {_type_name(st)}")
            return
        self.regular(path, label, (st.st_dev, st.st_ino))

    def regular(self, path: str | Path, label: str, key: tuple[int, int]) -> None:
        """Take a regular file, known by (st_dev, st_ino), unless it is taken already."""
        if key in self.own:
            own = "a report or baseline file of this run, not input"
            self.skip(Path(path), label, "own_file", own)
            return
        dev, ino = key
        on_dev = self.files_seen.setdefault(dev, {})
        first = on_dev.get(ino)
        if first is not None:
            taken = self.found.labels[first]
            self.skip(Path(path), label, "duplicate", f"the same file as {taken}, read once")
            return
        on_dev[ino] = len(self.found.labels)
        self.found.add(path, label)

    def directory(self, path: Path, label: str, st: os.stat_result) -> None:
        # A stack, not recursion: a hostile tree can be deeper than Python's recursion limit.
        stack = [(path, label, st)]
        while stack:
            path, label, st = stack.pop()
            key = (st.st_dev, st.st_ino)
            first = self.dirs_seen.get(key)
            if first is not None:
                self.skip(path, label, "walked", f"the same directory as {first}, walked once")
                continue
            self.dirs_seen[key] = label
            try:
                with os.scandir(path) as it:
                    entries = sorted(it, key=lambda e: e.name)
            except OSError as exc:
                self.skip(path, label, "unlistable", f"cannot list the directory: {_why(exc)}")
                continue
            subdirs: list[tuple[Path, str, os.stat_result]] = []
            prefix = "" if label == "." else label.rstrip("/") + "/"
            for entry in entries:
                name = entry.name
                sub = prefix + (name if name.isascii() else shown_path(name))
                if self._plain_file(entry, path, sub, st.st_dev):
                    continue
                taken = self.entry(entry, sub)
                if taken is not None:
                    subdirs.append((Path(entry.path), sub, taken))
            stack.extend(reversed(subdirs))

    def _plain_file(self, entry: os.DirEntry[str], parent: Path, label: str, dev: int) -> bool:
        """Take or skip a visible regular file (no symbolic link) from what the directory
        listing says (d_type, d_ino) without a stat per file; False for any other entry,
        which ``entry`` looks at. A file is on its directory's device, so (st_dev of the
        directory, d_ino) is the file's key; the one exception, a file bind-mounted over
        another, is keyed by the file beneath: at worst it is read twice, never skipped."""
        try:
            if entry.name.startswith(".") or entry.is_symlink() or not entry.is_file():
                return False
            inode = entry.inode()
        except OSError:
            return False
        if not _is_dump(entry.name):
            self.skip(parent / entry.name, label, "not_dump", NOT_INPUT)
        else:
            # The path as a string, as str(parent / name) spells it: a Path a file interns
            # its name in a table as large as the corpus.
            self.regular(_child(parent, entry.name), label, (dev, inode))
        return True

    def entry(self, entry: os.DirEntry[str], label: str) -> os.stat_result | None:
        """Take or skip one directory entry; a directory to walk is returned (with its stat)
        so that a level's files come before its subdirectories."""
        try:
            return self._entry(entry, label)
        except OSError as exc:  # a type that d_type did not give and lstat could not learn
            self._unstatable(Path(entry.path), label, exc)
            return None

    def _entry(self, entry: os.DirEntry[str], label: str) -> os.stat_result | None:
        path = Path(entry.path)
        if entry.name.startswith(".") and not self.include_hidden:
            what, verb = ("directory", "walks") if _entry_is_dir(entry) else ("file", "reads")
            self.skip(path, label, "hidden", f"a hidden {what}; --include-hidden {verb} it")
            return None
        regular = not entry.is_symlink() and entry.is_file(follow_symlinks=False)
        if regular and not _is_dump(entry.name):
            # Listed without a stat: the directory listing's d_type says what it is.
            self.skip(path, label, "not_dump", NOT_INPUT)
            return None
        try:
            st = entry.stat()
        except FileNotFoundError:
            self.skip(path, label, "broken_link", "a symbolic link to nothing (no target)")
            return None
        except OSError as exc:
            self._unstatable(path, label, exc)
            return None
        if stat.S_ISDIR(st.st_mode):
            return st
        if stat.S_ISREG(st.st_mode) and not _is_dump(entry.name):
            self.skip(path, label, "not_dump", NOT_INPUT)
            return None
        self.file(path, label, st)
        return None

    def _unstatable(self, path: Path, label: str, exc: OSError) -> None:
        if exc.errno == errno.ELOOP:
            self.skip(path, label, "link_loop", "a symbolic link loop: it leads back to itself")
        else:
            self.skip(path, label, "unstatable", f"cannot tell what it is: {_why(exc)}")


def _child(parent: Path, name: str) -> str:
    """``str(parent / name)`` for a name without a separator, without making the Path."""
    base = str(parent)
    return name if base == "." else os.path.join(base, name)


def _entry_is_dir(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_dir(follow_symlinks=False)
    except OSError:
        return False


def _is_dump(name: str) -> bool:
    return is_known(name)


def _is_link(path: Path) -> bool:
    try:
        return path.is_symlink()
    except OSError:
        return False


def _type_name(st: os.stat_result) -> str:
    return next((name for test, name in _TYPE_NAMES if test(st.st_mode)), "not a file")


def _why(exc: OSError) -> str:
    return exc.strerror or type(exc).__name__


def _join(label: str, name: str) -> str:
    return shown_path(name) if label == "." else f"{label.rstrip('/')}/{shown_path(name)}"


def _root_label(path: Path) -> str:
    """A named path as reports show it: relative to the working directory when under it
    (one resolve per named path, none per file found under it)."""
    try:
        text = str(path.resolve().relative_to(Path.cwd().resolve()))
    except (ValueError, OSError, RuntimeError):
        text = str(path)
    return shown_path(text)
