"""Article fixtures and mutants: make a valid article, break it, prove a suite catches it.

``generate`` writes one clean article and, for every suite entry whose expectation can be
broken, one mutant that the entry's own breaker made from it, plus a manifest naming which file
should fail which entry. ``verify`` runs a suite on each of those files alone and tells, per
entry, whether its mutant was caught by it and by nothing else critical: a loosened regex, a
``mostly: 0`` or a severity lowered to ``info`` shows up as a mutant that survives.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, ValidationError

from toolkit.article import Article, render, reparse
from toolkit.engine import display_path
from toolkit.engines import check
from toolkit.expectations import CATALOG, AnyExpectation, CorpusExpectation, Params
from toolkit.expectations.base import Unbreakable
from toolkit.readers.formats import read_file
from toolkit.result import ExpectationStats, Finding, Result, Severity
from toolkit.suite import Suite, SuiteEntry

MANIFEST = "manifest.json"
CLEAN_FILE = "clean.txt"
MANIFEST_VERSION = 1

# Fields of Article that the dump text holds; the others (byline names and emails, the tag list,
# problems, lines) are what the parser derives from these, so they are never set by hand.
RAW_FIELDS = frozenset(
    {"file", "line", "date", "headline", "title", "published", "caption", "paragraphs", "byline"}
    | {"tags_raw"}
)
# Conveniences: ``body`` is the paragraphs as one text, ``tags`` the tags as a list.
CONVENIENCE_FIELDS = frozenset({"body", "tags"})
_ALL_FIELDS = frozenset(f.name for f in dataclasses.fields(Article))
_TIME = re.compile(r"(\d{1,2}):(\d{2})\s*$")


class FixtureError(ValueError):
    """A fixture that cannot be made: an unknown field or expectation, no breaker, or a breaker
    that cannot make the article fail with the parameters given."""


# --- one article -------------------------------------------------------------------------------


def default_article(file: str | None = None) -> Article:
    """The catalog's clean example article (toolkit.examples)."""
    from toolkit.examples import EXAMPLE_FILE, example_article

    return example_article(file or EXAMPLE_FILE)


def make_article(base: Article | None = None, **overrides: Any) -> Article:
    """A copy of ``base`` (default: the clean example) with fields overridden, parsed back from
    its dump text so that derived fields and lines match what a reader of the file would see.

    ``body`` (a text whose paragraphs are separated by blank lines) and ``tags`` (a list) are
    accepted beside the raw fields. A new ``headline`` also becomes the title line, and a new
    ``date`` the day of the Published: line, unless those are given too: the article stays valid
    except where it is asked not to be.
    """
    article = base if base is not None else default_article()
    unknown = set(overrides) - RAW_FIELDS - CONVENIENCE_FIELDS
    if unknown:
        valid = ", ".join(sorted(RAW_FIELDS | CONVENIENCE_FIELDS))
        derived = " (derived by the parser from the raw text)" if unknown & _ALL_FIELDS else ""
        raise FixtureError(f"cannot set {', '.join(sorted(unknown))}{derived}; fields: {valid}")
    if "body" in overrides and "paragraphs" in overrides:
        raise FixtureError("give body or paragraphs, not both")
    if "tags" in overrides and "tags_raw" in overrides:
        raise FixtureError("give tags or tags_raw, not both")
    changes: dict[str, Any] = {k: v for k, v in overrides.items() if k in RAW_FIELDS}
    if "body" in overrides:
        changes["paragraphs"] = _paragraphs(str(overrides["body"]))
    if "tags" in overrides:
        changes["tags_raw"] = " ".join(str(t) for t in overrides["tags"])
    if "headline" in changes and "title" not in changes:
        changes["title"] = changes["headline"]
    if "date" in changes and "published" not in changes:
        published = _same_time(changes["date"], article.published)
        if published is not None:
            changes["published"] = published
    made = reparse(dataclasses.replace(article, **changes))
    line = int(changes.get("line", article.line))
    return _moved(made, line) if line != made.line else made


def _paragraphs(body: str) -> list[str]:
    blocks = re.split(r"\n[ \t\u00a0]*\n", body.strip("\n"))
    return [" ".join(ln.strip(" \t") for ln in b.split("\n")) for b in blocks if b.strip()]


def _same_time(date: object, published: str | None) -> str | None:
    """A Published: value on ``date`` at the time ``published`` gives (09:00 without one)."""
    from toolkit.expectations.dates import format_published

    try:
        day = dt.date.fromisoformat(str(date))
    except ValueError:
        return None  # an invalid date is the point of the override: leave Published: alone
    m = _TIME.search(published or "")
    hour, minute = (int(m[1]), int(m[2])) if m else (9, 0)
    return format_published(dt.datetime.combine(day, dt.time(hour % 24, minute % 60)))


def _shown(params: Params) -> str:
    given = params.model_dump(mode="json", exclude_defaults=True)
    return ", ".join(f"{k}={v!r}" for k, v in given.items()) or "its default parameters"


def _moved(article: Article, line: int) -> Article:
    shift = line - article.line
    lines = {part: n + shift for part, n in article.lines.items()}
    return dataclasses.replace(article, line=line, lines=lines)


def lookup(name: str) -> AnyExpectation:
    """The catalog's expectation called ``name``; an unknown name suggests the closest."""
    exp = CATALOG.get(name)
    if exp is None:
        import difflib

        close = difflib.get_close_matches(name, list(CATALOG), n=1)
        more = f"; did you mean {close[0]!r}?" if close else ""
        raise FixtureError(f"unknown expectation {name!r}{more}")
    return exp


def break_article(
    article: Article,
    expectation: str | AnyExpectation,
    params: Params | Mapping[str, Any] | None = None,
) -> Article:
    """``article`` changed by the expectation's breaker so that it fails that expectation, then
    parsed back from its dump text. For a corpus expectation (duplicates) the broken article
    fails beside the original, not alone."""
    exp = lookup(expectation) if isinstance(expectation, str) else expectation
    if exp.breaker is None:
        raise FixtureError(f"{exp.name} cannot be broken: its definition has no breaker")
    if isinstance(params, Params):
        valid = params
    else:
        try:
            valid = exp.params.model_validate(dict(params or {}))
        except ValidationError as err:
            first = err.errors()[0]
            where = ".".join(str(p) for p in first["loc"])
            raise FixtureError(f"{exp.name}: bad parameter {where}: {first['msg']}") from None
    try:
        broken = exp.breaker(article, valid)
    except Unbreakable as err:
        raise FixtureError(f"{exp.name} cannot be broken with {_shown(valid)}: {err}") from None
    return _moved(reparse(broken), article.line)


# --- a fixtures directory ----------------------------------------------------------------------


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Mutant(_Model):
    """One mutant file and the suite entry it must fail."""

    file: str
    id: str
    expectation: str
    params: dict[str, Any]
    # The entry's severity when the mutant was made: lowering it since is a weakening too.
    severity: Severity
    # A corpus expectation's mutant holds the clean article and then the broken one.
    with_clean: bool = False


class Manifest(_Model):
    toolkit_fixtures: int = MANIFEST_VERSION
    suite: str
    suite_file: str
    source: str
    clean: str = CLEAN_FILE
    mutants: list[Mutant]
    # Entries whose breaker found no way to make the article fail with the entry's parameters
    # (a regex every text matches), with the breaker's reason: a check that cannot fail.
    unbreakable: dict[str, str] = {}
    # Entries whose expectation has no breaker at all (file_readable): nothing to verify.
    no_breaker: list[str] = []

    @classmethod
    def load(cls, directory: Path) -> Manifest:
        path = directory / MANIFEST
        try:
            return cls.model_validate_json(path.read_bytes())
        except FileNotFoundError:
            raise FixtureError(
                f"{path}: no manifest: is {directory} a directory written by "
                "'toolkit fixtures generate'?"
            ) from None
        except OSError as err:
            raise FixtureError(f"{path}: cannot read the manifest: {err.strerror}") from None
        except ValidationError as err:
            problem = err.errors()[0]
            where = ".".join(str(p) for p in problem["loc"]) or "the file"
            raise FixtureError(
                f"{path}: not a fixtures manifest: {where}: {problem['msg']}"
            ) from None


def load_source(path: Path) -> Article:
    """The first article of an input file (a dump or a feed), to mutate; an unreadable file
    is an error."""
    outcome = read_file(path, display_path(path))
    if outcome.problems:
        problem = outcome.problems[0]
        raise FixtureError(f"{outcome.file}:{problem.line}: {problem.message}")
    if not outcome.articles:
        raise FixtureError(f"{outcome.file}: no article in the file")
    return outcome.articles[0]


def clean_problems(article: Article, suite: Suite) -> list[Finding]:
    """What keeps ``article`` from being a clean starting point: its findings in ``suite`` at
    any severity (a mutant is judged against a clean article that fails nothing)."""
    from toolkit.engines import check_articles

    return list(check_articles([article], [suite]).findings)


def generate(suite: Suite, out: Path, source: Article | None = None, label: str = "") -> Manifest:
    """Write ``clean.txt``, one mutant per breakable entry of ``suite`` and the manifest."""
    clean = source if source is not None else default_article()
    problems = clean_problems(clean, suite)
    if problems:
        listed = "; ".join(f"{f.id}: {f.message}" for f in problems[:5])
        raise FixtureError(
            f"{clean.file}:{clean.line}: the article to mutate must pass every expectation of "
            f"suite {suite.name}, but fails {listed}"
        )
    out.mkdir(parents=True, exist_ok=True)
    _remove_previous(out)
    clean_text = render(clean)
    _write(out / CLEAN_FILE, clean_text)
    mutants: list[Mutant] = []
    unbreakable: dict[str, str] = {}
    no_breaker: list[str] = []
    taken = {CLEAN_FILE, MANIFEST}
    for entry in suite.entries:
        exp = entry.expectation
        if exp.breaker is None:
            no_breaker.append(entry.id)
            continue
        try:
            broken = break_article(clean, exp, entry.params)
        except FixtureError as err:
            unbreakable[entry.id] = str(err)
            continue
        pair = isinstance(exp, CorpusExpectation)
        name = _file_name(entry.id, taken)
        _write(out / name, clean_text + "\n" + render(broken) if pair else render(broken))
        mutants.append(
            Mutant(
                file=name,
                id=entry.id,
                expectation=exp.name,
                params=entry.params_dict(),
                severity=entry.severity,
                with_clean=pair,
            )
        )
    manifest = Manifest(
        suite=suite.name,
        suite_file=suite.file,
        source=label or (f"{clean.file}:{clean.line}" if source else "toolkit.examples"),
        mutants=mutants,
        unbreakable=unbreakable,
        no_breaker=no_breaker,
    )
    _write(out / MANIFEST, manifest.model_dump_json(indent=2) + "\n")
    return manifest


def _remove_previous(out: Path) -> None:
    """Files an earlier ``generate`` wrote here, so a mutant of a dropped entry cannot linger;
    nothing else in the directory is touched."""
    try:
        old = Manifest.load(out)
    except FixtureError:
        return
    for name in [old.clean, *(m.file for m in old.mutants)]:
        path = out / name
        if path.parent == out and path.is_file():
            path.unlink()


def _file_name(entry_id: str, taken: set[str]) -> str:
    stem = re.sub(r"[^A-Za-z0-9_.-]+", "_", entry_id).strip("._") or "mutant"
    name, n = f"{stem}.txt", 2
    while name in taken:
        name, n = f"{stem}_{n}.txt", n + 1
    taken.add(name)
    return name


def _write(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8", newline="\n")


# --- verify -------------------------------------------------------------------------------------

_RANK: dict[Severity, int] = {"info": 0, "warning": 1, "critical": 2}
_WEAKER: dict[Severity, str] = {
    "warning": "it no longer fails the run",
    "info": "it no longer fails the run or warns",
    "critical": "",
}
Status = Literal["caught", "survived", "also", "missing", "unbreakable", "skipped"]


@dataclass(frozen=True)
class Verdict:
    """What became of one entry's mutant.

    ``caught``: the entry failed, at the severity it had when the fixtures were made, and no
    other critical entry did; ``also``: it failed, but so did other critical entries (``also``
    names them), so the mutant does not show that this entry catches anything on its own;
    ``survived``: the entry passed (a loosened regex, a ``mostly`` too low), or failed at a
    severity lowered since the fixtures were made (critical to info blocks nothing any more);
    ``missing``: the manifest has no mutant for the entry (generate again); ``unbreakable``: the
    breaker found no way to make an article fail the entry as its parameters stand (a regex that
    every text matches), so the entry can never fail; ``skipped``: the expectation has no
    breaker at all, so there is nothing to verify (not counted in the score).
    """

    id: str
    expectation: str
    severity: Severity
    status: Status
    file: str | None = None
    detail: str = ""
    also: tuple[str, ...] = ()


@dataclass
class Verification:
    suite: str
    directory: str
    manifest: Manifest
    clean_file: str
    clean_failures: list[Finding] = field(default_factory=list)
    clean_read: bool = True
    verdicts: list[Verdict] = field(default_factory=list)
    # Mutants in the manifest for entries the suite no longer has.
    stale: list[str] = field(default_factory=list)

    @property
    def tested(self) -> list[Verdict]:
        return [v for v in self.verdicts if v.status != "skipped"]

    @property
    def caught(self) -> int:
        return sum(v.status == "caught" for v in self.tested)

    @property
    def score(self) -> float:
        """The share of breakable entries whose mutant was caught by that entry alone."""
        return self.caught / len(self.tested) if self.tested else 0.0

    @property
    def clean_passes(self) -> bool:
        return self.clean_read and not self.clean_failures

    @property
    def passed(self) -> bool:
        return self.clean_passes and bool(self.tested) and self.caught == len(self.tested)


def verify(suite: Suite, directory: Path) -> Verification:
    """Run ``suite`` on the clean article and on each mutant, each file alone (a corpus
    expectation must not see the other mutants), and judge every entry."""
    manifest = Manifest.load(directory)
    clean_path = directory / manifest.clean
    out = Verification(
        suite=suite.name,
        directory=display_path(directory),
        manifest=manifest,
        clean_file=display_path(clean_path),
    )
    clean = _run(clean_path, suite)
    out.clean_read = clean.summary.articles > 0
    out.clean_failures = [f for f in clean.findings if _failed(clean, f)]
    by_id = {m.id: m for m in manifest.mutants}
    ids = {e.id for e in suite.entries}
    out.stale = [m.id for m in manifest.mutants if m.id not in ids]
    for entry in suite.entries:
        mutant = by_id.get(entry.id)
        out.verdicts.append(_judge(entry, mutant, manifest.unbreakable, directory, suite))
    return out


def _run(path: Path, suite: Suite) -> Result:
    return check([path], [suite])


def _failed(result: Result, finding: Finding) -> bool:
    stats = _stats(result)
    return finding.id in stats and not stats[finding.id].passed


def _stats(result: Result) -> dict[str, ExpectationStats]:
    return {e.id: e for s in result.suites for e in s.expectations}


def _judge(
    entry: SuiteEntry,
    mutant: Mutant | None,
    unbreakable: dict[str, str],
    directory: Path,
    suite: Suite,
) -> Verdict:
    def verdict(
        status: Status, detail: str = "", file: str | None = None, also: tuple[str, ...] = ()
    ) -> Verdict:
        name = entry.expectation.name
        return Verdict(entry.id, name, entry.severity, status, file, detail, also)

    if entry.expectation.breaker is None:
        return verdict("skipped", "its definition has no breaker")
    if mutant is None and entry.id in unbreakable:
        return verdict("unbreakable", unbreakable[entry.id])
    if mutant is None:
        return verdict(
            "missing", "no mutant in the manifest: run 'toolkit fixtures generate' again"
        )
    path = directory / mutant.file
    shown = display_path(path)
    if not path.is_file():
        return verdict("missing", "the mutant file is gone", shown)
    stats = _stats(_run(path, suite))
    own = stats[entry.id]
    if own.passed:
        within = f" ({own.failed} failed, within mostly: {own.mostly:g})" if own.failed else ""
        return verdict("survived", f"it passed{within}", shown)
    if _RANK[own.severity] < _RANK[mutant.severity]:
        detail = (
            f"it failed, but at severity {own.severity}, lowered from {mutant.severity} since "
            f"the fixtures were made: {_WEAKER[own.severity]}"
        )
        return verdict("survived", detail, shown)
    others = tuple(
        e.id
        for e in stats.values()
        if e.id != entry.id and not e.passed and e.severity == "critical"
    )
    if others:
        return verdict("also", f"also failed: {', '.join(others)} (critical)", shown, others)
    return verdict("caught", file=shown)
