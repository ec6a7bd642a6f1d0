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
from toolkit.sightings import Sightings
from toolkit.spilled import SpilledArray, TextColumn, drop_pages, mapping, spill, spill_arrays
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


def test_checked_batches_keep_their_sightings_on_disk(tmp_path: Path) -> None:
    corpus = Path(__file__).parent.parent / "corpora"
    files = sorted(p for p in corpus.rglob("*.txt"))
    order = {str(p): i for i, p in enumerate(files)}
    part = check_files(((p, str(p)) for p in files), [load_suite("news")], order, batch_size=8)
    assert part.sightings
    signatures = 0
    for seen in part.sightings.values():
        # Nothing of the sightings stays in memory between batches: text, order and keys.
        assert seen.date in seen.text_columns()
        for column in seen.text_columns():
            assert not column.in_memory()
        for waiting in [seen.file_no, seen.line, *seen.stored.values()]:
            assert isinstance(waiting, SpilledArray) and not waiting.in_memory()
        for name in seen.stored:
            if name == "signature":
                signatures += 1
                assert seen.keys["signature"].shape == (len(seen), 64)
        rows = seen.as_list()
        assert [s.file for s in rows] == seen.file.values().to_pylist()
        assert all(s.file in order for s in rows)
        # Read back, each sighting's file number is its file's, and its line that of a header.
        file_no, line = seen.corpus_order()
        assert file_no.tolist() == [order[s.file] for s in rows]
        assert all(n >= 1 for n in line.tolist())
        assert [s.date for s in rows] == seen.date.values().to_pylist()
    assert signatures == 2  # body_near_duplicate's and headline_unique's


def _matrix(rows: int, start: int = 0) -> np.ndarray:
    return np.arange(start, start + rows * 4, dtype=np.uint32).reshape(rows, 4)


def test_a_spilled_array_reads_back_whole_in_order() -> None:
    parts = [
        SpilledArray.of(_matrix(3)),
        SpilledArray.of(_matrix(0)),
        SpilledArray.of(_matrix(2, 100)),
    ]
    spill_arrays(parts)
    joined = SpilledArray.concat([parts[0], SpilledArray.of(_matrix(1, 500)), *parts[1:]])
    expected = np.concatenate([_matrix(3), _matrix(1, 500), _matrix(2, 100)])
    assert len(joined) == 6
    assert (joined.values() == expected).all()
    back = pickle.loads(pickle.dumps(joined))
    assert isinstance(back, np.ndarray) and (back == expected).all()
    loaded = joined.load()
    assert loaded is joined.load() and (loaded == expected).all()


def test_a_column_on_disk_loads_mapped_read_only_and_one_in_memory_as_it_is() -> None:
    on_disk = [SpilledArray.of(_matrix(3)), SpilledArray.of(_matrix(2, 100))]
    spill_arrays(on_disk)
    joined = SpilledArray.concat([on_disk[0], SpilledArray.of(_matrix(1, 500)), on_disk[1]])
    loaded = joined.load()
    assert mapping(loaded) is not None and not loaded.flags.writeable
    expected = np.concatenate([_matrix(3), _matrix(1, 500), _matrix(2, 100)])
    assert (loaded == expected).all()
    drop_pages(loaded[2:])  # a view of the mapping lets go of the pages: they read again
    assert (loaded == expected).all() and (joined.values() == expected).all()
    back = pickle.loads(pickle.dumps(joined))
    assert mapping(back) is None and (back == expected).all()
    in_memory = SpilledArray.of(_matrix(2))
    assert mapping(in_memory.load()) is None
    drop_pages(in_memory.load())  # nothing to let go of
    assert (in_memory.load() == _matrix(2)).all()


def _resident_file_kib() -> int:
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("RssFile"))


@pytest.mark.skipif(not os.path.exists("/proc/self/status"), reason="Linux memory counters")
def test_dropping_the_pages_of_a_mapped_column_gives_back_its_memory() -> None:
    """A judge reads a mapped signature column a block at a time and lets go of the pages
    after each, so that the column is not all in memory at once."""
    column = SpilledArray.of(np.ones((65_536, 64), dtype=np.uint32))  # 16 MiB
    spill_arrays([column])
    loaded = column.load()
    before = _resident_file_kib()
    assert int(loaded[:, 0].sum()) == 65_536  # reads a page of every row
    read = _resident_file_kib()
    drop_pages(loaded)
    dropped = _resident_file_kib()
    assert read - before > 12_000
    assert read - dropped > 12_000


def test_sightings_sharing_an_array_share_its_column_on_disk_and_read_it_once() -> None:
    shared_sig = _matrix(3)
    text = TextColumn.of(pa.array(["a", "b", "c"]))
    none = np.arange(3, dtype=np.int64)
    day = TextColumn.of(pa.array(["2025-03-11"] * 3))

    def sightings() -> Sightings:
        return Sightings(none, none, text, text, text, day, stored={"signature": shared_sig})

    one, two = sightings(), sightings()
    made: dict[int, SpilledArray] = {}
    columns = one.to_disk(made) + two.to_disk(made)
    # One column for the array both hold: the signatures, and file number and line alike.
    assert one.stored["signature"] is two.stored["signature"]
    assert one.file_no is one.line is two.file_no
    assert len({id(c) for c in columns}) == 2
    spill_arrays(columns)
    assert one.keys["signature"] is two.keys["signature"]
    assert (one.keys["signature"] == shared_sig).all()
