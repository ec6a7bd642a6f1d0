"""Batches as Arrow tables: rows gathered a chunk at a time make the table made at once."""

from __future__ import annotations

import dataclasses

import pytest

from toolkit import batch as batch_module
from toolkit.article import Article
from toolkit.batch import PendingRows, article_rows, rows_table
from toolkit.examples import example_article


def _articles(n: int) -> list[Article]:
    a = example_article()
    return [
        dataclasses.replace(a, file=f"in/f{i // 4}.txt", line=1 + i, headline=f"H {i} é")
        for i in range(n)
    ]


def test_pending_rows_in_chunks_make_the_table_of_all_rows(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(batch_module, "CHUNK", 3)
    articles = _articles(11)
    numbers = {f"in/f{i}.txt": i for i in range(3)}
    files = [article_rows(articles[i : i + 4]) for i in range(0, 11, 4)]
    pending = PendingRows(numbers)
    pending.extend(files[0])
    pending.extend(files[1], 1, 3)
    pending.extend(files[2])
    assert len(pending) == 9
    table = pending.take()
    kept = articles[:4] + articles[5:7] + articles[8:]
    assert table.equals(rows_table(article_rows(kept), numbers))
    assert all(table[c].num_chunks == 1 for c in table.column_names)
    assert len(pending) == 0
    assert pending.take().num_rows == 0


def test_a_whole_chunk_is_a_table_with_nothing_left_over(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(batch_module, "CHUNK", 2)
    articles = _articles(2)
    pending = PendingRows({"in/f0.txt": 0})
    pending.extend(article_rows(articles))
    assert pending.take().equals(rows_table(article_rows(articles), {"in/f0.txt": 0}))
