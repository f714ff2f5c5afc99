"""Corpus steps as Spark operations: duplicates (exact, near, shared passages, whole files) and
the noise family's template text.

The same candidate rule and verdicts as the NumPy code (``features/duplicate.py``,
``features/minhash.py``), row for row, over a DataFrame of paragraphs with

- ``row``: a long in table order (files in path order, paragraphs in file order): "earliest" is the least;
- ``digest``, ``length``: the paragraph's canonical digest and the length of its canonical form;
- ``sig``: its MinHash signature (``NUM_PERM`` values, as longs).

Exact duplicates are a window over the digest; near duplicates band the signatures with
``posexplode``, link each row of a band group to the group's first row and to the ``WINDOW`` rows
before it (a window ordered by row), compare each candidate pair once on the whole signature
(a join), and keep for each row the earliest similar one (a group-by).
"""

from __future__ import annotations

from pyspark.sql import DataFrame, Window
from pyspark.sql import functions as F  # noqa: N812

from .features.minhash import BANDS, NUM_PERM, ROWS, WINDOW


def exact_duplicates(paragraphs: DataFrame, min_chars: int) -> DataFrame:
    """``paragraphs`` with ``dup_key`` (the digest, null under ``min_chars``) and ``dup_of`` (the
    first row with the same key, null for the first itself): ``add_duplicate_features``' columns."""
    keyed = paragraphs.withColumn("dup_key", F.when(F.col("length") >= min_chars, F.col("digest")))
    first = F.min("row").over(Window.partitionBy("dup_key"))
    return keyed.withColumn("dup_of", F.when(F.col("dup_key").isNotNull() & (first != F.col("row")), first))


def near_duplicates(paragraphs: DataFrame, min_chars: int, threshold: float, keyed: bool = False) -> DataFrame:
    """(``row``, ``near_dup_of``, ``near_dup_similarity``) for each row with an earlier row at least
    ``threshold`` similar (estimated Jaccard), among the rows long enough that are not exact copies
    (``keyed``: ``paragraphs`` has the columns of ``exact_duplicates`` already)."""
    usable = (paragraphs if keyed else exact_duplicates(paragraphs, min_chars)).where(F.col("dup_key").isNotNull() & F.col("dup_of").isNull())
    found = similar_earlier(usable.select("row", "sig"), threshold)
    return found.select("row", F.col("earlier").alias("near_dup_of"), F.col("similarity").alias("near_dup_similarity"))


def similar_earlier(usable: DataFrame, threshold: float) -> DataFrame:
    """(``row``, ``earlier``, ``similarity``): for each row of ``usable`` (``row``, ``sig``), the
    earliest row at least ``threshold`` similar; ``minhash.similar_earlier``'s candidate rule."""
    bands = usable.select(
        "row", F.posexplode(F.array(*[F.slice("sig", band * ROWS + 1, ROWS) for band in range(BANDS)])).alias("band", "value")
    )
    group = Window.partitionBy("band", "value").orderBy("row")
    linked = bands.select(
        "row",
        F.first("row").over(group).alias("leader"),
        *[F.lag("row", back).over(group).alias(f"back{back}") for back in range(1, WINDOW + 1)],
    )
    # The leader (unless the row leads) and each row before: one scan, not a union of five.
    earlier = F.explode(F.array("leader", *[f"back{back}" for back in range(1, WINDOW + 1)])).alias("a")
    pairs = linked.select(earlier, F.col("row").alias("b")).where(F.col("a").isNotNull() & (F.col("a") != F.col("b")))
    pairs = pairs.distinct()  # each candidate pair once
    left = usable.select(F.col("row").alias("a"), F.col("sig").alias("sig_a"))
    right = usable.select(F.col("row").alias("b"), F.col("sig").alias("sig_b"))
    equal = F.size(F.filter(F.zip_with("sig_a", "sig_b", lambda x, y: x == y), lambda same: same))
    scored = pairs.join(left, "a").join(right, "b").select("a", "b", (equal / F.lit(float(NUM_PERM))).alias("similarity"))
    kept = scored.where(F.col("similarity") >= threshold)
    earliest = kept.groupBy("b").agg(F.min(F.struct("a", "similarity")).alias("first"))
    return earliest.select(F.col("b").alias("row"), F.col("first.a").alias("earlier"), F.col("first.similarity").alias("similarity"))


def shared_passages(units: DataFrame, reported: DataFrame) -> DataFrame:
    """(``row``, ``passages``, ``passage_of``) from ``units`` (``row``, ``unit``: its order in the
    row, ``digest``, ``start``, ``end``: ``duplicate.passages``): each passage whose first occurrence
    (the least (row, unit) with its digest: a window over the digest) is in another row, for rows
    not in ``reported`` (``row``: exact or near copies, reported already); ``passages`` in unit order,
    (start, end, first row, first start) each, and ``passage_of`` its first one's first row."""
    origin = F.min(F.struct("row", "unit", "start")).over(Window.partitionBy("digest"))
    later = units.withColumn("origin", origin).where(F.col("origin.row") != F.col("row"))
    later = later.join(reported, "row", "left_anti")
    grouped = later.groupBy("row").agg(
        F.sort_array(F.collect_list(F.struct("unit", "start", "end", F.col("origin.row").alias("of"), F.col("origin.start").alias("of_start")))).alias("found")
    )
    return grouped.select(
        "row",
        F.transform("found", lambda u: F.array(u["start"], u["end"], u["of"], u["of_start"])).alias("passages"),
        F.col("found")[0]["of"].alias("passage_of"),
    )


def duplicate_documents(documents: DataFrame, doc_min_chars: int, threshold: float) -> DataFrame:
    """(``row``, ``doc_dup_of``, ``doc_near_dup_of``, ``doc_near_similarity``) for the first row of
    each file with paragraphs, from ``documents`` (``row``: that first row, ``digests``: every
    paragraph's digest in order, ``length``: the sum of their canonical lengths, ``sig``: the least
    of each signature position). Copies: a window over the digests; near copies: the paragraphs'
    MinHash search over the files at least ``doc_min_chars`` long, kept where no exact copy is."""
    first = F.min("row").over(Window.partitionBy("digests"))
    exact = documents.select("row", F.when(first != F.col("row"), first).alias("doc_dup_of"))
    near = similar_earlier(documents.where(F.col("length") >= doc_min_chars).select("row", "sig"), threshold)
    joined = exact.join(near, "row", "left")
    copy = F.col("doc_dup_of").isNotNull()
    return joined.select(
        "row",
        "doc_dup_of",
        F.when(~copy, F.col("earlier")).alias("doc_near_dup_of"),
        F.when(~copy, F.col("similarity")).alias("doc_near_similarity"),
    )


def template_counts(units: DataFrame, family: DataFrame) -> DataFrame:
    """(``key``, ``template``): in how many files each line's text is (``noise.template_files``), a
    file and its copies counting once: each unit's file mapped to its family (``family``: ``doc_id``,
    ``origin``, for the copies only; a broadcast join), then ``countDistinct`` per key."""
    mapped = units.join(F.broadcast(family), "doc_id", "left").select("key", F.coalesce("origin", "doc_id").alias("file"))
    return mapped.groupBy("key").agg(F.countDistinct("file").alias("template"))
