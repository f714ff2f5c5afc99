"""The paragraph DataFrame: one row per paragraph of the corpus, raw and normalised.

This is the product data teams use directly (``validators.load_paragraphs``) and
the table every feature and expectation works on.
"""

from __future__ import annotations

import os
from collections.abc import Iterable

import pandas as pd

from .ingest import Document, read
from .normalise import normalise
from .segment import segment

PARAGRAPH_COLUMNS = [
    "path",  # file, as given on the command line
    "doc_id",  # position of the file in this run
    "para",  # 0-based paragraph number within the file
    "line_start",  # 1-based first line
    "line_end",  # 1-based last line
    "char_start",  # offset of the first character in the decoded file
    "char_end",  # offset just past the last character
    "raw",  # the paragraph as written
    "separator",  # what follows it up to the next paragraph: raw + separator rebuild the file
    "text",  # ftfy-normalised
    "fixes",  # ftfy's explanation, e.g. "encode latin-1; decode utf-8", or None
]


INT_COLUMNS = ["doc_id", "para", "line_start", "line_end", "char_start", "char_end"]


def document_columns(doc: Document) -> dict[str, list]:
    """The paragraph columns of one document, except ``path`` and ``doc_id`` (which
    depend on the run, not on the file's bytes, so the rest can be cached by content)."""
    columns: dict[str, list] = {c: [] for c in PARAGRAPH_COLUMNS[2:]}
    if doc.problem:
        return columns
    for p in segment(doc.text).paragraphs:
        text, steps = normalise(p.raw)
        columns["para"].append(p.index)
        columns["line_start"].append(p.line_start)
        columns["line_end"].append(p.line_end)
        columns["char_start"].append(p.char_start)
        columns["char_end"].append(p.char_end)
        columns["raw"].append(p.raw)
        columns["separator"].append(p.separator)
        columns["text"].append(text)
        columns["fixes"].append("; ".join(f"{action} {param}" for action, param in steps) or None)
    return columns


def assemble(documents: list[Document], per_document: list[dict[str, list]]) -> pd.DataFrame:
    """One frame from each document's columns, in document order, with ``path`` and ``doc_id``."""
    names = list(per_document[0]) if per_document else PARAGRAPH_COLUMNS[2:]
    merged: dict[str, list] = {"path": [], "doc_id": [], **{name: [] for name in names}}
    for doc, columns in zip(documents, per_document, strict=True):
        count = len(columns["para"])
        merged["path"] += [doc.path] * count
        merged["doc_id"] += [doc.doc_id] * count
        for name in names:
            merged[name] += columns[name]
    # Object columns: raw text may hold lone surrogates (undecodable bytes), which
    # pandas' Arrow-backed string dtype cannot store.
    frame = pd.DataFrame(merged, dtype=object)
    return frame.astype({c: "int64" for c in INT_COLUMNS})


def build_frame(documents: Iterable[Document]) -> pd.DataFrame:
    """The paragraph frame of already-read documents, in file then paragraph order."""
    documents = list(documents)
    return assemble(documents, [document_columns(doc) for doc in documents])[PARAGRAPH_COLUMNS]


def load_paragraphs(paths: str | os.PathLike | Iterable[str | os.PathLike]) -> pd.DataFrame:
    """Read, segment and normalise every ``.txt`` file under ``paths`` into a DataFrame.

    >>> frame = load_paragraphs("seeds")            # doctest: +SKIP
    >>> frame.loc[0, ["path", "line_start", "text"]] # doctest: +SKIP

    Columns: see ``PARAGRAPH_COLUMNS``. Empty and binary files have no rows; the
    command line reports them. Raises ``CorpusValidatorError`` for a missing path.
    """
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    return build_frame(read(list(paths)))
