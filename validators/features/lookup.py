"""Which of many integers (a corpus's digests, key hashes or rows) are among a few.

A run that reports on a few files asks this of every row of the corpus: which rows have a
digest, a name key or a text line that the reported rows have. ``np.isin`` answers by sorting
both arrays together: at 1.4 million rows, about 170 ms a call, whatever the few. ``among``
marks the few's low bits in a table small enough for the processor's cache, reads it once per
value, and searches only the values it does not rule out: about 5 ms.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

#: The table has about this many slots for each value sought (fewer false leads: each is a
#: binary search), between ``_MIN_BITS`` and ``_MAX_BITS`` bits of index.
_SLOTS_PER_VALUE = 64
_MIN_BITS = 16
_MAX_BITS = 24


def among(values: np.ndarray, sought: np.ndarray | Iterable[int]) -> np.ndarray:
    """Per value of ``values`` (an integer array), whether it is one of ``sought``: what
    ``np.isin(values, sought)`` gives."""
    values = np.asarray(values)
    sought = np.unique(np.asarray(sought if isinstance(sought, np.ndarray) else list(sought), dtype=values.dtype))
    found = np.zeros(len(values), dtype=bool)
    if not len(sought) or not len(values):
        return found
    bits = min(_MAX_BITS, max(_MIN_BITS, (len(sought) * _SLOTS_PER_VALUE).bit_length()))
    low = values.dtype.type((1 << bits) - 1)
    table = np.zeros(1 << bits, dtype=bool)
    table[sought & low] = True
    maybe = np.flatnonzero(table[values & low])
    candidates = values[maybe]
    at = np.minimum(np.searchsorted(sought, candidates), len(sought) - 1)
    found[maybe[sought[at] == candidates]] = True
    return found
