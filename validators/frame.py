"""The paragraph table: one row per paragraph of the corpus, raw and normalised.

Between the stages it is a ``Table``: equal-length columns as plain lists (a paragraph's
positions as 64-bit ``array``s), rows labelled 0, 1, 2, … in file then paragraph order. A run
that reports on a few files of a large corpus (a pre-commit hook) reads a few of its rows:
there each column joins the files' own values where they lie (``Joined``), a cached file's
paragraphs are cut from its text when read (``Slices``), so the other files' rows are neither
copied nor cut, and a corpus step's column holds the rows that have a value (``Sparse``).
``Table.to_pandas()``
makes the DataFrame that Great Expectations validates and data teams use
(``validators.load_paragraphs``). The stages themselves do not need pandas, and the
pre-commit hook must not pay for importing it.
"""

from __future__ import annotations

import array
import bisect
import itertools
import os
from collections.abc import Iterable, Iterator, Sequence

from .ingest import Document, read
from .segment import segment


class Table:
    """Columns of equal length by name; a row's label is its position."""

    def __init__(self, columns: dict[str, list] | None = None):
        self.columns: dict[str, list] = {}
        self.length = 0
        for name, values in (columns or {}).items():
            self[name] = values

    @classmethod
    def adopting(cls, columns: dict[str, list]) -> Table:
        """A table of these lists themselves, not copies of them: for lists made for it and held
        nowhere else (a corpus's columns are millions of values; a copy of each is time spent)."""
        table = cls()
        for name, values in columns.items():
            table.adopt(name, values)
        return table

    def __len__(self) -> int:
        return self.length

    def __contains__(self, name: str) -> bool:
        return name in self.columns

    def __getitem__(self, name: str) -> list:
        return self.columns[name]

    def __setitem__(self, name: str, values: list) -> None:
        self._put(name, list(values))

    def adopt(self, name: str, values: list) -> None:
        """``values`` itself as the column ``name``, not a copy: for a list made for the table
        and held nowhere else (a corpus step's column of a million values), or a ``Joined``,
        ``Sparse`` or ``array`` column."""
        if not isinstance(values, (list, Joined, Sparse, array.array)):
            raise TypeError(f"column {name!r} is a {type(values).__name__}, not a list")
        self._put(name, values)

    @property
    def joined(self) -> bool:
        """Whether the columns are ``Joined`` (a run that reports on a few files reads few rows)."""
        return bool(self.columns) and isinstance(next(iter(self.columns.values())), Joined)

    def column_at(self, rows: Iterable[int], values: Iterable, default=None) -> list | Sparse:
        """A column of ``default`` but at ``rows``, which hold ``values`` in order: a list, or,
        in a table whose columns are ``Joined`` (a run that reports on a few files), a ``Sparse``
        column, which holds the few rows' values and not a value for every row of the corpus (a
        list of a million values each time a corpus step adds a column cost a hook run in
        10,000 page dumps about a second). ``values`` may be a NumPy array of numbers (``rows``
        then any sequence of ints): they become Python numbers, floats one object per distinct
        value (``float_column``), scattered in NumPy where the column is a list (a full run's
        scores: a value for nearly every row)."""
        numbers = getattr(values, "dtype", None)
        if numbers is not None:
            import numpy as np  # as float_column: the command line's start does not import it

            if not self.joined:
                every = np.full(self.length, default, dtype=numbers)
                every[rows] = values
                return float_column(every) if numbers.kind == "f" else every.tolist()
            rows = np.asarray(rows, dtype=np.int64).tolist()
            values = float_column(values) if numbers.kind == "f" else values.tolist()
        if self.joined:
            return Sparse(self.length, dict(zip(rows, values, strict=True)), default)
        column = [default] * self.length
        for row, value in zip(rows, values, strict=True):
            column[row] = value
        return column

    def _put(self, name: str, values: list) -> None:
        """``values`` itself as the column ``name``, if it is as long as the others."""
        if self.columns.keys() - {name} and len(values) != self.length:
            raise ValueError(f"column {name!r} has {len(values)} values for {self.length} rows")
        self.columns[name] = values
        self.length = len(values)

    def pop(self, name: str) -> list:
        values = self.columns.pop(name)
        self.length = self.length if self.columns else 0
        return values

    def listed(self, names: Iterable[str]) -> Table:
        """A table of these columns as lists (the same lists where they are): for a reader of
        every row, which a ``Joined`` column gives a row at a time, each at a microsecond's cost."""
        return Table.adopting({name: v if isinstance(v := self.columns[name], list) else list(v) for name in names})

    @property
    def names(self) -> list[str]:
        return list(self.columns)

    def row(self, label: int) -> dict:
        return {name: values[label] for name, values in self.columns.items()}

    def rows(self, labels: Iterable[int]) -> Iterator[tuple[int, dict]]:
        for label in labels:
            yield label, self.row(label)

    def to_pandas(self, names: list[str] | None = None):
        """A DataFrame of ``names`` (default: every column), one dtype per column: int64,
        float64 or bool where every value is one, else object (missing values are None).

        Object, not pandas' Arrow-backed strings: raw text may hold lone surrogates
        (undecodable bytes), which Arrow cannot store.
        """
        import pandas as pd

        data = {}
        for name in names or self.names:
            values = self.columns[name]
            if not isinstance(values, list):
                values = list(values)
            data[name] = pd.Series(values, dtype=_dtype(values)) if values else pd.Series([], dtype=object)
        return pd.DataFrame(data, index=pd.RangeIndex(len(self)))


def float_column(values) -> list:
    """``values.tolist()`` (a NumPy float array) with each distinct value one Python float,
    compared bit for bit (every NaN of a column one object): a column of a million scores,
    mostly NaN, holds a few thousand floats, not a million."""
    import numpy as np

    bits = np.ascontiguousarray(values, dtype=np.float64).view(np.uint64)
    distinct, which = np.unique(bits, return_inverse=True)
    floats = distinct.view(np.float64).tolist()
    return [floats[k] for k in which.tolist()]


def _dtype(values: list) -> str:
    kinds = {type(v) for v in values}
    if kinds == {bool}:
        return "bool"
    if kinds == {int}:
        return "int64"
    if kinds <= {float, int} and float in kinds:
        return "float64"
    return "object"


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



def document_columns(doc: Document) -> dict[str, list]:
    """The paragraph columns of one document, except ``path`` and ``doc_id`` (which
    depend on the run, not on the file's bytes, so the rest can be cached by content)."""
    from .normalise import normalise  # ftfy: not for `--version`, `--help` or `rule`

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


def assemble(documents: list[Document], per_document: list[dict[str, list]], joined: bool = False) -> Table:
    """One table from each document's columns, in document order, with ``path`` and ``doc_id``.
    A column may be given as the cache keeps one of a single value: (value, count). ``joined``:
    each column a ``Joined`` of the documents' own values, read where they are (a run that
    reports on a few files), not one list."""
    names = column_order(per_document[0]) if per_document else PARAGRAPH_COLUMNS[2:]
    if joined:
        counts = [len(columns["para"]) for columns in per_document]
        parts = {
            "path": [(doc.path, n) for doc, n in zip(documents, counts, strict=True)],
            "doc_id": [(doc.doc_id, n) for doc, n in zip(documents, counts, strict=True)],
        }
        parts.update({name: [columns[name] for columns in per_document] for name in names})
        starts = list(itertools.accumulate(counts, initial=0))  # every column's, worked out once
        return Table.adopting({name: Joined(values, starts) for name, values in parts.items()})
    # Each column made at its full length and filled file by file: no list grown past its
    # length (a grown list keeps up to an eighth more room), none copied.
    total = sum(len(columns["para"]) for columns in per_document)
    cut: dict[int, list] = {}  # each file's paragraphs cut once (``_cut``)
    merged: dict[str, list] = {name: [None] * total for name in ("path", "doc_id", *names)}
    # Whole numbers the cache keeps as arrays (a paragraph's positions) stay one: 8 bytes a
    # row, not a pointer and an int object (a full run of 2,000 page dumps: 22 MB).
    for name in names:
        if per_document and type(per_document[0][name]) is array.array:
            merged[name] = array.array("q", bytes(8 * total))
    at = 0
    for doc, columns in zip(documents, per_document, strict=True):
        end = at + len(columns["para"])
        merged["path"][at:end] = [doc.path] * (end - at)
        merged["doc_id"][at:end] = [doc.doc_id] * (end - at)
        for name in names:
            values = columns[name]
            if isinstance(values, (Slices, Normalised)):
                values = _cut(values, cut)
            if type(merged[name]) is array.array:
                merged[name][at:end] = values if type(values) is array.array and values.typecode == "q" else array.array("q", values)
                continue
            if type(values) is tuple:  # a column of one value, as cached: (value, count)
                if values[0] is not None:  # None is there already
                    merged[name][at:end] = [values[0]] * values[1]
            else:
                merged[name][at:end] = values
        at = end
    return Table.adopting(merged)


def column_order(names: Iterable[str]) -> list[str]:
    """A file's columns in the table's order (after ``path`` and ``doc_id``): the paragraph
    columns first, then the features, however the cache ordered them."""
    names = list(names)
    return [n for n in PARAGRAPH_COLUMNS[2:] if n in names] + [n for n in names if n not in PARAGRAPH_COLUMNS[2:]]


def _cut(values: Slices | Normalised, cut: dict[int, list]) -> list:
    """A file's paragraphs as a list, cut once: the copies of a content share its unpacked
    columns, and so, from here, their strings (a crawl holds many copies); a paragraph that
    normalising left alone is the very string of its raw text (``Normalised.over``)."""
    listed = cut.get(id(values))
    if listed is None:
        raw = cut.get(id(values.raw)) if isinstance(values, Normalised) else None
        listed = cut[id(values)] = values.over(raw) if raw is not None else list(values)
    return listed


def file_table(documents: Iterable[Document]) -> Table:
    """One row per file read, whatever it holds: ``path``, ``doc_id`` and ``nul_byte`` (the
    offset of its first NUL byte when it is binary, else None), for the rules on files that
    have no paragraphs."""
    documents = list(documents)
    return Table({
        "path": [doc.path for doc in documents],
        "doc_id": [doc.doc_id for doc in documents],
        "nul_byte": [doc.nul_offset if doc.problem == "binary" else None for doc in documents],
    })  # fmt: skip


def build_table(documents: Iterable[Document]) -> Table:
    """The paragraph table of already-read documents, in file then paragraph order."""
    documents = list(documents)
    return assemble(documents, [document_columns(doc) for doc in documents])


def load_paragraphs(paths: str | os.PathLike | Iterable[str | os.PathLike]):
    """Read, segment and normalise every ``.txt`` file under ``paths`` into a pandas DataFrame.

    >>> frame = load_paragraphs("seeds")            # doctest: +SKIP
    >>> frame.loc[0, ["path", "line_start", "text"]] # doctest: +SKIP

    Columns: see ``PARAGRAPH_COLUMNS``. Empty and binary files have no rows; the
    command line reports them. Raises ``CorpusValidatorError`` for a missing path.
    """
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    return build_table(read(list(paths))).to_pandas(PARAGRAPH_COLUMNS)


class Slices(Sequence):
    """Pieces of one text, ``text[starts[i]:ends[i]]`` (an end of None: to the text's end), cut
    when read: a file's paragraphs held as its text once, not as a second copy of it in pieces.
    ``text`` may be given as the document that has it (``Document.text``), taken when a piece is
    first read: a pre-commit run reads few of the corpus's files (``ingest.UnreadDocument``), and
    the rows it picks from a file not read yet do not keep its text (``Document.passing_text``)."""

    __slots__ = ("source", "starts", "ends")

    def __init__(self, text: str | Document, starts: Sequence[int], ends: Sequence[int | None]):
        self.source, self.starts, self.ends = text, starts, ends

    @property
    def text(self) -> str:
        source = self.source
        return source if type(source) is str else source.text

    def __len__(self) -> int:
        return len(self.starts)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [self[k] for k in range(*index.indices(len(self)))]
        return self.text[self.starts[index] : self.ends[index]]

    def __iter__(self):
        text = self.text
        return (text[s:e] for s, e in zip(self.starts, self.ends, strict=True))

    def picked(self, rows: list[int]) -> list[str]:
        """The pieces at ``rows``, the text taken once (a document's not kept if it was not read:
        ``UnreadDocument.passing_text``)."""
        source = self.source
        text = source if type(source) is str else source.passing_text()
        starts, ends = self.starts, self.ends
        return [text[starts[r] : ends[r]] for r in rows]


class Following(Sequence):
    """Each value's next in ``values``, None after the last: where each paragraph's separator
    ends (the next paragraph's start), read when asked, not a list of them made for every file."""

    __slots__ = ("values",)

    def __init__(self, values: Sequence[int]):
        self.values = values

    def __len__(self) -> int:
        return len(self.values)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [self[k] for k in range(*index.indices(len(self)))]
        n = len(self.values)
        if index < 0:
            index += n
        if not 0 <= index < n:
            raise IndexError(index)
        return self.values[index + 1] if index + 1 < n else None

    def __iter__(self):
        return itertools.chain(itertools.islice(self.values, 1, None), [None] if len(self.values) else [])


class Normalised(Sequence):
    """A file's normalised paragraphs: ``changed[i]`` where normalising changed the text, else
    the raw paragraph (``raw[i]``), read when asked for."""

    __slots__ = ("changed", "raw")

    def __init__(self, changed: Sequence, raw: Sequence):
        self.changed, self.raw = changed, raw

    def __len__(self) -> int:
        return len(self.changed)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [self[k] for k in range(*index.indices(len(self)))]
        value = self.changed[index]
        return self.raw[index] if value is None else value

    def __iter__(self):
        return (r if t is None else t for t, r in zip(self.changed, self.raw, strict=True))

    def over(self, raw: list) -> list:
        """The paragraphs, each left as it was the very string of ``raw`` (these paragraphs' raw
        text, already cut): a table holds such a paragraph once, not as two equal strings."""
        return [r if t is None else t for t, r in zip(self.changed, raw, strict=True)]


class Joined(Sequence):
    """A table column made of each file's values (a sequence, or (value, count) for one value
    throughout), read where they are: a run that reports on a few files reads a few of the
    corpus's rows, and neither copies the others into one list nor cuts their text."""

    __slots__ = ("parts", "starts")

    def __init__(self, parts: list, starts: list[int] | None = None):
        """``starts``: where each part starts, and the total last, when known (a table's columns
        share them: each file has as many rows in each)."""
        self.parts = [as_part(p) for p in parts]
        self.starts = list(itertools.accumulate((len(p) for p in self.parts), initial=0)) if starts is None else starts

    @classmethod
    def over(cls, parts: Sequence, starts: list[int]) -> Joined:
        """A column of ``parts`` as they are, each got when first read (the spark engine's driver
        fetches a file's values from the executors: ``spark_rows``), where they start ``starts``."""
        column = cls.__new__(cls)
        column.parts, column.starts = parts, starts
        return column

    def __len__(self) -> int:
        return self.starts[-1]

    def __getitem__(self, row):
        if isinstance(row, slice):
            return [self[k] for k in range(*row.indices(len(self)))]
        if row < 0:
            row += len(self)
        if not 0 <= row < len(self):
            raise IndexError(row)
        k = bisect.bisect_right(self.starts, row) - 1
        return self.parts[k][row - self.starts[k]]

    def __iter__(self):
        return itertools.chain.from_iterable(self.parts)

    def picked(self, rows: list[int]) -> list:
        """The values at ``rows`` (ascending), each part found once for the rows it holds, not
        once a row (a pre-commit run reads the tens of thousands of rows that bear on its files)."""
        out: list = []
        starts, parts, at = self.starts, self.parts, 0
        while at < len(rows):
            k = bisect.bisect_right(starts, rows[at]) - 1
            base = starts[k]
            upto = bisect.bisect_left(rows, starts[k + 1], at)
            out += picked(parts[k], [row - base for row in rows[at:upto]])
            at = upto
        return out


def as_part(values):
    """A file's values as a ``Joined`` column holds them: (value, count), a column of one value
    as the cache keeps it, as a sequence of that value."""
    return _Repeat(*values) if type(values) is tuple else values


class Sparse(Sequence):
    """A column of one value (``default``) but at a few rows (``values``: row -> value): what a
    corpus step works out for the files a run reports on, in a table of the whole corpus
    (``Table.column_at``)."""

    __slots__ = ("values", "length", "default")

    def __init__(self, length: int, values: dict, default=None):
        self.length, self.values, self.default = length, values, default

    def __len__(self) -> int:
        return self.length

    def __getitem__(self, row):
        if isinstance(row, slice):
            return [self[k] for k in range(*row.indices(self.length))]
        if row < 0:
            row += self.length
        if not 0 <= row < self.length:
            raise IndexError(row)
        return self.values.get(row, self.default)

    def __iter__(self):
        get, default = self.values.get, self.default
        return (get(row, default) for row in range(self.length))


def present(column: Sequence) -> list[tuple[int, object]]:
    """(row, value) of each row whose value is not None, in row order: a ``Sparse`` column's
    own few, not a pass over every row."""
    if isinstance(column, Sparse) and column.default is None:
        return sorted((row, value) for row, value in column.values.items() if value is not None)
    return [(row, value) for row, value in enumerate(column) if value is not None]


def file_starts(doc_ids: Sequence) -> list[int]:
    """The row at which each file's rows start (files with rows only), from the ``doc_id``
    column: a ``Joined`` column's parts say it without reading a row."""
    if isinstance(doc_ids, Joined):
        return [start for start, part in zip(doc_ids.starts, doc_ids.parts, strict=False) if len(part)]
    import numpy as np  # as float_column: the command line's start does not import it

    ids = np.asarray(doc_ids, dtype=np.int64)
    return np.flatnonzero(np.concatenate(([True], ids[1:] != ids[:-1]))).tolist() if len(ids) else []


def rows_of_files(column: Sequence, files: list[int], first_row: list[int]) -> Joined | list:
    """The rows of ``files`` (file ``f``'s from ``first_row[f]`` up to ``first_row[f + 1]``), in
    that order: a ``Joined`` column's own parts, which are its files' (nothing read), or a
    list's rows."""
    if isinstance(column, Joined):
        return Joined([column.parts[f] for f in files])
    return [value for f in files for value in column[first_row[f] : first_row[f + 1]]]


def picked(column: Sequence, rows: list[int]) -> list:
    """``[column[row] for row in rows]`` (``rows`` ascending), read in one pass where the column
    can (``Joined``, ``Slices``)."""
    pick = getattr(column, "picked", None)
    return pick(rows) if pick is not None else [column[row] for row in rows]


def rows_in(column: Sequence, values: set) -> list[int]:
    """The rows whose value in ``column`` is one of ``values`` (the rows of some paths): a
    ``Joined`` column's part of one value throughout is judged once, not once a row."""
    if not isinstance(column, Joined):
        return [row for row, value in enumerate(column) if value in values]
    rows: list[int] = []
    for part, start in zip(column.parts, column.starts, strict=False):
        if isinstance(part, _Repeat):
            if part.value in values:
                rows.extend(range(start, start + part.count))
        else:
            rows.extend(start + k for k, value in enumerate(part) if value in values)
    return rows


class _Repeat(Sequence):
    __slots__ = ("value", "count")

    def __init__(self, value, count: int):
        self.value, self.count = value, count

    def __len__(self) -> int:
        return self.count

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [self.value] * len(range(*index.indices(self.count)))
        return self.value

    def __iter__(self):
        return itertools.repeat(self.value, self.count)
