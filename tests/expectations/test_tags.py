"""The tags family: no repeated tag (on a line that cannot be split for certain) and a
controlled vocabulary read from a file."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import SUITES, failing_lines, one_suite, run
from toolkit.engine import check_articles
from toolkit.examples import example_article
from toolkit.expectations.tags import duplicate_tag, tag_reading, unknown_tag
from toolkit.fixtures import make_article
from toolkit.suite import SuiteError, load_suite

VOCABULARY = Path(__file__).resolve().parent.parent / "data" / "catalog" / "vocabulary" / "tags.txt"


@pytest.mark.parametrize(
    "line",
    [
        "Korea Syria diplomacy ties North Korea",  # the seed: "North Korea" holds "Korea"
        "North Korea South Korea summit",
        "Bank of Korea Korea economy",
        "climate change Ban Ki-moon G20 climate finance",
        "interest rates exchange rates",
        "Samsung Electronics HBM semiconductors Nvidia AI",
        # Multi-word tags that share words: one reading makes every tag differ.
        "Olympische Spiele 2024 in Paris Olympische Spiele",
        "Index prosperity Index finančního zdraví",
        "Granada (Nicaragua) Granada",
        "Korea economy Korea exports",
        "Samsung Samsung Electronics chips",
        "Seoul libraries reading Seoul culture",
        "North Korea missiles North Korea",
        "weather weather heat wave",
        # Read as "Korea Syria diplomacy" and "Syria diplomacy", as the Olympic line above.
        "Korea Syria diplomacy Syria diplomacy",
    ],
)
def test_tags_that_can_be_read_as_longer_tags_are_not_repeats(line: str) -> None:
    assert duplicate_tag(line) is None


@pytest.mark.parametrize(
    ("line", "repeated"),
    [
        ("Korea Korea", 1),
        ("weather weather", 1),
        # A two-word tag twice: the repeated pair stays one tag, so the two tags are equal.
        ("Syria diplomacy Syria diplomacy", 2),
        # The tag list twice (two keyword blocks joined).
        ("Korea Syria diplomacy ties North Korea Korea Syria diplomacy ties North Korea", 5),
        ("North Korea missiles North Korea missiles", 3),
        # No tag may end between the two "A": every pair of words on the line repeats.
        ("A B A B A B", 2),
    ],
)
def test_repeated_tags_are_found(line: str, repeated: int) -> None:
    assert duplicate_tag(line) == repeated


def test_the_reading_of_a_line_as_tags() -> None:
    words = ["Olympische", "Spiele", "2024", "in", "Paris", "Olympische", "Spiele"]
    spans, repeat = tag_reading(words)
    assert [" ".join(words[a:b]) for a, b in spans] == [
        "Olympische Spiele 2024 in Paris",
        "Olympische Spiele",
    ]
    assert repeat is None
    assert tag_reading([]) == ([], None)


def test_a_long_line_is_read_in_one_pass() -> None:
    import time

    line = " ".join(f"tag{i} word{i % 7}" for i in range(20_000))
    started = time.perf_counter()
    assert duplicate_tag(line) is None
    assert time.perf_counter() - started < 2


def test_tags_unique_names_the_repeat_and_leaves_empty_lines_to_tags_non_empty() -> None:
    twice = make_article(example_article("a.txt"), tags_raw="Syria diplomacy Syria diplomacy")
    empty = make_article(example_article("b.txt"), tags_raw="")
    result = run([twice, empty], "- expect: tags_unique")
    (f,) = result.findings
    assert (f.file, f.line, f.field_line) == ("a.txt", 1, 20)
    assert "the tag 'Syria diplomacy' appears twice on the tags line" in f.message
    assert f.excerpt[slice(*f.spans[0])] == "Syria diplomacy" and f.spans[0][0] == 16
    (stats,) = [e for e in result.suites[0].expectations if e.id == "tags_unique"]
    assert (stats.checked, stats.failed) == (1, 1)


def entry(vocabulary: Path | str, **more: object) -> str:
    extra = "".join(f"\n  {k}: {v}" for k, v in more.items())
    return f"- expect: tags_in_vocabulary\n  vocabulary: {vocabulary}{extra}"


def test_vocabulary_reads_tags_with_spaces_greedily() -> None:
    assert (
        unknown_tag(
            "Korea semiconductors exports tariffs SK hynix",
            frozenset({"korea", "semiconductors", "exports", "tariffs", "sk hynix"}),
            False,
        )
        is None
    )
    ok = example_article("a.txt")  # tags: Korea semiconductors exports tariffs SK hynix
    odd = make_article(example_article("b.txt"), tags_raw="North Korea missiles Korea")
    result = run([ok, odd], entry(VOCABULARY))
    (f,) = result.findings
    assert f.file == "b.txt"
    assert "'missiles' on the tags line starts no tag of the vocabulary tags.txt" in f.message
    assert f.excerpt[slice(*f.spans[0])] == "missiles"


def test_vocabulary_case() -> None:
    lower = make_article(example_article(), tags_raw="korea exports")
    assert run([lower], entry(VOCABULARY)).findings == []
    assert failing_lines(
        run([lower], entry(VOCABULARY, case_sensitive="true")), "tags_in_vocabulary"
    )


def test_missing_vocabulary_is_a_suite_error_naming_the_file_and_line(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.txt"
    with pytest.raises(SuiteError) as info:
        one_suite("- expect: tags_non_empty", entry(missing))
    message = str(info.value)
    assert message.startswith("<suite>:5:")
    assert f"cannot read the vocabulary file {missing}" in message
    assert "No such file or directory" in message


def test_unreadable_vocabulary_is_a_suite_error(tmp_path: Path) -> None:
    binary = tmp_path / "tags.txt"
    binary.write_bytes(b"Korea\n\xff\xfe\n")
    with pytest.raises(SuiteError, match="cannot read the vocabulary file"):
        one_suite(entry(binary))


def test_vocabulary_relative_to_the_suite_file(tmp_path: Path) -> None:
    (tmp_path / "tags.txt").write_text("Korea\nexports\n", encoding="utf-8")
    suite_file = tmp_path / "s.yaml"
    lines = "".join(f"  {line}\n" for line in entry("tags.txt").splitlines())
    suite_file.write_text(f"suite: s\nexpectations:\n{lines}", encoding="utf-8")
    suite = load_suite(suite_file, directory=SUITES)
    listed = make_article(example_article("a.txt"), tags_raw="Korea exports")
    unlisted = make_article(example_article("b.txt"), tags_raw="Korea tariffs")
    result = check_articles([listed, unlisted], [suite])
    assert failing_lines(result, "tags_in_vocabulary") == [("b.txt", 1)]


def test_tags_unique_on_a_feed_list_is_exact(tmp_path: Path) -> None:
    """A feed's tag list says where each tag ends: a multi-word tag beside its own words is
    not a repeat, the same tag twice is."""
    import json

    from toolkit.readers.formats import read_file

    records = [
        {
            "title": "A",
            "text": "Body.",
            "date": "2024-01-01",
            "authors": ["X"],
            "tags": ["Olympische Spiele 2024 in Paris", "Olympische Spiele"],
        },
        {
            "title": "B",
            "text": "Body.",
            "date": "2024-01-01",
            "authors": ["X"],
            "tags": ["Korea", "Korea"],
        },
    ]
    path = tmp_path / "t.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records), "utf-8")
    result = run(read_file(path, "t.jsonl").articles, "- expect: tags_unique")
    assert [(f.line, f.message) for f in result.findings] == [
        (2, "the tag 'Korea' appears twice in the feed's tag list")
    ]
