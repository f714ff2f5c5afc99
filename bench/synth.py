"""Synthetic corpora made of real text, for the benchmarks.

Paragraphs come from real pages: the labelled evaluation set (read where it lies,
``../shared/eval/boilerplate-dev``; content paragraphs only) and ``seeds/``. Articles
draw paragraphs at random with a fixed seed, so every run builds the same corpus.

    python bench/synth.py OUT_DIR --articles 1000 [--seed 1]
"""

from __future__ import annotations

import argparse
import json
import random
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
#: Beside the repository, or beside the folder of worktrees it is checked out in.
EVAL = next(
    (base / "shared" / "eval" / "boilerplate-dev" for base in (ROOT.parent, ROOT.parent.parent) if (base / "shared" / "eval").is_dir()),
    ROOT.parent / "shared" / "eval" / "boilerplate-dev",
)


def real_paragraphs(min_chars: int = 80) -> list[str]:
    """Content paragraphs of the evaluation set (if present) and the seed articles."""
    paragraphs = []
    labels = EVAL / "labels.jsonl"
    if labels.is_file():
        for line in labels.open(encoding="utf-8"):
            record = json.loads(line)
            if record["label"] == "content" and len(record["text"]) >= min_chars:
                paragraphs.append(record["text"])
    for seed in sorted((ROOT / "seeds").glob("*.txt")):
        paragraphs += [p for p in seed.read_text(encoding="utf-8").splitlines() if len(p) >= min_chars]
    return paragraphs


def write_corpus(out: Path, articles: int, seed: int = 1, per_article: tuple[int, int] = (8, 30)) -> Path:
    rng = random.Random(seed)
    pool = real_paragraphs()
    out.mkdir(parents=True, exist_ok=True)
    for n in range(articles):
        body = rng.sample(pool, rng.randint(*per_article))
        (out / f"{n:05d}.txt").write_text("\n\n".join(body) + "\n", encoding="utf-8")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    write_corpus(args.out, args.articles, args.seed)
    print(f"wrote {args.articles} articles to {args.out}")


if __name__ == "__main__":
    main()
