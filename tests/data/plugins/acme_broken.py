"""Expectations that break in every way a plugin can (a test plugin for toolkit): ``mode``
says how."""

from __future__ import annotations

from typing import Any, Literal

import pandas as pd

from toolkit.expectations.base import (
    AnyExpectation,
    CorpusExpectation,
    Expectation,
    Params,
    Row,
    Sighting,
    Why,
)

RowMode = Literal[
    "raises", "scalar", "strings", "short", "numbers", "explain_raises", "explain_text", "works"
]
CorpusMode = Literal["sketch_raises", "sketch_short", "judge_raises", "judge_list", "judge_range"]


class RowBreak(Params):
    mode: RowMode = "raises"


class CorpusBreak(Params):
    mode: CorpusMode = "judge_raises"


def _check(batch: pd.DataFrame, p: RowBreak) -> Any:
    if p.mode == "raises":
        raise ZeroDivisionError("the desk rule divided by zero")
    if p.mode == "scalar":
        return True
    if p.mode == "strings":
        return ["yes"] * len(batch)
    if p.mode == "short":
        return pd.Series([True], dtype=bool)
    if p.mode == "numbers":
        return pd.Series(range(len(batch)), index=batch.index)
    return pd.Series(False, index=batch.index)  # every article fails: explain is called


def _explain(row: Row, p: RowBreak) -> Any:
    if p.mode == "explain_raises":
        raise KeyError("no_such_column")
    if p.mode == "explain_text":
        return "not a Why"
    return Why("the desk rule fails", row["headline"])


def _sketch(batch: pd.DataFrame, p: CorpusBreak) -> Any:
    if p.mode == "sketch_raises":
        raise RuntimeError("the sketch broke")
    if p.mode == "sketch_short":
        return batch["headline"].iloc[:0]
    return batch["headline"]


def _judge(seen: list[Sighting], p: CorpusBreak) -> Any:
    if p.mode == "judge_raises":
        raise ValueError("the judge broke")
    if p.mode == "judge_list":
        return ["bad"]
    if p.mode == "judge_range":
        return {len(seen) + 7: Why("out of range")}
    return {}


broken_row = Expectation(
    name="broken_row",
    family="acme",
    description="Breaks as its mode says.",
    field="headline",
    params=RowBreak,
    check=_check,
    explain=_explain,
    fix="Fix the plugin.",
)

broken_corpus = CorpusExpectation(
    name="broken_corpus",
    family="acme",
    description="Breaks as its mode says.",
    field="headline",
    params=CorpusBreak,
    sketch=_sketch,
    judge=_judge,
    fix="Fix the plugin.",
)

EXPECTATIONS: list[AnyExpectation] = [broken_row, broken_corpus]
