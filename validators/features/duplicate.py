"""Duplicate features: text that the corpus says twice, exactly or nearly, whole or in part.

Paragraph columns:
- ``dup_key``: a 64-bit digest of the canonical form compared (case, white space,
  punctuation and quote style folded), or None for paragraphs too short to judge.
- ``dup_of``: for the second and later copies, the frame row of the first copy
  (files in path order, paragraphs in file order); None for originals.
- ``near_dup_of``, ``near_dup_similarity``: the earliest earlier paragraph whose word set is
  at least ``near_threshold`` similar (MinHash estimate of Jaccard), when not an exact copy.
- ``passage_of``: a sentence or quotation of at least ``passage_min_words`` words that an
  earlier paragraph already carries (a quote two articles share): the earliest such row.
  ``passages`` lists (start, end, first row, first start) of each such passage.
Document columns, on a file's first paragraph:
- ``doc_dup_of``: the first paragraph row of an earlier file with the same canonical text.
- ``doc_near_dup_of``, ``doc_near_similarity``: an earlier file at least ``doc_threshold``
  similar (re-ordered paragraphs, a new header or footer); files shorter than
  ``doc_min_chars`` are not compared as wholes.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass

import numpy as np

from ..frame import Table, file_starts
from .lookup import among
from .minhash import BANDS, EMPTY, NUM_PERM, ROWS, signature_rows, similar_earlier, word_signatures
from .steps import CorpusStep, FileStep, register

#: Paragraphs shorter than this (after folding) are left to the noise family:
#: "Click to Hide" on every page is template text, not a duplicated story.
DEFAULT_MIN_CHARS = 40

_NOT_WORD = re.compile(r"[\W_]+")
#: ASCII letters lowered and every ASCII byte that is not a letter or digit a space, in one
#: ``bytes.translate`` (what NFKC, ``casefold`` and ``_NOT_WORD`` do to ASCII, at a fraction of the
#: cost); bytes of other characters (UTF-8, 0x80 and up) kept for ``_NOT_WORD`` to judge.
_ASCII_FOLD = bytes((c | 0x20 if chr(c).isalpha() else c) if chr(c).isalnum() else 0x20 for c in range(128)) + bytes(range(128, 256))

#: Curly quotes and dashes (’ “ ” ‘ — –) in UTF-8: neither letters nor digits, their own NFKC form.
_MARKS = re.compile(rb"\xe2\x80[\x93\x94\x98\x99\x9c\x9d]")
_WORD_BLOCK = 4_096  # texts whose words are held at a time
_MARK_CHARS = "\u2013\u2014\u2018\u2019\u201c\u201d"


def _ascii_folded(text: str) -> bytes | None:
    """``text`` as bytes, one a character, folded as ``canonical`` folds them (ASCII letters
    lowered, the rest of ASCII and the curly quotes and dashes spaces), when it holds no other
    character; None otherwise. Characters that are their own NFKC and case-folded form and that
    combine with nothing fold one at a time, so a slice of it folds as the slice of ``text``."""
    if not text.isascii():
        for mark in _MARK_CHARS:  # a space each: offsets kept
            text = text.replace(mark, " ")
        if not text.isascii():
            return None
    return text.encode("ascii").translate(_ASCII_FOLD)


def canonical(text: str) -> str:
    """Fold what does not change what a paragraph says: case, punctuation, quotes, spacing.

    The words are the runs of letters and digits (``[^\\W_]``) of the NFKC form, case-folded, one
    space between each two. ASCII text is split on the ASCII bytes that are not letters or digits
    first; only the pieces left holding other characters go through ``_NOT_WORD`` (a Unicode
    regular expression costs about 90 ns a character: most of a paragraph is ASCII)."""
    return b" ".join(_canonical_words(text, _ascii_folded(text))).decode("utf-8", "surrogatepass")


def _canonical_words(text: str, flat: bytes | None) -> list[bytes]:
    """The words of ``canonical(text)``, in UTF-8, given ``_ascii_folded(text)``."""
    return flat.split() if flat is not None else _unicode_words(text)


def _unicode_words(text: str) -> list[bytes]:
    """``_canonical_words`` of a text that ``_ascii_folded`` does not fold."""
    folded = unicodedata.normalize("NFKC", text).casefold().encode("utf-8", "surrogatepass")
    folded = _MARKS.sub(b" ", folded)  # what keeps most prose from being ASCII: separators, like spaces
    folded = folded.translate(_ASCII_FOLD)
    if not folded.isascii():  # only its other characters, a run at a time, go through _NOT_WORD
        folded = _OTHER_CHARACTERS.sub(_word_characters, folded)
    return folded.split()


#: A run of bytes of characters outside ASCII: in UTF-8 no byte of such a character is below 0x80,
#: so a run holds whole characters.
_OTHER_CHARACTERS = re.compile(rb"[\x80-\xff]+")


def _word_characters(run: re.Match) -> bytes:
    """The run with each character that is no letter or digit a space."""
    return _NOT_WORD.sub(" ", run.group().decode("utf-8", "surrogatepass")).encode("utf-8", "surrogatepass")


@dataclass(frozen=True)
class DuplicateSettings:
    min_chars: int = DEFAULT_MIN_CHARS  # shorter paragraphs are the noise family's
    near_threshold: float = 0.6  # estimated Jaccard of word sets for a near-duplicate paragraph
    doc_threshold: float = 0.7  # the same for whole files
    doc_min_chars: int = 200  # shorter files are not compared as wholes
    passage_min_words: int = 8  # shortest shared sentence or quotation reported


# "[.!?]" first, then "[.!?]*", not "[.!?]+": a pattern that opens with a character class is
# searched by skipping to that class's characters; one that opens with a repeat is tried at
# every position (a third slower over prose).
_SENTENCE_END = re.compile(r"[.!?][.!?]*[\"'”’)]*(\s+)(?=[“\"'‘(A-Z0-9])")
_ABBREVIATION = re.compile(r"(?:\b[A-Z][a-z]{0,3}|\b[A-Z](?:\.[A-Z])*)\.$")  # Mr. Rep. U.S. N.J.
_QUOTE = re.compile(r"“([^”]+)”|\"([^\"]+)\"")


def sentences(raw: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence; a full stop after an abbreviation ("Mr.", "U.S.") does not end one.

    A sentence ends before the white space of the end it matched (what comes before that space is
    not space) and the next one starts at the character after it (which is not space): only the
    first sentence can start with space, and only the last end with it."""
    found, start = [], 0
    for match in _SENTENCE_END.finditer(raw):
        end = match.start()  # an abbreviation ends in a full stop: a "?" or "!" ends the sentence
        if raw[end] == "." and _ABBREVIATION.search(raw[max(start, end - 12) : end + 1]):
            continue
        found.append((start, match.start(1)))
        start = match.end()
    found.append((start, _end_before(raw, len(raw), None)))
    lead = len(raw) - len(raw.lstrip())
    if lead == len(raw):  # no words, and so no sentence end
        return []
    found[0] = (lead, found[0][1])
    return found


def _end_before(raw: str, end: int, chars: str | None) -> int:
    """``len(raw[:end].rstrip(chars))`` without copying ``raw[:end]`` (once per sentence of a
    paragraph that may be megabytes long)."""
    while end and (raw[end - 1].isspace() if chars is None else raw[end - 1] in chars):
        end -= 1
    return end


def passages(raw: str, min_words: int) -> list[tuple[int, int, int]]:
    """(digest, start, end) of each quotation and sentence of ``raw`` of at least ``min_words`` words."""
    return _passages(raw, min_words, _ascii_folded(raw))


def _passages(raw: str, min_words: int, flat: bytes | None) -> list[tuple[int, int, int]]:
    """``passages``, given ``_ascii_folded(raw)``."""
    found = {}
    quotes = []
    if "“" in raw or '"' in raw:
        quotes = [m.span(1 if m.group(1) is not None else 2) for m in _QUOTE.finditer(raw)]
        quotes = [(s, _end_before(raw, e, " ,.;:")) for s, e in quotes]  # “… to us,” -> … to us
    # The canonical form of a slice is the slice of the folded paragraph (split and joined) when
    # the paragraph folds one character at a time: one fold per paragraph, not per passage.
    for start, end in quotes + sentences(raw):
        if flat is None:
            form = b" ".join(_unicode_words(raw[start:end]))
        else:
            form = b" ".join(flat[start:end].split())
        if form.count(b" ") + 1 >= min_words and form not in found:
            found[form] = (_digest_bytes(form), start, end)
    return list(found.values())


def _digest(form: str) -> int:
    return _digest_bytes(form.encode("utf-8", "surrogatepass"))


def _digest_bytes(form: bytes) -> int:
    return int.from_bytes(hashlib.blake2b(form, digest_size=8).digest(), "big", signed=True)


def file_duplicate_data(texts: list[str], raws: list[str], settings: DuplicateSettings) -> dict:
    """Per file, what the duplicate stage needs of each paragraph (cacheable by content).

    ``canonical_digest`` holds one (digest, length) int64 pair per paragraph (``digest_pairs``),
    ``signatures`` one row of ``NUM_PERM`` uint32 values per paragraph, and ``passages`` one
    (row, digest, start, end) int64 quadruple per passage, rows counted in the file, each as a
    NumPy array (readers take any bytes-like object: ``np.frombuffer``, ``b"".join``): thousands
    of files load as a few objects each, not as a tuple per paragraph (a hook run in a corpus
    of 10,000 pages loads 1.4 million), and the cache maps the large ones from its file.
    """
    # A block of texts at a time: their words (bytes) make both the canonical digests and the
    # signatures, split once; as objects they take ten times the text's memory.
    sigs = np.empty((len(texts), NUM_PERM), dtype=np.uint32)
    canonical_digest = []
    units = []
    for begin in range(0, len(texts), _WORD_BLOCK):
        block = range(begin, min(begin + _WORD_BLOCK, len(texts)))
        flats = [_ascii_folded(texts[row]) for row in block]
        words = [_canonical_words(texts[row], flat) for row, flat in zip(block, flats, strict=True)]
        sigs[begin : begin + len(words)] = word_signatures(words)
        for form in map(b" ".join, words):
            canonical_digest += (_digest_bytes(form), len(form) if form.isascii() else len(form.decode("utf-8", "surrogatepass")))
        sizes = [len(w) for w in words]
        del words
        for row, flat, size in zip(block, flats, sizes, strict=True):
            raw = raws[row]  # most paragraphs: the text itself, whose fold is known
            if raw is texts[row] and flat is not None and size < settings.passage_min_words:
                continue  # a slice of a fold holds no more words than the fold: no passage long enough
            units += [(row, *unit) for unit in _passages(raw, settings.passage_min_words, flat if raw is texts[row] else _ascii_folded(raw))]
    return {
        "canonical_digest": np.array(canonical_digest, dtype=np.int64),
        "signatures": sigs,
        "passages": np.array(units, dtype=np.int64).reshape(-1, 4),
    }


def digest_pairs(data: dict) -> np.ndarray:
    """(digest, length) of each paragraph of ``file_duplicate_data`` (or of ``concatenate``), as
    an n × 2 int64 array: the 64-bit digest of its canonical form and that form's length."""
    return np.frombuffer(data["canonical_digest"], dtype=np.int64).reshape(-1, 2)


def passage_rows(buffer) -> np.ndarray:
    """Passages stored one after another (``file_duplicate_data``'s ``passages``, or the
    table's from ``concatenate``; any bytes-like object) as an n × 4 int64 array of
    (row, digest, start, end), viewing the same memory."""
    return np.frombuffer(buffer, dtype=np.int64).reshape(-1, 4)


#: Slots of the table ``sharing_a_band_in`` looks a band's first value up in (by its low bits).
_LOW_BITS = 1 << 20
#: Rows of signatures ``sharing_a_band_in`` reads at a time (a few files' worth, or one large file).
_BATCH_ROWS = 1 << 16


class SignatureParts:
    """A table's MinHash signatures (``NUM_PERM`` uint32 values a row), one buffer per file,
    not joined: a run that reports on a few files reads the rows that may share a band with
    theirs (``sharing_a_band_in``), not a copy of every file's (300 MB for 10,000 page dumps)."""

    def __init__(self, parts: list):  # each file's signatures, any bytes-like object
        self.arrays = [signature_rows(part) for part in parts]
        self.starts = np.cumsum([0, *(len(a) for a in self.arrays)])

    def __len__(self) -> int:
        return int(self.starts[-1])

    def joined(self) -> np.ndarray:
        """Every row's signature, in table order."""
        if len(self.arrays) == 1:
            return self.arrays[0]
        return np.concatenate(self.arrays) if self.arrays else np.empty((0, NUM_PERM), dtype=np.uint32)

    def rows(self, rows: np.ndarray) -> np.ndarray:
        """The signatures of ``rows`` (ascending table rows), in that order."""
        out = np.empty((len(rows), NUM_PERM), dtype=np.uint32)
        files = np.searchsorted(self.starts, rows, side="right") - 1
        bounds = np.flatnonzero(np.diff(files)) + 1
        for lo, hi in zip([0, *bounds.tolist()], [*bounds.tolist(), len(rows)], strict=True):
            if hi > lo:
                f = int(files[lo])
                out[lo:hi] = self.arrays[f][rows[lo:hi] - self.starts[f]]
        return out


def concatenate(per_file: list[dict], rows_per_file: list[int], joined: bool = True) -> dict:
    """The duplicate data of a table from its files' ``file_duplicate_data``, in table order;
    ``joined`` False: the signatures as ``SignatureParts``, each file's where it lies (a check
    reads only the rows that take part in the near-copy search)."""
    parts = [passage_rows(data["passages"]) for data in per_file]
    units = np.zeros((0, 4), dtype=np.int64)
    if parts:  # one copy of the files' passages, their rows moved to the table's in place
        units = np.concatenate(parts)
        units[:, 0] += np.repeat(np.cumsum([0, *rows_per_file[:-1]], dtype=np.int64), [len(part) for part in parts])
    return {
        "canonical_digest": b"".join(data["canonical_digest"] for data in per_file),
        "signatures": (b"".join if joined else SignatureParts)([data["signatures"] for data in per_file]),
        "passages": units,
    }


def add_duplicate_features(
    frame: Table, settings: DuplicateSettings = DuplicateSettings(), data=None, wanted=None, doc_sigs=None
) -> Table:
    """Every duplicate column. ``data``: the per-file ``file_duplicate_data`` in frame order,
    concatenated (from the feature cache); computed from the frame when not given.
    ``wanted``: a boolean mask of the rows whose near copies are asked for (a pre-commit run
    reports on a few files); the others' ``near_dup_of`` and ``passages`` are then left out
    (None), and the near search works on the rows that can change a wanted row's
    (``sharing_a_band``), not on the whole corpus. ``doc_sigs``: each file's signature (the
    least of its paragraphs', ``file_signature``), one per file with paragraphs, when known."""
    if data is None:
        data = file_duplicate_data(frame["text"], frame["raw"], settings)
    pairs = digest_pairs(data)
    digest_array, lengths = pairs[:, 0], pairs[:, 1]
    long_enough = lengths >= settings.min_chars
    # The rows whose digest a wanted row has: all that a wanted row's copies, or its text's
    # count (``fix``), depend on; the others' keys and copies are left out (None).
    keyed = np.ones(len(frame), dtype=bool) if wanted is None else among(digest_array, digest_array[wanted])
    digests = digest_array.tolist() if wanted is None else _sparse(frame, digest_array[keyed].tolist(), keyed)
    frame.adopt("text_key", digests)  # any length: the noise stage counts template text with it
    # Exact copies: each long enough row's first row with its digest (``np.unique`` sorts
    # stably: the first index of each value is its first row).
    compared = np.flatnonzero(long_enough)
    _, first_index, which = np.unique(digest_array[compared], return_index=True, return_inverse=True)
    first = compared[first_index][which.reshape(-1)]
    later = first != compared
    is_copy = np.zeros(len(frame), dtype=bool)
    is_copy[compared[later]] = True  # every row's: a copy is never a near copy's candidate
    compared_keys = long_enough & keyed
    frame.adopt("dup_key", _sparse(frame, [digests[r] for r in np.flatnonzero(compared_keys).tolist()], compared_keys))  # text_key's ints
    shown = later & keyed[compared]
    has_original = np.zeros(len(frame), dtype=bool)
    has_original[compared[shown]] = True
    frame.adopt("dup_of", _sparse(frame, first[shown].tolist(), has_original))

    signatures = data["signatures"]
    if not isinstance(signatures, SignatureParts):
        signatures = SignatureParts([signatures])
    usable = long_enough & ~is_copy
    if wanted is None and len(signatures.arrays) == 1:  # one array: searched where it lies
        near, similarity = similar_earlier(signatures.arrays[0], usable, settings.near_threshold)
    else:
        # The search runs on the rows that can take part alone, in table order, gathered from
        # each file's signatures, and its rows are mapped back: every usable row (not the exact
        # copies, most rows of a crawl, nor a joined copy of every file's signatures: 780 MB at
        # 8,000 page dumps), or, for a run reporting a few files, the rows that share a band
        # with a wanted row, the only ones that can change its near copy.
        rows = np.flatnonzero(usable if wanted is None else sharing_a_band_in(signatures, usable, wanted))
        found, found_similarity = similar_earlier(signatures.rows(rows), np.ones(len(rows), dtype=bool), settings.near_threshold)
        near = np.full(len(frame), -1, dtype=np.int64)
        similarity = np.zeros(len(frame), dtype=np.float64)
        near[rows] = np.where(found >= 0, rows[found], -1)
        similarity[rows] = found_similarity
        if wanted is not None:
            near[~wanted] = -1
    has_near = near >= 0
    frame.adopt("near_dup_of", _sparse(frame, near[has_near].tolist(), has_near))
    frame.adopt("near_dup_similarity", _sparse(frame, similarity[has_near].tolist(), has_near))

    _add_passages(frame, data["passages"], is_copy | has_near | (False if wanted is None else ~wanted))
    _add_documents(frame, digest_array, lengths, signatures, settings, doc_sigs)
    return frame


def _sparse(frame: Table, values: list, where: np.ndarray) -> list:
    """A column of None but at the rows ``where`` is true, which get ``values`` in order."""
    return frame.column_at(np.flatnonzero(where).tolist(), values)


def sharing_a_band_in(signatures: SignatureParts, usable: np.ndarray, wanted: np.ndarray) -> np.ndarray:
    """``sharing_a_band`` over ``SignatureParts``, each file's rows read in place: a row none of
    whose bands opens with a value that opens one of a wanted row's bands shares no band with
    it, so the exact comparison runs on the other rows only."""
    keep = usable & wanted
    mine = np.flatnonzero(keep)
    if not len(mine):
        return keep
    targets = np.unique(signatures.rows(mine)[:, ::ROWS])  # each band's first value
    # Each value's low bits looked up in a table marking the targets': one read a value, where a
    # binary search over a thousand targets takes ten; the few rows that pass are searched.
    low = np.uint32(_LOW_BITS - 1)
    table = np.zeros(_LOW_BITS, dtype=bool)
    table[targets & low] = True
    found = [mine]
    # Files a batch at a time: one pass over many small files' values, not a few array
    # operations per file (10,000 files: half the time).
    starts = signatures.starts.tolist()
    first = 0
    while first < len(signatures.arrays):
        last = first + 1
        while last < len(signatures.arrays) and starts[last + 1] - starts[first] <= _BATCH_ROWS:
            last += 1
        arrays = signatures.arrays[first:last]
        firsts = arrays[0][:, ::ROWS] if len(arrays) == 1 else np.concatenate([a[:, ::ROWS] for a in arrays])
        maybe = np.flatnonzero(table[firsts & low].any(axis=1))
        maybe = maybe[usable[maybe + starts[first]]]
        if len(maybe):
            some = firsts[maybe]
            at = np.minimum(np.searchsorted(targets, some), len(targets) - 1)
            hits = maybe[(targets[at] == some).any(axis=1)]
            if len(hits):
                found.append(hits + starts[first])
        first = last
    candidates = np.unique(np.concatenate(found))
    keep[candidates[sharing_a_band(signatures.rows(candidates), usable[candidates], wanted[candidates])]] = True
    return keep


def sharing_a_band(sigs: np.ndarray, usable: np.ndarray, wanted: np.ndarray) -> np.ndarray:
    """The ``usable`` rows that are wanted or share a band value (``minhash.BANDS`` of
    ``ROWS``) with a usable wanted row. ``similar_earlier`` links a row only to rows of its band
    groups, and a wanted row's groups hold exactly these rows, in the same order: over them it
    finds the same candidates, and so the same earlier row, as over every row."""
    keep = usable & wanted
    mine = np.flatnonzero(keep)
    if not len(mine):
        return keep
    rows = np.flatnonzero(usable)
    for band in range(BANDS):
        part = sigs[rows, band * ROWS : (band + 1) * ROWS]
        ours = sigs[mine, band * ROWS : (band + 1) * ROWS]
        # A band's first value, looked up among the wanted rows' (sorted, few); the whole band
        # is then compared where the first matches.
        targets = np.unique(ours[:, 0])
        at = np.minimum(np.searchsorted(targets, part[:, 0]), len(targets) - 1)
        maybe = np.flatnonzero(targets[at] == part[:, 0])
        if len(maybe):
            values = {v.tobytes() for v in ours}
            keep[rows[maybe[[v.tobytes() in values for v in part[maybe]]]]] = True
    return keep


def _add_passages(frame: Table, data: bytes, already_reported: np.ndarray) -> None:
    units = passage_rows(data)
    asked = ~already_reported[units[:, 0]]
    if not asked.all():  # only the passages of a text a row still asked for has: all its copies
        units = units[among(units[:, 1], units[asked, 1])]
    rows, digests, starts, ends = units.T
    found: dict[int, list] = {}
    if len(units):
        # The first passage with each digest (rows in table order) is the origin of the others.
        _, first, which = np.unique(digests, return_index=True, return_inverse=True)
        origin = first[which]
        later = np.flatnonzero((rows[origin] != rows) & ~already_reported[rows])
        for k in later.tolist():
            row, o = int(rows[k]), origin[k]
            found.setdefault(row, []).append((int(starts[k]), int(ends[k]), int(rows[o]), int(starts[o])))
    placed = sorted(found)
    frame.adopt("passages", frame.column_at(placed, [found[row] for row in placed]))
    frame.adopt("passage_of", frame.column_at(placed, [found[row][0][2] for row in placed]))


def file_signature(data: dict) -> np.ndarray:
    """A file's MinHash signature from its ``file_duplicate_data``: the least of its
    paragraphs' at each position (the MinHash of a union)."""
    sigs = signature_rows(data["signatures"])
    return sigs.min(axis=0) if len(sigs) else np.full(NUM_PERM, EMPTY, dtype=np.uint32)


def _add_documents(
    frame: Table, digests: np.ndarray, lengths: np.ndarray, signatures: SignatureParts, settings: DuplicateSettings, doc_sigs=None
) -> None:
    doc_dup: dict[int, int] = {}
    doc_near: dict[int, int] = {}
    doc_similarity: dict[int, float] = {}
    if len(frame):
        starts = np.array(file_starts(frame["doc_id"]), dtype=np.int64)
        ends = np.append(starts[1:], len(frame))
        first_doc: dict[bytes, int] = {}
        for s, e in zip(starts.tolist(), ends.tolist(), strict=True):
            origin = first_doc.setdefault(digests[s:e].tobytes(), s)
            if origin != s:
                doc_dup[s] = origin
        if doc_sigs is None:  # the MinHash of a union is the least of its parts
            doc_sigs = np.minimum.reduceat(signatures.joined(), starts, axis=0)
        long_enough = np.add.reduceat(lengths, starts) >= settings.doc_min_chars
        near, similarity = similar_earlier(doc_sigs, long_enough, settings.doc_threshold)
        for k, s in enumerate(starts.tolist()):
            if near[k] >= 0 and s not in doc_dup:
                doc_near[s] = int(starts[near[k]])
                doc_similarity[s] = float(similarity[k])
    for name, values in (("doc_dup_of", doc_dup), ("doc_near_dup_of", doc_near), ("doc_near_similarity", doc_similarity)):
        frame.adopt(name, frame.column_at(list(values), list(values.values())))


def _settings(context) -> DuplicateSettings:
    return context.config.duplicate


DIGESTS = register(
    FileStep(
        "duplicate-digests",
        family="duplicate",
        version="3",  # 2: rensa's R-MinHash signatures; 3: digests and lengths as one array
        compute=lambda doc, inputs, settings: {"duplicate_data": file_duplicate_data(inputs["text"], inputs["raw"], settings)},
        needs=("text", "raw"),
        data=("duplicate_data",),
        settings=("duplicate",),
        libraries=("rensa",),  # its hashing makes the signatures
        prepare=_settings,
    )
)


def _duplicates(corpus, settings: DuplicateSettings) -> None:
    """Exact copies: a group-by on the paragraph's canonical digest, each row pointing at its
    group's first row (a window ``min(row) over (partition by digest)``); near copies: MinHash
    bands exploded to (band, value, row), a group-by on (band, value) giving candidate pairs, a
    self-join on signatures to keep pairs at the threshold, the least earlier row per row;
    shared passages: passages exploded, a group-by on their digest, each pointing at its first
    occurrence in another row; whole files: a group-by on ``doc_id`` (the list of digests, the
    least of each signature position), then the same as paragraphs."""
    per_file = corpus.per_file["duplicate_data"]
    data = concatenate(per_file, corpus.rows_per_file, joined=False)
    # Each file's signature, once per content: copies share their cached data.
    known: dict[int, np.ndarray] = {}
    doc_sigs = []
    for d, rows in zip(per_file, corpus.rows_per_file, strict=True):
        if rows:
            sig = known.get(id(d))
            if sig is None:
                sig = known[id(d)] = file_signature(d)
            doc_sigs.append(sig)
    doc_sigs = np.array(doc_sigs, dtype=np.uint32).reshape(-1, NUM_PERM)
    add_duplicate_features(corpus.table, settings, data, corpus.reported_rows(), doc_sigs)


DUPLICATES = register(
    CorpusStep(
        "duplicates",
        family="duplicate",
        version="1",
        run=_duplicates,
        needs=("duplicate_data", "doc_id"),
        columns=(
            "text_key", "dup_key", "dup_of", "near_dup_of", "near_dup_similarity", "passages", "passage_of",
            "doc_dup_of", "doc_near_dup_of", "doc_near_similarity",
        ),  # fmt: skip
        settings=("duplicate",),
        libraries=("numpy",),
        prepare=_settings,
    )
)
