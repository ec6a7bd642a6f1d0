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
