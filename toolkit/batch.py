"""Articles to a batch DataFrame of Arrow-backed columns, the unit every check works on."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import islice

import pandas as pd
import pyarrow as pa

from toolkit.article import Article

_TEXT = pa.string()
# Parts of an article whose line is kept (Article.lines), as columns "at_<part>".
PARTS = ("headline", "title", "published", "caption", "body", "byline", "tags")
_LIST = pa.list_(pa.string())
SCHEMA = pa.schema(
    [
        ("file", _TEXT),
        ("line", pa.int64()),
        ("file_no", pa.int64()),
        ("date", _TEXT),
        ("headline", _TEXT),
        ("title", _TEXT),
        ("published", _TEXT),
        ("caption", _TEXT),
        ("body", _TEXT),
        ("paragraphs", pa.int64()),
        ("byline", _TEXT),
        ("byline_names", _LIST),
        ("byline_emails", _LIST),
        ("tags_raw", _TEXT),
        ("tags", _LIST),
        ("problems", _LIST),
        # The input format ("dump", "jsonl", ...): feeds have no title or Published: line.
        ("source", _TEXT),
        ("tags_list", pa.bool_()),
        *[(f"at_{part}", pa.int64()) for part in PARTS],
    ]
)
# Fields a finding may point at, with the part whose line it stands on.
FIELD_PART = {
    "headline": "headline",
    "date": "headline",
    "title": "title",
    "published": "published",
    "caption": "caption",
    "body": "body",
    "byline": "byline",
    "byline_names": "byline",
    "byline_emails": "byline",
    "tags": "tags",
    "tags_raw": "tags",
}
COLUMNS = [f.name for f in SCHEMA]


def to_frame(articles: list[Article], file_numbers: dict[str, int]) -> pd.DataFrame:
    """One row per article; ``file_numbers`` gives each file its place in the run's order."""
    columns: dict[str, list[object]] = {name: [] for name in COLUMNS}
    for a in articles:
        columns["file"].append(a.file)
        columns["line"].append(a.line)
        columns["file_no"].append(file_numbers.get(a.file, 0))
        columns["date"].append(a.date)
        columns["headline"].append(a.headline)
        columns["title"].append(a.title)
        columns["published"].append(a.published)
        columns["caption"].append(a.caption)
        columns["body"].append(a.body)
        columns["paragraphs"].append(len(a.paragraphs))
        columns["byline"].append(a.byline)
        columns["byline_names"].append(a.byline_names)
        columns["byline_emails"].append(a.byline_emails)
        columns["tags_raw"].append(a.tags_raw)
        columns["tags"].append(a.tags)
        columns["problems"].append(a.problems)
        columns["source"].append(a.source)
        columns["tags_list"].append(a.tags_list)
        for part in PARTS:
            columns[f"at_{part}"].append(a.lines.get(part))
    table = pa.Table.from_pydict(columns, schema=SCHEMA)
    frame: pd.DataFrame = table.to_pandas(types_mapper=pd.ArrowDtype)
    return frame


def feed_lacks(batch: pd.DataFrame, column: str) -> pd.Series:
    """True for feed articles (not dump text) that carry no value for ``column``: a part only
    the dump format always has (title line, Published: line) does not apply to them."""
    lacks: pd.Series = (batch["source"] != "dump") & batch[column].isna()
    return lacks.fillna(False).astype(bool)


def batched(items: Iterable[Article], size: int) -> Iterator[list[Article]]:
    it = iter(items)
    while chunk := list(islice(it, size)):
        yield chunk
