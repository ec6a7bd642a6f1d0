"""SARIF 2.1.0: valid against the OASIS schema; one rule per expectation, one result per
finding with file, line, level and a fingerprint that is stable across runs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from tests.conftest import SUITES
from tests.reporters.conftest import RAW_CONTROL, finding, make_result
from toolkit.engine import check
from toolkit.reporters import ReportOptions, sarif
from toolkit.result import Result
from toolkit.suite import load_suite

SCHEMA = Path(__file__).resolve().parent.parent / "schemas" / "sarif-2.1.0-rtm.5.json"


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft4Validator:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft4Validator.check_schema(schema)
    return jsonschema.Draft4Validator(schema)


def render(result: Result) -> dict[str, Any]:
    log: dict[str, Any] = json.loads(sarif.render(result, ReportOptions()))
    return log


def test_valid_against_the_sarif_schema(
    validator: jsonschema.Draft4Validator, small_result: Result, corpus_result: Result
) -> None:
    for result in (small_result, corpus_result):
        errors = [e.message for e in validator.iter_errors(render(result))]
        assert errors == []


def test_rules_and_results(small_result: Result) -> None:
    log = render(small_result)
    assert log["version"] == "2.1.0"
    (run,) = log["runs"]
    driver = run["tool"]["driver"]
    assert (driver["name"], driver["version"]) == ("toolkit", "0.1.0")
    rules = driver["rules"]
    assert [r["id"] for r in rules] == [
        "news/byline_has_email",
        "news/date_parseable",
        "news/tags_non_empty",
        "strict/date_parseable",
    ]
    assert rules[0]["shortDescription"]["text"] == "what byline_has_email checks"
    assert [r["defaultConfiguration"]["level"] for r in rules] == [
        "error",
        "warning",
        "note",
        "error",
    ]
    results = run["results"]
    assert len(results) == len(small_result.findings)
    first = results[0]
    assert first["ruleId"] == "news/byline_has_email" and first["ruleIndex"] == 0
    assert first["level"] == "error"
    assert first["message"]["text"] == "byline_has_email fails here"
    location = first["locations"][0]["physicalLocation"]
    assert location["artifactLocation"] == {"uri": "dumps/a.txt", "uriBaseId": "%SRCROOT%"}
    assert location["region"] == {"startLine": 4}  # the byline's own line
    assert first["partialFingerprints"] == {
        sarif.FINGERPRINT_KEY: small_result.findings[0].fingerprint
    }
    assert first["properties"]["articleLine"] == 1
    assert [r["level"] for r in results] == ["error", "error", "warning", "note"]


def test_fingerprints_are_stable_across_runs(corpus_dir: Any) -> None:
    folder = corpus_dir(
        "broken/byline_no_email.txt", "broken/tags_empty.txt", "seed/000_faaed4314eeb3cba.txt"
    )
    suite = load_suite(str(SUITES / "news.yaml"))

    def prints() -> list[tuple[str, str]]:
        results = render(check([folder], [suite]))["runs"][0]["results"]
        return [(r["ruleId"], r["partialFingerprints"][sarif.FINGERPRINT_KEY]) for r in results]

    first = prints()
    assert first and prints() == first


def test_paths_become_uris(small_result: Result) -> None:
    odd = finding("byline_has_email", "critical", "dumps/with space/#1.txt", 1)
    absolute = finding("byline_has_email", "critical", "/data/dumps/a.txt", 2)
    log = render(make_result(small_result.suites, [odd, absolute], articles=2))
    uris = [
        r["locations"][0]["physicalLocation"]["artifactLocation"] for r in log["runs"][0]["results"]
    ]
    assert uris == [
        {"uri": "dumps/with%20space/%231.txt", "uriBaseId": "%SRCROOT%"},
        {"uri": "file:///data/dumps/a.txt"},
    ]


def test_hostile_text_is_shown_with_markers_and_the_uri_is_percent_encoded(
    validator: jsonschema.Draft4Validator, hostile_suite_result: Result
) -> None:
    text = sarif.render(hostile_suite_result, ReportOptions())
    assert RAW_CONTROL.findall(text) == []  # C1 and bidi are JSON escapes, C0 too
    assert "##[" not in text
    log = json.loads(text)
    assert [e.message for e in validator.iter_errors(log)] == []
    results = log["runs"][0]["results"]
    ctl = next(r for r in results if r["ruleId"].endswith("/ctl\x07\x08"))  # ids stay exact
    assert ctl["message"]["text"].startswith("the control character U+001B (ESCAPE)")
    assert ctl["properties"]["excerpt"].startswith("…grees to diplomatic ties")
    assert "[U+001B][2J[U+001B][?1049h[U+001B]]8;;http://x" in ctl["properties"]["excerpt"]
    assert "[U+202E]evil" in ctl["properties"]["headline"]
    uri = ctl["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert uri.endswith("/a%1B%5B31m%E2%80%AE%C2%9B2J.txt")
    rule = log["runs"][0]["tool"]["driver"]["rules"][0]
    assert "suite news[U+001B][2J[U+202E],x:y" in rule["fullDescription"]["text"]
