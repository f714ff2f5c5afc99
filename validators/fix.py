"""Apply the safe repairs that findings carry, and nothing else.

Each fixable finding names its edits (character offsets in the decoded file and
the replacement). ``fix`` applies them in memory, checks again, and repeats until
no fixable finding is left, so a second run changes nothing. Files are written
atomically; bytes outside the edits are kept as they were, undecodable ones included.
"""

from __future__ import annotations

import dataclasses
import difflib
from dataclasses import dataclass

from .config import Config
from .findings import Finding
from .ingest import BOM, Document, decode
from .pipeline import Report, check_documents

MAX_PASSES = 5


@dataclass
class FileChange:
    path: str
    before: bytes
    after: bytes
    fixed: int  # findings repaired

    def diff(self) -> str:
        old = self.before.decode("utf-8", "replace").splitlines(keepends=True)
        new = self.after.decode("utf-8", "replace").splitlines(keepends=True)
        lines = difflib.unified_diff(old, new, f"a/{self.path}", f"b/{self.path}")
        return "".join(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n" for line in lines)


def apply_edits(text: str, edits: list[tuple[int, int, str]]) -> str:
    """``text`` with the edits applied; an edit that overlaps an earlier one waits for the next pass."""
    out, cursor = [], 0
    for start, end, replacement in sorted(edits):
        if start < cursor:
            continue
        out += [text[cursor:start], replacement]
        cursor = end
    out.append(text[cursor:])
    return "".join(out)


def _repaired(doc: Document, findings: list[Finding]) -> bytes:
    text = apply_edits(doc.text, [e for f in findings for e in f.edits])
    keep_bom = doc.bom and not any(f.code == "EN003" for f in findings)
    return (BOM if keep_bom else b"") + text.encode("utf-8", "surrogateescape")


def drop_paragraph_edit(report: Report, row: int) -> tuple[int, int, str]:
    """The edit that removes a paragraph and the blank lines after it (before it, for the
    file's last paragraph, keeping the file's final line break)."""
    frame = report.paragraph_table
    p = frame.row(row)
    start, end = p["char_start"], p["char_end"]
    if p["separator"].strip() == "" and row + 1 < len(frame) and frame["doc_id"][row + 1] == p["doc_id"]:
        return start, end + len(p["separator"]), ""
    if p["para"] > 0:  # the last paragraph: take the separator before it instead
        previous_end = frame["char_end"][row - 1]
        return previous_end, end, ""
    return start, end, ""  # the only paragraph


def _with_noise_dropped(report: Report) -> list[Finding]:
    """Noise errors, each given the edit that deletes its paragraph (``fix --drop-noise``)."""
    return [
        dataclasses.replace(f, edits=(drop_paragraph_edit(report, f.row),))
        for f in report.findings
        if f.family == "noise" and f.severity == "error" and f.row is not None
    ]


def plan_fixes(
    documents: list[Document], config: Config, only: set[str] | None = None, drop_noise: bool = False
) -> tuple[list[FileChange], Report, bool]:
    """(changes per file, the report after fixing, whether the repairs settled).

    With ``only``, the other documents are context: read, never changed or reported.
    With ``drop_noise``, paragraphs with a noise error are deleted too.
    """
    current = {doc.path: doc for doc in documents}
    fixed_counts: dict[str, int] = {}
    report = check_documents(list(current.values()), config, report_paths=only)
    settled = False
    for _ in range(MAX_PASSES):
        fixable: dict[str, list[Finding]] = {}
        candidates = [f for f in report.findings if f.fixable]
        if drop_noise:
            candidates += _with_noise_dropped(report)
        for finding in candidates:
            fixable.setdefault(finding.path, []).append(finding)
        if not fixable:
            settled = True
            break
        for path, findings in fixable.items():
            doc = current[path]
            current[path] = decode(path, doc.doc_id, _repaired(doc, findings))
            fixed_counts[path] = fixed_counts.get(path, 0) + len(findings)
        report = check_documents(list(current.values()), config, report_paths=only)
    changes = [
        FileChange(doc.path, doc.data, current[doc.path].data, fixed_counts.get(doc.path, 0))
        for doc in documents
        if current[doc.path].data != doc.data
    ]
    return changes, report, settled
