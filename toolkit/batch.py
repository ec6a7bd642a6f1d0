"""Articles to a batch DataFrame of Arrow-backed columns, the unit every check works on."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from itertools import islice

import pandas as pd
import pyarrow as pa

from toolkit.article import PARTS, Article, ArticleRows
from toolkit.filenumbers import numbers_of

_TEXT = pa.string()
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
# The string columns: what a batch's text is counted over (an Arrow string array holds 2 GiB).
TEXT_COLUMNS = [f.name for f in SCHEMA if f.type == _TEXT]


def to_frame(articles: list[Article], file_numbers: Mapping[str, int]) -> pd.DataFrame:
    """One row per article; ``file_numbers`` gives each file its place in the run's order."""
    return rows_frame(article_rows(articles), file_numbers)


def article_rows(articles: Iterable[Article]) -> ArticleRows:
    rows = ArticleRows()
    for a in articles:
        rows.add(a)
    return rows


def rows_frame(rows: ArticleRows, file_numbers: Mapping[str, int]) -> pd.DataFrame:
    """The batch frame of articles held as columns: one Arrow table of the lists."""
    return table_frame(rows_table(rows, file_numbers))


def rows_table(rows: ArticleRows, file_numbers: Mapping[str, int]) -> pa.Table:
    """The articles as one Arrow table of SCHEMA."""
    columns = rows.columns()
    columns["paragraphs"] = [len(p) for p in rows.paragraphs]
    columns["file_no"] = numbers_of(file_numbers, rows.file)
    return pa.Table.from_pydict({name: columns[name] for name in COLUMNS}, schema=SCHEMA)


# Rows a PendingRows turns into Arrow at a time: few enough that their Python strings (and
# the UTF-8 copies Arrow caches on them) are freed long before the batch is full.
CHUNK = 256


class PendingRows:
    """A batch's rows as they come, file by file, kept as Arrow a chunk at a time: a batch's
    text is then held once, as Arrow, not also as one Python string per field and article
    until the batch closes."""

    def __init__(self, file_numbers: Mapping[str, int]) -> None:
        self._file_numbers = file_numbers
        self._tables: list[pa.Table] = []
        self._rows = ArticleRows()
        self._count = 0

    def __len__(self) -> int:
        return self._count

    def extend(self, rows: ArticleRows, start: int = 0, stop: int | None = None) -> None:
        """Append the rows ``start:stop`` of ``rows``."""
        before = len(self._rows)
        self._rows.extend(rows, start, stop)
        self._count += len(self._rows) - before
        if len(self._rows) >= CHUNK:
            self._tables.append(rows_table(self._rows, self._file_numbers))
            self._rows = ArticleRows()

    def take(self) -> pa.Table:
        """The rows appended so far as one table of SCHEMA (one chunk a column); empty after."""
        if self._rows or not self._tables:
            self._tables.append(rows_table(self._rows, self._file_numbers))
        tables, self._tables, self._rows, self._count = self._tables, [], ArticleRows(), 0
        return tables[0] if len(tables) == 1 else pa.concat_tables(tables).combine_chunks()


def text_size(rows: ArticleRows, start: int = 0) -> int:
    """Characters of text of the rows from ``start`` on, in the string columns."""
    total = 0
    for name in TEXT_COLUMNS:
        values = getattr(rows, name)
        total += sum(map(len, filter(None, values[start:] if start else values)))
    return total


def text_sizes(rows: ArticleRows) -> list[int]:
    """Characters of text of each row, in the string columns."""
    columns = [getattr(rows, name) for name in TEXT_COLUMNS]
    return [sum(len(v) for v in values if v) for values in zip(*columns, strict=True)]


def table_frame(table: pa.Table) -> pd.DataFrame:
    """The batch frame of a table of SCHEMA: its columns, Arrow-backed (no copy)."""
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
