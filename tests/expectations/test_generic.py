"""The generic expectations: GX's names, keyword arguments and verdicts over the batch columns."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from tests.conftest import SUITES, failing_lines, one_suite, run
from toolkit.article import Article, parse_text
from toolkit.engine import check_articles
from toolkit.examples import example_article
from toolkit.expectations import CATALOG, CorpusExpectation, Expectation
from toolkit.expectations.base import Unbreakable
from toolkit.expectations.generic import COLUMNS, EXPECTATIONS
from toolkit.result import Result
from toolkit.suite import SuiteError, parse_suite


def article(file: str = "a.txt", **changes: object) -> Article:
    """The clean example with raw fields changed, parsed again as the dump would carry it."""
    from toolkit.article import reparse

    return reparse(dataclasses.replace(example_article(file), **changes))  # type: ignore[arg-type]


def stats(result: Result, entry_id: str) -> tuple[int, int, bool]:
    found = next(e for s in result.suites for e in s.expectations if e.id == entry_id)
    return found.checked, found.failed, found.passed


def messages(result: Result) -> list[tuple[str, int, str]]:
    return [(f.file, f.line, f.message) for f in result.findings]


def suite_error(*entries: str) -> str:
    with pytest.raises(SuiteError) as info:
        one_suite(*entries)
    return str(info.value)


# --- each expectation on realistic defects -----------------------------------------------------


def test_not_null_fails_the_article_without_a_caption_and_empty_tag_lists() -> None:
    arts = [article("a.txt"), article("b.txt", caption=None), article("c.txt", tags_raw="")]
    result = run(
        arts,
        "- expect: column_values_to_not_be_null\n  column: caption",
        "- expect: column_values_to_not_be_null\n  column: tags",
    )
    assert messages(result) == [
        ("b.txt", 1, "caption is null: the article has no caption"),
        ("c.txt", 1, "tags is empty: the article has no tags"),
    ]
    assert result.exit_code == 1


def test_match_regex_searches_with_re2_and_reports_the_value() -> None:
    # Regexes run in RE2, where \s is ASCII white space: a no-break space is \x{00A0}.
    arts = [article("a.txt"), article("b.txt", headline="<b>Seoul\u00a0stocks</b> fall")]
    arts[1] = dataclasses.replace(arts[1], title=arts[1].headline)
    result = run(
        arts, "- expect: column_values_to_match_regex\n  column: headline\n  regex: '^[^<>]*$'"
    )
    assert messages(result) == [
        ("b.txt", 1, "headline '<b>Seoul⍽stocks</b> fall' does not match the regex '^[^<>]*$'")
    ]
    nbsp = run(
        arts[1:],
        r"- expect: column_values_to_match_regex" "\n  column: headline\n  regex: 'Seoul\\sstocks'",
    )
    assert [f.line for f in nbsp.findings] == [1]
    spelled = run(
        arts[1:],
        r"- expect: column_values_to_match_regex"
        "\n  column: headline\n  regex: 'Seoul[\\s\\x{00A0}]stocks'",
    )
    assert spelled.findings == []


def test_not_match_regex_points_at_the_offending_text_inside_a_long_body() -> None:
    paragraphs = example_article().paragraphs
    broken = article(
        "b.txt", paragraphs=[*paragraphs[:-1], paragraphs[-1] + " &nbsp;Subscribe now"]
    )
    result = run(
        [article(), broken],
        "- expect: column_values_to_not_match_regex\n  column: body\n  regex: '&[a-z]+;'",
    )
    (finding,) = result.findings
    assert (finding.file, finding.line, finding.field_line) == ("b.txt", 1, 7)
    assert finding.message == "body contains '&nbsp;', which the regex '&[a-z]+;' forbids"
    ((start, end),) = finding.spans
    assert finding.excerpt[start:end] == "&nbsp;"


def test_list_columns_judge_every_element() -> None:
    foreign = article(
        "b.txt", byline="BY KIM MIN-JI, MARK LOWE [kim.minji@joongang.co.kr, mark@wire.com]"
    )
    no_email = article("c.txt", byline="BY KIM MIN-JI")
    result = run(
        [article(), foreign, no_email],
        r"- expect: column_values_to_match_regex"
        "\n  column: byline_emails\n  regex: '@joongang\\.co\\.kr$'",
    )
    # The article without any address has an empty list: null, out of scope, as GX skips nulls.
    assert messages(result) == [
        (
            "b.txt",
            1,
            "an element of byline_emails 'mark@wire.com' does not match the regex "
            r"'@joongang\.co\.kr$'",
        )
    ]
    assert stats(result, "column_values_to_match_regex[byline_emails]") == (2, 1, False)


def test_value_lengths_count_characters_not_bytes() -> None:
    short = article("b.txt", headline="Rates", title="Rates")
    accented = article("c.txt", headline="Zoë’s café", title="Zoë’s café")  # 10 characters
    result = run(
        [article(), short, accented],
        "- expect: column_value_lengths_to_be_between\n  column: headline\n  min_value: 10\n"
        "  max_value: 200",
    )
    assert messages(result) == [
        ("b.txt", 1, "headline is 5 characters long; expected at least 10 and at most 200")
    ]
    strict = run(
        [accented],
        "- expect: column_value_lengths_to_be_between\n  column: headline\n  min_value: 10\n"
        "  strict_min: true",
    )
    assert messages(strict) == [
        ("c.txt", 1, "headline is 10 characters long; expected more than 10")
    ]


def test_in_set_on_tags_and_on_a_number_column() -> None:
    odd = article("b.txt", tags_raw="Korea exports crypto")
    result = run(
        [article(), odd],
        "- expect: column_values_to_be_in_set\n  column: tags\n"
        "  value_set: [Korea, semiconductors, exports, tariffs, SK, hynix]",
        "- expect: column_values_to_be_in_set\n  column: paragraphs\n  value_set: [6]",
    )
    assert messages(result) == [
        (
            "b.txt",
            1,
            "an element of tags 'crypto' is not in the value set "
            "('Korea', 'semiconductors', 'exports', 'tariffs', 'SK', …)",
        )
    ]


def test_between_reads_the_date_column_as_dates_and_counts_as_numbers() -> None:
    old = article("b.txt", date="2024-12-31", published="31 Dec. 2024, 09:00")
    short = article("c.txt", paragraphs=example_article().paragraphs[:2])
    # Not a date: left out as a null (date_parseable reports it), as GX reads the column.
    slashed = article("d.txt", date="11/03/2025")
    result = run(
        [article(), old, short, slashed],
        "- expect: column_values_to_be_between\n  column: date\n  min_value: 2025-01-01",
        "- expect: column_values_to_be_between\n  column: paragraphs\n  min_value: 3\n"
        "  max_value: 40",
    )
    assert messages(result) == [
        ("b.txt", 1, "date '2024-12-31' is out of bounds: expected at least 2025-01-01"),
        ("c.txt", 1, "paragraphs 2 is out of bounds: expected at least 3 and at most 40"),
    ]
    assert stats(result, "column_values_to_be_between[date]") == (3, 1, False)


def test_strftime_format_uses_strptime() -> None:
    slashed = article("b.txt", date="11/03/2025")
    impossible = article("c.txt", date="2025-02-30")
    result = run(
        [article(), slashed, impossible],
        "- expect: column_values_to_match_strftime_format\n  column: date\n"
        "  strftime_format: '%Y-%m-%d'",
    )
    assert messages(result) == [
        (
            "b.txt",
            1,
            "date '11/03/2025' does not match the format '%Y-%m-%d': "
            "time data '11/03/2025' does not match format '%Y-%m-%d'",
        ),
        (
            "c.txt",
            1,
            "date '2025-02-30' does not match the format '%Y-%m-%d': day is out of range for month",
        ),
    ]


def test_mostly_leaves_nulls_out_as_gx_does() -> None:
    # Four captions, one credited to another agency; two articles have none. GX's share is
    # 3/4 = 0.75; counting the two nulls as passes would give 5/6 = 0.83.
    arts = [article(f"{n}.txt") for n in "abc"]
    arts.append(article("d.txt", caption="Containers at a pier in Busan on April 21. [NEWS1]"))
    arts += [article("e.txt", caption=None), article("f.txt", caption=None)]
    entry = "- expect: column_values_to_match_regex\n  column: caption\n  regex: 'YONHAP'\n"
    loose = run(arts, entry + "  mostly: 0.7")
    assert stats(loose, "column_values_to_match_regex[caption]") == (4, 1, True)
    assert loose.exit_code == 0
    tight = run(arts, entry + "  mostly: 0.8")
    assert stats(tight, "column_values_to_match_regex[caption]") == (4, 1, False)
    assert failing_lines(tight, "column_values_to_match_regex") == [("d.txt", 1)]
    assert tight.exit_code == 1


# --- corpus-wide -------------------------------------------------------------------------------


def test_unique_fails_every_article_sharing_a_value_whatever_the_batch_size() -> None:
    arts = [article("a.txt"), article("b.txt", headline="Other", title="Other"), article("c.txt")]
    suite = one_suite("- expect: column_values_to_be_unique\n  column: headline")
    runs = [check_articles(arts, [suite], batch_size=n) for n in (1, 2, 1000)]
    expected = [
        ("a.txt", 1, "headline is not unique: the same value is at c.txt:1"),
        ("c.txt", 1, "headline is not unique: the same value is at a.txt:1"),
    ]
    assert all(messages(r) == expected for r in runs)


def test_unique_compares_whole_tag_lists_and_skips_empty_ones() -> None:
    arts = [article("a.txt", tags_raw=""), article("b.txt", tags_raw=""), article("c.txt")]
    arts.append(article("d.txt", tags_raw="Korea semiconductors exports tariffs SK"))
    result = run(arts, "- expect: column_values_to_be_unique\n  column: tags")
    assert result.findings == []


def test_row_count_too_many_stands_on_the_first_article_over_the_limit() -> None:
    arts = [article(f"{n}.txt") for n in "abc"]
    result = run(arts, "- expect: table_row_count_to_be_between\n  max_value: 2")
    assert messages(result) == [
        (
            "c.txt",
            1,
            "the corpus holds 3 articles; expected at most 2: "
            "this is the first article over the limit",
        )
    ]


def test_row_count_too_few_stands_at_the_suite_entry() -> None:
    suite = parse_suite(
        "suite: t\nexpectations:\n  - expect: tags_non_empty\n"
        "  - expect: table_row_count_to_be_between\n    min_value: 2\n"
        "    row_condition: 'paragraphs > 3'\n",
        "team.yaml",
    )
    result = check_articles(
        [article("a.txt"), article("b.txt", paragraphs=["One.", "Two."])], [suite]
    )
    assert messages(result) == [("team.yaml", 4, "the corpus holds 1 article; expected at least 2")]
    assert result.exit_code == 1


# --- suite errors at load time -------------------------------------------------------------------


def test_an_unknown_column_names_the_line_and_the_valid_columns() -> None:
    message = suite_error("- expect: column_values_to_match_regex\n  column: headlien\n  regex: x")
    assert message.startswith("<suite>:4: column_values_to_match_regex: parameter 'column': ")
    assert "unknown column 'headlien': did you mean 'headline'?" in message
    assert f"valid columns: {', '.join(COLUMNS)}" in message


@pytest.mark.parametrize(
    ("entry", "expected"),
    [
        (
            "- expect: column_values_to_match_regex\n  column: body\n  regex: '(unclosed'",
            "<suite>:5: column_values_to_match_regex: parameter 'regex': RE2 cannot run the "
            "regular expression '(unclosed' (missing ): (unclosed); back-references and "
            "look-around are not supported",
        ),
        (
            "- expect: column_values_to_match_regex\n  column: paragraphs\n  regex: x",
            "<suite>:3: column_values_to_match_regex: 'paragraphs' is a number column: a regex "
            "applies to text; use column_values_to_be_between",
        ),
        (
            "- expect: column_values_to_be_between\n  column: paragraphs\n  min_value: '3'",
            "<suite>:5: column_values_to_be_between: parameter 'min_value': paragraphs holds "
            "numbers: min_value '3' is not one",
        ),
        (
            "- expect: column_values_to_be_between\n  column: date\n  max_value: '2025-13-01'",
            "<suite>:5: column_values_to_be_between: parameter 'max_value': date is text, read "
            "as YYYY-MM-DD dates: max_value '2025-13-01' is not such a date",
        ),
        (
            "- expect: column_values_to_be_between\n  column: date\n  max_value: 2025-13-01",
            "<suite>:5: '2025-13-01' reads as a date but is not one (month must be in 1..12): "
            "quote it",
        ),
        (
            "- expect: column_values_to_be_between\n  column: date",
            "<suite>:3: column_values_to_be_between: give min_value, max_value or both",
        ),
        (
            "- expect: column_value_lengths_to_be_between\n  column: body\n  min_value: 9\n"
            "  max_value: 3",
            "<suite>:3: column_value_lengths_to_be_between: min_value (9) is greater than "
            "max_value (3)",
        ),
        (
            "- expect: column_values_to_be_in_set\n  column: tags\n  value_set: [Korea, no]",
            "<suite>:5: column_values_to_be_in_set: parameter 'value_set': value_set holds "
            "False, a boolean (YAML reads yes, no, on and off as booleans): quote it",
        ),
        (
            "- expect: column_values_to_match_strftime_format\n  column: date\n"
            "  strftime_format: '%Y-%Q'",
            "<suite>:5: column_values_to_match_strftime_format: parameter 'strftime_format': "
            "unusable strftime format: 'Q' is a bad directive in format '%Y-%Q'",
        ),
        (
            "- expect: column_values_to_be_in_set\n  column: tags",
            "<suite>:3: column_values_to_be_in_set needs the parameter 'value_set'",
        ),
    ],
)
def test_bad_parameters_are_suite_errors_with_file_and_line(entry: str, expected: str) -> None:
    assert suite_error(entry) == expected


# --- breakers ------------------------------------------------------------------------------------


def _example_entry(name: str) -> str:
    exp = CATALOG[name]
    extra = exp.params.model_config.get("json_schema_extra")
    assert isinstance(extra, dict)
    example = extra["examples"][0]
    import yaml

    return yaml.safe_dump([{"expect": name, **example}], sort_keys=False)


@pytest.mark.parametrize(
    "exp", [e for e in EXPECTATIONS if isinstance(e, Expectation)], ids=lambda e: e.name
)
def test_each_breaker_fails_its_example_and_only_it(exp: Expectation[object]) -> None:
    # The entry on top of the strictest shipped suite: the breaker trips nothing else there.
    entry_yaml = "\n".join("  " + line for line in _example_entry(exp.name).splitlines())
    suite = parse_suite(
        f"suite: t\nextends: joongang\nexpectations:\n{entry_yaml}\n", directory=SUITES
    )
    entry = suite.entries[-1]
    clean = check_articles([example_article()], [suite])
    assert [f.message for f in clean.findings if f.severity != "info"] == []
    assert exp.breaker is not None
    broken = exp.breaker(example_article(), entry.params)
    result = check_articles([broken], [suite])
    assert {f.id for f in result.findings if f.severity != "info"} == {entry.id}


def test_breakers_say_when_nothing_can_break_the_parameters() -> None:
    suite = one_suite(
        "- expect: column_values_to_not_be_null\n  column: body",
        "- expect: column_values_to_match_regex\n  column: headline\n  regex: '.*'",
    )
    for entry in suite.entries:
        assert isinstance(entry.expectation, Expectation) and entry.expectation.breaker
        with pytest.raises(Unbreakable):
            entry.expectation.breaker(example_article(), entry.params)


def test_corpus_expectations_have_no_single_article_breaker() -> None:
    corpus = [e for e in EXPECTATIONS if isinstance(e, CorpusExpectation)]
    assert [e.name for e in corpus] == [
        "column_values_to_be_unique",
        "table_row_count_to_be_between",
    ]
    assert all(e.breaker is None for e in corpus)


# --- agreement with Great Expectations ---------------------------------------------------------

PARITY_SUITE = """suite: parity
expectations:
  - expect: column_values_to_not_be_null
    column: caption
  - expect: column_values_to_not_be_null
    column: byline_emails
  - expect: column_values_to_match_regex
    column: headline
    regex: '^[^<>]*$'
  - expect: column_values_to_match_regex
    column: byline_emails
    regex: '@joongang\\.co\\.kr$'
    mostly: 0.5
  - expect: column_values_to_not_match_regex
    column: body
    regex: '&[a-z]+;|\\s{2,}'
  - expect: column_value_lengths_to_be_between
    column: tags
    min_value: 2
    max_value: 20
  - expect: column_values_to_be_in_set
    column: tags
    value_set: [Korea, semiconductors, exports, tariffs, SK, hynix, Kospi]
  - expect: column_values_to_be_between
    column: paragraphs
    min_value: 3
    strict_max: true
    max_value: 7
  - expect: column_values_to_be_between
    column: date
    min_value: 2025-01-01
  - expect: column_values_to_match_strftime_format
    column: published
    strftime_format: '%d %b. %Y, %H:%M'
  - expect: column_values_to_be_unique
    column: headline
  - expect: column_values_to_be_unique
    column: tags
  - expect: table_row_count_to_be_between
    max_value: 4
"""


def _parity_articles() -> list[Article]:
    data = Path(__file__).resolve().parent.parent / "data" / "plugins" / "corpus" / "desk.txt"
    arts = parse_text(data.read_text(encoding="utf-8"), "desk.txt")
    arts += [
        article("b.txt", caption=None, tags_raw="Korea x"),
        article("c.txt", headline="A <b>bold</b> claim", title="A <b>bold</b> claim"),
        article("d.txt", date="2024-12-31", published="31 Dec 2024, 09:00", byline="BY KIM MIN-JI"),
        article("e.txt", paragraphs=["Cut off &nbsp;here", "Two  spaces."], tags_raw=""),
        article("f.txt", tags_raw="Korea x"),
    ]
    return arts


def test_the_gx_engine_gives_the_same_verdicts_and_failing_articles() -> None:
    from toolkit import gx_engine

    suite = parse_suite(PARITY_SUITE, "parity.yaml")
    ours = check_articles(_parity_articles(), [suite])
    theirs = gx_engine.check_articles(_parity_articles(), [suite])

    def verdicts(r: Result) -> list[tuple[str, int, int, bool]]:
        return [(e.id, e.checked, e.failed, e.passed) for e in r.suites[0].expectations]

    assert verdicts(theirs) == verdicts(ours)
    assert failing_lines(theirs, "x") == failing_lines(ours, "x")
    assert sorted((f.id, f.file, f.line) for f in theirs.findings) == sorted(
        (f.id, f.file, f.line) for f in ours.findings
    )
    assert any(not passed for *_, passed in verdicts(ours))  # the sample does fail some


# --- RE2 ------------------------------------------------------------------------------------

TRICKY = ["Zoë’s café", "a\nb", "x &amp; y", "<p>", "Korea’s", "  ", "\u00a0", "a.b", "end.\n", ""]


@pytest.mark.parametrize(
    "regex", ["&[a-z]+;|<[a-z]+>", "^[^<>]*", "[à-ÿ]", "Korea’s", "a.b", r"\.\n", "^$"]
)
def test_re2_searches_as_python_re_does_on_common_patterns(regex: str) -> None:
    import re

    import pandas as pd

    from toolkit.expectations.generic import Regex, _searches

    values = pd.Series(TRICKY, dtype="string[pyarrow]")
    expected = [re.search(regex, t) is not None for t in TRICKY]
    assert _searches(values, Regex(column="headline", regex=regex)).tolist() == expected


def test_re2_dollar_does_not_match_before_a_final_newline() -> None:
    import pandas as pd

    from toolkit.expectations.generic import Regex, _searches

    values = pd.Series(["end.", "end.\n"], dtype="string[pyarrow]")
    assert _searches(values, Regex(column="headline", regex="e\\.$")).tolist() == [False, False]
    assert _searches(values, Regex(column="headline", regex="d\\.$")).tolist() == [True, False]


@pytest.mark.parametrize(
    ("regex", "reason"),
    [
        (r"(a)\1", "invalid escape sequence: \\1"),
        ("Seoul(?=stocks)", "invalid perl operator: (?="),
        ("(?<!x)y", "invalid perl operator: (?<"),
    ],
)
def test_a_regex_re2_cannot_run_is_a_suite_error_at_its_line(regex: str, reason: str) -> None:
    message = suite_error(
        "- expect: tags_non_empty",
        f"- expect: column_values_to_not_match_regex\n  column: body\n  regex: '{regex}'",
    )
    assert message.startswith(
        "<suite>:6: column_values_to_not_match_regex: parameter 'regex': RE2 cannot run the "
        f"regular expression {regex!r} ({reason}"
    )
    assert "back-references and look-around are not supported" in message


HANG_SCRIPT = """
import dataclasses, sys
from tests.conftest import run
from toolkit.examples import example_article
from toolkit.article import reparse

long = "a" * 200_000 + "!"
arts = [reparse(dataclasses.replace(example_article("x.txt"), headline=long, title=long))]
for expect in ("column_values_to_match_regex", "column_values_to_not_match_regex"):
    result = run(arts, f"- expect: {expect}\\n  column: headline\\n  regex: '^(a+)+$|(a|aa)+!'")
    print(expect, [(f.line, f.message[:60]) for f in result.findings])
"""


def test_a_catastrophic_regex_runs_in_linear_time_check_and_explain() -> None:
    # Python's re takes exponential time on "(a+)+$" against "aaa…a!"; RE2 does not. The
    # subprocess and its generous timeout are a hang guard, not a timing assertion.
    import subprocess
    import sys

    root = Path(__file__).resolve().parents[2]
    proc = subprocess.run(
        [sys.executable, "-c", HANG_SCRIPT],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=root,
        env={"PYTHONPATH": str(root), "PATH": ""},
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    match, forbid = proc.stdout.splitlines()
    # The headline matches the second alternative: match_regex passes, not_match fails.
    assert match == "column_values_to_match_regex []"
    assert forbid.startswith("column_values_to_not_match_regex [(1, \"headline contains 'aaaa")
