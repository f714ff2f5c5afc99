"""Run the expectation suites over the frames and say which rows fail which expectation.

Two engines give the same outcomes. ``gx`` runs the suites in Great Expectations
(CI, and whenever the full suite must be the judge). ``light`` evaluates the
expectation types our suites use directly over the table's columns, with GX's
semantics, for the pre-commit hook: importing GX alone costs seconds, and pandas half
of one. tests/test_engines.py holds them to the same results on every fixture.

Great Expectations is imported here and only here, and only by the ``gx`` engine,
which alone turns the tables into pandas DataFrames.
"""

from __future__ import annotations

import contextlib
import copy
import ctypes
import gc
import io
import logging
import re
import sys
import warnings
from dataclasses import dataclass

import numpy as np

from .errors import SuiteError
from .frame import Table, rows_in
from .pattern_list import column_bits, found_in_each, searching
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
    """``suite`` as a GX suite, every expectation as written (GX's pandas metric of a pattern
    list is ``gx_expectations.PandasNotMatchRegexList``: each pattern searched where its
    literals occur)."""
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


def validate_batch(source, suite: Suite, gx_suite, dataframe, index_columns: list[str], result_format: str = "COMPLETE"):
    """(batch, result) of ``gx_suite`` over ``dataframe`` as one whole-dataframe batch of the data
    source (pandas or Spark), with every unexpected row named by ``index_columns`` (with
    ``result_format="BOOLEAN_ONLY"``: only whether each expectation passed)."""
    batch = (
        source.add_dataframe_asset(suite.frame)
        .add_batch_definition_whole_dataframe(suite.frame)
        .get_batch(batch_parameters={"dataframe": dataframe})
    )
    return batch, batch.validate(gx_suite, result_format=_result_format(result_format, index_columns))


def _result_format(name: str, index_columns: list[str]) -> dict:
    return {"result_format": name, "unexpected_index_column_names": index_columns, "return_unexpected_index_query": False}


def ephemeral_context(gx):
    """A GX context with no files, no network and no progress bars (call it inside ``_quiet``)."""
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    return context


@contextlib.contextmanager
def let_go_of_gx():
    """Around the making and use of a GX context: what GX made there is let go of at the end.

    GX keeps the last context it made (its ``project_manager``), and with it each batch's
    DataFrame and each validation result; GX's objects hold one another in cycles, which a run
    without the cycle collector (the CLI's) would keep to its end, under the findings it builds
    next. So the context is dropped and the cycles collected, scanning only what was made inside
    (``gc.freeze``), and the C heap's free pages handed back. Nothing inside may keep the
    context past the block (a local of the caller's frame would)."""
    frozen = gc.get_freeze_count() == 0  # a host that froze its own objects keeps them so
    if frozen:
        gc.freeze()
    try:
        yield
    finally:
        from great_expectations.data_context.data_context.context_factory import project_manager

        project_manager.set_project(None)
        gc.collect()
        if frozen:
            gc.unfreeze()
        _trim_heap()


def _trim_heap() -> None:
    """Give the C heap's free pages back to the system: GX's pandas work frees a few hundred
    megabytes of large blocks at 2,000 pages, which glibc keeps for the process unless asked
    (``malloc_trim``, glibc's alone; elsewhere nothing is done)."""
    if not sys.platform.startswith("linux"):
        return
    try:
        ctypes.CDLL(None).malloc_trim(0)
    except (OSError, AttributeError):  # another C library (musl): it keeps what it keeps
        pass


def suites_to_validate(gx, suites: list[Suite], frames: dict[str, Table]):
    """Each suite with expectations and rows to check, as (suite, its GX suite, its frame),
    the frame's columns checked against what the suite reads first: what every GX engine
    validates."""
    for suite in suites:
        frame = frames[suite.frame]
        if not suite.expectations or not len(frame):
            continue
        gx_suite = _gx_suite(gx, suite)
        _check_columns(suite, frame)
        yield suite, gx_suite, frame


def evaluate_with_gx(frames: dict[str, Table], suites: list[Suite], report_paths=None, data_docs=None) -> list[Outcome]:
    """Validate each frame with its suite in an ephemeral GX context (no files, no network).

    With ``data_docs`` (a folder), the results are also written there as GX's own Data Docs site.
    """
    with _quiet():
        import great_expectations as gx

        from . import gx_expectations  # noqa: F401 (registers our expectation types)

        with let_go_of_gx():
            outcomes = _validate(gx, frames, suites, data_docs)
    return outcomes


def _validate(gx, frames: dict[str, Table], suites: list[Suite], data_docs) -> list[Outcome]:
    """Each suite's outcomes, validated in a new ephemeral context; with ``data_docs``, GX's Data
    Docs written there too."""
    outcomes: list[Outcome] = []
    context = ephemeral_context(gx)
    source = context.data_sources.add_pandas("corpus")
    validated = []  # (GX suite, batch, result) for Data Docs
    for suite, gx_suite, frame in suites_to_validate(gx, suites, frames):
        # Only the columns the suite reads: GX hashes every column it is given,
        # and raw text (with undecodable bytes as lone surrogates) is not for it.
        # GX names a failing row by its label in the DataFrame (its row number here) at no
        # cost, but by the values of index columns with two pandas look-ups a row and a
        # column (a third of a GX check of 500 page dumps): those only for Data Docs' pages.
        index_columns = list(suite.index_columns) if data_docs is not None else []
        with searching(pattern_lists(suite)):  # our regex metric (gx_expectations) reads each text once
            batch, result = validate_batch(source, suite, gx_suite, frame.to_pandas(suite.columns), index_columns)
        outcomes.extend(_outcomes(suite, frame, result))
        validated.append((gx_suite, batch, result))
    if data_docs is not None:
        _write_data_docs(context, validated, data_docs)
    return outcomes


DATA_DOCS_SITE = "corpus-validator"


def _escaped(value):
    """``value`` with every string in it HTML-escaped: corpus text is data, in GX's pages too."""
    import html

    if isinstance(value, str):
        return html.escape(value)
    if isinstance(value, dict):
        return {key: _escaped(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_escaped(item) for item in value)
    return value


def _write_data_docs(context, validated, folder) -> None:
    """Store each suite and its result in the context, as a Checkpoint run would, and build
    a filesystem Data Docs site from them in ``folder``."""
    import datetime
    import os

    from great_expectations.core.run_identifier import RunIdentifier
    from great_expectations.data_context.types.resource_identifiers import (
        ExpectationSuiteIdentifier,
        ValidationResultIdentifier,
    )

    from .errors import CorpusValidatorError

    run_id = RunIdentifier(run_name="corpus-validator", run_time=datetime.datetime.now(datetime.timezone.utc))
    for gx_suite, batch, result in validated:
        context.suites.add(gx_suite)
        suite_id = ExpectationSuiteIdentifier(name=gx_suite.name)
        result = copy.deepcopy(result)
        for item in result.results:  # GX's pages put unexpected values into the page as markup
            item.result = _escaped(item.result)
        result.meta["run_id"] = run_id
        result_id = ValidationResultIdentifier(expectation_suite_identifier=suite_id, run_id=run_id, batch_identifier=batch.id)
        context.validation_results_store.store_validation_results(result, result_id, suite_id)
    site = {
        "class_name": "SiteBuilder",
        "store_backend": {"class_name": "TupleFilesystemStoreBackend", "base_directory": os.path.abspath(folder)},
        "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
    }
    try:
        context.add_data_docs_site(DATA_DOCS_SITE, site)
        context.build_data_docs(site_names=[DATA_DOCS_SITE])
    except OSError as exc:
        raise CorpusValidatorError(f"{folder}: cannot write Data Docs: {exc.strerror or exc}") from None


def _check_columns(suite: Suite, frame: Table) -> None:
    missing = [c for c in suite.columns if c not in frame]
    if missing:
        raise SuiteError(f"{suite.source}: no column {', '.join(map(repr, missing))} in the {suite.frame} frame")


def _outcomes(suite: Suite, frame: Table, result) -> list[Outcome]:
    by_code = {spec.code: spec for spec in suite.expectations}
    lookup = None  # index column values -> row, for results that name rows by them
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
        if ids and isinstance(ids[0], dict):  # named by the index columns' values
            if lookup is None:
                lookup = {values: label for label, values in enumerate(zip(*(frame[c] for c in suite.index_columns), strict=True))}
            rows = tuple(lookup[tuple(entry[c] for c in suite.index_columns)] for entry in ids)
        else:  # by their labels: the row numbers of ``frame.to_pandas``
            rows = tuple(int(label) for label in ids)
        outcomes.append(Outcome(by_code[code], suite.frame, rows))
    return outcomes


# ----------------------------------------------------------------------------- light


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and value != value)  # None or NaN, as GX counts them


def _present(values: list, rows) -> list[int]:
    """The rows among ``rows`` whose value is not missing: a string or None decided without a
    call (a paragraph table has millions of them), other values by ``_missing``."""
    if rows == range(len(values)):
        if values.count(None) == len(values):  # a feature column most files leave empty: one pass in C
            return []
        pairs = enumerate(values)
    else:
        pairs = ((r, values[r]) for r in rows)
    return [r for r, v in pairs if v is not None and (type(v) is str or not _missing(v))]


def _null_expectation(frame: Table, rows: list[int], kwargs) -> tuple[list[int], int]:
    # GX's expect_column_values_to_be_null counts missing values as the expected ones.
    return _present(frame[kwargs["column"]], rows), len(rows)


def patterns_of(kwargs) -> tuple[str, ...]:
    """The patterns of a regex expectation: its ``regex_list``, or its one ``regex``."""
    return tuple(kwargs.get("regex_list") or [kwargs["regex"]])


def pattern_lists(suite: Suite) -> list[tuple[str, ...]]:
    """The pattern lists of the suite's regex expectations, searched together (``searching``):
    every text is read once for all of them."""
    return [
        patterns_of(spec.kwargs) for spec in suite.expectations
        if spec.type in REGEX_EXPECTATIONS and (spec.kwargs.get("regex_list") or spec.kwargs.get("regex"))
    ]  # fmt: skip


def _regex_expectation(frame: Table, rows: list[int], kwargs) -> tuple[list[int], int]:
    # Map expectations skip missing values; GX matches with str.contains (re.search).
    values = frame[kwargs["column"]]
    patterns = patterns_of(kwargs)
    # Every row: the column's bits for all the suite's lists, worked out once, answer each list.
    whole = column_bits(patterns, values, _missing) if rows == range(len(values)) else None
    if whole is not None:
        bits, bit, present = whole
        return np.flatnonzero(bits & bit).tolist(), present
    present = _present(values, rows)
    found = found_in_each(patterns, [values[r] for r in present])
    matched = [r for r, hit in zip(present, found, strict=True) if hit]
    return matched, len(present)


def _numbers(values: list) -> np.ndarray | None:
    """``values`` as an array when every one is an int (int64) or every one a float (float64;
    NaN: missing): compared exactly as Python compares them. Else None (a mix of ints and
    floats would round large ints)."""
    try:
        array = np.array(values)
    except (ValueError, OverflowError):
        return None
    if array.ndim != 1 or array.dtype not in (np.int64, np.float64):
        return None
    if array.dtype == np.float64 and not all(isinstance(v, float) for v in values):
        return None
    return array


def _between_expectation(frame: Table, rows: list[int], kwargs) -> tuple[list[int], int]:
    # GX skips missing values; a value outside [min_value, max_value] (bounds excluded when
    # strict_min / strict_max) is unexpected; a bound left out (None) does not bind.
    values = frame[kwargs["column"]]
    low, high = kwargs.get("min_value"), kwargs.get("max_value")
    if low is None and high is None:
        raise ValueError("expect_column_values_to_be_between needs min_value or max_value")
    strict_min, strict_max = bool(kwargs.get("strict_min", False)), bool(kwargs.get("strict_max", False))
    numbers = _numbers(values) if rows == range(len(values)) else None
    if numbers is not None:  # a column of numbers (a score, a count): compared as an array
        present = ~np.isnan(numbers) if numbers.dtype.kind == "f" else np.ones(len(numbers), dtype=bool)
        out = np.zeros(len(numbers), dtype=bool)
        if low is not None:
            out |= numbers <= low if strict_min else numbers < low
        if high is not None:
            out |= numbers >= high if strict_max else numbers > high
        return np.flatnonzero(out & present).tolist(), int(present.sum())
    present = _present(values, rows)

    def outside(value) -> bool:
        if low is not None and (value <= low if strict_min else value < low):
            return True
        return high is not None and (value >= high if strict_max else value > high)

    return [r for r in present if outside(values[r])], len(present)


def _one_spelling_expectation(frame: Table, rows: list[int], kwargs) -> tuple[list[int], int]:
    from .features.name import preferred_spelling

    a, b = frame[kwargs["column_A"]], frame[kwargs["column_B"]]
    ignore = kwargs.get("ignore_row_if", "either_value_is_missing")
    if ignore == "either_value_is_missing":
        present = [r for r in rows if not _missing(a[r]) and not _missing(b[r])]
    elif ignore == "both_values_are_missing":
        present = [r for r in rows if not _missing(a[r]) or not _missing(b[r])]
    else:
        present = list(rows)
    kept_b = [b[r] for r in present]
    preferred = preferred_spelling([a[r] for r in present], kept_b)
    return [r for r, value, best in zip(present, kept_b, preferred, strict=True) if value != best], len(present)


def _one_spelling_reported(frame: Table, reported: list[int], kwargs) -> tuple[list[int], int]:
    """``_one_spelling_expectation``'s unexpected rows among ``reported`` (a pre-commit run's
    files): a key's preferred spelling counts the rows of that key only, so the other rows of
    the corpus are read for the keys the reported rows have, not all of them. The total is
    not the whole frame's: callers use it only without ``mostly``."""
    a = frame[kwargs["column_A"]]
    keys = {a[r] for r in reported if not _missing(a[r])}
    rows = [r for r, key in enumerate(a) if key in keys] if keys else []
    unexpected, total = _one_spelling_expectation(frame, rows, kwargs)
    wanted = set(reported)
    return [r for r in unexpected if r in wanted], total


#: Expectations whose verdict on a row depends on that row alone: with ``report_paths``
#: the light engine evaluates them on the reported files' rows only.
ROW_LOCAL = {
    "expect_column_values_to_be_null",
    "expect_column_values_to_not_match_regex_list",
    "expect_column_values_to_not_match_regex",
    "expect_column_values_to_be_between",
}

REGEX_EXPECTATIONS = {"expect_column_values_to_not_match_regex_list", "expect_column_values_to_not_match_regex"}

LIGHT_EXPECTATIONS = {
    "expect_column_values_to_be_null": _null_expectation,
    "expect_column_values_to_not_match_regex_list": _regex_expectation,
    "expect_column_values_to_not_match_regex": _regex_expectation,
    "expect_column_values_to_be_between": _between_expectation,
    "expect_column_pair_values_to_have_one_spelling_per_key": _one_spelling_expectation,
}


def evaluate_light(frames: dict[str, Table], suites: list[Suite], report_paths: set[str] | None = None) -> list[Outcome]:
    """The same outcomes as ``evaluate_with_gx`` for the expectation types in ``LIGHT_EXPECTATIONS``.

    With ``report_paths``, rows of other files are not reported, so row-local
    expectations skip them (``mostly`` needs every row, so it keeps them).
    """
    outcomes: list[Outcome] = []
    for suite in suites:
        whole = frames[suite.frame]
        if not suite.expectations or not len(whole):
            continue
        _check_columns(suite, whole)
        every_row = range(len(whole))
        reported = every_row if report_paths is None else rows_in(whole["path"], report_paths)
        with searching(pattern_lists(suite)):
            outcomes.extend(_light_outcomes(suite, whole, reported, every_row, report_paths))
    return outcomes


def _light_outcomes(suite: Suite, whole: Table, reported, every_row, report_paths) -> list[Outcome]:
    """The outcomes of one suite's expectations over its frame ``whole``."""
    outcomes = []
    for spec in suite.expectations:
        evaluate = LIGHT_EXPECTATIONS.get(spec.type)
        if evaluate is None:
            raise SuiteError(
                f"{suite.source}: the light engine does not evaluate {spec.type} ({spec.code}); use --engine gx"
            )
        local = spec.type in ROW_LOCAL and "mostly" not in spec.kwargs
        if report_paths is not None and evaluate is _one_spelling_expectation and "mostly" not in spec.kwargs:
            evaluate, local = _one_spelling_reported, True  # the reported rows' keys only
        try:
            unexpected, total = evaluate(whole, reported if local else every_row, spec.kwargs)
        except (KeyError, TypeError, ValueError, re.error) as exc:
            raise SuiteError(f"{suite.source}: expectation for {spec.code} could not run: {exc}") from None
        mostly = spec.kwargs.get("mostly")
        if not unexpected or (mostly is not None and total and 1 - len(unexpected) / total >= mostly):
            continue
        outcomes.append(Outcome(spec, suite.frame, tuple(unexpected)))
    return outcomes


def evaluate_with_spark(frames: dict[str, Table], suites: list[Suite], report_paths=None, master: str | None = None) -> list[Outcome]:
    """The ``gx`` engine's outcomes, with GX's Spark data source validating (``validators/spark.py``)."""
    from .spark import evaluate_with_spark as on_spark  # pyspark is imported only when this engine runs

    return on_spark(frames, suites, report_paths, master)


ENGINES = {"gx": evaluate_with_gx, "light": evaluate_light, "spark": evaluate_with_spark}
