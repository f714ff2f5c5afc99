"""What each way of bounding user patterns costs, on real scraped paragraphs.

    python bench/regex_guard.py [CORPUS]   (default ../shared/eval/boilerplate-dev/corpus)

Side by side, medians of 5 runs, every BP pattern of expectations/paragraphs.json over
every paragraph (GX's semantics: re.search):

- re: what both engines do today (GX through pandas' str.contains);
- load-time check: validators.safe_regex.check on every pattern, then plain re;
- regex + timeout: the ``regex`` module with a per-call timeout (light engine only:
  GX would still run ``re``);
- RE2: ``google-re2``, linear time; patterns it refuses (look-aheads) are counted.

``regex`` and ``google-re2`` are not dependencies: install them in the venv to run
those rows (``pip install regex google-re2``); a missing one is reported, not run.
"""

from __future__ import annotations

import json
import re
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from validators.ingest import read  # noqa: E402
from validators.safe_regex import check  # noqa: E402
from validators.segment import segment  # noqa: E402


def paragraphs(folder: str) -> list[str]:
    return [p.raw for doc in read([folder]) for p in segment(doc.text).paragraphs]


def patterns() -> list[str]:
    suite = json.loads((REPO / "expectations" / "paragraphs.json").read_text(encoding="utf-8"))
    return [p for e in suite["expectations"] for p in e["kwargs"].get("regex_list", [])]


def median_time(run, repeat=5) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = run()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def main() -> None:
    folder = sys.argv[1] if len(sys.argv) > 1 else str(REPO.parent / "shared" / "eval" / "boilerplate-dev" / "corpus")
    texts, sources = paragraphs(folder), patterns()
    print(f"{len(texts)} paragraphs ({sum(map(len, texts)):,} characters) from {folder}; {len(sources)} patterns")

    def with_re():
        compiled = [re.compile(p) for p in sources]
        return sum(any(p.search(t) for p in compiled) for t in texts)

    def with_check():
        compiled = [check(p) for p in sources]
        return sum(any(p.search(t) for p in compiled) for t in texts)

    rows = [("re (today)", with_re), ("load-time check + re", with_check)]
    try:
        import regex

        def with_timeout():
            compiled = [regex.compile(p, flags=regex.VERSION0) for p in sources]
            return sum(any(p.search(t, timeout=1.0) for p in compiled) for t in texts)

        rows.append(("regex, timeout=1s", with_timeout))
    except ImportError:
        print("regex: not installed (pip install regex)")
    refused = []
    try:
        import re2

        accepted = []
        for p in sources:
            try:
                accepted.append(re2.compile(p))
            except Exception:  # re2.error: look-aheads, and what else RE2 lacks
                refused.append(p)

        def with_re2():
            return sum(any(p.search(t) for p in accepted) for t in texts)

        rows.append((f"RE2 ({len(accepted)} of {len(sources)} patterns)", with_re2))
    except ImportError:
        print("google-re2: not installed (pip install google-re2)")

    results = []
    for name, run in rows:  # interleaved rounds, so load changes hit every row alike
        results.append([name, [], None])
    for _ in range(5):
        for entry, (_, run) in zip(results, rows, strict=True):
            seconds, matched = median_time(run, repeat=1)
            entry[1].append(seconds)
            entry[2] = matched
    base = statistics.median(results[0][1])
    print(f"{'engine':<32} {'median s':>9} {'vs re':>7} {'paragraphs matched':>19}")
    for name, times, matched in results:
        seconds = statistics.median(times)
        print(f"{name:<32} {seconds:9.3f} {seconds / base:6.2f}x {matched:>19}")
    if refused:
        print(f"RE2 refuses {len(refused)} patterns, e.g. {refused[0][:70]!r}")
    start = time.perf_counter()
    for _ in range(100):
        for p in sources:
            check(p)
    print(f"load-time check alone: {(time.perf_counter() - start) / 100 * 1000:.1f} ms for all {len(sources)} patterns")


if __name__ == "__main__":
    main()
