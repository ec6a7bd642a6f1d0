"""The pytest plugin (entry point ``toolkit``): corpus checks and article fixtures in pytest.

Fixtures: ``news_corpus`` loads paths into a Corpus, ``check_corpus`` runs suites on it and
returns a Result that is true when the run passed (``assert check_corpus("corpora/")``; a
failing assert lists the failing expectations and the first failing articles with file:line),
``make_article`` makes a valid article with fields overridden, ``break_article`` makes one fail
exactly one named expectation.

Collection: ``--corpus PATH --suite SUITE`` (or the ini options ``corpus_paths`` and
``corpus_suites``) adds one test item per expectation of each suite, named after it, so ``-k``,
``-m corpus``, ``--junitxml`` and the rest of pytest apply to a corpus gate.

The plugin loads in every pytest run where toolkit is installed, so this module imports the
engine (pandas, pandera) only when a fixture or a corpus item is used.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeAlias

import pytest

from toolkit.result import ExitCode, ExpectationStats, Finding, Result

if TYPE_CHECKING:
    from _pytest._code.code import TerminalRepr, TracebackStyle

    from toolkit.article import Article
    from toolkit.readers import ReadOutcome
    from toolkit.suite import Suite, SuiteEntry

SUITE_DIR = "expectations"
# Failing articles listed under each failing expectation in a message.
SHOWN = 3

PathLike: TypeAlias = "str | os.PathLike[str]"
CorpusInput: TypeAlias = "Corpus | PathLike | Article | Sequence[PathLike | Article] | None"
SuiteInput: TypeAlias = "Suite | PathLike | Sequence[Suite | PathLike] | None"


class CorpusFailure(Exception):
    """A collected corpus expectation that failed; ``str()`` is the message pytest shows."""


# --- the corpus and the checked result ----------------------------------------------------------


class Corpus:
    """Articles to check: files and directories, read only when asked (a check streams them),
    or articles already in memory."""

    def __init__(self, paths: Sequence[Path] = (), articles: Sequence[Article] | None = None):
        self.paths = tuple(paths)
        self._given = list(articles) if articles is not None else None
        self._read: list[ReadOutcome] | None = None

    @classmethod
    def of(cls, articles: Sequence[Article]) -> Corpus:
        return cls(articles=articles)

    @property
    def in_memory(self) -> bool:
        return self._given is not None

    def outcomes(self) -> list[ReadOutcome]:
        """Every file read: its articles and what kept it from being read cleanly."""
        if self._read is None:
            from toolkit.readers import discover
            from toolkit.readers.formats import read_file

            found = discover(list(self.paths))
            self._read = [read_file(f, n) for f, n in zip(found.files, found.labels, strict=True)]
        return self._read

    @property
    def articles(self) -> list[Article]:
        if self._given is not None:
            return self._given
        return [a for o in self.outcomes() for a in o.articles]

    @property
    def files(self) -> list[str]:
        if self._given is not None:
            return list(dict.fromkeys(a.file for a in self._given))
        return [o.file for o in self.outcomes()]

    def __len__(self) -> int:
        return len(self.articles)

    def __iter__(self) -> Iterator[Article]:
        return iter(self.articles)

    def __repr__(self) -> str:
        if self._given is not None:
            return f"Corpus({len(self._given)} articles in memory)"
        return f"Corpus({', '.join(str(p) for p in self.paths)})"

    def check(self, suites: list[Suite], engine: str = "pandera") -> CheckedCorpus:
        from toolkit.engines import check, check_articles

        if self._given is not None:
            return CheckedCorpus.of(check_articles(list(self._given), suites, engine))
        return CheckedCorpus.of(check(list(self.paths), suites, engine))


class CheckedCorpus(Result):
    """A Result that is true when every critical expectation passed on at least one article,
    so that ``assert check_corpus(...)`` is the gate; its repr is one short line (pytest cuts
    long ones) and the full explanation is added to the failing assert."""

    @classmethod
    def of(cls, result: Result) -> CheckedCorpus:
        return cls.model_construct(**{name: getattr(result, name) for name in Result.model_fields})

    def __bool__(self) -> bool:
        return self.exit_code == ExitCode.OK

    def __repr__(self) -> str:
        s = self.summary
        if self.exit_code == ExitCode.NOTHING_CHECKED:
            return f"<toolkit Result: nothing checked, {s.files} files, 0 articles>"
        failed = [e.id for e in self.failed_expectations() if e.severity == "critical"]
        if not failed:
            return f"<toolkit Result: passed, {s.articles} articles, {s.expectations} expectations>"
        names = ", ".join(failed[:3]) + (f" and {len(failed) - 3} more" if len(failed) > 3 else "")
        return f"<toolkit Result: FAILED {names} in {s.articles} articles>"

    def explain(self) -> str:
        return describe(self)


def describe(result: Result, shown: int = SHOWN) -> str:
    """Why a run did not pass: each failing critical expectation with its first failing
    articles (file:line, message, offending text), then failing warnings, in short."""
    s = result.summary
    if result.exit_code == ExitCode.NOTHING_CHECKED:
        what = "no input files" if s.files == 0 else f"zero articles in {s.files} files"
        return f"toolkit: nothing was checked: {what} in {', '.join(result.run.paths) or '-'}"
    failed = result.failed_expectations()
    critical = [e for e in failed if e.severity == "critical"]
    if not critical:
        return f"toolkit: every critical expectation passed on {s.articles} articles"
    head = (
        f"toolkit: {len(critical)} critical expectation{'s' if len(critical) > 1 else ''} "
        f"failed on {s.articles} articles in {s.files} files:"
    )
    lines = [head]
    for stats in critical:
        lines.extend(expectation_block(result, stats, shown))
    warned = [e for e in failed if e.severity == "warning"]
    if warned:
        lines.append("warnings: " + ", ".join(f"{e.id} ({e.failed} failed)" for e in warned))
    return "\n".join(lines)


def expectation_block(
    result: Result, stats: ExpectationStats, shown: int = SHOWN, qualified: bool = False
) -> list[str]:
    """One failing expectation: counts, then its first failing articles."""
    from toolkit.text import visible

    qualified = qualified or len(result.suites) > 1
    name = f"{stats.suite}::{stats.id}" if qualified else stats.id
    within = f", mostly {stats.mostly:g}" if stats.mostly is not None else ""
    lines = [
        f"  {name} ({stats.severity}): {stats.failed} of {stats.checked} failed "
        f"({stats.success_rate:.1%} passed{within})"
    ]
    findings = result.findings_for(stats.suite, stats.id)
    for f in findings[:shown]:
        lines.append(f"    {_place(f)}: {f.message}")
        if f.excerpt:
            lines.append(f"        {visible(f.excerpt)}")
    if len(findings) > shown:
        lines.append(f"    … and {len(findings) - shown} more")
    return lines


def _place(f: Finding) -> str:
    at = f" ({f.field} at line {f.field_line})" if f.field_line and f.field_line != f.line else ""
    return f"{f.file}:{f.line}{at}"


# --- settings -----------------------------------------------------------------------------------


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("toolkit", "news article corpus checks (toolkit)")
    group.addoption(
        "--corpus",
        action="append",
        default=[],
        metavar="PATH",
        help="Dump file or directory to check, one test per expectation (repeatable).",
    )
    group.addoption(
        "--suite",
        action="append",
        default=[],
        metavar="SUITE",
        help="Suite file, or NAME of <rootdir>/expectations/NAME.yaml (repeatable; default: "
        "corpus_suites, else every suite in <rootdir>/expectations/).",
    )
    group.addoption(
        "--toolkit-engine",
        default=None,
        metavar="NAME",
        help="Engine of the corpus checks and fixtures (toolkit.engines: pandera, gx, ...; "
        "default: corpus_engine, else pandera).",
    )
    parser.addini(
        "corpus_engine",
        default="pandera",
        help="Engine of the corpus checks and fixtures, as given with --toolkit-engine.",
    )
    parser.addini(
        "corpus_paths",
        type="paths",
        default=[],
        help="Dump files, feeds or directories checked as if given with --corpus (relative to the "
        "ini file).",
    )
    parser.addini(
        "corpus_suites",
        type="args",
        default=[],
        help="Suites checked as if given with --suite (paths relative to the ini file, or names).",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "corpus: a corpus expectation collected by toolkit")


def configured_engine(config: pytest.Config) -> str:
    """--toolkit-engine or corpus_engine; an unknown name is a usage error."""
    from toolkit.engines import UnknownEngine, engine

    name = str(config.getoption("toolkit_engine") or config.getini("corpus_engine"))
    try:
        return engine(name).name
    except UnknownEngine as exc:
        raise pytest.UsageError(f"toolkit: {exc}") from None


def _ini_dir(config: pytest.Config) -> Path:
    return config.inipath.parent if config.inipath else config.rootpath


def configured_paths(config: pytest.Config) -> list[Path]:
    """--corpus (relative to the working directory, like any argument) or corpus_paths."""
    given: list[str] = config.getoption("corpus")
    if given:
        return [Path(p) for p in given]
    ini: list[Path] = config.getini("corpus_paths")
    return list(ini)


def configured_suites(config: pytest.Config) -> list[Suite]:
    """--suite or corpus_suites, else every suite in <rootdir>/expectations/."""
    from toolkit.suite import available_suites

    given: list[str] = config.getoption("suite")
    if given:
        refs = [(ref, Path.cwd()) for ref in given]
    else:
        ini: list[str] = config.getini("corpus_suites")
        refs = [(ref, _ini_dir(config)) for ref in ini]
    if not refs:
        refs = [(str(p), config.rootpath) for p in available_suites(config.rootpath / SUITE_DIR)]
    if not refs:
        raise pytest.UsageError(
            f"toolkit: no suite: pass --suite, set corpus_suites, or add suites to "
            f"{config.rootpath / SUITE_DIR}/"
        )
    suites = [load(ref, base, config.rootpath) for ref, base in refs]
    names = [s.name for s in suites]
    if len(set(names)) != len(names):
        raise pytest.UsageError(f"toolkit: two suites share a name: {', '.join(names)}")
    return suites


def load(ref: object, base: Path, root: Path) -> Suite:
    """A suite given as a Suite, a path (relative to ``base``) or a NAME in root/expectations/."""
    from toolkit.suite import Suite, load_suite, resolve_suite

    if isinstance(ref, Suite):
        return ref
    if not isinstance(ref, str | os.PathLike):
        raise TypeError(f"a suite is a Suite, a path or a name, not {type(ref).__name__}")
    path = Path(ref)
    candidate = path if path.is_absolute() else base / path
    found = candidate if candidate.is_file() else resolve_suite(str(ref), root / SUITE_DIR)
    # Shown relative to the working directory, as pytest shows paths: errors and node ids.
    with contextlib.suppress(ValueError):
        found = found.resolve().relative_to(Path.cwd().resolve())
    return load_suite(found, root / SUITE_DIR)


def _as_list(value: object) -> list[object]:
    if isinstance(value, str | os.PathLike) or not isinstance(value, Sequence):
        return [value]
    return list(value)


# --- fixtures -----------------------------------------------------------------------------------


class CorpusLoader:
    """``news_corpus(*paths)``: paths relative to the rootdir; no path, the configured corpus
    (--corpus or corpus_paths)."""

    def __init__(self, config: pytest.Config) -> None:
        self._config = config

    def __call__(self, *paths: PathLike) -> Corpus:
        root = self._config.rootpath
        chosen = [root / p for p in paths] if paths else configured_paths(self._config)
        if not chosen:
            raise pytest.UsageError(
                "news_corpus(): no path given and no corpus configured (--corpus or corpus_paths)"
            )
        missing = [str(p) for p in chosen if not p.exists()]
        if missing:
            raise FileNotFoundError(
                f"news_corpus: no such file or directory: {', '.join(missing)} "
                f"(relative paths are taken from the rootdir, {root})"
            )
        return Corpus(chosen)


class CorpusChecker:
    """``check_corpus(corpus, suite=None)``: run suites on a Corpus, paths or Articles."""

    def __init__(self, loader: CorpusLoader, config: pytest.Config, seen: list[CheckedCorpus]):
        self._loader = loader
        self._config = config
        self._seen = seen

    def __repr__(self) -> str:
        return "check_corpus"  # an assert's explanation reads "= check_corpus('corpora/')"

    def __call__(
        self, corpus: CorpusInput = None, suite: SuiteInput = None, engine: str | None = None
    ) -> CheckedCorpus:
        """``engine``: a name of toolkit.engines (default: --toolkit-engine or
        corpus_engine, else pandera)."""
        root = self._config.rootpath
        suites = (
            configured_suites(self._config)
            if suite is None
            else [load(s, root, root) for s in _as_list(suite)]
        )
        if engine is None:
            engine = configured_engine(self._config)
        result = self._corpus(corpus).check(suites, engine)
        self._seen.append(result)
        return result

    def _corpus(self, corpus: object) -> Corpus:
        from toolkit.article import Article

        if corpus is None:
            return self._loader()
        if isinstance(corpus, Corpus):
            return corpus
        items = _as_list(corpus)
        articles = [i for i in items if isinstance(i, Article)]
        if articles and len(articles) == len(items):
            return Corpus.of(articles)
        paths = [i for i in items if isinstance(i, str | os.PathLike)]
        if paths and len(paths) == len(items):
            return self._loader(*paths)
        raise TypeError("check_corpus: give a Corpus, paths, or Articles")


class ArticleMaker:
    """``make_article(**fields)``: the clean example article with fields overridden."""

    def __call__(self, base: Article | None = None, **fields: Any) -> Article:
        from toolkit.fixtures import make_article

        return make_article(base, **fields)

    def text(self, base: Article | None = None, **fields: Any) -> str:
        """The article in the dump format."""
        from toolkit.article import render

        return render(self(base, **fields))

    def write(self, path: PathLike, base: Article | None = None, **fields: Any) -> Path:
        """The article written to ``path`` in the dump format, e.g. for a reader under test."""
        target = Path(path)
        target.write_text(self.text(base, **fields), encoding="utf-8", newline="\n")
        return target


class ArticleBreaker:
    """``break_article(name, article=None, **params)``: the article (default: the clean
    example) changed so that the named expectation, with those parameters, fails."""

    def __call__(self, expectation: str, article: Article | None = None, **params: Any) -> Article:
        from toolkit.fixtures import break_article, default_article

        return break_article(article or default_article(), expectation, params)

    def text(self, expectation: str, article: Article | None = None, **params: Any) -> str:
        from toolkit.article import render

        return render(self(expectation, article, **params))


_CHECKED = pytest.StashKey[list[CheckedCorpus]]()
_WARNED = pytest.StashKey[list[str]]()
_RUN = pytest.StashKey["CorpusRun"]()


@pytest.fixture
def news_corpus(pytestconfig: pytest.Config) -> CorpusLoader:
    """Load dump files or directories into a Corpus: ``news_corpus("corpora/clean")``."""
    return CorpusLoader(pytestconfig)


@pytest.fixture
def check_corpus(request: pytest.FixtureRequest, news_corpus: CorpusLoader) -> CorpusChecker:
    """Run suites on a corpus: ``assert check_corpus("corpora/clean", suite="news")``."""
    seen = request.node.stash.setdefault(_CHECKED, [])
    return CorpusChecker(news_corpus, request.config, seen)


@pytest.fixture
def make_article() -> ArticleMaker:
    """A valid article with any field overridden: ``make_article(headline="...")``;
    ``make_article.text(...)`` renders it to the dump format."""
    return ArticleMaker()


@pytest.fixture
def break_article() -> ArticleBreaker:
    """The clean article (or the one given) changed so that one named expectation fails:
    ``break_article("tags_non_empty")``."""
    return ArticleBreaker()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    """A failing ``assert check_corpus(...)`` gets the explanation of that Result as a note,
    so the failure shows the expectations and articles, not only the one-line repr. Only an
    assert of the Result itself does (its rewritten message has the line ``assert <repr>``)."""
    try:
        return (yield)
    except AssertionError as exc:
        lines = set(str(exc).splitlines())
        notes: list[str] = []
        for result in item.stash.get(_CHECKED, []):
            if not result and f"assert {result!r}" in lines:
                text = result.explain()
                if text not in notes:
                    notes.append(text)
        for text in notes:
            exc.add_note(text)
        raise


# --- corpus collection --------------------------------------------------------------------------


class CorpusRun:
    """One check of the configured corpus against every configured suite, run when the first
    item needs it and shared by all items."""

    def __init__(self, paths: list[Path], suites: list[Suite], engine: str = "pandera") -> None:
        self.paths = paths
        self.suites = suites
        self.engine = engine
        self._result: Result | None = None
        self._error: str | None = None

    def result(self) -> Result:
        if self._error is not None:
            raise CorpusFailure(self._error)
        if self._result is None:
            from toolkit.engine import EngineError
            from toolkit.engines import check

            try:
                self._result = check(self.paths, self.suites, self.engine)
            except EngineError as exc:
                self._error = f"toolkit: the check could not run: {exc}"
                raise CorpusFailure(self._error) from None
            except Exception as exc:
                # One run is shared by every item: a traceback would be repeated in each.
                # The one-line cause is; `toolkit check` on the corpus shows the rest.
                self._error = (
                    f"toolkit: the check of the corpus failed: {type(exc).__name__}: {exc} "
                    f"(run `toolkit check` on {' '.join(map(str, self.paths))} for details)"
                )
                raise CorpusFailure(self._error) from None
        return self._result

    @property
    def done(self) -> Result | None:
        """The Result, if the run has happened (for the terminal summary)."""
        return self._result


class SuiteNode(pytest.Collector):
    """The expectations of one suite over the configured corpus."""

    def __init__(self, *, suite: Suite, run: CorpusRun, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.suite = suite
        self.run = run

    def collect(self) -> list[pytest.Item | pytest.Collector]:
        from toolkit.suite import entries_of

        return [
            ExpectationItem.from_parent(self, name=entry.id, entry=entry)
            for entry in entries_of(self.suite)
        ]


class ExpectationItem(pytest.Item):
    """One expectation of a suite over the corpus: fails when it fails at severity critical;
    at severity warning it passes and is listed in the terminal summary."""

    def __init__(self, *, entry: SuiteEntry, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.entry = entry
        exp = entry.expectation
        self.extra_keyword_matches.update({exp.name, exp.family, entry.severity})
        self.add_marker("corpus")

    @property
    def suite(self) -> Suite:
        parent = self.parent
        assert isinstance(parent, SuiteNode)
        return parent.suite

    def runtest(self) -> None:
        parent = self.parent
        assert isinstance(parent, SuiteNode)
        result = parent.run.result()
        if result.exit_code == ExitCode.NOTHING_CHECKED:
            raise CorpusFailure(describe(result))
        stats = next(
            e
            for s in result.suites
            if s.name == self.suite.name
            for e in s.expectations
            if e.id == self.entry.id
        )
        self.user_properties.extend(
            [("severity", stats.severity), ("checked", stats.checked), ("failed", stats.failed)]
        )
        if stats.passed or stats.severity == "info":
            return
        exp = self.entry.expectation
        block = expectation_block(result, stats, qualified=True)
        # The counts come first: pytest's short summary shows the first line.
        text = "\n".join([*block, f"  expected: {exp.description}", f"  fix: {exp.fix}"]).strip()
        if stats.severity == "warning":
            # It passes, as in `toolkit check`: a warning never fails the gate. A Python warning
            # would, under the common filterwarnings = error, so it goes to the summary instead.
            self.config.stash.setdefault(_WARNED, []).append(text)
            return
        raise CorpusFailure(text)

    def repr_failure(
        self, excinfo: pytest.ExceptionInfo[BaseException], style: TracebackStyle | None = None
    ) -> str | TerminalRepr:
        if isinstance(excinfo.value, CorpusFailure):
            return str(excinfo.value)
        return super().repr_failure(excinfo, style)

    def reportinfo(self) -> tuple[os.PathLike[str] | str, int | None, str]:
        line = self.entry.line - 1 if self.entry.line else None
        return self.path, line, f"{self.suite.name}::{self.entry.id}"


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(
    session: pytest.Session, config: pytest.Config, items: list[pytest.Item]
) -> None:
    """Add the corpus items before -k, -m and --deselect select among all items."""
    paths = configured_paths(config)
    if not paths:
        if config.getoption("suite"):
            raise pytest.UsageError(
                "toolkit: --suite needs a corpus: --corpus PATH or corpus_paths"
            )
        return
    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        raise pytest.UsageError(f"toolkit: no such corpus file or directory: {', '.join(missing)}")
    from toolkit.suite import SuiteError

    try:
        suites = configured_suites(config)
    except SuiteError as exc:
        raise pytest.UsageError(f"toolkit: {exc}") from None
    run = CorpusRun(paths, suites, configured_engine(config))
    config.stash[_RUN] = run
    for suite in suites:
        path = Path(suite.file).resolve()
        try:
            nodeid = path.relative_to(config.rootpath).as_posix()
        except ValueError:
            nodeid = path.as_posix()
        node = SuiteNode.from_parent(
            session, name=path.name, path=path, nodeid=nodeid, suite=suite, run=run
        )
        # Reported as pytest reports what it collects, so that "collected N items", -q --co and
        # the plugins that count collection see the corpus items too.
        session.ihook.pytest_collectstart(collector=node)
        found = node.collect()
        report = pytest.CollectReport(node.nodeid, "passed", None, found)
        session.ihook.pytest_collectreport(report=report)
        items.extend(child for child in found if isinstance(child, pytest.Item))


def pytest_terminal_summary(
    terminalreporter: pytest.TerminalReporter, config: pytest.Config
) -> None:
    warned = config.stash.get(_WARNED, [])
    if warned:
        terminalreporter.section("toolkit: expectations failing at severity warning")
        for text in warned:
            terminalreporter.write_line(text)
    run = config.stash.get(_RUN, None)
    result = run.done if run is not None else None
    skips = result.run.skips() if result is not None else []
    if skips:
        from toolkit.text import visible

        terminalreporter.section(f"toolkit: {len(skips)} entries of the corpus not read")
        for skip in skips:
            terminalreporter.write_line(f"{visible(skip.path)}: {visible(skip.reason)}")
