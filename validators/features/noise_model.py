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

import numpy as np

from ..errors import ConfigError
from .noise import FEATURES, describe

FORMAT = "corpus-validator noise model"
#: Scores at or above this get their reasons worked out (below, no threshold may sit).
EXPLAIN_FROM = 0.05
REASONS = 3


@dataclass(frozen=True)
class NoiseModel:
    features: tuple[str, ...]
    feature: np.ndarray  # all trees' nodes, concatenated; roots at ``roots``
    threshold: np.ndarray
    left: np.ndarray
    right: np.ndarray
    value: np.ndarray
    roots: np.ndarray
    bias: float
    calibration_raw: np.ndarray
    calibration_probability: np.ndarray
    version: str

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
            nodes: dict[str, list] = {k: [] for k in ("feature", "threshold", "left", "right", "value")}
            roots = []
            for tree in data["trees"]:
                offset = len(nodes["feature"])
                roots.append(offset)
                size = len(tree["feature"])
                if any(len(tree[k]) != size for k in nodes):
                    raise ConfigError(f"{source}: tree {len(roots) - 1}: node lists of different lengths")
                for f, t, lo, hi, v in zip(*(tree[k] for k in nodes), strict=True):
                    leaf = f < 0
                    if not leaf and not (0 <= f < len(features) and 0 <= lo < size and 0 <= hi < size):
                        raise ConfigError(f"{source}: tree {len(roots) - 1}: a node points outside the tree")
                    nodes["feature"].append(-1 if leaf else int(f))
                    nodes["threshold"].append(float(t))
                    nodes["left"].append(offset + (0 if leaf else int(lo)))
                    nodes["right"].append(offset + (0 if leaf else int(hi)))
                    nodes["value"].append(float(v))
            calibration = data["calibration"]
            raw = np.array(calibration["raw"], dtype=np.float64)
            probability = np.array(calibration["probability"], dtype=np.float64)
            if len(raw) < 2 or len(raw) != len(probability) or np.any(np.diff(raw) <= 0):
                raise ConfigError(f"{source}: calibration needs two or more increasing 'raw' points, one 'probability' each")
            return cls(
                features=features,
                feature=np.array(nodes["feature"], dtype=np.int64),
                threshold=np.array(nodes["threshold"], dtype=np.float64),
                left=np.array(nodes["left"], dtype=np.int64),
                right=np.array(nodes["right"], dtype=np.int64),
                value=np.array(nodes["value"], dtype=np.float64),
                roots=np.array(roots, dtype=np.int64),
                bias=float(data.get("bias", 0.0)),
                calibration_raw=raw,
                calibration_probability=probability,
                version=str(data.get("version", "")),
            )
        except ConfigError:
            raise
        except (KeyError, TypeError, ValueError) as exc:
            raise ConfigError(f"{source}: not a valid noise model: {type(exc).__name__}: {exc}") from None

    def _walk(self, x: np.ndarray, contributions: np.ndarray | None = None) -> np.ndarray:
        """The trees' summed output for each row of ``x`` (columns in ``self.features`` order);
        with ``contributions``, each split's change of value is added to its feature's column."""
        total = np.full(len(x), self.bias)
        rows = np.arange(len(x))
        for root in self.roots.tolist():
            node = np.full(len(x), root)
            while True:
                feature = self.feature[node]
                inner = feature >= 0
                if not inner.any():
                    break
                at, f = node[inner], feature[inner]
                goes_left = x[rows[inner], f] <= self.threshold[at]
                child = np.where(goes_left, self.left[at], self.right[at])
                if contributions is not None:
                    contributions[rows[inner], f] += self.value[child] - self.value[at]
                node[inner] = child
            total += self.value[node]
        return total

    def calibrated(self, raw: np.ndarray) -> np.ndarray:
        return np.interp(raw, self.calibration_raw, self.calibration_probability)

    def score(self, x: np.ndarray, names: list[str]) -> tuple[np.ndarray, list[str | None]]:
        """The probability of page furniture for each row of ``x`` (columns named ``names``),
        and for rows scoring ``EXPLAIN_FROM`` or more, the ``REASONS`` features that weigh most
        towards it, in words."""
        x = x[:, [names.index(f) for f in self.features]]
        probability = self.calibrated(self._walk(x))
        reasons: list[str | None] = [None] * len(x)
        explain = np.flatnonzero(probability >= EXPLAIN_FROM)
        if len(explain):
            contributions = np.zeros((len(explain), len(self.features)))
            self._walk(x[explain], contributions)
            for k, row in enumerate(explain.tolist()):
                order = np.argsort(-contributions[k], kind="stable")[:REASONS]
                words = [describe(self.features[f], x[row, f]) for f in order.tolist() if contributions[k, f] > 0]
                reasons[row] = ", ".join(words) or None
        return probability, reasons
