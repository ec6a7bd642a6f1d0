"""The peer the benchmark measures the toolkit against: the pipeline a team would write by
hand for the four mission checks with Great Expectations 1.x.

A small dump parser (a regex for the header lines, the title line under each, the last
``BY`` line and the ``tags`` line) fills plain column lists; they become a pandas DataFrame of
pyarrow strings, a batch at a time; derived columns are computed vectorised in pandas; an
ephemeral GX context validates each batch with stock expectations and reports every failing
article by file and line:

- dates parseable: the header date parses as ``%Y-%m-%d`` and the ``Published:`` value as
  ``D Mon. YYYY, HH:MM`` (periods dropped, ``Sept`` read as ``Sep``), both with
  ``pd.to_datetime(errors="coerce")``; ``expect_column_values_to_not_be_null`` on both;
- byline has an email: ``expect_column_values_to_not_be_null`` and
  ``expect_column_values_to_match_regex`` (an address in brackets) on the byline;
- tags non-empty: ``expect_column_values_to_not_be_null`` and
  ``expect_column_value_lengths_to_be_between(min_value=1)`` on the tags line;
- headline in body: a derived column, the header headline equal to the title line with white
  space folded, ``expect_column_values_to_be_in_set([True])``.

    python -m tests.bench.gx_pipeline CORPUS [--batch-size 100000] [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd

_HEADER = re.compile(r"^ ?date ?(\S*)[ \u00a0]*(.*)$", re.MULTILINE)
_COLUMNS = ("file", "line", "date", "headline", "title", "published", "byline", "tags")
EMAIL_IN_BRACKETS = r"\[[^\[\]\s@]+@[^\[\]\s@]+\.[A-Za-z]{2,}\]"
CHECKS = ("dates_parseable", "byline_has_email", "tags_non_empty", "headline_in_body")


def walk(root: Path) -> Iterator[str]:
    """Every .txt file under ``root``, in name order."""
    if root.is_file():
        yield str(root)
        return
    entries = sorted(os.scandir(root), key=lambda e: e.name)
    for entry in entries:
        if entry.is_dir():
            yield from walk(Path(entry.path))
        elif entry.name.endswith(".txt"):
            yield entry.path


def parse_file(path: str, rows: dict[str, list[Any]]) -> None:
    """Append the articles of one dump to ``rows``."""
    with open(path, "rb") as fh:
        text = fh.read().decode("utf-8", errors="replace")
    starts = list(_HEADER.finditer(text))
    line = 1
    at = 0
    for i, m in enumerate(starts):
        line += text.count("\n", at, m.start())
        at = m.start()
        end = starts[i + 1].start() if i + 1 < len(starts) else len(text)
        lines = [ln for ln in text[m.end() : end].split("\n")[1:] if ln.strip()]
        title = lines[0] if lines and not lines[0].startswith("Published:") else None
        published = next((ln[10:].strip() for ln in lines if ln.startswith("Published:")), None)
        tags = lines[-1][4:].strip() if lines and lines[-1].startswith("tags") else None
        tail = lines[-4:-1] if tags is not None else lines[-3:]
        byline = next((ln.strip() for ln in reversed(tail) if ln.startswith("BY ")), None)
        for name, value in zip(
            _COLUMNS,
            (path, line, m[1], m[2].strip(), title, published, byline, tags),
            strict=True,
        ):
            rows[name].append(value)


def frames(root: Path, batch_size: int) -> Iterator[pd.DataFrame]:
    """The corpus as DataFrames of at most about ``batch_size`` articles."""
    rows: dict[str, list[Any]] = {c: [] for c in _COLUMNS}
    for path in walk(root):
        parse_file(path, rows)
        if len(rows["file"]) >= batch_size:
            yield _frame(rows)
            rows = {c: [] for c in _COLUMNS}
    if rows["file"]:
        yield _frame(rows)


def _frame(rows: dict[str, list[Any]]) -> pd.DataFrame:
    df = pd.DataFrame(rows)
    for column in _COLUMNS:
        if column != "line":
            df[column] = df[column].astype("string[pyarrow]")
    df["date_parsed"] = pd.to_datetime(df["date"], format="%Y-%m-%d", errors="coerce")
    published = (
        df["published"].str.replace("Sept", "Sep", regex=False).str.replace(".", "", regex=False)
    )
    # Month names written in full (June, July) are read by %B, the rest by %b.
    short = pd.to_datetime(published, format="%d %b %Y, %H:%M", errors="coerce")
    full = pd.to_datetime(published, format="%d %B %Y, %H:%M", errors="coerce")
    df["published_parsed"] = short.fillna(full)
    fold = r"[\s\u00a0]+"
    headline = df["headline"].str.replace(fold, " ", regex=True).str.strip()
    title = df["title"].str.replace(fold, " ", regex=True).str.strip()
    df["headline_in_body"] = (headline == title).fillna(False).astype(bool)
    return df


def suite_expectations() -> dict[str, list[Any]]:
    import great_expectations as gx

    e = gx.expectations
    return {
        "dates_parseable": [
            e.ExpectColumnValuesToNotBeNull(column="date_parsed"),
            e.ExpectColumnValuesToNotBeNull(column="published_parsed"),
        ],
        "byline_has_email": [
            e.ExpectColumnValuesToNotBeNull(column="byline"),
            e.ExpectColumnValuesToMatchRegex(column="byline", regex=EMAIL_IN_BRACKETS),
        ],
        "tags_non_empty": [
            e.ExpectColumnValuesToNotBeNull(column="tags"),
            e.ExpectColumnValueLengthsToBeBetween(column="tags", min_value=1),
        ],
        "headline_in_body": [
            e.ExpectColumnValuesToBeInSet(column="headline_in_body", value_set=[True]),
        ],
    }


def run(root: Path, batch_size: int = 100_000) -> tuple[int, dict[str, set[tuple[str, int]]]]:
    """The number of articles and, for each check, the (file, line) of every failing one."""
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="ephemeral")
    # No progress bars on the terminal (a tqdm bar per validation).
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    definition = (
        context.data_sources.add_pandas("dumps")
        .add_dataframe_asset("articles")
        .add_batch_definition_whole_dataframe("batch")
    )
    by_check = suite_expectations()
    suite = gx.ExpectationSuite(name="mission")
    for check, expectations in by_check.items():
        for exp in expectations:
            exp.meta = {"check": check}
            suite.add_expectation(exp)
    suite = context.suites.add(suite)
    result_format = {"result_format": "COMPLETE", "unexpected_index_column_names": ["file", "line"]}
    failing: dict[str, set[tuple[str, int]]] = {c: set() for c in CHECKS}
    articles = 0
    for df in frames(root, batch_size):
        articles += len(df)
        outcome = definition.get_batch(batch_parameters={"dataframe": df}).validate(
            suite, result_format=result_format
        )
        for result in outcome.results:
            config = result.expectation_config
            check = str(config.meta["check"]) if config is not None and config.meta else ""
            for row in result.result.get("unexpected_index_list") or []:
                failing[check].add((str(row["file"]), int(row["line"])))
    return articles, failing


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--batch-size", type=int, default=100_000)
    parser.add_argument("--json", type=Path, help="write the failing places here")
    args = parser.parse_args()
    articles, failing = run(args.corpus, args.batch_size)
    counts = {c: len(places) for c, places in failing.items()}
    print(json.dumps({"articles": articles, "failing": counts}))
    if args.json:
        places = {c: sorted(p) for c, p in failing.items()}
        args.json.write_text(json.dumps(places), encoding="utf-8")
    sys.exit(1 if any(counts.values()) else 0)


if __name__ == "__main__":
    main()
