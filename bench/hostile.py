"""The hostile-corpus audit: every command over hostile inputs and bad configurations.

    python bench/hostile.py [--jobs 2] [--timeout 120] [--keep] [--only NAME ...]

Builds each hostile corpus and each bad configuration in a temporary folder outside the
repository (seed articles from ``seeds/`` and text written here), and runs every command
as a subprocess with a timeout:

- per input, on ``--engine light``: ``check`` (text, with json/github/sarif/junit/gitlab/html
  reports from the same run), ``export`` to .parquet, .jsonl and .csv, ``baseline``,
  ``check --baseline``, ``check --with-corpus``, ``fix --diff``; ``fix`` twice on a fresh
  copy, ``fix --drop-noise`` on a third (heavy inputs: check, export .jsonl and fix --diff
  only); on a representative subset also ``check`` and ``fix --diff`` on the GX engine;
- per bad configuration, ``check`` on both engines (each must refuse it: exit 2, one line,
  and, for a bad suite, the same message from both);
- ``fix`` killed with SIGKILL at random moments (no torn file: each file holds its old or
  its new text), a full disk (a small tmpfs in a private mount namespace), and a ``check``
  without network (``unshare -n``), compared byte for byte with one with network.

It prints one table. Tracebacks are any "Traceback" or "internal error" on stderr; hangs
are timeouts; "changed by read-only commands" counts files that check, export, baseline or
fix --diff altered; "bytes lost" counts story paragraphs (running text: 12 words or more
ending a sentence, that no pattern rule BP0xx names) present in the corpus before
``fix`` or ``fix --drop-noise`` and in no file after it; "raw control output" counts text
and github outputs holding a raw control character, escape sequence or bidi override, or a
line starting with ``::``. Every failure is listed under the table. Run as root, the
permission cases run their commands as ``nobody`` (setpriv), since root reads anything.
"""

from __future__ import annotations

import argparse
import hashlib
import html
import json
import os
import random
import re
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import threading
import time
import unicodedata
import xml.etree.ElementTree as ET
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

REPO = Path(__file__).resolve().parent.parent
SEEDS = sorted((REPO / "seeds").glob("*.txt"))
CLI = [sys.executable, "-m", "validators"]
ENV = {**os.environ, "NO_COLOR": "1", "PYTHONPATH": str(REPO)}
ENV.pop("CI", None)
ENV.pop("GITHUB_STEP_SUMMARY", None)
AS_NOBODY = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"] if os.geteuid() == 0 and shutil.which("setpriv") else []

# Story paragraphs written for this audit (no publisher's text).
STORY = [
    "The city council voted on Tuesday to extend the night bus service for another two years, after residents of the outer districts said the last train left them stranded.",
    "Officials from the transport department told the meeting that ridership on the three night routes had doubled since the trial began, although costs rose faster than expected.",
    "Kim Jong Un met the delegation in the capital, and the foreign ministry said the talks with the U.S. would continue next month if both sides agreed on an agenda.",
    "The harbour authority said the new breakwater would protect the fishing fleet from winter storms, which destroyed more than forty boats in the past decade alone.",
    "Farmers in the valley warned that a second dry summer would force many of them to sell their herds, and asked the regional government for help with feed prices.",
    "The museum will reopen its east wing in the spring, with a collection of maps and letters that a local family kept in an attic for more than a century.",
]
FURNITURE = ["Sign up for our daily newsletter", "Share this article", "Copyright © 2024 The Daily Example. All rights reserved.",
             "Click here to read more", "Advertisement", "Related: Five things to know today"]
ARTICLE = "\n\n".join(STORY) + "\n"
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def article(i: int = 0, extra: str = "") -> str:
    """A made-up article: furniture around story paragraphs, rotated by i."""
    story = STORY[i % len(STORY):] + STORY[: i % len(STORY)]
    return "\n\n".join([FURNITURE[0], *story[:4], FURNITURE[1], *([extra] if extra else []), FURNITURE[2]]) + "\n"


def put(folder: Path, name: str | bytes, data: str | bytes) -> Path:
    path = Path(os.fsdecode(os.path.join(os.fsencode(folder), os.fsencode(name))))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


# ---------------------------------------------------------------- hostile inputs

@dataclass
class Input:
    name: str
    build: Callable[[Path], None]  # writes the corpus into the folder given
    gx: bool = False                # also run on the GX engine
    heavy: bool = False             # only check, export .jsonl and fix --diff (bounded time)
    as_nobody: bool = False         # a permission case: run as an unprivileged user
    args: Callable[[Path], list[str]] | None = None  # paths to give (default: the folder)


def _seed_x3(c: Path) -> None:
    for name in "abc":
        shutil.copy(SEEDS[0], c / f"{name}.txt")
    shutil.copy(SEEDS[1], c / "other.txt")


def _names(c: Path) -> None:
    put(c, "a.txt", "Officials in the U.S. said the plan would go ahead. The envoy flew back to the US.\n\n"
        "The benchmark yield, quoted as US10YT=RR on terminals, rose while the U.S. dollar held firm against the euro.\n\n"
        "Players of SC2 and fans of the G-SYNC monitors met in the U.S. capital, said Sen. Ted Cruz (R-TX), who spoke first.\n")
    put(c, "b.txt", "The U.S. team won. Rep. Ann Smith (R-TX) said the GSYNC panels and the U.S. market grew; the US team lost.\n\n" + STORY[0] + "\n")
    put(c, "c.txt", "The U.S. economy grew while the US economy shrank, according to the U.S. agency, reported in the U.S. press.\n\n" + STORY[1] + "\n")


def _symlink_file(c: Path) -> None:
    put(c, "real.txt", article(0, "The mayor\u00a0said the plan was\u200b ready and the vote was set for Friday morning."))
    (c / "link.txt").symlink_to("real.txt")


def _readonly(c: Path) -> None:
    p = put(c, "ro.txt", article(1, "Caf\u00c3\u00a9 owners said the rent rose\u00a0again this year, and that they would close."))
    put(c, "ok.txt", article(2))
    p.chmod(0o444)


def _hardlinks(c: Path) -> None:
    p = put(c, "a.txt", article(3, "The board&nbsp;met on Monday and agreed to the sale of the old depot to the city."))
    os.link(p, c / "b.txt")


def _huge_line(c: Path) -> None:
    line = " ".join(STORY)
    put(c, "huge.txt", (line * (5_000_000 // len(line) + 1))[:5_000_000] + "\n")


def _symlink_loop(c: Path) -> None:
    put(c, "a.txt", article(0))
    (c / "loop1.txt").symlink_to("loop2.txt")
    (c / "loop2.txt").symlink_to("loop1.txt")
    (c / "dangling.txt").symlink_to("nowhere.txt")
    (c / "dirloop").symlink_to(".")


def _bad_name(c: Path) -> None:
    put(c, b"caf\xe9.txt", article(1, "The mayor\u00a0said it."))
    put(c, "a.txt", article(2))


def _surrogate_name(c: Path) -> None:
    put(c, b"\xed\xa0\x80lone.txt", article(3, "A lone\u00a0surrogate in the name of this file is written as bytes."))
    put(c, b"\xff\xfe.txt", article(4))


def _escape_names(c: Path) -> None:
    put(c, "\x1b[2J\x1b]0;pwned\x07title.txt", article(0, "Clear \x1b[2J screen \x1b]0;owned\x07 and \x1b[31mred\x1b[0m text in the story itself."))
    put(c, "b\n::error file=evil.txt,line=1::fake\u2026.txt", article(1, "::error file=evil.txt,line=1::fake finding in the text\n##[error]another"))
    put(c, "rtl\u202eoverride.txt", article(2, "Bidi \u202eoverride\u202c and \u2066isolate\u2069 in text."))


def _junit_controls(c: Path) -> None:
    put(c, "ctl.txt", article(0, "Control \x01 and \x1b and \x7f and \x0b characters in one paragraph of the story here."))
    put(c, "ctl\x01name.txt", article(1, "]]> <![CDATA[ & <tag attr=\"x\"> text"))


def _empty(c: Path) -> None:
    put(c, "empty.txt", b"")
    put(c, "blank.txt", "\n\n   \n\t\n")
    put(c, "bom.txt", b"\xef\xbb\xbf")
    put(c, "a.txt", article(0))


def _line_endings(c: Path) -> None:
    put(c, "crlf.txt", article(0).replace("\n", "\r\n"))
    put(c, "cr.txt", article(1).replace("\n", "\r"))
    text = article(2)
    put(c, "mixed.txt", text[: len(text) // 2].replace("\n", "\r\n") + text[len(text) // 2:])
    put(c, "bom_crlf.txt", b"\xef\xbb\xbf" + article(3).replace("\n", "\r\n").encode())


def _nul_and_bytes(c: Path) -> None:
    put(c, "nul.txt", article(0).encode() + b"\x00\x00binary\x00")
    put(c, "invalid.txt", article(1).encode() + b"Bad \xff\xfe bytes \xc3\x28 and \xed\xa0\x80 surrogate.\n")
    put(c, "latin1.txt", article(2).encode("latin-1", errors="replace") + "Caf\u00e9 cr\u00e8me\n".encode("latin-1"))
    put(c, "png.txt", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8)
    put(c, "utf16.txt", article(3).encode("utf-16"))


def _encoding_damage(c: Path) -> None:
    put(c, "moji.txt", article(0, "The caf\u00c3\u00a9 owner\u00e2\u20ac\u2122s plan &amp; the \u201cnew\u201d menu\u00a0\u2009rose e\u0301 \ufffd zero\u200bwidth."))
    put(c, "nfc.txt", article(1, "Ame\u0301lie and Zoe\u0308 visited Sa\u0303o Paulo in the spring with their families and friends."))


def _long_paths(c: Path) -> None:
    deep = c
    for i in range(60):
        deep = deep / f"d{i}"
    put(deep, "deep.txt", article(0))
    longdir = c / ("L" * 200) / ("M" * 200) / ("N" * 200)
    put(longdir, ("x" * 240) + ".txt", article(1))
    # a path near PATH_MAX
    far = c
    while len(str(far)) < 3800:
        far = far / ("p" * 250)
    put(far, "far.txt", article(2))


def _many_files(c: Path) -> None:
    for i in range(10_000):
        put(c, f"f{i // 1000}/{i:05d}.txt", f"Note {i}: the council met.\n")


def _odd_names(c: Path) -> None:
    put(c, "-", article(0))
    put(c, "-.txt", article(1))
    put(c, "--help.txt", article(2))
    put(c, "--version.txt", article(3))
    put(c, "a b #1 %20 :x.txt", article(4, "The mayor\u00a0said so."))
    put(c, "x.txt/inner.txt", article(5))        # a directory named x.txt
    put(c, "*?[].txt", article(0))
    put(c, "日本語 ニュース.txt", article(1))
    put(c, ".hidden.txt", article(2))
    put(c, "UPPER.TXT", article(3))


def _perm000(c: Path) -> None:
    put(c, "a.txt", article(0))
    put(c, "zero.txt", article(1)).chmod(0)


def _unreadable_dir(c: Path) -> None:
    put(c, "a.txt", article(0))
    put(c, "locked/b.txt", article(1))
    (c / "locked").chmod(0)


def _readonly_dir(c: Path) -> None:
    put(c, "a.txt", article(0, "The mayor\u00a0said so."))
    put(c, "sub/b.txt", article(1, "The mayor\u00a0said so again."))
    (c / "sub").chmod(0o555)


def _furniture_only(c: Path) -> None:
    put(c, "furn.txt", "\n\n".join(FURNITURE * 3) + "\n")
    for i in range(4):
        put(c, f"tmpl{i}.txt", "\n\n".join([FURNITURE[0], STORY[i], STORY[(i + 1) % 6], "Follow us on Twitter", FURNITURE[2]]) + "\n")


def _duplicates(c: Path) -> None:
    for i in range(5):
        put(c, f"copy{i}.txt", ARTICLE)
    put(c, "self.txt", ARTICLE + "\n" + ARTICLE)
    put(c, "one_para.txt", STORY[0] + "\n")
    for i in range(3):
        put(c, f"single{i}.txt", STORY[2] + "\n")


def _stale_tmp(c: Path) -> None:
    put(c, "a.txt", article(0, "The mayor\u00a0said so."))
    tmp = put(c, ".a.txt.abcd1234.tmp", "half")
    old = time.time() - 7200
    os.utime(tmp, (old, old))


def _long_word(c: Path) -> None:
    put(c, "word.txt", article(0, "x" * 200_000))
    put(c, "manypara.txt", "\n\n".join(f"Line {i} of a list." for i in range(20_000)) + "\n")
    put(c, "longlines.txt", "\n".join(STORY * 400) + "\n")


def _names_mixed(c: Path) -> None:
    for i in range(6):
        spelling = ["Kim Jong-un", "Kim Jong Un", "Zelenskyy", "Zelensky", "LinkedIn", "Linkedin"][i]
        put(c, f"n{i}.txt", f"{STORY[i]}\n\nOn Monday {spelling} said the talks went well and that more meetings were planned for the spring.\n")


def _license(c: Path) -> None:
    put(c, "a.txt", article(0))
    put(c.parent, "LICENSE.txt", "Permission is hereby granted, free of charge\n")


INPUTS = [
    Input("seed article in 3 files", _seed_x3, gx=True),
    Input("US./US10YT=RR/SC2/(R-TX)/G-SYNC tie", _names, gx=True),
    Input("symlink to a file", _symlink_file),
    Input("read-only file", _readonly),
    Input("hard links", _hardlinks),
    Input("5 MB one-line file", _huge_line, heavy=True),
    Input("symlink loop, dangling link, dir loop", _symlink_loop, gx=True),
    Input("non-UTF-8 file name", _bad_name, gx=True),
    Input("surrogateescape file names", _surrogate_name),
    Input("terminal escapes, ::error, bidi in names and text", _escape_names, gx=True),
    Input("control characters (JUnit)", _junit_controls, gx=True),
    Input("empty, blank-only, BOM-only files", _empty, gx=True),
    Input("CRLF, CR, mixed endings", _line_endings, gx=True),
    Input("NUL bytes, invalid UTF-8, latin-1, PNG, UTF-16", _nul_and_bytes, gx=True),
    Input("mojibake, entities, NFD, invisibles", _encoding_damage),
    Input("deep folders, long names, path near PATH_MAX", _long_paths),
    Input("10,000 tiny files", _many_files, heavy=True),
    Input("files named -, --help, spaces #%:, glob chars, dir x.txt", _odd_names, gx=True),
    Input("permissions 000 on a file", _perm000, as_nobody=True),
    Input("unreadable directory", _unreadable_dir, as_nobody=True),
    Input("read-only directory (fix)", _readonly_dir, as_nobody=True),
    Input("only furniture; template lines", _furniture_only, gx=True),
    Input("whole-file and paragraph duplicates", _duplicates),
    Input("stale .tmp from a killed fix", _stale_tmp),
    Input("200k-char word, 20k paragraphs", _long_word, heavy=True),
    Input("name spelling variants", _names_mixed),
    Input("a FIFO as a path", lambda c: (put(c, "a.txt", article(0)), os.mkfifo(c / "fifo.txt")),
          args=lambda c: [str(c / "fifo.txt")]),
    Input("/dev/null as a path", lambda c: put(c, "a.txt", article(0)), args=lambda c: ["/dev/null"]),
    Input("a symlink to a file as the path", _symlink_file, args=lambda c: [str(c / "link.txt")]),
    Input("a missing path", lambda c: put(c, "a.txt", article(0)), args=lambda c: [str(c / "missing.txt")]),
    Input("a path named --help given after --", lambda c: put(c, "--help", article(0)), args=lambda c: ["--", "--help"]),
]


# ---------------------------------------------------------------- bad configurations

# Shapes the settings accept on purpose (one path, a comma list of codes, one code for a
# glob): these must run (exit 0 or 1, nothing on stderr), not be refused.
ACCEPTED = {"paths is a string", "select is a string", "per-file-ignores value a string"}
GOOD_SUITE = json.loads((REPO / "expectations" / "paragraphs.json").read_text())


def suite_with(change: Callable[[dict], None]) -> str:
    suite = json.loads(json.dumps(GOOD_SUITE))
    change(suite)
    return json.dumps(suite)


def _first(suite: dict, kind: str = "expect_column_values_to_not_match_regex_list") -> dict:
    return next(e for e in suite["expectations"] if e["type"] == kind)


def _set(path: list, value) -> Callable[[dict], None]:
    def change(suite: dict) -> None:
        target = _first(suite)
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value
    return change


def _add_pattern(pattern: str) -> Callable[[dict], None]:
    return lambda s: _first(s)["kwargs"]["regex_list"].append(pattern)


TOOL = "[tool.corpus-validator]\n"
# (name, pyproject text or None, {expectations file: text or "DIR"}, extra args, suite case)
CONFIGS: list[tuple[str, str | None, dict, list[str], bool]] = [
    ("paths is a string", TOOL + 'paths = "corpus"\n', {}, [], False),
    ("paths holds a number", TOOL + "paths = [1]\n", {}, [], False),
    ("paths = []", TOOL + "paths = []\n", {}, [], False),
    ("paths names a missing folder", TOOL + 'paths = ["nowhere"]\n', {}, [], False),
    ("expectations is a number", TOOL + 'paths = ["corpus"]\nexpectations = 1\n', {}, [], False),
    ("expectations folder missing", TOOL + 'paths = ["corpus"]\nexpectations = "nowhere"\n', {}, [], False),
    ("select is a string", TOOL + 'paths = ["corpus"]\nselect = "BP"\n', {}, [], False),
    ("select an unknown code", TOOL + 'paths = ["corpus"]\nselect = ["ZZ999"]\n', {}, [], False),
    ("ignore holds a number", TOOL + 'paths = ["corpus"]\nignore = [1]\n', {}, [], False),
    ("severity value unknown", TOOL + 'paths = ["corpus"]\nseverity = { NM001 = "fatal" }\n', {}, [], False),
    ("severity code unknown", TOOL + 'paths = ["corpus"]\nseverity = { XX001 = "error" }\n', {}, [], False),
    ("severity is a string", TOOL + 'paths = ["corpus"]\nseverity = "error"\n', {}, [], False),
    ("engine unknown", TOOL + 'paths = ["corpus"]\nengine = "fast"\n', {}, [], False),
    ("engine is a number", TOOL + 'paths = ["corpus"]\nengine = 1\n', {}, [], False),
    ("cache is a string", TOOL + 'paths = ["corpus"]\ncache = "yes"\n', {}, [], False),
    ("unknown key", TOOL + 'paths = ["corpus"]\ncolour = true\n', {}, [], False),
    ("per-file-ignores value a string", TOOL + 'paths = ["corpus"]\n[tool.corpus-validator.per-file-ignores]\n"**" = "BP"\n', {}, [], False),
    ("per-file-ignores value a number", TOOL + 'paths = ["corpus"]\n[tool.corpus-validator.per-file-ignores]\n"*.txt" = 1\n', {}, [], False),
    ("per-file-ignores a list", TOOL + 'paths = ["corpus"]\nper-file-ignores = ["BP"]\n', {}, [], False),
    ("duplicate.min_chars negative", TOOL + 'paths = ["corpus"]\n[tool.corpus-validator.duplicate]\nmin_chars = -1\n', {}, [], False),
    ("duplicate.min_chars a string", TOOL + 'paths = ["corpus"]\n[tool.corpus-validator.duplicate]\nmin_chars = "40"\n', {}, [], False),
    ("duplicate.near_threshold 1.5", TOOL + 'paths = ["corpus"]\n[tool.corpus-validator.duplicate]\nnear_threshold = 1.5\n', {}, [], False),
    ("duplicate.doc_threshold -0.1", TOOL + 'paths = ["corpus"]\n[tool.corpus-validator.duplicate]\ndoc_threshold = -0.1\n', {}, [], False),
    ("duplicate.passage_min_words 0", TOOL + 'paths = ["corpus"]\n[tool.corpus-validator.duplicate]\npassage_min_words = 0\n', {}, [], False),
    ("duplicate unknown key", TOOL + 'paths = ["corpus"]\n[tool.corpus-validator.duplicate]\nshingle = 3\n', {}, [], False),
    ("duplicate is a number", TOOL + 'paths = ["corpus"]\nduplicate = 1\n', {}, [], False),
    ("noise.error_threshold 2", TOOL + 'paths = ["corpus"]\n[tool.corpus-validator.noise]\nerror_threshold = 2\n', {}, [], False),
    ("noise review above error", TOOL + 'paths = ["corpus"]\n[tool.corpus-validator.noise]\nerror_threshold = 0.3\nreview_threshold = 0.9\n', {}, [], False),
    ("noise threshold nan", TOOL + 'paths = ["corpus"]\n[tool.corpus-validator.noise]\nerror_threshold = nan\n', {}, [], False),
    ("noise is a list", TOOL + 'paths = ["corpus"]\nnoise = []\n', {}, [], False),
    ("tool = 1", "tool = 1\n", {}, ["corpus"], False),
    ("tool.corpus-validator = 1", "[tool]\ncorpus-validator = 1\n", {}, ["corpus"], False),
    ("invalid TOML", TOOL + 'paths = ["corpus"\n', {}, [], False),
    ("pyproject not UTF-8", (TOOL + 'paths = ["corpus"]\n# caf\udce9\n'), {}, [], False),
    ("--config missing file", None, {}, ["--config", "missing.toml", "corpus"], False),
    ("--config a directory", None, {}, ["--config", "corpus", "corpus"], False),
    ("--config /dev/null", None, {}, ["--config", "/dev/null", "corpus"], False),
    ("no config, no paths", None, {}, [], False),
    ("paragraphs.json invalid JSON", TOOL + 'paths = ["corpus"]\n', {"paragraphs.json": "{"}, [], True),
    ("paragraphs.json empty", TOOL + 'paths = ["corpus"]\n', {"paragraphs.json": ""}, [], True),
    ("paragraphs.json a list", TOOL + 'paths = ["corpus"]\n', {"paragraphs.json": "[]"}, [], True),
    ("paragraphs.json a directory", TOOL + 'paths = ["corpus"]\n', {"paragraphs.json": "DIR"}, [], True),
    ("expectations not a list", TOOL + 'paths = ["corpus"]\n', {"paragraphs.json": suite_with(lambda s: s.update(expectations={}))}, [], True),
    ("expectation without type", TOOL + 'paths = ["corpus"]\n', {"paragraphs.json": suite_with(lambda s: _first(s).pop("type"))}, [], True),
    ("unknown expectation type", TOOL + 'paths = ["corpus"]\n', {"paragraphs.json": suite_with(_set(["type"], "expect_the_moon"))}, [], True),
    ("type lacking the rule's kwargs", TOOL + 'paths = ["corpus"]\n', {"paragraphs.json": suite_with(_set(["type"], "expect_column_values_to_be_null"))}, [], True),
    ("regex_list a string", TOOL + 'paths = ["corpus"]\n', {"paragraphs.json": suite_with(_set(["kwargs", "regex_list"], "abc"))}, [], True),
    ("regex_list holds a number", TOOL + 'paths = ["corpus"]\n', {"paragraphs.json": suite_with(_set(["kwargs", "regex_list"], [1]))}, [], True),
    ("regex_list empty", TOOL + 'paths = ["corpus"]\n', {"paragraphs.json": suite_with(_set(["kwargs", "regex_list"], []))}, [], True),
    ("invalid regex", TOOL + 'paths = ["corpus"]\n', {"paragraphs.json": suite_with(_add_pattern("(unclosed"))}, [], True),
    ("catastrophic (a+)+$", TOOL + 'paths = ["corpus"]\n', {"paragraphs.json": suite_with(_add_pattern("(a+)+$"))}, [], True),
    ("catastrophic (x*)*y", TOOL + 'paths = ["corpus"]\n', {"paragraphs.json": suite_with(_add_pattern("(?:x*)*y"))}, [], True),
    ("catastrophic (a|aa)+$", TOOL + 'paths = ["corpus"]\n', {"paragraphs.json": suite_with(_add_pattern("^(a|aa)+$"))}, [], True),
    ("extra kwarg", TOOL + 'paths = ["corpus"]\n', {"paragraphs.json": suite_with(_set(["kwargs", "colour"], "red"))}, [], True),
    ("mostly: 2", TOOL + 'paths = ["corpus"]\n', {"paragraphs.json": suite_with(_set(["kwargs", "mostly"], 2))}, [], True),
    ("mostly: \"abc\"", TOOL + 'paths = ["corpus"]\n', {"paragraphs.json": suite_with(_set(["kwargs", "mostly"], "abc"))}, [], True),
    ("mostly: -1", TOOL + 'paths = ["corpus"]\n', {"paragraphs.json": suite_with(_set(["kwargs", "mostly"], -1))}, [], True),
    ("column missing", TOOL + 'paths = ["corpus"]\n', {"paragraphs.json": suite_with(_set(["kwargs", "column"], "nope"))}, [], True),
    ("kwargs a list", TOOL + 'paths = ["corpus"]\n', {"paragraphs.json": suite_with(_set(["kwargs"], ["text"]))}, [], True),
    ("meta a list", TOOL + 'paths = ["corpus"]\n', {"paragraphs.json": suite_with(_set(["meta"], ["BP001"]))}, [], True),
    ("meta without code", TOOL + 'paths = ["corpus"]\n', {"paragraphs.json": suite_with(_set(["meta"], {}))}, [], True),
    ("meta code unknown", TOOL + 'paths = ["corpus"]\n', {"paragraphs.json": suite_with(_set(["meta", "code"], "ZZ999"))}, [], True),
    ("severity unknown in suite", TOOL + 'paths = ["corpus"]\n', {"paragraphs.json": suite_with(_set(["severity"], "fatal"))}, [], True),
    ("index_columns a string", TOOL + 'paths = ["corpus"]\n', {"paragraphs.json": suite_with(lambda s: s["meta"].update(index_columns="path"))}, [], True),
    ("index_columns unknown", TOOL + 'paths = ["corpus"]\n', {"paragraphs.json": suite_with(lambda s: s["meta"].update(index_columns=["nope"]))}, [], True),
    ("between with min a string", TOOL + 'paths = ["corpus"]\n', {"paragraphs.json": suite_with(lambda s: _first(s, "expect_column_values_to_be_between")["kwargs"].update(min_value="low"))}, [], True),
    ("mentions.json invalid", TOOL + 'paths = ["corpus"]\n', {"mentions.json": "{\"expectations\": 5}"}, [], True),
    ("noise.toml bad regex", TOOL + 'paths = ["corpus"]\n', {"noise.toml": (REPO / "expectations/noise.toml").read_text().replace("comment_section = [", "comment_section = [\n  '(unclosed',", 1)}, [], True),
    ("noise.toml catastrophic", TOOL + 'paths = ["corpus"]\n', {"noise.toml": (REPO / "expectations/noise.toml").read_text().replace("comment_section = [", "comment_section = [\n  '(a+)+$',", 1)}, [], True),
    ("noise.toml invalid TOML", TOOL + 'paths = ["corpus"]\n', {"noise.toml": "comment_section = ["}, [], True),
    ("names.toml particles a number", TOOL + 'paths = ["corpus"]\n', {"names.toml": (REPO / "expectations/names.toml").read_text().replace("particles = [", "particles_old = [", 1) + "\nparticles = 1\n"}, [], True),
    ("encoding.toml invalid", TOOL + 'paths = ["corpus"]\n', {"encoding.toml": "= = ="}, [], True),
    ("noise-model.json garbage", TOOL + 'paths = ["corpus"]\n', {"noise-model.json": "{\"trees\": \"no\"}"}, [], True),
    ("expectations is a file", TOOL + 'paths = ["corpus"]\nexpectations = "pyproject.toml"\n', {}, [], False),
    ("--baseline garbage", TOOL + 'paths = ["corpus"]\n', {}, ["--baseline", "corpus/../bad-baseline.json"], False),
    ("--baseline missing", TOOL + 'paths = ["corpus"]\n', {}, ["--baseline", "nowhere.json"], False),
    ("--report unknown format", TOOL + 'paths = ["corpus"]\n', {}, ["--report", "pdf=out.pdf"], False),
    ("--report into a missing folder", TOOL + 'paths = ["corpus"]\n', {}, ["--report", "json=no/such/dir/out.json"], False),
    ("--output to a directory", TOOL + 'paths = ["corpus"]\n', {}, ["--output", "corpus"], False),
    ("--select an unknown code", TOOL + 'paths = ["corpus"]\n', {}, ["--select", "QQ"], False),
]


# ---------------------------------------------------------------- running and checking

@dataclass
class Tally:
    inputs: int = 0
    configs: int = 0
    runs: int = 0
    tracebacks: list = field(default_factory=list)
    hangs: list = field(default_factory=list)
    changed: list = field(default_factory=list)
    not_idempotent: list = field(default_factory=list)
    lost: list = field(default_factory=list)
    raw_output: list = field(default_factory=list)
    bad_reports: list = field(default_factory=list)
    not_refused: list = field(default_factory=list)
    engines_differ: list = field(default_factory=list)
    torn: list = field(default_factory=list)
    other: list = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, kind: str, item: str) -> None:
        with self.lock:
            getattr(self, kind).append(item)


TALLY = Tally()


def run(args: list[str], cwd: Path, label: str, timeout: float, nobody: bool = False) -> subprocess.CompletedProcess | None:
    command = (AS_NOBODY if nobody else []) + CLI + args
    with TALLY.lock:
        TALLY.runs += 1
    try:
        done = subprocess.run(command, cwd=cwd, env=ENV, capture_output=True, timeout=timeout, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        TALLY.add("hangs", f"{label}: {' '.join(args)} (over {timeout:.0f} s)")
        return None
    err = done.stderr.decode("utf-8", "replace")
    if "Traceback" in err or "internal error" in err:
        TALLY.add("tracebacks", f"{label}: {' '.join(args)}: {err.strip().splitlines()[-1][:300]}")
    return done


def snapshot(folder: Path) -> dict[bytes, tuple]:
    """Every entry under folder (the cache excepted): kind, mode, and content hash or link target."""
    seen: dict[bytes, tuple] = {}
    for root, dirs, files in os.walk(os.fsencode(folder)):
        dirs[:] = [d for d in dirs if d != b".corpus-validator-cache"]
        for name in dirs + files:
            path = os.path.join(root, name)
            st = os.lstat(path)
            if stat.S_ISLNK(st.st_mode):
                seen[path] = ("link", os.readlink(path))
            elif stat.S_ISREG(st.st_mode):
                try:
                    with open(path, "rb") as handle:
                        digest = hashlib.sha1(handle.read()).hexdigest()
                except OSError:
                    digest = "unreadable"
                seen[path] = ("file", st.st_mode, st.st_nlink, digest)
            else:
                seen[path] = ("other", st.st_mode)
    return seen


def changes(before: dict, after: dict) -> list[str]:
    keys = set(before) | set(after)
    return sorted(os.fsdecode(k) for k in keys if before.get(k) != after.get(k))


def read_texts(folder: Path) -> dict[bytes, str]:
    texts = {}
    for root, dirs, files in os.walk(os.fsencode(folder)):
        dirs[:] = [d for d in dirs if d != b".corpus-validator-cache"]
        for name in files:
            path = os.path.join(root, name)
            if os.path.isfile(path) and not name.endswith(b".tmp"):
                try:
                    with open(path, "rb") as handle:
                        texts[path] = handle.read().decode("utf-8", "replace")
                except OSError:
                    pass
    return texts


def key(text: str) -> str:
    """A paragraph's words as ASCII letters and digits: what fix's repairs must not change.

    Entities decoded and NFC first, so that "&amp;" becoming "&" or "e" and U+0301 becoming
    "é" (repairs) leave the key as it was."""
    return "".join(ch for ch in unicodedata.normalize("NFC", html.unescape(text)).lower() if ch.isascii() and ch.isalnum())


RUNNING = re.compile(r"[.!?:][\"'”’)\]]*\s*$")


def story(folder: Path, findings: list[dict]) -> set[str]:
    """Keys of the running-text paragraphs no pattern rule names."""
    named: set[tuple[str, int]] = set()
    for f in findings:
        if re.fullmatch(r"BP00\d", f.get("code", "")):
            for line in range(f["line"], f.get("end_line", f["line"]) + 1):
                named.add((os.path.normpath(f["path"]), line))
    keys = set()
    for path, text in read_texts(folder).items():
        rel = os.path.normpath(os.path.relpath(os.fsdecode(path), folder.parent))
        lines = re.split(r"\r\n|\r|\n", text)
        start = None
        for number, line in enumerate(lines + [""], 1):
            if line.strip() and start is None:
                start = number
            elif not line.strip() and start is not None:
                paragraph = " ".join(lines[start - 1: number - 1])
                flagged = any((rel, n) in named for n in range(start, number))
                if len(paragraph.split()) >= 12 and RUNNING.search(paragraph) and not flagged and len(key(paragraph)) >= 40:
                    keys.add(key(paragraph))
                start = None
    return keys


def lost(folder: Path, keys: set[str]) -> list[str]:
    everything = "\n".join(key(t) for t in read_texts(folder).values())
    return [k[:60] for k in keys if k not in everything]


OWN_ANNOTATION = re.compile(r"::(error|warning|notice) file=(corpus/|/)[^\n]*")


def raw_control(data: bytes, github: bool = False) -> str | None:
    """A raw control character, escape or bidi override, or a line that would be a CI command.

    GitHub output is made of annotations: there a line may start with the tool's own
    ``::error file=corpus/…``, never another command."""
    text = data.decode("utf-8", "replace")
    match = CONTROL.search(text.replace("\n", "").replace("\t", ""))
    if match:
        return f"raw {match.group()!r}"
    for line in text.split("\n"):
        if (line.startswith("::") and not (github and OWN_ANNOTATION.fullmatch(line))) or line.startswith("##["):
            return f"line starts {line[:60]!r}"
    return None


def check_reports(out: Path, label: str) -> None:
    for fmt in ("json", "sarif", "gitlab"):
        path = out / f"report.{fmt}"
        if path.exists():
            try:
                json.loads(path.read_bytes())
            except ValueError as error:
                TALLY.add("bad_reports", f"{label}: {fmt} is not JSON: {error}")
    junit = out / "report.junit"
    if junit.exists():
        try:
            ET.parse(junit)
        except ET.ParseError as error:
            TALLY.add("bad_reports", f"{label}: junit is not well-formed XML: {error}")
    github = out / "report.github"
    if github.exists():
        problem = raw_control(github.read_bytes(), github=True)
        if problem:
            TALLY.add("raw_output", f"{label}: github report: {problem}")


def _findings(out: Path) -> list[dict]:
    try:
        return json.loads((out / "report.json").read_bytes())["findings"]
    except (OSError, ValueError, KeyError):
        return []


def audit_input(case: Input, tmp: Path, timeout: float) -> None:
    """The read-only commands on one copy, fix twice on a second, fix --drop-noise on a third.

    The later copies start with the first one's feature cache (keyed by content), so only
    the first check pays for the features."""
    label = case.name
    base = tmp / f"in{INPUTS.index(case):02d}"
    nobody = case.as_nobody and bool(AS_NOBODY)
    exits: dict[str, int] = {}
    findings: list[dict] = []
    for engine, phase in [("light", "check"), ("light", "fix"), ("light", "drop")] + ([("gx", "check")] if case.gx else []):
        if case.heavy and phase != "check":
            continue
        project = base / f"{engine}-{phase}"
        corpus = project / "corpus"
        corpus.mkdir(parents=True)
        (project / "pyproject.toml").write_text(TOOL + 'paths = ["corpus"]\n')
        case.build(corpus)
        cache = base / "light-check" / ".corpus-validator-cache"
        if phase != "check" and cache.is_dir():
            shutil.copytree(cache, project / ".corpus-validator-cache")
        out = base / f"out-{engine}-{phase}"
        out.mkdir()
        if nobody:
            subprocess.run(["chown", "-R", "65534:65534", str(project), str(out)], check=False)
            os.chmod(base, 0o755)
        paths = case.args(corpus) if case.args else ["corpus"]
        opts = ["--engine", engine]
        limit = timeout * (4 if case.heavy else 1)
        go = lambda args, what: run(args, project, f"{label} [{engine}] {what}", limit, nobody)

        if phase == "check":
            before = snapshot(project)
            reports = [a for fmt in ("json", "github", "sarif", "junit", "gitlab", "html")
                       for a in ("--report", f"{fmt}={out / f'report.{fmt}'}")]
            done = go(["check", *opts, *reports, *paths], "check (text; json, github, sarif, junit, gitlab, html reports)")
            if done is not None:
                exits[engine] = done.returncode
                problem = raw_control(done.stdout) or raw_control(done.stderr)
                if problem:
                    TALLY.add("raw_output", f"{label} [{engine}] check text: {problem}")
                check_reports(out, f"{label} [{engine}]")
                if engine == "light":
                    findings = _findings(out)
            commands = [(["fix", *opts, "--diff", *paths], "fix --diff")]
            if engine == "light":
                exports = ["jsonl"] if case.heavy else ["parquet", "jsonl", "csv"]
                commands += [(["export", *opts, "-o", str(out / f"export.{ext}"), *paths], f"export .{ext}") for ext in exports]
                if not case.heavy:
                    commands += [(["baseline", *opts, "-o", str(out / "baseline.json"), *paths], "baseline"),
                                 (["check", *opts, "--baseline", str(out / "baseline.json"), *paths], "check --baseline"),
                                 (["check", *opts, "--with-corpus", *paths], "check --with-corpus")]
            for args, what in commands:
                done = go(args, what)
                if done is not None and what == "fix --diff":
                    problem = raw_control(done.stdout)
                    if problem:
                        TALLY.add("raw_output", f"{label} [{engine}] {what}: {problem}")
            changed = changes(before, snapshot(project))
            if changed:
                TALLY.add("changed", f"{label} [{engine}]: {changed[:3]}")
        elif phase == "fix":
            keys = story(corpus, findings)
            go(["fix", *opts, *paths], "fix")
            first = snapshot(project)
            go(["fix", *opts, *paths], "fix (2nd)")
            again = changes(first, snapshot(project))
            if again:
                TALLY.add("not_idempotent", f"{label} [{engine}]: {again[:3]}")
            gone = lost(corpus, keys)
            if gone:
                TALLY.add("lost", f"{label} [{engine}] fix: {len(gone)} story paragraphs, e.g. {gone[0]!r}")
        elif phase == "drop":
            keys = story(corpus, findings)
            sizes = {p: len(t.strip()) for p, t in read_texts(corpus).items()}
            go(["fix", *opts, "--drop-noise", *paths], "fix --drop-noise")
            gone = lost(corpus, keys)
            if gone:
                TALLY.add("lost", f"{label} [{engine}] fix --drop-noise: {len(gone)} story paragraphs, e.g. {gone[0]!r}")
            emptied = [os.fsdecode(p) for p, t in read_texts(corpus).items() if sizes.get(p) and not t.strip()]
            if emptied:
                TALLY.add("lost", f"{label} [{engine}] fix --drop-noise emptied {emptied[:2]}")
    if case.gx and "gx" in exits and exits.get("light") != exits.get("gx"):
        TALLY.add("engines_differ", f"{label}: check exits light {exits.get('light')}, gx {exits.get('gx')}")


def audit_config(index: int, tmp: Path, timeout: float) -> None:
    name, pyproject, files, extra, is_suite = CONFIGS[index]
    project = tmp / f"cfg{index:02d}"
    corpus = project / "corpus"
    corpus.mkdir(parents=True)
    for seed in SEEDS:
        shutil.copy(seed, corpus / seed.name)
    put(corpus, "aaa.txt", "a" * 40 + "b\n\n" + "x" * 40 + "\n")
    (project / "bad-baseline.json").write_text("{\"version\": 99, \"findings\": 5}")
    if pyproject is not None:
        (project / "pyproject.toml").write_bytes(pyproject.encode("utf-8", "surrogateescape"))
    if files:
        shutil.copytree(REPO / "expectations", project / "expectations")
        for file, text in files.items():
            target = project / "expectations" / file
            target.unlink()
            if text == "DIR":
                target.mkdir()
            else:
                target.write_text(text)
    messages = {}
    for engine in ("light", "gx"):
        done = run(["check", "--engine", engine, "--no-cache", *extra], project, f"config {name!r} [{engine}]", timeout)
        if done is None:
            continue
        err = done.stderr.decode("utf-8", "replace").strip()
        messages[engine] = err
        lines = [line for line in err.splitlines() if line.strip()]
        if name in ACCEPTED:
            if done.returncode not in (0, 1) or lines:
                TALLY.add("not_refused", f"config {name!r} [{engine}] (a valid shape): exit {done.returncode}, stderr {err[-200:]!r}")
        elif done.returncode != 2 or len(lines) != 1:
            TALLY.add("not_refused", f"config {name!r} [{engine}]: exit {done.returncode}, stderr {err[-200:]!r}")
    if is_suite and len(messages) == 2 and messages["light"] != messages["gx"]:
        TALLY.add("engines_differ", f"config {name!r}: light {messages['light'][:120]!r} / gx {messages['gx'][:120]!r}")


# ---------------------------------------------------------------- SIGKILL, full disk, no network

def _fixable_corpus(folder: Path, files: int = 120) -> None:
    for i in range(files):
        put(folder, f"f{i:03d}.txt", article(i, f"Report {i}: the caf\u00c3\u00a9\u00a0owner said&nbsp;the vote was set.\u200b"))


def sigkill_trials(tmp: Path, trials: int, timeout: float) -> None:
    reference = tmp / "kill-ref"
    _fixable_corpus(reference / "corpus")
    (reference / "pyproject.toml").write_text(TOOL + 'paths = ["corpus"]\n')
    old = {p.name: p.read_bytes() for p in (reference / "corpus").iterdir()}
    start = time.perf_counter()
    run(["fix", "--engine", "light", "--no-cache", "corpus"], reference, "sigkill reference fix", timeout)
    seconds = time.perf_counter() - start
    new = {p.name: p.read_bytes() for p in (reference / "corpus").iterdir()}
    if new == old:
        TALLY.add("other", "sigkill: the reference fix changed nothing (trials meaningless)")
    rng = random.Random(12)
    for trial in range(trials):
        project = tmp / f"kill{trial:02d}"
        _fixable_corpus(project / "corpus")
        (project / "pyproject.toml").write_text(TOOL + 'paths = ["corpus"]\n')
        process = subprocess.Popen(CLI + ["fix", "--engine", "light", "--no-cache", "corpus"], cwd=project, env=ENV,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        TALLY.runs += 1
        time.sleep(rng.uniform(0.3, 1.0) * seconds)
        process.send_signal(signal.SIGKILL)
        process.wait()
        for path in (project / "corpus").iterdir():
            if path.name.endswith(".tmp"):
                continue
            data = path.read_bytes()
            if data not in (old.get(path.name), new.get(path.name)):
                TALLY.add("torn", f"sigkill trial {trial}: {path.name} is neither old nor new ({len(data)} bytes)")
        # the next run finishes the job
        run(["fix", "--engine", "light", "--no-cache", "corpus"], project, f"sigkill trial {trial} re-run", timeout)
        after = {p.name: p.read_bytes() for p in (project / "corpus").iterdir() if not p.name.endswith(".tmp")}
        if after != new:
            TALLY.add("torn", f"sigkill trial {trial}: the re-run did not reach the reference result")


def full_disk(tmp: Path, timeout: float) -> str:
    """fix, export and check --output on a full tmpfs (private mount namespace)."""
    if not shutil.which("unshare"):
        return "full disk: not run (no unshare)"
    script = tmp / "fulldisk.sh"
    mount = tmp / "fulldisk"
    mount.mkdir()
    script.write_text(f"""set -e
mount -t tmpfs -o size=2m tmpfs {mount}
mkdir {mount}/corpus
cp -r {tmp}/kill-src/corpus/. {mount}/corpus/
printf '[tool.corpus-validator]\\npaths = ["corpus"]\\n' > {mount}/pyproject.toml
cd {mount}
dd if=/dev/zero of={mount}/filler bs=4k 2>/dev/null || true
sha1sum corpus/* > {tmp}/fulldisk.before
for args in "fix --engine light" "export --engine light -o out.jsonl" "check --engine light --output out.txt" "baseline --engine light -o b.json"; do
  set +e
  {' '.join(CLI)} $args corpus > /dev/null 2> {tmp}/fulldisk.err
  echo "$args => $?: $(tail -n 3 {tmp}/fulldisk.err | tr '\\n' ' ')" >> {tmp}/fulldisk.log
  set -e
done
sha1sum corpus/* > {tmp}/fulldisk.after
""")
    _fixable_corpus(tmp / "kill-src" / "corpus", 20)
    try:
        done = subprocess.run(["unshare", "-rm", "sh", str(script)], env=ENV, capture_output=True, timeout=timeout * 4)
    except subprocess.TimeoutExpired:
        TALLY.add("hangs", "full disk run")
        return "full disk: hung"
    if done.returncode != 0 or not (tmp / "fulldisk.log").exists():
        return f"full disk: not run ({done.stderr.decode(errors='replace').strip()[:120]})"
    log = (tmp / "fulldisk.log").read_text()
    TALLY.runs += 4
    for line in log.splitlines():
        if "Traceback" in line or "internal error" in line:
            TALLY.add("tracebacks", f"full disk: {line[:200]}")
        elif "=> 2:" not in line:
            TALLY.add("other", f"full disk: not exit 2: {line[:200]}")
    if (tmp / "fulldisk.before").read_text() != (tmp / "fulldisk.after").read_text():
        TALLY.add("torn", "full disk: fix changed files though it could not write them all")
    return "full disk (2 MB tmpfs, filled): " + "; ".join(line.split(":")[0] for line in log.splitlines())


def no_network(tmp: Path, timeout: float) -> str:
    project = tmp / "nonet"
    (project / "corpus").mkdir(parents=True)
    for seed in SEEDS:
        shutil.copy(seed, project / "corpus" / seed.name)
    (project / "pyproject.toml").write_text(TOOL + 'paths = ["corpus"]\n')
    if not shutil.which("unshare") or subprocess.run(["unshare", "-n", "true"], capture_output=True).returncode != 0:
        return "no network: not run (unshare -n unavailable)"
    same = []
    for engine in ("light", "gx"):
        outputs = []
        for prefix in ([], ["unshare", "-n"]):
            TALLY.runs += 1
            try:
                done = subprocess.run(prefix + CLI + ["check", "--engine", engine, "--no-cache", "--format", "sarif", "corpus"],
                                      cwd=project, env=ENV, capture_output=True, timeout=timeout)
            except subprocess.TimeoutExpired:
                TALLY.add("hangs", f"no network [{engine}]")
                return "no network: hung"
            if "Traceback" in done.stderr.decode(errors="replace"):
                TALLY.add("tracebacks", f"no network [{engine}]")
            outputs.append((done.returncode, done.stdout))
        if outputs[0] != outputs[1]:
            TALLY.add("other", f"no network [{engine}]: output differs from the run with network")
        same.append(f"{engine} {'identical' if outputs[0] == outputs[1] else 'DIFFERENT'}")
    return "no network (unshare -n), check --format sarif: " + ", ".join(same)


# ---------------------------------------------------------------- main

def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--timeout", type=float, default=120, help="seconds per command (heavy inputs: 3x)")
    parser.add_argument("--trials", type=int, default=12, help="SIGKILL trials")
    parser.add_argument("--only", nargs="*", help="run only inputs/configs whose name contains one of these")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = parser.parse_args()
    start = time.perf_counter()
    tmp = Path(tempfile.mkdtemp(prefix="hostile-"))
    os.chmod(tmp, 0o755)
    wanted = lambda name: not args.only or any(o.lower() in name.lower() for o in args.only)
    inputs = [c for c in INPUTS if wanted(c.name)]
    configs = [i for i, c in enumerate(CONFIGS) if wanted(c[0])]
    TALLY.inputs, TALLY.configs = len(inputs), len(configs)
    notes = []
    try:
        with ThreadPoolExecutor(args.jobs) as pool:
            jobs = [pool.submit(audit_input, c, tmp, args.timeout) for c in inputs]
            jobs += [pool.submit(audit_config, i, tmp, args.timeout) for i in configs]
            for job in jobs:
                error = job.exception()
                if error:
                    TALLY.add("other", f"audit error: {type(error).__name__}: {error}")
        if not args.only:
            sigkill_trials(tmp, args.trials, args.timeout)
            notes.append(f"SIGKILL during fix: {args.trials} trials")
            notes.append(full_disk(tmp, args.timeout))
            notes.append(no_network(tmp, args.timeout))
    finally:
        if args.keep:
            print(f"kept {tmp}")
        else:
            subprocess.run(["chmod", "-R", "u+rwx", str(tmp)], check=False)
            shutil.rmtree(tmp, ignore_errors=True)
    t = TALLY
    rows = [
        ("inputs tried", t.inputs), ("bad configurations tried", t.configs), ("runs", t.runs),
        ("tracebacks", len(t.tracebacks)), ("hangs", len(t.hangs)),
        ("files changed by read-only commands", len(t.changed)), ("fix not idempotent", len(t.not_idempotent)),
        ("bytes lost (story paragraphs gone, files emptied)", len(t.lost)),
        ("raw control output (text, github, diff)", len(t.raw_output)), ("malformed reports", len(t.bad_reports)),
        ("bad configs not refused in one line (exit 2)", len(t.not_refused)), ("engines disagree", len(t.engines_differ)),
        ("torn files (SIGKILL, full disk)", len(t.torn)), ("other", len(t.other)),
    ]
    width = max(len(r[0]) for r in rows)
    print()
    for label, value in rows:
        print(f"{label:<{width}}  {value:>6}")
    for note in notes:
        print(note)
    print(f"total {time.perf_counter() - start:.0f} s")
    for kind in ("tracebacks", "hangs", "changed", "not_idempotent", "lost", "raw_output", "bad_reports",
                 "not_refused", "engines_differ", "torn", "other"):
        for item in getattr(t, kind):
            print(f"- {kind}: {item}".encode("unicode_escape").decode("ascii").replace("\\n", "\n"))
    failures = sum(v for label, v in rows[3:])
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
