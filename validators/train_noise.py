"""Train the noise model (``expectations/noise-model.json``) from labelled pages.

A labelled set is a folder with ``corpus/*.txt`` (one page per file) and ``labels.jsonl``
(one line per paragraph: ``{"file": "0001.txt", "para": 0, "label": "content" |
"boilerplate"}``, paragraph ``i`` being the file's i-th paragraph), and optionally
``manifest.jsonl`` (one line per page with ``file`` and ``source_html`` or ``url``: the
same page in two sets, a whole-page and an article-scope cut, then shares one group, so it
is never trained on in one and scored in the other).

The trees are LightGBM's (the ``[train]`` extra; imported only here, never by ``check``),
with fixed seeds and one thread: the same sets give the same file, byte for byte. The
calibration (isotonic, raw margin → probability) is fitted on out-of-fold margins (folds
grouped by page), and so are the suggested thresholds written into the file.

    corpus-validator train-noise LABELLED_DIR... -o expectations/noise-model.json
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .config import Config
from .errors import ConfigError
from .features.noise import FEATURES, FEATURES_ORDER, NEAR, WIDE, feature_versions
from .features.noise_model import FORMAT
from .ingest import read

VERSION = "1"
SEED = 13
FOLDS = 5
PARAMS = {
    "objective": "binary",
    "n_estimators": 200,
    "learning_rate": 0.05,
    "num_leaves": 15,
    "min_child_samples": 20,
    "subsample": 0.8,
    "subsample_freq": 1,
    "colsample_bytree": 0.8,
    "reg_lambda": 1.0,
    "deterministic": True,
    "force_row_wise": True,
    "n_jobs": 1,
    "verbose": -1,
}
#: The suggested thresholds: the lowest score at which out-of-fold precision reaches these.
ERROR_PRECISION = 0.95
REVIEW_PRECISION = 0.85
#: ... and the furnished threshold (BP103), for the other paragraphs of a file that already
#: has page furniture (a paragraph above the error threshold): the lowest score at which the
#: error level as a whole (BP100 and BP103) keeps this out-of-fold precision. A clean page
#: never fails on it alone.
FURNISHED_PRECISION = ERROR_PRECISION
#: ... and the error threshold is at least the one at which this share of the clean pages
#: (content-only cuts) would fail: a gate that fails clean articles gets switched off.
CLEAN_PAGES_FAILING = 0.02
CLEAN = " (content only)"
CLEAN_WEIGHT = 1.0


@dataclass
class Labelled:
    """Every labelled paragraph of some labelled sets, with its features."""

    x: np.ndarray  # features, FEATURES_ORDER
    y: np.ndarray  # 1 = boilerplate
    sets: list[str]  # the set each row comes from
    pages: list[str]  # the page (file name) in its set
    groups: list[str]  # the page across sets (its source), for grouped folds
    texts: list[str]
    template: np.ndarray  # the paragraph's template_files column (site template text, BP102)

    def take(self, rows) -> Labelled:
        rows = np.asarray(rows)
        return Labelled(self.x[rows], self.y[rows], [self.sets[r] for r in rows], [self.pages[r] for r in rows],
                        [self.groups[r] for r in rows], [self.texts[r] for r in rows], self.template[rows])  # fmt: skip


def _lightgbm():
    try:
        import lightgbm
        from sklearn.isotonic import IsotonicRegression
    except ImportError:
        raise ConfigError("train-noise needs the training libraries: pip install 'corpus-validator[train]'") from None
    return lightgbm, IsotonicRegression


#: A labelled paragraph's label (``labels.jsonl``).
LABELS = ("content", "boilerplate")


def read_jsonl(path: Path) -> list[dict]:
    try:
        with path.open(encoding="utf-8") as lines:
            return [json.loads(line) for line in lines if line.strip()]
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read: {exc}") from None


def load_labelled(folder: Path, config: Config | None = None, corpus: Path | None = None, labels: list[dict] | None = None) -> Labelled:
    """One labelled set's paragraphs and features (``corpus``/``labels`` replace the folder's own)."""
    from .pipeline import noise_features

    folder = Path(folder)
    corpus = corpus or folder / "corpus"
    if labels is None:
        labels = read_jsonl(folder / "labels.jsonl")
    manifest = read_jsonl(folder / "manifest.jsonl") if (folder / "manifest.jsonl").is_file() else []
    source = {m["file"]: m.get("source_html") or m.get("url") or m["file"] for m in manifest if "file" in m}
    for n, r in enumerate(labels, 1):
        if not (isinstance(r, dict) and isinstance(r.get("file"), str) and isinstance(r.get("para"), int) and r.get("label") in LABELS):
            raise ConfigError(f"{folder / 'labels.jsonl'}: line {n}: each line needs \"file\", \"para\" (a number) and \"label\" ({' or '.join(LABELS)})")
    by_key = {(r["file"], r["para"]): r["label"] for r in labels}
    if not corpus.is_dir():
        raise ConfigError(f"{corpus}: no such folder (a labelled set has corpus/ and labels.jsonl)")
    documents = read([corpus])
    frame, units = noise_features(documents, config or Config(cache=False))
    label_of_row = []
    for path, para in zip(frame["path"], frame["para"], strict=True):
        label_of_row.append(by_key.get((path.rsplit("/", 1)[-1], para)))
    found = sum(label is not None for label in label_of_row)
    if found != len(by_key):
        raise ConfigError(f"{folder}: {len(by_key) - found} labelled paragraphs are not paragraphs of {corpus}")
    # Each unit (a line of a paragraph) carries its paragraph's label.
    keep = [u for u, r in enumerate(units.row.tolist()) if label_of_row[r] is not None]
    rows = units.row[keep].tolist()
    pages = [frame["path"][r].rsplit("/", 1)[-1] for r in rows]
    name = folder.name
    return Labelled(units.x[keep], np.array([label_of_row[r] == "boilerplate" for r in rows], dtype=np.int64),
                    [name] * len(rows), pages, [source.get(p, f"{name}/{p}") for p in pages],
                    [frame["text"][r] for r in rows], np.array([frame["template_files"][r] for r in rows]))  # fmt: skip


def content_only(folder: Path, labelled: Labelled, scratch: Path, config: Config | None = None) -> Labelled:
    """The set's clean cut: each page's content paragraphs alone, in order, one file per page
    (written under ``scratch``), read as one corpus. Named ``<set> (content only)``."""
    corpus = Path(scratch) / folder.name / "corpus"
    corpus.mkdir(parents=True)
    labels, pages = [], {}
    for page, text, y in zip(labelled.pages, labelled.texts, labelled.y.tolist(), strict=True):
        if not y:
            pages.setdefault(page, []).append(text)
    for page, texts in pages.items():
        (corpus / page).write_text("\n\n".join(texts) + "\n", encoding="utf-8")
        labels += [{"file": page, "para": i, "label": "content"} for i in range(len(texts))]
    cut = load_labelled(folder, config, corpus=corpus, labels=labels)
    cut.sets = [folder.name + CLEAN] * len(cut.y)
    return cut


def with_clean_cuts(folders: list[Path], config: Config | None = None) -> dict[str, Labelled]:
    """Each labelled set, and the content-only cut of each (a cut identical to one already
    there, as a whole-page set's and its article-scope set's are, is left out)."""
    import tempfile

    sets: dict[str, Labelled] = {}
    seen = set()
    with tempfile.TemporaryDirectory() as scratch:
        for folder in map(Path, folders):
            sets[folder.name] = load_labelled(folder, config)
        for folder in map(Path, folders):
            cut = content_only(folder, sets[folder.name], Path(scratch), config)
            key = (tuple(cut.groups), tuple(cut.texts))
            if key not in seen:
                seen.add(key)
                sets[folder.name + CLEAN] = cut
    return sets


def concatenate(parts: list[Labelled]) -> Labelled:
    return Labelled(np.vstack([p.x for p in parts]), np.concatenate([p.y for p in parts]),
                    [s for p in parts for s in p.sets], [s for p in parts for s in p.pages],
                    [s for p in parts for s in p.groups], [s for p in parts for s in p.texts],
                    np.concatenate([p.template for p in parts]))  # fmt: skip


def weights(data: Labelled) -> np.ndarray:
    """Each labelled set weighs the same in all, whatever its number of paragraphs; a clean
    cut weighs ``CLEAN_WEIGHT`` of that (it repeats the content of a labelled set)."""
    sets, counts = np.unique(data.sets, return_counts=True)
    per_set = {s: len(data.y) / (len(sets) * c) * (CLEAN_WEIGHT if s.endswith(CLEAN) else 1.0)
               for s, c in zip(sets.tolist(), counts.tolist(), strict=True)}  # fmt: skip
    return np.array([per_set[s] for s in data.sets])


def folds(groups: list[str], k: int = FOLDS, seed: int = SEED) -> np.ndarray:
    """A fold number per row; all rows of one group in one fold (groups shuffled with ``seed``)."""
    unique = sorted(set(groups))
    order = np.random.default_rng(seed).permutation(len(unique))
    fold_of = {unique[i]: n % k for n, i in enumerate(order.tolist())}
    return np.array([fold_of[g] for g in groups])


def fit_trees(data: Labelled, seed: int = SEED):
    lightgbm, _ = _lightgbm()
    model = lightgbm.LGBMClassifier(random_state=seed, **PARAMS)
    model.fit(data.x, data.y, sample_weight=weights(data), feature_name=list(FEATURES_ORDER))
    return model


def margins(model, x: np.ndarray) -> np.ndarray:
    return model.booster_.predict(x, raw_score=True)


def out_of_fold(data: Labelled, k: int = FOLDS, seed: int = SEED) -> np.ndarray:
    """Each row's raw margin from trees that did not see its page."""
    fold = folds(data.groups, k, seed)
    raw = np.zeros(len(data.y))
    for n in range(k):
        held = fold == n
        if held.any() and (~held).any():
            raw[held] = margins(fit_trees(data.take(np.flatnonzero(~held)), seed), data.x[held])
    return raw


def calibration(raw: np.ndarray, y: np.ndarray, w: np.ndarray) -> tuple[list[float], list[float]]:
    """Isotonic map from margin to probability, as (raw, probability) points to interpolate."""
    _, IsotonicRegression = _lightgbm()
    iso = IsotonicRegression(out_of_bounds="clip", y_min=0.0, y_max=1.0)
    iso.fit(raw, y, sample_weight=w)
    xs, ys = iso.X_thresholds_.tolist(), iso.y_thresholds_.tolist()
    points: dict[float, float] = {}
    for x_, y_ in zip(xs, ys, strict=True):
        points[round(float(x_), 6)] = round(float(y_), 6)
    raw_points = sorted(points)
    if len(raw_points) < 2:
        raw_points = [raw_points[0] - 1, raw_points[0]]
        points[raw_points[0]] = points[raw_points[1]]
    return raw_points, [points[r] for r in raw_points]


def threshold_for(probability: np.ndarray, y: np.ndarray, precision: float, w: np.ndarray) -> float:
    """The lowest score at which the paragraphs scoring at least it are ``precision`` furniture
    (weighted by ``w``)."""
    order = np.argsort(-probability, kind="stable")
    hits = np.cumsum((y * w)[order])
    share = hits / np.cumsum(w[order])
    ok = np.flatnonzero(share >= precision)
    if not len(ok):
        return 1.0
    # Only where the score changes can a threshold sit: at the highest score left out.
    candidates = [i for i in ok.tolist() if i + 1 == len(order) or probability[order[i + 1]] < probability[order[i]]]
    if not candidates:
        return 1.0
    last = candidates[-1]
    return float(np.floor(probability[order[last + 1]] * 1e4) / 1e4) if last + 1 < len(order) else 0.0


def thresholds(probability: np.ndarray, data: Labelled) -> dict[str, float]:
    """The error and review thresholds: the lowest scores at which out-of-fold precision (each
    set weighing the same) reaches ``ERROR_PRECISION`` and ``REVIEW_PRECISION``. A paragraph
    scoring above a threshold is flagged."""
    clean = np.array([s.endswith(CLEAN) for s in data.sets])
    labelled = ~clean
    w = weights(data)[labelled]
    chosen = {name: threshold_for(probability[labelled], data.y[labelled], precision, w)
              for name, precision in (("error", ERROR_PRECISION), ("review", REVIEW_PRECISION))}  # fmt: skip
    if clean.any():
        chosen["error"] = max(chosen["error"], clean_pages_threshold(probability[clean], np.array(data.groups)[clean]))
    chosen["review"] = min(chosen["review"], chosen["error"])
    chosen["furnished"] = furnished_threshold(probability[labelled], data.take(np.flatnonzero(labelled)), chosen["error"], w)
    return chosen


def furnished_threshold(probability: np.ndarray, data: Labelled, error: float, w: np.ndarray) -> float:
    """The lowest score at which the error level (above ``error``, or above this in a file
    with a row above ``error``) keeps out-of-fold precision ``FURNISHED_PRECISION`` (weighted
    by ``w``): the clean-page limit raised the error threshold above where precision asked;
    in files that fail already, the furnished threshold gives that recall back."""
    above = probability > error
    furnished = furnished_files(probability, data.sets, data.pages, error) & ~above
    hits0, total0 = float((data.y * w)[above].sum()), float(w[above].sum())
    rows = np.flatnonzero(furnished)
    order = rows[np.argsort(-probability[rows], kind="stable")]
    if not len(order):
        return error
    share = (hits0 + np.cumsum((data.y * w)[order])) / (total0 + np.cumsum(w[order]))
    p = probability[order]
    ok = [i for i in np.flatnonzero(share >= FURNISHED_PRECISION).tolist() if i + 1 == len(order) or p[i + 1] < p[i]]
    if not ok:
        return error
    last = ok[-1]
    return min(error, float(np.floor(p[last + 1] * 1e4) / 1e4) if last + 1 < len(order) else 0.0)


def furnished_files(probability: np.ndarray, sets: list[str], pages: list[str], error: float) -> np.ndarray:
    """Per row: whether its file (``pages`` within ``sets``) has a row scoring above ``error``:
    page furniture already, so the rest of the file is read with the furnished threshold."""
    keys = list(zip(sets, pages, strict=True))
    furnished = {k for k, p in zip(keys, probability.tolist(), strict=True) if p > error}
    return np.array([k in furnished for k in keys], dtype=bool)


def clean_pages_threshold(probability: np.ndarray, pages: np.ndarray) -> float:
    """The lowest threshold at which at most ``CLEAN_PAGES_FAILING`` of the clean pages have a
    paragraph scoring above it."""
    highest = {}
    for page, p in zip(pages.tolist(), probability.tolist(), strict=True):
        highest[page] = max(highest.get(page, 0.0), p)
    ordered = sorted(highest.values(), reverse=True)
    allowed = int(CLEAN_PAGES_FAILING * len(ordered))
    return float(np.ceil(ordered[allowed] * 1e4) / 1e4) if allowed < len(ordered) else 0.0


def _tree(node: dict, features: dict) -> dict:
    """LightGBM's nested dump of one tree as flat node lists."""
    out = {"feature": [], "threshold": [], "left": [], "right": [], "value": []}

    def walk(n: dict) -> int:
        index = len(out["feature"])
        for key in out:
            out[key].append(0)
        if "leaf_value" in n:
            out["feature"][index] = -1
            out["value"][index] = n["leaf_value"]
            return index
        if n["decision_type"] != "<=":
            raise ValueError(f"unexpected split {n['decision_type']}")
        out["feature"][index] = n["split_feature"]
        out["threshold"][index] = n["threshold"]
        out["value"][index] = n["internal_value"]
        out["left"][index] = walk(n["left_child"])
        out["right"][index] = walk(n["right_child"])
        return index

    walk(node)
    return out


@dataclass
class Trained:
    trees: object  # the LightGBM model
    calibration: tuple[list[float], list[float]]
    thresholds: dict[str, float]

    def probability(self, x: np.ndarray) -> np.ndarray:
        return np.interp(margins(self.trees, x), *self.calibration)


def train(data: Labelled, seed: int = SEED) -> Trained:
    """Trees on all of ``data``; calibration and thresholds from its out-of-fold margins."""
    raw = out_of_fold(data, FOLDS, seed)
    points = calibration(raw, data.y, weights(data))
    chosen = thresholds(np.interp(raw, *points), data)
    return Trained(fit_trees(data, seed), points, chosen)


def to_json(trained: Trained, data: Labelled, sources: list[str], command: str) -> str:
    dump = trained.trees.booster_.dump_model()
    used = dump["feature_names"]
    if list(used) != list(FEATURES_ORDER):
        raise ValueError("the trees were trained on other features")
    importance = trained.trees.booster_.feature_importance(importance_type="gain")
    ranked = sorted(zip(used, importance.tolist(), strict=True), key=lambda item: -item[1])
    total = sum(v for _, v in ranked) or 1.0
    sets = sorted(set(data.sets))
    document = {
        "format": FORMAT,
        "version": VERSION,
        "command": command,
        "trained_on": {s: {"pages": len({p for p, t in zip(data.pages, data.sets, strict=True) if t == s}),
                            "paragraphs": int(sum(t == s for t in data.sets)),
                            "furniture": int(sum(y for y, t in zip(data.y.tolist(), data.sets, strict=True) if t == s))}
                       for s in sets},  # fmt: skip
        "sources": sources,
        "library": _library_versions(),
        "parameters": {**PARAMS, "random_state": SEED, "folds": FOLDS},
        "thresholds": trained.thresholds,
        "features": list(used),
        "feature_versions": feature_versions(),
        "feature_descriptions": {f: _description(f) for f in used},
        "importance": {name: round(value / total, 4) for name, value in ranked},
        "bias": 0.0,
        "calibration": {"raw": trained.calibration[0], "probability": trained.calibration[1]},
        "trees": [_tree(t["tree_structure"], used) for t in dump["tree_info"]],
    }
    # One line per tree and per calibration list: readable, and a retrained model diffs by tree.
    trees = document.pop("trees")
    calibration = document.pop("calibration")
    text = json.dumps(document, indent=1, ensure_ascii=False)[:-2]
    text += ',\n "calibration": {\n  "raw": ' + json.dumps(calibration["raw"]) + ',\n  "probability": '
    text += json.dumps(calibration["probability"]) + '\n },\n "trees": [\n'
    text += ",\n".join("  " + json.dumps(tree, separators=(",", ":")) for tree in trees) + "\n ]\n}\n"
    return text


def _description(name: str) -> str:
    template = FEATURES[name]
    if isinstance(template, tuple):
        return f"yes: {template[0]}; no: {template[1]}"
    return template.replace("{NEAR}", str(NEAR)).replace("{WIDE}", str(WIDE)).replace("{:g}", "N").replace("{:.0%}", "N %").replace("{:.1f}", "N")


def _library_versions() -> dict[str, str]:
    lightgbm, _ = _lightgbm()
    import sklearn

    return {"lightgbm": lightgbm.__version__, "scikit-learn": sklearn.__version__}


def main(folders: list[Path], output: Path, command: str, config: Config | None = None) -> dict:
    """Train on ``folders`` and write the model to ``output`` (atomically); returns its summary."""
    from .atomic import write_atomic

    _lightgbm()
    for folder in folders:
        if not (Path(folder) / "labels.jsonl").is_file():
            raise ConfigError(f"{folder}: not a labelled set (needs corpus/ and labels.jsonl)")
    data = concatenate(list(with_clean_cuts(folders, config).values()))
    if len(set(data.y.tolist())) < 2:
        raise ConfigError("the labelled sets need paragraphs of both labels")
    trained = train(data)
    text = to_json(trained, data, [Path(f).name for f in folders], command)
    write_atomic(output, text.encode("utf-8"))
    return {"paragraphs": len(data.y), "furniture": int(data.y.sum()), "thresholds": trained.thresholds}
