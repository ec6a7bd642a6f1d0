"""Text columns of sightings on disk: the same values read back, each column written once."""

from __future__ import annotations

import os
import pickle
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest

from toolkit.engine import check_files
from toolkit.findings import current_spill
from toolkit.spilled import TextColumn, spill
from toolkit.suite import load_suite

VALUES = ["a", None, "ü · 𝄞", "", "tail"]


def _column() -> TextColumn:
    """Three segments: two arrays and a third added by concatenation."""
    head = TextColumn.of(pa.chunked_array([pa.array(VALUES[:2]), pa.array(VALUES[2:4])]))
    return TextColumn.concat([head, TextColumn.of(pa.array(VALUES[4:]))])


def test_take_reads_the_values_in_the_order_asked_in_memory_and_on_disk() -> None:
    column = _column()
    asked = [4, 0, 2, 2, 1, 3]
    assert column.take(asked).to_pylist() == [VALUES[i] for i in asked]
    spill([column])
    assert not column.in_memory()
    assert column.take(asked).to_pylist() == [VALUES[i] for i in asked]
    assert column.take(np.zeros(0, np.int64)).to_pylist() == []
    assert column.values().to_pylist() == VALUES
    assert len(column) == len(VALUES)


def test_a_position_outside_the_column_is_an_error() -> None:
    with pytest.raises(IndexError):
        _column().take([len(VALUES)])


def test_spill_writes_a_column_given_twice_once_in_the_runs_spill_directory() -> None:
    column = _column()
    other = TextColumn.of(pa.array(["x"]))
    spill([column, other, column])
    files = {segment[0] for c in (column, other) for segment in c._segments}
    assert len(files) == 1
    (path,) = files
    assert os.path.dirname(path) == current_spill().dir
    # Three segments of one column, one of the other: four record batches, not seven.
    with pa.OSFile(path) as source:
        assert pa.ipc.open_file(source).num_record_batches == 4
    spill([column])  # nothing left in memory: no new file
    assert {segment[0] for segment in column._segments} == {path}


def test_a_spilled_column_pickles_as_its_values() -> None:
    column = _column()
    spill([column])
    back = pickle.loads(pickle.dumps(column))
    assert back.in_memory()
    assert back.values().to_pylist() == VALUES


def test_checked_batches_keep_their_sightings_text_on_disk(tmp_path: Path) -> None:
    corpus = Path(__file__).parent.parent / "corpora"
    files = sorted(p for p in corpus.rglob("*.txt"))
    order = {str(p): i for i, p in enumerate(files)}
    part = check_files(((p, str(p)) for p in files), [load_suite("news")], order, batch_size=8)
    assert part.sightings
    for seen in part.sightings.values():
        for column in seen.text_columns():
            assert not column.in_memory()
        rows = seen.as_list()
        assert [s.file for s in rows] == seen.file.values().to_pylist()
        assert all(s.file in order for s in rows)
