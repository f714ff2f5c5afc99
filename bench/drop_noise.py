"""What ``fix --drop-noise`` deletes from a labelled set: furniture against content.

Runs the fix in memory (nothing is written) on the labelled set's corpus, read where it
lies (default ``../shared/eval/boilerplate-dev``: ``corpus/NNNN.txt``, paragraphs one per
blank-line block, and ``labels.jsonl``), with the noise family only so that the text of
what is kept is unchanged. A paragraph is deleted when its block is no longer in the file
(each block counted as often as it occurs). Prints paragraphs and characters deleted by
label, what was kept back and why, and the files left without content.

    python bench/drop_noise.py [LABELLED_SET]
"""

from __future__ import annotations

import argparse
import os
from collections import Counter
from pathlib import Path

from validators.config import Config
from validators.fix import plan_fixes
from validators.ingest import read
from validators.pipeline import check_documents
from validators.train_noise import read_jsonl

from noise import default_sets

#: The whole-page set by default (``../shared/eval/boilerplate-dev``, beside the repository).
DEFAULT_SET = default_sets()[0]


def read_labels(labelled_set: Path) -> dict:
    """(file, paragraph number) -> its labels.jsonl record."""
    return {(r["file"], r["para"]): r for r in read_jsonl(labelled_set / "labels.jsonl")}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("labelled_set", nargs="?", type=Path, default=DEFAULT_SET)
    args = parser.parse_args()
    labels = read_labels(args.labelled_set)
    here = Path.cwd()
    os.chdir(args.labelled_set)
    try:
        config = Config(root=Path.cwd(), select=["BP"], engine="light", cache=False)
        documents = read(["corpus"])
        first = check_documents(documents, config)
        plan = plan_fixes(documents, config, drop_noise=True)
    finally:
        os.chdir(here)
    after = {c.path.rsplit("/", 1)[-1]: c.after.decode("utf-8") for c in plan.changes}
    label_of: dict[tuple[str, str], str] = {}
    for (name, _), record in labels.items():
        label_of.setdefault((name, record["text"]), record["label"])
    deleted: Counter = Counter()
    deleted_chars: Counter = Counter()
    total: Counter = Counter(r["label"] for r in labels.values())
    total_chars: Counter = Counter()
    for record in labels.values():
        total_chars[record["label"]] += len(record["text"])
    content_left: Counter = Counter()
    frame = first.paragraph_table
    flagged = Counter(
        (frame["path"][f.row], frame["raw"][f.row]) for f in first.findings if f.family == "noise" and f.severity == "error"
    )
    unflagged = 0
    for doc in documents:
        name = doc.path.rsplit("/", 1)[-1]
        before_blocks = Counter(block.strip("\n") for block in doc.text.split("\n\n") if block.strip())
        after_text = after.get(name, doc.text)
        after_blocks = Counter(block.strip("\n") for block in after_text.split("\n\n") if block.strip())
        for block, n in (before_blocks - after_blocks).items():
            label = label_of.get((name, block.strip("\n")), "unlabelled")
            deleted[label] += n
            deleted_chars[label] += n * len(block.strip("\n"))
            unflagged += max(0, n - flagged[doc.path, block.strip("\n")])
        content_left[name] = sum(n for b, n in after_blocks.items() if label_of.get((name, b.strip("\n"))) == "content")
    print(f"{len(documents)} files, {sum(total.values()):,} labelled paragraphs; fix --drop-noise --select BP, in memory\n")
    print(f"{'label':<12} {'deleted':>8} {'of':>7} {'chars deleted':>14} {'of':>10}")
    for label in ("boilerplate", "content", "unlabelled"):
        print(f"{label:<12} {deleted[label]:>8,} {total[label]:>7,} {deleted_chars[label]:>14,} {total_chars[label]:>10,}")
    print(f"\ndeleted without a noise error in the check before: {unflagged}")
    had_content = {r["file"] for r in labels.values() if r["label"] == "content"}
    emptied = sorted(name for name in had_content if content_left[name] == 0)
    print(f"files with content left without any: {len(emptied)} of {len(had_content)} {emptied[:10]}")
    reasons = Counter(h.reason for h in plan.held_back)
    print(f"kept back: {len(plan.held_back):,} paragraphs with a noise error")
    for reason, n in reasons.most_common():
        print(f"  {n:>6,}  {reason}")


if __name__ == "__main__":
    main()
