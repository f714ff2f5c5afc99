"""The spark engine's driver's tables (paragraphs, mentions): a file's values fetched from Spark when read.

The executors keep each file's paragraph columns (the file steps' outputs, its noise scores and
duplicate keys) and its mentions where they made them. The driver's table has every row, labelled as on the other
engines, and the columns only the corpus decides (which row a copy repeats: ``CORPUS_DUPLICATES``)
for the rows that have a value; a file's other values are fetched when a finding needs them:
before the findings are built, the files of the rows the suites flag, then of the rows their
rules name (``Rule.named_rows``: the original of a copy, the places of a name's spelling), each
batch in one Spark job (``findings.build_findings``' ``fetch``); the mentions table's likewise, for
the mentions flagged. A row read that no rule named
fetches its file alone (``misses``), so a rule that reads more than it names is slower, never
wrong. The driver holds the values of the files with findings or named by one, not the corpus's.
"""

from __future__ import annotations

import bisect
import pickle
from collections.abc import Iterable, Sequence

from .errors import CorpusValidatorError
from .frame import Joined, Table, as_part


class FetchedFiles:
    """A driver's table (``table``) of files whose values lie on Spark: the paragraph table, or
    the mentions table (a file's rows are then its mentions).

    ``results``: a Spark DataFrame (persisted, and unpersisted on ``release``) of ``doc_id`` and
    ``values`` (a file's pickled (values, more values), which ``unpack(values, document)`` and the
    more make into columns); ``documents``: the files in ``doc_id`` order; ``counts``: each file's rows;
    ``names``: the table's columns in order: ``path`` and ``doc_id`` (each file's own), those
    ``given`` whole (the values the driver holds: a ``Sparse`` column of the rows that have one),
    and the others, each file's fetched from ``results`` when read."""

    def __init__(self, results, documents: list, counts: list[int], names: Iterable[str], given: dict, unpack):
        self.results, self.documents, self.counts, self.unpack = results, documents, counts, unpack
        self.values: dict[int, dict] = {}  # file -> its values, by column, once fetched
        self.jobs = 0  # Spark jobs that fetched files
        self.misses = 0  # of them, for a file read that no rule named
        self.released = False
        starts = [0]
        for count in counts:
            starts.append(starts[-1] + count)
        self.starts = starts
        own = {
            "path": Joined([(doc.path, n) for doc, n in zip(documents, counts, strict=True)], starts),
            "doc_id": Joined([(doc.doc_id, n) for doc, n in zip(documents, counts, strict=True)], starts),
        }
        own.update(given)
        self.table = Table.adopting({name: own[name] if name in own else Joined.over(_Parts(self, name), starts) for name in names})

    def fetch_rows(self, rows: Iterable[int]) -> None:
        """Fetch, in one Spark job, the files of ``rows`` (table rows) not fetched yet."""
        starts = self.starts
        self.fetch({bisect.bisect_right(starts, row) - 1 for row in rows})

    def fetch_all(self) -> None:
        """Every file's values: what a whole-table use (``export``, the Python API) reads."""
        self.fetch(range(len(self.counts)))

    def fetch(self, files: Iterable[int]) -> None:
        """Fetch the values of ``files`` (positions, which are their ``doc_id``) not fetched yet."""
        wanted = sorted({k for k in files if self.counts[k] and k not in self.values})
        if not wanted:
            return
        if self.released:
            raise CorpusValidatorError(
                f"{self.documents[wanted[0]].path}: the spark engine's report holds the values of the files with findings "
                "only, and Spark has let the others go: ask for the whole table (pipeline.check(..., whole_table=True))"
            )
        from pyspark.sql import functions as F  # noqa: N812

        self.jobs += 1
        results = self.results
        if len(wanted) < sum(1 for count in self.counts if count):  # some files: those joined to the rest
            keys = results.sparkSession.createDataFrame([(k,) for k in wanted], "doc_id long")
            results = results.join(F.broadcast(keys), "doc_id")
        for row in results.select("doc_id", "values").toLocalIterator():
            k = int(row["doc_id"])
            if self.counts[k] and k not in self.values:  # a file without rows: no values
                entry, columns = pickle.loads(row["values"])
                self.values[k] = {name: as_part(v) for name, v in {**self.unpack(entry, self.documents[k]), **columns}.items()}

    def part(self, k: int, name: str):
        """File ``k``'s values of column ``name``; a file no rule named is fetched alone."""
        if not self.counts[k]:
            return ()
        values = self.values.get(k)
        if values is None:
            self.misses += 1
            self.fetch((k,))
            values = self.values[k]
        return values[name]

    def release(self) -> None:
        self.released = True
        self.results.unpersist()


class _Parts(Sequence):
    """One column's values, file by file (a ``Joined`` column's parts): a file's are fetched, with
    its other columns', when first read."""

    __slots__ = ("files", "name")

    def __init__(self, files: FetchedFiles, name: str):
        self.files, self.name = files, name

    def __len__(self) -> int:
        return len(self.files.counts)

    def __getitem__(self, k: int):
        return self.files.part(k, self.name)
