"""A full cold check beside the tools a corpus owner already runs, on the same corpus, in one run.

Builds the corpus as ``bench/scale.py`` does (the labelled pages of ``shared/eval/*/corpus``
copied under new names, round robin) and times, each as its own process, alternating:

- ``corpus-validator check --engine light --no-cache`` (with ``--jobs`` as given: default
  one worker per core, as a user runs it);
- ``codespell`` and ``typos`` over the corpus folder (spelling checkers: the speed a
  pre-commit user is used to);
- datatrove's Gopher repetition, Gopher quality, C4 and FineWeb quality filters, one task,
  documents read from the files (what a pretraining pipeline runs over scraped text).

The peers come from a virtual environment of their own, so that this project's does not
carry them (``--peers``; made once):

    python3 -m venv /tmp/peers && /tmp/peers/bin/pip install codespell typos 'datatrove[processing]' spacy
    python bench/peers.py --peers /tmp/peers [--files 2000] [--repeat 3]

A peer that is not installed there is reported as missing and skipped. For each run: median
wall and CPU seconds (user + system, from ``/usr/bin/time``) of R runs, files/s and MB/s of
corpus text by wall time, the largest peak RSS, and the ratio of each peer's wall and CPU
time to the check's (above 1: the peer is slower).
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

sys.path.insert(0, str(Path(__file__).resolve().parent))
from scale import build_corpus, shared_pages  # noqa: E402

TIME = "/usr/bin/time"

DATATROVE = r"""
import glob, os, sys
from datatrove.data import Document
from datatrove.executor import LocalPipelineExecutor
from datatrove.pipeline.filters import C4QualityFilter, FineWebQualityFilter, GopherQualityFilter, GopherRepetitionFilter

def read(data, rank=0, world_size=1):
    for path in sorted(glob.glob(os.path.join(sys.argv[1], "*.txt"))):
        with open(path, encoding="utf-8", errors="replace") as handle:
            yield Document(text=handle.read(), id=path)

kept = 0
def count(data, rank=0, world_size=1):
    global kept
    for document in data:
        kept += 1
        yield document

steps = [read, GopherRepetitionFilter(), GopherQualityFilter(), C4QualityFilter(filter_no_terminal_punct=False),
         FineWebQualityFilter(), count]
LocalPipelineExecutor(pipeline=steps, tasks=1, logging_dir=sys.argv[2]).run()
print(kept, file=sys.stderr)
"""


def commands(peers: Path | None, corpus: Path, logs: Path, jobs: int | None) -> dict[str, list[str] | None]:
    """Each run's command line; None where the tool is not installed."""
    check = [sys.executable, "-m", "validators", "check", "--engine", "light", "--no-cache", "--quiet"]
    if jobs:
        check += ["--jobs", str(jobs)]
    found: dict[str, list[str] | None] = {"corpus-validator light cold": check + ["corpus"]}
    bin_folder = peers / "bin" if peers else None

    def tool(name: str) -> str | None:
        if bin_folder and (bin_folder / name).exists():
            return str(bin_folder / name)
        return shutil.which(name)

    codespell, typos = tool("codespell"), tool("typos")
    found["codespell"] = [codespell, str(corpus)] if codespell else None
    found["typos"] = [typos, str(corpus)] if typos else None
    python = str(bin_folder / "python") if bin_folder and (bin_folder / "python").exists() else None
    has_datatrove = python and subprocess.run([python, "-c", "import datatrove, spacy"], capture_output=True).returncode == 0
    found["datatrove Gopher + C4 + FineWeb filters"] = [python, "-c", DATATROVE, str(corpus), str(logs)] if has_datatrove else None
    return found


#: The exit codes that mean "ran, with or without findings": codespell exits 65 and typos 2 on a finding.
EXITS = {"corpus-validator light cold": {0, 1}, "codespell": {0, 65}, "typos": {0, 2}}


def run_once(name: str, command: list[str], cwd: Path, logs: Path) -> tuple[float, float, float]:
    """(wall s, CPU s, peak RSS MB) of one process."""
    shutil.rmtree(logs, ignore_errors=True)
    shutil.rmtree(cwd / ".corpus-validator-cache", ignore_errors=True)
    report = cwd / "time.txt"
    start = time.perf_counter()
    result = subprocess.run([TIME, "-f", "%U %S %M", "-o", str(report), *command], cwd=cwd,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)  # fmt: skip
    wall = time.perf_counter() - start
    if result.returncode not in EXITS.get(name, {0}):
        sys.exit(f"{name} failed ({result.returncode}): {result.stderr[-2000:]}")
    user, system, kilobytes = report.read_text().split()[-3:]
    return wall, float(user) + float(system), int(kilobytes) / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--jobs", type=int, help="the check's --jobs (default: its own default, one worker per core)")
    parser.add_argument("--peers", type=Path, help="a virtual environment with codespell, typos and datatrove")
    args = parser.parse_args()
    if not os.path.exists(TIME):
        sys.exit(f"{TIME} is needed for CPU time and peak RSS (Debian's package 'time')")

    pages = shared_pages()
    with tempfile.TemporaryDirectory(prefix="corpus-validator-peers-") as folder:
        project = Path(folder)
        size = build_corpus(project, args.files, pages) / 1e6
        logs = project / "datatrove-logs"
        runs = commands(args.peers, project / "corpus", logs, args.jobs)
        for name, command in runs.items():
            if command is None:
                print(f"{name}: not installed (see --peers), skipped")
        present = {name: command for name, command in runs.items() if command}
        results: dict[str, list] = {name: [] for name in present}
        for _ in range(args.repeat):  # alternating, so that the machine's load falls on every tool alike
            for name, command in present.items():
                results[name].append(run_once(name, command, project, logs))

        print(f"{args.files} files, {size:.1f} MB, {len(pages)} distinct pages; {os.cpu_count()} cores; median of {args.repeat} runs")
        print("| run | wall s | CPU s | files/s | MB/s | peak RSS MB | wall / check | CPU / check |")
        print("|---|---|---|---|---|---|---|---|")
        medians = {name: (statistics.median(r[0] for r in rs), statistics.median(r[1] for r in rs), max(r[2] for r in rs))
                   for name, rs in results.items()}  # fmt: skip
        check_wall, check_cpu, _ = medians["corpus-validator light cold"]
        for name, (wall, cpu, rss) in medians.items():
            print(f"| {name} | {wall:.1f} | {cpu:.1f} | {args.files / wall:.0f} | {size / wall:.2f} | {rss:.0f} | "
                  f"{wall / check_wall:.2f} | {cpu / check_cpu:.2f} |")  # fmt: skip


if __name__ == "__main__":
    main()
