"""The base step: each file's paragraphs (``frame.document_columns``), which every other step reads."""

from __future__ import annotations

import array

import numpy as np

from ..frame import PARAGRAPH_COLUMNS, Following, Normalised, Slices, document_columns
from .steps import FileStep, pack_columns, register, unpack_columns

#: Columns the cache does not keep: they are slices of the document, cut again on load.
SLICED = ("raw", "separator")
#: Columns of whole numbers, cached as one array (``positions``): a corpus of 10,000 page dumps
#: has 1.3 million paragraphs, and five lists of them as Python ints took 200 MB and a tenth
#: of a second to unpickle on every run.
POSITIONS = ("para", "line_start", "line_end", "char_start", "char_end")


def _pack(columns: dict) -> dict:
    kept = {k: v for k, v in columns.items() if k not in SLICED and k not in POSITIONS}
    kept["text"] = [None if t == r else t for t, r in zip(columns["text"], columns["raw"], strict=True)]
    packed = pack_columns(kept)
    positions = np.array([columns[name] for name in POSITIONS], dtype=np.int64).reshape(len(POSITIONS), -1)
    if not len(positions[0]) or positions.max() < 2**32:
        positions = positions.astype(np.uint32)
    packed["positions"] = positions
    return packed


def paragraph_count(stored: dict) -> int:
    """The number of paragraphs of a file's cached (packed) section."""
    return stored["positions"].shape[1]


def _unpack(stored: dict, doc) -> dict:
    stored = dict(stored)
    positions = stored.pop("positions")
    columns = unpack_columns(stored, doc)
    wide = positions.astype(np.int64)  # read as 64-bit ``array``s, whose items are Python ints
    for name, values in zip(POSITIONS, wide, strict=True):
        columns[name] = array.array("q")
        columns[name].frombytes(memoryview(values).cast("B"))
    starts, ends = columns["char_start"], columns["char_end"]
    # Cut from the document when read (``frame.Slices``): its text is held once, and read from
    # its file only then where the run has not read it (``ingest.UnreadDocument``).
    columns["raw"] = Slices(doc, starts, ends)
    columns["separator"] = Slices(doc, ends, Following(starts))
    columns["text"] = Normalised(columns["text"], columns["raw"])
    return columns


PARAGRAPHS = register(
    FileStep(
        "paragraphs",
        family="paragraph",
        version="1",
        layout="2",  # 2: the positions as one array
        compute=lambda doc, inputs, setup: document_columns(doc),
        columns=tuple(PARAGRAPH_COLUMNS[2:]),  # path and doc_id depend on the run, not on the file
        libraries=("ftfy",),  # normalisation
        pack=_pack,
        unpack=_unpack,
    )
)
