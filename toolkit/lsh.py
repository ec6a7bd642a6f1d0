"""Near-duplicate candidates by MinHash LSH banding over a whole corpus at once.

A signature matrix (one row of ``num_perm`` uint32 values per body) is cut into ``b`` bands of
``r`` values, the (b, r) that datasketch's MinHashLSH picks for the threshold, so that two
bodies are candidates exactly when datasketch would return one for the other: when they agree
on every value of at least one band. Band keys are hashed, sorted and grouped in numpy, a
band at a time (a bucket is one key of one band: what the judgement holds is one band's keys
and six bytes an entry, not arrays of every entry of every band); the candidate pairs (earlier,
later) of each bucket are made in bulk, their similarity estimated in bulk from the
signatures, and only the pairs at or above the threshold are left for the
sequential rule of the expectation (which earlier body a later one copies).

Why not an index library: datasketch's MinHashLSH is a dict of bytes per band, queried and
filled one body at a time from Python, with a LeanMinHash object a body: the corpus
judgement of 50,000 generated articles took 52 s with it and 5 s with this (same run). rensa
(Rust, measured on 50,000 bodies) computes signatures ten times faster but with its own
permutations, so its estimates, verdicts and the similarities messages quote
would change; its LSH needs num_perm divisible by the number of bands (datasketch's choice for
0.5 and 64 permutations is 14 bands of 4) and answers with a flag per body, not the pairs the
sequential rule needs. gaoya indexes strings only.

A bucket of a templated item (weather, market closes, scores: thousands of bodies agreeing on a
band) would give a quadratic number of pairs, so each body is paired with at most ``CAP`` of the
earlier bodies of a bucket, the earliest ones. The cost is at most ``CAP`` pairs a body and a
band, linear in the corpus whatever it holds.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from functools import lru_cache

import numpy as np

from toolkit.spilled import drop_pages, mapping

# Earlier bodies of one bucket that a later one is compared with: the first CAP of them. The
# first sighting of a template is among them, so every near-copy of it is still found; what a
# capped bucket can miss is a body that copies none of its first CAP, only a later one.
CAP = 256
_MIX = np.uint64(0x9E3779B97F4A7C15)
_FOLD = np.uint64(29)
# Candidate pairs made at once (a part of candidate_chunks): a few MB of index arrays, small
# beside the arrays of one entry per body and band.
PAIRS = 1 << 17
# Pairs whose similarity is estimated at once: a (chunk x num_perm) comparison stays small.
_CHUNK = 1 << 13


@lru_cache(maxsize=16)
def bands(threshold: float, num_perm: int) -> tuple[int, int]:
    """The (bands, rows) datasketch's MinHashLSH picks for ``threshold`` and ``num_perm`` (its
    default weights): of every (b, r) with b * r <= num_perm, the first that minimises the
    mean of the false positive and false negative probabilities, each an integral of the
    banding's S-curve. datasketch integrates with SciPy's quad, and importing it imports SciPy
    (some 40 MiB and half a second in every process, for two numbers): the integrands are
    polynomials, integrated here by Gauss-Legendre quadrature, which a test checks against
    datasketch over thresholds and permutation counts."""
    if not 0.0 <= threshold <= 1.0:
        raise ValueError("threshold must be in [0.0, 1.0]")
    if num_perm < 2:
        raise ValueError("Too few permutation functions")
    pairs = [(b, r) for b in range(1, num_perm + 1) for r in range(1, num_perm // b + 1)]
    b = np.array([p[0] for p in pairs], dtype=np.float64)[:, None]
    r = np.array([p[1] for p in pairs], dtype=np.float64)[:, None]
    x, w = np.polynomial.legendre.leggauss(_NODES)

    def integral(lo: float, hi: float, inside: bool) -> np.ndarray:
        s = (hi - lo) / 2 * x + (hi + lo) / 2
        candidate = 1 - (1 - s**r) ** b  # the probability that a pair of similarity s is one
        area: np.ndarray = ((candidate if inside else 1 - candidate) * w).sum(axis=1)
        return area * (hi - lo) / 2

    error = 0.5 * integral(0.0, threshold, True) + 0.5 * integral(threshold, 1.0, False)
    best = pairs[int(np.argmin(error))]
    if best[0] < 2:
        raise ValueError("The number of bands are too small (b < 2)")
    return best


# Gauss-Legendre nodes of bands(): enough that the weighted errors equal quad's to the last
# choice (the test sweeps thresholds and permutation counts).
_NODES = 200


def band_keys(
    sig: np.ndarray, b: int, r: int, salt: np.ndarray | None = None, rows: np.ndarray | None = None
) -> np.ndarray:
    """A 64-bit hash of each band of each signature, (n, b); ``salt`` (one uint64 a row) puts
    rows of different groups in different buckets. Pairs are checked against the bands
    themselves afterwards, so a collision of this hash costs a comparison, never a verdict.
    With ``rows``, of those rows of ``sig`` only (a block at a time: no copy of the rows)."""
    n = len(sig) if rows is None else len(rows)
    out = np.empty((n, b), dtype=np.uint64)
    for j in range(b):
        out[:, j] = band_key(sig, j, r, salt, rows)
    return out


def band_key(
    sig: np.ndarray, j: int, r: int, salt: np.ndarray | None = None, rows: np.ndarray | None = None
) -> np.ndarray:
    """Band ``j``'s column of ``band_keys``: what the judgement hashes when it reaches the
    band, so that the keys of every band are never all held."""
    n = len(sig) if rows is None else len(rows)
    out = np.empty(n, dtype=np.uint64)
    salted = None if salt is None else salt.astype(np.uint64)
    cols = slice(j * r, (j + 1) * r)
    with np.errstate(over="ignore"):
        for lo in range(0, n, _BLOCK):
            hi = min(lo + _BLOCK, n)
            block = sig[lo:hi, cols] if rows is None else sig[rows[lo:hi], cols]
            h = np.full(hi - lo, np.uint64(j) * _MIX, dtype=np.uint64)
            if salted is not None:
                h ^= salted[lo:hi]
            for c in range(r):
                h = (h ^ block[:, c].astype(np.uint64)) * _MIX
                h ^= h >> _FOLD
            out[lo:hi] = h
            del block
            drop_pages(sig)
    return out


# Signature rows hashed at a time: the pages a block reads of a mapped signature column
# (toolkit.spilled) are let go before the next, so that the column is not all in memory.
_BLOCK = 1 << 13


def candidate_pairs(
    keys: np.ndarray, cap: int | None = None, use: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """The (earlier, later) row pairs sharing a bucket of ``keys`` (n, b), each later row paired
    with at most ``cap`` earlier rows of each of its buckets (the earliest), without repeats,
    sorted by later row then earlier row. With ``use`` ((n, b) bool), only those buckets: a
    shard's (toolkit.shards), each bucket whole in one shard."""
    n = len(keys)
    chunks = [later * n + earlier for earlier, later in candidate_chunks(keys, cap, use)]
    code = sorted_distinct(np.concatenate(chunks)) if chunks else np.zeros(0, np.int64)
    return code % n, code // n


def candidate_chunks(
    keys: np.ndarray,
    cap: int | None = None,
    use: np.ndarray | None = None,
    most: int = PAIRS,
) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """``candidate_pairs`` a part at a time, each of at most ``most`` pairs (and one row's
    partners more): a corpus of templated copies has tens of millions of candidates, which
    must not all be held at once. A pair is made once, at the first band that makes it (the
    first whose bucket holds both rows with the earlier among the bucket's first ``cap``):
    near-copies agree on most bands, and each repeat would be compared again."""

    def entries(j: int, column: np.ndarray) -> np.ndarray | None:
        return None if use is None else np.flatnonzero(use[:, j])

    n, b = keys.shape
    return _chunks(n, b, lambda j: keys[:, j], entries, cap, most)


BandKeys = Callable[[int], np.ndarray]
# The entries of a band (its keys given) that take part: None for all.
Entries = Callable[[int, np.ndarray], np.ndarray | None]


def _chunks(
    n: int, b: int, keys_of: BandKeys, entries_of: Entries, cap: int | None, most: int
) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """``candidate_chunks`` over ``n`` rows and ``b`` bands, each band's keys asked of
    ``keys_of`` when it is reached. A band at a time: a bucket is one key of one band, and
    what is kept across bands is each entry's bucket number, 4 bytes an entry, to tell
    whether a pair was made in an earlier band."""
    cap = CAP if cap is None else cap
    pos = np.dtype(np.int32 if n < 2**31 else np.int64)
    # Each entry's bucket in its band, numbered from 1, negative where the entry comes after
    # the bucket's first ``cap`` (it is no earlier row of a pair there), 0 where it does not
    # take part: the sign stands for a place in the bucket, which took 2 bytes more an entry.
    bucket = np.zeros((n, b), dtype=pos)
    for j in range(b):
        column = keys_of(j)
        at = entries_of(j, column)
        entries = None if at is None else at.astype(pos)
        flat = column if entries is None else column[entries]
        del column, at
        order = np.argsort(flat, kind="stable")  # in a bucket: by row, corpus order
        new = np.empty(len(order), dtype=bool)
        new[:1] = True
        np.not_equal(flat[order[1:]], flat[order[:-1]], out=new[1:])
        del flat
        row = order.astype(pos) if entries is None else entries[order]
        del order, entries
        group = np.cumsum(new, dtype=pos)
        start_of = np.arange(len(row), dtype=pos)
        start_of[~new] = 0
        np.maximum.accumulate(start_of, out=start_of)
        within = np.arange(len(row), dtype=pos)
        within -= start_of  # each entry's place in its bucket
        np.negative(group, out=group, where=within >= cap)
        bucket[row, j] = group
        del group
        # The entries of buckets of two or more: each pairs with the first of its bucket's
        # entries before it, up to cap.
        alone = new.copy()
        alone[:-1] &= new[1:]
        del new
        at = np.flatnonzero(~alone)
        del alone
        yield from _band_pairs(bucket, j, row[at], start_of[at], within[at], cap, most, row)


def _band_pairs(
    bucket: np.ndarray,
    j: int,
    row: np.ndarray,
    first_of: np.ndarray,
    within: np.ndarray,
    cap: int,
    most: int,
    sorted_rows: np.ndarray,
) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """The pairs band ``j`` makes, not made in an earlier band, in parts of about ``most``:
    ``row`` the entries of its buckets of two or more (in bucket order), ``first_of`` where
    each one's bucket starts among ``sorted_rows`` (the band's rows in bucket order) and
    ``within`` its place in the bucket."""
    n = len(bucket)
    partners = np.minimum(within, cap)
    total = np.cumsum(partners, dtype=np.int64)
    ends = np.arange(most, int(total[-1]) if len(total) else 0, most, dtype=np.int64)
    cuts = np.searchsorted(total, ends)
    del total
    for lo, hi in itertools.pairwise([0, *np.unique(cuts).tolist(), len(row)]):
        if hi <= lo:
            continue
        part = partners[lo:hi].astype(np.int64)
        later = np.repeat(row[lo:hi], part)
        first = np.repeat(first_of[lo:hi], part)
        offset = np.arange(len(later)) - np.repeat(np.cumsum(part) - part, part)
        earlier = sorted_rows[first + offset]
        keep = ~_made_before(bucket, earlier, later, j)
        code = sorted_distinct(later[keep].astype(np.int64) * n + earlier[keep])
        del later, first, offset, earlier, keep  # not held while the caller works on the part
        yield code % n, code // n


def _made_before(
    bucket: np.ndarray, earlier: np.ndarray, later: np.ndarray, band: int
) -> np.ndarray:
    """Whether each pair, met in ``band``, is made in an earlier band too: both rows are in
    that band's bucket and the earlier is among its first ``cap`` (its number positive)."""
    made = np.zeros(len(earlier), dtype=bool)
    if not band:
        return made
    # Each pair's rows of the earlier bands gathered whole (one cache line a row), not one
    # band at a time: the judgement's most frequent random reads.
    for lo in range(0, len(earlier), _CHUNK):
        e, x = earlier[lo : lo + _CHUNK], later[lo : lo + _CHUNK]
        first = bucket[e, :band]
        same = first == np.abs(bucket[x, :band])
        same &= first > 0
        made[lo : lo + len(e)] = same.any(axis=1)
    return made


# Pair keys taken apart at a time (see _ordered).
_STEP = 1 << 18


def bucket_shards(keys: np.ndarray, shards: int) -> np.ndarray:
    """The shard of each bucket key (any shape): the same in every process, so that every
    member of a bucket lands in one shard."""
    return (keys % np.uint64(shards)).astype(np.int64)


def sorted_distinct(values: np.ndarray) -> np.ndarray:
    """The distinct values, sorted. (np.unique, in numpy 2.4, takes seconds on a million
    int64 where a sort takes a tenth of a second.)"""
    out = np.sort(values)
    if len(out) > 1:
        out = out[np.r_[True, out[1:] != out[:-1]]]
    return out


def first_of_codes(codes: np.ndarray) -> np.ndarray:
    """Where each code first appears, for codes numbered in order of first appearance (as
    pandas.factorize numbers them): first[c] is the position of the first c."""
    if not len(codes):
        return codes.astype(np.int64)
    seen = np.maximum.accumulate(codes)
    return np.flatnonzero(np.r_[True, seen[1:] > seen[:-1]])


def similarities(
    sig: np.ndarray, earlier: np.ndarray, later: np.ndarray, other: np.ndarray | None = None
) -> np.ndarray:
    """Each pair's estimated Jaccard similarity: the share of equal signature values, as
    datasketch's LeanMinHash.jaccard computes it. With ``other``, ``earlier`` are rows of
    ``other`` (another set of signatures: an archive's) and ``later`` rows of ``sig``.

    The pages of a mapped ``sig`` read here are kept: rows read at random bring back all of a
    mapping (the kernel maps the cached pages around each one read), and letting them go
    after each chunk only made them read again (a quarter more time at 200k articles):
    near_pairs reads only the rows of the pairs that ``low_nibbles`` cannot rule out."""
    first = sig if other is None else other
    share = np.zeros(len(earlier), dtype=np.float64)
    num_perm = sig.shape[1]
    for lo in range(0, len(earlier), _CHUNK):
        eq = first[earlier[lo : lo + _CHUNK]] == sig[later[lo : lo + _CHUNK]]
        share[lo : lo + _CHUNK] = trues(eq) / num_perm
    return share


def trues(eq: np.ndarray) -> np.ndarray:
    """The number of True in each row of ``eq`` (2-D bool): its bits packed and counted 64 at
    a time. count_nonzero along the rows sums them a row at a time, which was a sixth of the
    near-duplicate judgement."""
    bits = np.packbits(eq, axis=1)
    if bits.shape[1] % 8 == 0:
        bits = bits.view(np.uint64)
    ones = np.bitwise_count(bits)
    out: np.ndarray = ones[:, 0] if ones.shape[1] == 1 else ones.sum(axis=1, dtype=np.int64)
    return out


def verified(
    sig: np.ndarray, earlier: np.ndarray, later: np.ndarray, threshold: float, b: int, r: int
) -> tuple[np.ndarray, np.ndarray]:
    """Each pair's similarity, and whether it is at ``threshold`` and agrees on a whole band
    (``similarities``, ``share_a_band``), the rows of a part of the pairs at a time read in
    their order in ``sig`` (``rows_in_order``): of a mapped signature column, a few MB of
    pages at a time, not all of it."""
    share = np.zeros(len(earlier), dtype=np.float64)
    keep = np.zeros(len(earlier), dtype=bool)
    mapped = mapping(sig) is not None
    for lo in range(0, len(earlier), _CHUNK):
        e, x = earlier[lo : lo + _CHUNK], later[lo : lo + _CHUNK]
        local = sig
        if mapped:  # an array in memory is read where it is
            rows = sorted_distinct(np.concatenate([e, x]).astype(np.int64))
            local = rows_in_order(sig, rows)
            e, x = np.searchsorted(rows, e), np.searchsorted(rows, x)
        part = similarities(local, e, x)
        at = part >= threshold
        at[at] = share_a_band(local, e[at], x[at], b, r)
        share[lo : lo + len(e)] = part
        keep[lo : lo + len(e)] = at
    return share, keep


def rows_in_order(sig: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """``sig[rows]`` for sorted ``rows``; of a mapped ``sig``, read a span of the file at a
    time (``_SPAN`` bytes), letting go of each span's pages before the next: the kernel maps
    the cached pages around each one read, so rows read at random would bring it all back."""
    if mapping(sig) is None or not len(rows):
        picked: np.ndarray = sig[rows]
        return picked
    out = np.empty((len(rows), *sig.shape[1:]), dtype=sig.dtype)
    span = max(1, _SPAN // max(1, sig[:1].nbytes))
    cuts = np.searchsorted(rows, np.arange(span, int(rows[-1]) + 1, span)).tolist()
    for lo, hi in itertools.pairwise([0, *cuts, len(rows)]):
        if hi > lo:
            out[lo:hi] = sig[rows[lo:hi]]
            drop_pages(sig)
    return out


# Bytes of a mapped signature column read between two lets-go of its pages.
_SPAN = 4 << 20


def low_nibbles(sig: np.ndarray, rows: np.ndarray | None = None) -> np.ndarray | None:
    """The low four bits of each signature value, two values a byte, each row padded with
    zeros to whole 64-bit words: (n, 8 * ceil(num_perm / 16)) uint8 (of ``rows`` only, with
    ``rows``), made a block at a time and letting go of the pages read; None for signatures
    of other than unsigned integers. The share of equal low nibbles (``low_similarities``)
    bounds a pair's share of equal values from above, so that near_pairs reads the signature
    rows (at random: a mapped column's pages would all come back) only for the pairs it
    cannot rule out, and holds an eighth of the signatures meanwhile. (Two nibbles agree by
    chance one time in 16: a candidate pair agrees on some 8 of 64 with the band it shares,
    where the threshold asks for 32 at 0.5. Of the benchmark's 33 million candidates at 200k,
    66,783 are left to read, against 15,525 with whole low bytes, in the same time, for half
    the memory.)"""
    if sig.dtype.kind != "u":
        return None
    n, num_perm = (len(sig) if rows is None else len(rows)), sig.shape[1]
    width = -(-num_perm // 16) * 8
    out = np.zeros((n, width), dtype=np.uint8)
    pairs = num_perm // 2
    for lo in range(0, n, _BLOCK):
        hi = min(lo + _BLOCK, n)
        block = sig[lo:hi] if rows is None else sig[rows[lo:hi]]
        nibbles = (block & 0xF).astype(np.uint8)
        del block
        drop_pages(sig)
        out[lo:hi, :pairs] = nibbles[:, 0 : 2 * pairs : 2] | (nibbles[:, 1 : 2 * pairs : 2] << 4)
        if num_perm % 2:
            out[lo:hi, pairs] = nibbles[:, -1]
    return out


# The low three bits of each nibble of a word; the bytes' ones, to add a word's bytes up.
_LOW3 = np.uint64(0x7777777777777777)
_BYTES = np.uint64(0x0101010101010101)


def low_similarities(
    low: np.ndarray, earlier: np.ndarray, later: np.ndarray, num_perm: int
) -> np.ndarray:
    """Each pair's share of equal low nibbles (``low_nibbles``), which is at least its share
    of equal values (``similarities``): the rows XORed as 64-bit words, and the zero nibbles
    of each word counted by two additions and a popcount."""
    words = low.view(np.uint64)
    padding = low.shape[1] * 2 - num_perm  # zero nibbles in every row, equal in every pair
    share = np.zeros(len(earlier), dtype=np.float64)
    for lo in range(0, len(earlier), _CHUNK):
        x = words[earlier[lo : lo + _CHUNK]]
        x ^= words[later[lo : lo + _CHUNK]]
        # A nibble's high bit is set in ``y`` exactly when the nibble of ``x`` is not 0.
        y = x & _LOW3
        y += _LOW3
        y |= x
        y |= _LOW3
        np.invert(y, out=y)
        ones = np.bitwise_count(y)  # per word, at most 16: added up as bytes of one word
        if ones.shape[1] % 8:
            ones = np.pad(ones, ((0, 0), (0, 8 - ones.shape[1] % 8)))
        counts = ones.view(np.uint64)
        counts *= _BYTES
        counts >>= np.uint64(56)
        total = counts[:, 0] if counts.shape[1] == 1 else counts.sum(axis=1)
        share[lo : lo + len(x)] = (total.astype(np.int64) - padding) / num_perm
    return share


def share_a_band(
    sig: np.ndarray,
    earlier: np.ndarray,
    later: np.ndarray,
    b: int,
    r: int,
    other: np.ndarray | None = None,
) -> np.ndarray:
    """Whether each pair agrees on a whole band (is a candidate of datasketch's LSH); with
    ``other``, as ``similarities`` reads it."""
    first = sig if other is None else other
    out = np.zeros(len(earlier), dtype=bool)
    for lo in range(0, len(earlier), _CHUNK):
        eq = first[earlier[lo : lo + _CHUNK], : b * r] == sig[later[lo : lo + _CHUNK], : b * r]
        word = _as_word(eq)
        if word is None:
            out[lo : lo + _CHUNK] = eq.reshape(len(eq), b, r).all(axis=2).any(axis=1)
            continue
        # Band j is bits j*r .. j*r + r - 1 of the row's word.
        agree = out[lo : lo + _CHUNK]
        for j in range(b):
            band = np.uint64(((1 << r) - 1) << (j * r))
            agree |= (word & band) == band
    return out


def _as_word(rows: np.ndarray) -> np.ndarray | None:
    """Each row of ``rows`` (2-D bool, at most 64 columns) as one uint64, column i its bit i;
    None for wider rows. A band's test is then two operations on one word a pair, where
    ``all`` along a band's few values runs a row at a time in numpy (a fifth of the
    judgement of the near-copy corpus)."""
    if rows.shape[1] > 64:
        return None
    bits = np.zeros((len(rows), 8), dtype=np.uint8)
    bits[:, : (rows.shape[1] + 7) // 8] = np.packbits(rows, axis=1, bitorder="little")
    word: np.ndarray = bits.view("<u8")[:, 0]
    return word


def near_pairs(
    sig: np.ndarray,
    threshold: float,
    b: int,
    r: int,
    salt: np.ndarray | None = None,
    cap: int | None = None,
    shard: tuple[int, int] | None = None,
    rows: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    """The candidate pairs (earlier, later, similarity) at or above ``threshold``, sorted by
    later row, then similarity (highest first), then earlier row; and the number of pairs
    compared. With ``salt``, only rows of the same salt pair. With ``shard`` (k, of n), only
    the pairs of the buckets ``bucket_shards`` puts in shard k. With ``rows``, of those rows
    of ``sig`` only, numbered 0.. in their order (the signatures are not copied: at 200,000
    articles a copy is some 50 MB)."""
    n = len(sig) if rows is None else len(rows)

    def entries(j: int, column: np.ndarray) -> np.ndarray | None:
        return (
            None if shard is None else np.flatnonzero(bucket_shards(column, shard[1]) == shard[0])
        )

    num_perm = sig.shape[1]
    if n and n * n * (num_perm + 1) >= 2**63:
        raise ValueError(f"{n} signatures are more than one judgement can order")
    order_keys = Blocks()
    compared = 0
    low = low_nibbles(sig, rows)
    chunks = _chunks(n, b, lambda j: band_key(sig, j, r, salt, rows), entries, cap, PAIRS)
    for earlier, later in chunks:
        compared += len(earlier)
        if low is not None:
            # Equal values have equal low nibbles: a pair whose nibbles agree too seldom is
            # below the threshold, and only the others read their signature rows.
            maybe = low_similarities(low, earlier, later, num_perm) >= threshold
            earlier, later = earlier[maybe], later[maybe]
        first, second = (earlier, later) if rows is None else (rows[earlier], rows[later])
        share, keep = verified(sig, first, second, threshold, b, r)
        if salt is not None:
            keep &= salt[earlier] == salt[later]
        earlier, later, share = earlier[keep], later[keep], share[keep]
        # The count of equal values (the share is count / num_perm, recomputed so at the
        # end: the same floats), in the pair's one sort key.
        equal = np.rint(share * num_perm).astype(np.int64)
        order_keys.append((later * (num_perm + 1) + (num_perm - equal)) * n + earlier)
    earlier, later, share = _ordered(order_keys, n, num_perm)
    return earlier, later, share, compared


class Blocks:
    """An int64 column appended to a part at a time, held in blocks of ``_BLOCK_KEYS``
    values: each block is an allocation of its own (glibc maps one that large apart from its
    heap), so that what the judgement keeps is not scattered among its temporaries, which the
    heap could then not give back."""

    def __init__(self) -> None:
        self._blocks: list[np.ndarray] = []
        self._filled = 0  # values in the last block

    def __len__(self) -> int:
        return max(0, len(self._blocks) - 1) * _BLOCK_KEYS + self._filled

    def append(self, values: np.ndarray) -> None:
        at = 0
        while at < len(values):
            if not self._blocks or self._filled == _BLOCK_KEYS:
                self._blocks.append(np.empty(_BLOCK_KEYS, dtype=np.int64))
                self._filled = 0
            take = min(len(values) - at, _BLOCK_KEYS - self._filled)
            self._blocks[-1][self._filled : self._filled + take] = values[at : at + take]
            self._filled += take
            at += take

    def joined(self) -> np.ndarray:
        """The values as one array; the blocks are let go as they are copied."""
        out = np.empty(len(self), dtype=np.int64)
        at = 0
        blocks, self._blocks = self._blocks[::-1], []
        while blocks:
            block = blocks.pop()
            size = min(len(block), len(out) - at)
            out[at : at + size] = block[:size]
            at += size
            del block
        self._filled = 0
        return out


# 32 MiB blocks: glibc's largest mmap threshold.
_BLOCK_KEYS = 1 << 22


def _ordered(keys: Blocks, n: int, num_perm: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The pairs of ``keys`` once each (a pair made twice is a hash collision across bands),
    by later row, then similarity (highest first), then earlier row: each pair's key is the
    int64 ``(later * (num_perm + 1) + num_perm - equal) * n + earlier``, whose order is that
    order, so one sort in place orders them, and the keys are the only array of the pairs'
    length until they are taken apart (a corpus of templated copies has ten million pairs at
    the threshold). The blocks are let go as they are joined."""
    key = keys.joined()
    key.sort()
    if len(key) > 1:
        once = np.r_[True, key[1:] != key[:-1]]
        if not once.all():
            key = key[once]
        del once
    share = np.empty(len(key), dtype=np.float64)
    if n < 2**31:
        # Rows in 32 bits, both of a pair in the 8 bytes of its key, taken apart in place:
        # the pairs' one int64 array becomes their two int32 columns (views of it).
        places = np.ascontiguousarray(key).view(np.int32).reshape(len(key), 2)
    else:
        places = np.empty((len(key), 2), dtype=np.int64)
    for lo in range(0, len(key), _STEP):  # a block at a time: no int64 temporaries of all
        part = key[lo : lo + _STEP].copy()
        hi = lo + len(part)
        earlier = part % n
        part //= n
        later = part // (num_perm + 1)
        part %= num_perm + 1
        share[lo:hi] = (num_perm - part) / num_perm
        places[lo:hi, 0] = earlier
        places[lo:hi, 1] = later
    return places[:, 0], places[:, 1], share


def renumbered(values: np.ndarray, numbers: np.ndarray) -> np.ndarray:
    """``numbers[values]``, written over ``values`` a block at a time where the numbers fit
    their type: the pairs of a corpus of templated copies are tens of millions, and a second
    array of them is what the judgement's peak would be."""
    if values.dtype.kind != "i" or (
        len(numbers) and int(numbers.max()) > np.iinfo(values.dtype).max
    ):
        out: np.ndarray = numbers[values]
        return out
    for lo in range(0, len(values), _STEP):
        block = values[lo : lo + _STEP]
        block[...] = numbers[block]
    return values


def first_matches(
    n: int,
    earlier: np.ndarray,
    later: np.ndarray,
    share: np.ndarray,
    member: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """The sequential rule over the pairs ``near_pairs`` gives: in row order, a row matches the
    most similar earlier row that is still a member (the earliest of equals); a row that
    matches is no longer a member, so that copies are reported against the body they copy and
    are not compared with later ones. Rows start as members unless ``member`` says otherwise.
    Returns each row's match (-1 for none) and its similarity. The loop runs over the rows
    that have a pair only: a corpus without near-copies costs nothing here."""
    match = np.full(n, -1, dtype=np.int64)
    similarity = np.zeros(n, dtype=np.float64)
    if not len(later):
        return match, similarity
    alive = bytearray(np.ones(n, dtype=np.uint8) if member is None else member.astype(np.uint8))
    starts = np.flatnonzero(np.r_[True, later[1:] != later[:-1]])
    ends = np.r_[starts[1:], len(later)]
    # A row's earlier rows as Python ints when it is reached, not all at once: a corpus of
    # templated copies has some ten million pairs, and their ints would take 36 bytes each.
    for lo, hi, i in zip(starts.tolist(), ends.tolist(), later[starts].tolist(), strict=True):
        if not alive[i]:
            continue
        for k, j in enumerate(earlier[lo:hi].tolist(), start=lo):
            if alive[j]:
                match[i] = j
                similarity[i] = share[k]
                alive[i] = 0
                break
    return match, similarity
