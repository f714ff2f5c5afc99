"""Apply the safe repairs that findings carry, and nothing else.

Each fixable finding names its edits (character offsets in the decoded file and
the replacement). ``fix`` applies them in memory, checks again, and repeats until
no fixable finding is left, so a second run changes nothing. Files are written
atomically; bytes outside the edits are kept as they were, undecodable ones included.

``fix --drop-noise`` also deletes paragraphs, under these guarantees, whatever the noise
rules say (``choose_drops``):

- One check decides: the repairs go first, and only paragraphs with a noise *error* in the
  check of the repaired text are deleted; the checks after it repair, and report, but never
  delete more (what the deletions newly expose is left as findings: another run may delete it).
- Running text (``is_story``: at least ``STORY_MIN_WORDS`` words and a sentence's end) is
  deleted only when a pattern rule (BP0xx: a newsletter prompt, a copyright footer …)
  names it; a structural sign alone (BP100) never deletes it.
- Never the last copy of running text: of the copies of a paragraph (same words, case and
  punctuation folded) in the files read, one is kept; nor the last copy of a shorter text in
  several files that no pattern rule names (a closing sentence the articles share, which
  only the score or the count of files flags).
- Never all of a file's running text, and never every paragraph of a file: a file is not
  emptied.
- Never what would change how the rest of the file splits into paragraphs (its last blank
  line going, so that each line would be a paragraph): the next run would find new
  paragraphs, and a second run must change nothing.

What is kept for these reasons is reported (``FixPlan.held_back``); its findings stay.
"""

from __future__ import annotations

import bisect
import difflib
import functools
import re
from dataclasses import dataclass, field

from .config import Config
from .features.duplicate import canonical
from .findings import Finding
from .frame import file_starts, present
from .ingest import BOM, Document, decode, escaped_name
from .pipeline import Report, check_documents, open_cache
from .rules import RULES, PatternRule
from .segment import segment

MAX_PASSES = 5
#: Running text: this many words or more (as the noise features' ``prose``), and a sentence's
#: end somewhere in it, or a colon at its end (a list follows).
STORY_MIN_WORDS = 12
_WORD = re.compile(r"\w+")
_SENTENCE_END = re.compile(r"\w[.!?…][\"'”’)\]]*(?:\s|$)|:\s*$")


def is_story(text: str) -> bool:
    """Whether a paragraph is running text, the story ``--drop-noise`` must not lose: at least
    ``STORY_MIN_WORDS`` words and a sentence's end anywhere in it (. ! ? … after a word,
    maybe closing a quotation) or a colon at its end. Deliberately plain, broad, and
    independent of the noise features: a long line that ends a sentence anywhere counts as
    story, so what is in doubt is kept."""
    return len(_WORD.findall(text)) >= STORY_MIN_WORDS and bool(_SENTENCE_END.search(text))


@dataclass
class FileChange:
    path: str
    before: bytes
    after: bytes
    fixed: int  # findings repaired
    #: (start, end) in the file's original decoded text of every region the edits touched
    #: (sorted, disjoint); outside them the text is kept character for character.
    spans: list[tuple[int, int]] = field(default_factory=list)

    def diff(self) -> str:
        # Lines end at line feeds only, as diff and git count them: a lone CR (old Mac text) or
        # a Unicode line separator is part of its line, shown escaped, not a line of its own.
        old = _lines(self.before.decode("utf-8", "surrogateescape"))  # an undecodable byte shows as \xNN
        new = _lines(self.after.decode("utf-8", "surrogateescape"))
        # A file name's line breaks shown escaped, so it stays on its header line (the command
        # line shows the rest of the diff escaped, as every report).
        name = escaped_name(self.path).replace("\n", "\\x0a").replace("\r", "\\x0d")
        lines = difflib.unified_diff(old, new, f"a/{name}", f"b/{name}")
        return "".join(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n" for line in lines)


def _lines(text: str) -> list[str]:
    """``text``'s lines, each with its line feed (the last without, where the text has none)."""
    lines = text.split("\n")
    return [line + "\n" for line in lines[:-1]] + ([lines[-1]] if lines[-1] else [])


@dataclass(frozen=True)
class HeldBack:
    """A paragraph with a noise error that ``--drop-noise`` kept, and why."""

    path: str
    line: int
    code: str
    reason: str


@dataclass
class FixPlan:
    changes: list[FileChange]
    report: Report  # after fixing
    settled: bool  # the repairs settled: a second run changes nothing
    held_back: list[HeldBack] = field(default_factory=list)


def _applicable(edits: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """The edits one pass applies, sorted: one that overlaps an earlier one waits for the next pass.
    Of edits starting at one place, one that writes text goes before one that deletes: a repair
    ("\x93" to a curly quote) is not lost to another rule's deletion of what it repairs, which
    the next pass's check no longer finds."""
    chosen, cursor = [], 0
    for start, end, replacement in sorted(edits, key=lambda edit: (edit[0], edit[2] == "", edit[1], edit[2])):
        if start < cursor:
            continue
        chosen.append((start, end, replacement))
        cursor = end
    return chosen


def apply_edits(text: str, edits: list[tuple[int, int, str]]) -> str:
    """``text`` with the edits applied; an edit that overlaps an earlier one waits for the next pass."""
    out, cursor = [], 0
    for start, end, replacement in _applicable(edits):
        out += [text[cursor:start], replacement]
        cursor = end
    out.append(text[cursor:])
    return "".join(out)


class Trace:
    """Which regions of the original text the passes have changed, so that the changes of
    all passes can be named in the original's offsets.

    ``blocks``: sorted, disjoint (orig_start, orig_end, cur_start, cur_end); outside them
    the current text is the original's, shifted by the blocks before.
    """

    def __init__(self) -> None:
        self.blocks: list[tuple[int, int, int, int]] = []
        self._cur_starts: list[int] = []

    def _to_original(self, position: int, upper: bool) -> int:
        # Blocks are at least one character apart, so ``position`` touches at most one.
        i = bisect.bisect_right(self._cur_starts, position) - 1
        if i < 0:
            return position
        orig_start, orig_end, _, cur_end = self.blocks[i]
        if position <= cur_end:  # inside it, or at its edge: the whole block
            return orig_end if upper else orig_start
        return position - cur_end + orig_end

    def record(self, applied: list[tuple[int, int, str]]) -> None:
        """Add one pass's applied edits (current offsets, sorted, disjoint)."""
        spans = [
            (self._to_original(s, False), self._to_original(e, True), len(r) - (e - s)) for s, e, r in applied
        ] + [(b[0], b[1], (b[3] - b[2]) - (b[1] - b[0])) for b in self.blocks]
        merged: list[list[int]] = []  # [orig_start, orig_end, growth]
        for start, end, growth in sorted(spans):
            if merged and start <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], end)
                merged[-1][2] += growth
            else:
                merged.append([start, end, growth])
        blocks, shift = [], 0
        for start, end, growth in merged:
            blocks.append((start, end, start + shift, end + shift + growth))
            shift += growth
        self.blocks = blocks
        self._cur_starts = [b[2] for b in blocks]

    @property
    def spans(self) -> list[tuple[int, int]]:
        return [(b[0], b[1]) for b in self.blocks]


def drop_edits(report: Report, rows: set[int]) -> list[tuple[int, int, str]]:
    """The edits that delete the paragraphs ``rows`` of one file: each with the blank lines
    after it; a run that ends the file takes the separator before it instead, so the file
    keeps its final line break. The edits never overlap."""
    frame = report.paragraph_table
    edits = []
    for row in sorted(rows):
        last_of_file = row + 1 == len(frame) or frame["doc_id"][row + 1] != frame["doc_id"][row]
        if not last_of_file:
            edits.append((frame["char_start"][row], frame["char_start"][row + 1], ""))
            continue
        first = row  # the run of dropped paragraphs that ends the file
        while frame["para"][first] > 0 and first - 1 in rows:
            first -= 1
        edits = [e for e in edits if e[0] < frame["char_start"][first]]
        if frame["para"][first] > 0:
            edits.append((frame["char_end"][first - 1], frame["char_end"][row], ""))
        else:  # every paragraph (never chosen by ``choose_drops``)
            edits.append((frame["char_start"][first], frame["char_end"][row], ""))
    return edits


def drop_paragraph_edit(report: Report, row: int) -> tuple[int, int, str]:
    """The edit that deletes one paragraph (see ``drop_edits``)."""
    return drop_edits(report, {row})[0]


def choose_drops(report: Report) -> tuple[dict[int, list[Finding]], list[HeldBack]]:
    """The paragraphs ``--drop-noise`` deletes (row -> its noise errors), and those it keeps
    though they have one, by the guarantees in this module's docstring."""
    frame = report.paragraph_table
    noise: dict[int, list[Finding]] = {}
    for f in report.findings:
        if f.family == "noise" and f.severity == "error" and f.row is not None:
            noise.setdefault(f.row, []).append(f)
    # Only the files and texts of the flagged rows are read: a pre-commit run's table holds the
    # whole corpus, cut from each file only where read (``frame.Joined``).
    texts = frame["text"]
    story = functools.cache(lambda row: is_story(texts[row]))
    held: dict[int, str] = {}
    for row, found in noise.items():
        if story(row) and not any(issubclass(RULES[f.code], PatternRule) for f in found):
            held[row] = "running text that no pattern rule (BP0xx) names as page furniture"

    starts = [*file_starts(frame["doc_id"]), len(frame)]
    rows_of: dict[int, list[int]] = {}  # each file with a flagged row -> its rows, in table order
    for row in sorted(noise):
        k = bisect.bisect_right(starts, row) - 1
        rows_of.setdefault(frame["doc_id"][row], list(range(starts[k], starts[k + 1])))
    for rows in rows_of.values():
        going = {r for r in rows if r in noise and r not in held}
        if not going:
            continue
        if any(story(r) for r in rows) and all(r in going for r in rows if story(r)):
            for r in going:
                if story(r):
                    held[r] = "the file's only running text"
        elif len(going) == len(rows):
            for r in going:
                held[r] = "every paragraph of the file: it would be left empty"

    keys = frame["text_key"] if "text_key" in frame else [canonical(t) for t in texts]
    flagged = {keys[r] for r in noise}
    copies: dict[object, list[int]] = {}  # each flagged row's text -> its rows, in table order
    for row, key in present(keys):
        if key in flagged:
            copies.setdefault(key, []).append(row)
    for rows in copies.values():
        if not all(r in noise and r not in held for r in rows):
            continue
        if story(rows[0]):
            held[rows[0]] = "the last copy of this running text" if len(rows) > 1 else "the only copy of this running text"
        elif len(rows) > 1 and not any(issubclass(RULES[f.code], PatternRule) for r in rows for f in noise[r]):
            # A short line in several files that no pattern names (a sentence the articles
            # share, "He declined to comment."): the scores and counts may be wrong, so one stays.
            held[rows[0]] = "the last copy of this text, which no pattern rule names as page furniture"

    # A file whose last blank line goes would be read one paragraph a line: the rest of it would
    # split otherwise, and the next run find new paragraphs (and delete them). Its drops wait.
    documents = {doc.doc_id: doc for doc in report.documents}
    for doc_id, rows in rows_of.items():
        going = {r for r in rows if r in noise and r not in held}
        if not going or doc_id not in documents:
            continue
        after = segment(apply_edits(documents[doc_id].text, drop_edits(report, going))).paragraphs
        if [p.raw for p in after] != [frame["raw"][r] for r in rows if r not in going]:
            for r in going:
                held[r] = "deleting it would change how the rest of the file splits into paragraphs"

    kept = [
        HeldBack(noise[r][0].path, noise[r][0].line, ",".join(sorted({f.code for f in noise[r]})), reason)
        for r, reason in held.items()
    ]
    kept.sort(key=lambda h: (h.path, h.line))
    return {r: found for r, found in noise.items() if r not in held}, kept


def _outside(edits: list[tuple[int, int, str]], deletions: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """The ``edits`` that touch none of the ``deletions`` (sorted, disjoint)."""
    starts = [s for s, _, _ in deletions]
    kept = []
    for edit in edits:
        i = bisect.bisect_right(starts, edit[0]) - 1  # the last deletion starting at or before it
        if i >= 0 and edit[0] < deletions[i][1]:
            continue
        if i + 1 < len(deletions) and deletions[i + 1][0] < edit[1]:
            continue
        kept.append(edit)
    return kept


def plan_fixes(
    documents: list[Document], config: Config, only: set[str] | None = None, drop_noise: bool = False
) -> FixPlan:
    """What ``fix`` would write, the report after it, and whether the repairs settled.

    With ``only``, the other documents are context: read, never changed or reported.
    With ``drop_noise``, the repairs go first; then paragraphs with a noise error in the check
    of the repaired text are deleted, as ``choose_drops`` allows; later checks only repair.
    Deciding on the repaired text is what the next run would see: a deletion held back for
    the file's line endings, or for errors a repair removes, would otherwise go in a second run.
    """
    # The feature cache, as ``check`` keeps it: a file's features are a function of its bytes,
    # so the corpus read for context (and the files fix leaves alone) come from it, and the
    # repaired files' go into it for the next run (a pre-commit hook's, after this one's).
    cache = open_cache(config)
    fixing = _Fixing({doc.path: doc for doc in documents}, config, only, cache)
    settled = fixing.repair()
    held_back: list[HeldBack] = []
    if drop_noise:
        drops, held_back = choose_drops(fixing.report)
        if drops:
            fixing.apply(drops)
            settled = fixing.repair()
    cache.save()
    changes = [
        FileChange(doc.path, doc.data, fixing.current[doc.path].data, fixing.fixed_counts.get(doc.path, 0), fixing.traces[doc.path].spans)
        for doc in documents
        if fixing.current[doc.path].data != doc.data
    ]
    return FixPlan(changes, fixing.report, settled, held_back)


class _Fixing:
    """The documents as ``fix`` changes them in memory, and the check of them as they are now."""

    def __init__(self, current: dict[str, Document], config: Config, only: set[str] | None, cache=None):
        self.current, self.config, self.only, self.cache = current, config, only, cache
        self.traces = {path: Trace() for path in current}
        self.fixed_counts: dict[str, int] = {}
        self.report = self._check()

    def _check(self) -> Report:
        return check_documents(list(self.current.values()), self.config, self.cache, report_paths=self.only)

    def repair(self) -> bool:
        """Apply the fixable findings' repairs and check again, until none is left (True) or
        ``MAX_PASSES`` passes have not settled them (False)."""
        for _ in range(MAX_PASSES):
            if not any(finding.fixable for finding in self.report.findings):
                return True
            self.apply({})
        return not any(finding.fixable for finding in self.report.findings)

    def apply(self, drops: dict[int, list[Finding]]) -> None:
        """One pass: the repairs the findings carry and the deletion of the paragraphs
        ``drops`` (rows of the current report, each with the noise errors its deletion
        settles); then the check of the result."""
        drops_of: dict[str, set[int]] = {}
        for row, found in drops.items():
            drops_of.setdefault(found[0].path, set()).add(row)
        fixable: dict[str, list[Finding]] = {path: [] for path in drops_of}
        for finding in self.report.findings:
            if finding.fixable:
                fixable.setdefault(finding.path, []).append(finding)
        for path, findings in fixable.items():
            doc = self.current[path]
            deletions = drop_edits(self.report, drops_of[path]) if path in drops_of else []
            # A repair inside a deleted paragraph is moot (and would make the deletion wait).
            repairs = _outside([e for f in findings for e in f.edits], deletions)
            applied = _applicable(repairs + deletions)
            text = apply_edits(doc.text, applied)
            keep_bom = doc.bom and not any(f.removes_bom for f in findings)
            self.current[path] = decode(path, doc.doc_id, (BOM if keep_bom else b"") + text.encode("utf-8", "surrogateescape"))
            self.traces[path].record(applied)
            count = len(findings) + sum(len(drops[row]) for row in drops_of.get(path, ()))
            self.fixed_counts[path] = self.fixed_counts.get(path, 0) + count
        self.report = self._check()
