"""Duplicate detection: precision and recall per kind of injected duplicate, and scale.

Quality (``--quality``): a corpus of real sentences (bench/synth.py's pool, recombined
into paragraphs so that every paragraph is new) with known duplicates injected:
exact copies, copies with 5, 10, 15 and 20 % of their words replaced, articles with
their paragraphs re-ordered, and articles with a new header and footer. Prints
precision and recall per kind, measured on the detector's own output columns.

Scale (``--scale 10000 100000 1000000``): the duplicate stage alone (canonical forms,
MinHash signatures, passages, LSH) on N paragraphs of real sentences recombined with a
third of their words swapped (so that, as in a real corpus, they are distinct), each size
in a fresh process; prints the median wall and CPU (user + system) seconds of the stage over
``--repeat`` runs, and the peak memory (max RSS) of the process, the largest of the runs. The
cycle collector is off, as when the command line runs the stage; ``--with-gc`` turns it on.
With ``--against REV``, commit REV's duplicate stage (exported with ``git archive`` and
imported from there) runs too, alternating with this checkout's, on the same paragraphs; the
last column is then this checkout's CPU seconds over REV's.

    python bench/duplicates.py --quality
    python bench/duplicates.py --scale 10000 100000 1000000 [--repeat 3] [--against main] [--with-gc]
"""

from __future__ import annotations

import argparse
import json
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from synth import real_paragraphs  # noqa: E402

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z“\"])")


def sentence_pool() -> list[str]:
    return [s for p in real_paragraphs() for s in _SENTENCE_END.split(p) if len(s.split()) >= 6]


def new_paragraph(rng: random.Random, pool: list[str]) -> str:
    """2-4 sentences; with a pool that pops, no sentence is used twice (no accidental overlap)."""
    count = rng.randint(2, 4)
    if isinstance(pool, SentenceSource):
        return " ".join(pool.take() for _ in range(count))
    return " ".join(rng.sample(pool, count))


class SentenceSource:
    """Each sentence of the pool once, in a shuffled order."""

    def __init__(self, pool: list[str], rng: random.Random):
        self.sentences = list(pool)
        rng.shuffle(self.sentences)

    def take(self) -> str:
        return self.sentences.pop()


def change_words(rng: random.Random, text: str, share: float, vocabulary: list[str]) -> str:
    words = text.split()
    for i in rng.sample(range(len(words)), max(1, round(share * len(words)))):
        words[i] = rng.choice(vocabulary)
    return " ".join(words)


def build_quality_corpus(seed: int = 7, articles: int = 300) -> tuple[list[list[str]], dict]:
    """Articles (lists of paragraphs) and the truth: (kind, copy place, source place) triples."""
    rng = random.Random(seed)
    sentences = sentence_pool()
    vocabulary = sorted({w for s in sentences for w in s.split() if w.isalpha() and len(w) > 3})
    pool = SentenceSource(sorted(set(sentences)), rng)
    docs = [[new_paragraph(rng, pool) for _ in range(rng.randint(4, 8))] for _ in range(articles)]
    truth = {"paragraph": [], "article": []}

    def place() -> tuple[int, int]:
        d = rng.randrange(len(docs))
        return d, rng.randrange(len(docs[d]))

    for kind, count in [("exact", 200), ("5%", 100), ("10%", 100), ("15%", 100), ("20%", 100)]:
        for _ in range(count):
            sd, sp = place()
            source = docs[sd][sp]
            copy = source if kind == "exact" else change_words(rng, source, int(kind[:-1]) / 100, vocabulary)
            td = rng.randrange(len(docs))
            docs[td].insert(rng.randrange(len(docs[td]) + 1), copy)
            truth["paragraph"].append((kind, copy, source))
    originals = rng.sample(range(articles), 100)
    for n, d in enumerate(originals):
        body = list(docs[d])
        if n % 2:
            rng.shuffle(body)
            truth["article"].append(("re-ordered", len(docs), d))
        else:
            body = [new_paragraph(rng, pool)] + body + ["Subscribe to our newsletter for the latest news."]
            truth["article"].append(("header/footer", len(docs), d))
        docs.append(body)
    return docs, truth


def quality() -> None:
    from validators.features.duplicate import DuplicateSettings, add_duplicate_features, canonical
    from validators.frame import Table

    docs, truth = build_quality_corpus()
    rows = [(d, p, text) for d, paragraphs in enumerate(docs) for p, text in enumerate(paragraphs)]
    doc_ids, paras, texts = (list(column) for column in zip(*rows, strict=True))
    frame = Table({"doc_id": doc_ids, "para": paras, "raw": texts, "text": texts})
    start = time.perf_counter()
    frame = add_duplicate_features(frame, DuplicateSettings())
    elapsed = time.perf_counter() - start

    key = [canonical(t) for t in texts]
    exact_pointer = [-1 if r is None else r for r in frame["dup_of"]]
    near_pointer = [-1 if r is None else r for r in frame["near_dup_of"]]
    rows_of: dict[str, list[int]] = {}
    for r, k in enumerate(key):
        rows_of.setdefault(k, []).append(r)

    # A family: a source paragraph and every copy made of it (copies of one source are
    # near-duplicates of each other too, and the earliest of them is the one pointed at).
    family: dict[str, str] = {}

    def root(k: str) -> str:
        while family.get(k, k) != k:
            k = family[k]
        return k

    for _, copy, source in truth["paragraph"]:
        family[root(canonical(copy))] = root(canonical(source))

    def same_family(a: int, b: int) -> bool:
        return root(key[a]) == root(key[b])

    print(f"{len(frame):,} paragraphs in {len(docs):,} articles; duplicate stage {elapsed:.2f} s\n")
    print(f"{'kind':<16} {'injected':>8} {'found':>6} {'recall':>7} {'precision':>9}")
    results = {}
    for kind, copy, source in truth["paragraph"]:
        pointer = exact_pointer if kind == "exact" else near_pointer
        rows = rows_of[canonical(copy)] + rows_of[canonical(source)]
        # Found: the copy (or, when it came first in path order, its source) points into its family.
        linked = any(pointer[r] >= 0 and same_family(r, pointer[r]) for r in rows)
        n, found = results.get(kind, (0, 0))
        results[kind] = (n + 1, found + linked)
    precision = {}
    for name, pointer in {"exact": exact_pointer, "near": near_pointer}.items():
        flagged = [(r, pointer[r]) for r in range(len(texts)) if pointer[r] >= 0]
        precision[name] = (sum(same_family(r, t) for r, t in flagged), len(flagged))
    for kind, (n, found) in results.items():
        right, flagged = precision["exact" if kind == "exact" else "near"]
        print(f"{kind:<16} {n:>8} {found:>6} {found / n:>7.3f} {right / max(flagged, 1):>9.3f}")

    # The document columns sit on each file's first paragraph and name the other file's first row.
    doc_of_row = frame["doc_id"]
    linked = {(doc_of_row[r], doc_of_row[p]) for r, p in enumerate(frame["doc_near_dup_of"]) if p is not None}
    for kind in ("re-ordered", "header/footer"):
        pairs = [(c, s) for k, c, s in truth["article"] if k == kind]
        found = sum((c, s) in linked for c, s in pairs)
        print(f"{kind:<16} {len(pairs):>8} {found:>6} {found / len(pairs):>7.3f}", end="")
        truth_docs = {(c, s) for _, c, s in truth["article"]}
        print(f" {sum(p in truth_docs for p in linked) / max(len(linked), 1):>9.3f}")
    near_kinds = ["5%", "10%", "15%"]
    n = sum(results[k][0] for k in near_kinds)
    f = sum(results[k][1] for k in near_kinds)
    right, flagged = precision["near"]
    print(f"\nnear (<= 15 % words changed): recall {f / n:.3f}, precision {right / max(flagged, 1):.3f} "
          f"(precision counts every near-duplicate link the stage made)")  # fmt: skip


SCALE_PROBE = r"""
import gc, json, random, resource, sys, time
if sys.argv[4] == "off":
    gc.disable()  # as the command line runs (cli._without_cycle_collection)
sys.path.insert(0, sys.argv[2])  # this checkout's bench: the same paragraphs for every side
sys.path.insert(0, sys.argv[3])  # the code measured
from duplicates import sentence_pool, new_paragraph
from validators.features.duplicate import DuplicateSettings, add_duplicate_features
from validators.frame import Table
n = int(sys.argv[1])
rng = random.Random(3)
pool = sentence_pool()
vocabulary = sorted({w for s in pool for w in s.split() if w.isalpha()})
# Real sentences, recombined, with a third of the words swapped for other real words: every
# paragraph distinct, as in a real corpus, with real word statistics.
texts = [" ".join(w if rng.random() > 0.33 else rng.choice(vocabulary) for w in new_paragraph(rng, pool).split())
         for _ in range(n)]
frame = Table({"doc_id": [i // 20 for i in range(n)], "para": [i % 20 for i in range(n)], "raw": texts, "text": texts})
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def cpu():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


start, start_cpu = time.perf_counter(), cpu()
add_duplicate_features(frame, DuplicateSettings())
elapsed, used = time.perf_counter() - start, cpu() - start_cpu
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
found = {c: sum(v is not None for v in frame[c]) for c in ("dup_of", "near_dup_of", "passage_of", "doc_near_dup_of")}
print(json.dumps({"n": n, "seconds": elapsed, "cpu": used, "peak_mb": peak / 1024, "before_mb": before / 1024,
                  "text_mb": sum(map(len, texts)) / 1e6, "found": found}))
"""


def probe(n: int, code: Path, with_gc: bool = False) -> dict:
    collector = "on" if with_gc else "off"
    out = subprocess.run([sys.executable, "-c", SCALE_PROBE, str(n), str(Path(__file__).resolve().parent), str(code), collector],
                         capture_output=True, text=True, check=True, cwd=tempfile.gettempdir())  # fmt: skip
    return json.loads(out.stdout)


def scale(sizes: list[int], repeat: int = 1, against: str | None = None, with_gc: bool = False) -> None:
    here = Path(__file__).resolve().parent.parent
    with tempfile.TemporaryDirectory(prefix="dup-against-") as folder:
        sides = {"this": here}
        if against:
            archive = subprocess.run(["git", "-C", str(here), "archive", against], capture_output=True, check=True)
            subprocess.run(["tar", "-x", "-C", folder], input=archive.stdout, check=True)
            sides[against] = Path(folder)
        collector = "on" if with_gc else "off, as the command line runs"
        print(f"median of {repeat} run(s), each in a fresh process, cycle collector {collector}; peak RSS: the largest run")
        print(f"{'paragraphs':>11} {'code':>8} {'wall s':>8} {'CPU s':>8} {'peak RSS MB':>12} {'RSS before MB':>14} {'text MB':>8}  found")
        for n in sizes:
            runs: dict[str, list[dict]] = {side: [] for side in sides}
            for _ in range(repeat):
                for side, code in sides.items():  # alternating: the machine's load falls on both
                    runs[side].append(probe(n, code, with_gc))
            cpus = {}
            for side, results in runs.items():
                wall = statistics.median(r["seconds"] for r in results)
                cpus[side] = statistics.median(r["cpu"] for r in results)
                peak = max(r["peak_mb"] for r in results)
                r = results[0]
                found = " ".join(f"{k}={v}" for k, v in r.get("found", {}).items())
                print(f"{n:>11,} {side[:8]:>8} {wall:>8.1f} {cpus[side]:>8.1f} {peak:>12.0f} {r['before_mb']:>14.0f} {r['text_mb']:>8.0f}  {found}")
            if against:
                print(f"{'':>11} {'ratio':>8} CPU this / {against}: {cpus['this'] / cpus[against]:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quality", action="store_true")
    parser.add_argument("--scale", type=int, nargs="*")
    parser.add_argument("--repeat", type=int, default=1, help="runs per size and side (the median is printed)")
    parser.add_argument("--against", metavar="REV", help="also run commit REV's duplicate stage, alternating")
    parser.add_argument("--with-gc", action="store_true", help="keep Python's cycle collector on during the stage")
    args = parser.parse_args()
    if args.quality:
        quality()
    if args.scale:
        scale(args.scale, args.repeat, args.against, args.with_gc)
    if not args.quality and not args.scale:
        parser.print_help()


if __name__ == "__main__":
    main()
