"""Every output format as its reader takes it: hostile and awkward file names and text,
several reports from one run, SARIF as code scanning reads it, JUnit against Jenkins' XSD,
GitLab code quality, the CI gate and workflow, per-file-ignores."""

from __future__ import annotations

import json
import os
import re
import stat
import subprocess
import sys
import unicodedata
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path
from urllib.parse import quote, unquote

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import REPO, shared_file
from validators.output import FORMATS
from validators.output import text as text_report
from validators.output.escape import HIDDEN, HIDDEN_CATEGORIES, HIDDEN_RANGES, dumps, safe_line, visible
from validators.rules import RULES

SARIF_SCHEMA = shared_file("schemas/sarif-schema-2.1.0.json")
JUNIT_XSD = REPO / "tests" / "fixtures" / "junit" / "junit-10.xsd"
STORY = "The talks ended without agreement, officials in Seoul said on Monday evening.\n"
PROMPT = "Sign up for our daily newsletter"

#: File names and text a hostile corpus can hold: terminal escapes (clear screen, window
#: title, colours), a workflow command after a line break, C0/DEL/C1 controls, bidi
#: overrides, zero-width characters, and the legacy ``##[`` command form.
HOSTILE_NAMES = [
    "t\x1b]0;owned\x07\x1b[2J.txt",
    "b\n::error file=evil.txt,line=1::fake.txt",
    "c\x01\x7f\x85.txt",
    "d\u202etxt.exe\u202c.txt",
    "e\u200b\u2060\ufeff.txt",
    "##[error]f.txt",
    "::warning g.txt",
    "h\udcff\udcfe.txt",  # bytes that are not UTF-8 (surrogateescape)
    "i\uffff\ufffe.txt",  # noncharacters: XML 1.0 cannot carry them
]
HOSTILE_TEXT = f"{PROMPT} [x](0) \x1b[31mnow\x1b]0;t\x07 \u202eevil\u202c \u200bhidden \uffff ::error file=x::y ##[error]z\n"


def run_all_formats(cli, folder, tmp_path, *args) -> tuple[dict[str, str], int]:
    """One run writing every format: text on stdout, the others through --report."""
    reports = {name: tmp_path / f"report.{name}" for name in FORMATS if name != "text"}
    options = [f"--report={name}={path}" for name, path in reports.items()]
    result = cli("check", folder, "--engine", "light", "--no-cache", *options, *args)
    assert result.exit_code in (0, 1), result.stderr
    outputs = {name: path.read_text(encoding="utf-8") for name, path in reports.items()}
    outputs["text"] = result.stdout
    return outputs, result.exit_code


def raw_hidden(text: str) -> list[str]:
    """Hidden characters in ``text`` other than its own line breaks."""
    return sorted({f"U+{ord(c):04X}" for c in HIDDEN.findall(text.replace("\n", ""))})


# --------------------------------------------------------------------------- escaping


@pytest.mark.skipif(unicodedata.unidata_version != "14.0.0", reason="HIDDEN_RANGES are Unicode 14's (Python 3.11)")
def test_hidden_ranges_are_exactly_the_hidden_categories_and_the_noncharacters():
    listed = {code for start, end in HIDDEN_RANGES for code in range(start, end + 1)}
    noncharacters = {code for code in range(sys.maxunicode + 1) if 0xFDD0 <= code <= 0xFDEF or code & 0xFFFE == 0xFFFE}
    computed = {code for code in range(sys.maxunicode + 1) if unicodedata.category(chr(code)) in HIDDEN_CATEGORIES}
    assert listed == computed | noncharacters and len(noncharacters) == 66


def test_visible_escapes_what_moves_hides_or_reorders_and_keeps_the_rest():
    assert visible("a\x1b[2J\x07\u202e\u200b\x85\udcff\U000e0041") == "a\\x1b[2J\\x07\\u202e\\u200b\\x85\\xff\\U000e0041"
    assert visible("Ελλάδα – naïve “quoted” 50% #1, a:b") == "Ελλάδα – naïve “quoted” 50% #1, a:b"
    assert visible("a\uffffb\ufffe\U0010ffff") == "a\\uffffb\\ufffe\\U0010ffff"  # XML 1.0 cannot carry the first two


def test_safe_line_defuses_workflow_commands_only():
    assert not safe_line("  ::error file=x::y").lstrip().startswith("::")
    assert "##[" not in safe_line("x ##[error]y ##vso[task.complete]")
    assert safe_line("corpus/a.txt:1:1: BP001 [error] a::b #1 [x]") == "corpus/a.txt:1:1: BP001 [error] a::b #1 [x]"


def test_dumps_keeps_values_exact_and_bytes_printable():
    value = {"s": "x\x1b\u202e\x85\u2028\U000e0041\n\t"}
    text = dumps(value, indent=1)
    assert json.loads(text) == value and raw_hidden(text) == []


def test_every_format_escapes_hostile_names_and_text(cli, corpus, tmp_path, monkeypatch):
    summary = tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    folder = corpus({name: STORY + "\n" + HOSTILE_TEXT for name in HOSTILE_NAMES})
    outputs, _ = run_all_formats(cli, folder, tmp_path)
    findings = json.loads(outputs["json"])["findings"]
    paths = {f"corpus/{name}" for name in HOSTILE_NAMES}
    assert {f["path"] for f in findings} == paths  # JSON: the exact names
    assert any(f["code"] == "BP001" and "\x1b[31m" in f["message"] for f in findings)  # and the exact text
    outputs["summary"] = summary.read_text(encoding="utf-8")
    for name, text in outputs.items():
        assert raw_hidden(text) == [], name
    for name in ("text", "summary"):  # what a terminal or a log prints: escaped, visibly
        for escaped in ("\\x1b", "\\x07", "\\x0a", "\\x01", "\\x7f", "\\x85", "\\u202e", "\\u200b", "\\ufeff", "h\\xff\\xfe"):
            assert escaped in outputs[name], (name, escaped)
    # The text output (what the pre-commit hook prints into a CI log) holds no command line.
    assert all(not line.lstrip().startswith("::") and "##[" not in line for line in outputs["text"].splitlines())
    # GitHub: our annotations, one per finding, and nothing else that the runner would execute.
    commands = [line for line in outputs["github"].splitlines() if line.lstrip().startswith("::") or "##[" in line]
    assert len(commands) == len(findings)
    assert all(re.match(r"::(error|warning|notice) file=", line) for line in commands)
    assert len(outputs["github"].splitlines()) == len(findings) + 1
    # XML and JSON stay valid; SARIF URIs decode to the exact names.
    ET.fromstring(outputs["junit"].encode("utf-8"))
    assert {i["location"]["path"] for i in json.loads(outputs["gitlab"])} == paths
    sarif = json.loads(outputs["sarif"])
    uris = {unquote(r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"], errors="surrogateescape")
            for r in sarif["runs"][0]["results"]}
    assert uris == paths
    prompt = next(r for r in sarif["runs"][0]["results"] if r["ruleId"] == "BP001")
    assert "\\\\x1b" not in prompt["message"]["text"] and "\\x1b" in prompt["message"]["text"]
    assert "\\[x\\](0)" in prompt["message"]["text"]  # corpus brackets are never an embedded link


def test_text_output_of_a_workflow_command_file_name_prints_no_command_line(cli, corpus):
    """Issue 12, item 10: what the pre-commit hook prints in CI."""
    folder = corpus({"b\n::error file=evil.txt,line=1::fake.txt": STORY + "\n" + PROMPT + "\n"})
    lines = cli("check", folder, "--engine", "light", "--no-cache").stdout.splitlines()
    assert lines[0].startswith("corpus/b\\x0a::error file=evil.txt,line=1::fake.txt:3:1: BP001")
    assert not any(line.lstrip().startswith("::") for line in lines)


def test_junit_with_control_characters_in_text_is_well_formed(cli, corpus):
    """Issue 12, item 11."""
    folder = corpus({"a.txt": STORY + "\n" + PROMPT + " \x01\x1b now\n"})
    out = cli("check", folder, "--engine", "light", "--no-cache", "--format", "junit").stdout
    root = ET.fromstring(out.encode("utf-8"))
    assert any("\\x01\\x1b" in (c.get("message") or "") for c in root.iter("failure"))


# --------------------------------------------------------------------------- awkward names

AWKWARD = {
    "a b#1.txt": "corpus/a%20b%231.txt",
    "we,ird:name%.txt": "corpus/we%2Cird%3Aname%25.txt",
    "naïve Ελλάδα.txt": "corpus/na%C3%AFve%20%CE%95%CE%BB%CE%BB%CE%AC%CE%B4%CE%B1.txt",
    "sub dir#2/50% off, #1: sale.txt": "corpus/sub%20dir%232/50%25%20off%2C%20%231%3A%20sale.txt",
}


def _annotation_file(line: str) -> str:
    value = re.match(r"::\w+ file=([^,]*),", line).group(1)
    return value.replace("%2C", ",").replace("%3A", ":").replace("%0A", "\n").replace("%0D", "\r").replace("%25", "%")


def test_every_format_names_awkward_files_as_its_reader_expects(cli, corpus, tmp_path, monkeypatch):
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    folder = corpus({name: STORY + "\n" + PROMPT + "\n" for name in AWKWARD})
    outputs, _ = run_all_formats(cli, folder, tmp_path)
    paths = {f"corpus/{name}" for name in AWKWARD}
    findings = json.loads(outputs["json"])["findings"]
    assert {f["path"] for f in findings} == paths
    assert {p["path"] for f in findings for p in f["related"]} == paths  # the copies point at each other
    for path in paths:
        assert f"{path}:3:1: BP001 [error]" in outputs["text"]
    assert {_annotation_file(line) for line in outputs["github"].splitlines()[:-1]} == paths
    results = json.loads(outputs["sarif"])["runs"][0]["results"]
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in results}
    assert uris == set(AWKWARD.values())
    related = {loc["physicalLocation"]["artifactLocation"]["uri"] for r in results for loc in r.get("relatedLocations", [])}
    assert related == set(AWKWARD.values())
    assert {quote(p, safe="/") for p in paths} == set(AWKWARD.values())
    root = ET.fromstring(outputs["junit"].encode("utf-8"))
    assert {c.get("file") for c in root.iter("testcase")} == paths
    assert {i["location"]["path"] for i in json.loads(outputs["gitlab"])} == paths
    if SARIF_SCHEMA.is_file():
        import jsonschema

        jsonschema.validate(json.loads(outputs["sarif"]), json.loads(SARIF_SCHEMA.read_text(encoding="utf-8")))
    validate_junit(outputs["junit"])


# --------------------------------------------------------------------------- several reports, one run


def test_reports_from_one_run_equal_separate_runs(cli, corpus, tmp_path):
    folder = corpus({"a.txt": STORY + "\n" + PROMPT + "\n", "b.txt": STORY})
    result = cli("check", folder, "--no-cache", "--format", "json", "--report", f"sarif={tmp_path / 'out.sarif'}",
                 "--report", f"junit={tmp_path / 'out.xml'}", "--report", f"text={tmp_path / 'out.txt'}")  # fmt: skip
    assert result.exit_code == 1
    for name, file in (("sarif", "out.sarif"), ("junit", "out.xml"), ("text", "out.txt")):
        alone = cli("check", folder, "--no-cache", "--format", name)
        assert (tmp_path / file).read_text(encoding="utf-8") == alone.stdout, name
    assert result.stdout == cli("check", folder, "--no-cache", "--format", "json").stdout
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]  # written atomically, nothing left over


@pytest.mark.parametrize("value, message", [
    ("sarif", "expected FORMAT=FILE"), ("pdf=out.pdf", "expected FORMAT=FILE"), ("sarif=", "expected FORMAT=FILE"),
    ("sarif=no/such/folder/out.sarif", "folder no/such/folder does not exist"),
])  # fmt: skip
def test_a_bad_report_fails_before_the_work(cli, corpus, tmp_path, value, message):
    folder = corpus({"a.txt": STORY})
    result = cli("check", folder, "--no-cache", "--report", value, "--report", f"json={tmp_path / 'x.json'}")
    assert result.exit_code == 2 and message in result.stderr and result.stdout == ""
    assert not (tmp_path / "x.json").exists()


# --------------------------------------------------------------------------- SARIF


@pytest.fixture
def sarif_run(cli, corpus, monkeypatch):
    def _run(files, *args, home="https://example.org/corpus-validator"):
        from validators.output import sarif

        monkeypatch.setattr(sarif, "docs_url", lambda: home)
        folder = corpus(files)
        log = json.loads(cli("check", folder, "--no-cache", "--format", "sarif", *args).stdout)
        if SARIF_SCHEMA.is_file():
            import jsonschema

            jsonschema.validate(log, json.loads(SARIF_SCHEMA.read_text(encoding="utf-8")))
        return log["runs"][0]

    return _run


def test_sarif_lists_the_whole_rule_catalogue_with_help_levels_and_tags(sarif_run):
    run = sarif_run({"a.txt": STORY})
    rules = run["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == sorted(c for c in RULES if RULES[c].builtin) and run["results"] == []
    by_id = {r["id"]: r for r in rules}
    assert by_id["BP001"]["helpUri"] == "https://example.org/corpus-validator#rules"
    assert by_id["BP001"]["defaultConfiguration"] == {"level": "error"}
    assert by_id["BP008"]["defaultConfiguration"] == {"level": "warning"}
    assert by_id["EN008"]["defaultConfiguration"] == {"level": "note"}
    assert by_id["EN013"]["defaultConfiguration"] == {"level": "none", "enabled": False}  # opt-in
    assert all(r["properties"]["tags"] == [RULES[r["id"]].family] for r in rules)
    help_md = by_id["BP001"]["help"]["markdown"]
    assert "**Bad:**\n\n```text\nSign up for Daily Newsletters\n" in help_md and "**Good:**" in help_md
    assert by_id["BP001"]["help"]["text"] == RULES["BP001"].doc()


def test_sarif_levels_follow_the_configured_severity(sarif_run, tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.corpus-validator]\nseverity = { BP001 = "warning", DU = "off" }\n')
    rules = {r["id"]: r for r in sarif_run({"a.txt": STORY})["tool"]["driver"]["rules"]}
    assert rules["BP001"]["defaultConfiguration"] == {"level": "warning"}
    assert rules["DU001"]["defaultConfiguration"] == {"level": "none", "enabled": False}


def test_sarif_without_a_known_home_page_has_no_help_uri(sarif_run):
    rules = sarif_run({"a.txt": STORY}, home=None)["tool"]["driver"]["rules"]
    assert not any("helpUri" in r for r in rules)


def test_sarif_fingerprints_and_linked_related_locations(sarif_run, cli):
    files = {
        "a.txt": "The leader Kim Jong Un spoke.\nThe leader Kim Jong Un left.\n",
        "c.txt": "The leader Kim Jong-un spoke.\n\n" + PROMPT + "\n\n" + STORY + "\n" + PROMPT + "\n",
    }
    run = sarif_run(files)
    findings = json.loads(cli("check", "corpus", "--no-cache", "--format", "json").stdout)["findings"]
    hashes = [r["partialFingerprints"]["primaryLocationLineHash"] for r in run["results"]]
    expected, seen = [], {}
    for f in findings:
        seen[f["fingerprint"]] = seen.get(f["fingerprint"], 0) + 1
        expected.append(f"{f['fingerprint']}:{seen[f['fingerprint']]}")
    assert hashes == expected and len(set(hashes)) == len(hashes)
    variant = next(r for r in run["results"] if r["ruleId"] == "NM001")
    assert [loc["physicalLocation"]["region"] for loc in variant["relatedLocations"]] == [
        {"startLine": 1, "startColumn": 12, "endLine": 1, "endColumn": 30},
        {"startLine": 2, "startColumn": 12, "endLine": 2, "endColumn": 29},
    ]
    assert "[corpus/a.txt:1:12](0)" in variant["message"]["text"] and "[corpus/a.txt:2:12](1)" in variant["message"]["text"]


def test_sarif_links_the_first_related_places_in_the_message_and_locates_them_all(sarif_run):
    """A name written in many places: its variant's message links the first five and counts
    the others; the result's relatedLocations hold every place."""
    files = {f"{n}.txt": "The leader Kim Jong Un spoke.\n" for n in range(8)}
    files["x.txt"] = "The leader Kim Jong-un spoke.\n"
    run = sarif_run(files)
    variant = next(r for r in run["results"] if r["ruleId"] == "NM001")
    assert len(variant["relatedLocations"]) == 8 and [loc["id"] for loc in variant["relatedLocations"]] == list(range(8))
    text = variant["message"]["text"]
    assert "](4)" in text and "](5)" not in text and text.endswith(" and 3 more")


def _read_sarif_text(text: str) -> tuple[str, list[str]]:
    """A SARIF message as its reader takes it (3.11.5, 3.11.6): its text with the escapes
    undone, and the text of each embedded link; a placeholder raises. A run of backslashes
    before a bracket or at the end is escaped pairs (an odd one escapes the bracket); any
    other backslash is itself."""
    out, links, i = [], [], 0
    while i < len(text):
        if text[i] == "\\":
            run = len(text[i:]) - len(text[i:].lstrip("\\"))
            after = text[i + run : i + run + 1]
            if after in ("[", "]", ""):
                out.append("\\" * (run // 2) + (after if run % 2 else ""))
                i += run + (run % 2)
            else:
                out.append("\\" * run)
                i += run
        elif text[i : i + 2] in ("{{", "}}"):
            out.append(text[i])
            i += 2
        elif text[i] == "[":
            end = i + 1
            while text[end] != "]":
                end += 2 if text[end] == "\\" and text[end + 1] in "[]\\" else 1
            links.append(_read_sarif_text(text[i + 1 : end])[0])
            i = text.index(")", end) + 1
        else:
            assert text[i] not in "{}]", f"a placeholder, a lone brace or bracket in {text!r}"
            out.append(text[i])
            i += 1
    return "".join(out), links


@given(st.text(alphabet="ab\\[](){}0 ", max_size=12))
def test_sarif_plain_text_reads_back_as_the_text_it_was(text):
    from validators.output.sarif import _plain

    assert _read_sarif_text(_plain(text)) == (text, [])


def test_sarif_messages_keep_braces_brackets_and_backslashes_of_names_and_text(sarif_run):
    """A '{0}' in a paragraph read as a placeholder, and the file name 'a\\](0) b.txt' ended its
    link after 'a\\'."""
    story = "North Korea said on Monday it was not interested in more talks, officials said.\n"
    run = sarif_run({"a\\](0) b.txt": story, "z.txt": story, "c.txt": "Subscribe to our newsletter {0} [link](1) }{\n"})
    texts = {r["ruleId"]: _read_sarif_text(r["message"]["text"]) for r in run["results"]}
    assert "newsletter {0} [link](1) }{" in texts["BP001"][0]
    assert texts["DU001"][1] == ["corpus/a\\](0) b.txt:1:1"]


def test_sarif_and_github_say_which_files_were_not_checked(cli, corpus, sarif_run, tmp_path, monkeypatch):
    """An empty file and a broken link were listed by text, JSON and JUnit, and silently left
    out by SARIF and GitHub: a run with no result read as every file checked clean."""
    files = {"a.txt": STORY, "empty.txt": ""}
    run = sarif_run(files)
    notes = run["invocations"][0]["toolExecutionNotifications"]
    assert [(n["message"]["text"], n["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]) for n in notes] == [
        ("skipped: empty file", "corpus/empty.txt")
    ]
    assert run["invocations"][0]["executionSuccessful"] and run["results"] == []
    summary = tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    lines = cli("check", tmp_path / "corpus", "--format", "github").stdout.splitlines()
    assert lines == ["::warning file=corpus/empty.txt,title=skipped::not checked: empty file",
                     "corpus-validator: 0 findings (0 errors, 0 warnings, 0 info) in 2 files"]  # fmt: skip
    assert "1 file not checked: `corpus/empty.txt` (empty file)" in summary.read_text(encoding="utf-8")
    (tmp_path / "corpus" / "empty.txt").unlink()
    assert sarif_run({"a.txt": STORY})["invocations"] == [{"executionSuccessful": True}]


def test_github_quiet_prints_the_annotations_only(cli, corpus):
    folder = corpus({"a.txt": STORY + "\n" + PROMPT + "\n"})
    for args in ((), ("--report", "github=g.txt")):  # the report rendered once and written twice, too
        lines = cli("check", folder, "--format", "github", "--quiet", *args).stdout.splitlines()
        assert len(lines) == 1 and lines[0].startswith("::error file=corpus/a.txt,line=3"), lines


# --------------------------------------------------------------------------- GitHub


def test_github_annotation_spanning_lines_sends_no_columns_and_summary_counts_in_words(cli, corpus, tmp_path, monkeypatch):
    summary = tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    two_lines = "The talks ended without agreement, officials in Seoul said on Monday evening.\nBoth sides will meet again next month.\n"
    folder = corpus({"a.txt": two_lines + "\nStory goes on here with more words than before.\n",
                     "b.txt": two_lines + "\nA different ending, told in other words entirely.\n"})  # fmt: skip
    lines = cli("check", folder, "--no-cache", "--format", "github", "--select", "DU001").stdout.splitlines()
    assert lines[0].startswith("::error file=corpus/b.txt,line=1,endLine=2,title=DU001::")
    assert lines[-1] == "corpus-validator: 1 finding (1 error, 0 warnings, 0 info) in 2 files"
    assert "**1 error**, 0 warnings, 0 info in 2 files" in summary.read_text()
    one = corpus({"a.txt": b"\xef\xbb\xbf" + STORY.encode()})
    assert cli("check", one / "a.txt", "--no-cache", "--format", "github").stdout.splitlines()[-1] == (
        "corpus-validator: 1 finding (0 errors, 1 warning, 0 info) in 1 file"
    )


@pytest.mark.parametrize("where", ["no-such-folder/summary.md", "a-folder"])
def test_a_step_summary_that_cannot_be_written_is_a_warning_and_the_annotations_stand(cli, corpus, tmp_path, monkeypatch, where):
    (tmp_path / "a-folder").mkdir()
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(tmp_path / where))
    folder = corpus({"a.txt": STORY + "\n" + PROMPT + "\n"})
    result = cli("check", folder, "--no-cache", "--format", "github", "--select", "BP001")
    assert result.exit_code == 1  # the finding's error decides, not the summary
    lines = result.stdout.splitlines()
    assert lines[0].startswith("::error file=corpus/a.txt,line=3,") and lines[1].startswith("corpus-validator: 1 finding")
    assert lines[2].startswith("::warning::corpus-validator: cannot write the step summary to ") and len(lines) == 3


def test_github_summary_shows_corpus_text_as_literal_markdown(cli, corpus, tmp_path, monkeypatch):
    summary = tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    folder = corpus({"x`y|z.txt": STORY + "\n" + PROMPT + " *x* [a](http://e) <b>|</b>\n"})
    cli("check", folder, "--no-cache", "--format", "github", "--select", "BP001")
    row = [line for line in summary.read_text().splitlines() if "BP001 | error" in line][0]
    assert "``corpus/x`y\\|z.txt:3:1``" in row
    assert "\\*x\\* \\[a\\](http://e) \\<b\\>\\|\\</b\\>" in row


# --------------------------------------------------------------------------- JUnit


def validate_junit(text: str) -> None:
    from lxml import etree

    schema = etree.XMLSchema(etree.parse(str(JUNIT_XSD)))
    document = etree.fromstring(text.encode("utf-8"))
    assert schema.validate(document), schema.error_log


def test_junit_is_valid_for_jenkins_and_shows_warnings_as_skipped_cases(cli, corpus):
    folder = corpus({
        "a.txt": STORY + "\n" + PROMPT + "\n\nhttps://example.com/story\n",  # an error and a warning
        "b.txt": STORY.replace("Monday", "Friday"),
        "c.txt": "",
    })  # fmt: skip
    out = cli("check", folder, "--no-cache", "--format", "junit", "--select", "BP00").stdout
    validate_junit(out)
    root = ET.fromstring(out)
    suites = {s.get("name"): s for s in root.iter("testsuite")}
    a = suites["corpus/a.txt"]
    assert (a.get("tests"), a.get("failures"), a.get("skipped")) == ("2", "1", "1")
    failure, warning = (case[0] for case in a.iter("testcase"))
    assert failure.tag == "failure" and failure.get("type") == "BP001"
    assert warning.tag == "skipped" and warning.get("type") == "BP008" and warning.get("message").startswith("[warning] ")
    assert "help: " in warning.text and "corpus/a.txt:5:1" in warning.text
    assert [c.get("line") for c in a.iter("testcase")] == ["3", "5"]
    assert suites["corpus/c.txt"].find("testcase/skipped").get("message") == "not checked: empty file"
    assert suites["corpus/b.txt"].find("testcase").get("name") == "no findings"
    assert (root.get("tests"), root.get("failures")) == ("4", "1")


def test_the_vendored_xsd_rejects_what_jenkins_would_not_read():
    from lxml import etree

    schema = etree.XMLSchema(etree.parse(str(JUNIT_XSD)))
    assert not schema.validate(etree.fromstring(b'<testsuites><testsuite name="x"><testcase name="y"/></testsuite></testsuites>'))
    assert not schema.validate(etree.fromstring(b'<testsuites><testsuite tests="1"><testcase/></testsuite></testsuites>'))


# --------------------------------------------------------------------------- GitLab


def test_gitlab_code_quality_has_the_fields_the_widget_reads(cli, corpus):
    folder = corpus({"a.txt": STORY + "\n" + PROMPT + "\n\nhttps://example.com/story\n\n" + PROMPT + "\n"})
    result = cli("check", folder, "--no-cache", "--format", "gitlab", "--select", "BP00")
    issues = json.loads(result.stdout)
    assert result.exit_code == 1
    assert [(i["check_name"], i["severity"], i["location"]) for i in issues] == [
        ("BP001", "major", {"path": "corpus/a.txt", "lines": {"begin": 3, "end": 3}}),
        ("BP008", "minor", {"path": "corpus/a.txt", "lines": {"begin": 5, "end": 5}}),
        ("BP001", "major", {"path": "corpus/a.txt", "lines": {"begin": 7, "end": 7}}),
    ]
    assert issues[0]["description"].startswith("BP001: newsletter or subscription prompt")
    assert len({i["fingerprint"] for i in issues}) == 3  # the same prompt twice: two issues


def test_gitlab_code_quality_says_which_files_were_not_checked(cli, corpus):
    """An empty file was left out of the widget's report: it read as a file checked clean."""
    folder = corpus({"a.txt": STORY, "empty.txt": ""})
    issues = json.loads(cli("check", folder, "--no-cache", "--format", "gitlab").stdout)
    assert [(i["check_name"], i["severity"], i["description"], i["location"]) for i in issues] == [
        ("skipped", "minor", "skipped: not checked: empty file", {"path": "corpus/empty.txt", "lines": {"begin": 1, "end": 1}})
    ]
    assert len(issues[0]["fingerprint"]) == 20
    (folder / "empty.txt").unlink()
    assert json.loads(cli("check", folder, "--no-cache", "--format", "gitlab").stdout) == []


# --------------------------------------------------------------------------- the CI gate and workflow


def _stub(tmp_path: Path, exit_code: int) -> tuple[Path, Path]:
    log = tmp_path / "invocations.log"
    stub = tmp_path / "corpus-validator-stub"
    stub.write_text(f'#!/usr/bin/env bash\nprintf "%s\\n" "$*" >> "{log}"\nexit {exit_code}\n')
    stub.chmod(stub.stat().st_mode | stat.S_IXUSR)
    return stub, log


def _gate(tmp_path: Path, env: dict, *paths: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in ("GITHUB_ACTIONS", "SARIF_OUTPUT", "JUNIT_OUTPUT", "BASELINE")}
    return subprocess.run(["bash", str(REPO / "ci" / "gate.sh"), *paths], cwd=tmp_path, env={**clean, **env},
                          capture_output=True, text=True, timeout=300)  # fmt: skip


@pytest.mark.parametrize("exit_code", [0, 1, 2])
def test_gate_with_sarif_and_junit_runs_the_check_once(tmp_path, exit_code):
    stub, log = _stub(tmp_path, exit_code)
    env = {"CORPUS_VALIDATOR": str(stub), "SARIF_OUTPUT": "out dir/r.sarif", "JUNIT_OUTPUT": "r.xml"}
    assert _gate(tmp_path, env, "corpus").returncode == exit_code
    runs = log.read_text().splitlines()
    assert runs == ["check corpus --engine gx --format text --report sarif=out dir/r.sarif --report junit=r.xml"]


def test_gate_uses_the_baseline_only_where_there_is_one_and_github_format_under_actions(tmp_path):
    stub, log = _stub(tmp_path, 0)
    (tmp_path / "expectations").mkdir()
    (tmp_path / "expectations" / "baseline.json").write_text("{}")
    _gate(tmp_path, {"CORPUS_VALIDATOR": str(stub), "GITHUB_ACTIONS": "true"})
    assert log.read_text().splitlines() == ["check --engine gx --baseline expectations/baseline.json --format github"]


def test_gate_writes_both_reports_from_one_real_run(tmp_path):
    corpus_dir = tmp_path / "corpus"
    corpus_dir.mkdir()
    (corpus_dir / "a b#1.txt").write_text(STORY + "\n" + PROMPT + "\n")
    env = {"CORPUS_VALIDATOR": f"{sys.executable} -m validators", "SARIF_OUTPUT": "r.sarif", "JUNIT_OUTPUT": "r.xml"}
    result = _gate(tmp_path, env, "corpus")
    assert result.returncode == 1, result.stderr
    assert "corpus/a b#1.txt:3:1: BP001" in result.stdout
    assert json.loads((tmp_path / "r.sarif").read_text())["runs"][0]["results"][0]["ruleId"] == "BP001"
    validate_junit((tmp_path / "r.xml").read_text())


def _workflow() -> dict:
    import yaml

    return yaml.safe_load((REPO / "ci" / "corpus-validator.yml").read_text(encoding="utf-8"))


def test_workflow_runs_the_check_once_with_the_permissions_it_needs():
    workflow = _workflow()
    assert workflow["permissions"] == {"contents": "read", "actions": "read", "security-events": "write"}
    steps = workflow["jobs"]["gate"]["steps"]
    scripts = "\n".join(step.get("run", "") for step in steps)
    assert scripts.count("corpus-validator check") == 1 and "--report sarif=corpus-validator.sarif" in scripts
    assert "if [ -f expectations/baseline.json ]" in scripts and "OWNER" not in scripts
    upload = next(step for step in steps if "upload-sarif" in step.get("uses", ""))
    assert upload["with"]["sarif_file"] == "corpus-validator.sarif"


def _installer() -> str:
    install = next(s["run"] for s in _workflow()["jobs"]["gate"]["steps"] if s.get("name") == "Install corpus-validator")
    return install.split("<<'PY'\n", 1)[1].split("\nPY\n", 1)[0]


def test_workflow_installs_the_version_pre_commit_pins(tmp_path):
    (tmp_path / ".pre-commit-config.yaml").write_text(
        "repos:\n  - repo: https://github.com/psf/black\n    rev: 24.1.0\n    hooks: [{id: black}]\n"
        "  - repo: https://git.example.org/tools/corpus-validator\n    rev: v0.2.0\n    hooks:\n      - id: corpus-validator\n"
    )
    done = subprocess.run([sys.executable, "-c", _installer()], cwd=tmp_path, capture_output=True, text=True)
    assert done.stdout.strip() == "corpus-validator @ git+https://git.example.org/tools/corpus-validator@v0.2.0"
    (tmp_path / ".pre-commit-config.yaml").write_text("repos:\n  - repo: local\n    hooks: [{id: other}]\n")
    done = subprocess.run([sys.executable, "-c", _installer()], cwd=tmp_path, capture_output=True, text=True)
    assert done.returncode == 1 and "no corpus-validator hook" in done.stderr


# --------------------------------------------------------------------------- per-file-ignores


def test_per_file_ignores_drop_codes_only_in_matching_files(cli, corpus, tmp_path):
    text = STORY + "\n" + PROMPT + "\n"
    corpus({"archive/2019/a.txt": text, "news/b.txt": text, "news/transcript-1.txt": text})
    (tmp_path / "pyproject.toml").write_text(
        '[tool.corpus-validator]\npaths = ["corpus"]\n'
        '[tool.corpus-validator.per-file-ignores]\n"corpus/archive/**" = ["BP"]\n"transcript-*.txt" = "BP,DU"\n'
    )
    findings = json.loads(cli("check", "--no-cache", "--format", "json").stdout)["findings"]
    assert {(f["code"], f["path"]) for f in findings if f["code"] == "BP001"} == {("BP001", "corpus/news/b.txt")}
    assert {f["code"] for f in findings if f["path"] == "corpus/archive/2019/a.txt"} <= {"DU001", "DU002"}
    assert not [f for f in findings if f["path"] == "corpus/news/transcript-1.txt"]


@pytest.mark.parametrize("table, message", [
    ('"archive/[ab" = ["BP"]', "has a '[' without its ']'"),
    ('"arch**ive" = ["BP"]', "'**' must be a whole path segment"),
    ('"/abs/*.txt" = ["BP"]', "is absolute"),
    ('"archive/**" = ["XX9"]', "which is no rule code or prefix of one"),
    ('"archive/**" = 3', "must be a list of rule codes"),
])  # fmt: skip
def test_bad_per_file_ignores_exit_2_with_a_clear_message(cli, corpus, tmp_path, table, message):
    corpus({"a.txt": STORY})
    (tmp_path / "pyproject.toml").write_text(f"[tool.corpus-validator.per-file-ignores]\n{table}\n")
    result = cli("check", "corpus")
    assert result.exit_code == 2 and message in result.stderr and "per-file-ignores" in result.stderr


def test_an_error_naming_a_hostile_path_prints_it_escaped(cli):
    result = cli("check", "gone\x1b]0;owned\x07\n::error file=x::y.txt")
    assert result.exit_code == 2
    assert result.stderr == "corpus-validator: error: gone\\x1b]0;owned\\x07\\x0a::error file=x::y.txt: no such file or directory\n"


class _Dist:
    def __init__(self, urls=(), direct_url=None):
        from email.message import Message

        self.metadata = Message()
        for url in urls:
            self.metadata["Project-URL"] = url
        self.direct_url = direct_url

    def read_text(self, name):
        return json.dumps(self.direct_url) if name == "direct_url.json" and self.direct_url else None


@pytest.mark.parametrize("dist, expected", [
    (_Dist(["Documentation, https://docs.example.org/cv"]), "https://docs.example.org/cv"),
    (_Dist(direct_url={"url": "https://github.com/acme/corpus-validator.git",
                       "vcs_info": {"vcs": "git", "requested_revision": "v0.2.0", "commit_id": "ab12"}}),
     "https://github.com/acme/corpus-validator/blob/v0.2.0/README.md"),
    (_Dist(direct_url={"url": "https://git.example.org/corpus-validator", "vcs_info": {"vcs": "git", "commit_id": "ab12"}}),
     "https://git.example.org/corpus-validator"),
    (_Dist(direct_url={"url": "file:///work/corpus-validator", "dir_info": {"editable": True}}), None),
])  # fmt: skip
def test_sarif_help_uri_comes_from_where_the_package_was_installed_from(monkeypatch, dist, expected):
    from validators.output import sarif

    import importlib.metadata

    monkeypatch.setattr(importlib.metadata, "distribution", lambda name: dist)
    assert sarif.docs_url() == expected


@pytest.mark.parametrize("paragraphs, summary", [(1, "1 file, 1 paragraph, no findings."), (2, "1 file, 2 paragraphs, no findings.")])
def test_summary_counts_paragraphs_in_the_singular_and_plural(tmp_path, paragraphs, summary):
    text = "\n\n".join(["The council met on Tuesday and agreed to extend the night bus service for two more years."] * paragraphs)
    (tmp_path / "a.txt").write_text(text + "\n", encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "validators", "check", "--engine", "light", "--no-cache", "--select", "EN001", "a.txt"],
                          cwd=tmp_path, capture_output=True, text=True, env={**os.environ, "NO_COLOR": "1"})
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "All clear: " + summary


# --------------------------------------------------------------------------- streamed reports


def _whole_junit(report) -> str:
    """The JUnit report as it was built before it was streamed: one tree, indented whole."""
    from validators.output import junit

    by_path: dict[str, list] = {}
    for f in report.findings:
        by_path.setdefault(f.path, []).append(f)
    skipped = dict(report.skipped)
    totals = {"tests": 0, "failures": 0}
    suites = ET.Element("testsuites", name="corpus-validator")
    for path in sorted({d.path for d in report.documents} | set(by_path)):
        counts = junit._counts(by_path.get(path, []), path in skipped)
        suites.append(junit._suite(path, by_path.get(path, []), counts, skipped.get(path)))
        for key in totals:
            totals[key] += counts[key]
    suites.attrib.update({k: str(v) for k, v in totals.items()}, errors="0")
    ET.indent(suites)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, encoding="unicode") + "\n"


def _whole_html_data(page: str) -> str:
    block = re.search(r'<script type="application/json" id="report-data">(.*?)</script>', page, re.S).group(1)
    from validators.output.html import script_json

    return script_json(json.loads(block)), block


@pytest.mark.parametrize("files", [
    {"empty.txt": ""},  # nothing checked: empty lists, as a whole dump writes them
    {"a.txt": STORY},  # no finding
    {   # findings with related places (copies), hostile names and text, an empty (skipped) file
        **{name: STORY + "\n" + HOSTILE_TEXT + "\n" + PROMPT + "\n" for name in HOSTILE_NAMES[:4]},
        "copy1.txt": STORY + "\n" + PROMPT + "\n", "copy2.txt": STORY + "\n" + PROMPT + "\n", "empty.txt": "",
        "astral.txt": "\U0001f600 \u2028 café\r\n\n" + PROMPT + "\n",
    },
])  # fmt: skip
def test_streamed_reports_are_the_whole_documents_byte_for_byte(run, tmp_path, files):
    """Each format written piece by piece is the text the whole document gave: JSON, SARIF and
    GitLab as ``dumps(document, indent=2)`` of the same values, JUnit as the tree indented
    whole, the HTML page's data as one ``script_json``."""
    report = run(files)
    if len(files) > 2:
        assert any(f.related for f in report.findings) and report.skipped
        listed = Counter(id(p) for f in report.findings for p in f.related)
        assert max(listed.values()) > 1  # a place several findings list: written from one encoding
    for name in FORMATS:
        pieces = list(FORMATS.chunks(name)(report))
        text = "".join(pieces)
        assert text == FORMATS[name](report), name
        if report.findings and name not in ("html", "junit", "text"):
            assert len(pieces) > len(report.findings), name  # written a finding at a time
    if report.findings:  # the text report in pieces of whole lines, as small as asked
        assert len(list(text_report.pieces(report, size=1))) == FORMATS["text"](report).count("\n")
        if name == "junit":
            assert len(pieces) > len(report.documents)  # written a file at a time
    json_report = FORMATS["json"](report)
    whole = dumps({"version": 1, "summary": report.summary(), "findings": [f.to_dict() for f in report.findings]}, indent=2)
    assert json_report == whole + "\n"
    for name in ("sarif", "gitlab"):
        streamed = FORMATS[name](report)
        assert dumps(json.loads(streamed), indent=2) + "\n" == streamed, name
    assert len(json.loads(FORMATS["sarif"](report))["runs"][0]["results"]) == len(report.findings)
    assert FORMATS["junit"](report) == _whole_junit(report)
    redumped, block = _whole_html_data(FORMATS["html"](report))
    assert block == redumped


@pytest.mark.parametrize("document", [[], {"a": 1, "b": []}, {"a": {"b": [1], "c": [{"d": []}]}}, {"runs": [{"x": "[]", "results": []}]}])
def test_dumps_streamed_fills_the_last_list_as_a_whole_dump_would(document):
    from validators.output.escape import dumps_streamed

    items = [{"t": "a\u202eb\x1b", "n": [1, 2]}, "\U000e0001", 3, [], {}]
    for count in range(len(items) + 1):
        whole = json.loads(json.dumps(document))
        target = whole
        while not (isinstance(target, list) and not target):
            target = target[-1] if isinstance(target, list) else list(target.values())[-1]
        target.extend(items[:count])
        assert "".join(dumps_streamed(document, iter(items[:count]))) == dumps(whole, indent=2)


_SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True, allow_infinity=True),
    st.text(st.characters(exclude_categories=())),  # every code point: controls, bidi marks, lone surrogates
)  # fmt: skip
_VALUES = st.recursive(
    _SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.lists(inner, max_size=4).map(tuple),
        st.dictionaries(st.one_of(st.text(max_size=4), st.integers(), st.floats(), st.booleans(), st.none()), inner, max_size=4),
    ),
    max_leaves=12,
)


@settings(max_examples=300, deadline=None)
@given(items=st.lists(_VALUES, max_size=4))
def test_dumps_streamed_writes_any_value_as_json_would(items):
    """The streamed dump's own indenting encoder writes what ``json.dumps(indent=2)`` does
    (hidden characters escaped after), whatever the values: floats, non-string keys, tuples,
    and strings with every kind of code point."""
    from validators.output.escape import dumps_streamed

    assert "".join(dumps_streamed({"items": []}, iter(items))) == dumps({"items": items}, indent=2)


def test_dumps_streamed_writes_subclasses_as_json_would_and_refuses_what_json_refuses():
    import enum

    from validators.output.escape import dumps_streamed

    class Level(str, enum.Enum):
        ERROR = "erreur \u202e"

    class Rank(enum.IntEnum):
        FIRST = 1

    class Ratio(float):
        pass

    items = [Level.ERROR, Rank.FIRST, Ratio(0.5), {"level": [Level.ERROR]}]
    assert "".join(dumps_streamed([], iter(items))) == dumps(items, indent=2)
    with pytest.raises(TypeError):
        list(dumps_streamed([], iter([object()])))


def test_a_shared_value_is_written_in_place_each_time_and_encoded_once(monkeypatch):
    from validators.output import escape

    record = {"path": "a\u202e.txt", "line": 3, "at": {"column": [1]}}
    place = escape.Shared(record)
    items = [{"related": [place, place]}, {"related": [place], "deeper": {"related": [place]}}]
    plain = [{"related": [record, record]}, {"related": [record], "deeper": {"related": [record]}}]
    encoded = []
    original = escape._Indented.encode

    def counting(self, value, at="\n"):
        if value is record:
            encoded.append(at)
        return original(self, value, at)

    monkeypatch.setattr(escape._Indented, "encode", counting)
    assert "".join(escape.dumps_streamed([], iter(items))) == dumps(plain, indent=2)  # deeper too
    assert len(encoded) == 1 and place.value is None  # encoded once, then only its text kept


def test_dumps_streamed_refuses_a_document_that_does_not_end_with_an_empty_list():
    from validators.output.escape import dumps_streamed

    for document in ({"a": [], "b": 1}, {"a": [1]}, "[]"):
        with pytest.raises(ValueError, match="must end with the empty list"):
            list(dumps_streamed(document, []))


def _run_with_stdout(tmp_path: Path, stdout, *args: str, encoding: str = "cp1252") -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONIOENCODING": encoding}
    return subprocess.run([sys.executable, "-m", "validators", "check", "--engine", "light", "--no-cache", *args],
                          cwd=tmp_path, env=env, stdout=stdout, stderr=subprocess.PIPE, timeout=120)  # fmt: skip


def test_machine_formats_on_stdout_are_utf8_whatever_the_locale(tmp_path):
    """On Windows a redirected stdout is in the ANSI code page: SARIF, JSON and JUnit (which say
    they are UTF-8) came out in it, or not at all (a character it lacks stopped the run)."""
    (tmp_path / "café.txt").write_text(STORY.replace("Monday", "Monday \U0001f600") + "\n" + PROMPT + "\n", encoding="utf-8")
    for name in ("sarif", "json", "junit", "gitlab"):
        done = _run_with_stdout(tmp_path, subprocess.PIPE, "--format", name, "café.txt")
        assert done.returncode == 1, done.stderr.decode("utf-8", "replace")
        text = done.stdout.decode("utf-8")  # raises if it is not UTF-8
        assert ("caf%C3%A9.txt" if name == "sarif" else "café.txt") in text
        if name == "junit":
            ET.fromstring(done.stdout)
    done = _run_with_stdout(tmp_path, subprocess.PIPE, "café.txt")  # the text report: the terminal's encoding
    assert done.returncode == 1 and b"caf\xe9.txt:3:1: BP001" in done.stdout


def test_a_stdout_that_cannot_be_written_is_an_io_error_not_a_bug(tmp_path):
    if not os.path.exists("/dev/full"):
        pytest.skip("no /dev/full here")
    (tmp_path / "a.txt").write_text(STORY + "\n" + PROMPT + "\n", encoding="utf-8")
    for args in ((), ("--format", "json")):
        with open("/dev/full", "wb") as full:
            done = _run_with_stdout(tmp_path, full, *args, "a.txt", encoding="utf-8")
        assert done.returncode == 2
        assert done.stderr.decode().strip() == "corpus-validator: error: cannot write to stdout: No space left on device"
