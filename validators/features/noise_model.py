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


#: Rows scored at once: all trees walk a block of rows together (arrays of rows × trees).
BLOCK = 256
#: Rows explained at once (rows × trees × features of contributions).
EXPLAIN_BLOCK = 64
#: Distinct rows scored at a time (their leaves: rows × trees node numbers, kept for the reasons).
SCORE_BLOCK = 8192


@dataclass(frozen=True)
class NoiseModel:
    """All trees' nodes in flat arrays (each tree's nodes in a row of ``roots``' order): a leaf
    points to itself with an infinite threshold, so the trees are walked together, for a
    block of rows, in a few array operations per step (``leaves``)."""

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

        The trees are walked deepest first (``_walk``): at step k only the trees deeper than k
        are still moving, a contiguous slice, so a shallow tree is not walked the deepest
        tree's steps. A node's two children sit side by side (``_children``): one look-up a step."""
        order, moving = self._walk
        children = self._children
        width = x.shape[1]
        reached = np.empty((len(x), len(self.roots)), dtype=np.int64)
        for start in range(0, len(x), BLOCK):
            block = x[start : start + BLOCK]
            flat = block.ravel()
            row_base = (np.arange(len(block), dtype=np.int64) * width)[:, None]
            node = np.repeat(self.roots[order][None, :], len(block), axis=0)
            for trees in moving:
                at = node[:, :trees]
                goes_right = ~(flat[row_base + self.feature[at]] <= self.threshold[at])
                node[:, :trees] = children[2 * at + goes_right]
            reached[start : start + len(block), order] = node
        return reached

    @cached_property
    def _walk(self) -> tuple[np.ndarray, list[int]]:
        """(the trees, deepest first; for each step, how many of them are still moving)."""
        deepest = np.zeros(len(self.roots), dtype=np.int64)
        frontier, tree, step = self.roots, np.arange(len(self.roots)), 0
        while len(frontier):
            inner = self.left[frontier] != frontier
            frontier, tree = frontier[inner], tree[inner]
            step += 1
            deepest[tree] = step
            frontier, tree = np.concatenate((self.left[frontier], self.right[frontier])), np.concatenate((tree, tree))
        order = np.argsort(-deepest, kind="stable")
        return order, [int((deepest > k).sum()) for k in range(int(deepest.max(initial=0)))]

    @cached_property
    def _children(self) -> np.ndarray:
        """Node n's left child at 2n, its right child at 2n + 1."""
        return np.stack((self.left, self.right), axis=1).ravel()

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

            _ = (self._walk, self._children, self.path_contributions)  # each worked out once, before the threads share it
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
