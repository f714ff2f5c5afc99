"""The suites in expectations/: every rule runs, GX accepts every expectation, errors are clear."""

import json
import sys

import pytest

from conftest import REPO
from validators.errors import SuiteError
from validators.evaluate import _gx_suite
from validators.rules import RULES
from validators.suite import load_suites, parse_suite


def test_every_rule_is_run_by_exactly_one_expectation():
    codes = [e.code for s in load_suites(REPO / "expectations") for e in s.expectations]
    assert sorted(codes) == sorted(code for code, rule in RULES.items() if rule.builtin)  # file-level rules too


def test_gx_loads_every_expectation_of_every_suite():
    import great_expectations as gx

    from validators import gx_expectations  # noqa: F401 (registers our expectation type, as the gx engine does)

    for suite in load_suites(REPO / "expectations"):
        assert len(_gx_suite(gx, suite).expectations) == len(suite.expectations)
        raw = json.loads((REPO / "expectations" / f"{suite.frame}.json").read_text())
        assert len(raw["expectations"]) == len(suite.expectations)


def test_expectation_gx_rejects_is_an_error_not_a_silent_drop():
    text = json.dumps({
        "name": "p", "meta": {"frame": "paragraphs", "index_columns": ["doc_id", "para"]},
        "expectations": [{"type": "expect_column_values_to_be_null", "kwargs": {"colum": "dup_of"}, "meta": {"code": "DU001"}}],
    })  # fmt: skip
    with pytest.raises(SuiteError, match="kwargs needs column"):  # refused at load, before either engine
        parse_suite("test.json", text)


@pytest.mark.parametrize(
    "expectation, message",
    [
        ({"type": "expect_column_values_to_be_null", "kwargs": {"column": "x"}, "meta": {"code": "ZZ001"}}, "not a known rule"),
        ({"type": "expect_column_values_to_be_null", "kwargs": {"column": "x"}, "meta": {"code": "NM001"}}, "works on mentions"),
        ({"type": "expect_column_values_to_be_null", "kwargs": {"column": "x"}, "meta": {"code": "DU001"}, "severity": "fatal"}, "severity must be"),
        ({"kwargs": {}}, "needs a 'type'"),
        ({"type": "expect_column_values_to_be_null", "kwargs": {"column": "x", "mostly": "abc"}, "meta": {"code": "DU001"}}, "mostly must be a number from 0 to 1, not 'abc'"),
        ({"type": "expect_column_values_to_be_null", "kwargs": {"column": "x", "mostly": 2}, "meta": {"code": "DU001"}}, "mostly must be a number from 0 to 1, not 2"),
        ({"type": "expect_column_values_to_be_null", "kwargs": {"column": "x", "colour": 1}, "meta": {"code": "DU001"}}, "unknown kwarg.s. colour"),
        ({"type": "expect_column_values_to_not_match_regex_list", "kwargs": {"column": "text", "regex_list": "Sign up"}, "meta": {"code": "BP001"}}, "regex_list must be a list of regular expressions, not 'Sign up'"),
        ({"type": "expect_column_values_to_not_match_regex_list", "kwargs": {"column": "text", "regex_list": ["(a+)+$"]}, "meta": {"code": "BP001"}}, "'.a\\+.\\+\\$' can take exponential time"),
        ({"type": "expect_column_values_to_not_match_regex_list", "kwargs": {"column": "text", "regex_list": ["(open"]}, "meta": {"code": "BP001"}}, "is not a valid regular expression"),
        ({"type": "expect_column_values_to_be_null", "kwargs": {"column": "text"}, "meta": {"code": "BP001"}}, "rule BP001 points at what a pattern matched; expect_column_values_to_be_null has no patterns"),
        ({"type": "expect_column_values_to_be_unique", "kwargs": {"column": "text"}, "meta": {"code": "DU001"}}, "unknown expectation type 'expect_column_values_to_be_unique'"),
        ({"type": "expect_column_values_to_be_null", "kwargs": ["column", "x"], "meta": {"code": "DU001"}}, "kwargs must be an object, not list"),
        ({"type": "expect_column_values_to_be_null", "kwargs": {"column": "x"}, "meta": ["DU001"]}, "meta must be an object, not list"),
        ({"type": "expect_column_values_to_be_null", "kwargs": {"column": "text"}, "meta": {"code": "DU001"}}, "rule DU001 reads dup_of; its expectation must check that, not text"),
        ({"type": "expect_column_values_to_be_between", "kwargs": {"column": "noise_score", "max_value": float("nan")}, "meta": {"code": "BP100"}}, "max_value must be a finite number, not nan"),
        ({"type": "expect_column_values_to_be_between", "kwargs": {"column": "noise_score", "max_value": 10**400}, "meta": {"code": "BP100"}}, "max_value must be a finite number"),
        ({"type": "expect_column_values_to_be_between", "kwargs": {"column": "noise_score", "min_value": 5, "max_value": 2}, "meta": {"code": "BP100"}}, "min_value 5 is above max_value 2"),
    ],
)
def test_suite_problems_are_named(expectation, message):
    text = json.dumps({"name": "p", "meta": {"frame": "paragraphs", "index_columns": ["doc_id", "para"]}, "expectations": [expectation]})
    with pytest.raises(SuiteError, match=message):
        parse_suite("test.json", text)


def test_a_rule_has_one_expectation_in_a_suite():
    """Two for one code: GX's results name a rule by its code, so one of the two lent the other its
    level and patterns (a BP001 error reported as a warning, and the gate passed)."""
    first = {"type": "expect_column_values_to_not_match_regex_list", "kwargs": {"column": "text", "regex_list": ["(?i)^share this\\b"]}, "meta": {"code": "BP001"}}
    second = {**first, "kwargs": {"column": "text", "regex_list": ["(?i)^press release\\b"]}, "severity": "warning"}
    suite = {"name": "p", "meta": {"frame": "paragraphs", "index_columns": ["doc_id", "para"]}, "expectations": [first, second]}
    with pytest.raises(SuiteError, match="expectation 1: rule BP001 already has expectation 0; a rule has one expectation"):
        parse_suite("test.json", json.dumps(suite))
    assert len(parse_suite("test.json", json.dumps({**suite, "expectations": [first]})).expectations) == 1


def _spark_gateway() -> set:
    """The address of the JVM that a Spark session of this test process runs (the Spark tests
    keep one for the whole session): py4j connects to it from any thread, and from the
    collector when a Java object's Python side goes, whatever test is running then."""
    pyspark = sys.modules.get("pyspark")
    gateway = pyspark.SparkContext._gateway if pyspark is not None else None
    if gateway is None:
        return set()
    return {(address, gateway.gateway_parameters.port) for address in ("127.0.0.1", "localhost", "::1")}


def test_gx_makes_no_network_connection(run, monkeypatch):
    import socket

    attempts = []
    spark = _spark_gateway()

    def refuse(self, address, *args):
        if tuple(address[:2]) not in spark:
            attempts.append(address)
        raise OSError("network use is not allowed in this test")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    report = run({"a.txt": "Sign up for our daily newsletter\n"})
    assert [f.code for f in report.findings] == ["BP001"]
    assert attempts == []


@pytest.mark.parametrize(
    "meta, message",
    [
        ({"frame": "paragraphs", "index_columns": "path"}, "index_columns must be a list of column names"),
        ({"frame": "paragraphs"}, "index_columns must be a list of column names"),
        (["paragraphs"], "meta must be an object, not list"),
    ],
)
def test_suite_meta_problems_are_named(meta, message):
    text = json.dumps({"name": "p", "meta": meta, "expectations": []})
    with pytest.raises(SuiteError, match=message):
        parse_suite("test.json", text)
