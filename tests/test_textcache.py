import gc
import tracemalloc

from toolkit.expectations.body import _looks_bad
from toolkit.textcache import LONGEST_KEY, text_cache


def counted() -> tuple[list[str], object]:
    calls: list[str] = []

    @text_cache(maxsize=2)
    def length(text: str) -> int:
        calls.append(text)
        return len(text)

    return calls, length


def test_short_and_long_texts_are_worked_out_once_each() -> None:
    calls, length = counted()
    short, long = "a" * LONGEST_KEY, "b" * (LONGEST_KEY + 1)
    assert [length(short), length(long), length(short), length(long)] == [256, 257, 256, 257]
    assert calls == [short, long]


def test_the_least_recently_used_long_text_is_dropped() -> None:
    calls, length = counted()
    a, b, c = ("x" * 1000 + s for s in "abc")
    for text in (a, b, a, c, a, b):
        length(text)
    # a stays (used again before c came), b went when c came and is worked out again.
    assert calls == [a, b, c, b]


def test_equal_long_texts_share_an_entry_and_different_ones_do_not() -> None:
    calls, length = counted()
    text = "é" * 5000
    assert length(text) == length("".join(["é" * 2500, "é" * 2500])) == 5000
    assert length(text + "\ud800") == 5001  # a lone surrogate does not break the digest
    assert len(calls) == 2


def test_cached_long_texts_are_not_kept() -> None:
    """4,096 cached bodies of a megabyte were 4 GB of memory: a long text's entry is its
    digest and its value, not the text."""
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        texts = [f"{i} " + "mojibake Ã© " * 10_000 for i in range(50)]  # 50 of some 110 KB
        assert all(_looks_bad(t) for t in texts)
        texts.clear()
        gc.collect()
        kept = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert kept < 200_000  # the texts were 5.5 MB
