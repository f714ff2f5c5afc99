"""The command line as a CI job or a person meets it: output, messages and exit codes."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from conftest import REPO, write_corpus
from validators.frame import PARAGRAPH_COLUMNS

CLEAN = "The talks ended without agreement, officials in Seoul said on Monday evening.\n"
NOISY = CLEAN + "\nSign up for our daily newsletter\n"


def test_clean_corpus_exits_0(cli, corpus):
    folder = corpus({"a.txt": CLEAN})
    result = cli("check", folder)
    assert result.exit_code == 0, result.output
    assert "no findings" in result.stdout


def test_error_finding_exits_1_with_a_linter_line_and_summary(cli, corpus):
    folder = corpus({"a.txt": NOISY})
    result = cli("check", folder)
    assert result.exit_code == 1
    assert "corpus/a.txt:3:1: BP001 [error] newsletter or subscription prompt" in result.stdout
    assert "    help: delete this paragraph" in result.stdout
    assert result.stdout.rstrip().splitlines()[-1].startswith("Found 1 finding (1 error")


def test_warnings_alone_do_not_fail_the_gate(cli, corpus):
    folder = corpus({"a.txt": b"\xef\xbb\xbf" + CLEAN.encode()})
    result = cli("check", folder)
    assert result.exit_code == 0
    assert "EN003 [warning]" in result.stdout


def test_json_output_shape(cli, corpus):
    folder = corpus({"a.txt": NOISY})
    result = cli("check", folder, "--format", "json")
    report = json.loads(result.stdout)
    assert report["version"] == 1
    assert report["summary"]["errors"] == 1 and report["summary"]["files"] == 1
    (finding,) = report["findings"]
    assert set(finding) == {
        "code", "family", "severity", "path", "line", "column",
        "end_line", "end_column", "message", "suggestion", "related", "related_count", "fixable", "fingerprint",
    }  # fmt: skip
    assert (finding["line"], finding["column"], finding["end_line"], finding["end_column"]) == (3, 1, 3, 33)


def test_output_file_is_written_and_stdout_stays_empty(cli, corpus, tmp_path):
    folder = corpus({"a.txt": NOISY})
    result = cli("check", folder, "--format", "json", "--output", tmp_path / "report.json")
    assert result.exit_code == 1 and result.stdout == ""
    assert json.loads((tmp_path / "report.json").read_text())["summary"]["findings"] == 1


def test_select_and_ignore(cli, corpus):
    folder = corpus({"a.txt": NOISY})
    assert cli("check", folder, "--ignore", "BP").exit_code == 0
    assert cli("check", folder, "--select", "EN,NM").exit_code == 0
    assert cli("check", folder, "--select", "BP001").exit_code == 1


def test_missing_path_exits_2_with_one_line(cli):
    result = cli("check", "no/such/folder")
    assert result.exit_code == 2
    assert result.stderr == "corpus-validator: error: no/such/folder: no such file or directory\n"


def test_unknown_option_and_unknown_code_exit_2(cli, corpus):
    folder = corpus({"a.txt": CLEAN})
    assert cli("check", folder, "--colour").exit_code == 2
    result = cli("check", folder, "--select", "XX9")
    assert result.exit_code == 2 and "'XX9', which is no rule code" in result.stderr
    assert cli("check", folder, "--format", "xml").exit_code == 2


def test_empty_file_is_reported_and_skipped(cli, corpus):
    folder = corpus({"a.txt": CLEAN, "empty.txt": ""})
    result = cli("check", folder)
    assert result.exit_code == 0
    assert "corpus/empty.txt: skipped: empty file" in result.stdout


def test_binary_file_is_an_error_finding_and_the_rest_is_still_checked(cli, corpus):
    folder = corpus({"a.txt": NOISY, "b.txt": "North Korea".encode("utf-16")})
    result = cli("check", folder)
    assert result.exit_code == 1
    assert "corpus/b.txt:1:1: EN004 [error] binary file: NUL byte at byte 3" in result.stdout
    assert "corpus/a.txt:3:1: BP001" in result.stdout


def test_undecodable_bytes_do_not_stop_the_check(cli, corpus):
    folder = corpus({"a.txt": b"Caf\xe9 owners protested on Monday.\n\nSign up for our daily newsletter\n"})
    result = cli("check", folder)
    assert result.exit_code == 1
    assert "corpus/a.txt:1:4: EN002 [error] not UTF-8: 0xe9 at byte 3" in result.stdout
    assert "corpus/a.txt:3:1: BP001" in result.stdout


def _unreadable(monkeypatch) -> None:
    """Reading a corpus file fails as for a file of mode 000 (which root reads all the same)."""
    from validators import ingest

    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(Path, "read_bytes", refuse)
    monkeypatch.setattr(ingest, "open", refuse, raising=False)


def test_unreadable_file_exits_2(cli, corpus, monkeypatch):
    folder = corpus({"a.txt": CLEAN})
    _unreadable(monkeypatch)
    result = cli("check", folder)
    assert result.exit_code == 2
    assert result.stderr == "corpus-validator: error: corpus/a.txt: cannot read: Permission denied\n"


def test_an_unreadable_file_named_as_the_path_is_the_same_one_line(cli, corpus, monkeypatch):
    # Named on the command line, not found in a folder: the same message, not click's usage error.
    folder = corpus({"a.txt": CLEAN})
    _unreadable(monkeypatch)
    monkeypatch.setattr(os, "access", lambda *args, **kwargs: False)  # as for a file of mode 000, not as root
    result = cli("check", folder / "a.txt")
    assert result.exit_code == 2
    assert result.stderr == "corpus-validator: error: corpus/a.txt: cannot read: Permission denied\n"


def test_a_report_may_not_replace_a_corpus_file_or_another_report(cli, corpus, tmp_path):
    folder = corpus({"a.txt": NOISY, "b.txt": CLEAN})
    article = (folder / "a.txt").read_bytes()
    for args in (["--output", folder / "a.txt"], ["--report", f"json={folder / 'a.txt'}"], ["--output", folder / "new.txt"]):
        result = cli("check", folder, *args)
        assert result.exit_code == 2 and "a report there would replace or join the corpus checked" in result.stderr, args
    result = cli("check", folder / "b.txt", "--output", folder / "b.txt")
    assert result.exit_code == 2 and "would replace or join the corpus checked" in result.stderr
    assert (folder / "a.txt").read_bytes() == article and not (folder / "new.txt").exists()
    result = cli("check", folder, "--output", tmp_path / "r.out", "--report", f"sarif={tmp_path / 'r.out'}")
    assert result.exit_code == 2 and "named for two reports" in result.stderr and not (tmp_path / "r.out").exists()
    # Beside the corpus, or a file that is no .txt inside it: written.
    assert cli("check", folder, "--output", tmp_path / "report.txt").exit_code == 1
    assert cli("check", folder, "--output", folder / "report.json", "--format", "json").exit_code == 1

def test_a_baseline_or_export_may_not_replace_a_corpus_file(cli, corpus, tmp_path):
    folder = corpus({"a.txt": NOISY, "b.csv": CLEAN})
    article, table = (folder / "a.txt").read_bytes(), (folder / "b.csv").read_bytes()
    for args in (["baseline", folder, "-o", folder / "a.txt"], ["baseline", folder, "-o", folder / "new.txt"],
                 ["export", folder / "b.csv", "-o", folder / "b.csv"]):  # fmt: skip
        result = cli(*args)
        assert result.exit_code == 2 and "would replace or join the corpus checked" in result.stderr, args
    assert (folder / "a.txt").read_bytes() == article and (folder / "b.csv").read_bytes() == table
    assert not (folder / "new.txt").exists()
    assert cli("baseline", folder, "-o", tmp_path / "accepted.json").exit_code == 0
    assert cli("export", folder, "-o", tmp_path / "paragraphs.csv").exit_code == 0



def test_huge_single_line_is_checked(cli, corpus):
    line = ("word " * 400_000).strip() + "\n"  # 2 MB in one line
    folder = corpus({"a.txt": line})
    result = cli("check", folder)
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize(
    "setting, message",
    [
        ("colour = true", "unknown key 'colour'"),
        ("select = [\"QQ\"]", "no rule code or prefix"),
        ("ignore = [\"\"]", "'ignore' names an empty code"),  # "" is a prefix of every code: nothing would run
        ("severity = { \"\" = \"info\" }", "'severity' names an empty code"),
        ("[tool.corpus-validator.per-file-ignores]\n\"**\" = [\"\"]", "names an empty code"),
        ("severity = { BP001 = \"fatal\" }", "severity of BP001 must be one of"),
        ("paths = 3", "must be a list of paths"),
        ("jobs = 0", "'jobs' must be a whole number of worker processes, at least 1"),
        ("jobs = \"2\"", "'jobs' must be a whole number of worker processes, at least 1"),
        ("[tool.corpus-validator.duplicate]\nmin_chars = -1", "min_chars must be a whole number"),
        ("select = [", "cannot read TOML"),
        ("[tool.corpus-validator.noise]\nerror_threshold = 2", "noise.error_threshold must be a number from 0 to 1"),
        ("[tool.corpus-validator.noise]\nreview_threshold = \"high\"", "noise.review_threshold must be a number from 0 to 1"),
        ("[tool.corpus-validator.noise]\nreview = 0.5", "[noise] takes only article_part_threshold, error_threshold, furnished_threshold, pattern_threshold, review_threshold"),
        ("[tool.corpus-validator.noise]\npattern_threshold = -0.1", "noise.pattern_threshold must be a number from 0 to 1"),
        ("[tool.corpus-validator.noise]\nerror_threshold = 0.3\nreview_threshold = 0.6", "review_threshold must not be above"),
    ],
)
def test_bad_config_exits_2_with_the_reason(cli, corpus, tmp_path, setting, message):
    corpus({"a.txt": CLEAN})
    (tmp_path / "pyproject.toml").write_text(f"[tool.corpus-validator]\n{setting}\n")
    result = cli("check", "corpus")
    assert result.exit_code == 2
    assert message in result.stderr and result.stderr.count("\n") == 1


def test_config_paths_severity_and_ignore_apply(cli, corpus, tmp_path):
    corpus({"a.txt": NOISY})
    (tmp_path / "pyproject.toml").write_text('[tool.corpus-validator]\npaths = ["corpus"]\nseverity = { BP = "warning" }\n')
    result = cli("check")
    assert result.exit_code == 0 and "BP001 [warning]" in result.stdout
    (tmp_path / "pyproject.toml").write_text('[tool.corpus-validator]\npaths = ["corpus"]\nignore = ["BP001"]\n')
    assert "BP001" not in cli("check").stdout


def test_broken_suite_is_a_clear_error(cli, corpus, tmp_path):
    corpus({"a.txt": CLEAN})
    (tmp_path / "expectations").mkdir()
    (tmp_path / "expectations" / "paragraphs.json").write_text('{"expectations": [}')
    (tmp_path / "pyproject.toml").write_text('[tool.corpus-validator]\npaths = ["corpus"]\n')
    result = cli("check")
    assert result.exit_code == 2
    assert "expectations/paragraphs.json:1:" in result.stderr and "not valid JSON" in result.stderr


@pytest.mark.parametrize(
    "text, message",
    [
        ("comment_section = ['(unclosed']\n", "'(unclosed' is not a valid regular expression"),
        ("comment_headings = []\n", "unknown key(s) comment_headings"),
        ("comment_section = 'Comments'\n", "comment_section must be a list of regular expressions"),
        ("comment_section = ['^(\\w+\\s?)+$']\n", "can take exponential time"),
    ],
)
def test_broken_noise_data_is_a_clear_error(cli, corpus, tmp_path, text, message):
    corpus({"a.txt": CLEAN})
    (tmp_path / "expectations").mkdir()
    (tmp_path / "expectations" / "noise.toml").write_text(text)
    result = cli("check", "corpus")
    assert result.exit_code == 2 and "noise.toml" in result.stderr and message in result.stderr, result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    "text, message",
    [
        ("{", "not valid JSON"),
        ('{"format": "something else"}', "not a noise model"),
        ('{"format": "corpus-validator noise model", "features": ["words"], "trees": [{"feature": [-1], "threshold": [0], "left": [0], "right": [0], "value": [1]}]}', "not a valid noise model: KeyError"),
        ('{"format": "corpus-validator noise model", "features": ["words"], "trees": []}', "'trees' must be a list of one tree or more"),
        ('{"format": "corpus-validator noise model", "features": ["words", "words"], "trees": []}', "a feature is named twice"),
        # NaN or Infinity (JSON as Python reads it) would make every score NaN, and no paragraph fail.
        ('{"format": "corpus-validator noise model", "features": ["words"], "bias": NaN, "calibration": {"raw": [0, 1], "probability": [0, 1]}, "trees": [{"feature": [-1], "threshold": [0], "left": [0], "right": [0], "value": [1]}]}', "is not a finite number"),
        ('{"format": "corpus-validator noise model", "features": ["words"], "calibration": {"raw": [0, 1], "probability": [0, 1]}, "trees": [{"feature": [0, -1, -1], "threshold": [Infinity, 0, 0], "left": [1, 0, 0], "right": [2, 0, 0], "value": [0, 1, 2]}]}', "is not a finite number"),
        ('{"format": "corpus-validator noise model", "features": ["words"], "calibration": {"raw": [0, 1], "probability": [0, 2]}, "trees": [{"feature": [-1], "threshold": [0], "left": [0], "right": [0], "value": [1]}]}', "probabilities must lie from 0 to 1"),
        ('{"format": "corpus-validator noise model", "features": ["colour"], "trees": []}', "feature(s) this version does not compute: colour"),
        # A split whose child is itself or above it would walk forever; one past the tree's end reads another tree.
        ('{"format": "corpus-validator noise model", "features": ["words"], "calibration": {"raw": [0, 1], "probability": [0, 1]}, "trees": [{"feature": [0, -1, -1], "threshold": [1, 0, 0], "left": [0, 0, 0], "right": [2, 0, 0], "value": [0, 1, 2]}]}', "tree 0: a node points outside the tree or back up it"),
        ('{"format": "corpus-validator noise model", "features": ["words"], "calibration": {"raw": [0, 1], "probability": [0, 1]}, "trees": [{"feature": [-1], "threshold": [0], "left": [0], "right": [0], "value": [1]}, {"feature": [0, -1, -1], "threshold": [1, 0, 0], "left": [1, 0, 0], "right": [3, 0, 0], "value": [0, 1, 2]}]}', "tree 1: a node points outside the tree or back up it"),
        ('{"format": "corpus-validator noise model", "features": ["words"], "calibration": {"raw": [0, 1], "probability": [0, 1]}, "trees": [{"feature": [0, -1], "threshold": [1, 0], "left": [1, 0], "right": [1, 0, 0], "value": [0, 1]}]}', "tree 0: node lists of different lengths"),
    ],
)
def test_broken_noise_model_is_a_clear_error(cli, corpus, tmp_path, text, message):
    corpus({"a.txt": CLEAN})
    (tmp_path / "expectations").mkdir()
    (tmp_path / "expectations" / "noise-model.json").write_text(text)
    result = cli("check", "corpus")
    assert result.exit_code == 2 and "noise-model.json" in result.stderr and message in result.stderr, result.stderr


@pytest.mark.parametrize("suffix", [".parquet", ".jsonl", ".csv"])
def test_export_writes_the_paragraph_table_with_codes(cli, corpus, tmp_path, suffix):
    folder = corpus({"a.txt": NOISY})
    out = tmp_path / f"paragraphs{suffix}"
    result = cli("export", folder, "--output", out)
    assert result.exit_code == 0, result.output
    if suffix == ".parquet":
        rows = pq.read_table(out).to_pylist()
        codes = [r["codes"] for r in rows]
    elif suffix == ".jsonl":
        rows = [json.loads(line) for line in out.read_text().splitlines()]
        codes = [r["codes"] for r in rows]
    else:
        import csv

        with out.open(newline="") as handle:
            rows = list(csv.DictReader(handle))
        codes = [r["codes"].split() for r in rows]
    assert [r["line_start"] for r in rows] in ([1, 3], ["1", "3"])
    assert codes == [[], ["BP001"]]
    assert list(rows[0])[: len(PARAGRAPH_COLUMNS)] == PARAGRAPH_COLUMNS  # first the table users know


def test_export_columns_come_in_one_order_with_or_without_the_cache(cli, corpus, tmp_path):
    folder = corpus({"a.txt": NOISY})
    (tmp_path / "pyproject.toml").write_text('[tool.corpus-validator]\npaths = ["corpus"]\n')
    cli("check")  # fills the cache
    cli("export", folder, "--output", tmp_path / "cached.csv")
    cli("export", folder, "--output", tmp_path / "fresh.csv", "--no-cache")
    header = [(tmp_path / name).read_text().splitlines()[0] for name in ("cached.csv", "fresh.csv")]
    assert header[0] == header[1] and header[0].startswith(",".join(PARAGRAPH_COLUMNS))


def test_export_unknown_format_exits_2(cli, corpus, tmp_path):
    folder = corpus({"a.txt": CLEAN})
    result = cli("export", folder, "--output", tmp_path / "out.xlsx")
    assert result.exit_code == 2 and "unknown export format .xlsx" in result.stderr


def test_rule_explains_a_code_and_lists_all(cli):
    result = cli("rule", "bp001")
    assert result.exit_code == 0 and "Bad:" in result.stdout and "Good:" in result.stdout
    listing = cli("rule").stdout
    assert "EN001" in listing and "NM001" in listing
    assert cli("rule", "ZZ1").exit_code == 2


def test_installed_command_prints_nothing_but_the_report(tmp_path):
    """GX runs inside: no progress bar, log line or warning may reach stdout or stderr."""
    folder = write_corpus(tmp_path / "corpus", {"a.txt": NOISY})
    result = subprocess.run(
        [sys.executable, "-m", "validators", "check", str(folder), "--format", "json"],
        capture_output=True, text=True, cwd=tmp_path, timeout=300,
    )  # fmt: skip
    assert result.returncode == 1, result.stderr
    assert result.stderr == ""
    json.loads(result.stdout)


def test_the_program_writes_its_whole_report_and_exits_with_the_gates_code(tmp_path):
    """The program leaves freeing its objects to the operating system at exit: what it
    printed (more than a pipe holds) all arrives first, and the exit code is the gate's."""
    noisy = {f"{n:03}.txt": NOISY for n in range(150)}  # each file repeats the others: many findings
    folder = write_corpus(tmp_path / "corpus", {**noisy, "clean.txt": CLEAN})

    def program(*args):
        return subprocess.run([sys.executable, "-m", "validators", *args], capture_output=True, text=True, cwd=tmp_path, timeout=300)

    failing = program("check", "--engine", "light", "--no-cache", str(folder))
    assert failing.returncode == 1 and len(failing.stdout) > 1 << 16, failing.stderr  # a pipe holds 64 KiB
    assert failing.stdout.splitlines()[-1].startswith("Found 449 findings") and failing.stdout.count("BP001") == 150
    assert program("check", "--engine", "light", "--no-cache", str(folder / "clean.txt")).returncode == 0
    wrong = program("check", "--engine", "nonsense", str(folder))
    assert wrong.returncode == 2 and "nonsense" in wrong.stderr


def test_a_check_run_under_a_profiler_exits_as_python_does_and_the_profile_is_written(tmp_path):
    """The quick exit stands aside for a profiler, which writes its data as Python exits."""
    import pstats

    folder = write_corpus(tmp_path / "corpus", {"a.txt": NOISY})
    profile = tmp_path / "check.prof"
    done = subprocess.run([sys.executable, "-m", "cProfile", "-o", str(profile), "-m", "validators", "check", "--engine", "light", str(folder)],
                          capture_output=True, text=True, cwd=tmp_path, timeout=300)  # fmt: skip
    assert "BP001" in done.stdout and done.stdout.endswith("paragraphs.\n"), done.stderr  # (cProfile keeps no exit code)
    assert pstats.Stats(str(profile)).total_calls > 0


def test_a_command_run_in_process_leaves_the_cycle_collector_as_it_found_it(cli, corpus):
    """A check turns Python's cycle collector off while it runs; called from a program of
    one's own (not as the program itself, which exits), it turns it back on."""
    import gc

    assert gc.isenabled()
    assert cli("check", corpus({"a.txt": NOISY}), "--engine", "light").exit_code == 1
    assert gc.isenabled()


HEAVY = ("numpy", "ftfy", "pandas", "great_expectations")

#: Runs the command line in-process with argv[1:], then prints its exit code and the heavy modules imported.
IMPORTS_PROBE = (
    "import sys\nfrom validators.cli import main\n"
    "try:\n    main(sys.argv[1:])\n"
    f"except SystemExit as e:\n    print(e.code, sorted(m for m in {HEAVY!r} if m in sys.modules))\n"
)


@pytest.mark.parametrize("args", [["--version"], ["--help"], ["check", "--help"], ["rule", "BP001"]])
def test_version_help_and_rule_import_nothing_heavy(args):
    """A person's or a script's `--version` answers in a bare Python start's time, not NumPy's and ftfy's."""
    result = subprocess.run([sys.executable, "-c", IMPORTS_PROBE, *args], capture_output=True, text=True, cwd=REPO)
    assert result.stdout.strip().splitlines()[-1] == "0 []", result.stdout + result.stderr


def test_a_check_does_import_what_it_needs(tmp_path):
    """The probe above sees imports: a check does load NumPy and ftfy (the light engine, not GX)."""
    write_corpus(tmp_path / "corpus", {"a.txt": CLEAN})
    result = subprocess.run([sys.executable, "-c", IMPORTS_PROBE, "check", "--engine", "light", "--no-cache", "corpus"],
                            capture_output=True, text=True, cwd=tmp_path)  # fmt: skip
    assert result.stdout.strip().splitlines()[-1] == "0 ['ftfy', 'numpy']", result.stdout + result.stderr


def test_the_package_imports_only_the_command_s_first_step_until_its_api_is_read():
    """The console script imports ``validators`` before ``launch`` can catch Ctrl-C: an import of
    the table code there (17 ms of a cold start) ended a Ctrl-C in a traceback. The Python API
    is still there, imported when first read."""
    probe = (
        "import sys, validators.launch\n"
        "print(sorted(m for m in sys.modules if m.startswith('validators')))\n"
        "import validators\n"
        "print(validators.load_paragraphs.__module__, validators.PARAGRAPH_COLUMNS[0])\n"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=REPO)
    assert result.stdout.splitlines() == ["['validators', 'validators.launch']", "validators.frame path"], result.stderr


def test_main_module_runs_from_the_repository():
    result = subprocess.run([sys.executable, "-m", "validators", "--version"], capture_output=True, text=True, cwd=REPO)
    assert result.returncode == 0 and "corpus-validator" in result.stdout


@pytest.mark.parametrize("suffix", [".parquet", ".jsonl", ".csv"])
def test_export_keeps_going_on_undecodable_bytes(cli, corpus, tmp_path, suffix):
    folder = corpus({"a.txt": b"Caf\xe9 owners protested on Monday evening in Seoul.\n"})
    out = tmp_path / f"paragraphs{suffix}"
    result = cli("export", folder, "--output", out)
    assert result.exit_code == 0, result.output
    if suffix == ".parquet":
        (row,) = pq.read_table(out).to_pylist()
    elif suffix == ".jsonl":
        row = json.loads(out.read_text(encoding="utf-8"))
    else:
        import csv

        with out.open(newline="", encoding="utf-8") as handle:
            (row,) = list(csv.DictReader(handle))
    assert row["raw"].startswith("Caf\ufffd owners")
    assert row["undecodable"] == "0xe9 at byte 3"


def test_no_report_baseline_or_export_replaces_a_file_the_run_reads(cli, corpus, tmp_path):
    corpus({"a.txt": NOISY})
    (tmp_path / "pyproject.toml").write_text('[tool.corpus-validator]\npaths = ["corpus"]\n')
    (tmp_path / "expectations").mkdir()
    (tmp_path / "expectations" / "names.toml").write_text("")
    assert cli("baseline").exit_code == 0  # expectations/baseline.json: the baseline's own place
    kept = {p: p.read_bytes() for p in [tmp_path / "pyproject.toml", *(tmp_path / "expectations").iterdir()]}
    for args in (
        ["check", "--baseline", "expectations/baseline.json", "-o", "expectations/baseline.json"],
        ["check", "--report", "sarif=expectations/names.toml"],
        ["baseline", "-o", "pyproject.toml"],
        ["export", "-o", "pyproject.toml"],  # refused for its suffix, before anything is written
    ):
        result = cli(*args)
        assert result.exit_code == 2, args
    assert {p: p.read_bytes() for p in kept} == kept
    assert "the run reads this file (settings, expectations or a baseline)" in cli("baseline", "-o", "pyproject.toml").stderr
    assert cli("baseline", "-o", "expectations/baseline.json").exit_code == 0  # written again, as asked


def test_an_unknown_own_code_names_where_it_was_given(cli, corpus, tmp_path):
    corpus({"a.txt": CLEAN})
    (tmp_path / "pyproject.toml").write_text('[tool.corpus-validator]\npaths = ["corpus"]\nignore = ["XQ"]\n')
    assert "pyproject.toml: 'ignore' names 'XQ', which is no rule code" in cli("check").stderr
    (tmp_path / "pyproject.toml").write_text('[tool.corpus-validator]\npaths = ["corpus"]\n')
    for option in ("--select", "--ignore"):
        result = cli("check", option, "XB001")
        assert result.exit_code == 2 and result.stderr.startswith(f"corpus-validator: error: {option} names 'XB001', which is no rule code")
