"""Custom GX 1.x expectations. Importing this module registers them with GX.

Import it before loading a suite that uses them: GX drops an unknown expectation type
with a log line, and ``evaluate._gx_suite`` turns that into an error.
"""

from __future__ import annotations

from typing import ClassVar, Literal, Union

import pandas as pd
from great_expectations.compatibility import pydantic
from great_expectations.core.suite_parameters import SuiteParameterDict
from great_expectations.execution_engine import PandasExecutionEngine
from great_expectations.expectations.expectation import ColumnPairMapExpectation
from great_expectations.expectations.metrics.map_metric_provider import (
    ColumnPairMapMetricProvider,
    column_pair_condition_partial,
)

from .features.name import preferred_spelling


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
