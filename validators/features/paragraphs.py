"""The base step: each file's paragraphs (``frame.document_columns``), which every other step reads."""

from __future__ import annotations

from ..frame import PARAGRAPH_COLUMNS, Normalised, Slices, document_columns
from .steps import FileStep, pack_columns, register, unpack_columns

#: Columns the cache does not keep: they are slices of the document, cut again on load.
SLICED = ("raw", "separator")


def _pack(columns: dict) -> dict:
    kept = {k: v for k, v in columns.items() if k not in SLICED}
    kept["text"] = [None if t == r else t for t, r in zip(columns["text"], columns["raw"], strict=True)]
    return pack_columns(kept)


def _unpack(stored: dict, doc) -> dict:
    columns = unpack_columns(stored, doc)
    starts, ends, text = columns["char_start"], columns["char_end"], doc.text
    # Cut from the document when read (``frame.Slices``): its text is held once.
    columns["raw"] = Slices(text, starts, ends)
    columns["separator"] = Slices(text, ends, [*starts[1:], len(text)][: len(ends)])
    columns["text"] = Normalised(columns["text"], columns["raw"])
    return columns


PARAGRAPHS = register(
    FileStep(
        "paragraphs",
        family="paragraph",
        version="1",
        compute=lambda doc, inputs, setup: document_columns(doc),
        columns=tuple(PARAGRAPH_COLUMNS[2:]),  # path and doc_id depend on the run, not on the file
        libraries=("ftfy",),  # normalisation
        pack=_pack,
        unpack=_unpack,
    )
)
