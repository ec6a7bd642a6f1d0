"""LSH banding in bulk: the candidates are datasketch's, and a huge bucket costs linear work."""

from __future__ import annotations

import os
import re

import numpy as np
import pandas as pd
import pytest
from datasketch import LeanMinHash, MinHashLSH

from toolkit import lsh
from toolkit.expectations.corpus import shingle_hashes, signatures
from toolkit.spilled import SpilledArray, mapping, spill_arrays


def _signatures(bodies: list[str], num_perm: int = 64) -> np.ndarray:
    hashes, rows, _ = shingle_hashes(pd.Series(bodies, dtype="string[pyarrow]"), 3)
    return signatures(hashes, rows, len(bodies), num_perm)


def _bodies(n: int, seed: int) -> list[str]:
    """Bodies of sentences drawn from a small pool: many share a band without being copies."""
    rng = np.random.default_rng(seed)
    pool = [" ".join(f"w{rng.integers(60)}" for _ in range(8)) for _ in range(25)]
    return [" ".join(rng.choice(pool, size=rng.integers(2, 5))) for _ in range(n)]


def _templated(n: int, seed: int) -> list[str]:
    """A market close every day: one template, the figures changing."""
    rng = np.random.default_rng(seed)
    return [
        f"The KOSPI closed at {rng.integers(2000, 3000)} on day {d}, with foreign investors net "
        f"sellers of {rng.integers(1, 900)} billion won as the won traded at "
        f"{rng.integers(1200, 1400)} to the dollar; Samsung Electronics ended flat and "
        "SK hynix gained on chip demand while the KOSDAQ edged higher in thin trading."
        for d in range(n)
    ]


@pytest.mark.parametrize("num_perm", [16, 32, 64, 100, 128, 256])
def test_bands_are_datasketchs(num_perm: int) -> None:
    # Every threshold in steps of 0.05, where datasketch refuses too (one band only).
    for threshold in [round(0.05 * k, 2) for k in range(1, 21)]:
        try:
            reference = MinHashLSH(threshold=threshold, num_perm=num_perm)
        except ValueError as exc:
            with pytest.raises(ValueError, match=re.escape(str(exc))):
                lsh.bands(threshold, num_perm)
            continue
        assert lsh.bands(threshold, num_perm) == (reference.b, reference.r), threshold


def test_bands_refuse_what_datasketch_refuses() -> None:
    for threshold, num_perm in [(1.5, 64), (-0.1, 64), (0.5, 1)]:
        with pytest.raises(ValueError) as expected:
            MinHashLSH(threshold=threshold, num_perm=num_perm)
        with pytest.raises(ValueError, match=re.escape(str(expected.value))):
            lsh.bands(threshold, num_perm)


@pytest.mark.parametrize("seed", [1, 2])
def test_candidate_pairs_are_the_pairs_datasketch_returns(seed: int) -> None:
    sig = _signatures(_bodies(300, seed))
    b, r = lsh.bands(0.5, 64)
    earlier, later = lsh.candidate_pairs(lsh.band_keys(sig, b, r), cap=10**6)
    banded = lsh.share_a_band(sig, earlier, later, b, r)
    ours = set(zip(earlier[banded].tolist(), later[banded].tolist(), strict=True))
    index = MinHashLSH(threshold=0.5, num_perm=64)
    theirs = set()
    for i, row in enumerate(sig):
        m = LeanMinHash(seed=1, hashvalues=row.astype(np.uint64), scheme="legacy")
        theirs |= {(j, i) for j in index.query(m)}
        index.insert(i, m, check_duplication=False)
    assert len(theirs) > 100  # the corpus has candidates to find
    assert ours == theirs


def test_similarities_are_the_share_of_equal_values() -> None:
    sig = _signatures(_bodies(50, 3))
    earlier, later = np.array([0, 1, 2]), np.array([5, 9, 49])
    share = lsh.similarities(sig, earlier, later)
    expected = [float(np.mean(sig[e] == sig[x])) for e, x in zip(earlier, later, strict=True)]
    assert share.tolist() == expected


@pytest.mark.parametrize("width", [1, 7, 8, 20, 64, 72, 128])
def test_trues_counts_each_rows_trues_at_any_width(width: int) -> None:
    rows = np.random.default_rng(width).random((300, width)) < 0.6
    rows[0], rows[1] = True, False
    assert lsh.trues(rows).tolist() == np.count_nonzero(rows, axis=1).tolist()


@pytest.mark.parametrize(("b", "r"), [(14, 4), (5, 3), (2, 32), (9, 8)])
def test_a_shared_band_is_every_value_of_one_band_equal(b: int, r: int) -> None:
    # b * r above 64 (9 x 8) takes the row-by-row form, the others one word a pair.
    rng = np.random.default_rng(b * r)
    # Copies of ten rows, each band of a copy changed or not: pairs agree on some bands.
    sig = rng.integers(0, 2**32, size=(10, b * r + 3), dtype=np.uint32)[rng.integers(0, 10, 200)]
    changed = np.repeat(rng.random((200, b)) < 0.5, r, axis=1)
    sig[:, : b * r][changed] = rng.integers(0, 2, size=int(changed.sum()), dtype=np.uint32)
    earlier, later = rng.integers(0, 200, 5000), rng.integers(0, 200, 5000)
    expected = [
        any((sig[e, j * r : (j + 1) * r] == sig[x, j * r : (j + 1) * r]).all() for j in range(b))
        for e, x in zip(earlier.tolist(), later.tolist(), strict=True)
    ]
    assert 100 < sum(expected) < 4900
    assert lsh.share_a_band(sig, earlier, later, b, r).tolist() == expected


def test_a_huge_bucket_costs_linear_work(monkeypatch: pytest.MonkeyPatch) -> None:
    # A small cap, so that small corpora show the cost of large ones.
    monkeypatch.setattr(lsh, "CAP", 16)
    b, r = lsh.bands(0.5, 64)
    compared = []
    for n in (1000, 2000, 4000):
        sig = _signatures(_templated(n, 5))
        *_, count = lsh.near_pairs(sig, 0.5, b, r)
        compared.append(count)
    # Without the cap, 4,000 copies of a template sharing a band make 8 million pairs.
    assert compared[2] <= 16 * b * 4000
    # Doubling the corpus about doubles the work (more rare band values meet in a larger one).
    assert compared[1] <= 2.3 * compared[0] and compared[2] <= 2.3 * compared[1]


def test_the_sequential_rule_skips_copies_and_takes_the_most_similar() -> None:
    # Row 1 copies 0; row 2 is closest to 1 (a copy, not a member), then to 0.
    earlier = np.array([0, 1, 0])
    later = np.array([1, 2, 2])
    share = np.array([0.9, 0.95, 0.7])
    order = np.lexsort((earlier, -share, later))
    match, similarity = lsh.first_matches(3, earlier[order], later[order], share[order])
    assert match.tolist() == [-1, 0, 0]
    assert similarity.tolist() == [0.0, 0.9, 0.7]


def test_pairs_made_a_part_at_a_time_are_the_pairs_made_at_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Templated copies and a mixed pool: buckets of every size, pairs in several bands.
    sig = _signatures(_templated(600, 2) + _bodies(600, 4))
    b, r = lsh.bands(0.5, 64)
    keys = lsh.band_keys(sig, b, r)
    whole = lsh.candidate_pairs(keys)
    parts = list(lsh.candidate_chunks(keys, most=997))
    assert len(parts) > 20 and max(len(e) for e, _ in parts) <= 997 + lsh.CAP
    code = np.sort(np.concatenate([later * len(sig) + earlier for earlier, later in parts]))
    # Each pair once, in one part only: made at the first band that makes it.
    assert np.array_equal(code, whole[1] * len(sig) + whole[0])
    at_once = lsh.near_pairs(sig, 0.5, b, r)
    earlier, later, share, _ = at_once
    # By later row, then similarity (highest first), then earlier row.
    assert np.array_equal(np.lexsort((earlier, -share, later)), np.arange(len(later)))
    assert len(set(share.tolist())) > 3  # ties and orders of similarity both occur
    monkeypatch.setattr(lsh, "PAIRS", 997)
    in_parts = lsh.near_pairs(sig, 0.5, b, r)
    assert len(at_once[0]) > 1000
    for a, p in zip(at_once[:3], in_parts[:3], strict=True):
        assert np.array_equal(a, p)


def _capped_pairs(keys: np.ndarray, cap: int) -> set[tuple[int, int]]:
    """The capped candidates by their definition: in each bucket (a key value of a band),
    each member is paired with the first ``cap`` members before it, in corpus order."""
    buckets: dict[tuple[int, int], list[int]] = {}
    for row, band in np.ndindex(*keys.shape):
        buckets.setdefault((band, int(keys[row, band])), []).append(row)
    found = set()
    for members in buckets.values():
        for p, later in enumerate(members):
            found |= {(e, later) for e in members[: min(p, cap)] if e < later}
    return found


@pytest.mark.parametrize("cap", [1, 3, 16])
def test_capped_pairs_made_once_are_the_capped_pairs_of_every_band(cap: int) -> None:
    # Templated copies fill buckets past the cap in some bands and not in others.
    sig = _signatures(_templated(150, 3) + _bodies(150, 5))
    b, r = lsh.bands(0.5, 64)
    keys = lsh.band_keys(sig, b, r)
    earlier, later = lsh.candidate_pairs(keys, cap=cap)
    assert set(zip(earlier.tolist(), later.tolist(), strict=True)) == _capped_pairs(keys, cap)
    parts = list(lsh.candidate_chunks(keys, cap=cap, most=101))
    assert sum(len(e) for e, _ in parts) == len(earlier)  # no pair in two parts


@pytest.mark.parametrize("seed", [1, 2])
def test_near_pairs_are_the_banded_pairs_at_the_threshold_in_the_order_the_rule_reads(
    seed: int,
) -> None:
    sig = _signatures(_bodies(300, seed) + _templated(60, seed))
    b, r = lsh.bands(0.5, 64)
    earlier, later, share, compared = lsh.near_pairs(sig, 0.5, b, r, cap=10**6)
    candidates, candidates_later = lsh.candidate_pairs(lsh.band_keys(sig, b, r), cap=10**6)
    assert compared == len(candidates)
    similar = lsh.similarities(sig, candidates, candidates_later)
    banded = lsh.share_a_band(sig, candidates, candidates_later, b, r)
    at = np.flatnonzero(banded & (similar >= 0.5))
    expected = sorted(
        zip(
            candidates_later[at].tolist(),
            (-similar[at]).tolist(),
            candidates[at].tolist(),
            strict=True,
        )
    )
    assert len(expected) > 100
    got = list(zip(later.tolist(), (-share).tolist(), earlier.tolist(), strict=True))
    assert got == expected  # each pair once, by later row, then most similar, then earliest


@pytest.mark.parametrize("num_perm", [64, 20, 65, 128])
def test_low_nibbles_never_rule_out_a_pair_the_whole_values_keep(num_perm: int) -> None:
    rng = np.random.default_rng(num_perm)
    sig = rng.integers(0, 2**32, size=(400, num_perm), dtype=np.uint32)
    sig[200:] = sig[:200]  # copies, then a share of values changed in each
    changed = rng.random((200, num_perm)) < rng.random((200, 1))
    sig[200:][changed] = rng.integers(0, 2**32, size=int(changed.sum()), dtype=np.uint32)
    sig[:50, :8] = (sig[:50, :8] & ~np.uint32(0xF)) | 7  # equal low nibbles, unequal values
    earlier = np.repeat(np.arange(200), 2)
    later = np.concatenate([np.arange(200, 400), np.roll(np.arange(200), 1)])
    low = lsh.low_nibbles(sig)
    assert low is not None and low.dtype == np.uint8 and low.shape[1] % 8 == 0
    assert low.nbytes <= sig.nbytes // 8 + 8 * len(sig)  # two values a byte, whole words
    whole = lsh.similarities(sig, earlier, later)
    bound = lsh.low_similarities(low, earlier, later, num_perm)
    assert (bound >= whole).all() and (bound > whole).any()
    # The bound is the share of equal low nibbles, padding aside.
    nibbles = sig & 0xF
    assert bound.tolist() == lsh.similarities(nibbles, earlier, later).tolist()
    assert lsh.low_nibbles(sig.astype(np.float64)) is None


def _mapped(sig: np.ndarray) -> np.ndarray:
    column = SpilledArray.of(sig)
    spill_arrays([column])
    loaded = column.load()
    assert mapping(loaded) is not None
    return loaded


def test_near_pairs_of_a_mapped_signature_column_are_those_of_the_array() -> None:
    sig = _signatures(_bodies(300, 3) + _templated(60, 3))
    b, r = lsh.bands(0.5, 64)
    got = lsh.near_pairs(_mapped(sig), 0.5, b, r, cap=10**6)
    expected = lsh.near_pairs(sig, 0.5, b, r, cap=10**6)
    assert len(expected[0]) > 100
    assert all((g == e).all() for g, e in zip(got[:3], expected[:3], strict=True))
    assert got[3] == expected[3]


def _resident_file_kib() -> int:
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("RssFile"))


@pytest.mark.skipif(not os.path.exists("/proc/self/status"), reason="Linux memory counters")
def test_rows_read_at_random_hold_a_span_of_a_mapped_column_at_a_time(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Reading the rows of candidate pairs, scattered over a 32 MiB mapped column, keeps a few
    MiB of its pages at a time (the kernel maps the cached pages around each row read)."""
    sig = np.arange(131_072 * 64, dtype=np.uint32).reshape(131_072, 64)
    loaded = _mapped(sig)
    held: list[int] = []
    let_go = lsh.drop_pages

    def drop_pages(array: np.ndarray) -> None:
        held.append(_resident_file_kib())
        let_go(array)

    monkeypatch.setattr(lsh, "drop_pages", drop_pages)
    start = _resident_file_kib()
    rows = np.sort(np.random.default_rng(1).choice(len(sig), 20_000, replace=False))
    got = lsh.rows_in_order(loaded, rows)
    assert (got == sig[rows]).all()
    assert len(held) >= 8
    assert max(held) - start < 2 * lsh._SPAN // 1024 + 1024, (start, held)
    monkeypatch.setattr(lsh, "drop_pages", let_go)
    loaded[rows]  # the same rows at once: the whole column comes back
    assert _resident_file_kib() - start > 24 * 1024
    assert (lsh.rows_in_order(sig, rows) == sig[rows]).all()  # an array in memory as it is


def test_renumbered_writes_the_numbers_in_place_where_they_fit() -> None:
    numbers = np.array([7, 3, 11, 2**31 - 1], dtype=np.int64)
    values = np.array([3, 0, 0, 2, 1], dtype=np.int32)
    got = lsh.renumbered(values, numbers)
    assert got is values and got.tolist() == [2**31 - 1, 7, 7, 11, 3]
    wide = np.array([0, 2**31], dtype=np.int64)
    small = np.array([1, 0], dtype=np.int32)
    got = lsh.renumbered(small, wide)
    assert got is not small and got.tolist() == [2**31, 0] and small.tolist() == [1, 0]


def test_the_pairs_at_the_threshold_are_two_32_bit_columns_of_one_buffer() -> None:
    sig = _signatures(_bodies(200, 4) + _templated(40, 4))
    b, r = lsh.bands(0.5, 64)
    earlier, later, _, _ = lsh.near_pairs(sig, 0.5, b, r)
    assert len(earlier) > 50 and earlier.dtype == later.dtype == np.int32
    assert earlier.base is not None and earlier.base is later.base  # views of one buffer
    assert (earlier < later).all()


def test_blocks_join_to_the_parts_appended_whatever_the_block_size(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(lsh, "_BLOCK_KEYS", 5)
    rng = np.random.default_rng(2)
    parts = [rng.integers(-(2**62), 2**62, size=k) for k in (0, 3, 5, 11, 1, 0, 7)]
    blocks = lsh.Blocks()
    for part in parts:
        blocks.append(part)
    assert len(blocks) == 27
    assert blocks.joined().tolist() == np.concatenate(parts).tolist()
    assert len(blocks) == 0 and blocks.joined().tolist() == []
