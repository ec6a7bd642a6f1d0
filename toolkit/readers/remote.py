"""Inputs named by fsspec URLs (``s3://``, ``gs://``, ``file://``, ``memory://``...).

A URL names a file or a prefix ("directory") of a filesystem fsspec knows. A prefix is listed
with ``fs.find`` in sorted order, as local discovery walks a directory: files of a known input
suffix are read, hidden entries (a path part starting with '.') are listed as skips unless
include_hidden, any other file is listed as a skip. The bytes are read through fsspec and
handed to the same format readers as local files (``toolkit.readers.formats.read_data``).

A URL file's label (its name in findings) is its URL, so a worker on another machine reads it
from the label alone. fsspec is imported only when a URL is met: a run over local paths never
pays for it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

from toolkit.readers.discover import NOT_INPUT, Discovery, Skip, discover

# The same too-large message as a local file's (one place for it).
from toolkit.readers.dump import ReadOutcome, ReadProblem, _too_large
from toolkit.readers.formats import ReadOptions, is_known, read_data

if TYPE_CHECKING:
    from fsspec import AbstractFileSystem

# scheme "://": RFC 3986's scheme characters, two or more of them (a Windows drive letter, C:,
# is one and never followed by //).
_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]+://")
# A glob's characters, as fsspec's own has_magic tests.
_GLOB = re.compile(r"[*?\[]")


class RemoteError(Exception):
    """A URL that cannot be used at all: its filesystem is not installed, or unknown."""


def is_url(target: str | Path) -> bool:
    """Whether a command-line target is a URL (``scheme://...``), not a local path."""
    return isinstance(target, str) and _URL.match(target) is not None


def missing_inputs(targets: Sequence[str]) -> list[str]:
    """The targets that do not exist: local paths, and URLs whose filesystem has no such
    file or prefix (a glob that matches nothing counts as missing)."""
    out = []
    for target in targets:
        if is_url(target):
            fs, path = _filesystem(target)
            exists = bool(fs.glob(path)) if _GLOB.search(path) else fs.exists(path)
        else:
            exists = Path(target).exists()
        if not exists:
            out.append(target)
    return out


def discover_inputs(
    targets: Sequence[str], include_hidden: bool = False, exclude: tuple[Path, ...] = ()
) -> Discovery:
    """Local paths and URLs, in the order given: local paths through ``discover``, URLs
    through fsspec. A URL file's entry in ``paths`` is a placeholder path; its label is the
    URL that ``RemoteReading`` reads (the only way to hold a URL, ``Path`` folds its //)."""
    found = Discovery()
    for target in targets:
        if is_url(target):
            part = _discover_url(target, include_hidden)
        else:
            part = discover([Path(target)], include_hidden, exclude)
        found.extend(part)
    return found


def _filesystem(url: str) -> tuple[AbstractFileSystem, str]:
    try:
        from fsspec.core import url_to_fs
    except ImportError:
        raise RemoteError(
            f"{url}: reading URLs needs fsspec: pip install 'news-corpus-toolkit[dask]'"
        ) from None
    try:
        fs, path = url_to_fs(url)
    except ImportError as exc:  # fsspec names the package: "Install s3fs to access S3"
        raise RemoteError(f"{url}: {exc}") from None
    except ValueError as exc:  # "Protocol not known: ..."
        raise RemoteError(f"{url}: {exc}") from None
    return fs, str(path)


def _discover_url(url: str, include_hidden: bool) -> Discovery:
    found = Discovery()
    fs, path = _filesystem(url)
    scheme = url.split("://", 1)[0]
    try:
        if _GLOB.search(path):
            matches = sorted(fs.glob(path))
            if not matches:
                found.missing.append(Path(url))
            for match in matches:
                _take_url(found, fs, match, fs.unstrip_protocol(match), include_hidden, scheme)
            return found
        if not fs.exists(path):
            found.missing.append(Path(url))
            return found
        _take_url(found, fs, path, url, include_hidden, scheme)
    except OSError as exc:
        found.skipped.append(Skip(Path(url), url, "unlistable", f"cannot list it: {exc}"))
    return found


def _take_url(
    found: Discovery,
    fs: AbstractFileSystem,
    path: str,
    url: str,
    include_hidden: bool,
    scheme: str,
) -> None:
    """A URL named (or matched by a glob) is read whatever its name, a prefix is listed."""
    if not fs.isdir(path):
        found.add(Path(url), url)
        return
    root = PurePosixPath(path.rstrip("/") or "/")
    base = url.rstrip("/")
    hidden_seen: set[str] = set()
    # Sorted paths: a stable corpus order whatever order the store lists in.
    for entry in sorted(fs.find(path, withdirs=False)):
        rel = PurePosixPath(entry).relative_to(root)
        label = f"{base}/{rel}"
        dot = next((i for i, part in enumerate(rel.parts) if part.startswith(".")), None)
        if dot is not None and not include_hidden:
            # One skip for a hidden prefix, as local discovery lists a hidden directory once.
            top = "/".join(rel.parts[: dot + 1])
            if top not in hidden_seen:
                hidden_seen.add(top)
                is_dir = dot < len(rel.parts) - 1
                what, verb = ("directory", "walks") if is_dir else ("file", "reads")
                found.skipped.append(
                    Skip(
                        Path(label),
                        f"{base}/{top}",
                        "hidden",
                        f"a hidden {what}; --include-hidden {verb} it",
                    )
                )
            continue
        if not is_known(rel.name):
            found.skipped.append(Skip(Path(label), label, "not_dump", NOT_INPUT))
            continue
        found.add(Path(label), label)


def read_url(url: str, options: ReadOptions) -> ReadOutcome:
    """Read one URL into articles; like local reading, never raises for bad content or a
    file that cannot be read (it is a file_readable problem)."""
    try:
        fs, path = _filesystem(url)
        size = fs.size(path)
        if size is not None and size > options.max_file_size:
            return ReadOutcome(file=url, problems=[_too_large(size, options.max_file_size)])
        with fs.open(path, "rb") as f:
            # One byte over the cap: an object that grows while read is caught too.
            data: bytes = f.read(options.max_file_size + 1)
    except (OSError, RemoteError) as exc:
        return ReadOutcome(
            file=url, problems=[ReadProblem("unreadable", f"cannot read the file: {exc}")]
        )
    if len(data) > options.max_file_size:
        return ReadOutcome(file=url, problems=[_too_large(len(data), options.max_file_size)])
    return read_data(data, url, url, options.mapping, options.input_format, options.max_file_size)


@dataclass(frozen=True)
class RemoteReading(ReadOptions):
    """ReadOptions that also read URL inputs (a label that is a URL), for any engine; local
    files are read as ReadOptions reads them. Picklable, as ReadOptions is."""

    def read(self, path: str | Path, label: str) -> ReadOutcome:
        if is_url(label):
            return read_url(label, self)
        return super().read(path, label)


def reading_for(options: ReadOptions) -> RemoteReading:
    """The same reading options, able to read URLs too."""
    if isinstance(options, RemoteReading):
        return options
    fields: dict[str, Any] = {
        name: getattr(options, name) for name in ReadOptions.__dataclass_fields__
    }
    return RemoteReading(**fields)
