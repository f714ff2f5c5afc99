"""Precision and recall of the noise family against a labelled set (boilerplate = positive).

The labelled set is a folder with ``corpus/NNNN.txt`` and ``labels.jsonl`` (one line per
paragraph: file, para, label), as ``../shared/eval/boilerplate-dev`` is; it is read where
it lies. Prints one row per rule (what it flags, how much of it is boilerplate), then
totals for error findings only (what fails the gate) and for any finding, by paragraph
count, for paragraphs of 40 characters or more, and weighted by characters; then the
worst misses and false alarms.

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


def scores(flagged: set, labels: dict, keep=lambda key: True, weight=lambda key: 1) -> tuple[float, float, float]:
    keys = [k for k in labels if keep(k)]
    tp = sum(weight(k) for k in keys if k in flagged and labels[k]["label"] == "boilerplate")
    fp = sum(weight(k) for k in keys if k in flagged and labels[k]["label"] == "content")
    fn = sum(weight(k) for k in keys if k not in flagged and labels[k]["label"] == "boilerplate")
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return p, r, 2 * p * r / (p + r) if p + r else 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("labelled_set", nargs="?", type=Path, default=DEFAULT_SET)
    parser.add_argument("--show", type=int, default=10)
    args = parser.parse_args()

    labels = {}
    for line in (args.labelled_set / "labels.jsonl").open(encoding="utf-8"):
        record = json.loads(line)
        labels[(record["file"], record["para"])] = record

    os.chdir(args.labelled_set)
    start = time.perf_counter()
    report = check(["corpus"], Config(root=Path.cwd(), select=["BP"], engine="light", cache=False))
    elapsed = time.perf_counter() - start
    frame = report.paragraphs
    where = {row: (path.rsplit("/", 1)[-1], para) for row, path, para in zip(frame.index, frame["path"], frame["para"], strict=True)}
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

    n_bp = sum(r["label"] == "boilerplate" for r in labels.values())
    print(f"{len(labels):,} labelled paragraphs ({n_bp:,} boilerplate) in {len(report.documents)} files; check {elapsed:.1f} s\n")
    print(f"{'rule':<8} {'flagged':>8} {'boilerplate':>12} {'precision':>10} {'recall':>7}")
    for code in sorted(by_rule):
        keys = by_rule[code]
        hits = sum(labels[k]["label"] == "boilerplate" for k in keys)
        print(f"{code:<8} {len(keys):>8} {hits:>12} {hits / len(keys):>10.3f} {hits / n_bp:>7.3f}")

    long_enough = lambda key: len(labels[key]["text"]) >= 40  # noqa: E731
    chars = lambda key: len(labels[key]["text"])  # noqa: E731
    print(f"\n{'total':<34} {'precision':>10} {'recall':>7} {'F1':>6}")
    for name, flagged in (("error findings", errors), ("any finding", anything)):
        for subset, keep, weight in (
            ("all paragraphs", lambda k: True, lambda k: 1),
            ("paragraphs >= 40 chars", long_enough, lambda k: 1),
            ("character-weighted", lambda k: True, chars),
        ):
            p, r, f1 = scores(flagged, labels, keep, weight)
            print(f"{name + ', ' + subset:<34} {p:>10.3f} {r:>7.3f} {f1:>6.3f}")

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
