"""The noise family's figures, cross-validated: every score is of pages the model did not
train on, and every threshold was chosen without them.

Reads the labelled sets where they lie (default: the four under ``../shared/eval`` beside
the repository, or beside its parent: ``boilerplate-dev``, ``boilerplate-dev-article``,
``readability``, ``readability-article``; each a folder of ``corpus/*.txt``,
``labels.jsonl`` and ``manifest.jsonl``). Two schemes:

- ``grouped``: five folds of pages, a page in one fold in every set (the whole-page and the
  article cut of one page are never split between training and scoring);
- ``across``: trained on one source's sets (trafilatura's: ``boilerplate-dev*``; Readability's:
  ``readability*``), scored on the other's.

Each model is trained as ``corpus-validator train-noise`` trains (``validators/train_noise.py``),
thresholds included (chosen on its own training pages' out-of-fold scores), written to the
model JSON and scored by the run-time code (``validators/features/noise_model.py``). A
paragraph is flagged at error level when its score is above the error threshold, or above
the furnished threshold in a file with a paragraph above the error threshold (BP103), or a
pattern with error severity (BP0xx) matches it or it is in three files or more
(BP102, site template text); a pattern counts at error level unless the model makes it a
warning as the check does (``validators.findings.arbitrate``: inside the story, at the
review threshold; anywhere, a dateline's, credit's or trailer's at the error threshold, in a
file with no other error); at any severity also above the review threshold or on any pattern (boilerplate is
the positive class).

Per set it prints precision and recall (all paragraphs, 40 characters or more, averaged
over pages), the content-only pages (each page's content paragraphs alone, in order, as one
file, checked in one corpus: the share of pages with a noise error, and the codes; with the
patterns arbitrated and not; ``--failures`` lists each such paragraph), a
precision/recall table of the score alone at several thresholds, and the worst false
alarms and misses with the features that weighed most.

The learner's row and feature sampling follow a seed (default the shipped model's): one
seed's thresholded figures move by up to 0.05 with the seed alone, so compare a change over
several. With more than one ``--seed``, each seed is evaluated in full and a table prints,
per scheme and set, the mean of each figure and its value at each seed.

    python bench/noise.py [--sets DIR ...] [--scheme grouped|across|both] [--show 10] [--failures]
                          [--features-cache FILE] [--seed N [N ...]]
"""

from __future__ import annotations

import argparse
import pickle
import re
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np

from validators import train_noise as T
from validators.features.noise import FAR, FEATURES_ORDER
from validators.features.noise_model import NoiseModel
from validators.findings import _weighed_alone, arbitrate
from validators.rules import RULES, PatternRule
from validators.suite import expectation_file, parse_suite

ROOT = Path(__file__).resolve().parent.parent
SETS = ("boilerplate-dev", "boilerplate-dev-article", "readability", "readability-article")
SOURCES = {"trafilatura": ("boilerplate-dev", "boilerplate-dev-article"), "readability": ("readability", "readability-article")}
TABLE_AT = (0.3, 0.5, 0.7, 0.8, 0.9, 0.95, 0.98)
RECALL_AT = (0.97, 0.95, 0.92, 0.80)
PATTERN_ERROR = FEATURES_ORDER.index("pattern_error")
PATTERN_WARNING = FEATURES_ORDER.index("pattern_warning")
OUTSIDE_STORY = FEATURES_ORDER.index("outside_story")
PROSE_BEFORE = FEATURES_ORDER.index("prose_distance_before")
PROSE_AFTER = FEATURES_ORDER.index("prose_distance_after")
#: BP102 fires above this on the template_files column (its max_value in expectations/paragraphs.json).
TEMPLATE_MAX = 2


def default_sets() -> list[Path]:
    for base in (ROOT.parent / "shared" / "eval", ROOT.parent.parent / "shared" / "eval"):
        if base.is_dir():
            return [base / name for name in SETS]
    sys.exit("no labelled sets found; give --sets")


def runtime_model(trained: T.Trained, data: T.Labelled) -> NoiseModel:
    """The trained model as the check will read it: through its JSON."""
    return NoiseModel.parse("(cross-validation)", T.to_json(trained, data, [], "bench"))


class Scored:
    """One set's held-out scores, reasons and thresholds, filled in fold by fold."""

    def __init__(self, data: T.Labelled):
        self.data = data
        self.score = np.full(len(data.y), np.nan)
        self.why: list = [None] * len(data.y)
        self.error = np.full(len(data.y), np.nan)  # the threshold of the model that scored the row
        self.review = np.full(len(data.y), np.nan)
        self.furnished = np.full(len(data.y), np.nan)
        self.alone: np.ndarray | None = None

    def fill(self, rows: np.ndarray, model: NoiseModel, thresholds: dict) -> None:
        if not len(rows):
            return
        score, why = model.score(self.data.x[rows], FEATURES_ORDER)
        self.score[rows] = np.round(score, 4)
        for r, reason in zip(rows.tolist(), why, strict=True):
            self.why[r] = reason
        self.error[rows] = thresholds["error"]
        self.review[rows] = thresholds["review"]
        self.furnished[rows] = thresholds["furnished"]

    def scored_error(self) -> np.ndarray:
        """Above the error threshold (BP100), or above the furnished one in a file that has a
        paragraph above the error threshold (BP103)."""
        above = self.score > self.error
        in_furnished = T.furnished_files(np.where(above, 1.0, 0.0), self.data.sets, self.data.pages, 0.5)
        return above | (in_furnished & (self.score > self.furnished))

    def pattern_errors(self, arbitrated: bool = True) -> np.ndarray:
        """A pattern with error severity matches (BP0xx), and (``arbitrated``, as the check
        does by default) the noise model does not make it a warning: ``findings.arbitrate``,
        the check's own decision, over the paragraphs flagged at error level, at the check's
        default thresholds: inside the story, the review threshold; anywhere, a dateline's,
        credit's or trailer's, the error threshold, in a file with no other error that stands."""
        x = self.data.x
        hits = x[:, PATTERN_ERROR] > 0
        if not arbitrated:
            return hits
        if self.alone is None:  # the rows whose every pattern is one an article prints (BP005-BP007)
            self.alone = np.array([bool(c) and all(_weighed_alone(code) for code in c) for c in pattern_codes(self.data.texts)])
        inside = (x[:, OUTSIDE_STORY] == 0) & (x[:, PROSE_BEFORE] < FAR) & (x[:, PROSE_AFTER] < FAR)
        firm = self.scored_error() | (self.data.template > TEMPLATE_MAX)
        rows = np.concatenate([np.flatnonzero(hits), np.flatnonzero(firm)])
        weighed = np.arange(len(rows)) < hits.sum()
        files = np.array([f"{s}\0{p}" for s, p in zip(self.data.sets, self.data.pages, strict=True)])
        demoted = arbitrate(files[rows], weighed, weighed & self.alone[rows], self.score[rows], inside[rows], self.review[rows], self.error[rows])
        kept = hits.copy()
        kept[np.flatnonzero(hits)] = ~demoted[weighed]
        return kept

    def flagged(self, level: str, arbitrated: bool = True) -> np.ndarray:
        x = self.data.x
        firm = self.pattern_errors(arbitrated) | (self.data.template > TEMPLATE_MAX)
        if level == "error":
            return self.scored_error() | firm
        return self.scored_error() | (self.score > self.review) | firm | (x[:, PATTERN_WARNING] > 0) | (x[:, PATTERN_ERROR] > 0)


def pr(flag: np.ndarray, y: np.ndarray, keep: np.ndarray | None = None) -> tuple[float, float]:
    if keep is not None:
        flag, y = flag[keep], y[keep]
    tp = int((flag & (y == 1)).sum())
    p = tp / flag.sum() if flag.sum() else 0.0
    r = tp / y.sum() if y.sum() else 0.0
    return p, r


def recall_at(score: np.ndarray, y: np.ndarray, precision: float) -> float:
    """The highest recall of ``score > t`` over thresholds ``t`` at which precision is at least ``precision``."""
    order = np.argsort(-score, kind="stable")
    ranked = score[order]
    hits = np.cumsum(y[order])
    # Only where the score changes can a threshold sit.
    ends = np.flatnonzero(np.append(ranked[1:] < ranked[:-1], True))
    ok = hits[ends] / (ends + 1) >= precision
    return float(hits[ends][ok].max() / y.sum()) if ok.any() and y.sum() else 0.0


def page_averaged(flag: np.ndarray, data: T.Labelled) -> tuple[float, float, int, int]:
    precisions, recalls = [], []
    pages = np.array(data.pages)
    for page in sorted(set(data.pages)):
        rows = pages == page
        f, y = flag[rows], data.y[rows]
        tp = (f & (y == 1)).sum()
        if f.sum():
            precisions.append(tp / f.sum())
        if y.sum():
            recalls.append(tp / y.sum())
    return float(np.mean(precisions)), float(np.mean(recalls)), len(precisions), len(recalls)


def pattern_codes(texts: list[str]) -> list[list[str]]:
    """The pattern rules' codes (BP0xx) with error severity whose patterns match each text."""
    suite = parse_suite(*expectation_file("paragraphs.json", ROOT / "expectations"))
    rules = [(s.code, [re.compile(p) for p in s.kwargs.get("regex_list") or [s.kwargs["regex"]]])
             for s in suite.expectations if issubclass(RULES[s.code], PatternRule) and s.severity == "critical"]  # fmt: skip
    return [[code for code, patterns in rules if any(p.search(t) for p in patterns)] for t in texts]


def content_only_failures(clean: Scored, arbitrated: bool = True) -> list[tuple[int, list[str]]]:
    """Each paragraph of the content-only pages with a noise error, and its codes."""
    flag = clean.flagged("error", arbitrated)
    patterns = pattern_codes(clean.data.texts)
    errors = clean.pattern_errors(arbitrated)
    by_score = clean.scored_error()
    out = []
    for r in np.flatnonzero(flag).tolist():
        found = list(patterns[r]) if errors[r] else []
        if clean.score[r] > clean.error[r]:
            found.append("BP100")
        elif by_score[r]:
            found.append("BP103")
        if clean.data.template[r] > TEMPLATE_MAX:
            found.append("BP102")
        out.append((r, found))
    return out


def figures(scored: Scored, clean: Scored) -> dict[str, float]:
    """The headline figures of one set: precision and recall at error level and at any
    severity, content-only pages failing (patterns arbitrated), and the best recall of the
    score alone at precision 0.97 and 0.92."""
    y = scored.data.y
    out = {}
    for level in ("error", "any"):
        out[f"{level} P"], out[f"{level} R"] = pr(scored.flagged(level), y)
    out["clean pages failing"] = len({clean.data.pages[r] for r, _ in content_only_failures(clean)})
    for precision in (0.97, 0.92):
        out[f"R at P {precision:.2f}"] = recall_at(scored.score, y, precision)
    return out


def report(name: str, scored: Scored, clean: Scored, show: int, failures: bool = False) -> None:
    data, y = scored.data, scored.data.y
    long_enough = np.array([len(t) >= 40 for t in data.texts])
    print(f"\n== {name}: {len(y):,} paragraphs ({int(y.sum()):,} furniture) in {len(set(data.pages))} pages; "
          f"thresholds used: error {sorted(set(scored.error.tolist()))}, furnished {sorted(set(scored.furnished.tolist()))}, "
          f"review {sorted(set(scored.review.tolist()))}")  # fmt: skip
    print(f"{'':<14} {'P':>6} {'R':>6}   {'P>=40ch':>7} {'R>=40ch':>7}   {'P pages':>7} {'R pages':>7}")
    for level in ("error", "any"):
        flag = scored.flagged(level)
        p, r = pr(flag, y)
        p40, r40 = pr(flag, y, long_enough)
        pp, rp, _, _ = page_averaged(flag, data)
        print(f"{level + ' level':<14} {p:>6.3f} {r:>6.3f}   {p40:>7.3f} {r40:>7.3f}   {pp:>7.3f} {rp:>7.3f}")
    # Content-only pages, with the patterns arbitrated by the score (as the check does) and without.
    total = len(set(clean.data.pages))
    for arbitrated in (True, False):
        found = content_only_failures(clean, arbitrated)
        codes, pages_by_code = Counter(), {}
        for r, found_codes in found:
            codes.update(found_codes)
            for code in found_codes:
                pages_by_code.setdefault(code, set()).add(clean.data.pages[r])
        failing = {clean.data.pages[r] for r, _ in found}
        print(f"content-only pages failing on a noise error{'' if arbitrated else ' (patterns not arbitrated)'}: "
              f"{len(failing)} of {total} ({len(failing) / total:.1%}); flagged paragraphs by code: {dict(sorted(codes.items()))}; "
              f"pages by code: {dict(sorted((c, len(p)) for c, p in pages_by_code.items()))}")  # fmt: skip
        if failures and arbitrated:
            for r, found_codes in found:
                print(f"  {clean.data.pages[r]} {'/'.join(found_codes)} score {clean.score[r]:.3f} [{clean.why[r] or '-'}]: {clean.data.texts[r][:70]!r}")
    # The score alone at several thresholds (patterns not counted).
    print("score alone:  " + "  ".join(f"t={t:.2f} P {pr(scored.score > t, y)[0]:.3f} R {pr(scored.score > t, y)[1]:.3f}" for t in TABLE_AT))
    # What the ranking allows, whatever the thresholds: the best recall of the score alone at a precision.
    print("score alone, best recall at precision:  " + "  ".join(f"P>={p:.2f}: R {recall_at(scored.score, y, p):.3f}" for p in RECALL_AT))
    alarms = [r for r in np.flatnonzero(scored.flagged("error") & (y == 0)).tolist()]
    misses = [r for r in np.flatnonzero(~scored.flagged("any") & (y == 1)).tolist()]
    for title, rows, key in (("worst false alarms (content at error level)", alarms, lambda r: -scored.score[r]),
                             ("worst misses (furniture with no finding)", misses, lambda r: scored.score[r])):  # fmt: skip
        print(f"{title}, of {len(rows):,}:")
        for r in sorted(rows, key=key)[:show]:
            pattern = " +pattern" if data.x[r, PATTERN_ERROR] else ""
            print(f"  {data.pages[r]}#{r} score {scored.score[r]:.3f}{pattern} [{scored.why[r] or '-'}]: {data.texts[r][:70]!r}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", nargs="+", type=Path, default=None)
    parser.add_argument("--scheme", choices=("grouped", "across", "both"), default="both")
    parser.add_argument("--folds", type=int, default=T.FOLDS)
    parser.add_argument("--show", type=int, default=10)
    parser.add_argument("--failures", action="store_true", help="list every paragraph failing a content-only page")
    parser.add_argument("--seed", type=int, nargs="+", default=[T.SEED],
                        help="the learner's seed (default: the shipped model's); several: a table of means over them")
    parser.add_argument("--features-cache", type=Path, default=None,
                        help="keep the sets' features in this file and read them from it when it exists (while iterating on "
                             "the learner; delete it after changing the features or the patterns)")
    args = parser.parse_args()
    folders = args.sets or default_sets()

    start = time.perf_counter()
    if args.features_cache and args.features_cache.is_file():
        with args.features_cache.open("rb") as cached:
            sets = pickle.load(cached)
        if any(s.x.shape[1] != len(FEATURES_ORDER) for s in sets.values()):
            sys.exit(f"{args.features_cache}: made with other features; delete it")
    else:
        sets = T.with_clean_cuts(folders)
        if args.features_cache:
            with args.features_cache.open("wb") as cache:
                pickle.dump(sets, cache)
    print(f"features of {sum(len(s.y) for s in sets.values()):,} paragraphs in {time.perf_counter() - start:.0f} s")

    schemes = []
    if args.scheme in ("grouped", "both"):
        schemes.append("grouped")
    if args.scheme in ("across", "both"):
        schemes.append("across")
    table: dict[tuple[str, str], list[dict]] = {}  # (scheme, set) -> figures at each seed
    for seed in args.seed:
        for scheme in schemes:
            for name, scored, clean in evaluate(sets, scheme, seed, args.folds):
                if len(args.seed) == 1:
                    report(name, scored, clean, args.show, args.failures)
                else:
                    table.setdefault((scheme, name), []).append(figures(scored, clean))
    if table:
        print(f"\nmeans over seeds {', '.join(map(str, args.seed))} (each seed's value in brackets)")
        for (scheme, name), runs in table.items():
            print(f"== {scheme}: {name}")
            for key in runs[0]:
                values = [run[key] for run in runs]
                shown = " ".join(f"{v:g}" if key == "clean pages failing" else f"{v:.3f}" for v in values)
                print(f"  {key:<20} {np.mean(values):7.3f}  [{shown}]")


def evaluate(sets: dict, scheme: str, seed: int, folds: int):
    """Each labelled set's held-out scores under ``scheme`` with the learner's ``seed``: (name,
    its scores, its content-only cut's scores), the clean cuts themselves left out."""
    scored = {n: Scored(s) for n, s in sets.items()}
    if scheme == "grouped":
        groups = sorted({g for s in sets.values() for g in s.groups})
        fold_of = dict(zip(groups, T.folds(groups, folds).tolist(), strict=True))
        splits = [(f"fold {k}", lambda n, g, k=k: fold_of[g] == k) for k in range(folds)]
    else:
        source_of = {n + clean: src for src, names in SOURCES.items() for n in names for clean in ("", T.CLEAN)}
        splits = [(f"scored on {src}", lambda n, g, src=src: source_of.get(n) == src) for src in SOURCES]
    for title, held in splits:
        t0 = time.perf_counter()
        train_parts = [s.take(np.flatnonzero([not held(n, g) for g in s.groups])) for n, s in sets.items()]
        train_data = T.concatenate([p for p in train_parts if len(p.y)])
        trained = T.train(train_data, seed=seed)
        model = runtime_model(trained, train_data)
        for n in sets:
            scored[n].fill(np.flatnonzero([held(n, g) for g in sets[n].groups]), model, trained.thresholds)
        print(f"{scheme}, seed {seed}, {title}: trained on {len(train_data.y):,} paragraphs in {time.perf_counter() - t0:.0f} s; "
              f"thresholds {trained.thresholds}", flush=True)  # fmt: skip
    print(f"\n######## scheme: {scheme} (seed {seed})")
    for n in sets:
        if n.endswith(T.CLEAN) or np.isnan(scored[n].score).all():
            continue
        content_pages = {g for g, y in zip(sets[n].groups, sets[n].y.tolist(), strict=True) if not y}
        cut = next(k for k in sets if k.endswith(T.CLEAN) and set(sets[k].groups) == content_pages)
        yield n, scored[n], scored[cut]


if __name__ == "__main__":
    main()
