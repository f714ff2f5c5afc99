"""The files generated from the rules' declarations are what ``ci/generate.py`` writes now:
the bundled suites, and the README's rule table."""

import importlib.util
import json

from conftest import REPO


def _generator():
    spec = importlib.util.spec_from_file_location("generate", REPO / "ci" / "generate.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_committed_files_are_what_the_rules_generate(capsys):
    assert _generator().main(["--check"]) == 0, capsys.readouterr().err


def test_the_check_fails_when_a_declaration_changes(monkeypatch, capsys):
    from validators.rules import RULES

    monkeypatch.setattr(RULES["DU003"], "severity", "error")
    assert _generator().main(["--check"]) == 1
    err = capsys.readouterr().err
    assert "expectations/paragraphs.json differs" in err and "README.md differs" in err


def test_a_pattern_rule_takes_its_list_from_the_familys_data():
    generator = _generator()
    suite = json.loads(generator.suite("paragraphs"))
    lists = generator.pattern_lists("noise-patterns.toml")
    bp001 = next(e for e in suite["expectations"] if e["meta"]["code"] == "BP001")
    assert bp001["kwargs"] == {"column": "text", "regex_list": lists["newsletter-prompt"]}
    assert generator.unused_patterns() == []


def test_the_files_suite_runs_the_binary_file_rule():
    suite = json.loads(_generator().suite("files"))
    assert suite["meta"]["index_columns"] == ["doc_id"]
    assert [e["meta"]["code"] for e in suite["expectations"]] == ["EN004"]
