"""Suites to and from Great Expectations: an export GX loads and validates with, an import the
toolkit runs, and everything that does not convert named."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from types import ModuleType
from typing import Any

import pandas as pd
import pytest

from tests.conftest import SEED, SUITES, one_suite
from toolkit import engine
from toolkit.article import parse_text
from toolkit.batch import to_frame
from toolkit.examples import example_article
from toolkit.expectations.tags import tags_non_empty
from toolkit.fixtures import break_article
from toolkit.gx_suite import (
    META_KEY,
    GxSuiteError,
    derive_columns,
    from_gx_suite,
    plan,
    to_gx_suite,
)
from toolkit.suite import Suite, SuiteEntry, load_suite, parse_suite


@pytest.fixture(scope="module")
def gx() -> ModuleType:
    import great_expectations

    return great_expectations


def context(gx: ModuleType) -> Any:
    from great_expectations.data_context.types.base import (
        DataContextConfig,
        InMemoryStoreBackendDefaults,
        ProgressBarsConfig,
    )

    config = DataContextConfig(
        store_backend_defaults=InMemoryStoreBackendDefaults(init_temp_docs_sites=False),
        analytics_enabled=False,
        progress_bars=ProgressBarsConfig(globally=False),
    )
    return gx.get_context(mode="ephemeral", project_config=config)


def validate_in_gx(gx: ModuleType, data: dict[str, Any], frame: pd.DataFrame) -> dict[str, Any]:
    """GX alone (no toolkit engine): load the suite JSON, validate ``frame``; per toolkit id,
    (success, the unexpected row indexes)."""
    ctx = context(gx)
    batch = (
        ctx.data_sources.add_pandas("p")
        .add_dataframe_asset("a")
        .add_batch_definition_whole_dataframe("b")
        .get_batch(batch_parameters={"dataframe": frame})
    )
    suite = ctx.suites.add(gx.ExpectationSuite(**data))
    out = batch.validate(suite, result_format={"result_format": "COMPLETE"})
    return {
        r.expectation_config.meta[META_KEY]["id"]: (
            r.success,
            sorted(r.result.get("unexpected_index_list") or []),
        )
        for r in out.results
    }


def exported(suite: Suite) -> dict[str, Any]:
    data, _ = to_gx_suite(suite)
    loaded: dict[str, Any] = json.loads(json.dumps(data))  # as a file would hold it
    return loaded


# --- export -----------------------------------------------------------------------------------


def test_export_is_gx_1x_suite_json_that_gx_loads(gx: ModuleType) -> None:
    suite = load_suite(SUITES / "news.yaml")
    data = exported(suite)
    assert data["name"] == "news"
    planned = plan([suite])
    assert len(data["expectations"]) == len(planned) > 0
    for item, p in zip(data["expectations"], planned, strict=True):
        assert set(item) == {"type", "kwargs", "meta", "severity"}
        assert item["type"].startswith("expect_")
        assert item["severity"] == p.entry.severity
        assert item["meta"][META_KEY]["id"] == p.entry.id
    loaded = gx.ExpectationSuite(**data)
    assert [e.expectation_type for e in loaded.expectations] == [
        i["type"] for i in data["expectations"]
    ]
    assert {str(e.severity.value) for e in loaded.expectations} == {
        i["severity"] for i in data["expectations"]
    }
    context(gx).suites.add(loaded)  # the context's suite store accepts it as well


def test_exported_news_expectations_name_their_derived_columns() -> None:
    data = exported(load_suite(SUITES / "joongang.yaml"))
    assert "derived_columns_note" in data["meta"][META_KEY]
    email = next(e for e in data["expectations"] if e["meta"][META_KEY]["id"] == "byline_has_email")
    assert email["type"] == "expect_column_values_to_be_in_set"
    assert email["kwargs"] == {"column": "byline_emails_valid", "value_set": [True]}
    described = email["meta"][META_KEY]["derived_columns"]["byline_emails_valid"]
    assert "valid email" in described and "placeholder" in described
    headline = next(
        e for e in data["expectations"] if e["meta"][META_KEY]["id"] == "headline_in_body"
    )
    assert headline["type"] == "expect_column_pair_values_to_be_equal"
    assert set(headline["meta"][META_KEY]["derived_columns"]) == {
        "headline_compared",
        "title_compared",
    }


def test_exported_suite_validates_a_dataframe_in_gx(gx: ModuleType) -> None:
    """GX on its own, given the columns the toolkit derives, fails the same articles as the
    toolkit: the seed (Cloudflare's placeholder) and a title from another page."""
    suite = load_suite(SUITES / "joongang.yaml")
    seed = parse_text(SEED.read_text(encoding="utf-8"), "seed.txt")
    mixed = break_article(example_article("mixed.txt"), "headline_in_body")
    articles = [example_article("clean.txt"), *seed, mixed]
    frame = derive_columns(plan([suite]), to_frame(articles, {}))
    in_gx = validate_in_gx(gx, exported(suite), frame)
    toolkit = engine.check_articles(articles, [suite])
    for stats in toolkit.suites[0].expectations:
        if stats.id not in in_gx:
            continue  # no GX form (file_readable, near duplicates): not in the export
        rows = sorted(
            i
            for i, a in enumerate(articles)
            if any(f.id == stats.id and f.file == a.file for f in toolkit.findings)
        )
        assert in_gx[stats.id] == (stats.passed, rows), stats.id
    assert in_gx["byline_has_email"] == (False, [1])
    assert in_gx["headline_in_body"] == (False, [2])


def test_generic_suite_validates_a_plain_dataframe_in_gx(gx: ModuleType) -> None:
    """Generic expectations need no derived column: a team's own DataFrame is enough."""
    suite = one_suite(
        "- expect: column_values_to_match_regex\n  column: headline\n  regex: '^[^<>]*$'",
        "- expect: column_values_to_not_be_null\n  column: caption\n  severity: warning",
    )
    data = exported(suite)
    assert all("derived_columns" not in e["meta"][META_KEY] for e in data["expectations"])
    assert "derived_columns_note" not in data["meta"][META_KEY]
    frame = pd.DataFrame(
        {"headline": ["Plain", "<b>Bold</b>", "Fine"], "caption": ["A [YONHAP]", None, "B [AP]"]}
    )
    assert validate_in_gx(gx, data, frame) == {
        "column_values_to_match_regex[headline]": (False, [1]),
        "column_values_to_not_be_null[caption]": (False, [1]),
    }


def test_what_cannot_be_exported_is_named() -> None:
    plain = dataclasses.replace(tags_non_empty, name="tags_plain", gx=None)
    suite = one_suite("- expect: tags_non_empty")
    suite.entries.append(
        SuiteEntry(id="tags_plain", expectation=plain, params=plain.params(), severity="warning")
    )
    data, left = to_gx_suite(suite)
    assert [e.id for e in left] == ["tags_plain"]
    assert data["meta"][META_KEY]["not_exported"] == [
        {"id": "tags_plain", "expect": "tags_plain", "reason": "it has no Great Expectations form"}
    ]
    assert [e["meta"][META_KEY]["id"] for e in data["expectations"]] == ["tags_non_empty"]


# --- import -----------------------------------------------------------------------------------


def entry_facts(suite: Suite) -> list[tuple[Any, ...]]:
    return [
        (e.id, e.expectation.name, e.params_dict(), e.severity, e.mostly, e.row_condition)
        for e in suite.entries
    ]


@pytest.mark.parametrize("name", sorted(p.name for p in SUITES.glob("*.yaml")))
def test_shipped_suites_round_trip_through_gx_json(name: str) -> None:
    suite = load_suite(SUITES / name)
    data, left = to_gx_suite(suite)
    imported = from_gx_suite(json.loads(json.dumps(data)), f"{suite.name}.json")
    assert imported.skipped == []
    again = parse_suite(imported.yaml, f"{suite.name}.yaml", directory=SUITES)
    assert again.name == suite.name
    kept = dataclasses.replace(suite, entries=[e for e in suite.entries if e not in left])
    assert entry_facts(again) == entry_facts(kept)


def test_round_trip_keeps_mostly_row_condition_and_ids() -> None:
    suite = one_suite(
        "- expect: byline_has_email\n  mostly: 0.9\n  row_condition: paragraphs > 2",
        "- expect: date_in_range\n  id: recent\n  min_date: 2024-01-01\n  severity: info",
        "- expect: column_value_lengths_to_be_between\n  column: headline\n  max_value: 120",
    )
    again = parse_suite(from_gx_suite(exported(suite), "t.json").yaml, "t.yaml")
    assert entry_facts(again) == entry_facts(suite)


FOREIGN: dict[str, Any] = {
    "name": "vendor",
    "notes": "A vendor's GX suite",
    "expectations": [
        {
            "type": "expect_column_values_to_match_regex",
            "kwargs": {"column": "headline", "regex": "^[^<>]*$", "mostly": 0.99},
            "meta": {},
        },
        {
            "type": "expect_column_values_to_not_be_null",
            "kwargs": {"column": "byline"},
            "severity": "warning",
        },
        {
            "type": "expect_column_values_to_not_be_null",
            "kwargs": {
                "column": "caption",
                "row_condition": {"type": "pass_through", "pass_through_filter": "paragraphs > 2"},
                "condition_parser": "pandas",
            },
        },
        {"type": "expect_column_mean_to_be_between", "kwargs": {"column": "paragraphs"}},
        {"type": "expect_column_values_to_match_regex", "kwargs": {"column": "mood", "regex": "x"}},
        {
            "type": "expect_column_values_to_be_between",
            "kwargs": {
                "column": "paragraphs",
                "min_value": 2,
                "row_condition": 'col("x")>1',
                "condition_parser": "great_expectations",
            },
        },
        {"expectation_type": "expect_table_row_count_to_be_between", "kwargs": {"min_value": 1}},
    ],
}


def test_import_converts_generic_expectations_and_names_the_rest() -> None:
    imported = from_gx_suite(FOREIGN, "vendor.json")
    suite = parse_suite(imported.yaml, "vendor.yaml", directory=SUITES)
    assert suite.description == "A vendor's GX suite"
    assert entry_facts(suite) == [
        (
            "column_values_to_match_regex[headline]",
            "column_values_to_match_regex",
            {"column": "headline", "regex": "^[^<>]*$"},
            "critical",
            0.99,
            None,
        ),
        (
            "column_values_to_not_be_null[byline]",
            "column_values_to_not_be_null",
            {"column": "byline"},
            "warning",
            None,
            None,
        ),
        (
            "column_values_to_not_be_null[caption]",
            "column_values_to_not_be_null",
            {"column": "caption"},
            "critical",
            None,
            "paragraphs > 2",
        ),
        (
            "table_row_count_to_be_between",
            "table_row_count_to_be_between",
            {"min_value": 1, "max_value": None, "strict_min": False, "strict_max": False},
            "critical",
            None,
            None,
        ),
    ]
    assert imported.converted == 4
    assert len(imported.skipped) == 3
    mean, mood, parser = imported.skipped
    assert mean.startswith("expectation 4 (expect_column_mean_to_be_between)")
    assert "no expectation for this Great Expectations type" in mean
    assert "unknown column 'mood'" in mood
    assert "'great_expectations' parser" in parser
    # The YAML says so too, above the suite.
    assert "# Not converted" in imported.yaml and "mood" in imported.yaml


def test_an_imported_suite_runs_in_the_toolkit() -> None:
    suite = parse_suite(from_gx_suite(FOREIGN, "vendor.json").yaml, "vendor.yaml")
    html = dataclasses.replace(example_article("html.txt"), headline="<b>Seoul</b> wins")
    no_byline = break_article(example_article("nob.txt"), "byline_present")
    result = engine.check_articles([example_article("ok.txt"), html, no_byline], [suite])
    found = {(f.id, f.file) for f in result.findings}
    assert found == {
        ("column_values_to_match_regex[headline]", "html.txt"),
        ("column_values_to_not_be_null[byline]", "nob.txt"),
    }
    assert result.exit_code == 1  # the regex is critical; one in three fails mostly 0.99


def test_import_refuses_what_is_not_a_gx_suite() -> None:
    with pytest.raises(GxSuiteError, match=r"x\.json: not a Great Expectations suite"):
        from_gx_suite({"suite": "news"}, "x.json")
    with pytest.raises(GxSuiteError, match="has no 'name'"):
        from_gx_suite({"expectations": []}, "x.json")
    nothing = {"name": "n", "expectations": [{"type": "expect_column_mean_to_be_between"}]}
    with pytest.raises(GxSuiteError, match="nothing could be converted"):
        from_gx_suite(nothing, "x.json")


def test_a_gx_suite_file_written_by_gx_imports(gx: ModuleType, tmp_path: Path) -> None:
    """A suite GX itself serialises (ids, batch_id-free kwargs, 1.x meta) imports."""
    suite = gx.ExpectationSuite(name="from_gx")
    suite.add_expectation(
        gx.expectations.ExpectColumnValueLengthsToBeBetween(
            column="headline", min_value=10, max_value=200, severity="warning"
        )
    )
    suite.add_expectation(gx.expectations.ExpectColumnValuesToBeUnique(column="headline"))
    data = json.loads(json.dumps(suite.to_json_dict()))
    imported = from_gx_suite(data, "from_gx.json")
    assert imported.skipped == []
    again = parse_suite(imported.yaml, "from_gx.yaml")
    assert [(e.expectation.name, e.severity) for e in again.entries] == [
        ("column_value_lengths_to_be_between", "warning"),
        ("column_values_to_be_unique", "critical"),
    ]


# --- conditions are read, never evaluated ------------------------------------------------------


def test_an_imported_filter_outside_the_grammar_is_not_converted_and_not_run(
    tmp_path: Path,
) -> None:
    out = tmp_path / "written"
    data = {
        "name": "hostile",
        "expectations": [
            {"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "byline"}},
            {
                "type": "expect_column_values_to_not_be_null",
                "kwargs": {
                    "column": "caption",
                    "row_condition": {
                        "type": "pass_through",
                        "pass_through_filter": f'body.to_csv("{out}") == ""',
                    },
                },
            },
            {
                "type": "expect_column_values_to_not_be_null",
                "kwargs": {
                    "column": "title",
                    "row_condition": f'@pd.DataFrame().to_csv("{out}") == ""',
                    "condition_parser": "pandas",
                },
            },
        ],
    }
    imported = from_gx_suite(data, "hostile.json")
    assert imported.converted == 1
    assert [s.split(":")[0] for s in imported.skipped] == [
        "expectation 2 (expect_column_values_to_not_be_null)",
        "expectation 3 (expect_column_values_to_not_be_null)",
    ]
    assert (
        "is outside the toolkit's condition grammar: the method 'to_csv' is not allowed"
        in (imported.skipped[0])
    )
    assert "'@' (a Python variable) is not allowed" in imported.skipped[1]
    assert not out.exists()


def test_the_gx_engine_filters_on_a_column_the_toolkit_computes(gx: ModuleType) -> None:
    from toolkit import gx_engine

    suite = one_suite("- expect: tags_non_empty\n  row_condition: 'paragraphs > 1'")
    (p,) = plan([suite])
    batch, columns = gx_engine._with_conditions([p], to_frame([example_article("a.txt")], {}))
    assert columns == {p.key: "toolkit_row_condition_1"}
    assert batch["toolkit_row_condition_1"].tolist() == [True]
    config = p.configuration(columns[p.key])
    assert config["kwargs"]["row_condition"] == {
        "type": "pass_through",
        "pass_through_filter": "toolkit_row_condition_1",
    }
    # Exported, the condition is the toolkit's rendering of what it parsed.
    assert p.configuration()["kwargs"]["row_condition"]["pass_through_filter"] == "paragraphs > 1"
