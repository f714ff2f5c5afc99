"""The name-variant step on Spark: the rounds of ``features/mentions.py`` run on the executors,
a partition of files at a time, their corpus-wide sums added by Spark.

What the rounds read of each file (its paragraphs, their first lines, its name candidates) is
cut once from the per-file stage's results and kept on the executors. Each pass reads it and,
per file, decides its rows' mentions as far as the sums known so far allow; what it sends back is a group-by of its sums: sets of words and keys, counts per key
and spelling, the size of the corpus's vocabulary and names, not of its text. The last pass keeps
each file's mentions on the executors, where GX validates them, and sends their number; the places
of the spellings mentions are told to use are summed there too. Every file is decided on its own,
each counted once: the other engines count a file's copies as often as it has them, which comes to
the same sums.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from pyspark.sql import DataFrame
from pyspark.sql import functions as F  # noqa: N812


#: A pass's sums, one row per item: which sum (``kind``), up to three strings (as UTF-8 bytes,
#: undecodable bytes kept: ``surrogatepass``), a count.
SUMS_SCHEMA = "kind int, a binary, b binary, c binary, n long"
#: The word sets of the first pass, by ``kind``.
WORD_SETS = ("vocabulary", "alone", "capitalised", "openings")


class _FileRows(Sequence):
    """One file's values, read by table row (the file's rows start at ``first``)."""

    def __init__(self, values, first: int):
        self.values, self.first = values, first

    def __len__(self) -> int:
        return len(self.values)

    def __getitem__(self, row: int):
        return self.values[row - self.first]


def _encoded(value: str | None) -> bytes | None:
    return None if value is None else value.encode("utf-8", "surrogatepass")


def _decoded(value) -> str | None:
    return None if value is None else bytes(value).decode("utf-8", "surrogatepass")


def _name_inputs(batches):
    """The ``mapInPandas`` function of the first pass: per file, what the rounds read of it
    (``_file_rows``), pickled apart from the rest of its per-file results (the duplicate
    signatures and noise features, ten times the size), which each pass would unpickle again."""
    import pickle

    import pandas as pd

    from .features.steps import file_steps, unpack

    file_steps()  # imports (registers) every step, which ``unpack`` looks up
    for batch in batches:
        out: dict[str, list] = {"doc_id": [], "inputs": []}
        for doc_id, first_row, document, features in batch.itertuples(index=False):
            entry = pickle.loads(features)
            if entry is None:  # an empty or binary file: no paragraph, no mention
                continue
            doc = pickle.loads(document)
            sections = unpack({name: entry[name] for name in ("paragraphs", "name-candidates")}, doc)
            own, found = sections["paragraphs"], sections["name-candidates"]
            inputs = (
                int(first_row), doc.path, doc.doc_id, own["para"], own["line_start"], list(own["raw"]),
                found["name_candidates"], found["lowercase_words"], found["name_sets"],
            )  # fmt: skip  (the candidates as packed, each row pickled on its own: ``steps.PackedRows``)
            out["doc_id"].append(int(doc_id))
            out["inputs"].append(pickle.dumps(inputs, protocol=5))
        if out["doc_id"]:
            yield pd.DataFrame(out)


def _file_rows(inputs: tuple, report_paths):
    """The ``MentionRows`` of one file's ``_name_inputs``."""
    from .features.mentions import MentionRows

    first_row, path, doc_id, paras, line_starts, raws, candidates, _, _ = inputs
    count = len(raws)
    columns = {
        "path": _FileRows([path] * count, first_row), "doc_id": _FileRows([doc_id] * count, first_row),
        "para": _FileRows(paras, first_row), "line_start": _FileRows(line_starts, first_row),
    }  # fmt: skip
    reported = None if report_paths is None else (set(range(first_row, first_row + count)) if path in report_paths else set())
    indexed = [(first_row + n, row) for n, row in enumerate(candidates)]
    return MentionRows(indexed, _FileRows(raws, first_row), columns, None, reported)


def _rounds(context, through: int, known: dict):
    """The ``mapInPandas`` function of a pass: per file, the rounds up to ``through`` (0: the
    word sets only) with the sums of the earlier passes (``known``), and that round's sums, or
    (``through`` 5) the file's mentions, pickled."""

    def run(batches):
        import pickle

        import pandas as pd

        from .features import mentions as rounds
        from .spark import table_rows

        lexicon = context.setups["mentions"]
        report_paths = context.report_paths
        for batch in batches:
            sums: dict[tuple, int] = Counter()
            made: dict[str, list] = {"doc_id": [], "count": [], "values": [], "rows": [], "kinds": []}
            for doc_id, inputs in batch.itertuples(index=False):
                inputs = pickle.loads(inputs)
                if through == 0:  # the file's lower-case words and ``name_sets``, as cached
                    lowercase, name_sets = inputs[-2:]
                    for word in lowercase.split():
                        sums[0, word, None, None] = 1
                    for kind, words in enumerate(name_sets, 1):
                        for word in words.split("\n" if kind != 2 else " "):
                            if word:
                                sums[kind, word, None, None] = 1
                    continue
                rows = _file_rows(inputs, report_paths)
                sets = known["sets"]
                words, runs, whole = rounds.words_and_runs(rows, sets)
                if through == 1:
                    for key, n in whole.items():
                        sums[0, key, None, None] += n
                    continue
                placed, run_surfaces = rounds.starts_of_runs(rows, runs, sets.vocabulary, known["whole"])
                if through == 2:
                    for word in rounds.one_word_surfaces(words):
                        sums[0, word, None, None] = 1
                    for surface in run_surfaces:
                        sums[1, surface, None, None] = 1
                    continue
                placed, lower = rounds.placed_mentions(rows, words, placed, known["kept"])
                if through == 3:
                    for surface in lower:
                        sums[0, surface, None, None] = 1
                    continue
                spelled, mentions, documents, reported = rounds.spellings_and_keys(rows, placed, known["lower"], lexicon)
                if through == 4:
                    for (key, spelling), n in mentions.items():
                        sums[0, key, spelling, None] += n
                    for (key, spelling), n in documents.items():
                        sums[1, key, spelling, None] += n
                    for key, house, free in reported:
                        sums[2, key, house, free] = 1
                    continue
                columns = rounds.mention_columns(rows, spelled, known["spellings"], known["wanted"])
                if columns["row"]:
                    blob, kinds = table_rows(len(columns["row"]), {c: columns[c] for c in known["read"]})
                    made["doc_id"].append(int(doc_id))
                    made["count"].append(len(columns["row"]))
                    made["values"].append(pickle.dumps((columns, {}), protocol=5))
                    made["rows"].append(blob)
                    made["kinds"].append(kinds)
            if through == 5:
                if made["doc_id"]:
                    yield pd.DataFrame(made)
            elif sums:
                kinds, a, b, c, n = zip(*((k, _encoded(x), _encoded(y), _encoded(z), v) for (k, x, y, z), v in sums.items()), strict=True)
                yield pd.DataFrame({"kind": kinds, "a": a, "b": b, "c": c, "n": n})

    return run


def _summed(files: DataFrame, context, through: int, known: dict) -> list[tuple]:
    """A pass's sums over the corpus: (kind, a, b, c, total) per item."""
    passed = files.mapInPandas(_rounds(context, through, known), SUMS_SCHEMA)
    totals = passed.groupBy("kind", "a", "b", "c").agg(F.sum("n").alias("n"))
    return [(r["kind"], _decoded(r["a"]), _decoded(r["b"]), _decoded(r["c"]), int(r["n"])) for r in totals.toLocalIterator()]


#: What the last pass gives per file: its mentions (``values``, for ``spark_rows``), and its values of
#: the columns GX reads (``rows``) with the kinds of value each holds (``kinds``), as ``spark._file_results``.
MENTIONS_SCHEMA = "doc_id long, count long, values binary, rows binary, kinds string"


@dataclass
class SparkMentions:
    """The mentions table, on the executors: ``files``, each file's (``MENTIONS_SCHEMA``), kept
    until unpersisted; ``counts``, each file's number of mentions (``doc_id`` -> count, files
    with mentions only); ``places``, for each spelling a mention is told to use, how many
    mentions are written so and the places of the first ``MAX_RELATED`` (``rules.name``'s
    ``PLACES``, worked out on Spark, not from the whole table on the driver)."""

    files: DataFrame
    counts: dict[int, int]
    places: dict[str, tuple[int, tuple[tuple[int, int], ...]]]


def mentions_on_spark(files: DataFrame, context, read: Sequence[str] = ()) -> SparkMentions:
    """The mentions table (``features/mentions.py``) of the files of ``files`` (``doc_id``,
    ``first_row``, ``document``, ``features``: the per-file stage's results), decided on the
    executors in six passes, and kept there; what comes to the driver is each pass's sums, then
    each file's number of mentions and the places of the spellings mentions are told to use.
    ``read``: the columns of the table GX validates."""
    from pyspark import StorageLevel

    from .features.mentions import NameSets, Spellings, kept_words

    lexicon = context.setups["mentions"]
    files = files.select("doc_id", "first_row", "document", "features").mapInPandas(_name_inputs, "doc_id long, inputs binary")
    files = files.persist(StorageLevel.MEMORY_AND_DISK)  # read by each of the six passes
    known: dict = {"read": tuple(read)}
    word_sets = [set() for _ in WORD_SETS]
    for kind, word, _, _, _ in _summed(files, context, 0, known):
        word_sets[kind].add(word)
    sets = known["sets"] = NameSets(*word_sets, lexicon)
    known["whole"] = Counter({key: n for _, key, _, _, n in _summed(files, context, 1, known)})
    found = _summed(files, context, 2, known)
    one_words = {word for kind, word, _, _, _ in found if kind == 0}
    known["kept"] = kept_words(sets, one_words, {surface for kind, surface, _, _, _ in found if kind == 1})
    known["lower"] = {surface for _, surface, _, _, _ in _summed(files, context, 3, known)}
    mentions, documents, reported = Counter(), Counter(), set()
    for kind, key, spelling, free, n in _summed(files, context, 4, known):
        if kind == 0:
            mentions[key, spelling] = n
        elif kind == 1:
            documents[key, spelling] = n
        else:
            reported.add((key, spelling, free))  # (key, registry spelling, key counted under)
    report_paths = context.report_paths
    minors = None if report_paths is None else {free for _, _, free in reported}
    spellings = known["spellings"] = Spellings.decide(mentions, documents, lexicon, sets.vocabulary, minors)
    known["wanted"] = None if report_paths is None else spellings.wanted(reported)
    made = files.mapInPandas(_rounds(context, 5, known), MENTIONS_SCHEMA).persist(StorageLevel.MEMORY_AND_DISK)
    counts = {int(row["doc_id"]): int(row["count"]) for row in made.select("doc_id", "count").toLocalIterator()}
    places = _places(made)
    files.unpersist()
    return SparkMentions(made, counts, places)


def _places(made: DataFrame) -> dict:
    """For each spelling a mention is told to use (its ``variant_of``, ``near_variant_of`` or
    ``registry_variant_of``), (how many mentions are written so, (paragraph row, offset) of the
    first ``MAX_RELATED`` in table order): a join of the mentions on those spellings, grouped."""
    from .rules.base import MAX_RELATED

    placed = made.select("values").mapInPandas(_mention_places, "surface binary, target boolean, row long, start long")
    targets = placed.where(F.col("target")).select("surface").distinct()
    grouped = placed.where(~F.col("target")).join(targets, "surface").groupBy("surface").agg(
        F.count(F.lit(1)).alias("n"), F.slice(F.array_sort(F.collect_list(F.struct("row", "start"))), 1, MAX_RELATED).alias("first")
    )  # fmt: skip
    return {
        _decoded(row["surface"]): (int(row["n"]), tuple((int(p["row"]), int(p["start"])) for p in row["first"]))
        for row in grouped.toLocalIterator()
    }  # fmt: skip


def _mention_places(batches):
    """The ``mapInPandas`` function of ``_places``: per file, each mention's (surface, row,
    offset), and once each, the spellings its mentions are told to use (``target``)."""
    import pickle

    import pandas as pd

    for batch in batches:
        out: dict[str, list] = {"surface": [], "target": [], "row": [], "start": []}
        for (values,) in batch.itertuples(index=False):
            columns, _ = pickle.loads(values)
            out["surface"] += [_encoded(s) for s in columns["surface"]]
            out["row"] += columns["row"]
            out["start"] += columns["start"]
            out["target"] += [False] * len(columns["row"])
            told = {t for name in ("variant_of", "near_variant_of", "registry_variant_of") for t in columns[name] if t is not None}
            for target in sorted(told):
                out["surface"].append(_encoded(target))
                out["row"].append(None)
                out["start"].append(None)
                out["target"].append(True)
        if out["surface"]:  # row and start as objects: a spelling's row has none (null), not NaN
            yield pd.DataFrame({name: pd.Series(values, dtype=object) for name, values in out.items()})
