"""How long the HTML report takes to write and to show, with 10,000 findings or more.

Builds a corpus of made-up articles with problems put in on purpose (no-break spaces,
zero-width spaces, HTML entities, two spellings of names, newsletter prompts), checks it
with the light engine, writes ``--format html``, then opens the page in headless
Chromium (Debian's ``chromium``) several times per view and reports medians of:

- wall: the whole ``chromium --dump-dom`` run (browser start included);
- ready: ``performance.now()`` when the page's script has drawn its first view (from navigation start);
- data: parsing the embedded JSON;
- view: filtering every finding and drawing the view (what a click on a filter costs).

    python bench/html_report.py [--articles 250] [--repeat 5]
"""

from __future__ import annotations

import argparse
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

WORDS = (
    "the council said on monday that its budget for roads and schools would rise next year while "
    "officials in the region warned that rents had doubled since the factory closed and workers "
    "moved away to find jobs in larger towns along the coast where the port still hires"
).split()
NAMES = ["Kim Jong-un", "Kim Jong Un", "Moon Jae-in", "Moon Jae In"]


def sentence(rng: random.Random) -> str:
    words = rng.choices(WORDS, k=rng.randint(10, 22))
    return " ".join(words).capitalize() + "."


def article(rng: random.Random, n: int) -> str:
    paragraphs = []
    for p in range(rng.randint(16, 24)):
        text = " ".join(sentence(rng) for _ in range(rng.randint(2, 4)))
        words = text.split(" ")
        spot = rng.randrange(1, len(words) - 1)
        kind = (n + p) % 5
        if kind == 0:
            words[spot] = words[spot] + "\u00a0" + words[spot + 1]  # EN008
            del words[spot + 1]
        elif kind == 1:
            words[spot] = words[spot][:2] + "\u200b" + words[spot][2:]  # EN007
        elif kind == 2:
            words.insert(spot, "&amp;")  # EN009
        words.insert(rng.randrange(len(words)), f"{NAMES[rng.randrange(4)]} (number {n}.{p})")  # NM001
        paragraphs.append(" ".join(words))
    paragraphs.insert(rng.randrange(len(paragraphs)), "Sign up for our daily newsletter")
    return "\n\n".join(paragraphs) + "\n"


def chromium_dom(url: str) -> tuple[float, str]:
    profile = tempfile.mkdtemp(prefix="cv-chromium-")
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             f"--user-data-dir={profile}", "--dump-dom", url]  # fmt: skip
    try:
        start = time.perf_counter()
        dom = subprocess.run(["chromium", *flags], capture_output=True, text=True, timeout=120).stdout
        return time.perf_counter() - start, dom
    finally:
        shutil.rmtree(profile, ignore_errors=True)


def attribute(dom: str, name: str) -> float:
    match = re.search(rf'{name}="([0-9.]+)"', dom)
    if not match:
        sys.exit(f"the page did not record {name}: did its script run?")
    return float(match.group(1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=250)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    if not shutil.which("chromium"):
        sys.exit("chromium is not installed (apt-get install -y chromium)")

    from validators.config import Config
    from validators.output.html import render
    from validators.pipeline import check

    with tempfile.TemporaryDirectory() as folder:
        corpus = Path(folder) / "corpus"
        corpus.mkdir()
        rng = random.Random(7)
        for n in range(args.articles):
            (corpus / f"{n:04d}.txt").write_text(article(rng, n), encoding="utf-8")
        report = check([corpus], Config(root=Path(folder), engine="light", cache=False))
        times = []
        for _ in range(args.repeat):
            start = time.perf_counter()
            page = render(report)
            times.append(time.perf_counter() - start)
        target = Path(folder) / "report.html"
        target.write_text(page, encoding="utf-8")
        findings = len(report.findings)
        print(f"{findings} findings in {len(report.documents)} files; page {len(page.encode()) / 1e6:.1f} MB; "
              f"render (Python) median {statistics.median(times) * 1000:.0f} ms")  # fmt: skip
        busiest = max(range(len(report.documents)), key=lambda i: sum(f.path == report.documents[i].path for f in report.findings))
        views = {
            "all findings (page 1 of the list)": "",
            "filtered: sev=info,warning & fam=encoding": "#sev=info,warning&fam=encoding",
            "search: q=newsletter": "#q=newsletter",
            f"one file's text ({busiest})": f"#open={busiest}",
        }
        blank = statistics.median(chromium_dom("about:blank")[0] for _ in range(args.repeat))
        print(f"browser start alone (about:blank): wall median {blank:.2f} s")
        print(f"{'view':<44} {'wall s':>7} {'ready ms':>9} {'data ms':>8} {'view ms':>8}  (medians of {args.repeat})")
        for name, fragment in views.items():
            rows = []
            for _ in range(args.repeat):
                wall, dom = chromium_dom(target.as_uri() + fragment)
                rows.append((wall, attribute(dom, "data-ready-ms"), attribute(dom, "data-parse-ms"), attribute(dom, "data-render-ms")))
            wall, ready, data, drawn = (statistics.median(column) for column in zip(*rows))
            print(f"{name:<44} {wall:>7.2f} {ready:>9.0f} {data:>8.0f} {drawn:>8.0f}")


if __name__ == "__main__":
    main()
