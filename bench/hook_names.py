"""The name step of a one-file run against the same step deciding every candidate, file by file.

A run that reports a few files (the pre-commit hook) decides only the name candidates that may
bear on them (``features.name.bearing_rows``). This reads a project's corpus once (its feature
cache, if warm), then for each of N files drawn at random: the mentions step as a run reporting
that file alone computes it, and ``build_mentions`` over every candidate of the corpus reporting
the same file. It stops on the first file whose two tables differ, else prints the median time
of each and how many of the corpus's rows the narrowed step decided (all of them where the
corpus is too small for narrowing to pay).

    python bench/hook_names.py PROJECT [--files 40] [--seed 1]

PROJECT is a folder with a ``pyproject.toml`` naming a corpus with no two files of the same bytes
(``bench/hook.py --pages N --distinct`` builds such projects; any corpus of real text does).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from validators.config import load_config  # noqa: E402
from validators.features import mentions, name  # noqa: E402
from validators.ingest import read  # noqa: E402
from validators.pipeline import corpus_features, feature_context, open_cache  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("project", type=Path)
    parser.add_argument("--files", type=int, default=40)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    os.chdir(args.project)
    config = load_config()
    documents = read(config.paths)
    context = feature_context(config)
    corpus = corpus_features(documents, context, open_cache(config), wanted=["mentions"])
    if len({(d.content, d.problem) for d in documents}) < len(documents):
        # The step works over one copy of each content and repeats its mentions for the copies;
        # ``build_mentions`` below sees the one copy only, so the two tables differ in shape.
        sys.exit("the corpus has files with the same bytes: compare on one without copies (bench/hook.py --pages N --distinct builds one)")
    lexicon = context.resource(name.load_lexicon)
    seen: dict = {}  # what the step handed to build_mentions and bearing_rows, for the whole run

    def narrowing(candidates, *rest):
        seen["candidates"] = candidates
        seen["rows"] = kept = narrow(candidates, *rest)
        return kept

    def building(frame, lexicon, candidates, vocabulary, report_paths, weights, corpus_sets=None):
        seen.update(frame=frame, vocabulary=vocabulary, report_paths=report_paths, weights=weights)
        return build(frame, lexicon, candidates, vocabulary, report_paths, weights, corpus_sets)

    build, narrow = mentions.build_mentions, name.bearing_rows
    name.bearing_rows, mentions.build_mentions = narrowing, building
    narrowed_times, whole_times, shares = [], [], []
    for path in random.Random(args.seed).sample([d.path for d in documents], min(args.files, len(documents))):
        corpus.context.report_paths = {path}
        start = time.perf_counter()
        name.MENTIONS.run(corpus, lexicon)
        narrowed_times.append(time.perf_counter() - start)
        start = time.perf_counter()
        whole = build(seen["frame"], lexicon, seen["candidates"], seen["vocabulary"], seen["report_paths"], seen["weights"])
        whole_times.append(time.perf_counter() - start)
        # None: the corpus too small for narrowing to pay (``NARROW_MIN_RATIO``), every row decided
        shares.append(1.0 if seen["rows"] is None else len(seen["rows"]) / max(1, len(seen["candidates"])))
        if whole.columns != corpus.tables["mentions"].columns:
            sys.exit(f"{path}: the narrowed step's mentions differ from those deciding every candidate")
    print(
        f"{len(narrowed_times)} files of {len(documents)}, every mentions table equal; median s: narrowed step "
        f"{statistics.median(narrowed_times):.2f} (vocabulary, word sets and narrowing included), "
        f"build_mentions over every candidate {statistics.median(whole_times):.2f}; rows decided: median "
        f"{statistics.median(shares):.1%} of the table's (min {min(shares):.1%}, max {max(shares):.1%}; "
        f"{sum(share < 1.0 for share in shares)} of the runs narrowed)"
    )


if __name__ == "__main__":
    main()
