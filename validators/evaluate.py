"""Run the expectation suites over the frames and say which rows fail which expectation.

Two engines give the same outcomes. ``gx`` runs the suites in Great Expectations
(CI, and whenever the full suite must be the judge). ``light`` evaluates the
expectation types our suites use directly in pandas, with GX's semantics, for the
pre-commit hook: importing GX alone costs seconds. tests/test_engines.py holds them
to the same results on every fixture.

Great Expectations is imported here and only here, and only by the ``gx`` engine.
"""

from __future__ import annotations

import contextlib
import io
import logging
import re
import warnings
from dataclasses import dataclass

import pandas as pd

from .errors import SuiteError
from .suite import ExpectationSpec, Suite


@dataclass(frozen=True)
class Outcome:
    spec: ExpectationSpec
    frame: str
    rows: tuple  # labels, in the frame, of the rows that failed


@contextlib.contextmanager
def _quiet():
    """GX logs, warns and prints; none of it may reach our output."""
    logger = logging.getLogger("great_expectations")
    level, propagate = logger.level, logger.propagate
    logger.setLevel(logging.CRITICAL + 1)
    logger.propagate = False
    sink = io.StringIO()
    try:
        with warnings.catch_warnings(), contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):
            warnings.simplefilter("ignore")
            yield
    finally:
        logger.setLevel(level)
        logger.propagate = propagate


def _gx_suite(gx, suite: Suite):
    from great_expectations.core.expectation_suite import ExpectationSuite

    try:
        gx_suite = ExpectationSuite(name=suite.name, expectations=[e.to_gx() for e in suite.expectations])
    except Exception as exc:  # GX raises pydantic's errors for bad kwargs
        reason = " ".join(str(exc).split())
        raise SuiteError(f"{suite.source}: GX rejected the expectation(s): {reason}") from None
    if len(gx_suite.expectations) != len(suite.expectations):
        # GX drops an invalid expectation with a log line only; a dropped rule must not pass silently.
        kept = {e.meta.get("code") for e in gx_suite.expectations}
        lost = [e.code for e in suite.expectations if e.code not in kept]
        raise SuiteError(f"{suite.source}: GX rejected the expectation(s) for {', '.join(lost)}; check their type and kwargs")
    return gx_suite


def evaluate_with_gx(frames: dict[str, pd.DataFrame], suites: list[Suite], report_paths=None) -> list[Outcome]:
    """Validate each frame with its suite in an ephemeral GX context (no files, no network)."""
    with _quiet():
        import great_expectations as gx
        from great_expectations.data_context.types.base import ProgressBarsConfig

        from . import gx_expectations  # noqa: F401 (registers our expectation types)

        context = gx.get_context(mode="ephemeral")
        context.variables.progress_bars = ProgressBarsConfig(globally=False)
        source = context.data_sources.add_pandas("corpus")
        outcomes: list[Outcome] = []
        for suite in suites:
            frame = frames[suite.frame]
            if not suite.expectations or frame.empty:
                continue
            gx_suite = _gx_suite(gx, suite)
            missing = [c for c in suite.columns if c not in frame.columns]
            if missing:
                raise SuiteError(f"{suite.source}: no column {', '.join(map(repr, missing))} in the {suite.frame} frame")
            # Only the columns the suite reads: GX hashes every column it is given,
            # and raw text (with undecodable bytes as lone surrogates) is not for it.
            view = frame[suite.columns]
            batch = (
                source.add_dataframe_asset(suite.frame)
                .add_batch_definition_whole_dataframe(suite.frame)
                .get_batch(batch_parameters={"dataframe": view})
            )
            result = batch.validate(
                gx_suite,
                result_format={
                    "result_format": "COMPLETE",
                    "unexpected_index_column_names": list(suite.index_columns),
                    "return_unexpected_index_query": False,
                },
            )
            outcomes.extend(_outcomes(suite, frame, result))
    return outcomes


def _outcomes(suite: Suite, frame: pd.DataFrame, result) -> list[Outcome]:
    by_code = {spec.code: spec for spec in suite.expectations}
    lookup = dict(zip(map(tuple, frame[list(suite.index_columns)].itertuples(index=False)), frame.index))
    outcomes = []
    for item in result.results:
        code = item.expectation_config.meta["code"]
        info = item.exception_info or {}
        failures = [v for v in info.values() if isinstance(v, dict) and v.get("raised_exception")]
        if info.get("raised_exception") or failures:
            message = (failures[0] if failures else info).get("exception_message")
            raise SuiteError(f"{suite.source}: expectation for {code} could not run: {message}")
        if item.success:
            continue
        ids = item.result.get("unexpected_index_list") or []
        rows = tuple(lookup[tuple(entry[c] for c in suite.index_columns)] for entry in ids)
        outcomes.append(Outcome(by_code[code], suite.frame, rows))
    return outcomes


# ----------------------------------------------------------------------------- light


def _null_expectation(frame, kwargs):
    # GX's expect_column_values_to_be_null counts missing values as the expected ones.
    values = frame[kwargs["column"]]
    return values.notna(), pd.Series(True, index=frame.index)


def _regex_expectation(frame, kwargs):
    # Map expectations skip missing values; GX matches with str.contains (re.search).
    values = frame[kwargs["column"]]
    present = values.notna()
    patterns = kwargs.get("regex_list") or [kwargs["regex"]]
    strings = values[present].astype(str)
    matched = pd.Series(False, index=strings.index)
    with warnings.catch_warnings():  # pandas warns that groups are not extracted: we do not want them
        warnings.filterwarnings("ignore", "This pattern is interpreted as a regular expression", UserWarning)
        for pattern in patterns:
            matched |= strings.str.contains(pattern)
    return matched.reindex(frame.index, fill_value=False), present


def _one_spelling_expectation(frame, kwargs):
    from .features.name import preferred_spelling

    a, b = frame[kwargs["column_A"]], frame[kwargs["column_B"]]
    ignore = kwargs.get("ignore_row_if", "either_value_is_missing")
    if ignore == "either_value_is_missing":
        present = a.notna() & b.notna()
    elif ignore == "both_values_are_missing":
        present = a.notna() | b.notna()
    else:
        present = pd.Series(True, index=frame.index)
    kept_a, kept_b = a[present], b[present]
    unexpected = kept_b != preferred_spelling(kept_a, kept_b)
    return unexpected.reindex(frame.index, fill_value=False), present


#: Expectations whose verdict on a row depends on that row alone: with ``report_paths``
#: the light engine evaluates them on the reported files' rows only.
ROW_LOCAL = {
    "expect_column_values_to_be_null",
    "expect_column_values_to_not_match_regex_list",
    "expect_column_values_to_not_match_regex",
}

LIGHT_EXPECTATIONS = {
    "expect_column_values_to_be_null": _null_expectation,
    "expect_column_values_to_not_match_regex_list": _regex_expectation,
    "expect_column_values_to_not_match_regex": _regex_expectation,
    "expect_column_pair_values_to_have_one_spelling_per_key": _one_spelling_expectation,
}


def evaluate_light(
    frames: dict[str, pd.DataFrame], suites: list[Suite], report_paths: set[str] | None = None
) -> list[Outcome]:
    """The same outcomes as ``evaluate_with_gx`` for the expectation types in ``LIGHT_EXPECTATIONS``.

    With ``report_paths``, rows of other files are not reported, so row-local
    expectations skip them (``mostly`` needs every row, so it keeps them).
    """
    outcomes: list[Outcome] = []
    for suite in suites:
        whole = frames[suite.frame]
        if not suite.expectations or whole.empty:
            continue
        reported = whole if report_paths is None else whole[whole["path"].isin(report_paths)]
        missing = [c for c in suite.columns if c not in whole.columns]
        if missing:
            raise SuiteError(f"{suite.source}: no column {', '.join(map(repr, missing))} in the {suite.frame} frame")
        for spec in suite.expectations:
            evaluate = LIGHT_EXPECTATIONS.get(spec.type)
            if evaluate is None:
                raise SuiteError(
                    f"{suite.source}: the light engine does not evaluate {spec.type} ({spec.code}); use --engine gx"
                )
            local = spec.type in ROW_LOCAL and "mostly" not in spec.kwargs
            try:
                unexpected, counted = evaluate(reported if local else whole, spec.kwargs)
            except (KeyError, TypeError, ValueError, re.error) as exc:
                raise SuiteError(f"{suite.source}: expectation for {spec.code} could not run: {exc}") from None
            rows = tuple(unexpected.index[unexpected.to_numpy(dtype=bool)])
            mostly = spec.kwargs.get("mostly")
            total = int(counted.sum())
            if not rows or (mostly is not None and total and 1 - len(rows) / total >= mostly):
                continue
            outcomes.append(Outcome(spec, suite.frame, rows))
    return outcomes


ENGINES = {"gx": evaluate_with_gx, "light": evaluate_light}
