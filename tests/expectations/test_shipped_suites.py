"""The shipped suites (expectations/news.yaml, expectations/joongang.yaml) on real and realistic
text: the seed fails only on its placeholder, clean articles raise nothing above info, every
defect family FORMAT.md lists is caught, and each breaker trips its own expectation only."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest

from tests.conftest import CLEAN, SEED, SUITES
from toolkit.article import Article, parse_text
from toolkit.engine import check, check_articles
from toolkit.examples import example_article
from toolkit.expectations import CorpusExpectation
from toolkit.fixtures import break_article
from toolkit.result import Result
from toolkit.suite import Suite, load_suite

DATA = Path(__file__).resolve().parent.parent / "data" / "catalog"
SHIPPED = sorted(SUITES.glob("*.yaml"))


@cache
def suite(name: str) -> Suite:
    return load_suite(SUITES / f"{name}.yaml", directory=SUITES)


def loud(result: Result) -> list[tuple[str, str, str, int]]:
    """Findings of severity warning or critical: (severity, expectation, file name, line)."""
    return [
        (f.severity, f.expectation, Path(f.file).name, f.line)
        for f in result.findings
        if f.severity != "info"
    ]


@pytest.mark.parametrize("suite_file", SHIPPED, ids=lambda p: p.stem)
def test_seed_fails_only_on_the_cloudflare_placeholder(suite_file: Path) -> None:
    loaded = load_suite(suite_file, directory=SUITES)
    result = check([SEED], [loaded])
    (entry,) = [e for e in loaded.entries if e.id == "byline_has_email"]
    assert loud(result) == [(entry.severity, "byline_has_email", SEED.name, 1)]
    (finding,) = [f for f in result.findings if f.severity != "info"]
    assert "placeholder" in finding.message and "Cloudflare" in finding.message
    assert result.exit_code == (1 if entry.severity == "critical" else 0)


def test_joongang_makes_every_mission_expectation_critical() -> None:
    severities = {e.id: e.severity for e in suite("joongang").entries}
    for mission in ("date_parseable", "byline_has_email", "tags_non_empty", "headline_in_body"):
        assert severities[mission] == "critical"
    assert suite("news").entries[0].id == "date_parseable"
    assert {e.id: e.severity for e in suite("news").entries}["byline_has_email"] == "warning"


def test_hygiene_is_information_only_on_the_seed() -> None:
    result = check([SEED], [suite("news")])
    hygiene = {f.expectation for f in result.findings if f.expectation.startswith("hygiene_")}
    assert hygiene == {
        "hygiene_no_break_spaces",
        "hygiene_mixed_apostrophes",
        "hygiene_trailing_whitespace",
    }
    assert all(f.severity == "info" for f in result.findings if f.expectation in hygiene)


@pytest.mark.parametrize("suite_file", SHIPPED, ids=lambda p: p.stem)
def test_clean_articles_raise_nothing_above_info(suite_file: Path) -> None:
    # Curly quotes, no-break spaces, accented and CJK names, em dashes, long paragraphs,
    # several authors and addresses, every Published: month form.
    loaded = load_suite(suite_file, directory=SUITES)
    result = check([CLEAN, DATA / "clean"], [loaded])
    assert result.summary.articles >= 15
    assert loud(result) == []
    assert result.exit_code == 0


# One realistic article (or pair) per defect, and what the news suite must say: the expectation
# and line that must fail, at warning or above, and every other loud finding allowed beside it.
DEFECTS = {
    # dates
    "date_impossible_second.txt": [("date_parseable", 20)],
    "date_slashes.txt": [("date_parseable", 1)],
    "published_missing.txt": [("date_parseable", 1)],
    "published_mismatch_sept.txt": [("published_matches_date", 1)],
    "date_in_future.txt": [("date_in_range", 1)],
    # bylines
    "byline_placeholder_two_authors.txt": [("byline_has_email", 1)],
    "byline_without_address.txt": [("byline_has_email", 1)],
    "byline_bad_address.txt": [("byline_has_email", 1)],
    # tags
    "tags_line_missing.txt": [("tags_non_empty", 1)],
    "tags_line_blank.txt": [("tags_non_empty", 1)],
    "tags_repeated.txt": [("tags_unique", 1)],
    # headline
    "title_from_other_page.txt": [("headline_in_body", 1)],
    "headline_entity.txt": [("headline_no_html", 1)],
    # truncation
    "body_cut_mid_sentence.txt": [("body_ends_with_punctuation", 1)],
    "truncated_after_body.txt": [
        ("byline_has_email", 1),
        ("tags_non_empty", 1),
        ("body_ends_with_punctuation", 1),
    ],
    "body_too_short.txt": [("body_min_words", 1)],
    # empty bodies
    "body_caption_only.txt": [("body_not_empty", 1)],
    # mojibake, HTML, control characters, boilerplate
    "mojibake_body.txt": [("body_no_mojibake", 1)],
    "mojibake_latin1_names.txt": [("body_no_mojibake", 1)],
    "html_entities.txt": [("body_no_html", 1)],
    "html_cut_entity.txt": [("body_no_html", 1)],
    "html_tag_caption.txt": [("body_no_html", 1)],
    "control_characters.txt": [("body_no_replacement_or_control_chars", 1)],
    "replacement_characters.txt": [("body_no_replacement_or_control_chars", 1)],
    "boilerplate_cookies.txt": [("body_no_boilerplate", 1)],
    # the same body under two headlines, and a story saved twice with edits
    "same_body_two_headlines.txt": [("body_unique", 18)],
    "near_duplicate_bodies.txt": [("body_near_duplicate", 18)],
    # files that are not UTF-8 text
    "not_utf8_cp1252.txt": [
        ("file_readable", 8),
        ("body_no_replacement_or_control_chars", 1),
    ],
    "empty_file.txt": [("file_readable", 1)],
    "binary_png.txt": [("file_readable", 3)],
}


@pytest.mark.parametrize("name", sorted(DEFECTS))
def test_each_defect_family_is_caught_and_nothing_else_is_loud(name: str) -> None:
    result = check([DATA / "defects" / name], [suite("news")])
    found = sorted((e, line) for _, e, _, line in loud(result))
    assert found == sorted(DEFECTS[name])
    # A file with no article in it (empty, binary) leaves nothing checked: exit code 3.
    expected = 1 if any(s == "critical" for s, *_ in loud(result)) else 0
    assert result.exit_code == (expected if result.summary.articles else 3)


def test_every_defect_file_has_a_test() -> None:
    assert sorted(p.name for p in (DATA / "defects").iterdir()) == sorted(DEFECTS)


def test_the_broken_samples_are_each_caught(tmp_path: Path) -> None:
    # corpora/broken: one defect per file, whose name says the defect.
    broken = sorted((CLEAN.parent / "broken").glob("*.txt"))
    result = check(broken, [suite("news")])
    caught = {Path(f.file).name for f in result.findings if f.severity != "info"}
    missed = [p.name for p in broken if p.name not in caught and not p.stem.endswith("_a")]
    assert missed == []


# --- breakers: each makes a clean article fail its own expectation and nothing else -----------


def _bases() -> list[Article]:
    multi = parse_text((DATA / "clean" / "101_7c1e2a9f0b3d4e51.txt").read_text("utf-8"), "b.txt")
    return [example_article("a.txt"), *multi]


@cache
def _clean_result(suite_name: str, base: int) -> Result:
    return check_articles([_bases()[base]], [suite(suite_name)])


def _new_findings(result: Result, clean: Result, file: str, base: str) -> set[str]:
    """Entries failing on ``file`` that did not fail on the clean ``base`` (a real article
    keeps its info hygiene findings, and may already fail a hygiene entry)."""
    before = {f.id for f in clean.findings if f.file == base}
    return {f.id for f in result.findings if f.file == file and f.id not in before}


@pytest.mark.parametrize("suite_file", SHIPPED, ids=lambda p: p.stem)
def test_each_breaker_trips_only_its_own_expectation(suite_file: Path) -> None:
    loaded = suite(suite_file.stem)
    rows = [e for e in loaded.entries if e.expectation.breaker is not None]
    assert len(rows) >= 20
    for n, base in enumerate(_bases()):
        clean = _clean_result(suite_file.stem, n)
        assert loud(clean) == [], f"{base.file} is not clean"
        # Row expectations: every mutant in one batch, each in a file of its own. The mutants
        # share bodies and headlines, so the corpus expectations are left to the pairs below.
        corpus = {e.id for e in rows if isinstance(e.expectation, CorpusExpectation)}
        mutants = []
        for entry in rows:
            if isinstance(entry.expectation, CorpusExpectation):
                continue
            mutant = break_article(base, entry.expectation, entry.params)
            mutant.file = f"{entry.id}.txt"
            mutants.append(mutant)
        result = check_articles(mutants, [loaded])
        for mutant in mutants:
            entry_id = mutant.file.removesuffix(".txt")
            assert entry_id in {f.id for f in result.findings if f.file == mutant.file}
            others = _new_findings(result, clean, mutant.file, base.file) - corpus
            assert others <= {entry_id}, entry_id
        # Corpus expectations: the mutant fails beside the article it was made from.
        for entry in rows:
            if not isinstance(entry.expectation, CorpusExpectation):
                continue
            mutant = break_article(base, entry.expectation, entry.params)
            mutant.file = "copy.txt"
            result = check_articles([base, mutant], [loaded])
            assert [f.id for f in result.findings if f.file == "copy.txt" and f.id == entry.id]
            assert _new_findings(result, clean, "copy.txt", base.file) == {entry.id}
