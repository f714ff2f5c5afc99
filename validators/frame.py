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


def paragraph_rows(documents: Iterable[Document]) -> list[dict]:
    rows = []
    for doc in documents:
        if doc.problem:
            continue
        for p in segment(doc.text).paragraphs:
            text, steps = normalise(p.raw)
            rows.append(
                {
                    "path": doc.path,
                    "doc_id": doc.doc_id,
                    "para": p.index,
                    "line_start": p.line_start,
                    "line_end": p.line_end,
                    "char_start": p.char_start,
                    "char_end": p.char_end,
                    "raw": p.raw,
                    "separator": p.separator,
                    "text": text,
                    "fixes": "; ".join(f"{action} {param}" for action, param in steps) or None,
                }
            )
    return rows


def build_frame(documents: Iterable[Document]) -> pd.DataFrame:
    """The paragraph frame of already-read documents, in file then paragraph order."""
    # Object columns: raw text may hold lone surrogates (undecodable bytes), which
    # pandas' Arrow-backed string dtype cannot store.
    frame = pd.DataFrame(paragraph_rows(documents), columns=PARAGRAPH_COLUMNS, dtype=object)
    int_columns = ["doc_id", "para", "line_start", "line_end", "char_start", "char_end"]
    return frame.astype({c: "int64" for c in int_columns})


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
