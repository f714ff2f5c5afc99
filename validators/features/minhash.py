"""MinHash signatures and LSH banding in NumPy, for near-duplicate search in near-linear time.

A text is the set of its words (folded as ``duplicate.canonical`` folds them), each
hashed with CRC-32. Its signature is, for each of ``NUM_PERM`` universal hash functions,
the least hash of its words; the share of equal signature positions estimates the
Jaccard similarity of two word sets. LSH cuts a signature into ``BANDS`` bands of
``ROWS`` values: texts that agree on a whole band become candidates, so only those are
compared, never all pairs. With 21 bands of 3, a pair at Jaccard 0.6 is a candidate with
probability 1 - (1 - 0.6³)²¹ ≈ 0.994.

Signatures of a text depend on nothing else, so they are cached per file.
bench/duplicates.py compares this with datasketch on the same texts.
"""

from __future__ import annotations

import zlib

import numpy as np

NUM_PERM = 63
BANDS = 21
ROWS = 3
EMPTY = np.uint32(0xFFFFFFFF)
_RNG = np.random.default_rng(20261123)  # fixed: signatures must agree between runs and caches
_A = _RNG.integers(1, 2**63, NUM_PERM, dtype=np.uint64) | np.uint64(1)
_B = _RNG.integers(0, 2**63, NUM_PERM, dtype=np.uint64)
_CHUNK = 50_000  # texts per block: bounds the memory of the hashing step
_PAIR_BLOCK = 200_000  # candidate pairs compared per block
WINDOW = 4  # within a band's group, each row is also compared with this many rows before it


def word_hashes(words) -> np.ndarray:
    return np.fromiter({zlib.crc32(w.encode("utf-8", "surrogatepass")) for w in words}, dtype=np.uint64)


def signatures(word_sets: list[np.ndarray]) -> np.ndarray:
    """(n, NUM_PERM) uint32 signatures; a text without words gets all ``EMPTY``."""
    out = np.full((len(word_sets), NUM_PERM), EMPTY, dtype=np.uint32)
    for begin in range(0, len(word_sets), _CHUNK):
        block = word_sets[begin : begin + _CHUNK]
        sizes = np.fromiter((len(s) for s in block), dtype=np.int64, count=len(block))
        filled = np.flatnonzero(sizes)
        if not len(filled):
            continue
        flat = np.concatenate([block[i] for i in filled])
        offsets = np.concatenate(([0], np.cumsum(sizes[filled])[:-1]))
        for p in range(NUM_PERM):
            hashed = ((flat * _A[p] + _B[p]) >> np.uint64(32)).astype(np.uint32)
            out[begin + filled, p] = np.minimum.reduceat(hashed, offsets)
    return out


def similar_earlier(sigs: np.ndarray, usable: np.ndarray, threshold: float) -> tuple[np.ndarray, np.ndarray]:
    """For each row, the earliest earlier row whose estimated Jaccard similarity is at least
    ``threshold`` (-1 where none) and that similarity (0 where none).

    Within each band, rows with the same band value are linked to the first of them and
    to the ``WINDOW`` rows before them; each candidate pair is then checked on the whole
    signature. The candidates grow as rows times bands times window: linear.
    """
    n = len(sigs)
    rows = np.flatnonzero(usable)
    best = np.full(n, -1, dtype=np.int64)
    best_sim = np.zeros(n, dtype=np.float64)
    if len(rows) < 2:
        return best, best_sim
    pairs_a, pairs_b = [], []
    for band in range(BANDS):
        part = sigs[rows, band * ROWS : (band + 1) * ROWS]
        # By band value, then row: ``rows`` ascend and the sort is stable. Sorting the values'
        # columns directly is a fraction of np.unique's sort of them as opaque byte strings.
        order = np.lexsort(part.T[::-1])
        part, members = part[order], rows[order]
        grouped = np.cumsum(np.concatenate(([True], (part[1:] != part[:-1]).any(axis=1))))
        # Link each row to the first row of its group and to the WINDOW rows before it:
        # enough for true pairs (they share many bands), bounded for common band values.
        starts = np.flatnonzero(np.concatenate(([True], grouped[1:] != grouped[:-1])))
        leader = members[starts[np.searchsorted(starts, np.arange(len(members)), side="right") - 1]]
        linked = leader != members
        pairs_a.append(leader[linked])
        pairs_b.append(members[linked])
        for back in range(1, WINDOW + 1):
            same = grouped[back:] == grouped[:-back]
            pairs_a.append(members[:-back][same])
            pairs_b.append(members[back:][same])
    a = np.concatenate(pairs_a)
    b = np.concatenate(pairs_b)
    if not len(a):
        return best, best_sim
    pair = np.sort(a * np.int64(n) + b)
    pair = pair[np.concatenate(([True], pair[1:] != pair[:-1]))]  # each candidate pair once
    a, b = pair // n, pair % n
    # Compare whole signatures in blocks: all pairs at once would hold pairs x NUM_PERM values.
    sim = np.empty(len(a))
    for begin in range(0, len(a), _PAIR_BLOCK):
        part = slice(begin, begin + _PAIR_BLOCK)
        sim[part] = (sigs[a[part]] == sigs[b[part]]).mean(axis=1)
    keep = sim >= threshold
    a, b, sim = a[keep], b[keep], sim[keep]
    # For each later row, the earliest similar row: sort by (b, a) and take the first per b.
    order = np.lexsort((a, b))
    a, b, sim = a[order], b[order], sim[order]
    first = np.concatenate(([True], b[1:] != b[:-1])) if len(b) else np.array([], dtype=bool)
    best[b[first]] = a[first]
    best_sim[b[first]] = sim[first]
    return best, best_sim
