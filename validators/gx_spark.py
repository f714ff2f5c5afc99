"""Spark implementations of the GX metrics whose Spark meaning would differ from the other engines'.

Importing this module (``validators.spark`` does, and only it) registers them with GX:

- ``column_pair_values.one_spelling_per_key`` (our ``expect_column_pair_values_to_have_one_spelling_per_key``),
  which GX has no Spark implementation for: the key's preferred spelling is computed once per key by
  a grouped pandas UDF over a window partitioned by the key, with the same Python function as the
  pandas and light engines (``features.name.most_common_spelling``).
- ``column_values.not_match_regex_list`` and ``column_values.not_match_regex``: GX's own Spark
  implementation uses ``rlike``, Java's regex engine, where ``\\w``, ``\\W``, ``\\b``, ``\\s``, ``.``, ``$``
  and case-folding mean other things than in Python (``\\W`` is ASCII-only there: it matches a
  fullwidth letter). The suite's patterns are written for, and checked against, Python's ``re``
  (``safe_regex``), so on Spark they are evaluated with ``re`` too, in a pandas UDF: parity by
  construction, not by translation.

Strings holding undecodable bytes reach Spark as their ``surrogatepass`` bytes (``validators.spark``);
both UDFs decode them back, so they see exactly the string the other engines see.
"""

from __future__ import annotations

import pandas as pd
from great_expectations.compatibility import pyspark
from great_expectations.compatibility.pyspark import functions as F  # noqa: N812 (GX's own spelling)
from great_expectations.execution_engine import SparkDFExecutionEngine
from great_expectations.expectations.metrics.map_metric_provider import (
    ColumnMapMetricProvider,
    ColumnPairMapMetricProvider,
    column_condition_partial,
    column_pair_condition_partial,
)
from great_expectations.expectations.metrics.metric_provider import MetricPartialFunctionTypes

from .gx_expectations import ColumnPairValuesOneSpellingPerKey
from .spark import any_match, preferred_bytes


def _preferred_udf():
    @F.pandas_udf("binary")
    def preferred(surfaces: pd.Series) -> bytes | None:
        """The key's most common spelling (its bytes), or null when the most common spellings tie."""
        return preferred_bytes(surfaces)

    return preferred


class SparkOneSpellingPerKey(ColumnPairMapMetricProvider):
    """The Spark side of ``gx_expectations.ColumnPairValuesOneSpellingPerKey`` (same metric name)."""

    condition_metric_name = ColumnPairValuesOneSpellingPerKey.condition_metric_name
    condition_domain_keys = ColumnPairValuesOneSpellingPerKey.condition_domain_keys
    condition_value_keys = ColumnPairValuesOneSpellingPerKey.condition_value_keys

    @column_pair_condition_partial(engine=SparkDFExecutionEngine, partial_fn_type=MetricPartialFunctionTypes.WINDOW_CONDITION_FN)
    def _spark(cls, column_A, column_B, **kwargs):  # noqa: N803 (GX's argument names)
        # Compared as bytes, so a spelling with undecodable bytes is compared exactly too.
        surface = column_B.cast("binary")
        preferred = _preferred_udf()(surface).over(pyspark.Window.partitionBy(column_A))
        # On a tie no spelling is preferred: every row of the key is unexpected (null is not "expected").
        return F.coalesce(surface == preferred, F.lit(False))


def _matches_udf(patterns: list[str]):
    @F.pandas_udf("boolean")
    def matches(values: pd.Series) -> pd.Series:
        return pd.Series(any_match(patterns, values), dtype=object)

    return matches


class SparkNotMatchRegexList(ColumnMapMetricProvider):
    condition_metric_name = "column_values.not_match_regex_list"
    condition_value_keys = ("regex_list",)

    @column_condition_partial(engine=SparkDFExecutionEngine)
    def _spark(cls, column, regex_list, **kwargs):
        return ~_matches_udf(list(regex_list))(column)


class SparkNotMatchRegex(ColumnMapMetricProvider):
    condition_metric_name = "column_values.not_match_regex"
    condition_value_keys = ("regex",)

    @column_condition_partial(engine=SparkDFExecutionEngine)
    def _spark(cls, column, regex, **kwargs):
        return ~_matches_udf([regex])(column)
