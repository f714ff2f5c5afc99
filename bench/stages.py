"""Where the time of `corpus-validator check PATH` goes, stage by stage.

Each repetition runs in a fresh interpreter (imports are the point), and the table
shows the median over the repetitions. Usage:

    python bench/stages.py [PATH] [--repeat 5]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time

PROBE = r"""
import json, sys, time
t0 = time.perf_counter()
from validators.config import load_config
from validators.ingest import read
from validators.pipeline import featurise
from validators.suite import load_suites
t1 = time.perf_counter()
config = load_config()
suites = load_suites(config.expectations)
documents = read([sys.argv[1]])
paragraphs, mentions = featurise(documents, config)
t2 = time.perf_counter()
import great_expectations as gx
t3 = time.perf_counter()
from validators.evaluate import evaluate_with_gx, _quiet
from great_expectations.data_context.types.base import ProgressBarsConfig
with _quiet():
    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
t4 = time.perf_counter()
from validators.frame import file_table
outcomes = evaluate_with_gx({"paragraphs": paragraphs, "mentions": mentions, "files": file_table(documents)}, suites)
t5 = time.perf_counter()
print(json.dumps({"import validators (ftfy, numpy)": t1 - t0, "read, segment, normalise, features": t2 - t1,
                  "import great_expectations (and pandas)": t3 - t2, "GX ephemeral context": t4 - t3,
                  "GX validation (every suite)": t5 - t4}))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", nargs="?", default="seeds")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    stages: dict[str, list[float]] = {}
    walls = []
    for _ in range(args.repeat):
        out = subprocess.run([sys.executable, "-c", PROBE, args.path], capture_output=True, text=True, check=True)
        for name, seconds in json.loads(out.stdout).items():
            stages.setdefault(name, []).append(seconds)
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "validators", "check", args.path], capture_output=True, check=False)
        walls.append(time.perf_counter() - start)

    print(f"{'stage':<40} {'median s':>9}")
    for name, values in stages.items():
        print(f"{name:<40} {statistics.median(values):>9.3f}")
    print(f"{'whole `check` command (wall)':<40} {statistics.median(walls):>9.3f}")
    print(f"(medians of {args.repeat} runs, each in a fresh interpreter)")


if __name__ == "__main__":
    main()
