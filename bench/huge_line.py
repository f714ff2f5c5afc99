"""A whole corpus in one line: time and peak memory of `check` on both engines.

    python bench/huge_line.py [CORPUS] [--mb 1 4 50] [--repeat 3]

CORPUS (default ../shared/eval/boilerplate-dev/corpus, read where it lies) is joined
into one line of real text, repeated up to each size, and written to a temporary
folder. Each size is checked with ``--no-cache`` by ``--engine light`` and ``--engine
gx`` in turn (side by side), and the medians are printed. Time used to grow with the
square of the line's length (every name mention rescanned the paragraph).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def one_line(corpus: Path) -> str:
    texts = (p.read_text(encoding="utf-8", errors="replace") for p in sorted(corpus.glob("*.txt")))
    return " ".join(" ".join(t.split()) for t in texts)


def run(folder: Path, engine: str) -> tuple[float, float, int]:
    """(seconds, peak MB, exit code) of one check."""
    command = [sys.executable, "-m", "validators", "check", "--no-cache", "--engine", engine, str(folder)]
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=REPO)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - start
    return seconds, usage.ru_maxrss / 1024, os.waitstatus_to_exitcode(status)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("corpus", nargs="?", default=str(REPO.parent / "shared" / "eval" / "boilerplate-dev" / "corpus"))
    parser.add_argument("--mb", type=float, nargs="+", default=[1, 4])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    text = one_line(Path(args.corpus))
    print(f"{len(text):,} characters of real text from {args.corpus}")
    print(f"{'size':>7} {'engine':>6} {'median s':>9} {'peak MB':>8} {'exit':>5}")
    with tempfile.TemporaryDirectory() as tmp:
        for mb in args.mb:
            size = int(mb * 1_000_000)
            folder = Path(tmp) / f"{mb:g}MB"
            folder.mkdir()
            (folder / "one.txt").write_text((text * (size // len(text) + 1))[:size] + "\n", encoding="utf-8")
            results: dict[str, list] = {"light": [], "gx": []}
            for _ in range(args.repeat):
                for engine in results:
                    results[engine].append(run(folder, engine))
            for engine, runs in results.items():
                seconds = statistics.median(r[0] for r in runs)
                peak = statistics.median(r[1] for r in runs)
                print(f"{mb:>5g}MB {engine:>6} {seconds:9.1f} {peak:8.0f} {runs[-1][2]:>5}")


if __name__ == "__main__":
    main()
