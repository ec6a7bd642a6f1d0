"""Corpus statistics: the same whatever the batching or the processes, quantiles within 1%."""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from pathlib import Path

from tests.runs import write_dump
from toolkit.article import render
from toolkit.batch import to_frame
from toolkit.engine import check
from toolkit.examples import example_article
from toolkit.history import History
from toolkit.profile import BASE, Profile, body_quantiles, profile_batch
from toolkit.suite import parse_suite

SUITE = parse_suite("suite: s\nexpectations:\n  - expect: tags_non_empty\n")


def test_quantiles_are_within_one_percent() -> None:
    lengths = [0, 10, 100, 1000, 1234, 5000, 99_999]
    bins: dict[int, int] = {}
    for n in lengths:
        b = -1 if n == 0 else round(math.log(n) / math.log(BASE))
        bins[b] = bins.get(b, 0) + 1
    q = body_quantiles(bins)
    assert q["0"] == 0
    assert abs(q["0.5"] - 1000) <= 10
    assert abs(q["1"] - 99_999) <= 1000
    assert body_quantiles({}) == {}


def test_sources_days_and_newest_of_a_batch() -> None:
    a = example_article()
    other = dataclasses.replace(a, file="in/afp/x.txt", date="2025-04-21", published=None)
    frame = to_frame([dataclasses.replace(a, file="in/yonhap/y.txt"), other, a], {})
    p = profile_batch(frame)
    assert p.sources == {"yonhap": 1, "afp": 1, ".": 1}
    assert p.days == {"2025-04-22": 2, "2025-04-21": 1}
    # Without a Published: time, the start of the header day.
    assert p.newest == {"2025-04-22": "2025-04-22T16:05:00", "2025-04-21": "2025-04-21T00:00:00"}
    assert render(a)  # the example renders: its Published line is 22 Apr. 2025, 16:05


def test_the_statistics_do_not_depend_on_batches_or_processes(tmp_path: Path) -> None:
    for name, n in (("a", 7), ("b", 5), ("c", 3)):
        write_dump(tmp_path / name, n, 1)
    history = History([], "h", dt.datetime.now(dt.UTC))
    one = check([tmp_path], [SUITE], batch_size=5000, history=history).corpus
    small = check([tmp_path], [SUITE], batch_size=2, history=history).corpus
    two = check([tmp_path], [SUITE], batch_size=3, jobs=2, history=history).corpus
    assert one is not None and one == small == two
    assert (one.articles, one.files, one.per_source) == (15, 3, {"a": 7, "b": 5, "c": 3})
    merged = Profile()
    merged.add(Profile(articles=1, days={"x": 1}, newest={"x": "2"}))
    merged.add(Profile(articles=2, days={"x": 2}, newest={"x": "1"}))
    assert (merged.articles, merged.days, merged.newest) == (3, {"x": 3}, {"x": "2"})
