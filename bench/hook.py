"""The pre-commit hook's time against a full GX run, on the same 1,000-article corpus, in one run.

Builds a synthetic corpus of real text (bench/synth.py) in a temporary project, warms the
feature cache once (as the first commit after cloning would), then alternates:

- hook: ``corpus-validator check --engine light --with-corpus ONE_FILE`` (what pre-commit runs
  for a one-file commit; the file is edited before each run, so it is never served from the cache);
- full: ``corpus-validator check --engine gx --no-cache`` over the whole corpus (what CI runs).

    python bench/hook.py [--articles 1000] [--repeat 5]

With ``--pages 100,1000,10000`` it measures instead how the hook run grows with the corpus (issue
#16): for each size, a corpus of real page dumps (``../shared/eval/*/corpus/*.txt``, read where they
lie and copied, cycled, under new names into a temporary folder; never into the repository), the
cache warmed (features in chunks, then one hook run, which builds what the hook keeps), then
alternating runs of the hook (one file edited before each) and of ``python -c "import
great_expectations"``: medians of wall and processor time, and the hook's time over the import's.
``--profile FILE`` also writes a cProfile of one more hook run at the largest size there.

    python bench/hook.py --pages 100,1000,10000 [--distinct] [--repeat 5] [--profile hook.prof]

``--distinct`` ends each copied file with a line of its own, so that no two files have the same
bytes, as in a real corpus (copies share their cached features and their name mentions).

With ``--pages`` and ``--against REV`` it runs, in each corpus warmed once, the hook of this
checkout, the hook of commit REV (a copy of the warmed project each, so neither side's cache
writes reach the other) and the import, alternating: both sides' rows of the table in one run.

With ``--against REV`` alone it times instead the hook run of this checkout against the same run of
commit REV (exported with ``git archive``, imported through PYTHONPATH, with its own
``expectations/``), alternating, each on its own copy of the corpus: the change's cost, in wall time
and in processor time (user + system, which other processes on a loaded machine do not inflate).
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from synth import write_corpus  # noqa: E402

COMMAND = [sys.executable, "-m", "validators"]


ROOT = Path(__file__).resolve().parent.parent


def timed(args: list[str], cwd: Path, code: Path | None = None, cpu: list[float] | None = None, memory: list | None = None) -> float:
    """Wall seconds of one run; with ``cpu``, its processor seconds (user + system) are appended
    there; with ``memory``, its peak memory in MB as (resident, anonymous) (``Peak``)."""
    env = dict(os.environ, PYTHONPATH=str(code)) if code else None
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    process = subprocess.Popen(COMMAND + args, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    peak = Peak(process.pid) if memory is not None else None
    _, stderr = process.communicate()
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if cpu is not None:
        cpu.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    if peak is not None:
        memory.append(peak.stop())
    if process.returncode not in (0, 1):
        sys.exit(f"{' '.join(args)} failed: {stderr}")
    return elapsed


class Peak:
    """A running process's peak memory, read from ``/proc/PID/status`` every 10 ms: its
    high-water resident set (``VmHWM``: what ``/usr/bin/time`` reports, which counts pages of
    files it maps, such as the feature cache) and the most anonymous memory seen (``RssAnon``:
    what it allocated itself). Linux only; (0, 0) elsewhere."""

    def __init__(self, pid: int):
        import threading

        self.pid, self.resident, self.anonymous, self.done = pid, 0, 0, threading.Event()
        self.thread = threading.Thread(target=self._sample, daemon=True)
        self.thread.start()

    def _sample(self) -> None:
        while not self.done.is_set():
            try:
                with open(f"/proc/{self.pid}/status") as status:
                    fields = dict(line.split(":", 1) for line in status if ":" in line)
            except OSError:
                return
            if "VmHWM" not in fields:  # a zombie: its memory is gone
                return
            self.resident = max(self.resident, int(fields["VmHWM"].split()[0]) // 1024)
            self.anonymous = max(self.anonymous, int(fields.get("RssAnon", "0 kB").split()[0]) // 1024)
            time.sleep(0.01)

    def stop(self) -> tuple[int, int]:
        self.done.set()
        self.thread.join()
        return self.resident, self.anonymous


HOOK = ["check", "--engine", "light", "--with-corpus", "corpus/00007.txt"]


def against(revision: str, articles: int, repeat: int) -> None:
    """The hook run of this checkout and of ``revision``, alternating."""
    with tempfile.TemporaryDirectory() as folder:
        old = Path(folder) / "code"
        old.mkdir()
        archive = subprocess.run(["git", "-C", str(ROOT), "archive", revision], capture_output=True, check=True)
        subprocess.run(["tar", "-x", "-C", str(old)], input=archive.stdout, check=True)
        sides = {"this checkout": ROOT, revision: old}
        projects = {}
        for n, (side, code) in enumerate(sides.items()):
            project = Path(folder) / f"project{n}"
            write_corpus(project / "corpus", articles)
            settings = f'[tool.corpus-validator]\npaths = ["corpus"]\nexpectations = "{code / "expectations"}"\n'
            (project / "pyproject.toml").write_text(settings)
            timed(["check", "--engine", "light"], project, code)
            projects[side] = project
        original = (projects["this checkout"] / "corpus" / "00007.txt").read_text(encoding="utf-8")
        times: dict[str, list[float]] = {side: [] for side in sides}
        cpu: dict[str, list[float]] = {side: [] for side in sides}
        for n in range(repeat):
            for side in list(sides)[:: 1 if n % 2 == 0 else -1]:
                changed = projects[side] / "corpus" / "00007.txt"
                changed.write_text(original + f"\nAn edit made for run {n}, so the file is new to the cache.\n", encoding="utf-8")
                times[side].append(timed(HOOK, projects[side], sides[side], cpu[side]))
    for side, runs in times.items():
        print(f"hook run, {side:<20} median {statistics.median(runs):.3f} s  min {min(runs):.3f} s  "
              f"processor time median {statistics.median(cpu[side]):.3f} s")  # fmt: skip
    ratio = statistics.median(times["this checkout"]) / statistics.median(times[revision])
    print(f"this checkout / {revision}: {ratio:.3f} (medians of {repeat} alternating runs)")
    # On a loaded machine wall time waits for other processes; processor time counts only the run's own work.
    ratio = statistics.median(cpu["this checkout"]) / statistics.median(cpu[revision])
    print(f"this checkout / {revision}, processor time: {ratio:.3f}")


#: The real page dumps the scale mode copies (read where they lie, never copied into the repository).
EVAL_PAGES = sorted(ROOT.parent.glob("shared/eval/*/corpus/*.txt")) or sorted(ROOT.parent.parent.glob("shared/eval/*/corpus/*.txt"))
IMPORT_GX = ["-c", "import great_expectations"]
CHUNK = 500  # files per warming run: per-file features only, so warming stays linear


def page_corpus(project: Path, pages: int, distinct: bool = False) -> Path:
    """``pages`` files under ``project/corpus``, the real pages cycled under new names; returns the
    file the hook checks. ``distinct``: each file ends with a line of its own, so no two have the same
    bytes (a real corpus's files differ: copies share their cached features and their name mentions,
    which made the cache of 10,000 cycled pages 43 MB where that of 10,000 distinct ones is 965 MB)."""
    if not EVAL_PAGES:
        sys.exit("no real pages found under ../shared/eval/*/corpus/")
    corpus = project / "corpus"
    corpus.mkdir(parents=True)
    for n in range(pages):
        own = f"\nFile {n} of the archive.\n".encode() if distinct else b""
        (corpus / f"{n:05d}.txt").write_bytes(EVAL_PAGES[n % len(EVAL_PAGES)].read_bytes() + own)
    (project / "pyproject.toml").write_text('[tool.corpus-validator]\npaths = ["corpus"]\n')
    return corpus / f"{pages // 2:05d}.txt"  # mid-corpus: copies of its page before and after it


def timed_python(args: list[str], cwd: Path, cpu: list[float]) -> float:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run([sys.executable, *args], cwd=cwd, check=True, capture_output=True)
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return elapsed


def exported(revision: str, folder: Path) -> Path:
    """Commit ``revision``'s code, exported under ``folder``."""
    code = folder / "code"
    code.mkdir()
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", revision], capture_output=True, check=True)
    subprocess.run(["tar", "-x", "-C", str(code)], input=archive.stdout, check=True)
    return code


def scale(sizes: list[int], repeat: int, profile: str | None, revision: str | None = None, distinct: bool = False) -> None:
    """The one-file hook run in corpora of each size, against ``import great_expectations``
    (and against commit ``revision``'s hook run, when given)."""
    rows, old_rows = [], []
    with tempfile.TemporaryDirectory() as folder:
        old = exported(revision, Path(folder)) if revision else None
        for size in sizes:
            project = Path(folder) / f"p{size}"
            changed = page_corpus(project, size, distinct)
            relative = str(changed.relative_to(project))
            files = sorted(str(p.relative_to(project)) for p in (project / "corpus").iterdir())
            start = time.perf_counter()
            for begin in range(0, len(files), CHUNK):
                timed(["check", "--engine", "light", "-q", *files[begin : begin + CHUNK]], project)
            original = changed.read_bytes()
            timed([*HOOK[:-1], relative], project)  # the first hook run builds what the hook keeps
            warm = time.perf_counter() - start
            # Each side runs on its own copy of the warmed project: (project, code, wall, cpu, memory).
            sides = [(project, None, [], [], [])]
            if old is not None:
                other = Path(folder) / f"p{size}-old"
                shutil.copytree(project, other)
                timed([*HOOK[:-1], relative], other, old)  # what the other side's hook keeps
                sides.append((other, old, [], [], []))
            gx, gx_cpu = [], []
            for n in range(repeat):
                for side_project, code, wall, cpu, memory in sides[:: 1 if n % 2 == 0 else -1]:
                    (side_project / relative).write_bytes(original + f"\nAn edit made for run {n}, so the file is new to the cache.\n".encode())
                    wall.append(timed([*HOOK[:-1], relative], side_project, code, cpu, memory))
                gx.append(timed_python(IMPORT_GX, project, gx_cpu))
            for (_, _, wall, cpu, memory), table in zip(sides, (rows, old_rows)):
                peak = (max(m[0] for m in memory), max(m[1] for m in memory))
                table.append((size, warm, statistics.median(wall), statistics.median(cpu), statistics.median(gx), statistics.median(gx_cpu), *peak))
            print(f"{size} files warmed in {warm:.1f} s", file=sys.stderr, flush=True)
            if profile and size == max(sizes):
                import pstats

                for side_project, code, _, _, _ in sides:  # REV's profile goes to FILE.old
                    (side_project / relative).write_bytes(original + b"\nAn edit made for the profile.\n")
                    out = str(Path(profile).resolve()) + ("" if code is None else ".old")
                    env = dict(os.environ, PYTHONPATH=str(code)) if code else None
                    command = [sys.executable, "-m", "cProfile", "-o", out, "-m", "validators", *HOOK[:-1], relative]
                    subprocess.run(command, cwd=side_project, capture_output=True, env=env)
                    print(f"\nprofile of one hook run at {size} files, {revision if code else 'this checkout'} ({out}), top by cumulative time:")
                    pstats.Stats(out).sort_stats("cumulative").print_stats(25)
    print_rows(rows, repeat, "this checkout")
    if old_rows:
        print()
        print_rows(old_rows, repeat, revision)
        print(f"\n{'files':>6} {'hook wall this/' + revision:>24} {'hook cpu this/' + revision:>24}")
        for new, before in zip(rows, old_rows, strict=True):
            print(f"{new[0]:>6} {new[2] / before[2]:>24.3f} {new[3] / before[3]:>24.3f}")


def print_rows(rows: list, repeat: int, side: str) -> None:
    print(f"one-file hook run (`corpus-validator {' '.join(HOOK[:-1])} FILE`), {side}, medians of {repeat} alternating runs;")
    print("peak memory: the most of any run, resident (counting the feature cache's pages it maps) and anonymous (its own)")
    print(f"{'files':>6} {'hook wall s':>11} {'hook cpu s':>10} {'import GX wall s':>16} {'import GX cpu s':>15} {'hook/GX wall':>12} {'hook/GX cpu':>11} {'peak RSS MB':>11} {'peak anon MB':>12}")
    for size, _, wall, cpu, gx_wall, gx_cpu, resident, anonymous in rows:
        print(f"{size:>6} {wall:>11.3f} {cpu:>10.3f} {gx_wall:>16.3f} {gx_cpu:>15.3f} {wall / gx_wall:>12.3f} {cpu / gx_cpu:>11.3f} {resident:>11} {anonymous:>12}")
    first, last = rows[0], rows[-1]
    print(f"hook at {last[0]} files / hook at {first[0]} files: wall {last[2] / first[2]:.2f}x, cpu {last[3] / first[3]:.2f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--pages", help="corpus sizes in real page files, comma-separated (the scale mode)")
    parser.add_argument("--profile", metavar="FILE", help="with --pages, a cProfile of a hook run at the largest size")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--against", metavar="REV", help="time the hook run against commit REV's instead of a full run")
    parser.add_argument("--distinct", action="store_true", help="with --pages, no two files with the same bytes (a line of its own each)")
    args = parser.parse_args()
    if args.pages:
        scale([int(n) for n in args.pages.split(",")], args.repeat, args.profile, args.against, args.distinct)
        return
    if args.against:
        against(args.against, args.articles, args.repeat)
        return

    with tempfile.TemporaryDirectory() as folder:
        project = Path(folder)
        write_corpus(project / "corpus", args.articles)
        (project / "pyproject.toml").write_text('[tool.corpus-validator]\npaths = ["corpus"]\n')
        changed = project / "corpus" / "00007.txt"
        original = changed.read_text(encoding="utf-8")
        warm = timed(["check", "--engine", "light"], project)

        hook, full = [], []
        for n in range(args.repeat):
            changed.write_text(original + f"\nAn edit made for run {n}, so the file is new to the cache.\n", encoding="utf-8")
            hook.append(timed(["check", "--engine", "light", "--with-corpus", "corpus/00007.txt"], project))
            full.append(timed(["check", "--engine", "gx", "--no-cache"], project))

    print(f"{args.articles} articles; cache warmed once in {warm:.2f} s")
    print(f"{'run':<52} {'median s':>9} {'min s':>7}")
    print(f"{'hook: one changed file, light engine, with corpus':<52} {statistics.median(hook):>9.2f} {min(hook):>7.2f}")
    print(f"{'full: whole corpus, GX engine, no cache':<52} {statistics.median(full):>9.2f} {min(full):>7.2f}")
    print(f"full / hook: {statistics.median(full) / statistics.median(hook):.1f}x (medians of {args.repeat} alternating runs)")


if __name__ == "__main__":
    main()
