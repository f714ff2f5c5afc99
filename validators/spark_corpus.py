"""Corpus steps as Spark operations: the duplicate family's exact and near-duplicate search.

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


def near_duplicates(paragraphs: DataFrame, min_chars: int, threshold: float) -> DataFrame:
    """(``row``, ``near_dup_of``, ``near_dup_similarity``) for each row with an earlier row at least
    ``threshold`` similar (estimated Jaccard), among the rows long enough that are not exact copies."""
    usable = exact_duplicates(paragraphs, min_chars).where(F.col("dup_key").isNotNull() & F.col("dup_of").isNull())
    usable = usable.select("row", "sig")
    bands = usable.select(
        "row", F.posexplode(F.array(*[F.slice("sig", band * ROWS + 1, ROWS) for band in range(BANDS)])).alias("band", "value")
    )
    group = Window.partitionBy("band", "value").orderBy("row")
    linked = bands.select(
        "row",
        F.first("row").over(group).alias("leader"),
        *[F.lag("row", back).over(group).alias(f"back{back}") for back in range(1, WINDOW + 1)],
    )
    pairs = linked.where(F.col("leader") != F.col("row")).select(F.col("leader").alias("a"), F.col("row").alias("b"))
    for back in range(1, WINDOW + 1):
        pairs = pairs.union(linked.where(F.col(f"back{back}").isNotNull()).select(F.col(f"back{back}").alias("a"), F.col("row").alias("b")))
    pairs = pairs.distinct()  # each candidate pair once
    left = usable.select(F.col("row").alias("a"), F.col("sig").alias("sig_a"))
    right = usable.select(F.col("row").alias("b"), F.col("sig").alias("sig_b"))
    equal = F.size(F.filter(F.zip_with("sig_a", "sig_b", lambda x, y: x == y), lambda same: same))
    scored = pairs.join(left, "a").join(right, "b").select("a", "b", (equal / F.lit(float(NUM_PERM))).alias("similarity"))
    kept = scored.where(F.col("similarity") >= threshold)
    earliest = kept.groupBy("b").agg(F.min(F.struct("a", "similarity")).alias("first"))
    return earliest.select(
        F.col("b").alias("row"), F.col("first.a").alias("near_dup_of"), F.col("first.similarity").alias("near_dup_similarity")
    )
