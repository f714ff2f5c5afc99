"""The paragraph table on the spark engine's driver: a file's values fetched from Spark when read.

The executors keep each file's paragraph columns (the file steps' outputs, its noise scores and
duplicate keys) where they made them. The driver's table has every row, labelled as on the other
engines, and the columns only the corpus decides (which row a copy repeats: ``CORPUS_DUPLICATES``)
for the rows that have a value; a file's other values are fetched when a finding needs them:
before the findings are built, the files of the rows the suites flag, then of the rows their
rules name (``Rule.named_rows``: the original of a copy, the places of a name's spelling), each
batch in one Spark job (``findings.build_findings``' ``fetch``). A row read that no rule named
fetches its file alone (``misses``), so a rule that reads more than it names is slower, never
wrong. The driver holds the values of the files with findings or named by one, not the corpus's.
"""

from __future__ import annotations

import bisect
import pickle
from collections.abc import Iterable, Sequence

from .errors import CorpusValidatorError
from .frame import Joined, Sparse, Table, as_part, column_order, picked


class FetchedFiles:
    """The driver's paragraph table (``table``) of files whose values lie on Spark.

    ``results``: a Spark DataFrame of ``doc_id`` and ``values`` (a file's pickled (packed file-step
    outputs, columns worked out on Spark)), kept until ``release``; ``documents``: the files in
    ``doc_id`` order; ``counts``: each file's paragraphs; ``own``: the columns the values give,
    before ``corpus``; ``corpus``: those the driver holds for the rows that have one (row ->
    value); ``after``: more columns the values give, last; ``unpack``: (packed outputs, document) ->
    each file step's columns."""

    def __init__(self, results, documents: list, counts: list[int], own: Iterable[str], corpus: dict[str, dict],
                 after: Iterable[str], unpack):  # fmt: skip
        self.results, self.documents, self.counts, self.unpack = results, documents, counts, unpack
        self.fetched: set[int] = set()
        self.jobs = 0  # Spark jobs that fetched files
        self.misses = 0  # of them, for a file read that no rule named
        self.released = False
        starts = [0]
        for count in counts:
            starts.append(starts[-1] + count)
        self.starts = starts
        own, after = column_order(own), list(after)
        self.remote: dict[str, Joined] = {
            name: Joined([_Pending(self, k, name, n) if n else [] for k, n in enumerate(counts)], starts)
            for name in [*own, *after]
        }  # fmt: skip
        total = starts[-1]
        columns: dict[str, Sequence] = {
            "path": Joined([(doc.path, n) for doc, n in zip(documents, counts, strict=True)], starts),
            "doc_id": Joined([(doc.doc_id, n) for doc, n in zip(documents, counts, strict=True)], starts),
        }
        columns.update((name, self.remote[name]) for name in own)
        columns.update((name, Sparse(total, values)) for name, values in corpus.items())
        columns.update((name, self.remote[name]) for name in after)
        self.table = Table.adopting(columns)

    def fetch_rows(self, rows: Iterable[int]) -> None:
        """Fetch, in one Spark job, the files of ``rows`` (table rows) not fetched yet."""
        starts = self.starts
        self.fetch({bisect.bisect_right(starts, row) - 1 for row in rows})

    def fetch_all(self) -> None:
        """Every file's values: what a whole-table use (``export``, ``fix``) reads."""
        self.fetch(range(len(self.counts)))

    def fetch(self, files: Iterable[int]) -> None:
        """Fetch the values of ``files`` (positions, which are their ``doc_id``) not fetched yet."""
        wanted = sorted({k for k in files if self.counts[k] and k not in self.fetched})
        if not wanted:
            return
        if self.released:
            raise CorpusValidatorError(
                f"internal error: {self.documents[wanted[0]].path}: its paragraph values were read after Spark let them go"
            )
        from pyspark.sql import functions as F  # noqa: N812

        self.jobs += 1
        results = self.results
        if len(wanted) < sum(1 for count in self.counts if count):  # some files: those joined to the rest
            keys = results.sparkSession.createDataFrame([(k,) for k in wanted], "doc_id long")
            results = results.join(F.broadcast(keys), "doc_id")
        for row in results.select("doc_id", "values").toLocalIterator():
            self._place(int(row["doc_id"]), row["values"])

    def _place(self, k: int, blob: bytes) -> None:
        """File ``k``'s values, put in its place in each column."""
        if k in self.fetched:
            return
        entry, columns = pickle.loads(blob)
        values = {**self.unpack(entry, self.documents[k]), **columns}
        for name, column in self.remote.items():
            column.parts[k] = as_part(values[name])
        self.fetched.add(k)

    def read(self, k: int) -> None:
        """File ``k``'s values, for a read that no rule named: fetched alone."""
        if k not in self.fetched:
            self.misses += 1
            self.fetch((k,))

    def release(self) -> None:
        self.released = True
        self.results.unpersist()


class _Pending(Sequence):
    """A file's values of one column, still on Spark: fetched when first read."""

    __slots__ = ("files", "k", "name", "count")

    def __init__(self, files: FetchedFiles, k: int, name: str, count: int):
        self.files, self.k, self.name, self.count = files, k, name, count

    def _values(self) -> Sequence:
        self.files.read(self.k)
        return self.files.remote[self.name].parts[self.k]

    def __len__(self) -> int:
        return self.count

    def __getitem__(self, index):
        return self._values()[index]

    def __iter__(self):
        return iter(self._values())

    def picked(self, rows: list[int]) -> list:
        return picked(self._values(), rows)
