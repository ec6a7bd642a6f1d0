"""One measured command: wall time, CPU time and peak memory of a fresh process.

The peak is read two ways. The kernel's ``ru_maxrss`` of the command is the largest resident
set of any one process of its tree (the command or a worker it waited for); it is read through
``/usr/bin/time`` when that exists, because a process forked from this one (which holds the
corpus generator's imports) would otherwise inherit this one's high-water mark across exec.
A sampler also sums the resident sets of the whole tree (the command and its workers) every
0.2 s, which is what the machine must hold with ``--jobs 2``; short peaks between samples
can be missed, so it is a lower bound.
"""

from __future__ import annotations

import dataclasses
import os
import signal
import subprocess
import tempfile
import time
from collections.abc import Mapping
from pathlib import Path

_PAGE = os.sysconf("SC_PAGE_SIZE")
_MIB = 1024 * 1024


@dataclasses.dataclass(frozen=True)
class Measured:
    """What one run took; ``status`` is ``ok``, ``timeout`` or ``failed``."""

    wall: float
    cpu: float
    peak_mib: float
    tree_mib: float
    returncode: int
    status: str
    stdout: str
    stderr: str


def _children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(c) for c in text.split()]


def _tree_rss(pid: int) -> int:
    """Bytes resident in ``pid`` and every descendant now."""
    total, stack = 0, [pid]
    while stack:
        p = stack.pop()
        try:
            total += int(Path(f"/proc/{p}/statm").read_text().split()[1]) * _PAGE
        except (OSError, IndexError, ValueError):
            continue
        stack.extend(_children(p))
    return total


def run(
    command: list[str],
    timeout: float,
    cwd: Path,
    env: Mapping[str, str],
    ok_codes: tuple[int, ...] = (0, 1),
) -> Measured:
    """Run ``command`` in its own session (so that a timeout ends its workers too)."""
    timer = Path("/usr/bin/time")
    with (
        tempfile.TemporaryFile() as out,
        tempfile.TemporaryFile() as err,
        tempfile.NamedTemporaryFile("r") as rss,
    ):
        if timer.exists():
            command = [str(timer), "-q", "-f", "%M", "-o", rss.name, *command]
        start = time.perf_counter()
        proc = subprocess.Popen(
            command, cwd=cwd, env=dict(env), stdout=out, stderr=err, start_new_session=True
        )
        tree = 0
        timed_out = False
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            tree = max(tree, _tree_rss(proc.pid))
            if time.perf_counter() - start > timeout:
                timed_out = True
                os.killpg(proc.pid, signal.SIGKILL)
                pid, status, usage = os.wait4(proc.pid, 0)
                break
            time.sleep(0.2)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout = out.read().decode("utf-8", "replace")
        stderr = err.read().decode("utf-8", "replace")
        timed = rss.read().split()
    peak = int(timed[-1]) if timed and timed[-1].isdigit() else usage.ru_maxrss
    code = proc.returncode
    verdict = "timeout" if timed_out else ("ok" if code in ok_codes else "failed")
    return Measured(
        wall=wall,
        cpu=usage.ru_utime + usage.ru_stime,
        peak_mib=peak / 1024,
        tree_mib=max(tree, peak * 1024) / _MIB,
        returncode=code,
        status=verdict,
        stdout=stdout,
        stderr=stderr,
    )
