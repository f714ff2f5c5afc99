"""Precision of each noise pattern, one regular expression at a time, against labelled sets.

For every ``expect_column_values_to_not_match_regex_list`` of the paragraphs suite (BP0xx),
and each expression in its ``regex_list``: how many labelled paragraphs it matches, how many
of those are boilerplate, and how many no other expression of the suite matches (what it
adds); per rule, its expressions together: matches, precision and the share of the set's
boilerplate it names (recall; ``--suite`` another revision's suite to compare); then every content-labelled paragraph it matches, to be read: a false alarm, or
furniture the labels call content (each set's README lists what its labels get wrong).
Paragraphs are matched as the rules match them: on their ftfy-normalised text. The sets
are read where they lie.

    python bench/patterns.py [LABELLED_SET ...] [--code BP006] [--suite FILE] [--show 20]
"""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path

from noise import ROOT, default_sets

from validators.normalise import normalise
from validators.suite import parse_suite
from validators.train_noise import read_jsonl

REGEX_LIST = "expect_column_values_to_not_match_regex_list"


def read_labels(labelled_set: Path) -> dict[tuple[str, int], dict]:
    """The set's labelled paragraphs by (file, paragraph number)."""
    return {(r["file"], r["para"]): r for r in read_jsonl(labelled_set / "labels.jsonl")}


def load_patterns(suite_file: Path) -> list[tuple[str, int, re.Pattern]]:
    """(rule code, position in its regex_list, compiled expression) for each noise pattern."""
    suite = parse_suite(str(suite_file), suite_file.read_text(encoding="utf-8"))
    return [
        (spec.code, n, re.compile(pattern))
        for spec in suite.expectations
        if spec.type == REGEX_LIST
        for n, pattern in enumerate(spec.kwargs["regex_list"])
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("labelled_sets", nargs="*", type=Path, help="labelled sets (default: the four beside the repository)")
    parser.add_argument("--code", help="only this rule's patterns (e.g. BP006)")
    parser.add_argument("--suite", type=Path, default=ROOT / "expectations" / "paragraphs.json")
    parser.add_argument("--show", type=int, default=20, help="content-labelled matches listed per pattern")
    args = parser.parse_args()

    patterns = load_patterns(args.suite)
    for labelled_set in args.labelled_sets or default_sets():
        labels = read_labels(labelled_set)
        texts = {key: normalise(record["text"])[0] for key, record in labels.items()}
        hits = {(code, n): {key for key, text in texts.items() if pattern.search(text)} for code, n, pattern in patterns}
        print(f"{labelled_set.name}: {len(labels):,} labelled paragraphs")
        # Per rule: its expressions together, as the rule matches (what the noise model's pattern
        # features and the check see), and the share of the set's boilerplate it names.
        total_bp = sum(r["label"] == "boilerplate" for r in labels.values())
        print(f"  {'rule':<9} {'matched':>8} {'boilerplate':>12} {'precision':>10} {'recall':>7}")
        for code in sorted({c for c, _, _ in patterns}):
            if args.code and code != args.code:
                continue
            matched = set().union(*(keys for (c, _), keys in hits.items() if c == code))
            bp = sum(labels[k]["label"] == "boilerplate" for k in matched)
            precision = f"{bp / len(matched):.3f}" if matched else "-"
            print(f"  {code:<9} {len(matched):>8} {bp:>12} {precision:>10} {bp / total_bp if total_bp else 0:>7.3f}")
        every = set().union(*hits.values())
        bp = sum(labels[k]["label"] == "boilerplate" for k in every)
        print(f"  {'all':<9} {len(every):>8} {bp:>12} {bp / len(every) if every else 0:>10.3f} {bp / total_bp if total_bp else 0:>7.3f}")
        print(f"  {'pattern':<9} {'matched':>8} {'boilerplate':>12} {'precision':>10} {'adds':>6} {'adds bp':>8}")
        for code, n, _ in patterns:
            if args.code and code != args.code:
                continue
            matched = hits[code, n]
            others = set().union(*(keys for where, keys in hits.items() if where != (code, n)))
            adds = matched - others
            bp = sum(labels[k]["label"] == "boilerplate" for k in matched)
            adds_bp = sum(labels[k]["label"] == "boilerplate" for k in adds)
            precision = f"{bp / len(matched):.3f}" if matched else "-"
            print(f"  {code}.{n:<3} {len(matched):>8} {bp:>12} {precision:>10} {len(adds):>6} {adds_bp:>8}")
            alarms = sorted(k for k in matched if labels[k]["label"] == "content")
            for key in alarms[: args.show]:
                print(f"      content {key[0]}#{key[1]}: {json.dumps(labels[key]['text'][:140], ensure_ascii=False)}")
            if len(alarms) > args.show:
                print(f"      … {len(alarms) - args.show} more")
        print()


if __name__ == "__main__":
    main()
