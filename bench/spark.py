"""The spark engine against the gx engine on the same corpora of real pages, side by side in one run.

Builds, in a temporary project outside the repository, corpora of N paragraphs (at least) by copying
the labelled pages of ``shared/eval/*/corpus/*.txt`` under new names (round robin: whole-page copies,
as a crawl produces), then runs ``check --no-cache --quiet`` with ``--engine gx`` and ``--engine spark
--spark-master MASTER``, each as its own process, alternating, R times. For each it prints the
median wall time, the median CPU time of the process tree (the check, and for Spark its JVM and
Python workers: the machine is shared, so wall time alone says little), and the peak resident
memory of the tree (sampled from /proc every 0.2 s; the largest of the R runs).

Then, in this process, one spark check of the largest corpus run, timed by stage: per-file stage on
the executors (each file's read, decode and per-file steps, measured inside the partition, summed
and per partition), and each later stage's wall time (duplicates, template counts and noise scores, name
variants, on Spark; the driver's assembly; GX on Spark and the findings): the figures from which a
cluster's time is estimated.

    python bench/spark.py [--paragraphs 10000 100000 1000000] [--repeat 3] [--master local[2]] [--max-seconds 1800]

A size whose first run of an engine takes longer than ``--max-seconds`` is not repeated, and larger
sizes are not run for that engine (said in the table).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from scale import shared_pages  # noqa: E402  (the same pages bench/scale.py copies)

COMMAND = [sys.executable, "-m", "validators", "check", "--no-cache", "--quiet"]
TICK = os.sysconf("SC_CLK_TCK")


def paragraphs_of(page: Path) -> int:
    from validators.frame import document_columns
    from validators.ingest import decode

    doc = decode(str(page), 0, page.read_bytes())
    return 0 if doc.problem else len(document_columns(doc)["para"])


def build_corpus(project: Path, paragraphs: int, pages: list[tuple[Path, int]]) -> tuple[int, int]:
    """Copies of the pages under new names until ``paragraphs`` are reached: (files, paragraphs)."""
    corpus = project / "corpus"
    corpus.mkdir(parents=True)
    total = files = 0
    while total < paragraphs:
        source, count = pages[files % len(pages)]
        shutil.copyfile(source, corpus / f"{files:07}-{source.parent.parent.name}-{source.name}")
        files += 1
        total += count
    (project / "pyproject.toml").write_text('[tool.corpus-validator]\npaths = ["corpus"]\n')
    return files, total


def _tree(root: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as handle:
                    parent = int(handle.read().rsplit(")", 1)[1].split()[1])
            except OSError:
                continue
            children.setdefault(parent, []).append(int(entry))
    found, stack = [], [root]
    while stack:
        pid = stack.pop()
        found.append(pid)
        stack.extend(children.get(pid, ()))
    return found


def _sample(pids: list[int], cpu: dict[int, float]) -> int:
    """Resident kB of ``pids`` now; updates each one's CPU seconds so far."""
    rss = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
            with open(f"/proc/{pid}/status") as handle:
                rss += next((int(line.split()[1]) for line in handle if line.startswith("VmRSS:")), 0)
        except OSError:
            continue
        cpu[pid] = (int(fields[11]) + int(fields[12])) / TICK  # utime + stime
    return rss


def run_once(args: list[str], project: Path) -> tuple[float, float, float]:
    """(wall s, CPU s of the process tree, peak RSS MB of the tree) of one check."""
    start = time.perf_counter()
    process = subprocess.Popen(COMMAND + args, cwd=project, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    cpu: dict[int, float] = {}
    peak = 0
    while process.poll() is None:
        peak = max(peak, _sample(_tree(process.pid), cpu))
        time.sleep(0.2)
    elapsed = time.perf_counter() - start
    stderr = process.stderr.read()
    if process.returncode not in (0, 1):
        sys.exit(f"{' '.join(args)} failed ({process.returncode}): {stderr[-2000:]}")
    return elapsed, sum(cpu.values()), peak / 1024


def stage_costs(project: Path, master: str) -> dict:
    """One spark check in this process, timed by stage (``spark.LAST_STAGES``: the per-file stage,
    the duplicate search, template counts and noise scores, name variants, the paragraph table GX
    validates built on Spark, the driver's assembly; then GX on Spark and the findings)."""
    from validators import spark
    from validators.config import load_config

    os.chdir(project)
    config = load_config(start=project)
    config.engine, config.spark_master, config.cache = "spark", master, False
    spark.session(master)
    report = spark.check_on_spark(["corpus"], config)
    stages = dict(spark.LAST_STAGES)
    timings = list(spark.LAST_TIMINGS)
    size = spark.FILES_PER_PARTITION
    partitions = [sum(c for _, _, c in timings[i : i + size]) for i in range(0, len(timings), size)]
    return {
        "files": len(report.documents),
        "paragraphs": len(report.paragraph_table),
        "fetches": dict(spark.LAST_FETCHES),
        "stages": stages,
        "per_file_task_seconds": sum(s for _, s, _ in timings),
        "per_file_task_cpu": sum(c for _, _, c in timings),
        "partitions": partitions,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--paragraphs", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--master", default="local[2]")
    parser.add_argument("--max-seconds", type=float, default=1800.0)
    parser.add_argument("--stages-only", action="store_true", help="only the stage timing, on the largest size")
    args = parser.parse_args()

    pages = [(p, n) for p in shared_pages() if (n := paragraphs_of(p))]
    engines = {"gx": ["--engine", "gx"], "spark": ["--engine", "spark", "--spark-master", args.master]}
    stopped: set[str] = set()
    rows, largest = [], None
    with tempfile.TemporaryDirectory(prefix="cv-bench-spark-") as tmp:
        for size in args.paragraphs:
            project = Path(tmp) / f"p{size}"
            files, paragraphs = build_corpus(project, size, pages)
            runs: dict[str, list] = {name: [] for name in engines}
            for r in range(0 if args.stages_only else args.repeat):
                for name, extra in engines.items():
                    if name in stopped or (r and runs[name] and runs[name][0][0] > args.max_seconds):
                        continue
                    runs[name].append(run_once(extra, project))
                    print(f"  {size:>9} {name:5} run {r + 1}: {runs[name][-1][0]:8.1f} s", file=sys.stderr, flush=True)
            for name in engines:
                if runs[name] and runs[name][0][0] > args.max_seconds:
                    stopped.add(name)
            rows.append((size, files, paragraphs, runs))
            if all(runs[name] for name in engines) or args.stages_only:
                largest = project
        print(f"\n{'paragraphs':>10} {'files':>6} | engine | runs | wall s (median) | CPU s (median) | peak MB (tree)")
        overtake = None
        for size, files, paragraphs, runs in rows:
            walls = {}
            for name, measured in runs.items():
                if not measured:
                    why = "--stages-only" if args.stages_only else f"a smaller size took over {args.max_seconds:.0f} s"
                    print(f"{paragraphs:>10} {files:>6} | {name:6} | not run ({why})")
                    continue
                walls[name] = statistics.median(m[0] for m in measured)
                print(f"{paragraphs:>10} {files:>6} | {name:6} | {len(measured):>4} | {walls[name]:15.1f} | "
                      f"{statistics.median(m[1] for m in measured):14.1f} | {max(m[2] for m in measured):9.0f}")  # fmt: skip
            if overtake is None and len(walls) == 2 and walls["spark"] < walls["gx"]:
                overtake = paragraphs
        print(f"\nspark faster than gx from: {overtake or 'none of the sizes run'} paragraphs ({args.master}, {os.cpu_count()} cores)")
        if largest is not None:
            costs = stage_costs(largest, args.master)
            per_para = costs["per_file_task_cpu"] / costs["paragraphs"]
            parts = costs["partitions"]
            print(f"\nstages of one spark check of {costs['paragraphs']} paragraphs in {costs['files']} files ({args.master}):")
            print(f"  per-file tasks: {costs['per_file_task_seconds']:.1f} s wall, {costs['per_file_task_cpu']:.1f} s CPU "
                  f"({per_para * 1e6:.0f} µs CPU a paragraph); CPU per {spark_files()} files (a partition's share): "
                  f"median {statistics.median(parts):.2f} s, max {max(parts):.2f} s")  # fmt: skip
            for name, seconds in costs["stages"].items():
                print(f"  {name}: {seconds:.1f} s wall")
            print(f"  the driver fetched the values of {costs['fetches']['files']} files of {costs['fetches']['of']} "
                  f"(the mentions of {costs['fetches']['mention_files']}) in {costs['fetches']['jobs']} Spark jobs")
            est = 100e6 * per_para / (20 * 8)
            print(f"  100M paragraphs, 20 nodes x 8 cores: per-file tasks ≈ {est / 60:.0f} min (task CPU / 160 cores); "
                  "the other stages: see README (On Spark) for the estimate and its assumptions")


def spark_files() -> int:
    from validators.spark import FILES_PER_PARTITION

    return FILES_PER_PARTITION


if __name__ == "__main__":
    main()
