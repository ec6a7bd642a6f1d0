"""Article fixtures and mutants: make_article, break_article, generate and verify."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
from pydantic import ValidationError

from tests.conftest import SUITES, one_suite
from toolkit.article import parse_text, render
from toolkit.engine import check_articles
from toolkit.examples import example_article
from toolkit.expectations import CATALOG, CorpusExpectation
from toolkit.fixtures import (
    CLEAN_FILE,
    MANIFEST,
    FixtureError,
    break_article,
    generate,
    make_article,
    verify,
)
from toolkit.result import ExitCode
from toolkit.suite import Suite, SuiteEntry, load_suite, parse_suite

# A few entries of each kind (critical, warning, info) keep each verify quick; the shipped
# suites are generated and verified whole in tests/commands/test_fixtures.py.
SMALL = """suite: small
expectations:
  - expect: date_parseable
  - expect: tags_non_empty
  - expect: headline_in_body
  - expect: byline_has_email
    severity: warning
  - expect: hygiene_no_break_spaces
    severity: info
"""


def suite_of(text: str) -> Suite:
    return parse_suite(text, label="small.yaml", directory=SUITES)


def statuses(suite: Suite, directory: Path) -> dict[str, str]:
    return {v.id: v.status for v in verify(suite, directory).verdicts}


def _default_params(name: str) -> bool:
    try:
        CATALOG[name].params()
    except ValidationError:
        return False
    return True


BREAKABLE = [n for n, e in CATALOG.items() if e.breaker is not None and _default_params(n)]


# --- make_article -------------------------------------------------------------------------------


def test_make_article_without_overrides_is_the_clean_example() -> None:
    assert make_article() == example_article()


def test_a_new_headline_and_date_keep_the_article_valid() -> None:
    article = make_article(headline="Seoul opens a new subway line", date="2024-09-02")
    assert article.title == "Seoul opens a new subway line"
    assert article.published == "2 Sept. 2024, 16:05"  # the example's time, on the new day
    suites = [load_suite(p, SUITES) for p in sorted(SUITES.glob("*.yaml"))]
    assert check_articles([article], suites).exit_code == ExitCode.OK


def test_body_and_tags_are_set_as_the_text_carries_them() -> None:
    article = make_article(body="First paragraph.\n\nSecond\nparagraph.", tags=["Korea", "Trade"])
    assert article.paragraphs == ["First paragraph.", "Second paragraph."]
    assert (article.tags_raw, article.tags) == ("Korea Trade", ["Korea", "Trade"])
    assert parse_text(render(article), article.file) == [article]


def test_an_invalid_date_override_is_kept_and_fails_date_parseable() -> None:
    article = make_article(date="2025-02-30")
    assert article.date == "2025-02-30"
    result = check_articles([article], [one_suite("- expect: date_parseable")])
    assert [(f.id, f.line) for f in result.findings] == [("date_parseable", 1)]


def test_a_line_override_moves_every_part() -> None:
    article = make_article(line=41, file="dump.txt")
    example = example_article()
    assert (article.file, article.line) == ("dump.txt", 41)
    assert article.lines == {part: n + 40 for part, n in example.lines.items()}


def test_derived_and_unknown_fields_are_refused_by_name() -> None:
    with pytest.raises(
        FixtureError, match=r"byline_emails \(derived by the parser from the raw text\)"
    ):
        make_article(byline_emails=["a@b.kr"])
    with pytest.raises(FixtureError, match="cannot set subtitle"):
        make_article(subtitle="x")


# --- break_article ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", BREAKABLE)
def test_every_breaker_makes_the_clean_article_fail_its_expectation(name: str) -> None:
    clean = example_article()
    broken = break_article(clean, name)
    corpus = [clean, broken] if isinstance(CATALOG[name], CorpusExpectation) else [broken]
    result = check_articles(corpus, [one_suite(f"- expect: {name}")])
    assert [e.id for e in result.failed_expectations()] == [name]
    assert broken.line == clean.line


def test_break_article_with_parameters_and_its_errors() -> None:
    broken = break_article(example_article(), "published_matches_date", {"tolerance_days": 3})
    assert broken.published is not None and broken.published.startswith("27 Apr. 2025")
    with pytest.raises(FixtureError, match="did you mean 'tags_non_empty'"):
        break_article(example_article(), "tags_non_empty_")
    with pytest.raises(FixtureError, match="file_readable cannot be broken: its definition"):
        break_article(example_article(), "file_readable")
    with pytest.raises(
        FixtureError, match="published_matches_date: bad parameter tolerance: Extra inputs"
    ):
        break_article(example_article(), "published_matches_date", {"tolerance": 3})


# --- generate and verify ------------------------------------------------------------------------


def test_the_manifest_names_which_file_fails_which_expectation(tmp_path: Path) -> None:
    generate(suite_of(SMALL), tmp_path)
    data = json.loads((tmp_path / MANIFEST).read_text(encoding="utf-8"))
    assert (data["suite"], data["suite_file"], data["clean"]) == ("small", "small.yaml", CLEAN_FILE)
    assert [(m["file"], m["id"], m["severity"]) for m in data["mutants"]] == [
        ("date_parseable.txt", "date_parseable", "critical"),
        ("tags_non_empty.txt", "tags_non_empty", "critical"),
        ("headline_in_body.txt", "headline_in_body", "critical"),
        ("byline_has_email.txt", "byline_has_email", "warning"),
        ("hygiene_no_break_spaces.txt", "hygiene_no_break_spaces", "info"),
    ]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [CLEAN_FILE, MANIFEST, *(m["file"] for m in data["mutants"])]
    )
    (article,) = parse_text((tmp_path / "tags_non_empty.txt").read_text(encoding="utf-8"), "m")
    assert article.tags == [] and article.tags_raw == ""


@pytest.fixture
def small_fixtures(tmp_path: Path) -> Path:
    generate(suite_of(SMALL), tmp_path)
    return tmp_path


def test_every_mutant_of_the_small_suite_is_caught_info_included(small_fixtures: Path) -> None:
    # An info entry counts as caught when its mutant fails it at the severity it had when the
    # fixtures were made: it notes the defect, which is all the suite asks of it.
    result = verify(suite_of(SMALL), small_fixtures)
    assert result.clean_passes and result.passed and result.score == 1.0
    assert [(v.id, v.status) for v in result.verdicts][-1] == ("hygiene_no_break_spaces", "caught")


def test_severity_lowered_to_info_lets_the_mutant_survive(small_fixtures: Path) -> None:
    weak = suite_of(
        SMALL.replace("- expect: tags_non_empty", "- expect: tags_non_empty\n    severity: info")
    )
    result = verify(weak, small_fixtures)
    (tags,) = [v for v in result.verdicts if v.id == "tags_non_empty"]
    assert (tags.status, tags.file) == ("survived", f"{small_fixtures}/tags_non_empty.txt")
    assert tags.detail == (
        "it failed, but at severity info, lowered from critical since the fixtures were made: "
        "it no longer fails the run or warns"
    )
    assert not result.passed and result.caught == len(result.tested) - 1


def test_mostly_zero_lets_the_mutant_survive(small_fixtures: Path) -> None:
    weak = suite_of(
        SMALL.replace("- expect: headline_in_body", "- expect: headline_in_body\n    mostly: 0")
    )
    result = verify(weak, small_fixtures)
    (v,) = [v for v in result.verdicts if v.id == "headline_in_body"]
    assert (v.status, v.detail) == ("survived", "it passed (1 failed, within mostly: 0)")
    assert not result.passed


REGEX_SUITE = """suite: html
expectations:
  - expect: column_values_to_match_regex
    column: headline
    regex: "{headline}"
  - expect: column_values_to_not_match_regex
    column: body
    regex: "{body}"
"""


def test_a_loosened_regex_lets_the_mutant_survive(tmp_path: Path) -> None:
    strict = suite_of(REGEX_SUITE.format(headline="^[^<>]*$", body="<[a-z]+>"))
    generate(strict, tmp_path)
    assert verify(strict, tmp_path).passed
    loose = suite_of(REGEX_SUITE.format(headline=".", body="<script>"))
    assert statuses(loose, tmp_path) == {
        "column_values_to_match_regex[headline]": "survived",
        "column_values_to_not_match_regex[body]": "survived",
    }
    assert verify(loose, tmp_path).score == 0


def test_a_mutant_that_trips_another_critical_expectation_is_not_caught_alone(
    tmp_path: Path,
) -> None:
    twice = suite_of(
        "suite: twice\nexpectations:\n  - expect: tags_non_empty\n"
        "  - expect: tags_non_empty\n    id: tags_again\n    severity: warning\n"
        "  - expect: headline_in_body\n  - expect: headline_in_body\n    id: title_again\n"
    )
    generate(twice, tmp_path)
    result = verify(twice, tmp_path)
    by_id = {v.id: v for v in result.verdicts}
    # A warning beside the mutant's own expectation does not count against it; a critical does.
    assert by_id["tags_non_empty"].status == "caught"
    assert (by_id["headline_in_body"].status, by_id["headline_in_body"].also) == (
        "also",
        ("title_again",),
    )
    assert not result.passed


def test_an_entry_added_after_generate_has_no_mutant(small_fixtures: Path) -> None:
    more = suite_of(SMALL + "  - expect: date_in_range\n")
    result = verify(more, small_fixtures)
    (v,) = [v for v in result.verdicts if v.id == "date_in_range"]
    assert v.status == "missing" and "generate' again" in v.detail
    assert not result.passed


def test_mutants_of_entries_dropped_from_the_suite_are_named_not_run(small_fixtures: Path) -> None:
    result = verify(one_suite("- expect: date_parseable"), small_fixtures)
    assert result.passed and [v.id for v in result.verdicts] == ["date_parseable"]
    assert "tags_non_empty" in result.stale


def test_a_failing_clean_article_fails_verify(small_fixtures: Path) -> None:
    (small_fixtures / CLEAN_FILE).write_text(render(make_article(tags_raw="")), encoding="utf-8")
    result = verify(suite_of(SMALL), small_fixtures)
    assert not result.clean_passes and not result.passed
    assert [(f.id, f.line) for f in result.clean_failures] == [("tags_non_empty", 1)]


def test_an_unreadable_clean_article_fails_verify(small_fixtures: Path) -> None:
    (small_fixtures / CLEAN_FILE).write_bytes(b"\x1f\x8b\x08\x00binary")
    result = verify(suite_of(SMALL), small_fixtures)
    assert not result.clean_read and not result.passed
    assert [f.id for f in result.clean_failures] == ["file_readable"]


def test_an_entry_that_cannot_fail_is_counted_against_the_score(tmp_path: Path) -> None:
    vacuous = suite_of(
        "suite: v\nexpectations:\n  - expect: tags_non_empty\n"
        "  - expect: column_values_to_not_be_null\n    column: body\n  - expect: file_readable\n"
    )
    manifest = generate(vacuous, tmp_path)
    assert "never null" in manifest.unbreakable["column_values_to_not_be_null[body]"]
    assert manifest.no_breaker == ["file_readable"]
    result = verify(vacuous, tmp_path)
    assert [(v.id, v.status) for v in result.verdicts] == [
        ("tags_non_empty", "caught"),
        ("column_values_to_not_be_null[body]", "unbreakable"),
        ("file_readable", "skipped"),
    ]
    assert result.score == 0.5 and not result.passed


def test_a_corpus_expectation_mutant_stands_beside_the_clean_article(tmp_path: Path) -> None:
    unique = CATALOG["column_values_to_be_unique"]
    assert isinstance(unique, CorpusExpectation)
    # The catalog's uniqueness check has no breaker; give it one that repeats the headline over
    # another body, to see that such a mutant is judged in the company of the clean article.
    same_headline = dataclasses.replace(
        unique, breaker=lambda a, p: dataclasses.replace(a, paragraphs=["Another story."] * 3)
    )
    entry = SuiteEntry(
        id="unique_headline",
        expectation=same_headline,
        params=unique.params.model_validate({"column": "headline"}),
        severity="critical",
    )
    suite = Suite(name="corpus", file="corpus.yaml", entries=[entry])
    manifest = generate(suite, tmp_path)
    (mutant,) = manifest.mutants
    assert mutant.with_clean
    text = (tmp_path / mutant.file).read_text(encoding="utf-8")
    assert [a.line for a in parse_text(text, "m")] == [1, 22]
    assert [(v.id, v.status) for v in verify(suite, tmp_path).verdicts] == [
        ("unique_headline", "caught")
    ]


def test_generate_refuses_an_article_that_fails_the_suite(tmp_path: Path) -> None:
    bad = make_article(file="mine.txt", tags_raw="")
    with pytest.raises(FixtureError, match=r"mine.txt:1: .* fails tags_non_empty"):
        generate(suite_of(SMALL), tmp_path, bad)
    assert not list(tmp_path.iterdir())


def test_generate_again_replaces_its_own_files_only(small_fixtures: Path) -> None:
    (small_fixtures / "notes.md").write_text("mine", encoding="utf-8")
    generate(one_suite("- expect: date_parseable"), small_fixtures)
    assert sorted(p.name for p in small_fixtures.iterdir()) == [
        CLEAN_FILE,
        "date_parseable.txt",
        MANIFEST,
        "notes.md",
    ]


def test_a_broken_manifest_is_an_error_naming_the_file(small_fixtures: Path) -> None:
    (small_fixtures / MANIFEST).write_text('{"suite": "news"}', encoding="utf-8")
    with pytest.raises(FixtureError, match=r"manifest.json: not a fixtures manifest: suite_file"):
        verify(suite_of(SMALL), small_fixtures)
    with pytest.raises(FixtureError, match=r"no manifest: is .* a directory written by"):
        verify(suite_of(SMALL), small_fixtures / "nowhere")
