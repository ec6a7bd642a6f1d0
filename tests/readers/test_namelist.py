import pickle
import tracemalloc

from hypothesis import given
from hypothesis import strategies as st

from toolkit.readers.namelist import NameList

# Paths as os.fsdecode makes them: any text, "/" separated, with lone surrogates for bytes
# that are not UTF-8.
_PARTS = st.text(st.characters(blacklist_categories=["Cs"]) | st.sampled_from("/\udc80\udcff"))


@given(st.lists(_PARTS, max_size=40))
def test_a_name_list_holds_the_strings_of_a_list(texts: list[str]) -> None:
    names = NameList(texts)
    assert list(names) == texts and len(names) == len(texts)
    assert names == texts and texts == names
    assert [names[i] for i in range(len(texts))] == texts
    back = range(1, len(texts) + 1)
    assert [names[-i] for i in back] == [texts[-i] for i in back]
    assert names[1:5] == texts[1:5] and names[::3] == texts[::3]
    assert list(names.between(2, 7)) == texts[2:7]
    assert pickle.loads(pickle.dumps(names)) == texts


def test_appends_and_extends_like_a_list() -> None:
    names = NameList(["a/b.txt"])
    names.append("a/c.txt")
    names.extend(["d.txt", "/e/f/"])
    assert names == ["a/b.txt", "a/c.txt", "d.txt", "/e/f/"]
    assert names != ["a/b.txt"] and names != "a/b.txt"


def test_an_index_past_the_end_is_an_index_error() -> None:
    names = NameList(["a"])
    for bad in (1, -2):
        try:
            names[bad]
        except IndexError:
            continue
        raise AssertionError(f"no IndexError for {bad}")


def test_an_archive_of_paths_costs_a_fraction_of_its_strings() -> None:
    paths = [f"/srv/archive/2024/day_{i // 500:04d}/article_{i:07d}.txt" for i in range(20_000)]
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        names = NameList(paths)
        held = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    as_strings = sum(map(len, paths)) + 49 * len(paths)
    assert names == paths
    assert held < as_strings / 2, (held, as_strings)
