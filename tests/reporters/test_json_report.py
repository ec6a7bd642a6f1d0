"""The JSON report keeps the raw text exactly, yet prints nothing a terminal or a CI log acts
on."""

from __future__ import annotations

import json

from tests.reporters.conftest import HOSTILE_NAME, RAW_CONTROL, workflow_command_lines
from toolkit.reporters import ReportOptions, json_report
from toolkit.result import Result


def test_raw_data_round_trips_and_no_control_is_raw(hostile_suite_result: Result) -> None:
    text = json_report.render(hostile_suite_result, ReportOptions())
    assert RAW_CONTROL.findall(text) == []
    assert workflow_command_lines(text) == []
    assert "\\u0023#[error]d" in text and "\\u009b" in text and "\\u202e" in text
    assert Result.from_json(text) == hostile_suite_result
    data = json.loads(text)
    assert data["findings"][0]["file"].endswith("/" + HOSTILE_NAME)
    assert data["suites"][0]["description"] == "desc \x1b]8;;http://x\x1b\\ ##[error]d"
