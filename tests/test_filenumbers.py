import pickle
import sys

import pytest
from hypothesis import given
from hypothesis import strategies as st

from toolkit.filenumbers import FileNumbers, numbers_of


def _as_dict(labels: list[str]) -> dict[str, int]:
    return {label: i for i, label in enumerate(labels)}


@given(st.lists(st.text(max_size=6), max_size=30), st.lists(st.text(max_size=6), max_size=30))
def test_file_numbers_are_the_dict_of_the_labels(labels: list[str], asked: list[str]) -> None:
    expected = _as_dict(labels)
    got = FileNumbers(labels)
    assert dict(got) == expected and list(got) == list(expected) and len(got) == len(expected)
    assert got.numbers(asked + labels, -1) == [expected.get(f, -1) for f in asked + labels]
    assert [got.get(f) for f in asked] == [expected.get(f) for f in asked]
    assert all((f in got) == (f in expected) for f in asked)
    assert dict(pickle.loads(pickle.dumps(got))) == expected


class Colliding(str):
    """A label whose hash is that of every other: the lookups must compare labels."""

    def __hash__(self) -> int:
        return 7


def test_labels_of_equal_hashes_are_told_apart_by_their_text() -> None:
    labels = [Colliding(x) for x in ("a.txt", "b.txt", "a.txt", "c.txt")]
    got = FileNumbers(labels)
    assert got.numbers([Colliding("c.txt"), Colliding("a.txt"), Colliding("d.txt")]) == [3, 2, 0]
    assert got[Colliding("b.txt")] == 1
    with pytest.raises(KeyError):
        got[Colliding("d.txt")]


def test_a_plain_dict_is_looked_up_as_it_is() -> None:
    assert numbers_of({"a": 4}, ["a", "b"], default=9) == [4, 9]


def test_file_numbers_take_less_memory_than_the_dict() -> None:
    labels = [f"day_{i // 1000:04d}/{i:07d}_0123456789abcdef.txt" for i in range(20_000)]
    got = FileNumbers(labels)
    arrays = got._hashes.nbytes + got._order.nbytes
    as_dict = _as_dict(labels)
    held = sys.getsizeof(as_dict) + sum(sys.getsizeof(v) for v in as_dict.values() if v > 256)
    assert arrays == 12 * len(labels) and held > 4 * arrays
