"""The noise model at run time: ``expectations/noise-model.json`` read, checked and evaluated
in NumPy (no training library is imported: the pre-commit hook runs this).

The file holds gradient-boosted decision trees over the noise features
(``validators/features/noise.py``), written by ``corpus-validator train-noise``
(``validators/train_noise.py``): the feature names in the order the trees index them; for
each tree its nodes (``feature`` −1 for a leaf, ``threshold``: go left when the value is at
most it, ``left``, ``right``, ``value``: the node's output, a leaf's or a split's mean); the
bias; and a calibration map (``raw`` margins to ``probability``, interpolated linearly)
fitted on scores of pages the trees did not train on. A paragraph's score is that
probability of page furniture.

The reasons given with a score are the features that pushed it up most on the paragraph's
path through the trees (each split adds the change of the node's value to the feature it
splits on).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from ..errors import ConfigError
from .noise import FEATURES, describe

FORMAT = "corpus-validator noise model"
#: Scores at or above this get their reasons worked out (below, no threshold may sit).
EXPLAIN_FROM = 0.05
REASONS = 3


#: Rows whose leaves are found at once (arrays of rows × every tree's splits: 2,800 splits for
#: the shipped model, about 4 MB a block). Fewer rows cost more calls; more miss the processor's cache.
BLOCK = 128
#: Leaves a tree may have: one bit each in a 64-bit mask (``leaves``). The training command's trees have 15.
MAX_LEAVES = 64
#: Rows explained at once (rows × trees × features of contributions).
EXPLAIN_BLOCK = 64
#: Distinct rows scored at a time (their leaves: rows × trees node numbers, kept for the reasons).
SCORE_BLOCK = 8192


@dataclass(frozen=True)
class NoiseModel:
    """All trees' nodes in flat arrays (each tree's nodes in a row of ``roots``' order; a leaf
    points to itself with an infinite threshold), and the trees' splits as ``leaves`` reads them
    (``_splits``)."""

    features: tuple[str, ...]
    feature: np.ndarray  # per node: the feature it splits on (0 for a leaf)
    threshold: np.ndarray  # go left when the value is at most this (+inf for a leaf)
    left: np.ndarray  # global node numbers; a leaf's children are itself
    right: np.ndarray
    value: np.ndarray
    roots: np.ndarray
    depth: int  # the deepest leaf's number of splits
    bias: float
    calibration_raw: np.ndarray
    calibration_probability: np.ndarray
    version: str
    #: The versions of the steps whose output its features are (``noise.feature_versions``) when
    #: it was trained; None for a model written before models recorded them.
    feature_versions: dict[str, str] | None = None

    @classmethod
    def parse(cls, source: str, text: str) -> NoiseModel:
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ConfigError(f"{source}:{exc.lineno}:{exc.colno}: not valid JSON: {exc.msg}") from None
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise ConfigError(f"{source}: not a noise model (needs \"format\": \"{FORMAT}\")")
        try:
            features = tuple(data["features"])
            unknown = [f for f in features if f not in FEATURES]
            if unknown:
                raise ConfigError(f"{source}: the model uses feature(s) this version does not compute: {', '.join(map(str, unknown))}")
            if len(set(features)) != len(features):
                raise ConfigError(f"{source}: a feature is named twice in 'features'")
            trees = data["trees"]
            if not isinstance(trees, list) or not trees:
                raise ConfigError(f"{source}: 'trees' must be a list of one tree or more (without, no paragraph would get a score)")
            keys = ("feature", "threshold", "left", "right", "value")
            sizes = np.array([len(tree["feature"]) for tree in trees], dtype=np.int64)
            for k, tree in enumerate(trees):
                if any(len(tree[key]) != sizes[k] for key in keys) or not sizes[k]:
                    raise ConfigError(f"{source}: tree {k}: node lists of different lengths, or none")
            offsets = np.cumsum(sizes) - sizes
            column = {key: np.array([v for tree in trees for v in tree[key]], dtype=np.float64) for key in keys}
            feature = column["feature"].astype(np.int64)
            leaf = feature < 0
            local = np.arange(len(feature)) - np.repeat(offsets, sizes)
            size = np.repeat(sizes, sizes)
            left, right = column["left"].astype(np.int64), column["right"].astype(np.int64)
            # Children come after their node (the training code writes nodes in pre-order): no cycles.
            bad = ~leaf & ((feature >= len(features)) | (left <= local) | (right <= local) | (left >= size) | (right >= size))
            if bad.any():
                tree = int(np.searchsorted(offsets, np.flatnonzero(bad)[0], side="right") - 1)
                raise ConfigError(f"{source}: tree {tree}: a node points outside the tree or back up it")
            here = np.arange(len(feature))
            base = np.repeat(offsets, sizes)
            left = np.where(leaf, here, left + base)
            right = np.where(leaf, here, right + base)
            threshold = np.where(leaf, np.inf, column["threshold"])
            leaf_counts = np.bincount(np.repeat(np.arange(len(trees)), sizes)[leaf], minlength=len(trees))
            if leaf_counts.max() > MAX_LEAVES:
                tree = int(np.argmax(leaf_counts))
                raise ConfigError(f"{source}: tree {tree} has {int(leaf_counts[tree])} leaves; this version reads trees of {MAX_LEAVES} leaves at most")
            depth, frontier = 0, offsets
            while (~leaf[frontier]).any():
                inner = frontier[~leaf[frontier]]
                frontier = np.concatenate((left[inner], right[inner]))
                depth += 1
            calibration = data["calibration"]
            raw = np.array(calibration["raw"], dtype=np.float64)
            probability = np.array(calibration["probability"], dtype=np.float64)
            if len(raw) < 2 or len(raw) != len(probability) or np.any(np.diff(raw) <= 0):
                raise ConfigError(f"{source}: calibration needs two or more increasing 'raw' points, one 'probability' each")
            bias = float(data.get("bias", 0.0))
            # JSON's NaN and Infinity would make every score NaN: no paragraph would ever fail.
            numbers = (column["value"], column["threshold"][~leaf], raw, probability, np.array([bias]))
            if not all(np.isfinite(values).all() for values in numbers):
                raise ConfigError(f"{source}: a threshold, value, bias or calibration point is not a finite number")
            if np.any((probability < 0) | (probability > 1)):
                raise ConfigError(f"{source}: calibration probabilities must lie from 0 to 1")
            return cls(
                features=features,
                feature=np.where(leaf, 0, feature),
                threshold=threshold,
                left=left,
                right=right,
                value=column["value"],
                roots=offsets,
                depth=depth,
                bias=bias,
                calibration_raw=raw,
                calibration_probability=probability,
                version=str(data.get("version", "")),
                feature_versions=_feature_versions(source, data.get("feature_versions")),
            )
        except ConfigError:
            raise
        except (KeyError, TypeError, ValueError, IndexError) as exc:
            raise ConfigError(f"{source}: not a valid noise model: {type(exc).__name__}: {exc}") from None

    def leaves(self, x: np.ndarray) -> np.ndarray:
        """The leaf each row of ``x`` (columns in ``self.features`` order) reaches in each tree:
        rows × trees, global node numbers.

        Each tree's leaves are bits of a mask, left to right; a split that sends a row right
        (its value not at most the threshold: a missing value, NaN, goes right) rules out the
        leaves of its left branch. For a block of rows, every split of every tree is tested at
        once, the leaves each tree's splits rule out are or-ed together, and the leaf reached
        is the leftmost left (QuickScorer: Lucchese et al., SIGIR 2015): a few array
        operations a block, where a walk down the trees took several a level."""
        feature, threshold, ruled_out, firsts, leaf_nodes = self._splits
        reached = np.empty((len(x), len(self.roots)), dtype=np.int64)
        trees = np.arange(len(self.roots))[None, :]
        for start in range(0, len(x), BLOCK):
            block = x[start : start + BLOCK]
            goes_left = block[:, feature] <= threshold  # rows × splits
            left = ~np.bitwise_or.reduceat(~goes_left * ruled_out, firsts, axis=1)  # rows × trees
            lowest = left & (~left + ruled_out.dtype.type(1))  # the lowest bit still set: the leftmost leaf left
            reached[start : start + len(block)] = leaf_nodes[trees, np.frexp(lowest.astype(np.float64))[1] - 1]
        return reached

    @cached_property
    def _splits(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """(feature, threshold and the mask of the leaves its left branch holds, of every split,
        tree by tree; where each tree's splits start; each tree's leaves, left to right, as
        global node numbers). A tree that is one leaf has one split, its leaf, which rules
        nothing out. Worked out level by level, in NumPy: a hook run scores a few hundred rows."""
        n = len(self.left)
        here = np.arange(n)
        inner = self.left != here
        tree = np.zeros(n, dtype=np.int64)
        levels, frontier = [], self.roots
        tree[frontier] = np.arange(len(frontier))
        while len(frontier):  # top down: each level's nodes, and each node's tree
            levels.append(frontier)
            frontier = frontier[inner[frontier]]
            children = np.concatenate((self.left[frontier], self.right[frontier]))
            tree[children] = np.concatenate((tree[frontier], tree[frontier]))
            frontier = children
        count = (~inner).astype(np.int64)  # leaves below each node
        for level in reversed(levels):
            split = level[inner[level]]
            count[split] = count[self.left[split]] + count[self.right[split]]
        offset = np.zeros(n, dtype=np.int64)  # the first of a node's leaves, left to right in its tree
        for level in levels:
            split = level[inner[level]]
            offset[self.left[split]] = offset[split]
            offset[self.right[split]] = offset[split] + count[self.left[split]]
        most = int(count[self.roots].max())
        bits = np.uint16 if most <= 16 else np.uint32 if most <= 32 else np.uint64  # narrower: fewer bytes a split
        leaf_nodes = np.zeros((len(self.roots), most), dtype=np.int64)
        leaves = here[~inner]
        leaf_nodes[tree[leaves], offset[leaves]] = leaves
        # Tree by tree, a lone leaf standing for its tree's one split.
        taken = inner.copy()
        taken[self.roots] = True
        nodes = here[taken]
        nodes = nodes[np.argsort(tree[nodes], kind="stable")]
        left = np.where(inner[nodes], self.left[nodes], nodes)
        one = np.uint64(1)  # a left branch has 63 leaves at most: no shift reaches bit 64
        branch = ((one << count[left].astype(np.uint64)) - one) << offset[left].astype(np.uint64)
        ruled_out = np.where(inner[nodes], branch, 0).astype(bits)
        firsts = np.searchsorted(tree[nodes], np.arange(len(self.roots)))
        return self.feature[nodes], self.threshold[nodes], ruled_out, firsts, leaf_nodes

    def raw(self, leaves: np.ndarray) -> np.ndarray:
        """The trees' summed output, tree by tree in order as the training library sums them
        (one tree's values at a time: no rows × trees array of them)."""
        if not leaves.shape[1]:
            return np.full(len(leaves), self.bias)
        total = self.value[leaves[:, 0]]
        for tree in range(1, leaves.shape[1]):
            total += self.value[leaves[:, tree]]
        return total + self.bias

    @cached_property
    def path_contributions(self) -> np.ndarray:
        """Per node × feature: the change of value each split on the way from its root to the
        node made, added to the feature split on (a leaf's row is its path's contributions)."""
        contributions = np.zeros((len(self.value), len(self.features)))
        frontier = self.roots
        for _ in range(self.depth):
            frontier = frontier[self.left[frontier] != frontier]  # inner nodes
            for child in (self.left[frontier], self.right[frontier]):
                contributions[child] = contributions[frontier]
                contributions[child, self.feature[frontier]] += self.value[child] - self.value[frontier]
            frontier = np.concatenate((self.left[frontier], self.right[frontier]))
        return contributions

    def calibrated(self, raw: np.ndarray) -> np.ndarray:
        return np.interp(raw, self.calibration_raw, self.calibration_probability)

    def score(self, x: np.ndarray, names: list[str], jobs: int = 1) -> tuple[np.ndarray, list[str | None]]:
        """The probability of page furniture for each row of ``x`` (columns named ``names``),
        and for rows scoring ``EXPLAIN_FROM`` or more, the ``REASONS`` features that weigh most
        towards it, in words.

        Each distinct row is scored once (a site's furniture repeats line for line across its
        pages), ``SCORE_BLOCK`` rows at a time, so memory is bounded by the blocks at work, not
        by rows × trees; in ``jobs`` threads (NumPy's array operations let go of the
        interpreter lock, so the blocks run on as many cores), each row's result the same."""
        order = [names.index(f) for f in self.features]
        # Already in the model's order (the check's matrix): not copied (a corpus's lines × features).
        x = np.ascontiguousarray(x if order == list(range(x.shape[1])) else x[:, order])
        distinct, inverse = _distinct_rows(x)
        probability = np.empty(len(distinct))
        reasons: list[str | None] = [None] * len(distinct)

        def score_block(begin: int) -> None:
            block = distinct[begin : begin + SCORE_BLOCK]
            leaves = self.leaves(block)
            scored = probability[begin : begin + len(block)] = self.calibrated(self.raw(leaves))
            explain = np.flatnonzero(scored >= EXPLAIN_FROM)
            for start in range(0, len(explain), EXPLAIN_BLOCK):
                rows = explain[start : start + EXPLAIN_BLOCK]
                contributions = self.path_contributions[leaves[rows]].sum(axis=1)
                ranked = np.argsort(-contributions, axis=1, kind="stable")[:, :REASONS]
                weighs = np.take_along_axis(contributions, ranked, axis=1) > 0
                for row, top, up in zip(rows.tolist(), ranked.tolist(), weighs.tolist(), strict=True):
                    words = [describe(self.features[f], block[row, f]) for f, positive in zip(top, up, strict=True) if positive]
                    reasons[begin + row] = ", ".join(words) or None

        starts = range(0, len(distinct), SCORE_BLOCK)
        if jobs > 1 and len(starts) > 1:
            from concurrent.futures import ThreadPoolExecutor

            _ = (self._splits, self.path_contributions)  # each worked out once, before the threads share it
            with ThreadPoolExecutor(min(jobs, len(starts))) as threads:
                list(threads.map(score_block, starts))
        else:
            for begin in starts:
                score_block(begin)
        return probability[inverse], [reasons[i] for i in inverse.tolist()]


#: An odd 64-bit constant (the golden ratio's): mixes each column's bits into a row's hash.
_MIX = np.uint64(0x9E3779B97F4A7C15)
#: Rows compared with the row their hash names at a time, in ``_distinct_rows``.
CHECK_BLOCK = 65536


def _distinct_rows(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct rows of ``x`` (float64, C order; compared byte for byte) and, per row of
    ``x``, its index among them.

    Each row's bytes are hashed to 64 bits and the hashes made distinct (sorting numbers, not
    rows of 41 values: a quarter of the time); then every row is compared with the row its hash
    names, and on a collision (two rows, one hash) the rows themselves are sorted instead."""
    if not len(x) or not x.shape[1]:
        return x, np.arange(len(x))
    bits = x.view(np.uint64)
    hashes = np.zeros(len(x), dtype=np.uint64)
    for column in bits.T:
        hashes ^= column
        hashes *= _MIX
        hashes ^= hashes >> np.uint64(29)
    _, first, inverse = np.unique(hashes, return_index=True, return_inverse=True)
    inverse = inverse.ravel()
    for start in range(0, len(x), CHECK_BLOCK):
        if not np.array_equal(bits[first[inverse[start : start + CHECK_BLOCK]]], bits[start : start + CHECK_BLOCK]):
            return _distinct_rows_sorted(x)
    return x[first], inverse


def _distinct_rows_sorted(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``_distinct_rows`` by sorting the rows' bytes."""
    keys = x.view(np.dtype((np.void, x.dtype.itemsize * x.shape[1]))).ravel()
    _, first, inverse = np.unique(keys, return_index=True, return_inverse=True)
    return x[first], inverse.ravel()


def _feature_versions(source: str, value) -> dict[str, str] | None:
    if value is None:
        return None
    if not isinstance(value, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in value.items()):
        raise ConfigError(f"{source}: 'feature_versions' must map each feature step's name to its version (strings)")
    return dict(value)
