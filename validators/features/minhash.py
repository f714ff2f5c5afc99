"""MinHash signatures (rensa's R-MinHash, in Rust) and LSH banding in NumPy, for near-duplicate
search in near-linear time.

A text is the set of its words (folded as ``duplicate.canonical`` folds them). Its signature
has ``NUM_PERM`` positions, each the least of a seeded hash over the words that fall to it
(rensa's ``RMinHash``, full-set: the order and repeats of the words do not matter); the share
of equal positions estimates the Jaccard similarity of two word sets. The signature of a union
is the least of its parts' at each position (the whole-file signatures rely on it: the tests
check it). LSH cuts a signature into ``BANDS`` bands of ``ROWS`` values: texts that agree on a
whole band become candidates, so only those are compared, never all pairs. With 21 bands of 3,
a pair at Jaccard 0.6 is a candidate with probability 1 - (1 - 0.6³)²¹ ≈ 0.994.

Signatures of a text depend on nothing else (and rensa's version: it keys the feature cache),
so they are cached per file.
"""

from __future__ import annotations

import array

import numpy as np
import rensa

NUM_PERM = 63
BANDS = 21
ROWS = 3
EMPTY = np.uint32(0xFFFFFFFF)  # every position of a text without words
SEED = 20261123  # fixed: signatures must agree between runs and caches
_CHUNK = 4_096  # texts per call: bounds their word lists and the rows rensa hands back as lists
_PAIR_BLOCK = 200_000  # candidate pairs compared per block
WINDOW = 4  # within a band's group, each row is also compared with this many rows before it


def signatures(forms: list[str]) -> np.ndarray:
    """(n, NUM_PERM) uint32 signatures of the words of each canonical form (words between single
    spaces); a text without words gets all ``EMPTY``. The words are split a block at a time: as
    string objects they take ten times the text's memory."""
    out = np.empty((len(forms), NUM_PERM), dtype=np.uint32)
    for begin in range(0, len(forms), _CHUNK):
        out[begin : begin + _CHUNK] = word_signatures([form.split() for form in forms[begin : begin + _CHUNK]])
    return out


def word_signatures(block: list[list]) -> np.ndarray:
    """(len(block), NUM_PERM) uint32 signatures of lists of words (str, or their UTF-8 bytes:
    rensa hashes a str as its UTF-8 bytes, so both give the same signature)."""
    try:
        matrix = rensa.RMinHash.digest_matrix_from_token_sets(block, NUM_PERM, SEED)
    except UnicodeEncodeError:  # a lone surrogate (undecodable bytes kept): its bytes, as decoded
        block = [[w.encode("utf-8", "surrogatepass") if isinstance(w, str) else w for w in words] for words in block]
        matrix = rensa.RMinHash.digest_matrix_from_token_sets(block, NUM_PERM, SEED)
    values = array.array("I")
    for row in matrix.to_rows():
        values.extend(row)
    return np.frombuffer(values, dtype=np.uint32).reshape(-1, NUM_PERM)


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
    kept_a, kept_b, kept_sim = [], [], []
    low = sigs.astype(np.uint8)  # each value's low byte
    for band in range(BANDS):
        part = sigs[rows, band * ROWS : (band + 1) * ROWS]
        order, boundary = _band_groups(part)
        members = rows[order]
        del order, part
        # Link each row to the first row of its group and to the WINDOW rows before it:
        # enough for true pairs (they share many bands), bounded for common band values.
        starts = np.flatnonzero(boundary)
        in_group = ~boundary[1:]  # row i + 1 is in row i's group
        if not in_group.any():
            continue
        group_start = starts[np.cumsum(boundary) - 1]
        # The WINDOW rows after a group's first are linked to it by the window: each pair once
        # within the band.
        linked = np.arange(len(members)) - group_start > WINDOW
        pairs_a, pairs_b = [members[group_start[linked]]], [members[linked]]
        del group_start, linked
        same = in_group
        for back in range(1, WINDOW + 1):
            if back > 1:  # rows back apart are in one group when every step between them is
                same = same[:-1] & in_group[back - 1 :]
            pairs_a.append(members[:-back][same])
            pairs_b.append(members[back:][same])
        # A pair that several bands propose is compared again in each (few: true pairs are
        # rare), but only one band's candidates are held at a time.
        a, b = np.concatenate(pairs_a), np.concatenate(pairs_b)
        del pairs_a, pairs_b
        sim = np.zeros(len(a))
        for begin in range(0, len(a), _PAIR_BLOCK):
            block_a, block_b = a[begin : begin + _PAIR_BLOCK], b[begin : begin + _PAIR_BLOCK]
            # Values are equal only where their low bytes are: the count of equal low bytes (a
            # quarter of the memory read) bounds the similarity; the values of the pairs it
            # does not rule out are compared.
            bound = np.count_nonzero(low[block_a] == low[block_b], axis=1) / NUM_PERM
            maybe = np.flatnonzero(bound >= threshold)
            sim[begin + maybe] = np.count_nonzero(sigs[block_a[maybe]] == sigs[block_b[maybe]], axis=1) / NUM_PERM
        keep = sim >= threshold
        kept_a.append(a[keep])
        kept_b.append(b[keep])
        kept_sim.append(sim[keep])
    if not kept_a:
        return best, best_sim
    a, b, sim = np.concatenate(kept_a), np.concatenate(kept_b), np.concatenate(kept_sim)
    # For each later row, the earliest similar row: sort by (b, a) and take the first per b.
    order = np.lexsort((a, b))
    a, b, sim = a[order], b[order], sim[order]
    first = np.concatenate(([True], b[1:] != b[:-1])) if len(b) else np.array([], dtype=bool)
    best[b[first]] = a[first]
    best_sim[b[first]] = sim[first]
    return best, best_sim


_MIX = (np.uint64(0x9E3779B97F4A7C15), np.uint64(0xC2B2AE3D27D4EB4F), np.uint64(0x165667B19E3779F9))


def _band_groups(part: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The order that puts rows with equal band values (the rows of ``part``) together, rows
    ascending within each group (the sort is stable), and where each group starts in it. The
    order of the groups does not matter: one stable sort of a 64-bit mix of the values instead of
    a sort by each value. Two different band values with the same mix (rare as two equal 64-bit
    hashes) would share a run: then the values are sorted themselves."""
    key = np.zeros(len(part), dtype=np.uint64)
    for column, mix in zip(part.T, _MIX, strict=False):
        key ^= column.astype(np.uint64) * mix
        key = (key << np.uint64(29)) | (key >> np.uint64(35))
    order = np.argsort(key, kind="stable")
    key = key[order]
    boundary = np.concatenate(([True], key[1:] != key[:-1]))
    same_key = np.flatnonzero(~boundary[1:])  # order[i] and order[i + 1] share a mix
    if len(same_key) and (part[order[same_key]] != part[order[same_key + 1]]).any():
        order = np.lexsort(part.T[::-1])
        ordered = part[order]
        boundary = np.concatenate(([True], (ordered[1:] != ordered[:-1]).any(axis=1)))
    return order, boundary
