"""Duplicate features: paragraphs that say the same thing twice in the corpus.

Columns:
- ``dup_key``: the canonical form compared (case, white space, punctuation and
  quote style folded), or None for paragraphs too short to judge.
- ``dup_of``: for the second and later copies, the frame row of the first copy
  (files in path order, paragraphs in file order); None for originals.
"""

from __future__ import annotations

import re
import unicodedata

import pandas as pd

#: Paragraphs shorter than this (after folding) are left to the noise family:
#: "Click to Hide" on every page is template text, not a duplicated story.
DEFAULT_MIN_CHARS = 40

_NOT_WORD = re.compile(r"[\W_]+")


def canonical(text: str) -> str:
    """Fold what does not change what a paragraph says: case, punctuation, quotes, spacing."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    return _NOT_WORD.sub(" ", folded).strip()


def add_duplicate_features(frame: pd.DataFrame, min_chars: int = DEFAULT_MIN_CHARS) -> pd.DataFrame:
    """``dup_key`` and ``dup_of``; a ``canonical`` column (from the feature cache) is used when present."""
    keys = frame.pop("canonical") if "canonical" in frame else frame["text"].map(canonical)
    keys = keys.where(keys.str.len() >= min_chars, None)
    first_row = pd.Series(frame.index, index=frame.index).groupby(keys, dropna=True).transform("first")
    is_copy = keys.notna() & (first_row != frame.index.to_series())
    frame["dup_key"] = keys
    frame["dup_of"] = first_row.where(is_copy).astype("Int64")
    return frame
