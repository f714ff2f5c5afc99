"""Turn failed expectations into findings: file, line, column, what, and how to fix it."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import pandas as pd

from .evaluate import Outcome
from .ingest import Document
from .rules import RULES, CorpusView, Hit
from .segment import position
from .suite import GX_SEVERITY


@dataclass(frozen=True)
class Place:
    path: str
    line: int
    column: int


@dataclass(frozen=True)
class Finding:
    code: str
    family: str
    severity: str  # error, warning or info; only errors fail the gate
    path: str
    line: int  # 1-based
    column: int  # 1-based, in Unicode code points
    end_line: int
    end_column: int  # exclusive
    message: str
    suggestion: str
    related: tuple[Place, ...] = field(default=())

    def to_dict(self) -> dict:
        return asdict(self)

    @property
    def sort_key(self):
        return (self.path, self.line, self.column, self.code)


def _place(paragraphs: pd.DataFrame, row: int, offset: int) -> Place:
    p = paragraphs.loc[row]
    line, column = position(p["raw"], offset, int(p["line_start"]))
    return Place(p["path"], line, column)


def _from_hit(code: str, severity: str, hit: Hit, paragraphs: pd.DataFrame) -> Finding:
    start = _place(paragraphs, hit.row, hit.start)
    end = _place(paragraphs, hit.row, hit.end)
    return Finding(
        code=code,
        family=RULES[code].family,
        severity=severity,
        path=start.path,
        line=start.line,
        column=start.column,
        end_line=end.line,
        end_column=end.column,
        message=hit.message,
        suggestion=hit.suggestion,
        related=tuple(_place(paragraphs, row, offset) for row, offset in hit.related),
    )


def file_findings(documents: list[Document], severity_of) -> list[Finding]:
    """Findings for files that have no paragraphs to validate (binary files)."""
    findings = []
    for doc in documents:
        if doc.problem == "binary" and severity_of("EN004", "critical"):
            findings.append(
                Finding(
                    code="EN004",
                    family="encoding",
                    severity=severity_of("EN004", "critical"),
                    path=doc.path,
                    line=1,
                    column=1,
                    end_line=1,
                    end_column=1,
                    message=f"binary file: NUL byte at byte {doc.nul_offset}; nothing in it was checked",
                    suggestion="if it is UTF-16 text, re-save it as UTF-8; otherwise remove it from the corpus",
                )
            )
    return findings


def build_findings(outcomes: list[Outcome], corpus: CorpusView, severity_of) -> list[Finding]:
    """``severity_of(code, gx_severity)`` gives the configured level, or None to drop the rule."""
    frames = {"paragraphs": corpus.paragraphs, "mentions": corpus.mentions}
    findings = []
    for outcome in outcomes:
        severity = severity_of(outcome.spec.code, outcome.spec.severity)
        if severity is None:
            continue
        rule = RULES[outcome.spec.code]()
        frame = frames[outcome.frame]
        for label in outcome.rows:
            for hit in rule.hits(frame.loc[label], outcome.spec, corpus):
                findings.append(_from_hit(outcome.spec.code, severity, hit, corpus.paragraphs))
    return findings


def default_severity(code: str, gx_severity: str) -> str:
    return GX_SEVERITY[gx_severity]
