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
_PAIR_BLOCK = 200_000  # rows of a band's groups whose candidate pairs are compared at a time
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
    return signature_rows(values)


def signature_rows(buffer) -> np.ndarray:
    """Signatures stored one after another (any bytes-like object: an array, the cache's
    mapped buffer, bytes) as an n × ``NUM_PERM`` uint32 array viewing the same memory."""
    return np.frombuffer(buffer, dtype=np.uint32).reshape(-1, NUM_PERM)


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
    # Each row's earliest similar row so far (``n``: none): a site's pages can all be alike,
    # and their pairs, kept to be sorted, were a hundred times the rows.
    earliest = np.full(n, n, dtype=np.int64)
    low = sigs.astype(np.uint8)  # each value's low byte

    def keep(a: np.ndarray, b: np.ndarray, equal_low: np.ndarray) -> None:
        """Pairs (a, b), a before b, whose low bytes agree at ``equal_low`` positions: values
        are equal only where their low bytes are, so that bounds the similarity; the rest are
        compared whole."""
        maybe = np.flatnonzero(equal_low / NUM_PERM >= threshold)  # the similarity's own formula, below
        a, b = a[maybe], b[maybe]
        similar = np.count_nonzero(sigs[a] == sigs[b], axis=1) / NUM_PERM >= threshold
        np.minimum.at(earliest, b[similar], a[similar])

    for band in range(BANDS):
        order, boundary = _band_groups(sigs[rows, band * ROWS : (band + 1) * ROWS])
        # Only rows of groups of two or more have candidates.
        in_group = ~boundary[1:]  # position i + 1 is in position i's group
        if not in_group.any():
            continue
        paired = np.concatenate((in_group, [False])) | np.concatenate(([False], in_group))
        members, boundary = rows[order[paired]], boundary[paired]
        del order, paired
        in_group = ~boundary[1:]
        # Link each row to the first row of its group and to the WINDOW rows before it:
        # enough for true pairs (they share many bands), bounded for common band values.
        # The WINDOW rows after a group's first are linked to it by the window: each pair once
        # within the band.
        group_start = np.flatnonzero(boundary)[np.cumsum(boundary) - 1]
        far = np.flatnonzero(np.arange(len(members)) - group_start > WINDOW)
        a, b = members[group_start[far]], members[far]
        keep(a, b, np.count_nonzero(low[a] == low[b], axis=1))
        del group_start, far, a, b
        # Pairs a few rows apart in the group order: a block of rows' low bytes is gathered once
        # (with the WINDOW rows before it), and each distance compares two slices of it.
        together = [in_group]  # together[back - 1][i]: positions i and i + back are in one group
        for back in range(2, WINDOW + 1):
            together.append(together[-1][:-1] & in_group[back - 1 :])
        for begin in range(0, len(members), _PAIR_BLOCK):
            end = min(begin + _PAIR_BLOCK, len(members))
            base = max(0, begin - WINDOW)
            block = low[members[base:end]]
            for back in range(1, WINDOW + 1):
                first = max(begin, back)  # the later row of each pair: first .. end
                if first >= end:
                    continue
                pair = np.flatnonzero(together[back - 1][first - back : end - back])
                if not len(pair):
                    continue
                later = first - base + pair
                equal_low = np.count_nonzero(block[later] == block[later - back], axis=1)
                keep(members[later + base - back], members[later + base], equal_low)
    found = np.flatnonzero(earliest < n)
    best[found] = earliest[found]
    best_sim[found] = np.count_nonzero(sigs[earliest[found]] == sigs[found], axis=1) / NUM_PERM
    return best, best_sim


_MIX = (np.uint64(0x9E3779B97F4A7C15), np.uint64(0xC2B2AE3D27D4EB4F), np.uint64(0x165667B19E3779F9))


def _band_groups(part: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The order that puts rows with equal band values (the rows of ``part``) together, rows
    ascending within each group, and where each group starts in it. The order of the groups does
    not matter: one sort of a 64-bit mix of the values instead of a sort by each value.

    The mix's low bits are replaced by the row's position, so that every sorted value is distinct
    and a plain sort (several times faster than a stable arg-sort) keeps a group's rows ascending.
    Different band values that share the mix's high bits (rare, like a hash collision) would
    share a run: such runs are then sorted by the values themselves."""
    n = len(part)
    key = np.zeros(n, dtype=np.uint64)
    for column, mix in zip(part.T, _MIX, strict=False):
        key ^= column.astype(np.uint64) * mix
        key = (key << np.uint64(29)) | (key >> np.uint64(35))
    position = np.uint64((1 << max(1, (n - 1).bit_length())) - 1)
    key &= ~position
    key |= np.arange(n, dtype=np.uint64)
    key.sort()
    order = (key & position).astype(np.intp)
    key &= ~position
    boundary = np.concatenate(([True], key[1:] != key[:-1]))
    del key
    at = np.flatnonzero(~boundary[1:])  # order[at] and order[at + 1] share the high bits: compare their values
    differ = (part[order[at]] != part[order[at + 1]]).any(axis=1)
    if differ.any():  # runs holding more than one band value: sorted by the values, then by row
        run = np.cumsum(boundary)
        mixed = np.flatnonzero(np.isin(run, run[at[differ]]))
        values = part[order[mixed]]
        resorted = np.lexsort((order[mixed], *values.T[::-1], run[mixed]))
        order[mixed], values = order[mixed][resorted], values[resorted]
        # Positions in ``mixed`` are ascending and a run's are adjacent: a new group starts within
        # a run where the values change.
        within = run[mixed][1:] == run[mixed][:-1]
        boundary[mixed[1:][within & (values[1:] != values[:-1]).any(axis=1)]] = True
    return order, boundary
