"""The engine: pandera-validated batches, mergeable partials, findings and verdicts."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pyarrow
import pyarrow.compute as pc
import pytest

from tests.conftest import failing_lines, one_suite, run
from toolkit.article import Article
from toolkit.engine import EngineError, check_articles, fingerprint


def _numbered(article: Article, n: int) -> list[Article]:
    return [dataclasses.replace(article, line=1 + 30 * i, file="dump.txt") for i in range(n)]


def test_failing_article_becomes_a_finding_with_place(seed_article: Article) -> None:
    result = run([seed_article], "- expect: byline_has_email")
    (finding,) = result.findings
    assert (finding.expectation, finding.severity, finding.file, finding.line) == (
        "byline_has_email",
        "critical",
        "seed.txt",
        1,
    )
    assert finding.field == "byline" and finding.field_line == 24
    assert "placeholder" in finding.message
    assert finding.date == "2025-03-11"
    assert result.exit_code == 1


def test_mostly_lets_a_share_fail(seed_article: Article) -> None:
    good = dataclasses.replace(
        seed_article, byline="BY A [a@joongang.co.kr]", byline_emails=["a@joongang.co.kr"]
    )
    articles = [*_numbered(good, 9), dataclasses.replace(seed_article, line=999, file="dump.txt")]
    result = run(articles, "- expect: byline_has_email\n  mostly: 0.9")
    (stats,) = [e for e in result.suites[0].expectations if e.id == "byline_has_email"]
    assert (stats.checked, stats.failed, stats.success_rate, stats.passed) == (10, 1, 0.9, True)
    assert failing_lines(result, "byline_has_email") == [("dump.txt", 999)]
    assert result.exit_code == 0
    stricter = run(articles, "- expect: byline_has_email\n  mostly: 0.95")
    assert stricter.exit_code == 1


def test_warning_does_not_fail_the_run(seed_article: Article) -> None:
    result = run([seed_article], "- expect: byline_has_email\n  severity: warning")
    assert result.summary.passed and result.exit_code == 0
    assert result.summary.findings == {"critical": 0, "warning": 1, "info": 0}


@pytest.mark.parametrize("size", [1, 2, 7, 1000])
def test_findings_do_not_depend_on_batch_size(seed_article: Article, size: int) -> None:
    articles = _numbered(seed_article, 7)
    suite = one_suite("- expect: byline_has_email", "- expect: tags_non_empty")
    baseline = check_articles(articles, [suite], batch_size=1000)
    result = check_articles(articles, [suite], batch_size=size)
    assert [f.model_dump() for f in result.findings] == [f.model_dump() for f in baseline.findings]
    assert result.suites == baseline.suites


def test_row_condition_limits_what_is_checked(seed_article: Article) -> None:
    other = dataclasses.replace(seed_article, line=40, date="2024-01-01")
    result = run(
        [seed_article, other], "- expect: byline_has_email\n  row_condition: date == '2024-01-01'"
    )
    (stats,) = [e for e in result.suites[0].expectations if e.id == "byline_has_email"]
    assert (stats.checked, stats.failed) == (1, 1)
    assert failing_lines(result, "byline_has_email") == [("seed.txt", 40)]


def test_bad_row_condition_is_an_engine_error(seed_article: Article) -> None:
    # Suites refuse such a condition when they load; the engine still guards entries built
    # in code.
    suite = one_suite("- expect: tags_non_empty")
    entry = dataclasses.replace(suite.entries[0], row_condition="nosuchcolumn > 3")
    with pytest.raises(EngineError, match="row_condition"):
        check_articles([seed_article], [dataclasses.replace(suite, entries=[entry])])


def test_fingerprint_is_stable_across_directories_and_lines() -> None:
    a = fingerprint("s", "e", "in/a/x.txt", "byline", "BY A", "2025-01-01", "H")
    b = fingerprint("s", "e", "other/x.txt", "byline", "BY A", "2025-01-01", "H")
    c = fingerprint("s", "e", "other/x.txt", "byline", "BY B", "2025-01-01", "H")
    assert a == b != c


def test_same_defect_same_fingerprint_when_lines_move(seed_article: Article) -> None:
    first = run([seed_article], "- expect: byline_has_email").findings[0]
    moved = run(
        [dataclasses.replace(seed_article, line=500)], "- expect: byline_has_email"
    ).findings[0]
    assert first.fingerprint == moved.fingerprint
    assert first.line != moved.line


def test_worker_processes_give_the_same_result() -> None:
    from tests.conftest import CORPORA, SUITES
    from toolkit.engine import check
    from toolkit.suite import load_suite

    suites = [load_suite(p, directory=SUITES) for p in sorted(SUITES.glob("*.yaml"))]
    paths = [CORPORA / "clean", CORPORA / "broken", CORPORA / "seed"]
    one = check(paths, suites, batch_size=3)
    two = check(paths, suites, batch_size=5, jobs=2)
    assert one.summary == two.summary
    assert one.suites == two.suites
    assert [f.model_dump() for f in one.findings] == [f.model_dump() for f in two.findings]


def test_near_duplicates_judged_over_processes_are_those_of_one_process(tmp_path: Path) -> None:
    # Templated near-copies: buckets of many bodies, cut over the processes' band shards.
    from tests.bench.corpora import Spec, ensure_corpus
    from tests.conftest import SUITES
    from toolkit.engine import check
    from toolkit.suite import load_suite

    corpus, _ = ensure_corpus(tmp_path, Spec(600, per_file=3, near_copies=0.10), workers=1)
    suites = [load_suite(SUITES / "news.yaml", directory=SUITES)]
    one = check([corpus], suites)
    near = [f.model_dump() for f in one.findings if f.expectation == "body_near_duplicate"]
    assert len(near) > 20
    for jobs in (2, 3):
        many = check([corpus], suites, batch_size=50, jobs=jobs)
        assert many.suites == one.suites
        assert [f.model_dump() for f in many.findings] == [f.model_dump() for f in one.findings]


def test_verdict_findings_made_a_part_at_a_time_are_those_made_at_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.bench.corpora import Spec, ensure_corpus
    from tests.conftest import SUITES
    from toolkit import engine
    from toolkit.suite import load_suite

    corpus, _ = ensure_corpus(tmp_path, Spec(300, per_file=3, near_copies=0.10), workers=1)
    suites = [load_suite(SUITES / "news.yaml", directory=SUITES)]
    one = engine.check([corpus], suites)
    near = [f for f in one.findings if f.expectation == "body_near_duplicate"]
    assert len(near) > 10
    monkeypatch.setattr(engine, "VERDICT_ROWS", 3)
    parts = engine.check([corpus], suites)
    assert parts.suites == one.suites
    assert [f.model_dump() for f in parts.findings] == [f.model_dump() for f in one.findings]


def test_a_band_shard_that_fails_is_judged_in_the_parent(monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.conftest import CORPORA, SUITES
    from toolkit import engine
    from toolkit.engine import check
    from toolkit.suite import load_suite

    def broken(shards: int, shard: int) -> None:
        raise MemoryError("a shard process ran out")

    suites = [load_suite(SUITES / "news.yaml", directory=SUITES)]
    paths = [CORPORA / "clean", CORPORA / "broken"]
    one = check(paths, suites)
    monkeypatch.setattr(engine, "_shard_pairs", broken)
    two = check(paths, suites, batch_size=4, jobs=2)
    assert any(f.expectation == "body_near_duplicate" for f in one.findings)
    assert two.suites == one.suites
    assert [f.model_dump() for f in two.findings] == [f.model_dump() for f in one.findings]


def test_findings_limit_keeps_the_first_in_corpus_order_whatever_the_workers() -> None:
    from tests.conftest import CORPORA, SUITES
    from toolkit.engine import check, finding_limits
    from toolkit.suite import load_suite

    suites = [load_suite(SUITES / "news.yaml", directory=SUITES)]
    paths = [CORPORA / "clean", CORPORA / "broken", CORPORA / "seed"]
    everything = check(paths, suites, limits=finding_limits(0))
    capped = [
        check(paths, suites, batch_size=size, jobs=jobs, limits=finding_limits(2))
        for size, jobs in ((1000, 1), (3, 1), (4, 2))
    ]
    assert capped[0].findings == capped[1].findings == capped[2].findings
    for stats in capped[0].suites[0].expectations:
        all_of_them = everything.findings_for(stats.suite, stats.id)
        kept = capped[0].findings_for(stats.suite, stats.id)
        assert kept == all_of_them[:2]
        full = next(e for e in everything.suites[0].expectations if e.id == stats.id)
        assert (stats.failed, stats.passed) == (full.failed, full.passed)
        assert stats.findings_omitted == max(0, stats.failed - len(kept))


def test_info_findings_are_capped_by_default_and_counts_stay_exact(seed_article: Article) -> None:
    articles = _numbered(seed_article, 1005)
    result = run(articles, "- expect: hygiene_no_break_spaces")
    (stats,) = [e for e in result.suites[0].expectations if e.id == "hygiene_no_break_spaces"]
    assert stats.failed == 1005
    assert len(result.findings_for("t", "hygiene_no_break_spaces")) == 1000
    assert stats.findings_omitted == 5


def _broken(expectation: object, **changes: object) -> object:
    return dataclasses.replace(expectation, **changes)  # type: ignore[call-overload]


def test_a_built_in_check_that_raises_is_recorded_not_a_crash(seed_article: Article) -> None:
    from toolkit.expectations.tags import tags_non_empty

    def boom(batch: object, params: object) -> object:
        raise MemoryError("out of luck")

    suite = one_suite("- expect: tags_non_empty", "- expect: byline_has_email")
    entry = dataclasses.replace(
        suite.entries[0], expectation=_broken(tags_non_empty, check=boom), line=4
    )
    broken = dataclasses.replace(suite, entries=[entry, suite.entries[1]])
    result = check_articles([seed_article], [broken])
    stats = {e.id: e for e in result.suites[0].expectations}
    assert stats["tags_non_empty"].error == (
        f"{suite.file}:4: tags_non_empty could not run: its check raised MemoryError: out of luck"
    )
    assert not stats["tags_non_empty"].passed
    # The other expectation ran on the same batch and found the placeholder byline.
    assert [f.id for f in result.findings] == ["byline_has_email"]
    assert result.summary.errors == 1 and result.exit_code == 4


def test_errors_do_not_depend_on_batches_or_processes(seed_article: Article) -> None:
    from toolkit.expectations.tags import tags_non_empty

    calls = iter(range(1000))

    def second_batch_raises(batch: Any, params: Any) -> Any:
        if next(calls) == 1:
            raise ValueError("batch two")
        return tags_non_empty.check(batch, params)

    suite = one_suite("- expect: tags_non_empty")
    entry = dataclasses.replace(
        suite.entries[0], expectation=_broken(tags_non_empty, check=second_batch_raises)
    )
    articles = [dataclasses.replace(seed_article, line=1 + 30 * i) for i in range(3)]
    result = check_articles(articles, [dataclasses.replace(suite, entries=[entry])], batch_size=1)
    (stats,) = [e for e in result.suites[0].expectations if e.id == "tags_non_empty"]
    assert stats.error is not None and stats.error.endswith(
        "its check raised ValueError: batch two"
    )
    assert stats.checked == 2  # the batches in which it ran


def test_finish_judges_near_duplicates_last_and_lets_each_judged_sightings_go(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The near-duplicate judgement takes the most memory: the other corpus expectations are
    judged first, and each one's sightings are dropped once judged."""
    from tests.conftest import BROKEN, CLEAN, SUITES
    from toolkit import engine
    from toolkit.suite import load_suite

    order: list[str] = []
    held: list[dict[Any, Any]] = []
    real_judged, real_finish = engine.judged, engine.finish

    def spy_judged(exp: Any, seen: Any, *args: Any) -> Any:
        order.append(exp.name)
        return real_judged(exp, seen, *args)

    def spy_finish(suites: Any, total: Any, *args: Any, **kwargs: Any) -> Any:
        held.append(total.sightings)
        return real_finish(suites, total, *args, **kwargs)

    monkeypatch.setattr(engine, "judged", spy_judged)
    monkeypatch.setattr(engine, "finish", spy_finish)
    result = engine.check([BROKEN, CLEAN], [load_suite(SUITES / "news.yaml")], batch_size=3)
    assert order[-1] == "body_near_duplicate"
    assert {"body_unique", "headline_unique"} <= set(order[:-1])
    assert held == [{}]
    near = next(s for s in result.suites[0].expectations if s.id == "body_near_duplicate")
    assert near.checked > 0


def test_a_batch_is_cut_by_its_text_too_with_the_same_result(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A batch holds at most BATCH_TEXT characters of text, however many articles that is
    (an Arrow string column holds 2 GiB); the verdicts do not depend on where it is cut."""
    from tests.conftest import CORPORA
    from toolkit import engine
    from toolkit.batch import TEXT_COLUMNS
    from toolkit.suite import load_suite

    suite = load_suite("news")
    baseline = engine.check([CORPORA], [suite])
    texts: list[tuple[int, int]] = []
    validate = engine.validate_table

    def counted(suites: Any, table: pyarrow.Table, *args: Any, **kwargs: Any) -> Any:
        chars = sum(pc.sum(pc.utf8_length(table[c])).as_py() or 0 for c in TEXT_COLUMNS)
        texts.append((len(table), chars))
        return validate(suites, table, *args, **kwargs)

    monkeypatch.setattr(engine, "validate_table", counted)
    monkeypatch.setattr(engine, "BATCH_TEXT", 20_000)
    result = engine.check([CORPORA], [suite])
    assert len(texts) > 3
    assert all(text <= 20_000 or n == 1 for n, text in texts)
    assert sum(n for n, _ in texts) == baseline.summary.articles
    assert result.findings == baseline.findings
    assert result.suites == baseline.suites
    assert result.summary == baseline.summary
