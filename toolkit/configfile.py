"""Reading the small files a suite names (the suite itself, a tag vocabulary), bounded.

A suite may come from another team, and the paths in it with it: ``vocabulary: /dev/zero``
or a FIFO must not read forever or block. Only regular files are read, and at most a size
fitting the kind of file.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

SUITE_BYTES = 1 << 20  # 1 MiB: the largest shipped suite is a few KiB
VOCABULARY_BYTES = 32 << 20  # 32 MiB: hundreds of thousands of tags


class ConfigFileError(OSError):
    """A file that is not read; ``strerror`` says why in a few words."""


def read_config(path: Path, limit: int) -> str:
    """The UTF-8 text of ``path``, a regular file of at most ``limit`` bytes.

    Raises ConfigFileError (an OSError) for anything else and UnicodeDecodeError for text
    that is not UTF-8."""
    # O_NONBLOCK: opening a FIFO does not wait for a writer (it is refused just below).
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise ConfigFileError(errno.EINVAL, "not a regular file", str(path))
        if info.st_size > limit:
            raise ConfigFileError(errno.EFBIG, _too_big(info.st_size, limit), str(path))
        with os.fdopen(fd, "rb", closefd=False) as handle:
            data = handle.read(limit + 1)
    finally:
        os.close(fd)
    if len(data) > limit:  # grew while being read
        raise ConfigFileError(errno.EFBIG, _too_big(len(data), limit), str(path))
    return data.decode("utf-8")


def _too_big(size: int, limit: int) -> str:
    return f"{size:,} bytes, over the limit of {limit:,}"
