"""Every name finding (NM…) on the content paragraphs of real articles, in context, to be judged by reading.

Builds a temporary corpus outside the repository: for each labelled page of each set
(default ``../shared/eval/boilerplate-dev-article`` and ``../shared/eval/readability-article``,
read where they lie), one file holding its paragraphs labelled ``content``, one per
paragraph, separated by blank lines. Runs ``check --select NM`` over it and prints each
finding with the words around it and the first place of the spelling it is compared to.

    python bench/names_real.py [SET_DIR ...] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from validators.config import Config  # noqa: E402
from validators.pipeline import check  # noqa: E402

SETS = ("boilerplate-dev-article", "readability-article")


def default_sets() -> list[Path]:
    for base in (ROOT.parent / "shared" / "eval", ROOT.parent.parent / "shared" / "eval"):
        if base.is_dir():
            return [base / name for name in SETS]
    sys.exit("no evaluation sets found: pass their folders")


def write_content(sets: list[Path], out: Path) -> int:
    """One file per page with its content paragraphs; returns the number of files."""
    pages: dict[str, list[str]] = {}
    for folder in sets:
        for line in (folder / "labels.jsonl").open(encoding="utf-8"):
            record = json.loads(line)
            if record["label"] == "content":
                pages.setdefault(f"{folder.name}/{record['file']}", []).append(record["text"])
    for name, paragraphs in pages.items():
        path = out / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("\n\n".join(paragraphs) + "\n", encoding="utf-8")
    return len(pages)


def context(text: str, start: int, end: int, width: int = 60) -> str:
    before, after = text[max(0, start - width) : start], text[end : end + width]
    return " ".join(f"{before}[[{text[start:end]}]]{after}".split())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sets", nargs="*", type=Path)
    parser.add_argument("--keep", type=Path, help="write the corpus here (outside the repository) and keep it")
    args = parser.parse_args()
    sets = args.sets or default_sets()

    with tempfile.TemporaryDirectory() as folder:
        out = args.keep or Path(folder)
        files = write_content(sets, out)
        report = check([out], Config(root=ROOT, select=["NM"], cache=False, engine="light"))
        texts = {}
        print(f"{files} pages, {len(report.paragraph_table)} content paragraphs, "
              f"{len(report.mention_table)} mentions, {len(report.findings)} name findings "
              f"{dict(sorted(Counter(f.code for f in report.findings).items()))}\n")  # fmt: skip
        raws = report.paragraph_table["raw"]
        for n, f in enumerate(report.findings, 1):
            raw = raws[f.row]
            print(f"{n:3}. {f.code} [{f.severity}] {Path(f.path).relative_to(out)}:{f.line}:{f.column}: {f.message}")
            print(f"     here:  {context(raw, *_span(f, raw))}")
            if f.related:
                other = f.related[0]
                lines = texts.setdefault(other.path, Path(other.path).read_text(encoding="utf-8").splitlines())
                line = lines[other.line - 1]
                col = other.column - 1
                print(f"     there: {Path(other.path).relative_to(out)}:{other.line}: {context(line, col, col + 1).replace('[[', '[').replace(']]', ']')}")


def _span(finding, raw: str) -> tuple[int, int]:
    """The finding's offsets in its paragraph (its line and columns, for one-line paragraphs)."""
    start = finding.column - 1
    end = finding.end_column - 1 if finding.end_line == finding.line else len(raw)
    return start, end


if __name__ == "__main__":
    main()
