"""Reporters: each renders the Result, and nothing else, into one output format."""

from __future__ import annotations

import contextlib
import errno
import os
import signal
import stat
import sys
import tempfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from types import FrameType
from typing import IO

from toolkit.reporters import (
    github,
    gitlab,
    html,
    json_report,
    junit,
    markdown,
    sarif,
    terminal,
)
from toolkit.reporters.redact import redact_emails
from toolkit.result import Result


@dataclass(frozen=True)
class ReportOptions:
    color: bool = False
    width: int = 120
    # Failing articles shown under each expectation in summary formats.
    examples: int = 5
    # Replace email addresses in every format: applied once to the Result (write_reports).
    redact_emails: bool = False
    # GitHub shows only a few annotations per step; the rest are counted in a closing line.
    max_annotations: int = 50
    # Where this run's full report is written, for formats that show only part of it.
    full_report: str | None = None
    # The terminal report: only the verdict and the failures; passing rows and info findings
    # listed rather than folded into a line.
    quiet: bool = False
    show_passing: bool = False
    show_info: bool = False


Render = Callable[[Result, ReportOptions], str]
# Formats written piece by piece as they are rendered: a report of a million findings is
# never one string in memory.
Stream = Callable[[Result, ReportOptions, Callable[[str], object]], None]
STREAMED: dict[str, Stream] = {"json": json_report.write}
# The text of a file, or what writes it to an open file.
Content = str | Callable[[IO[str]], object]
REPORTERS: dict[str, Render] = {
    "rich": terminal.render,
    "json": json_report.render,
    "html": html.render,
    "junit": junit.render,
    "sarif": sarif.render,
    "github": github.render,
    "markdown": markdown.render,
    "gitlab": gitlab.render,
}
# The file a person or a tool should open for everything a capped format leaves out.
FULL_REPORT_PREFERENCE = ("html", "json", "sarif", "junit", "markdown")
# The formats that show only part of the Result and may name the full report.
CAPPED = ("rich", "github", "markdown")


class ReportError(Exception):
    pass


@dataclass(frozen=True)
class Destination:
    format: str
    path: Path | None  # None: standard output

    @classmethod
    def parse(cls, spec: str) -> Destination:
        """``NAME`` (standard output) or ``NAME:PATH``."""
        name, _, path = spec.partition(":")
        name = name.strip().lower()
        if name not in REPORTERS:
            raise ReportError(
                f"unknown format {name!r}: choose from {', '.join(sorted(REPORTERS))} "
                "(NAME or NAME:PATH)"
            )
        return cls(name, Path(path) if path and path != "-" else None)


def plan_destinations(specs: Sequence[str], output: Path | None = None) -> list[Destination]:
    """Parse ``--format`` values (default: rich on standard output); ``output`` is the path of
    the one format given without a path. At most one format may go to standard output."""
    dests = [Destination.parse(spec) for spec in (specs or ["rich"])]
    if output is not None:
        bare = [i for i, d in enumerate(dests) if d.path is None]
        if len(bare) != 1:
            raise ReportError("--output needs exactly one --format without a path")
        dests[bare[0]] = Destination(dests[bare[0]].format, output)
    if sum(d.path is None for d in dests) > 1:
        raise ReportError(
            "only one format can go to standard output; give the others a path (NAME:PATH)"
        )
    seen: dict[str, Destination] = {}
    for d in dests:
        if d.path is None:
            continue
        # Symlinks and ../ resolved: two spellings of one file would silently overwrite.
        where = os.path.realpath(d.path)
        if where in seen:
            raise ReportError(
                f"--format {seen[where].format}:{seen[where].path} and --format "
                f"{d.format}:{d.path} write the same file ({where}): give each its own path"
            )
        seen[where] = d
    return dests


@dataclass(frozen=True)
class WriteFailure:
    """A report that could not be written: the path and the operating system's reason."""

    dest: Destination
    reason: str

    def __str__(self) -> str:
        return f"cannot write the {self.dest.format} report to {self.dest.path}: {self.reason}"


def write_reports(
    result: Result, dests: Sequence[Destination], options: ReportOptions
) -> list[WriteFailure]:
    """Write every destination from one Result: redaction happens here, once, so no format
    can leak what another hides. A report that cannot be written does not stop the others:
    its failure is returned (exit code 5)."""
    if options.redact_emails:
        result = redact_emails(result)
    # The full formats first: a capped format then names one that was in fact written.
    full_first = sorted(dests, key=lambda d: d.format in CAPPED)
    failures: list[WriteFailure] = []
    with _temp_files_removed_on_signal():
        for dest in full_first:
            if dest.format in CAPPED and options.full_report is None:
                failed = {f.dest for f in failures}
                files = {d.format: d.path for d in dests if d.path and d not in failed}
                full = next((files[f] for f in FULL_REPORT_PREFERENCE if f in files), None)
                options = replace(options, full_report=str(full) if full else "")
            try:
                write_report(result, dest, options)
            except OSError as exc:
                reason = exc.strerror or str(exc)
                if exc.errno == errno.ENXIO:  # O_NONBLOCK open of a FIFO nobody reads
                    reason += " (a FIFO no process reads)"
                failures.append(WriteFailure(dest, reason))
    return sorted(failures, key=lambda f: dests.index(f.dest))


def write_report(result: Result, dest: Destination, options: ReportOptions) -> None:
    stream = STREAMED.get(dest.format)
    text: Content
    if stream is not None:
        text = lambda out: stream(result, options, out.write)  # noqa: E731
    else:
        text = REPORTERS[dest.format](result, options)
    if dest.path is None:
        _write_to(sys.stdout, text)
        sys.stdout.flush()
    else:
        write_file(dest.path, text)


def _write_to(out: IO[str], text: Content) -> None:
    if callable(text):
        text(out)
    else:
        out.write(text)


# Where /dev/stdout, /dev/fd/N and /proc/self/fd/N live: always written in place, even when
# the descriptor behind them is a regular file (a shell redirection).
_IN_PLACE_ROOTS = ("/dev/", "/proc/")


def write_file(path: Path, text: Content) -> None:
    """A regular file (or a new one) is replaced atomically; a symlink is followed and its
    target written (the link stays a link); a character device, FIFO or socket, and any path
    under /dev or /proc, is opened and written in place, never replaced."""
    try:
        info = os.stat(path)  # follows symlinks
    except FileNotFoundError:
        info = None
    spelled = (str(path), os.path.realpath(path))
    if info is not None and (
        not stat.S_ISREG(info.st_mode) or any(p.startswith(_IN_PLACE_ROOTS) for p in spelled)
    ):
        if stat.S_ISDIR(info.st_mode):
            raise IsADirectoryError(21, os.strerror(21), str(path))
        write_in_place(path, text)
    else:
        write_atomic(Path(os.path.realpath(path)), text, None if info is None else info.st_mode)


def write_in_place(path: Path, text: Content) -> None:
    """Open ``path`` for writing and write: for devices, FIFOs, /dev/stdout. A FIFO no
    process reads is an error (ENXIO), not a hang."""
    fd = os.open(path, os.O_WRONLY | os.O_NONBLOCK | os.O_NOCTTY)
    os.set_blocking(fd, True)
    with os.fdopen(fd, "w", encoding="utf-8", newline="") as out:
        _write_to(out, text)


def write_atomic(path: Path, text: Content, mode: int | None = None) -> None:
    """Write to a temporary file beside ``path`` and rename it over: a killed run never
    leaves half a report (on SIGTERM or SIGHUP the temporary file is removed). ``mode``: the
    permissions of the file replaced, kept."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    _in_flight.add(tmp)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as out:
            _write_to(out, text)
        # mkstemp creates the file private (0600); a report gets the mode any new file gets.
        os.chmod(tmp, stat.S_IMODE(mode) if mode is not None else 0o666 & ~_umask())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    finally:
        _in_flight.discard(tmp)


# Temporary files being written now: what a terminating signal must not leave behind.
_in_flight: set[str] = set()
_CLEANUP_SIGNALS = (signal.SIGTERM, signal.SIGHUP)


@contextlib.contextmanager
def _temp_files_removed_on_signal() -> Iterator[None]:
    """While reports are written, SIGTERM and SIGHUP first remove the temporary files in
    flight, then end the process as the signal would have (exit status 128 + signal)."""
    if not _is_main_thread():
        yield  # signal handlers can only be set from the main thread
        return
    previous = {sig: signal.getsignal(sig) for sig in _CLEANUP_SIGNALS}

    def cleanup(signum: int, frame: FrameType | None) -> None:
        for tmp in list(_in_flight):
            with contextlib.suppress(OSError):
                os.unlink(tmp)
        _in_flight.clear()
        handler = previous.get(signal.Signals(signum))
        if callable(handler):
            handler(signum, frame)
            return
        signal.signal(signum, signal.SIG_DFL)
        os.kill(os.getpid(), signum)

    for sig in _CLEANUP_SIGNALS:
        signal.signal(sig, cleanup)
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _is_main_thread() -> bool:
    import threading

    return threading.current_thread() is threading.main_thread()


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask
