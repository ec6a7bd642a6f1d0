"""The engines a run can use, behind one seam.

An engine is a module with ``run(request: RunRequest) -> Result`` (and, optionally,
``notes(request, result) -> list[str]``: lines for standard error after the run, such as
where Data Docs were written). It is named here once, in ``ENGINES``, with the options it
adds to ``toolkit check``; the command line, the configuration, the pytest plugin and the
fixtures find engines only through this registry, and import an engine's module only when it
runs (Great Expectations and Dask take seconds to import).

Adding an engine is one module and one line in ``ENGINES``.
"""

from __future__ import annotations

import difflib
import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from toolkit.article import Article
    from toolkit.history import History
    from toolkit.index import ArchiveIndex
    from toolkit.readers.formats import ReadOptions
    from toolkit.result import Result, Severity
    from toolkit.suite import Suite

# Articles validated together in one batch, by default (--batch-size, the batch_size key):
# here, in a module the command line imports at start-up, so that every default is this one.
DEFAULT_BATCH = 4000


@dataclass(frozen=True)
class EngineOption:
    """An option an engine adds to ``toolkit check``; its value reaches the engine as text
    (or None) in ``RunRequest.options[name]``."""

    name: str
    flag: str
    help: str
    metavar: str = "TEXT"
    envvar: str | None = None


@dataclass(frozen=True)
class RunRequest:
    """Everything a run needs, whatever the engine."""

    targets: list[str]  # paths (or, for engines that read them, URLs) as given
    suites: list[Suite]
    batch_size: int
    jobs: int
    limits: Mapping[Severity, int | None]
    include_hidden: bool
    reading: ReadOptions
    on_progress: Callable[[int, int], None] | None = None
    options: Mapping[str, str | None] = field(default_factory=dict)
    # Past runs, for the history expectations (toolkit.history); None without --history.
    history: History | None = None
    # The archive index of --against, for the archive expectations (toolkit.index).
    against: ArchiveIndex | None = None

    @property
    def paths(self) -> list[Path]:
        return [Path(t) for t in self.targets]


class EngineModule(Protocol):
    def run(self, request: RunRequest) -> Result: ...


@dataclass(frozen=True)
class EngineSpec:
    name: str
    summary: str
    module: str
    options: tuple[EngineOption, ...] = ()
    parallel: bool = True  # honours --jobs
    urls: bool = False  # reads fsspec URLs (s3://, gs://, file://) besides local paths
    history: bool = True  # judges the history expectations (--history)
    against: bool = True  # judges the archive expectations against an index (--against)
    extra: str | None = None  # the pip extra whose packages it imports
    needs: tuple[str, ...] = ()  # top-level modules of that extra (a missing one: install it)
    requires: str = ""  # what they are, for people: "Great Expectations"

    def load(self) -> EngineModule:
        """The engine's module; a missing optional dependency is an EngineUnavailable that
        says what to install."""
        try:
            module: EngineModule = importlib.import_module(self.module)
        except ModuleNotFoundError as exc:
            top = (exc.name or "").split(".")[0]
            if top not in self.needs:
                raise
            raise EngineUnavailable(
                f"--engine {self.name} needs {self.requires or top}: "
                f"pip install 'news-corpus-toolkit[{self.extra}]'"
            ) from None
        return module


class EngineUnavailable(Exception):
    """The engine's optional dependencies are not installed."""


class UnknownEngine(ValueError):
    pass


ENGINES: dict[str, EngineSpec] = {
    spec.name: spec
    for spec in (
        EngineSpec(
            "pandera",
            "vectorised checks in batches, over --jobs processes on this machine (default)",
            "toolkit.engines.local",
        ),
        EngineSpec(
            "gx",
            "the same suites run through Great Expectations 1.x, in one process (slower to "
            "start; for teams that already use GX)",
            "toolkit.engines.gx",
            options=(
                EngineOption(
                    "data_docs",
                    "--data-docs",
                    "Build Great Expectations Data Docs for the run in DIR.",
                    metavar="DIR",
                ),
            ),
            parallel=False,
            history=False,
            against=False,
            extra="gx",
            needs=("great_expectations",),
            requires="Great Expectations",
        ),
        EngineSpec(
            "dask",
            "groups of files checked on the workers of a Dask cluster (--scheduler, or a local "
            "cluster of --jobs workers); reads fsspec URLs (s3://, gs://, file://)",
            "toolkit.engines.dask",
            options=(
                EngineOption(
                    "scheduler",
                    "--scheduler",
                    "Run --engine dask on the Dask cluster whose scheduler is at ADDRESS "
                    "(tcp://HOST:PORT); without it, a local cluster of --jobs worker processes "
                    "is started and stopped by the run.",
                    metavar="ADDRESS",
                    envvar="DASK_SCHEDULER_ADDRESS",
                ),
            ),
            urls=True,
            extra="dask",
            needs=("dask", "distributed", "fsspec"),
            requires="Dask (distributed)",
        ),
    )
}
DEFAULT_ENGINE = "pandera"


def engine(name: str) -> EngineSpec:
    """The engine of that name; an unknown name says which exist."""
    try:
        return ENGINES[name]
    except KeyError:
        close = difflib.get_close_matches(name, ENGINES, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise UnknownEngine(
            f"no engine {name!r}{hint}: the engines are {', '.join(ENGINES)}"
        ) from None


def all_options() -> list[tuple[EngineSpec, EngineOption]]:
    """Every engine's own options, each flag once."""
    return [(spec, o) for spec in ENGINES.values() for o in spec.options]


def help_text() -> str:
    return " ".join(f"{s.name}: {s.summary}." for s in ENGINES.values())


def check(
    targets: list[str] | list[Path],
    suites: list[Suite],
    name: str = DEFAULT_ENGINE,
    options: Mapping[str, str | None] | None = None,
) -> Result:
    """A run with an engine's defaults (the pytest plugin, fixtures, the API): every file
    under ``targets`` against ``suites``."""
    from toolkit.engine import DEFAULT_LIMITS
    from toolkit.readers.formats import DEFAULT_READING

    request = RunRequest(
        targets=[str(t) for t in targets],
        suites=suites,
        batch_size=DEFAULT_BATCH,
        jobs=1,
        limits=DEFAULT_LIMITS,
        include_hidden=False,
        reading=DEFAULT_READING,
        options=dict(options or {}),
    )
    return engine(name).load().run(request)


def check_articles(
    articles: list[Article],
    suites: list[Suite],
    name: str = DEFAULT_ENGINE,
    options: Mapping[str, str | None] | None = None,
) -> Result:
    """Articles already in memory, with an engine that checks them (``run_articles``)."""
    spec = engine(name)
    module = spec.load()
    run_articles = getattr(module, "run_articles", None)
    if run_articles is None:
        raise UnknownEngine(f"--engine {name} checks files only, not articles in memory")
    result: Result = run_articles(articles, suites, dict(options or {}))
    return result
