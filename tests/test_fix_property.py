"""A property of `fix` and `fix --drop-noise` over generated corpora (issue 12, "Done when"):

- a file that had story (running text) is never left without it, nor empty;
- no story paragraph loses every copy;
- the text after differs from the text before only inside the regions the first check's
  findings name (a repair's span, a deleted paragraph with its blank lines; EN011's line
  breaks anywhere in the file, as its finding says).

The corpora mix copies of paragraphs across files and within a file, page furniture
(pattern-named and structural), name variants, codes such as ``US10YT=RR``, entities,
mojibake, invisible characters, odd spaces and line endings. Runs derandomized, in memory,
on the light engine (parity-tested with GX), so it is the same examples on every run.
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from validators.config import Config
from validators.fix import plan_fixes
from validators.ingest import BOM, decode, read
from validators.pipeline import check_documents
from validators.segment import LINE_BREAK

#: The words stories are made of; a story paragraph is known by the sequence of these in it,
#: which no repair touches.
VOCABULARY = (
    "harbour council minister budget shipping tariff election coalition pension railway "
    "province governor treaty summit embargo factory workers strike ferries market "
    "lawmakers inquiry opposition reform weather flooding drought farmers exports envoy"
).split()
COOKIE = "We use cookies to give you the best experience on our website and to show you relevant adverts."
KEY_WORDS = set(VOCABULARY) | {"cookies", "experience", "website", "relevant", "adverts"}
#: Bits the repairs (or their bugs) act on: name variants, codes, entities, mojibake, invisible
#: and odd characters.
TRICKY = [
    "Kim Jong-un", "Kim Jong Un", "the U.S.", "the US", "US10YT=RR", "SC2", "(R-TX)", "G-SYNC",
    "&amp;", "Trumpâ€™s", "Pyong\u200byang", "Caf\u00e9", "Cafe\u0301", "two\u00a0sides", "bell\x07",
]  # fmt: skip
FURNITURE = [
    "Advertisement", "Sign up for our daily newsletter", "Click to Hide", "Menu", "Related stories",
    "© 2023 Example Media Group. All rights reserved.", "Harbour News Today", "Share this",
]  # fmt: skip


def key(block: str) -> tuple[str, ...]:
    return tuple(w for w in re.findall(r"[a-z]+", block.lower()) if w in KEY_WORDS)


@st.composite
def story_paragraph(draw) -> str:
    words = draw(st.lists(st.sampled_from(VOCABULARY), min_size=14, max_size=22))
    for _ in range(draw(st.integers(0, 2))):
        words.insert(draw(st.integers(0, len(words))), draw(st.sampled_from(TRICKY)))
    return words[0].capitalize() + " " + " ".join(words[1:]) + "."


@st.composite
def corpora(draw) -> dict[str, bytes]:
    """1–4 files drawing on one pool of story paragraphs (copies across and within files)."""
    pool = draw(st.lists(story_paragraph(), min_size=1, max_size=5, unique_by=key)) + [COOKIE]
    files = {}
    for n in range(draw(st.integers(1, 4))):
        paragraphs = draw(
            st.lists(
                st.one_of(st.sampled_from(pool), st.sampled_from(FURNITURE), st.sampled_from(TRICKY)),
                min_size=1,
                max_size=9,
            )
        )
        breaks = draw(st.sampled_from(["\n", "\r\n", "mixed"]))
        text = ""
        for i, paragraph in enumerate(paragraphs):
            line_break = draw(st.sampled_from(["\n", "\r\n"])) if breaks == "mixed" else breaks
            text += paragraph + (line_break * 2 if i + 1 < len(paragraphs) else line_break * draw(st.integers(0, 1)))
        files[f"f{n}.txt"] = (BOM if draw(st.booleans()) else b"") + text.encode("utf-8")
    return files


def is_story_block(block: str) -> bool:
    """Story by construction: a pool paragraph (the generator's own label, not the tool's)."""
    return len(key(block)) >= 5


def blocks(text: str) -> list[str]:
    return [b for b in re.split(r"(?:\r\n|\r|\n)[ \t]*(?:\r\n|\r|\n)", text) if b.strip()]


def offsets(text: str, line: int, column: int) -> int:
    starts = [0] + [m.end() for m in LINE_BREAK.finditer(text)]
    return starts[line - 1] + column - 1


def allowed_regions(report, doc) -> list[tuple[int, int]]:
    """What the first check's findings let fix change in ``doc``: each fixable finding's own
    span (and its edits, which must lie in it, but for EN011), and each noise error's
    paragraph with the blank lines around it."""
    frame = report.paragraph_table
    regions = []
    for f in report.findings:
        if f.path != doc.path:
            continue
        if f.fixable and f.code != "EN003":
            start, end = offsets(doc.text, f.line, f.column), offsets(doc.text, f.end_line, f.end_column)
            if f.code != "EN011":
                assert all(start <= s and e <= end for s, e, _ in f.edits), f
            regions += [(start, end)] + [(s, e) for s, e, _ in f.edits]
        if f.family == "noise" and f.severity == "error":
            row = f.row
            first = row == 0 or frame["doc_id"][row - 1] != frame["doc_id"][row]
            last = row + 1 == len(frame) or frame["doc_id"][row + 1] != frame["doc_id"][row]
            regions.append(
                (
                    frame["char_start"][row] if first else frame["char_end"][row - 1],
                    len(doc.text) if last else frame["char_start"][row + 1],
                )
            )
    merged: list[list[int]] = []
    for start, end in sorted(regions):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [tuple(m) for m in merged]


def same_outside(before: str, after: str, spans: list[tuple[int, int]]) -> bool:
    """Whether ``after`` is ``before`` with only the text inside ``spans`` replaced."""
    bounds = [0] + [x for span in spans for x in span] + [len(before)]
    pieces = [before[bounds[i] : bounds[i + 1]] for i in range(0, len(bounds), 2)]
    if len(pieces) == 1:
        return after == before
    if not after.startswith(pieces[0]) or not after.endswith(pieces[-1]):
        return False
    cursor = len(pieces[0])
    for piece in pieces[1:-1]:  # leftmost matches leave the most room for the rest
        found = after.find(piece, cursor)
        if found < 0:
            return False
        cursor = found + len(piece)
    return len(after) - len(pieces[-1]) >= cursor


def _cascade() -> dict[str, bytes]:
    """Once the cookie notice goes, its heading is outside the story: a second pass would delete it."""
    files = {}
    for n in range(3):
        story = [" ".join(["The", *VOCABULARY[n + i : n + i + 14]]) + "." for i in range(0, 16, 4)]
        files[f"f{n}.txt"] = "\n\n".join([COOKIE, f"Harbour news from {VOCABULARY[n]}", *story]).encode() + b"\n"
    return files


@settings(max_examples=40, deadline=None, derandomize=True, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(files=corpora(), drop_noise=st.booleans())
@example(files=_cascade(), drop_noise=True)
def test_fix_keeps_the_story_and_changes_only_what_findings_name(files, drop_noise):
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "corpus"
        folder.mkdir()
        for name, data in files.items():
            (folder / name).write_bytes(data)
        documents = read([folder])
        config = Config(root=Path(tmp), engine="light", cache=False)
        first = check_documents(documents, config)
        plan = plan_fixes(documents, config, drop_noise=drop_noise)

    changed = {c.path: c for c in plan.changes}
    after_text = {
        d.path: decode(d.path, d.doc_id, changed[d.path].after).text if d.path in changed else d.text for d in documents
    }
    surviving = {key(b) for text in after_text.values() for b in blocks(text)}
    for doc in documents:
        story = [b for b in blocks(doc.text) if is_story_block(b)]
        if story:
            kept = [b for b in blocks(after_text[doc.path]) if is_story_block(b)]
            assert kept, f"{doc.path} lost all its story"
        for block in story:
            assert key(block) in surviving, f"every copy of a story paragraph was deleted: {block!r}"
        change = changed.get(doc.path)
        if change is None:
            continue
        assert same_outside(doc.text, after_text[doc.path], change.spans)
        regions = allowed_regions(first, doc)
        for start, end in change.spans:
            assert any(a <= start and end <= b for a, b in regions), (
                f"{doc.path}: changed {doc.text[start:end]!r} at {start}, which no finding of the first check names"
            )
