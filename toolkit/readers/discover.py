"""Turn the paths given on the command line into the list of files to read."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

# Extensions read when a directory is walked; a file named explicitly is read whatever its name.
DUMP_SUFFIXES = frozenset({".txt"})


@dataclass
class Discovery:
    files: list[Path] = field(default_factory=list)
    # Files seen in a directory but not read (unknown extension), reported, never dropped quietly.
    skipped: list[Path] = field(default_factory=list)
    missing: list[Path] = field(default_factory=list)


def discover(paths: list[Path]) -> Discovery:
    """Walk directories in sorted order so that runs are reproducible; hidden entries are
    passed over, like version-control folders."""
    found = Discovery()
    seen: set[Path] = set()
    for path in paths:
        if path.is_file():
            _add(found.files, seen, path)
        elif path.is_dir():
            for root, dirs, names in os.walk(path):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for name in sorted(names):
                    if name.startswith("."):
                        continue
                    file = Path(root) / name
                    if file.suffix.lower() in DUMP_SUFFIXES:
                        _add(found.files, seen, file)
                    else:
                        found.skipped.append(file)
        else:
            found.missing.append(path)
    return found


def _add(files: list[Path], seen: set[Path], path: Path) -> None:
    key = path.resolve()
    if key not in seen:
        seen.add(key)
        files.append(path)
