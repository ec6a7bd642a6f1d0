"""Suite files: what loads, and errors that name the file, the line and the fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from toolkit.suite import SuiteError, load_suite


def write(tmp_path: Path, text: str, name: str = "s.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def error_of(path: Path) -> SuiteError:
    with pytest.raises(SuiteError) as info:
        load_suite(path, directory=path.parent)
    return info.value


def test_loads_severity_mostly_and_defaults(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "suite: s\nexpectations:\n  - expect: tags_non_empty\n"
        "  - expect: byline_has_email\n    severity: warning\n    mostly: 0.9\n",
    )
    suite = load_suite(path)
    assert suite.name == "s"
    first, second = suite.entries
    assert (first.id, first.severity, first.mostly, first.line) == (
        "tags_non_empty",
        "critical",
        None,
        3,
    )
    assert (second.severity, second.mostly, second.line) == ("warning", 0.9, 4)


def test_unknown_expectation_names_file_line_and_suggestion(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "suite: s\nexpectations:\n  - expect: tags_non_empty\n  - expect: byline_has_emial\n",
    )
    err = error_of(path)
    assert (err.file, err.line) == (str(path), 4)
    assert "unknown expectation 'byline_has_emial'" in str(err)
    assert "did you mean 'byline_has_email'" in str(err)


def test_broken_yaml_names_the_line(tmp_path: Path) -> None:
    path = write(
        tmp_path, "suite: s\nexpectations:\n  - expect: tags_non_empty\n    severity: [warning\n"
    )
    err = error_of(path)
    assert err.line is not None and err.line >= 4
    assert "broken YAML" in str(err)


def test_unknown_parameter_lists_valid_ones(tmp_path: Path) -> None:
    path = write(
        tmp_path, "suite: s\nexpectations:\n  - expect: date_in_range\n    min_dat: 2000-01-01\n"
    )
    err = error_of(path)
    assert err.line == 4
    assert "unknown parameter of date_in_range 'min_dat'" in str(err)
    assert "did you mean 'min_date'" in str(err)


def test_bad_parameter_value(tmp_path: Path) -> None:
    path = write(
        tmp_path, "suite: s\nexpectations:\n  - expect: date_in_range\n    max_days_ahead: -3\n"
    )
    err = error_of(path)
    assert err.line == 4
    assert "max_days_ahead" in str(err)


@pytest.mark.parametrize(
    ("entry", "needle"),
    [
        ("    severity: fatal\n", "severity 'fatal' is not one of critical, warning, info"),
        ("    mostly: 1.5\n", "mostly must be a number from 0 to 1"),
    ],
)
def test_bad_severity_and_mostly(tmp_path: Path, entry: str, needle: str) -> None:
    path = write(tmp_path, f"suite: s\nexpectations:\n  - expect: tags_non_empty\n{entry}")
    err = error_of(path)
    assert err.line == 4
    assert needle in str(err)


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("", "a suite is a mapping"),
        ("- a\n- b\n", "a suite is a mapping"),
        ("suite: s\n", "has no 'expectations'"),
        ("suite: s\nexpectations: []\n", "has no expectations"),
        ("expectations:\n  - expect: tags_non_empty\n", "'suite' must name the suite"),
        ("suite: s\nexpectation:\n  - expect: x\n", "unknown suite key 'expectation'"),
        ("suite: s\nexpectations:\n  - tags_non_empty\n", "each expectation is a mapping"),
        (
            "suite: s\nexpectations:\n  - expect: tags_non_empty\n  - expect: tags_non_empty\n",
            "in the suite twice",
        ),
    ],
)
def test_malformed_suites(tmp_path: Path, text: str, needle: str) -> None:
    assert needle in str(error_of(write(tmp_path, text)))


def test_extends_overrides_by_id(tmp_path: Path) -> None:
    write(
        tmp_path,
        "suite: base\nexpectations:\n  - expect: tags_non_empty\n"
        "  - expect: byline_has_email\n    severity: warning\n",
        "base.yaml",
    )
    child = write(
        tmp_path,
        "suite: child\nextends: base\nexpectations:\n  - expect: byline_has_email\n",
        "child.yaml",
    )
    suite = load_suite(child, directory=tmp_path)
    assert [(e.id, e.severity) for e in suite.entries] == [
        ("tags_non_empty", "critical"),
        ("byline_has_email", "critical"),
    ]


def test_extends_cycle_and_missing_base(tmp_path: Path) -> None:
    a = write(
        tmp_path, "suite: a\nextends: b\nexpectations:\n  - expect: tags_non_empty\n", "a.yaml"
    )
    write(tmp_path, "suite: b\nextends: a\nexpectations:\n  - expect: tags_non_empty\n", "b.yaml")
    assert "cycle" in str(error_of(a))
    c = write(
        tmp_path,
        "suite: c\nextends: nowhere\nexpectations:\n  - expect: tags_non_empty\n",
        "c.yaml",
    )
    err = error_of(c)
    assert err.line == 2 and "no suite named 'nowhere'" in str(err)


def test_suite_by_name_and_unknown_name(tmp_path: Path) -> None:
    write(tmp_path, "suite: news\nexpectations:\n  - expect: tags_non_empty\n", "news.yaml")
    assert load_suite("news", directory=tmp_path).name == "news"
    with pytest.raises(SuiteError, match="did you mean 'news'"):
        load_suite("newz", directory=tmp_path)


def test_shipped_suites_load() -> None:
    root = Path(__file__).resolve().parent.parent / "expectations"
    for path in sorted(root.glob("*.yaml")):
        assert load_suite(path, directory=root).entries


# --- row_condition: GX's pandas condition syntax, checked when the suite loads ----------------


@pytest.mark.parametrize(
    "condition",
    [
        'date >= "2025-01-01"',
        "byline.notna() and paragraphs > 2",
        'headline.str.contains("Korea", regex=False)',
        "tags.list.len() > 0",
    ],
)
def test_row_condition_loads(tmp_path: Path, condition: str) -> None:
    path = write(
        tmp_path,
        f"suite: s\nexpectations:\n  - expect: tags_non_empty\n    row_condition: '{condition}'\n",
    )
    assert load_suite(path).entries[0].row_condition == condition


@pytest.mark.parametrize(
    ("condition", "message"),
    [
        ("nosuchcolumn > 3", "row_condition: unknown column 'nosuchcolumn': valid: "),
        ("headlin.str.len() > 3", "unknown column 'headlin': did you mean 'headline'?"),
        ("date >=", "row_condition: not a valid expression (invalid syntax)"),
        ("paragraphs", "row_condition: 'paragraphs' gives values, not true or false"),
        ("@cutoff < paragraphs", "'@' (a Python variable) is not allowed"),
        ("headline.__class__", "'__class__' is not allowed in a condition"),
    ],
)
def test_bad_row_condition_is_a_suite_error_at_its_line(
    tmp_path: Path, condition: str, message: str
) -> None:
    path = write(
        tmp_path,
        f'suite: s\nexpectations:\n  - expect: tags_non_empty\n    row_condition: "{condition}"\n',
    )
    err = error_of(path)
    assert err.line == 4
    assert message in err.message


# --- strict YAML: nothing lost, nothing multiplied, nothing read forever -----------------------


def test_a_duplicate_key_names_both_lines(tmp_path: Path) -> None:
    # The '- ' before the second entry is missing: one expectation would replace the other.
    path = write(
        tmp_path,
        "suite: s\nexpectations:\n  - expect: tags_non_empty\n    expect: byline_has_email\n",
    )
    err = error_of(path)
    assert (err.file, err.line) == (str(path), 4)
    assert "the key 'expect' is given twice in one mapping, at lines 3 and 4" in err.message


def test_a_duplicate_top_level_key_is_an_error(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "suite: s\nexpectations:\n  - expect: tags_non_empty\nsuite: t\n",
    )
    assert "'suite' is given twice in one mapping, at lines 1 and 4" in error_of(path).message


def test_a_duplicate_key_is_exit_2_from_the_cli(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from tests.conftest import SEED
    from toolkit.cli import app

    path = write(
        tmp_path,
        "suite: s\nexpectations:\n  - expect: tags_non_empty\n    severity: info\n"
        "    severity: critical\n",
    )
    result = CliRunner().invoke(app, ["check", str(SEED), "--suite", str(path)])
    assert result.exit_code == 2
    assert f"{path}:5: the key 'severity' is given twice" in result.stderr


def test_an_alias_bomb_fails_at_once(tmp_path: Path) -> None:
    levels = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for n in range(1, 9):
        prev, name = chr(ord("a") + n - 1), chr(ord("a") + n)
        levels.append(f"{name}: &{name} [*{prev},*{prev},*{prev},*{prev},*{prev},*{prev}]")
    text = (
        "suite: s\nx_bomb:\n"
        + "".join(f"  {line}\n" for line in levels)
        + "description: *i\nexpectations:\n  - expect: tags_non_empty\n"
    )
    err = error_of(write(tmp_path, text))
    assert err.line == 4
    assert "aliases (*name) are not allowed in a suite: write the value out" in err.message


def test_a_description_is_text_without_control_characters(tmp_path: Path) -> None:
    listed = write(
        tmp_path, "suite: s\ndescription: [a, b]\nexpectations:\n  - expect: tags_non_empty\n"
    )
    assert (error_of(listed).line, error_of(listed).message) == (2, "'description' is text")
    escape = write(
        tmp_path,
        'suite: s\ndescription: "Red \\e[2J"\nexpectations:\n  - expect: tags_non_empty\n',
        "e.yaml",
    )
    assert "the description holds the control character U+001B" in error_of(escape).message
    lines = write(
        tmp_path,
        "suite: s\ndescription: |\n  one\n  two\nexpectations:\n  - expect: tags_non_empty\n",
        "l.yaml",
    )
    assert load_suite(lines).description == "one\ntwo\n"


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        (
            'suite: "news\\e]8;;http://x\\a"\nexpectations:\n  - expect: tags_non_empty\n',
            1,
            "the suite name holds the control character U+001B",
        ),
        (
            'suite: s\nexpectations:\n  - expect: tags_non_empty\n    id: "a\\u202eb"\n',
            4,
            "an id holds the control character U+202E",
        ),
        (
            "suite: s\nexpectations:\n  - expect: tags_non_empty\n    id: [a]\n",
            4,
            "'id' is a name (text), not ['a']",
        ),
    ],
)
def test_names_and_ids_are_plain_text(tmp_path: Path, text: str, line: int, message: str) -> None:
    err = error_of(write(tmp_path, text))
    assert (err.line, err.message) == (
        line,
        f"{message}: write plain text" if "holds" in message else message,
    )


def test_a_suite_that_is_not_a_regular_file_is_not_read(tmp_path: Path) -> None:
    import os

    fifo = tmp_path / "fifo.yaml"
    os.mkfifo(fifo)
    with pytest.raises(SuiteError) as info:
        load_suite(fifo, directory=tmp_path)
    assert "no such suite file" in str(info.value) or "not a regular file" in str(info.value)
    from toolkit.suite import _load

    with pytest.raises(SuiteError, match="cannot read the suite file: not a regular file"):
        _load(fifo, tmp_path, ())


def test_an_oversized_suite_is_refused(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "suite: s\nexpectations:\n  - expect: tags_non_empty\n" + "#" * (1 << 20) + "\n",
    )
    assert "over the limit of 1,048,576" in error_of(path).message


@pytest.mark.parametrize("device", ["/dev/zero", "fifo"])
def test_a_vocabulary_that_is_not_a_regular_file_is_refused_at_its_line(
    tmp_path: Path, device: str
) -> None:
    import os

    if device == "fifo":
        os.mkfifo(tmp_path / "fifo")
        device = str(tmp_path / "fifo")
    path = write(
        tmp_path,
        "suite: s\nexpectations:\n  - expect: tags_non_empty\n"
        f"  - expect: tags_in_vocabulary\n    vocabulary: {device}\n",
    )
    err = error_of(path)
    assert err.line == 5
    assert f"cannot read the vocabulary file {device}: not a regular file" in err.message


def test_an_extends_cycle_names_the_file_and_line(tmp_path: Path) -> None:
    a = write(
        tmp_path, "suite: a\nextends: b\nexpectations:\n  - expect: tags_non_empty\n", "a.yaml"
    )
    write(tmp_path, "suite: b\n\nextends: a\nexpectations:\n  - expect: tags_non_empty\n", "b.yaml")
    err = error_of(a)
    assert (err.file, err.line) == (str(tmp_path / "b.yaml"), 3)
    assert "'extends' makes a cycle of suites: a.yaml -> b.yaml -> a.yaml" in err.message


def test_a_deep_extends_chain_is_an_error_not_a_recursion_error(tmp_path: Path) -> None:
    for n in range(200):
        write(
            tmp_path,
            f"suite: s{n}\nextends: s{n + 1}\nexpectations:\n  - expect: tags_non_empty\n",
            f"s{n}.yaml",
        )
    write(tmp_path, "suite: s200\nexpectations:\n  - expect: tags_non_empty\n", "s200.yaml")
    err = error_of(tmp_path / "s0.yaml")
    assert err.line == 2
    assert "'extends' goes more than 32 suites deep" in err.message


def test_deeply_nested_yaml_is_an_error(tmp_path: Path) -> None:
    path = write(tmp_path, "suite: s\nx: " + "[" * 5000 + "]" * 5000 + "\n")
    assert "broken YAML" in error_of(path).message


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        (
            "  - expect: date_in_range\n    max_days_ahead: 10000000000",
            "less than or equal to 36500",
        ),
        (
            "  - expect: published_matches_date\n    tolerance_days: 10000000000",
            "less than or equal to 36500",
        ),
        (
            "  - expect: column_values_to_be_between\n    column: paragraphs\n"
            "    max_value: 100000000000000000000",
            "beyond the 64-bit range",
        ),
        (
            "  - expect: column_value_lengths_to_be_between\n    column: body\n"
            "    max_value: 100000000000000000000",
            "less than or equal to 9223372036854775807",
        ),
        (
            "  - expect: column_values_to_be_in_set\n    column: paragraphs\n"
            "    value_set: [1, 100000000000000000000]",
            "beyond the 64-bit range",
        ),
    ],
)
def test_parameters_that_would_overflow_are_refused_at_load(
    tmp_path: Path, entry: str, message: str
) -> None:
    err = error_of(write(tmp_path, f"suite: s\nexpectations:\n{entry}\n"))
    assert err.line is not None and err.line >= 3
    assert message in err.message


def test_a_row_condition_that_keeps_no_article_is_reported() -> None:
    from tests.conftest import run
    from toolkit.examples import example_article

    result = run(
        [example_article("a.txt")],
        "- expect: tags_non_empty\n  row_condition: 'date == \"1999-01-01\"'",
    )
    (stats,) = [e for e in result.suites[0].expectations if e.id == "tags_non_empty"]
    assert (stats.checked, stats.passed) == (0, True)
    assert stats.engine_note == (
        "no article checked: the row_condition 'date == \"1999-01-01\"' kept none of the 1 articles"
    )
    assert '"engine_note": "no article checked' in result.to_json()
