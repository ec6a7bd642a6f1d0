"""The read floor: find every file, read it whole and count its lines; what any checker of
the corpus pays before it looks at a single article.

    python -m tests.bench.floor CORPUS
"""

from __future__ import annotations

import os
import sys


def count_lines(root: str) -> tuple[int, int]:
    """(files, lines) under ``root``."""
    files = lines = 0
    stack = [root]
    while stack:
        with os.scandir(stack.pop()) as entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    stack.append(entry.path)
                    continue
                with open(entry.path, "rb") as fh:
                    lines += fh.read().count(b"\n")
                files += 1
    return files, lines


if __name__ == "__main__":
    print(*count_lines(sys.argv[1]))
