"""Hostile corpora and bad settings: nothing hangs, one stray file does not stop the gate,
and every mistake is one clear line on stderr with exit 2, never "internal error"."""

import json
import os
import random
import re
import xml.etree.ElementTree as ET

import pandas as pd
import pytest

from conftest import REPO, write_corpus
from validators.segment import LINE_BREAK, position

CLEAN = "The talks ended without agreement, officials in Seoul said on Monday evening.\n"
NOISY = CLEAN + "\nSign up for our daily newsletter\n"


def _position_by_rescan(raw, offset, line_start):
    """What position() computed before it kept each paragraph's line breaks."""
    line, line_begin = line_start, 0
    for match in LINE_BREAK.finditer(raw, 0, offset):
        line += 1
        line_begin = match.end()
    return line, offset - line_begin + 1


def test_position_gives_what_a_rescan_gives_for_any_text_and_offset():
    rng = random.Random(12)
    for _ in range(3000):
        text = "".join(rng.choice(["a", "é", " ", "\n", "\r", "\r\n", "xy"]) for _ in range(rng.randint(0, 30)))
        base = rng.choice([0] + [m.end() for m in LINE_BREAK.finditer(text)])  # a paragraph starts a line
        offset = rng.randint(0, len(text) - base)
        expected = _position_by_rescan(text[base : base + offset], offset, 7)
        assert position(text, offset, 7, base) == expected, (text, base, offset)
        assert position(text[base:], offset, 7) == expected


def test_a_one_line_paragraph_is_scanned_for_line_breaks_once(monkeypatch):
    """The hang of a 50 MB one-line file: each name mention rescanned the paragraph from its start."""
    from validators import segment

    scans = []
    real = segment.LINE_BREAK

    class Counting:
        def finditer(self, text, *args):
            scans.append(len(text))
            return real.finditer(text, *args)

    monkeypatch.setattr(segment, "LINE_BREAK", Counting())
    segment._breaks.cache_clear()
    line = "Kim Jong Un met Moon Jae-in. " * 2000
    places = [position(line, offset, 1) for offset in range(0, len(line), 29)]
    assert places[-1] == (1, len(line) - 29 + 1)
    assert len(scans) == 1


# ----------------------------------------------------------------------------- stray files


def test_a_symbolic_link_loop_is_skipped_and_the_rest_is_checked(cli, corpus):
    folder = corpus({"a.txt": NOISY})
    os.symlink("loop.txt", folder / "loop.txt")
    os.symlink("b.txt", folder / "c.txt")
    os.symlink("c.txt", folder / "b.txt")
    result = cli("check", "--engine", "light", folder)
    assert result.exit_code == 1, result.output
    assert "corpus/a.txt:3:1: BP001" in result.stdout
    assert "corpus/loop.txt: skipped: symbolic link loop" in result.stdout
    assert "corpus/b.txt: skipped: symbolic link loop" in result.stdout


def test_a_symbolic_link_loop_named_as_the_path_is_one_clear_error(cli, corpus):
    folder = corpus({"a.txt": CLEAN})
    os.symlink("loop.txt", folder / "loop.txt")
    result = cli("check", "corpus/loop.txt")
    assert result.exit_code == 2
    assert result.stderr == "corpus-validator: error: corpus/loop.txt: symbolic link loop\n"


NON_UTF8_NAME = os.fsdecode(b"caf\xe9.txt")


@pytest.fixture
def oddly_named(corpus):
    return corpus({NON_UTF8_NAME: NOISY})


@pytest.mark.parametrize("fmt", ["text", "json", "github", "sarif", "junit"])
def test_a_file_name_that_is_not_utf8_is_written_escaped_in_every_format(cli, oddly_named, fmt):
    result = cli("check", "--format", fmt, oddly_named)
    assert result.exit_code == 1, result.output
    if fmt == "json":  # the exact name, its byte as JSON's \udce9 escape
        assert json.loads(result.stdout)["findings"][0]["path"] == "corpus/" + NON_UTF8_NAME
    elif fmt == "sarif":  # a URI: the byte percent-encoded
        location = json.loads(result.stdout)["runs"][0]["results"][0]["locations"][0]["physicalLocation"]
        assert location["artifactLocation"]["uri"] == "corpus/caf%E9.txt"
    else:
        assert "caf\\xe9.txt" in result.stdout


@pytest.mark.parametrize("suffix", [".parquet", ".jsonl", ".csv"])
def test_export_writes_a_non_utf8_file_name_escaped(cli, oddly_named, tmp_path, suffix):
    target = tmp_path / f"out{suffix}"
    result = cli("export", oddly_named, "-o", target)
    assert result.exit_code == 0, result.output
    if suffix == ".parquet":
        paths = pd.read_parquet(target)["path"].tolist()
    elif suffix == ".jsonl":
        paths = [json.loads(line)["path"] for line in target.read_text(encoding="utf-8").splitlines()]
    else:
        paths = pd.read_csv(target)["path"].tolist()
    assert set(paths) == {"corpus/caf\\xe9.txt"}


def test_baseline_records_a_non_utf8_file_name_and_accepts_its_findings(cli, oddly_named, tmp_path):
    target = tmp_path / "baseline.json"
    assert cli("baseline", oddly_named, "-o", target).exit_code == 0
    entries = json.loads(target.read_text(encoding="utf-8"))["findings"].values()
    assert {e["path"] for e in entries} == {"corpus/caf\\xe9.txt"}
    assert cli("check", "--baseline", target, oddly_named).exit_code == 0


# ----------------------------------------------------------------------------- clear messages


def _suite_with(tmp_path, change):
    suite = json.loads((REPO / "expectations" / "paragraphs.json").read_text(encoding="utf-8"))
    change(suite)
    (tmp_path / "expectations").mkdir(exist_ok=True)
    (tmp_path / "expectations" / "paragraphs.json").write_text(json.dumps(suite), encoding="utf-8")


def _first_kwargs(**kwargs):
    return lambda suite: suite["expectations"][0]["kwargs"].update(kwargs)


SUITE_MISTAKES = {
    "mostly not a number": (_first_kwargs(mostly="abc"), "mostly must be a number from 0 to 1, not 'abc'"),
    "a type without the kwargs its rule reads": (
        lambda s: s["expectations"].__setitem__(0, {"type": "expect_column_values_to_not_match_regex", "kwargs": {"column": "text"}, "meta": {"code": "BP001"}}),
        "kwargs needs regex",
    ),
    "kwargs as a list": (lambda s: s["expectations"][0].__setitem__("kwargs", ["text"]), "kwargs must be an object, not list"),
    "meta as a list": (lambda s: s["expectations"][0].__setitem__("meta", ["BP001"]), "meta must be an object, not list"),
    "index_columns as a string": (lambda s: s["meta"].__setitem__("index_columns", "path"), "meta.index_columns must be a list of column names"),
    "a catastrophic pattern": (lambda s: s["expectations"][0]["kwargs"]["regex_list"].append("(a+)+$"), "can take exponential time"),
}


@pytest.mark.parametrize("engine", ["light", "gx"])
@pytest.mark.parametrize("case", SUITE_MISTAKES, ids=list(SUITE_MISTAKES))
def test_a_suite_mistake_is_one_clear_line(cli, corpus, tmp_path, case, engine):
    corpus({"a.txt": "a" * 40 + "b\n\n" + NOISY})
    change, message = SUITE_MISTAKES[case]
    _suite_with(tmp_path, change)
    result = cli("check", "--engine", engine, "corpus")
    assert result.exit_code == 2, result.output
    assert message in result.stderr and result.stderr.count("\n") == 1, result.stderr
    assert "internal error" not in result.stderr and "paragraphs.json" in result.stderr


def test_a_suite_file_that_is_a_folder_is_an_error_not_the_bundled_suite(cli, corpus, tmp_path):
    corpus({"a.txt": NOISY})
    (tmp_path / "expectations" / "paragraphs.json").mkdir(parents=True)
    result = cli("check", "corpus")
    assert result.exit_code == 2
    assert result.stderr.endswith("expectations/paragraphs.json: not a file\n") and result.stderr.count("\n") == 1


@pytest.mark.parametrize("target", ["/nonexistent/paragraphs.json", "paragraphs.json"])  # nowhere; itself (a loop)
def test_a_suite_file_that_is_a_broken_link_is_an_error_not_the_bundled_suite(cli, corpus, tmp_path, target):
    corpus({"a.txt": NOISY})
    (tmp_path / "expectations").mkdir()
    (tmp_path / "expectations" / "paragraphs.json").symlink_to(target)
    result = cli("check", "corpus")
    assert result.exit_code == 2
    assert result.stderr.endswith("expectations/paragraphs.json: a symbolic link to no file\n"), result.stderr


@pytest.mark.parametrize(
    "pyproject, message",
    [
        ("tool = 1\n", "'tool' must be a table, not int"),
        ("[tool.corpus-validator]\npaths = []\n", "'paths' is empty"),
    ],
)
def test_a_settings_mistake_is_one_clear_line(cli, corpus, tmp_path, pyproject, message):
    corpus({"a.txt": CLEAN})
    (tmp_path / "pyproject.toml").write_text(pyproject)
    result = cli("check")
    assert result.exit_code == 2
    assert message in result.stderr and result.stderr.count("\n") == 1 and "internal error" not in result.stderr


def test_check_with_no_paths_and_no_settings_says_how_to_configure(cli, corpus):
    corpus({"a.txt": CLEAN})  # tmp_path has no pyproject.toml, nor has any folder above it
    result = cli("check")
    assert result.exit_code == 2
    assert "no paths given and none configured" in result.stderr and "paths = [" in result.stderr
    assert "seeds" not in result.stderr


def test_an_unreadable_folder_is_one_clear_line(cli, corpus, monkeypatch):
    folder = corpus({"a.txt": CLEAN, "locked/b.txt": CLEAN})
    real_scandir = os.scandir

    def scandir(path):
        if str(path).endswith("locked"):
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    result = cli("check", folder)
    assert result.exit_code == 2
    assert result.stderr == "corpus-validator: error: corpus/locked: cannot read folder: Permission denied\n"


@pytest.mark.parametrize("kind", ["fifo", "devnull"])
def test_a_fifo_or_device_given_as_a_path_is_refused_without_waiting(cli, tmp_path, kind):
    if kind == "fifo":
        path = tmp_path / "pipe.txt"
        os.mkfifo(path)
    else:
        path = os.devnull
    result = cli("check", path)
    assert result.exit_code == 2
    assert "not a file or folder (a FIFO, a device or a socket)" in result.stderr and result.stderr.count("\n") == 1


def test_a_fifo_inside_the_corpus_is_passed_over(cli, corpus):
    folder = corpus({"a.txt": NOISY})
    os.mkfifo(folder / "pipe.txt")
    result = cli("check", folder)
    assert result.exit_code == 1 and "corpus/a.txt:3:1: BP001" in result.stdout


# ----------------------------------------------------------------------------- smaller


def test_the_hook_skips_files_outside_the_configured_paths(cli, corpus, tmp_path):
    corpus({"a.txt": CLEAN})
    (tmp_path / "LICENSE.txt").write_text("Copyright (c) 2024 Someone. All rights reserved.\n")
    (tmp_path / "pyproject.toml").write_text('[tool.corpus-validator]\npaths = ["corpus"]\n')
    result = cli("check", "--engine", "light", "--with-corpus", "LICENSE.txt")
    assert result.exit_code == 0, result.output
    assert "BP002" not in result.stdout
    assert result.stderr == "corpus-validator: skipped (outside the configured paths): LICENSE.txt\n"
    noisy = cli("check", "--engine", "light", "--with-corpus", "LICENSE.txt", "corpus/a.txt")
    assert noisy.exit_code == 0 and "corpus/a.txt" not in noisy.stderr


def test_a_hook_run_on_files_outside_the_corpus_still_writes_the_reports_asked_for(cli, corpus, tmp_path):
    """It exited 0 and wrote nothing: a SARIF file left by an earlier run (with its errors)
    stayed in place for the workflow to upload."""
    corpus({"a.txt": CLEAN})
    (tmp_path / "LICENSE.txt").write_text("Copyright (c) 2024 Someone. All rights reserved.\n")
    (tmp_path / "pyproject.toml").write_text('[tool.corpus-validator]\npaths = ["corpus"]\n')
    (tmp_path / "out.sarif").write_text('{"stale": true}')
    result = cli("check", "--with-corpus", "LICENSE.txt", "--format", "sarif", "-o", "out.sarif", "--report", "junit=out.xml")
    assert result.exit_code == 0, result.output
    sarif = json.loads((tmp_path / "out.sarif").read_text())
    assert sarif["runs"][0]["results"] == [] and sarif["runs"][0]["tool"]["driver"]["rules"]
    assert ET.parse(tmp_path / "out.xml").getroot().get("failures") == "0"
    shown = cli("check", "--with-corpus", "LICENSE.txt", "--format", "json")
    assert json.loads(shown.stdout)["summary"]["files"] == 0


def test_with_corpus_the_summary_counts_the_paragraphs_of_the_files_reported(cli, corpus, tmp_path):
    corpus({"a.txt": NOISY, "b.txt": CLEAN + "\n" + CLEAN.replace("Monday", "Tuesday") + "\n" + CLEAN.replace("Monday", "Friday")})
    (tmp_path / "pyproject.toml").write_text('[tool.corpus-validator]\npaths = ["corpus"]\n')
    result = cli("check", "--engine", "light", "--with-corpus", "--format", "json", "corpus/a.txt")
    summary = json.loads(result.stdout)["summary"]
    assert (summary["files"], summary["paragraphs"]) == (1, 2)


def test_parquet_export_keeps_whole_numbers_with_gaps_as_integers(cli, corpus, tmp_path):
    corpus({"a.txt": CLEAN + "\n" + "Sign up\n", "b.txt": CLEAN})
    target = tmp_path / "out.parquet"
    assert cli("export", "corpus", "-o", target).exit_code == 0
    frame = pd.read_parquet(target)
    assert str(frame["dup_of"].dtype) == "Int64" and str(frame["dup_key"].dtype) == "Int64"
    assert frame["dup_of"].isna().sum() == 2 and frame["dup_of"].dropna().tolist() == [0]
    assert re.fullmatch(r"-?\d+", str(frame["dup_key"].dropna().iloc[0]))
