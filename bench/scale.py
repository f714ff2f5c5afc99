"""Throughput and memory of a full check at scale, on real scraped pages, side by side in one run.

Builds a corpus of N files in a temporary project outside the repository by copying the
labelled pages of ``shared/eval/*/corpus/*.txt`` under new names (round robin, so N above
the number of pages repeats them: whole-page copies, as a crawl produces), then runs, each
as its own process:

- ``check --engine light --no-cache`` (a full cold check, light engine);
- ``check --engine light`` with the feature cache warmed by one untimed run first;
- ``check --engine gx --no-cache`` (what CI runs).

For each it prints the median wall time of R runs, files/s and MB/s of corpus text, and the
peak resident memory of the check's process (the largest of the R runs, from
``/usr/bin/time``, else ``getrusage(RUSAGE_CHILDREN)``, which is the largest child so far).

    python bench/scale.py [--files 2000 8000] [--repeat 3] [--runs light-cold gx-cold]
"""

from __future__ import annotations

import argparse
import glob
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
COMMAND = [sys.executable, "-m", "validators"]
TIME = shutil.which("time") or ("/usr/bin/time" if os.path.exists("/usr/bin/time") else None)

RUNS = {
    "light-cold": (["check", "--engine", "light", "--no-cache"], False),
    "light-warm": (["check", "--engine", "light"], True),
    "gx-cold": (["check", "--engine", "gx", "--no-cache"], False),
}


def shared_pages() -> list[Path]:
    """The labelled pages beside the clone or beside one of its parent folders."""
    for folder in REPO.parents:
        pages = sorted(Path(p) for p in glob.glob(str(folder / "shared" / "eval" / "*" / "corpus" / "*.txt")))
        if pages:
            return pages
    sys.exit("no shared/eval/*/corpus/*.txt found beside the repository or its parent folders")


def build_corpus(project: Path, files: int, pages: list[Path]) -> int:
    """``files`` copies of the pages under new names; returns the corpus's size in bytes."""
    corpus = project / "corpus"
    corpus.mkdir(parents=True)
    total = 0
    for n in range(files):
        source = pages[n % len(pages)]
        target = corpus / f"{n:06}-{source.parent.parent.name}-{source.name}"
        shutil.copyfile(source, target)
        total += target.stat().st_size
    (project / "pyproject.toml").write_text('[tool.corpus-validator]\npaths = ["corpus"]\n')
    return total


def run_once(args: list[str], project: Path) -> tuple[float, float]:
    """(wall seconds, peak RSS in MB) of one check process."""
    report = project / "time.txt"
    wrapper = [TIME, "-f", "%M", "-o", str(report)] if TIME else []
    start = time.perf_counter()
    result = subprocess.run(wrapper + COMMAND + args + ["--quiet"], cwd=project, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)  # fmt: skip
    elapsed = time.perf_counter() - start
    if result.returncode not in (0, 1):
        sys.exit(f"{' '.join(args)} failed ({result.returncode}): {result.stderr[-2000:]}")
    if TIME:
        kilobytes = int(report.read_text().split()[-1])
    else:  # the largest child so far: an upper bound for this run
        kilobytes = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return elapsed, kilobytes / 1024


def measure(name: str, args: list[str], warm: bool, project: Path, repeat: int) -> tuple[float, float]:
    cache = project / ".corpus-validator-cache"
    shutil.rmtree(cache, ignore_errors=True)
    if warm:
        run_once(args, project)
    runs = [run_once(args, project) for _ in range(repeat)]
    shutil.rmtree(cache, ignore_errors=True)
    return statistics.median(t for t, _ in runs), max(m for _, m in runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, nargs="+", default=[2000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--runs", nargs="+", choices=list(RUNS), default=list(RUNS))
    args = parser.parse_args()

    pages = shared_pages()
    print(f"{len(pages)} distinct pages from shared/eval; {os.cpu_count()} cores; median of {args.repeat} runs; "
          f"peak RSS from {'/usr/bin/time' if TIME else 'getrusage'}")  # fmt: skip
    print("| files | MB | run | wall s | files/s | MB/s | peak RSS MB |")
    print("|---|---|---|---|---|---|---|")
    for files in args.files:
        with tempfile.TemporaryDirectory(prefix="corpus-validator-scale-") as folder:
            project = Path(folder)
            size = build_corpus(project, files, pages) / 1e6
            for name in args.runs:
                command, warm = RUNS[name]
                wall, rss = measure(name, command, warm, project, args.repeat)
                print(f"| {files} | {size:.1f} | `{' '.join(command)}` | {wall:.1f} | "
                      f"{files / wall:.0f} | {size / wall:.2f} | {rss:.0f} |", flush=True)  # fmt: skip


if __name__ == "__main__":
    main()
