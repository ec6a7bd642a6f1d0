"""JUnit XML: valid against the Jenkins xUnit JUnit schema; a suite per suite, a case per
expectation, failures naming the first failing articles by file:line."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import xmlschema

from tests.reporters.conftest import (
    HOSTILE_NAME,
    RAW_CONTROL,
    finding,
    make_result,
    workflow_command_lines,
)
from toolkit.reporters import ReportOptions, junit
from toolkit.result import Result
from toolkit.text import visible

SCHEMA = Path(__file__).resolve().parent.parent / "schemas" / "junit-10.xsd"


@pytest.fixture(scope="module")
def schema() -> xmlschema.XMLSchema:
    return xmlschema.XMLSchema(SCHEMA)


def test_valid_against_the_junit_schema(
    schema: xmlschema.XMLSchema, small_result: Result, corpus_result: Result
) -> None:
    for result in (small_result, corpus_result):
        schema.validate(junit.render(result, ReportOptions()))


def test_one_testsuite_per_suite_one_testcase_per_expectation(small_result: Result) -> None:
    root = ET.fromstring(junit.render(small_result, ReportOptions()))
    assert root.tag == "testsuites"
    assert (root.get("tests"), root.get("failures"), root.get("time")) == ("4", "2", "1.235")
    suites = root.findall("testsuite")
    assert [s.get("name") for s in suites] == ["news", "strict"]
    news, strict = suites
    assert (news.get("tests"), news.get("failures")) == ("3", "2")
    assert [(c.get("classname"), c.get("name")) for c in news.findall("testcase")] == [
        ("news", "byline_has_email"),
        ("news", "date_parseable"),
        ("news", "tags_non_empty"),
    ]
    props = {p.get("name"): p.get("value") for p in news.iter("property")}
    assert props["file"] == "expectations/news.yaml" and props["articles"] == "10"
    (case,) = strict.findall("testcase")
    assert list(case) == []  # passed, nothing to say


def test_failure_lists_first_failing_articles_with_file_and_line(small_result: Result) -> None:
    root = ET.fromstring(junit.render(small_result, ReportOptions()))
    byline = root.find("testsuite/testcase[@name='byline_has_email']")
    assert byline is not None
    failure = byline.find("failure")
    assert failure is not None
    assert failure.get("type") == "critical"
    assert failure.get("message") == (
        "2 of 10 fail, pass rate 80.0%; first: dumps/a.txt:1, dumps/b.txt:40"
    )
    assert failure.text is not None
    lines = failure.text.splitlines()
    assert lines[0] == "dumps/a.txt:1  [byline]  byline_has_email fails here"
    assert lines[1] == "    BY SEO JI-EUN [[email⍽protected]]"  # the no-break space shown
    # A warning that fails is a failure too, typed so that CI can tell them apart.
    date = root.find("testsuite/testcase[@name='date_parseable']/failure")
    assert date is not None and date.get("type") == "warning"
    # Passing under mostly: no failure, the findings in system-out.
    tags = root.find("testsuite/testcase[@name='tags_non_empty']")
    assert tags is not None and tags.find("failure") is None
    out = tags.find("system-out")
    assert out is not None and out.text is not None
    assert out.text.startswith("passes under mostly=0.8 with 1 failing:\ndumps/d.txt:1")


def test_failure_message_caps_the_list(small_result: Result) -> None:
    many = [finding("byline_has_email", "critical", f"dumps/{i}.txt", i) for i in range(1, 9)]
    result = make_result(small_result.suites, many, articles=10)
    root = ET.fromstring(junit.render(result, ReportOptions(examples=3)))
    failure = root.find("testsuite/testcase[@name='byline_has_email']/failure")
    assert failure is not None
    assert failure.get("message", "").endswith(
        "first: dumps/1.txt:1, dumps/2.txt:2, dumps/3.txt:3 and 5 more"
    )


def test_control_characters_cannot_break_the_xml(
    schema: xmlschema.XMLSchema, small_result: Result
) -> None:
    bad = finding(
        "byline_has_email",
        "critical",
        "dumps/a.txt",
        1,
        "BY \x00\x1b[31mX\ufffe</x>&",
        message="bad \x0c byte",
    )
    result = make_result(small_result.suites, [bad], articles=10)
    text = junit.render(result, ReportOptions())
    schema.validate(text)
    failure = ET.fromstring(text).find("testsuite/testcase[@name='byline_has_email']/failure")
    assert failure is not None and failure.text is not None
    assert "BY [U+0000][U+001B][31mX[U+FFFE]</x>&" in failure.text


def test_control_characters_in_suite_names_ids_and_text_are_markers(
    schema: xmlschema.XMLSchema, hostile_suite_result: Result
) -> None:
    text = junit.render(hostile_suite_result, ReportOptions())
    schema.validate(text)
    assert RAW_CONTROL.findall(text) == []
    root = ET.fromstring(text)
    suite = root.find("testsuite")
    assert suite is not None
    assert suite.get("name") == "news[U+001B][2J[U+202E],x:y ::error::s"
    names = [c.get("name") for c in suite.findall("testcase")]
    assert names == ["file_readable", "long[U+001B][?1049h[U+009B]", "ctl[U+0007][U+0008]"]
    failure = suite.find("testcase[@name='ctl[U+0007][U+0008]']/failure")
    assert failure is not None and failure.text is not None
    assert f"/{visible(HOSTILE_NAME)}:1  [body]" in failure.text
    assert "[U+001B][2J[U+001B][?1049h[U+001B]]8;;http://x" in failure.text
    # The legacy workflow command is a character reference, the same text to XML readers.
    assert "##[" not in text and "&#35;#[error]d" in text
    descriptions = [
        p.get("value") for p in suite.iter("property") if p.get("name") == "description"
    ]
    assert descriptions == ["desc [U+001B]]8;;http://x[U+001B]\\ ##[error]d"]


def test_a_file_name_cannot_start_a_workflow_command_line(small_result: Result) -> None:
    bad = finding("byline_has_email", "critical", "::error::x.txt", 1, "##[error]y")
    text = junit.render(make_result(small_result.suites, [bad], 1), ReportOptions())
    assert workflow_command_lines(text) == []
    failure = ET.fromstring(text).find(".//failure")
    assert failure is not None and failure.text is not None
    assert failure.text.startswith("::error::x.txt:1  [byline]")  # exact for XML readers
