"""Throughput and memory of a full check at scale, on real scraped pages, side by side in one run.

Builds a corpus of N files in a temporary project outside the repository by copying the
labelled pages of ``shared/eval/*/corpus/*.txt`` under new names (round robin, so N above
the number of pages repeats them: whole-page copies, as a crawl produces), then runs, each
as its own process:

- ``check --engine light --no-cache`` (a full cold check, light engine);
- ``check --engine light`` with the feature cache warmed by one untimed run first;
- ``check --engine gx --no-cache`` (what CI runs);
- on request (``--runs light-cold-json light-cold-sarif``), the cold light check writing its
  report as JSON or SARIF, to see what a report format adds to the peak.

For each it prints the median wall time of R runs, the median CPU seconds (user + system:
on a shared machine, what the run cost, whatever else ran), files/s and MB/s of corpus text,
and the peak resident memory of the check's process (the largest of the R runs, from
``/usr/bin/time``, else ``getrusage(RUSAGE_CHILDREN)``, which is the largest child so far).

With ``--pool``, instead: the per-file feature stage alone on the first 2, 4, ... 64 distinct pages,
in a fresh process each time (so the pool's imports count), with ``--jobs 1`` and with one worker
per core, alternating: median wall and CPU seconds (parent and workers), to place the smallest
number of files for which ``check`` starts a pool (``pipeline.POOL_MIN_FILES``).

With ``--against REV --different`` REV may be a version with other rules (the code an issue's
figures were measured on): each side's runs must agree with themselves only.

With ``--against REV`` each run is also made by commit REV's code (exported with ``git
archive``, imported through PYTHONPATH, with its own ``expectations/``), alternating with this
checkout's, on the same corpus; a row per side, then this checkout's ratios to REV's, and
the bench stops if the two printed different findings.

    python bench/scale.py [--files 2000 8000] [--repeat 3] [--runs light-cold gx-cold] [--against main]
    python bench/scale.py --pool [--repeat 7]
"""

from __future__ import annotations

import argparse
import glob
import hashlib
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
    "light-cold-json": (["check", "--engine", "light", "--no-cache", "--format", "json"], False),
    "light-cold-sarif": (["check", "--engine", "light", "--no-cache", "--format", "sarif"], False),
}
#: What runs without ``--runs``: the JSON and SARIF runs only on request.
DEFAULT_RUNS = ["light-cold", "light-warm", "gx-cold"]


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


def run_once(args: list[str], project: Path, code: Path | None = None) -> tuple[float, float, float, str]:
    """(wall seconds, CPU seconds, peak RSS in MB, digest of the printed findings) of one check process;
    ``code``: a folder to import ``validators`` from instead of this checkout."""
    report = project / "time.txt"
    wrapper = [TIME, "-f", "%U %S %M", "-o", str(report)] if TIME else []
    env = {**os.environ, "PYTHONPATH": str(code)} if code else None
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    result = subprocess.run(wrapper + COMMAND + args + ["--quiet"], cwd=project, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env)  # fmt: skip
    elapsed = time.perf_counter() - start
    if result.returncode not in (0, 1):
        sys.exit(f"{' '.join(args)} failed ({result.returncode}): {result.stderr[-2000:]}")
    if TIME:
        user, system, kilobytes = report.read_text().split()[-3:]
        cpu, kilobytes = float(user) + float(system), int(kilobytes)
    else:  # the largest child so far: an upper bound for this run
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
        kilobytes = after.ru_maxrss
    return elapsed, cpu, kilobytes / 1024, hashlib.sha256(result.stdout.encode("utf-8", "surrogateescape")).hexdigest()


def measure(args: list[str], warm: bool, project: Path, repeat: int, codes: list[Path | None],
            different: bool = False) -> list[tuple[float, float, float]]:
    """(median wall, median CPU, peak RSS) for each of ``codes``, their runs alternating; every run
    must print the same findings (with ``different``, every run of the same code)."""
    cache = project / ".corpus-validator-cache"
    runs: dict[int, list] = {k: [] for k in range(len(codes))}
    for _ in range(repeat):
        for k, code in enumerate(codes):
            shutil.rmtree(cache, ignore_errors=True)
            if warm:
                run_once(args, project, code)
            runs[k].append(run_once(args, project, code))
    shutil.rmtree(cache, ignore_errors=True)
    agreeing = list(runs.values()) if different else [[run for k in runs for run in runs[k]]]
    if any(len({run[3] for run in group}) > 1 for group in agreeing):
        sys.exit(f"{' '.join(args)}: the runs printed different findings")
    return [(statistics.median(r[0] for r in runs[k]), statistics.median(r[1] for r in runs[k]),
             max(r[2] for r in runs[k])) for k in runs]  # fmt: skip


def exported(revision: str, folder: Path) -> Path:
    """Commit ``revision``'s tree in ``folder`` (its ``validators/`` and ``expectations/``)."""
    archive = subprocess.run(["git", "-C", str(REPO), "archive", revision], capture_output=True, check=True)
    subprocess.run(["tar", "-x", "-C", str(folder)], input=archive.stdout, check=True)
    return folder


POOL_PROBE = r"""
import gc, json, resource, sys, time
gc.disable()  # as the command line runs
start = time.perf_counter()
from validators import pipeline
from validators.config import Config
from validators.ingest import read

jobs, files = int(sys.argv[1]), int(sys.argv[2])
config = Config(cache=False, jobs=jobs)
documents = read([sys.argv[3]])[:files]
context = pipeline.feature_context(config)
pipeline.POOL_MIN_FILES = 1  # the pool whenever jobs > 1: what it costs is measured here
begin = time.perf_counter()
pipeline._file_stage(documents, context, None)
wall = time.perf_counter() - begin
own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"wall": wall, "cpu": own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime}))
"""


def pool_threshold(pages: list[Path], repeat: int) -> None:
    """The file stage on the first N distinct pages, serial against the pool, alternating."""
    import json

    cores = os.cpu_count() or 1
    print(f"per-file stage only, first N distinct pages; --jobs 1 against --jobs {cores}; median of {repeat} runs, each in a fresh process")
    print("| files | jobs 1 wall s | jobs %d wall s | jobs 1 CPU s | jobs %d CPU s (parent + workers) | pool saves |" % (cores, cores))
    print("|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory(prefix="corpus-validator-pool-") as folder:
        corpus = Path(folder) / "corpus"
        corpus.mkdir()
        for n, page in enumerate(pages[:64]):  # distinct pages: no copy is a cache hit
            shutil.copyfile(page, corpus / f"{n:04}.txt")
        for files in (2, 4, 8, 16, 32, 64):
            runs: dict[int, list] = {1: [], cores: []}
            for _ in range(repeat):
                for jobs in runs:
                    out = subprocess.run([sys.executable, "-c", POOL_PROBE, str(jobs), str(files), str(corpus)],
                                         capture_output=True, text=True, check=True, cwd=REPO)  # fmt: skip
                    runs[jobs].append(json.loads(out.stdout))
            wall = {j: statistics.median(r["wall"] for r in runs[j]) for j in runs}
            cpu = {j: statistics.median(r["cpu"] for r in runs[j]) for j in runs}
            print(f"| {files} | {wall[1]:.3f} | {wall[cores]:.3f} | {cpu[1]:.2f} | {cpu[cores]:.2f} | {wall[1] - wall[cores]:+.3f} s |", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, nargs="+", default=[2000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--runs", nargs="+", choices=list(RUNS), default=DEFAULT_RUNS)
    parser.add_argument("--against", metavar="REV", help="also run commit REV's code, alternating, and print ratios")
    parser.add_argument("--different", action="store_true",
                        help="REV's rules differ (the code an issue was measured on): time both, and check each side's runs agree only with themselves")
    parser.add_argument("--pool", action="store_true", help="measure the per-file stage serial against the pool, by number of files")
    args = parser.parse_args()

    pages = shared_pages()
    if args.pool:
        pool_threshold(pages, args.repeat)
        return
    print(f"{len(pages)} distinct pages from shared/eval; {os.cpu_count()} cores; median of {args.repeat} runs; "
          f"peak RSS from {'/usr/bin/time' if TIME else 'getrusage'}")  # fmt: skip
    print("| files | MB | run | code | wall s | CPU s | files/s | MB/s | peak RSS MB |")
    print("|---|---|---|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory(prefix="corpus-validator-scale-code-") as code_folder:
        codes: list[Path | None] = [None]
        names = ["this checkout"]
        if args.against:
            codes.append(exported(args.against, Path(code_folder)))
            names.append(args.against)
        for files in args.files:
            with tempfile.TemporaryDirectory(prefix="corpus-validator-scale-") as folder:
                project = Path(folder)
                size = build_corpus(project, files, pages) / 1e6
                for name in args.runs:
                    command, warm = RUNS[name]
                    results = measure(command, warm, project, args.repeat, codes, args.different)
                    for who, (wall, cpu, rss) in zip(names, results, strict=True):
                        print(f"| {files} | {size:.1f} | `{' '.join(command)}` | {who} | {wall:.1f} | {cpu:.1f} | "
                              f"{files / wall:.0f} | {size / wall:.2f} | {rss:.0f} |", flush=True)  # fmt: skip
                    if args.against:
                        (wall, cpu, rss), (old_wall, old_cpu, old_rss) = results
                        print(f"| {files} | {size:.1f} | `{' '.join(command)}` | ratio to {args.against} | "
                              f"{old_wall / wall:.2f}x faster | {old_cpu / cpu:.2f}x less | | | {rss / old_rss:.2f}x |",
                              flush=True)  # fmt: skip


if __name__ == "__main__":
    main()
