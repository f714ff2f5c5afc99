"""A corpus owner's own rule, declared in the corpus's suite without Python: reported like any
other (text, SARIF with its catalogue entry, baselines), and refused with one line when malformed."""

import json

import pytest

from conftest import REPO, write_corpus
from validators.config import Config
from validators.pipeline import check

STORY = "The council voted on Tuesday to raise parking charges in the town centre by a fifth."
FOOTER = "Press release issued by the Portmere Harbour Board."

OWN_RULE = {
    "type": "expect_column_values_to_not_match_regex_list",
    "kwargs": {"column": "text", "regex_list": [r"(?i)^(?=.{0,120}$)press release issued by\b"]},
    "meta": {
        "code": "XB001",
        "rule": {
            "family": "noise",
            "name": "press-release-footer",
            "message": "press-release footer",
            "suggestion": "delete this line: the wire adds it to every release",
        },
    },
    "severity": "warning",
}


@pytest.fixture(autouse=True)
def _forget_own_rules():
    """A corpus's own rules join the registry when its suite is read; other tests' corpora have none."""
    from validators.rules import RULES

    before = dict(RULES)
    yield
    RULES.clear()
    RULES.update(before)


def expectations_with(folder, *extra):
    """The bundled paragraphs suite plus ``extra`` expectations, as the corpus's own."""
    suite = json.loads((REPO / "expectations" / "paragraphs.json").read_text(encoding="utf-8"))
    suite["expectations"] += list(extra)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "paragraphs.json").write_text(json.dumps(suite), encoding="utf-8")
    return folder


def make_project(folder, *items):
    expectations_with(folder / "expectations", *items)
    (folder / "pyproject.toml").write_text('[tool.corpus-validator]\nexpectations = "expectations"\n')
    return folder


@pytest.fixture
def project(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return make_project(tmp_path, OWN_RULE)


def test_own_rule_is_reported_at_its_line_with_its_message(project, cli):
    write_corpus(project / "corpus", {"a.txt": f"{STORY}\n\n{FOOTER}\n"})
    result = cli("check", "corpus")
    assert "corpus/a.txt:3:1: XB001 [warning] press-release footer: “Press release issued by" in result.stdout
    assert "help: delete this line: the wire adds it to every release" in result.stdout
    assert result.exit_code == 0  # a warning does not fail the gate


def test_own_rule_is_silent_on_other_text(project):
    write_corpus(project / "corpus", {"a.txt": f"{STORY}\n\nThe harbour board issued a press release on Monday about the dredging.\n"})
    report = check([project / "corpus"], Config(root=project, expectations=project / "expectations"))
    assert [f.code for f in report.findings if f.code.startswith("X")] == []


@pytest.mark.parametrize("engine", ["light", "gx"])
def test_own_rule_in_sarif_catalogue_and_baseline(project, cli, engine):
    write_corpus(project / "corpus", {"a.txt": f"{STORY}\n\n{FOOTER}\n"})
    sarif = json.loads(cli("check", "--engine", engine, "--format", "sarif", "corpus").stdout)
    run = sarif["runs"][0]
    catalogue = {r["id"]: r for r in run["tool"]["driver"]["rules"]}
    assert catalogue["XB001"]["name"] == "press-release-footer"
    assert catalogue["XB001"]["defaultConfiguration"] == {"level": "warning"}
    assert catalogue["XB001"]["properties"]["family"] == "noise"
    (result,) = [r for r in run["results"] if r["ruleId"] == "XB001"]
    assert run["tool"]["driver"]["rules"][result["ruleIndex"]]["id"] == "XB001"
    assert result["locations"][0]["physicalLocation"]["region"]["startLine"] == 3

    assert cli("baseline", "--engine", engine, "corpus", "-o", "baseline.json").exit_code == 0
    assert "XB001" in (project / "baseline.json").read_text()
    after = cli("check", "--engine", engine, "--baseline", "baseline.json", "--select", "XB", "corpus")
    assert "XB001" not in after.stdout and after.exit_code == 0


def test_own_rule_is_selected_by_its_code_and_explained(project, cli):
    write_corpus(project / "corpus", {"a.txt": f"{STORY}\n\n{FOOTER}\n"})
    assert "XB001" in cli("check", "--select", "XB001", "corpus").stdout
    assert "XB001" not in cli("check", "--ignore", "XB", "corpus").stdout
    explained = cli("rule", "XB001")
    assert explained.exit_code == 0 and "press-release footer" in explained.stdout


def test_the_rule_list_names_the_corpuss_own_rules(project, cli, monkeypatch):
    from validators.rules import RULES

    monkeypatch.delitem(RULES, "XB001", raising=False)  # as a new process knows only the built-in rules
    listing = cli("rule")
    assert listing.exit_code == 0 and "XB001  noise" in listing.stdout and "BP001" in listing.stdout


def _declared(**changes):
    item = json.loads(json.dumps(OWN_RULE))
    for key, value in changes.items():
        target, _, field = key.rpartition("__")
        place = item
        for part in filter(None, target.split("__")):
            place = place[part]
        if value is None:
            place.pop(field)
        else:
            place[field] = value
    return item


@pytest.mark.parametrize(
    "item, message",
    [
        (_declared(meta__rule__message=None), "needs message"),
        (_declared(meta__rule__suggestion=""), "needs suggestion"),
        (_declared(meta__rule__family="spam"), "family must be one of noise, duplicate, encoding, name"),
        (_declared(kwargs__regex_list=["(unclosed"]), "not a valid regular expression"),
        (_declared(meta__code="BP001"), "BP001 is a built-in rule"),
        (_declared(meta__code="CUSTOM1"), "needs a code of X"),
        (_declared(meta__rule__colour="red"), "unknown key(s) colour"),
        (_declared(type="expect_column_values_to_be_null", kwargs={"column": "dup_of"}), "is a pattern rule"),
        (_declared(meta__rule="press-release"), "must be an object"),
    ],
)
def test_malformed_own_rule_is_one_line_and_exit_2(tmp_path, monkeypatch, cli, item, message):
    monkeypatch.chdir(tmp_path)
    make_project(tmp_path, item)
    write_corpus(tmp_path / "corpus", {"a.txt": f"{STORY}\n"})
    result = cli("check", "corpus")
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and message in lines[0], lines


def test_own_rule_declared_twice_is_refused(tmp_path, monkeypatch, cli):
    monkeypatch.chdir(tmp_path)
    make_project(tmp_path, OWN_RULE, OWN_RULE)
    write_corpus(tmp_path / "corpus", {"a.txt": f"{STORY}\n"})
    result = cli("check", "corpus")
    assert result.exit_code == 2 and "XB001 is declared twice" in result.output


def test_an_own_code_no_suite_declares_is_refused(project, cli):
    write_corpus(project / "corpus", {"a.txt": f"{STORY}\n"})
    result = cli("check", "--select", "XQ001", "corpus")
    assert result.exit_code == 2 and "'XQ001', which is no rule code" in result.stderr
