"""Duplicate features: paragraphs that say the same thing twice in the corpus.

Columns:
- ``dup_key``: a 64-bit digest of the canonical form compared (case, white space,
  punctuation and quote style folded), or None for paragraphs too short to judge.
- ``dup_of``: for the second and later copies, the frame row of the first copy
  (files in path order, paragraphs in file order); None for originals.
"""

from __future__ import annotations

import hashlib
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


def canonical_digest(text: str) -> tuple[int, int]:
    """(64-bit digest, length) of the canonical form: all the duplicate stage needs of a paragraph."""
    form = canonical(text)
    return int.from_bytes(hashlib.blake2b(form.encode("utf-8", "surrogatepass"), digest_size=8).digest(), "big", signed=True), len(form)


def add_duplicate_features(frame: pd.DataFrame, min_chars: int = DEFAULT_MIN_CHARS) -> pd.DataFrame:
    """``dup_key`` and ``dup_of``. A ``canonical_digest`` column of (digest, length) pairs
    (from the feature cache) is used when present."""
    pairs = frame.pop("canonical_digest") if "canonical_digest" in frame else frame["text"].map(canonical_digest)
    digests = pd.Series([d for d, _ in pairs], index=frame.index, dtype="Int64")
    long_enough = pd.Series([n >= min_chars for _, n in pairs], index=frame.index, dtype=bool)
    keys = digests.where(long_enough)
    first_row = pd.Series(frame.index, index=frame.index).groupby(keys, dropna=True).transform("first")
    is_copy = keys.notna() & (first_row != frame.index.to_series())
    frame["dup_key"] = keys
    frame["dup_of"] = first_row.where(is_copy).astype("Int64")
    return frame
