"""How a long `toolkit check` process allocates memory, so that its peak follows what it holds.

A run reads batch after batch: each makes buffers of megabytes (a batch's bodies, its columns)
and frees them, while the little it keeps for the finish (sightings, file numbers) is made in
between. glibc's malloc takes a block from its heap unless it is larger than the mmap
threshold, and raises that threshold to the largest block freed (up to 32 MiB): after the first
batch, every batch's buffers come from the heap, interleaved with what is kept, and the heap
cannot give the freed space back. At 200k articles that was some 200 MiB of peak memory held
for nothing. ``for_long_runs`` fixes the threshold (the big buffers of a batch get mappings of
their own, returned when freed) and has Arrow allocate through malloc too; ``for_judging``
raises the threshold again for the corpus-wide finish, whose pair arrays come and go by the
hundred and whose memory is given back at exit. Before it, ``malloc_trim`` gives back the pages
of the heap that the batches left free between what is kept (some 70 MiB at 200k articles).

With so low a trim threshold, though, the heap's top went back to the system after each batch
and was taken again by the next: the fresh pages are faulted in one by one, a fifth of the
run's time (system time) with the news suite. ``TOP_PAD`` keeps that much of the top between
batches (and takes it in steps of that size): some 30 MiB more at the peak, for a run a fifth
shorter (the mission and the news suites over 50k one-article files).

The cyclic garbage collector is set for such a run too: parsing makes several small lists an
article (paragraphs, tags, names, problems) that live until their batch is checked, and
Python's default collects its youngest generation every 700 new containers, each time going
over them all. Every ``YOUNG_COLLECTION`` instead: 3% to 5% of a run's time (the mission suite
over 50k one-article files, the news suite over 10k), for no change of peak memory: the run
makes little cyclic garbage.

Only the command line sets these: a program that imports toolkit owns its process's allocator
and collector. Elsewhere than glibc (musl, macOS) the malloc part is left as it is.
"""

from __future__ import annotations

import ctypes
import gc
import platform
from collections.abc import Callable
from functools import cache

# mallopt's parameters (malloc.h).
_M_TRIM_THRESHOLD = -1
_M_TOP_PAD = -2
_M_MMAP_THRESHOLD = -3
# Blocks from 256 KiB get their own mapping while files are read and checked: a batch's
# column buffers, not the small objects kept. (1 MiB left 80 MiB more at the peak at 200k.)
READING_THRESHOLD = 256 * 1024
# Free memory kept at the heap's top, and the least it grows by.
TOP_PAD = 64 * 1024 * 1024
# The largest threshold glibc takes (its default ceiling), for the finish.
JUDGING_THRESHOLD = 32 * 1024 * 1024
# New containers between two collections of the youngest generation (Python's default: 700).
YOUNG_COLLECTION = 100_000

_tuned = False


@cache
def _glibc(name: str) -> Callable[..., int] | None:
    """glibc's function ``name`` (mallopt, malloc_trim); None elsewhere."""
    if platform.system() != "Linux" or platform.libc_ver()[0] != "glibc":
        return None
    try:
        found: Callable[..., int] = getattr(ctypes.CDLL(None), name)
    except (OSError, AttributeError):
        return None
    return found


def for_long_runs() -> bool:
    """Set this process up for a run over many files; True when malloc was tuned (glibc).
    Worker processes forked later inherit it."""
    global _tuned
    import pyarrow as pa

    pa.set_memory_pool(pa.system_memory_pool())
    _, middle, oldest = gc.get_threshold()
    gc.set_threshold(YOUNG_COLLECTION, middle, oldest)
    mallopt = _glibc("mallopt")
    if mallopt is None:
        return False
    _tuned = all(
        mallopt(param, value)
        for param, value in (
            (_M_MMAP_THRESHOLD, READING_THRESHOLD),
            (_M_TRIM_THRESHOLD, READING_THRESHOLD),
            (_M_TOP_PAD, TOP_PAD),
        )
    )
    return _tuned


def for_judging() -> None:
    """The corpus-wide finish is next (no effect unless ``for_long_runs`` tuned malloc)."""
    mallopt, trim = _glibc("mallopt"), _glibc("malloc_trim")
    if _tuned and mallopt is not None:
        if trim is not None:
            trim(0)
        mallopt(_M_MMAP_THRESHOLD, JUDGING_THRESHOLD)
