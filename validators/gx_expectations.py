"""Custom GX 1.x expectations, and our pandas metrics of GX's regex expectations. Importing
this module registers them with GX.

Import it before loading a suite that uses them: GX drops an unknown expectation type
with a log line, and ``evaluate._gx_suite`` turns that into an error.

The regex expectations (``expect_column_values_to_not_match_regex_list`` and ``..._regex``)
stay GX's; their pandas metric is ours: the same ``re.search`` verdicts, each pattern searched
only where its required literals occur (``pattern_list.found_in_each``, as the light engine
and the spark engine's UDF search them).
"""

from __future__ import annotations

from typing import ClassVar, Literal, Union

import pandas as pd
from great_expectations.compatibility import pydantic
from great_expectations.core.suite_parameters import SuiteParameterDict
from great_expectations.execution_engine import PandasExecutionEngine
from great_expectations.expectations.expectation import ColumnPairMapExpectation
from great_expectations.expectations.metrics.map_metric_provider import (
    ColumnMapMetricProvider,
    ColumnPairMapMetricProvider,
    column_condition_partial,
    column_pair_condition_partial,
)

from .features.name import preferred_spelling
from .pattern_list import found_in_each


class ColumnPairValuesOneSpellingPerKey(ColumnPairMapMetricProvider):
    """True where column B holds the most common value of B among the rows sharing column A."""

    condition_metric_name = "column_pair_values.one_spelling_per_key"
    condition_domain_keys = (
        "batch_id",
        "table",
        "column_A",
        "column_B",
        "row_condition",
        "condition_parser",
        "ignore_row_if",
    )
    condition_value_keys = ()

    @column_pair_condition_partial(engine=PandasExecutionEngine)
    def _pandas(cls, column_A, column_B, **kwargs):  # noqa: N803 (GX's argument names)
        preferred = preferred_spelling(column_A.tolist(), column_B.tolist())
        return column_B == pd.Series(preferred, index=column_B.index, dtype=object)


def _not_matching(column: pd.Series, patterns: tuple[str, ...]) -> pd.Series:
    """True where none of ``patterns`` is found in the value (``re.search`` on ``str(value)``, as
    GX's own pandas metric searches; ``pattern_list.found_in_each``). GX's own turns the column
    into Arrow strings once per pattern and, for a pattern Arrow's RE2 cannot take (our length
    caps are look-aheads), back into Python strings to search them: most of a GX check's
    evaluation."""
    return ~pd.Series(found_in_each(patterns, column), index=column.index, dtype=bool)


class PandasNotMatchRegexList(ColumnMapMetricProvider):
    """The pandas metric of GX's ``expect_column_values_to_not_match_regex_list``, the same verdicts (``_not_matching``)."""

    condition_metric_name = "column_values.not_match_regex_list"
    condition_value_keys = ("regex_list",)

    @column_condition_partial(engine=PandasExecutionEngine)
    def _pandas(cls, column, regex_list, **kwargs):
        return _not_matching(column, tuple(regex_list))


class PandasNotMatchRegex(ColumnMapMetricProvider):
    """The pandas metric of GX's ``expect_column_values_to_not_match_regex``, the same verdicts (``_not_matching``)."""

    condition_metric_name = "column_values.not_match_regex"
    condition_value_keys = ("regex",)

    @column_condition_partial(engine=PandasExecutionEngine)
    def _pandas(cls, column, regex, **kwargs):
        return _not_matching(column, (regex,))


class ExpectColumnPairValuesToHaveOneSpellingPerKey(ColumnPairMapExpectation):
    """Expect every key in column A to be written one way in column B.

    Over the mentions frame, column A is a name's variant key (case, hyphens, spaces,
    dots and diacritics folded) and column B its spelling. A key written several ways
    is one name spelled inconsistently; the rows that differ from the key's most common
    spelling (the first seen on a tie) are unexpected.

    Bad (``key``, ``surface``):
        ("kimjongun", "Kim Jong Un"), ("kimjongun", "Kim Jong Un"), ("kimjongun", "Kim Jong-un")
        -> the third row is unexpected
    Good:
        ("kimjongun", "Kim Jong Un") everywhere; ("kimjongil", "Kim Jong Il") is another key

    Rows where either value is missing are ignored by default: the registry governs those names.
    """

    ignore_row_if: Union[
        Literal["both_values_are_missing", "either_value_is_missing", "neither"],
        SuiteParameterDict,
    ] = pydantic.Field(default="either_value_is_missing")

    library_metadata: ClassVar[dict] = {"maturity": "experimental", "tags": ["corpus-validator"]}
    map_metric = "column_pair_values.one_spelling_per_key"
    success_keys = ("column_A", "column_B", "ignore_row_if", "mostly")
    args_keys = ("column_A", "column_B")
