"""Encoding features: where the bytes or characters of a paragraph are damaged.

Columns (None where the paragraph is clean):
- ``mojibake``: ftfy's repair steps when it decodes text that was decoded wrongly.
- ``undecodable``: the bytes that are not UTF-8, with their byte offsets in the file.
- ``bom``: on a file's first paragraph, when the file starts with a byte-order mark.
"""

from __future__ import annotations

import pandas as pd

from ..ingest import Document

#: ftfy steps that undo a decoding mix-up; the rest of its work (NFC, widths,
#: ligatures, entities) is normalisation, reported by rules of its own.
MOJIBAKE_STEPS = ("encode ", "decode ", "transcode ")
MOJIBAKE_FIXERS = (
    "apply decode_inconsistent_utf8",
    "apply restore_byte_a0",
    "apply replace_lossy_sequences",
    "apply fix_c1_controls",
)


def is_mojibake_repair(fixes: str | float | None) -> bool:
    if not isinstance(fixes, str):  # None, or NaN in pandas' string columns
        return False
    steps = fixes.split("; ")
    return any(s.startswith(MOJIBAKE_STEPS) or s in MOJIBAKE_FIXERS for s in steps)


def add_encoding_features(frame: pd.DataFrame, documents: list[Document]) -> pd.DataFrame:
    frame["mojibake"] = frame["fixes"].where(frame["fixes"].map(is_mojibake_repair), None)

    by_doc = {doc.doc_id: doc for doc in documents}
    undecodable: list[str | None] = []
    bom: list[str | None] = []
    for doc_id, para, start, end in frame[["doc_id", "para", "char_start", "char_end"]].itertuples(
        index=False
    ):
        doc = by_doc[doc_id]
        inside = [
            f"0x{raw.hex()} at byte {byte_offset}"
            for char_offset, byte_offset, raw in doc.undecodable
            if start <= char_offset < end
        ]
        undecodable.append(", ".join(inside) or None)
        bom.append("UTF-8 byte-order mark" if doc.bom and para == 0 else None)
    frame["undecodable"] = pd.Series(undecodable, index=frame.index, dtype=object)
    frame["bom"] = pd.Series(bom, index=frame.index, dtype=object)
    return frame
