"""The light engine (no GX import) gives exactly the findings GX gives, on every fixture."""

import json
import re
import subprocess
import sys

import pytest

from conftest import REPO, SEEDS, write_corpus
from test_rules import CASE_SETTINGS, CASES, PATTERN_FORMS, STORY, in_the_story
from validators.config import Config
from validators.evaluate import evaluate_light, evaluate_with_gx
from validators.pattern_list import AnyOf, alternations
from validators.frame import Table
from validators.pipeline import check
from validators.suite import parse_suite

FTFY_CASES = json.loads((REPO / "tests" / "fixtures" / "ftfy" / "test_cases.json").read_text(encoding="utf-8"))


def findings(folder, engine, **settings):
    return [f.to_dict() for f in check([folder], Config(root=REPO, engine=engine, **settings)).findings]


@pytest.mark.parametrize("folder", [SEEDS, REPO / "tests" / "fixtures" / "names" / "corpus"], ids=["seeds", "names"])
def test_same_findings_on_the_fixture_corpora(folder):
    assert findings(folder, "light") == findings(folder, "gx")


def test_gx_names_the_same_failing_rows_by_label_and_by_index_columns_for_data_docs(tmp_path):
    """GX names a failing row by its DataFrame label (fast), or, for Data Docs' pages, by the
    values of the suite's index columns: the rows, and so the findings, are the same."""
    names = REPO / "tests" / "fixtures" / "names" / "corpus"
    for folder in (SEEDS, names):
        by_label = findings(folder, "gx", cache=False)
        assert by_label and findings(folder, "gx", cache=False, data_docs=tmp_path / folder.name) == by_label


def test_same_findings_on_every_rule_example(tmp_path):
    for code, examples in CASES.items():
        for n, files in enumerate(examples):
            folder = write_corpus(tmp_path / f"{code}-{n}", files)
            settings = CASE_SETTINGS.get(code, {})
            assert findings(folder, "light", **settings) == findings(folder, "gx", **settings), (code, n)


def test_same_findings_on_every_general_form_of_furniture(tmp_path):
    lines = [line for _, _, furniture, story in PATTERN_FORMS for line in (furniture, story)]
    folder = write_corpus(tmp_path / "forms", {f"{n:03d}.txt": in_the_story(line)["a.txt"] for n, line in enumerate(lines)})
    assert findings(folder, "light", select=["BP"]) == findings(folder, "gx", select=["BP"])


def test_same_findings_on_ftfys_cases(tmp_path):
    folder = write_corpus(tmp_path / "ftfy", {f"{n:03d}.txt": c["original"] + "\n" for n, c in enumerate(FTFY_CASES)})
    assert findings(folder, "light", select=["EN"]) == findings(folder, "gx", select=["EN"])


def suite_of(expectations, frame="paragraphs", index=("doc_id", "para")):
    text = json.dumps({"name": "t", "meta": {"frame": frame, "index_columns": list(index)}, "expectations": expectations})
    return parse_suite("t.json", text)


FRAME = Table({
    "doc_id": [0, 0, 0, 1, 1],
    "para": [0, 1, 2, 0, 1],
    "text": ["Sign up now", None, "A story (with groups)", "CLICK HERE", "sign up"],
    "dup_of": [None, "x", None, float("nan"), "y"],
    "noise_score": [0.1, 0.95, float("nan"), 0.5, 0.3],
})  # fmt: skip


@pytest.mark.parametrize(
    "expectation",
    [
        {"type": "expect_column_values_to_be_null", "kwargs": {"column": "dup_of"}, "meta": {"code": "DU001"}},
        {"type": "expect_column_values_to_be_null", "kwargs": {"column": "dup_of", "mostly": 0.5}, "meta": {"code": "DU001"}},
        {"type": "expect_column_values_to_be_null", "kwargs": {"column": "dup_of", "mostly": 0.7}, "meta": {"code": "DU001"}},
        {"type": "expect_column_values_to_not_match_regex_list", "kwargs": {"column": "text", "regex_list": ["^Sign", "(?i)click (here)"]}, "meta": {"code": "BP001"}},
        {"type": "expect_column_values_to_not_match_regex", "kwargs": {"column": "text", "regex": "(?i)sign up"}, "meta": {"code": "BP001"}},
        {"type": "expect_column_values_to_not_match_regex", "kwargs": {"column": "text", "regex": "nothing matches"}, "meta": {"code": "BP001"}},
        {"type": "expect_column_values_to_be_between", "kwargs": {"column": "noise_score", "max_value": 0.5}, "meta": {"code": "BP100"}},
        {"type": "expect_column_values_to_be_between", "kwargs": {"column": "noise_score", "max_value": 0.5, "strict_max": True}, "meta": {"code": "BP100"}},
        {"type": "expect_column_values_to_be_between", "kwargs": {"column": "noise_score", "min_value": 0.2, "max_value": 0.9}, "meta": {"code": "BP101"}},
        {"type": "expect_column_values_to_be_between", "kwargs": {"column": "noise_score", "min_value": 0.3, "strict_min": True}, "meta": {"code": "BP101"}},
        {"type": "expect_column_values_to_be_between", "kwargs": {"column": "noise_score", "max_value": 0.2, "mostly": 0.5}, "meta": {"code": "BP101"}},
        {"type": "expect_column_values_to_be_between", "kwargs": {"column": "noise_score", "max_value": 0.2, "mostly": 0.2}, "meta": {"code": "BP101"}},
    ],
)
def test_same_rows_for_each_expectation_type(expectation):
    suite = suite_of([expectation])
    frames = {"paragraphs": FRAME, "mentions": Table()}
    assert evaluate_light(frames, [suite]) == evaluate_with_gx(frames, [suite])


REPEATED = Table({
    "doc_id": list(range(8)),
    "para": [0] * 8,
    "text": ["Sign up now", "A story", "Sign up now", 1, True, "1", 1.0, "A story"],
})


@pytest.mark.parametrize("regex, rows", [("^Sign", (0, 2)), ("^1$", (3, 5)), ("^True$", (4,)), (r"^1\.0$", (6,)), ("story", (1, 7))])
def test_a_repeated_value_gets_the_verdict_of_its_first_search_and_equal_numbers_their_own(regex, rows):
    """The light engine searches each distinct text once; 1, True and 1.0 (one dict key) are
    searched as the texts GX sees ("1", "True", "1.0")."""
    expectation = {"type": "expect_column_values_to_not_match_regex", "kwargs": {"column": "text", "regex": regex}, "meta": {"code": "BP001"}}
    frames = {"paragraphs": REPEATED, "mentions": Table()}
    light = evaluate_light(frames, [suite_of([expectation])])
    assert light == evaluate_with_gx(frames, [suite_of([expectation])])
    assert light[0].rows == rows


TOGETHER = Table({
    "doc_id": list(range(9)),
    "para": [0] * 9,
    "text": ["Sign up now", None, "CLICK HERE", 1, True, "1", 1.0, float("nan"), "sign up"],
    "noise_score": [0.1, 0.95, float("nan"), 0.5, 0.3, 0.2, 0.99, float("nan"), 0.5],
    "doc_dup_of": [0.1, 0.95, float("nan"), 0.5, 0.3, 0.2, 0.99, float("nan"), 0.5],
    "template_files": [0, 3, 2, 7, 0, 1, 2, 9, 3],
    "furnished_noise_score": [0, 3, 2, 7, 0, 1, 2, 9, 3],
    "dup_of": [None] * 9,
})  # fmt: skip
TOGETHER_EXPECTATIONS = [
    {"type": "expect_column_values_to_not_match_regex_list", "kwargs": {"column": "text", "regex_list": ["^Sign", "(?i)click (here)"]}, "meta": {"code": "BP001"}},
    {"type": "expect_column_values_to_not_match_regex", "kwargs": {"column": "text", "regex": "(?i)sign up"}, "meta": {"code": "BP002"}},
    {"type": "expect_column_values_to_not_match_regex", "kwargs": {"column": "text", "regex": "^1"}, "meta": {"code": "BP003"}},
    {"type": "expect_column_values_to_not_match_regex", "kwargs": {"column": "text", "regex": "^True$"}, "meta": {"code": "BP004"}},
    # 2 of the 7 values present match: 0.71 < 0.72 fails (counting the 2 missing ones, 0.78 would pass)
    {"type": "expect_column_values_to_not_match_regex", "kwargs": {"column": "text", "regex": "(?i)^sign", "mostly": 0.72}, "meta": {"code": "BP005"}},
    {"type": "expect_column_values_to_be_between", "kwargs": {"column": "noise_score", "max_value": 0.5}, "meta": {"code": "BP100"}},
    {"type": "expect_column_values_to_be_between", "kwargs": {"column": "noise_score", "min_value": 0.2, "max_value": 0.9, "strict_min": True}, "meta": {"code": "BP101"}},
    {"type": "expect_column_values_to_be_between", "kwargs": {"column": "template_files", "max_value": 2}, "meta": {"code": "BP102"}},
    {"type": "expect_column_values_to_be_between", "kwargs": {"column": "furnished_noise_score", "min_value": 1, "max_value": 3, "strict_max": True}, "meta": {"code": "BP103"}},
    {"type": "expect_column_values_to_be_null", "kwargs": {"column": "dup_of"}, "meta": {"code": "DU001"}},
    {"type": "expect_column_values_to_be_null", "kwargs": {"column": "doc_dup_of"}, "meta": {"code": "DU002"}},
]  # fmt: skip


def test_a_suites_expectations_over_whole_columns_get_the_rows_each_gets_alone_and_in_gx():
    """Run together, a suite's regex lists are answered from one search of the column, and its
    bounds compared as arrays: each expectation still fails exactly the rows it fails alone
    (missing values skipped; 1, True and 1.0 searched as three texts) and the rows GX fails."""
    frames = {"paragraphs": TOGETHER, "mentions": Table()}
    together = evaluate_light(frames, [suite_of(TOGETHER_EXPECTATIONS)])
    alone = [outcome for e in TOGETHER_EXPECTATIONS for outcome in evaluate_light(frames, [suite_of([e])])]
    assert together == alone
    gx = evaluate_with_gx(frames, [suite_of(TOGETHER_EXPECTATIONS)])
    by_code = lambda outcome: outcome.spec.code  # noqa: E731 (GX validates in an order of its own)
    assert sorted(together, key=by_code) == sorted(gx, key=by_code)
    rows = {outcome.spec.code: outcome.rows for outcome in together}
    assert rows["BP001"] == (0, 2) and rows["BP003"] == (3, 5, 6) and rows["BP004"] == (4,)
    assert rows["BP102"] == (1, 3, 7, 8) and rows["BP005"] == (0, 8) and "DU001" not in rows


def test_a_column_of_large_ints_and_floats_is_bounded_as_python_compares_them():
    """A mix of ints and floats is not rounded to floats: 2**53 + 1 is above a bound of 2**53."""
    expectation = {"type": "expect_column_values_to_be_between", "kwargs": {"column": "template_files", "max_value": 2**53}, "meta": {"code": "BP102"}}
    mixed = Table({"doc_id": list(range(9)), "para": [0] * 9, "template_files": [2**53 + 1, 0.5, 3, None, 1.5, 2, 0, 1, 2]})
    (outcome,) = evaluate_light({"paragraphs": mixed, "mentions": Table()}, [suite_of([expectation])])
    assert outcome.rows == (0,)


def test_every_type_a_suite_may_use_runs_in_the_light_engine():
    from validators.evaluate import LIGHT_EXPECTATIONS
    from validators.suite import EXPECTATION_TYPES

    assert set(EXPECTATION_TYPES) <= set(LIGHT_EXPECTATIONS)


MALFORMED = {
    "regex_list as a string": ({"column": "text", "regex_list": "Sign up"}, "BP001", "regex_list must be a list of regular expressions"),
    "an extra kwarg": ({"column": "text", "regex_list": ["Sign up"], "match_on": "all"}, "BP001", "unknown kwarg(s) match_on"),
    "mostly above 1": ({"column": "text", "regex_list": ["Sign up"], "mostly": 2}, "BP001", "mostly must be a number from 0 to 1, not 2"),
    "mostly not a number": ({"column": "dup_of", "mostly": "abc"}, "DU001", "mostly must be a number from 0 to 1, not 'abc'"),
    "a catastrophic pattern": ({"column": "text", "regex_list": ["(a+)+$"]}, "BP001", "can take exponential time"),
    "no patterns for a pattern rule": ({"column": "text"}, "BP001", "rule BP001 points at what a pattern matched"),
    "a score bound missing": ({"column": "noise_score"}, "BP100", "kwargs needs min_value or max_value"),
    "a score bound not a number": ({"column": "noise_score", "max_value": "high"}, "BP100", "max_value must be a finite number, not 'high'"),
}


@pytest.mark.parametrize("case", MALFORMED, ids=list(MALFORMED))
def test_both_engines_refuse_a_malformed_suite_alike_before_anything_runs(case, tmp_path, monkeypatch):
    """The light engine used to accept these (each character of a string regex_list a pattern),
    so the pre-commit hook and CI gave different verdicts."""
    from click.testing import CliRunner

    from validators.cli import main

    kwargs, code, message = MALFORMED[case]
    kind = (
        "expect_column_values_to_not_match_regex_list" if "regex_list" in kwargs
        else "expect_column_values_to_be_between" if kwargs["column"] == "noise_score"
        else "expect_column_values_to_be_null"
    )  # fmt: skip
    suite = json.loads((REPO / "expectations" / "paragraphs.json").read_text(encoding="utf-8"))
    suite["expectations"] = [{"type": kind, "kwargs": kwargs, "meta": {"code": code}, "severity": "critical"}]
    (tmp_path / "expectations").mkdir()
    (tmp_path / "expectations" / "paragraphs.json").write_text(json.dumps(suite), encoding="utf-8")
    write_corpus(tmp_path / "corpus", {"a.txt": "a" * 40 + "b\n\n" + STORY + "\n"})
    monkeypatch.chdir(tmp_path)
    results = {engine: CliRunner().invoke(main, ["check", "--engine", engine, "corpus"]) for engine in ("light", "gx")}
    for result in results.values():
        assert result.exit_code == 2, result.output
        assert message in result.stderr and result.stderr.count("\n") == 1 and "internal error" not in result.stderr
    assert results["light"].stderr == results["gx"].stderr


def test_light_engine_imports_neither_great_expectations_nor_pandas(tmp_path):
    """The pre-commit hook's path: either import alone would cost more than the whole run."""
    write_corpus(tmp_path / "corpus", {"a.txt": "Sign up for our daily newsletter\n", "b.txt": STORY + "\n"})
    probe = (
        "import sys\nfrom validators.cli import main\n"
        "try:\n    main(['check', '--engine', 'light', '--with-corpus', sys.argv[1]])\n"
        "except SystemExit as e:\n    print(e.code, 'great_expectations' in sys.modules, 'pandas' in sys.modules)\n"
    )
    (tmp_path / "pyproject.toml").write_text('[tool.corpus-validator]\npaths = ["corpus"]\n')
    result = subprocess.run([sys.executable, "-c", probe, "corpus/a.txt"], capture_output=True, text=True, cwd=tmp_path)
    assert result.stdout.strip().splitlines()[-1] == "1 False False", result.stdout + result.stderr


# A corpus owner's list may mix flags, anchors and groups; the light engine searches it as one
# or two alternations, which must match exactly where one of its patterns does.
MIXED_LIST = (
    r"(?i)^(?=.{0,40}$)\W*subscribe\b",  # anchored, case-insensitive, length-capped
    r"^Advert\b",  # anchored, case-sensitive
    r"ALL RIGHTS",  # anywhere, case-sensitive: the (?i) of the others must not reach it
    r"(?x) photo \s+ credit  # a comment that must not swallow what follows",
    r"\b(\w+) \1\b",  # a back-reference: its number is its own, so it is searched on its own
    r"(?P<year>19\d\d)",  # a named group, likewise
)
MIXED_TEXTS = [
    "SUBSCRIBE now", "  subscribe to our list", "subscribe " + "x" * 60, "Please subscribe",
    "Advert here", "advert here", "an Advert", "all rights", "Text. ALL RIGHTS reserved",
    "photo   credit: her", "photocredit", "he said said", "she said it", "in 1987", "in 2087", "",
]  # fmt: skip


def test_a_regex_list_searched_together_matches_where_one_of_its_patterns_does():
    matches = AnyOf(MIXED_LIST)
    expected = [any(re.search(p, text) for p in MIXED_LIST) for text in MIXED_TEXTS]
    assert [matches(text) for text in MIXED_TEXTS] == expected
    assert [any(p.search(text) for p in alternations(MIXED_LIST)) for text in MIXED_TEXTS] == expected  # the ungated patterns' search
    assert expected.count(True) == 7 and expected.count(False) == 9  # both kinds are exercised


def test_a_plain_regex_list_is_at_most_two_searches():
    assert len(alternations(MIXED_LIST[:4])) == 2  # anchored ones, and the others
    assert len(alternations(MIXED_LIST)) == 4  # the back-reference and the named group alone
    assert len(alternations((r"^a", r"^b", r"(?i)^c"))) == 1


def test_gx_searches_a_regex_list_with_our_pandas_metric_and_fails_the_same_rows():
    """GX is given a pattern list as written, and its pandas metric is ours
    (``gx_expectations.PandasNotMatchRegexList``: each pattern searched where its literals
    occur): the rows where one of the patterns is found fail, the single-pattern expectation too."""
    import great_expectations as gx
    from great_expectations.execution_engine import PandasExecutionEngine
    from great_expectations.expectations.registry import get_metric_provider

    from validators import gx_expectations
    from validators.evaluate import _gx_suite

    for metric, ours in (("column_values.not_match_regex_list", gx_expectations.PandasNotMatchRegexList),
                         ("column_values.not_match_regex", gx_expectations.PandasNotMatchRegex)):  # fmt: skip
        provider, _ = get_metric_provider(f"{metric}.condition", PandasExecutionEngine())
        assert provider is ours
    spec = {"type": "expect_column_values_to_not_match_regex_list", "kwargs": {"column": "text", "regex_list": list(MIXED_LIST)}}
    single = {"type": "expect_column_values_to_not_match_regex", "kwargs": {"column": "text", "regex": MIXED_LIST[0]}}
    suite = suite_of([{**spec, "meta": {"code": "BP001"}}, {**single, "meta": {"code": "BP002"}}])
    assert _gx_suite(gx, suite).expectations[0].regex_list == list(MIXED_LIST)
    frames = {"paragraphs": Table({"doc_id": [0] * len(MIXED_TEXTS), "para": list(range(len(MIXED_TEXTS))), "text": MIXED_TEXTS})}
    expected = tuple(n for n, text in enumerate(MIXED_TEXTS) if any(re.search(p, text) for p in MIXED_LIST))
    alone = tuple(n for n, text in enumerate(MIXED_TEXTS) if re.search(MIXED_LIST[0], text))
    assert 0 < len(alone) < len(expected)
    assert [(o.spec.code, o.rows) for o in evaluate_with_gx(frames, [suite])] == [("BP001", expected), ("BP002", alone)]


def test_gx_keeps_none_of_a_run_s_data_once_it_has_validated(monkeypatch):
    """GX keeps the last context it made, and with it each batch's DataFrame and each result,
    in cycles that a run without the cycle collector (the CLI's) would keep under the findings
    it builds next: ``evaluate.let_go_of_gx`` lets go of them when validation ends."""
    import gc
    import weakref

    made = []  # a weak reference to each DataFrame GX was given
    to_pandas = Table.to_pandas

    def recorded(self, *args, **kwargs):
        dataframe = to_pandas(self, *args, **kwargs)
        made.append(weakref.ref(dataframe))
        return dataframe

    monkeypatch.setattr(Table, "to_pandas", recorded)
    spec = {"type": "expect_column_values_to_not_match_regex_list", "kwargs": {"column": "text", "regex_list": list(MIXED_LIST)}}
    frames = {"paragraphs": Table({"doc_id": [0] * len(MIXED_TEXTS), "para": list(range(len(MIXED_TEXTS))), "text": MIXED_TEXTS})}
    enabled = gc.isenabled()
    gc.disable()
    try:
        outcomes = evaluate_with_gx(frames, [suite_of([{**spec, "meta": {"code": "BP001"}}])])
        assert made and all(ref() is None for ref in made)
    finally:
        if enabled:
            gc.enable()
    assert outcomes[0].rows  # it validated: MIXED_TEXTS has furniture


def test_light_engine_one_spelling_on_reported_rows_counts_every_file_of_their_keys(cli, corpus, tmp_path):
    # A pre-commit run counts a name's spellings in every file of the corpus, but only for the
    # names the checked file mentions: the corpus's spelling of "Kim Jong Un" is decided by
    # a.txt and c.txt; the variant "Moon Jae-in" / "Moon Jae In" of d.txt and e.txt is not b.txt's.
    import json

    corpus({
        "a.txt": "The leader Kim Jong Un spoke.\nThe leader Kim Jong Un left.\n",
        "b.txt": "The leader Kim Jong-un spoke.\n",
        "c.txt": "Yesterday the leader Kim Jong Un met officials.\n",
        "d.txt": "President Moon Jae-in spoke.\nPresident Moon Jae-in left.\n",
        "e.txt": "President Moon Jae In spoke.\n",
    })  # fmt: skip
    (tmp_path / "pyproject.toml").write_text('[tool.corpus-validator]\npaths = ["corpus"]\n')
    full = json.loads(cli("check", "--engine", "light", "--format", "json", "--select", "NM").stdout)["findings"]
    assert sorted(f["path"] for f in full) == ["corpus/b.txt", "corpus/e.txt"]
    for name in ("a.txt", "b.txt", "e.txt"):
        path = f"corpus/{name}"
        args = ("check", path, "--with-corpus", "--engine", "light", "--format", "json", "--select", "NM")
        one = json.loads(cli(*args).stdout)["findings"]
        assert one == [f for f in full if f["path"] == path], name
    b = json.loads(cli("check", "corpus/b.txt", "--with-corpus", "--engine", "light", "--format", "json", "--select", "NM").stdout)
    assert [(f["code"], len(f["related"])) for f in b["findings"]] == [("NM001", 3)]  # the three places of "Kim Jong Un"


def test_noise_shapes_search_each_list_as_its_patterns_do():
    """The noise features match the error rules' patterns as one list, the warning rules' as
    another and the comment headings as a third, all three in one pass (``_matchers``:
    ``EachOf``'s gated searches, or each pattern's own search when one has flags of its own):
    on every unit of the seed pages, the same verdicts as each pattern searched on its own."""
    import re
    from pathlib import Path

    from validators.config import load_config
    from validators.features.noise import NoisePatterns, _matchers, line_units
    from validators.pipeline import pattern_rules
    from validators.segment import segment

    root = Path(__file__).resolve().parent.parent
    texts = []
    for page in sorted((root / "seeds").rglob("*.txt")):
        texts += line_units([p.raw for p in segment(page.read_text(encoding="utf-8", errors="surrogateescape")).paragraphs])[0]
    assert texts
    rules = pattern_rules(load_config(start=root))
    kinds = [tuple(p for is_error, compiled in rules if is_error == kind for p in compiled) for kind in (True, False)]
    kinds.append(NoisePatterns.parse("noise.toml", (root / "expectations" / "noise.toml").read_text(encoding="utf-8")).comment_section)
    assert all(kinds)
    texts += ["Leave a Reply", "24 Comments"]
    flagged = (re.compile(r"SUBSCRIBE", re.IGNORECASE),)  # flags outside the pattern: searched on its own
    hits = 0
    for lists in (tuple(kinds), (*kinds, flagged)):
        matching = _matchers(lists)
        for text in texts + ["subscribe today"]:
            expected = [any(p.search(text) for p in compiled) for compiled in lists]
            found = matching(text)
            assert [bool(found >> n & 1) for n in range(len(lists))] == expected, text
            hits += sum(expected)
    assert hits >= 5  # seed 000's furniture
