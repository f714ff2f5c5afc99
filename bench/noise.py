"""Precision and recall of the noise family against a labelled set (boilerplate = positive).

The labelled set is a folder with ``corpus/NNNN.txt`` and ``labels.jsonl`` (one line per
paragraph: file, para, label), as ``../shared/eval/boilerplate-dev`` is; it is read where
it lies. Prints one row per rule (what it flags, how much of it is boilerplate), then
totals for error findings only (what fails the gate) and for any finding, by paragraph
count, for paragraphs of 40 characters or more, weighted by characters, and averaged over
pages, with the share of content paragraphs flagged (what a corpus of clean articles would
see); then the worst misses and false alarms.

    python bench/noise.py [LABELLED_SET] [--show 10]
"""

from __future__ import annotations

import argparse
import json
import os
import time
from collections import Counter
from pathlib import Path

from validators.config import Config
from validators.pipeline import check

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SET = ROOT.parent / "shared" / "eval" / "boilerplate-dev"


def scores(flagged: set, labels: dict, keep=lambda key: True, weight=lambda key: 1) -> tuple[float, float, float, float]:
    """Precision, recall, F1, and the share of content flagged (what a clean corpus would see)."""
    keys = [k for k in labels if keep(k)]
    tp = sum(weight(k) for k in keys if k in flagged and labels[k]["label"] == "boilerplate")
    fp = sum(weight(k) for k in keys if k in flagged and labels[k]["label"] == "content")
    fn = sum(weight(k) for k in keys if k not in flagged and labels[k]["label"] == "boilerplate")
    content = sum(weight(k) for k in keys if labels[k]["label"] == "content")
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return p, r, 2 * p * r / (p + r) if p + r else 0.0, fp / content if content else 0.0


def read_labels(labelled_set: Path) -> dict:
    labels = {}
    for line in (labelled_set / "labels.jsonl").open(encoding="utf-8"):
        record = json.loads(line)
        labels[(record["file"], record["para"])] = record
    return labels


def run_noise_family(labelled_set: Path, labels: dict):
    """Check the labelled corpus with the noise family; returns the report, each finding row's
    (file, paragraph) key, and the keys with an error finding and with any finding, by rule."""
    here = Path.cwd()
    os.chdir(labelled_set)
    try:
        report = check(["corpus"], Config(root=Path.cwd(), select=["BP"], engine="light", cache=False))
    finally:
        os.chdir(here)
    frame = report.paragraph_table
    where = {row: (path.rsplit("/", 1)[-1], para) for row, (path, para) in enumerate(zip(frame["path"], frame["para"], strict=True))}
    missing = set(labels) - set(where.values())
    if missing:
        raise SystemExit(f"{len(missing)} labelled paragraphs not found as paragraphs, e.g. {sorted(missing)[:3]}")
    by_rule: dict[str, set] = {}
    errors, anything = set(), set()
    for f in report.findings:
        key = where[f.row]
        by_rule.setdefault(f.code, set()).add(key)
        anything.add(key)
        if f.severity == "error":
            errors.add(key)
    return report, where, errors, anything, by_rule


def counts_by_page(flagged: set, labels: dict) -> dict[str, list[int]]:
    """[true positives, false positives, false negatives] of ``flagged``, per page."""
    pages: dict[str, list[int]] = {}
    for key, record in labels.items():
        counts = pages.setdefault(key[0], [0, 0, 0])
        is_bp = record["label"] == "boilerplate"
        if key in flagged:
            counts[0 if is_bp else 1] += 1
        elif is_bp:
            counts[2] += 1
    return pages


def page_averaged(flagged: set, labels: dict) -> tuple[float, float]:
    """Precision and recall averaged over pages (each page counts once, however long): the
    mean over pages with a flagged paragraph, and over pages with boilerplate."""
    pages = counts_by_page(flagged, labels).values()
    precisions = [tp / (tp + fp) for tp, fp, _ in pages if tp + fp]
    recalls = [tp / (tp + fn) for tp, _, fn in pages if tp + fn]
    return sum(precisions) / len(precisions), sum(recalls) / len(recalls)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("labelled_set", nargs="?", type=Path, default=DEFAULT_SET)
    parser.add_argument("--show", type=int, default=10)
    args = parser.parse_args()

    labels = read_labels(args.labelled_set)
    start = time.perf_counter()
    report, where, errors, anything, by_rule = run_noise_family(args.labelled_set, labels)
    elapsed = time.perf_counter() - start

    n_bp = sum(r["label"] == "boilerplate" for r in labels.values())
    print(f"{len(labels):,} labelled paragraphs ({n_bp:,} boilerplate) in {len(report.documents)} files; check {elapsed:.1f} s\n")
    print(f"{'rule':<8} {'flagged':>8} {'boilerplate':>12} {'precision':>10} {'recall':>7}")
    for code in sorted(by_rule):
        keys = by_rule[code]
        hits = sum(labels[k]["label"] == "boilerplate" for k in keys)
        print(f"{code:<8} {len(keys):>8} {hits:>12} {hits / len(keys):>10.3f} {hits / n_bp:>7.3f}")

    long_enough = lambda key: len(labels[key]["text"]) >= 40  # noqa: E731
    chars = lambda key: len(labels[key]["text"])  # noqa: E731
    print(f"\n{'total':<38} {'precision':>10} {'recall':>7} {'F1':>6} {'content flagged':>16}")
    for name, flagged in (("error findings", errors), ("any finding", anything)):
        for subset, keep, weight in (
            ("all paragraphs", lambda k: True, lambda k: 1),
            ("paragraphs >= 40 chars", long_enough, lambda k: 1),
            ("character-weighted", lambda k: True, chars),
        ):
            p, r, f1, content = scores(flagged, labels, keep, weight)
            print(f"{name + ', ' + subset:<38} {p:>10.3f} {r:>7.3f} {f1:>6.3f} {content:>16.3f}")
        p, r = page_averaged(flagged, labels)
        print(f"{name + ', page-averaged':<38} {p:>10.3f} {r:>7.3f} {2 * p * r / (p + r):>6.3f}")

    misses = [k for k, v in labels.items() if v["label"] == "boilerplate" and k not in anything]
    alarms = [k for k, v in labels.items() if v["label"] == "content" and k in errors]
    longest = lambda keys: sorted(keys, key=lambda k: -len(labels[k]["text"]))[: args.show]  # noqa: E731
    print(f"\nlongest misses (boilerplate with no finding), of {len(misses):,}:")
    for k in longest(misses):
        print(f"  {k[0]}#{k[1]}: {labels[k]['text'][:110]!r}")
    print(f"\nlongest false alarms (content with an error finding), of {len(alarms):,}:")
    codes_at = {}
    for f in report.findings:
        codes_at.setdefault(where[f.row], []).append(f.code)
    for k in longest(alarms):
        print(f"  {k[0]}#{k[1]} {','.join(codes_at[k])}: {labels[k]['text'][:100]!r}")
    print("\nfindings by code:", dict(sorted(Counter(f.code for f in report.findings).items())))


if __name__ == "__main__":
    main()
