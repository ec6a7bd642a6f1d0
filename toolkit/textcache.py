"""A cache of a function of one text whose memory is bounded by its entry count alone.

The parsers and checks cache what they work out per distinct text (a byline's parts, an
address's verdict, a Published: value, a body's mojibake verdict): an archive repeats the
same desks, reporters and boilerplate. functools.lru_cache keeps each text as its key, so its
memory is its entry count times the texts' length, and article text comes from outside: 4,096
cached bodies of a megabyte each are 4 GB. ``text_cache`` keys a text longer than ``longest``
characters by a 16-byte BLAKE2b digest of it instead, so that an entry costs at most some
hundred bytes more than its value whatever the text.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable
from functools import lru_cache, wraps
from typing import TypeVar

T = TypeVar("T")

# Texts up to this many characters are their own key: a digest would cost more than it saves.
LONGEST_KEY = 256


def digest(text: str) -> bytes:
    """A 16-byte digest of ``text`` (lone surrogates included: a Python str may hold them)."""
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).digest()


def text_cache(
    maxsize: int, longest: int = LONGEST_KEY
) -> Callable[[Callable[[str], T]], Callable[[str], T]]:
    """An LRU cache of ``maxsize`` entries for a function of one text (and a second of as many
    for the texts longer than ``longest``, keyed by their digest)."""

    def wrap(fn: Callable[[str], T]) -> Callable[[str], T]:
        short = lru_cache(maxsize=maxsize)(fn)
        long: OrderedDict[bytes, T] = OrderedDict()
        lock = threading.Lock()  # a Dask worker may run tasks in threads

        @wraps(fn)
        def cached(text: str) -> T:
            if len(text) <= longest:
                return short(text)
            key = digest(text)
            with lock:
                if key in long:
                    long.move_to_end(key)
                    return long[key]
            value = fn(text)
            with lock:
                long[key] = value
                if len(long) > maxsize:
                    long.popitem(last=False)
            return value

        return cached

    return wrap
