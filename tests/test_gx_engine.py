"""The Great Expectations engine: the same suites give the same verdicts, article by article,
as the pandera engine; what GX cannot run is named; the default engine never imports GX."""

from __future__ import annotations

import contextlib
import dataclasses
import json
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError
from typer.testing import CliRunner

from tests.conftest import CLEAN, CORPORA, ROOT, SEED, SUITES, one_suite
from toolkit import engine
from toolkit.article import Article
from toolkit.cli import app
from toolkit.examples import example_article
from toolkit.expectations import CATALOG, AnyExpectation, Expectation
from toolkit.expectations.tags import tags_non_empty
from toolkit.fixtures import FixtureError, break_article
from toolkit.gx_suite import gx_form, plan
from toolkit.reporters import ReportOptions
from toolkit.reporters.terminal import render
from toolkit.result import Result
from toolkit.strategies import articles
from toolkit.suite import Suite, SuiteEntry, load_suite

Verdicts = dict[tuple[str, str], tuple[bool, int, int, frozenset[tuple[str, int]]]]
runner = CliRunner()


@pytest.fixture(scope="session")
def gx() -> ModuleType:
    """The GX engine, imported once per session: Great Expectations takes seconds to import."""
    from toolkit import gx_engine

    return gx_engine


def verdicts(result: Result) -> Verdicts:
    """Per suite entry: passed, checked, failed, and the failing (file, line)s."""
    places: dict[tuple[str, str], set[tuple[str, int]]] = {}
    for f in result.findings:
        places.setdefault((f.suite, f.id), set()).add((f.file, f.line))
    return {
        (e.suite, e.id): (e.passed, e.checked, e.failed, frozenset(places.get((e.suite, e.id), ())))
        for s in result.suites
        for e in s.expectations
    }


def assert_same(pandera: Result, gx: Result) -> None:
    """Verdicts first (a readable diff), then the whole Result but the run facts."""
    assert verdicts(gx) == verdicts(pandera)

    def comparable(result: Result) -> dict[str, Any]:
        data = result.model_dump(mode="json", exclude={"run"})
        for suite in data["suites"]:
            for stats in suite["expectations"]:
                stats.pop("engine_note")
        return data

    assert comparable(gx) == comparable(pandera)
    assert gx.run.engine == "gx" and pandera.run.engine == "pandera"


def shipped_suites() -> list[Suite]:
    return [load_suite(path) for path in sorted(SUITES.glob("*.yaml"))]


def example_params(exp: AnyExpectation) -> dict[str, Any]:
    """The parameters the expectation documents as its example (none when it needs none)."""
    extra = exp.params.model_config.get("json_schema_extra")
    examples = extra.get("examples") if isinstance(extra, dict) else None
    return dict(examples[0]) if isinstance(examples, list) and examples else {}


def gx_catalog_suite(name: str = "catalog") -> Suite:
    """Every catalog expectation that has a GX form, with its example parameters."""
    entries = []
    for exp in CATALOG.values():
        if gx_form(exp) is None:
            continue
        try:
            params = exp.params.model_validate(example_params(exp))
        except ValidationError:
            continue  # required parameters and no documented example to take them from
        entries.append(
            SuiteEntry(
                id=exp.name,
                expectation=exp,
                params=params,
                severity=exp.severity,
                line=len(entries) + 3,
            )
        )
    return Suite(name=name, file=f"{name}.yaml", entries=entries)


# --- parity -----------------------------------------------------------------------------------


@pytest.mark.parametrize("corpus", ["seed", "clean", "broken", "."])
def test_parity_on_shipped_suites_and_corpora(gx: ModuleType, corpus: str) -> None:
    suites = shipped_suites()
    paths = [CORPORA / corpus]
    assert_same(engine.check(paths, suites), gx.check(paths, suites))


def test_gx_engine_finds_the_broken_corpus_defects(gx: ModuleType) -> None:
    """Not a vacuous parity: GX itself fails each news expectation on the broken corpus."""
    result = gx.check([CORPORA / "broken"], [load_suite(SUITES / "news.yaml")])
    assert result.exit_code == 1
    by_id = {(f.id, Path(f.file).name) for f in result.findings}
    assert ("date_parseable", "date_impossible.txt") in by_id
    assert ("byline_has_email", "byline_cloudflare_placeholder.txt") in by_id
    assert ("headline_in_body", "title_from_other_article.txt") in by_id


def test_parity_on_every_breaker_of_the_catalog(gx: ModuleType) -> None:
    """One clean article and, per expectation with a GX form, the article its breaker makes:
    both engines agree, and GX fails each broken article on its own expectation."""
    suite = gx_catalog_suite()
    clean = example_article("clean.txt")
    batch = [clean]
    expected: set[tuple[str, str]] = set()
    for entry in suite.entries:
        try:
            broken = break_article(clean, entry.expectation, entry.params)
        except FixtureError:
            continue  # a breaker that cannot fail these parameters (e.g. a corpus row count)
        file = f"{entry.id}.txt"
        batch.append(dataclasses.replace(broken, file=file))
        expected.add((entry.id, file))
    assert len(expected) >= 8
    pandera = engine.check_articles(batch, [suite])
    result = gx.check_articles(batch, [suite])
    assert_same(pandera, result)
    failing = {(f.id, f.file) for f in result.findings}
    assert expected <= failing


def test_parity_when_two_entries_derive_the_same_column_differently(gx: ModuleType) -> None:
    suite = one_suite(
        "- expect: date_in_range",
        "- expect: date_in_range\n  id: recent\n  min_date: 2025-04-01",
        "- expect: published_matches_date\n  tolerance_days: 1",
        "- expect: published_matches_date\n  id: strict\n  severity: warning",
    )
    names = [sorted(p.columns.values()) for p in plan([suite])]
    assert names == [
        ["header_day"],
        ["header_day_2"],
        ["published_gap_days"],
        ["published_gap_days_2"],
    ]
    old = dataclasses.replace(example_article("old.txt"), date="2024-12-31")
    late = break_article(
        example_article("late.txt"), "published_matches_date", {"tolerance_days": 0}
    )
    batch = [example_article("ok.txt"), old, late]
    result = gx.check_articles(batch, [suite])
    assert_same(engine.check_articles(batch, [suite]), result)
    assert {(f.id, f.file) for f in result.findings} >= {
        ("recent", "old.txt"),
        ("strict", "late.txt"),
    }


_BREAKABLE = sorted(
    name
    for name, exp in CATALOG.items()
    if isinstance(exp, Expectation) and exp.breaker is not None and gx_form(exp) is not None
)


@st.composite
def corpora(draw: st.DrawFn) -> list[Article]:
    """Generated valid articles, some broken by a catalog breaker, one file each."""
    out = []
    drawn = draw(st.lists(articles(), min_size=1, max_size=12))
    for i, article in enumerate(drawn):
        article = dataclasses.replace(article, file=f"a{i}.txt")
        name = draw(st.none() | st.sampled_from(_BREAKABLE))
        if name is not None:
            exp = CATALOG[name]
            with contextlib.suppress(FixtureError):
                article = break_article(article, exp, example_params(exp))
        out.append(article)
    return out


# GX spends ~50 ms per expectation and run whatever the rows: few examples, many articles each.
@settings(
    max_examples=10,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(
    batch=corpora(),
    mostly=st.none() | st.sampled_from([0.5, 0.8]),
    condition=st.none() | st.sampled_from(["paragraphs > 4", "caption.notna()"]),
)
def test_parity_on_generated_articles(
    gx: ModuleType, batch: list[Article], mostly: float | None, condition: str | None
) -> None:
    suite = gx_catalog_suite()
    entries = [
        dataclasses.replace(e, mostly=mostly, row_condition=condition, severity="warning")
        # GX takes no `mostly` on a table-level expectation.
        if i % 2 and e.expectation.name != "table_row_count_to_be_between"
        else e
        for i, e in enumerate(suite.entries)
    ]
    suite = dataclasses.replace(suite, entries=entries)
    assert_same(engine.check_articles(batch, [suite]), gx.check_articles(batch, [suite]))


# --- what GX carries and what it cannot run ---------------------------------------------------


def test_severity_mostly_and_row_condition_carry_over(gx: ModuleType) -> None:
    suite = one_suite(
        "- expect: byline_has_email\n  severity: warning\n  mostly: 0.5",
        "- expect: tags_non_empty\n  row_condition: paragraphs > 1",
    )
    (email, tags) = [p.configuration() for p in plan([suite])]
    assert email["severity"] == "warning" and email["kwargs"]["mostly"] == 0.5
    assert tags["kwargs"]["row_condition"] == {
        "type": "pass_through",
        "pass_through_filter": "paragraphs > 1",
    }
    placeholder = break_article(example_article("b.txt"), "byline_has_email")
    short = dataclasses.replace(example_article("s.txt"), paragraphs=["One."], tags_raw="", tags=[])
    batch = [example_article("a.txt"), placeholder, example_article("c.txt"), short]
    result = gx.check_articles(batch, [suite])
    assert_same(engine.check_articles(batch, [suite]), result)
    stats = {e.id: e for e in result.suites[0].expectations}
    # One failing address in four articles: 75% passes mostly 0.5, as a warning.
    assert stats["byline_has_email"].failed == 1 and stats["byline_has_email"].passed
    # The one-paragraph article without tags is outside the row condition.
    assert stats["tags_non_empty"].checked == 3 and stats["tags_non_empty"].failed == 0
    assert result.exit_code == 0


def test_an_expectation_without_gx_form_is_checked_and_named(gx: ModuleType) -> None:
    plain = dataclasses.replace(tags_non_empty, name="tags_present_plain", gx=None)
    entry = SuiteEntry(id="plain", expectation=plain, params=plain.params(), severity="critical")
    suite = Suite(name="t", file="t.yaml", entries=[entry])
    broken = break_article(example_article("b.txt"), "tags_non_empty")
    batch = [example_article("a.txt"), broken]
    result = gx.check_articles(batch, [suite])
    assert_same(engine.check_articles(batch, [suite]), result)
    stats = {e.id: e for e in result.suites[0].expectations}
    assert stats["plain"].failed == 1 and not stats["plain"].passed
    assert stats["plain"].engine_note is not None
    assert "no Great Expectations form" in stats["plain"].engine_note
    assert "toolkit's own engine" in stats["plain"].engine_note
    assert stats["file_readable"].engine_note is not None
    assert "file readers" in stats["file_readable"].engine_note
    shown = render(result, ReportOptions(width=200))
    assert "engine gx" in shown
    assert f"note plain: {stats['plain'].engine_note}" in shown
    assert [(f.id, f.file, f.line) for f in result.findings] == [("plain", "b.txt", 1)]


def test_only_entries_gx_cannot_run_carry_a_note(gx: ModuleType) -> None:
    suite = load_suite(SUITES / "news.yaml")
    result = gx.check([CLEAN], [suite])
    notes = {e.id: e.engine_note for e in result.suites[0].expectations}
    assert notes.pop("file_readable") is not None
    for entry in suite.entries:
        assert (notes[entry.id] is None) == (gx_form(entry.expectation) is not None), entry.id
    assert result.exit_code == 0


def test_no_articles_is_nothing_checked(gx: ModuleType, tmp_path: Path) -> None:
    (tmp_path / "empty.txt").write_text("", encoding="utf-8")
    suite = load_suite(SUITES / "news.yaml")
    result = gx.check([tmp_path], [suite])
    assert result.exit_code == 3
    assert [f.id for f in result.findings] == ["file_readable"]
    notes = {e.id: e.engine_note for e in result.suites[0].expectations}
    for entry in suite.entries:  # no article is no reason to call an expectation unsupported
        assert (notes[entry.id] is None) == (gx_form(entry.expectation) is not None), entry.id


# --- the command line -------------------------------------------------------------------------


def test_cli_engine_gx_json_report(gx: ModuleType) -> None:
    result = runner.invoke(
        app,
        [
            "check",
            str(SEED),
            "--engine",
            "gx",
            "--format",
            "json",
            "--suite",
            str(SUITES / "joongang.yaml"),
        ],
    )
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert data["run"]["engine"] == "gx"
    (finding,) = [f for f in data["findings"] if f["severity"] == "critical"]
    assert (finding["expectation"], finding["line"]) == ("byline_has_email", 1)
    assert "Cloudflare" in finding["message"]


def test_cli_data_docs(gx: ModuleType, tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    result = runner.invoke(
        app,
        [
            "check",
            str(CORPORA / "broken"),
            "--engine",
            "gx",
            "--data-docs",
            str(docs),
            "--format",
            "json:" + str(tmp_path / "r.json"),
            "--suite",
            str(SUITES / "news.yaml"),
        ],
    )
    assert result.exit_code == 1
    assert f"Data Docs written to {docs / 'index.html'}" in result.stderr
    index = (docs / "index.html").read_text(encoding="utf-8")
    assert "news" in index
    pages = list((docs / "validations" / "news").rglob("*.html"))
    assert len(pages) == 1
    page = pages[0].read_text(encoding="utf-8")
    assert "header_date_if_published" in page and "strftime format" in page


def test_cli_data_docs_needs_the_gx_engine(tmp_path: Path) -> None:
    result = runner.invoke(app, ["check", str(SEED), "--data-docs", str(tmp_path / "d")])
    assert result.exit_code == 2
    assert "--data-docs" in result.stderr and "--engine gx" in result.stderr
    assert not (tmp_path / "d").exists()


def test_cli_jobs_is_for_the_pandera_engine() -> None:
    result = runner.invoke(app, ["check", str(SEED), "--engine", "gx", "--jobs", "2"])
    assert result.exit_code == 2
    assert "--jobs" in result.stderr


def test_cli_unknown_engine_is_a_usage_error() -> None:
    result = runner.invoke(app, ["check", str(SEED), "--engine", "spark"])
    assert result.exit_code == 2


def test_default_engine_never_imports_great_expectations(tmp_path: Path) -> None:
    report = f"json:{tmp_path / 'r.json'}"
    news = str(SUITES / "news.yaml")
    code = (
        "import sys\n"
        "from typer.testing import CliRunner\n"
        "from toolkit.cli import app\n"
        f"r = CliRunner().invoke(app, ['check', {str(CORPORA)!r}, '--format', {report!r}])\n"
        "assert r.exit_code == 1, r.output\n"
        f"r = CliRunner().invoke(app, ['suite', 'export', '--to', 'gx', {news!r}])\n"
        "assert r.exit_code == 0, r.output\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'great_expectations'))\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=False
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "[]"
    assert (tmp_path / "r.json").is_file()


def test_cli_says_how_to_install_the_gx_engine_when_it_is_missing() -> None:
    code = (
        "import sys\n"
        "sys.modules['great_expectations'] = None  # as if the gx extra were not installed\n"
        "from typer.testing import CliRunner\n"
        "from toolkit.cli import app\n"
        f"r = CliRunner().invoke(app, ['check', {str(SEED)!r}, '--engine', 'gx'])\n"
        "print(r.exit_code)\n"
        "print(r.stderr)\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=False
    )
    assert proc.returncode == 0, proc.stderr
    exit_code, message = proc.stdout.split("\n", 1)
    assert exit_code == "2"
    assert "--engine gx needs Great Expectations: pip install 'news-corpus-toolkit[gx]'" in message


@pytest.mark.parametrize(
    ("name", "mode"), [("broken_row", "scalar"), ("broken_corpus", "judge_raises")]
)
def test_a_broken_plugin_is_recorded_under_gx_as_under_pandera(
    tmp_path: Path, name: str, mode: str
) -> None:
    plugins = ROOT / "tests" / "data" / "plugins"
    (tmp_path / "acme_broken.py").write_text(
        (plugins / "acme_broken.py").read_text(encoding="utf-8"), encoding="utf-8"
    )
    suite = tmp_path / "team.yaml"
    suite.write_text(
        f"suite: team\nplugins: [acme_broken]\nexpectations:\n  - expect: {name}\n"
        f"    mode: {mode}\n  - expect: tags_non_empty\n",
        encoding="utf-8",
    )
    errors = {}
    for engine_name in ("pandera", "gx"):
        result = runner.invoke(
            app,
            [
                "check",
                str(plugins / "corpus"),
                "-s",
                str(suite),
                "-f",
                "json",
                "--engine",
                engine_name,
            ],
        )
        assert result.exit_code == 4, result.output
        report = json.loads(result.stdout)
        errors[engine_name] = {e["id"]: e["error"] for e in report["suites"][0]["expectations"]}
    assert errors["gx"] == errors["pandera"]
    assert errors["gx"][name] is not None and errors["gx"]["tags_non_empty"] is None
