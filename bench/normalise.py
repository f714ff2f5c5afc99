"""Normalisation throughput: our fast path against plain ftfy.fix_text, on the same paragraphs.

The corpus is real news-like text: every paragraph of the boilerplate-dev evaluation set
(``../shared/eval/boilerplate-dev/corpus``, read where it lies) and of ``seeds/``. Both
sides run in this process, alternating, and the table gives medians. The outputs are
compared paragraph by paragraph; any difference fails the run.

    python bench/normalise.py [--repeat 5] [--corpus DIR ...]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import ftfy

from validators.normalise import FTFY_CONFIG, is_untouched_by_ftfy, normalise

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CORPORA = [ROOT.parent / "shared" / "eval" / "boilerplate-dev" / "corpus", ROOT / "seeds"]


def paragraphs(folders: list[Path]) -> list[str]:
    from validators.ingest import read
    from validators.segment import segment

    found = [f for f in folders if f.is_dir()]
    return [p.raw for doc in read(found) if not doc.problem for p in segment(doc.text).paragraphs]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--corpus", type=Path, nargs="*", default=DEFAULT_CORPORA)
    args = parser.parse_args()

    texts = paragraphs(args.corpus)
    megabytes = sum(len(t.encode("utf-8", "surrogateescape")) for t in texts) / 1e6
    plain_config = FTFY_CONFIG._replace(explain=False)

    differ = [t for t in texts if normalise(t)[0] != ftfy.fix_text(t, config=plain_config)]
    if differ:
        sys.exit(f"output differs from ftfy on {len(differ)} paragraphs, e.g. {differ[0]!r}")

    timings: dict[str, list[float]] = {"ftfy.fix_text": [], "fast path + ftfy.fix_and_explain": []}
    for _ in range(args.repeat):
        start = time.perf_counter()
        for t in texts:
            ftfy.fix_text(t, config=plain_config)
        timings["ftfy.fix_text"].append(time.perf_counter() - start)
        start = time.perf_counter()
        for t in texts:
            normalise(t)
        timings["fast path + ftfy.fix_and_explain"].append(time.perf_counter() - start)

    fast = sum(is_untouched_by_ftfy(t) for t in texts)
    print(f"{len(texts):,} paragraphs, {megabytes:.2f} MB; {fast / len(texts):.1%} take the fast path; outputs identical")
    print(f"{'method':<36} {'median s':>9} {'MB/s':>8}")
    medians = {name: statistics.median(values) for name, values in timings.items()}
    for name, seconds in medians.items():
        print(f"{name:<36} {seconds:>9.3f} {megabytes / seconds:>8.1f}")
    ratio = medians["ftfy.fix_text"] / medians["fast path + ftfy.fix_and_explain"]
    print(f"speed-up: {ratio:.1f}x (medians of {args.repeat} alternating runs)")


if __name__ == "__main__":
    main()
