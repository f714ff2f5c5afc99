"""The flow, in one direction: ingest → normalise/segment → features → expectations → findings."""

from __future__ import annotations

import os
from collections import Counter
from dataclasses import dataclass, field

import pandas as pd

from .config import Config
from .features.duplicate import add_duplicate_features
from .features.encoding import EncodingPatterns, add_encoding_features
from .features.name import NameLexicon, build_mentions
from .findings import Finding, build_findings, file_findings
from .frame import build_frame
from .ingest import Document, read
from .rules import CorpusView
from .suite import expectation_file, load_suites


@dataclass
class Report:
    documents: list[Document]
    paragraphs: pd.DataFrame
    mentions: pd.DataFrame
    findings: list[Finding] = field(default_factory=list)

    @property
    def skipped(self) -> list[tuple[str, str]]:
        """Files with nothing to check, and why (binary files are findings, not skips)."""
        return [(d.path, "empty file") for d in self.documents if d.problem == "empty"]

    @property
    def errors(self) -> int:
        return sum(f.severity == "error" for f in self.findings)

    def summary(self) -> dict:
        by_severity = Counter(f.severity for f in self.findings)
        return {
            "files": len(self.documents),
            "paragraphs": len(self.paragraphs),
            "findings": len(self.findings),
            "errors": by_severity["error"],
            "warnings": by_severity["warning"],
            "infos": by_severity["info"],
            "by_code": dict(sorted(Counter(f.code for f in self.findings).items())),
            "skipped": [{"path": p, "reason": r} for p, r in self.skipped],
        }


def load_lexicon(config: Config) -> NameLexicon:
    return NameLexicon.parse(*expectation_file("names.toml", config.expectations))


def load_encoding_patterns(config: Config) -> EncodingPatterns:
    return EncodingPatterns.parse(*expectation_file("encoding.toml", config.expectations))


def featurise(documents: list[Document], config: Config) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The paragraph frame with every feature column, and the mentions frame."""
    frame = build_frame(documents)
    frame = add_encoding_features(frame, documents, load_encoding_patterns(config))
    frame = add_duplicate_features(frame, min_chars=config.duplicate_min_chars)
    mentions = build_mentions(frame, load_lexicon(config))
    return frame, mentions


def check(paths: list[str | os.PathLike], config: Config) -> Report:
    """Run every selected rule over the corpus files under ``paths``."""
    return check_documents(read(paths), config)


def check_documents(documents: list[Document], config: Config) -> Report:
    """Run every selected rule over documents already read (``fix`` re-checks in memory)."""
    suites = [s.only(config.runs) for s in load_suites(config.expectations)]
    paragraphs, mentions = featurise(documents, config)
    report = Report(documents, paragraphs, mentions)

    from .evaluate import ENGINES  # the gx engine imports GX only when it runs

    outcomes = ENGINES[config.engine]({"paragraphs": paragraphs, "mentions": mentions}, suites)
    corpus = CorpusView(
        paragraphs, mentions, {d.doc_id: d for d in documents}, load_encoding_patterns(config)
    )
    findings = build_findings(outcomes, corpus, config.severity_of)
    findings += file_findings(documents, config.severity_of)
    report.findings = sorted(findings, key=lambda f: f.sort_key)
    return report
