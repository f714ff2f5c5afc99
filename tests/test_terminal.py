"""What a person at a terminal sees: a progress bar on stderr (only there), colour by
severity (honouring NO_COLOR and FORCE_COLOR), --quiet, --statistics, --exit-zero; and
``rule CODE`` with invisible characters escaped. Also GX Data Docs (``--data-docs``)."""

from __future__ import annotations

import fcntl
import os
import pty
import select
import struct
import subprocess
import sys
import termios
from pathlib import Path

import pytest

from conftest import REPO

CLEAN = "The talks ended without agreement, officials in Seoul said on Monday evening.\n"
NOISY = CLEAN + "\nSign up for our daily newsletter\n\nAlready a subscriber? Log in\n\nKim\u00a0Jong Un met Kim Jong-un and Kim Jong Un.\n\nKim Jong-un left.\n"

# The command line in a fresh interpreter, with the bar's one-second delay set to nothing
# so a small corpus shows it.
RUN_WITHOUT_DELAY = "import sys, validators.progress as p; p.DELAY = 0; from validators.cli import main; main(sys.argv[1:])"


def environment(**changes) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("CI", "NO_COLOR", "FORCE_COLOR", "GITHUB_ACTIONS")}
    env.update(TERM="xterm", PYTHONPATH=str(REPO), **changes)
    return env


def read_all(fd: int) -> bytes:
    chunks = []
    while True:
        ready, _, _ = select.select([fd], [], [], 60)
        if not ready:
            break
        try:
            chunk = os.read(fd, 65536)
        except OSError:  # the other end closed (Linux raises EIO)
            break
        if not chunk:
            break
        chunks.append(chunk)
    return b"".join(chunks)


def run_on_terminal(args: list[str], stream: str, code: str = RUN_WITHOUT_DELAY, **env) -> tuple[bytes, bytes, int]:
    """Run the command line with ``stream`` ("stdout" or "stderr") on a pseudo-terminal and
    the other one on a pipe; returns (what the terminal got, what the pipe got, exit code)."""
    controller, terminal = pty.openpty()
    fcntl.ioctl(terminal, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 100, 0, 0))  # 40 rows, 100 columns
    other = subprocess.PIPE
    process = subprocess.Popen(
        [sys.executable, "-c", code, *args],
        stdout=terminal if stream == "stdout" else other,
        stderr=terminal if stream == "stderr" else other,
        stdin=subprocess.DEVNULL,
        env=environment(**env),
    )
    os.close(terminal)
    seen = read_all(controller)
    pipe = process.stdout if stream == "stderr" else process.stderr
    piped = pipe.read()
    pipe.close()
    os.close(controller)
    return seen, piped, process.wait(timeout=120)


@pytest.fixture
def noisy(corpus):
    return str(corpus({"a.txt": NOISY, "b.txt": CLEAN}))


# ----------------------------------------------------------------------------- progress


def test_progress_bar_appears_on_a_terminal(noisy):
    seen, stdout, code = run_on_terminal(["check", noisy, "--engine", "light", "--no-cache"], "stderr")
    assert code == 1
    assert b"reading files" in seen and b"features" in seen and b"evaluation" in seen
    assert b"0/2 [" in seen and b"files/s" in seen  # counts the two files
    assert seen.endswith(b"\r") and seen.split(b"\r")[-2].strip() == b""  # the line is blanked at the end
    assert b"BP001" in stdout and b"reading files" not in stdout  # the report stays clean


def test_no_progress_bar_in_a_pipe(noisy):
    result = subprocess.run([sys.executable, "-c", RUN_WITHOUT_DELAY, "check", noisy, "--engine", "light", "--no-cache"],
                            capture_output=True, env=environment(), timeout=120)  # fmt: skip
    assert result.returncode == 1 and result.stderr == b""
    assert b"BP001" in result.stdout


def test_no_progress_bar_in_ci_or_when_quiet(noisy):
    seen, _, _ = run_on_terminal(["check", noisy, "--engine", "light", "--no-cache"], "stderr", CI="true")
    assert seen == b""
    seen, _, _ = run_on_terminal(["check", noisy, "--engine", "light", "--no-cache", "--quiet"], "stderr")
    assert seen == b""


def test_short_run_draws_no_bar(noisy):
    """With the real one-second delay, a run of a fraction of a second shows nothing."""
    code = "import sys; from validators.cli import main; main(sys.argv[1:])"
    seen, stdout, _ = run_on_terminal(["check", noisy, "--engine", "light", "--no-cache"], "stderr", code=code)
    assert seen == b"" and b"BP001" in stdout


# ----------------------------------------------------------------------------- colour


def test_colour_on_a_terminal_by_severity(noisy):
    code = "import sys; from validators.cli import main; main(sys.argv[1:])"
    seen, _, _ = run_on_terminal(["check", noisy, "--engine", "light", "--no-cache"], "stdout", code=code)
    assert b"\x1b[1;31mBP001 [error]\x1b[0m" in seen
    assert b"\x1b[1;36mEN008 [info]\x1b[0m" in seen
    seen, _, _ = run_on_terminal(["check", noisy, "--engine", "light", "--no-cache"], "stdout", code=code, NO_COLOR="1")
    assert b"\x1b[" not in seen and b"BP001 [error]" in seen


def test_colour_forced_or_refused(cli, noisy, monkeypatch):
    monkeypatch.setenv("FORCE_COLOR", "1")
    monkeypatch.delenv("NO_COLOR", raising=False)
    forced = cli("check", noisy, "--engine", "light").stdout
    assert "\x1b[1;31mBP001 [error]\x1b[0m newsletter or subscription prompt" in forced
    monkeypatch.setenv("NO_COLOR", "1")
    assert "\x1b[" not in cli("check", noisy, "--engine", "light").stdout  # NO_COLOR wins
    monkeypatch.delenv("NO_COLOR")
    monkeypatch.setenv("FORCE_COLOR", "0")
    assert "\x1b[" not in cli("check", noisy, "--engine", "light").stdout


def test_colour_never_goes_into_files_or_other_formats(cli, noisy, monkeypatch, tmp_path):
    monkeypatch.setenv("FORCE_COLOR", "1")
    monkeypatch.delenv("NO_COLOR", raising=False)
    cli("check", noisy, "--engine", "light", "--output", tmp_path / "r.txt")
    assert "\x1b[" not in (tmp_path / "r.txt").read_text()
    assert "\x1b[" not in cli("check", noisy, "--engine", "light", "--format", "json").stdout


def test_colour_wraps_text_without_changing_it():
    from validators.output.terminal import colourise

    plain = (
        "a.txt:3:1: BP001 [error] newsletter prompt: “x [error] y”\n"
        "    help: delete it\n"
        "    see: b.txt:1:1\n"
        "Found 1 finding (1 error, 0 warnings, 0 info) in 1 file, 2 paragraphs.\n"
    )
    coloured = colourise(plain)
    assert coloured.replace("\x1b[1;31m", "").replace("\x1b[0m", "").replace("\x1b[1m", "").replace("\x1b[2m", "") == plain
    assert coloured.count("\x1b[1;31m") == 1  # the severity tag, not the message's “[error]”


def test_the_text_report_written_piece_by_piece_is_the_rendered_report_byte_for_byte(cli, noisy, monkeypatch, tmp_path):
    """The text report goes out as it is produced (a report of many findings is never held
    whole): in pieces of any size, stdout, --output, --quiet and colour give exactly what the
    whole report gives."""
    import functools

    from validators import cli as command_line
    from validators.config import Config
    from validators.output import terminal, text
    from validators.pipeline import check

    report = check([noisy], Config(root=tmp_path, engine="light"))
    whole = text.render(report)
    assert whole.count("\n") > 6 and "BP001 [error]" in whole and whole.endswith("paragraphs.\n")
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    real, pieces = text.pieces, []

    def counted(report, summary=True, size=1 << 20):
        for piece in real(report, summary, size):
            pieces.append(piece)
            yield piece

    lines = whole.count("\n")
    for size, written in ((1, 4 * lines - 1), (50, None), (1 << 20, 4)):  # a line a piece, ..., all in one
        pieces.clear()
        monkeypatch.setattr(text, "pieces", functools.partial(counted, size=size))
        assert cli("check", noisy, "--engine", "light").stdout == whole
        assert cli("check", noisy, "--engine", "light", "--quiet").stdout == terminal.without_summary(whole)
        cli("check", noisy, "--engine", "light", "--output", tmp_path / "r.txt")
        assert (tmp_path / "r.txt").read_bytes() == whole.encode()
        monkeypatch.setenv("FORCE_COLOR", "1")
        assert cli("check", noisy, "--engine", "light").stdout == terminal.colourise(whole)
        monkeypatch.delenv("FORCE_COLOR")
        assert written is None or len(pieces) == written  # four reports (one without its summary)


# ----------------------------------------------------------------------------- quiet, statistics, exit-zero


def test_quiet_prints_the_findings_without_the_summary(cli, noisy):
    result = cli("check", noisy, "--engine", "light", "--quiet")
    assert result.exit_code == 1
    assert "BP001 [error]" in result.stdout and "Found" not in result.stdout
    assert cli("check", str(Path(noisy) / "b.txt"), "--engine", "light", "-q").stdout == ""


def test_statistics_count_per_code(cli, noisy):
    # Without the score's review warnings: on a file of six short lines, whether a line scores
    # just above the review threshold follows the shipped model, not the counting tested here.
    result = cli("check", noisy, "--engine", "light", "--statistics", "--ignore", "BP101")
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines == [
        "2\tBP001\t[ ] newsletter-prompt",  # the most frequent first, then by code
        "1\tDU001\t[ ] duplicate-paragraph",
        "1\tEN008\t[*] odd-space",
        "1\tNM001\t[*] name-variant",
        "Found 5 findings (4 errors, 0 warnings, 1 info).",
        "[*] 2 fixable with `corpus-validator fix`.",
    ]
    assert cli("check", noisy, "--engine", "light", "--statistics", "--ignore", "BP101", "-q").stdout.splitlines() == lines[:4]


def test_statistics_with_a_report_file(cli, noisy, tmp_path):
    result = cli("check", noisy, "--engine", "light", "--statistics", "--format", "json", "--output", tmp_path / "r.json")
    assert result.stdout.startswith("2\tBP001") and (tmp_path / "r.json").read_text().startswith("{")
    refused = cli("check", noisy, "--engine", "light", "--statistics", "--format", "json")
    assert refused.exit_code == 2 and "--statistics" in refused.stderr


def test_exit_zero(cli, noisy):
    result = cli("check", noisy, "--engine", "light", "--exit-zero")
    assert result.exit_code == 0 and "BP001 [error]" in result.stdout
    assert cli("check", "no/such/folder", "--exit-zero").exit_code == 2


# ----------------------------------------------------------------------------- rule CODE


@pytest.mark.parametrize(
    ("code", "shown", "hidden"),
    [("EN006", "North Korea\\x07 said", "\x07"), ("EN008", "Kim\\u00a0Jong Un", "\u00a0"),
     ("EN011", "line one\\r\\nline two\\nline three\\r\\n", "\r"), ("EN010", "Cafe\\u0301", "\u0301")],
)  # fmt: skip
def test_rule_examples_show_invisible_characters_escaped(cli, code, shown, hidden):
    result = cli("rule", code)
    assert shown in result.stdout and hidden not in result.stdout


def test_rule_keeps_visible_text(cli):
    assert "“Kim Jong Un”" in cli("rule", "NM001").stdout or "Kim Jong Un" in cli("rule", "NM001").stdout
    assert "\\u" not in cli("rule", "BP001").stdout


# ----------------------------------------------------------------------------- GX Data Docs


def test_data_docs_site_names_our_suites(cli, noisy, tmp_path):
    plain = cli("check", noisy, "--engine", "gx")
    result = cli("check", noisy, "--engine", "gx", "--data-docs", tmp_path / "docs")
    assert result.exit_code == 1
    assert result.stdout == plain.stdout and result.stderr == ""  # GX printed nothing of its own
    index = (tmp_path / "docs" / "index.html").read_text(encoding="utf-8")
    assert "validations/paragraphs/" in index and "expectations/paragraphs.html" in index
    assert list((tmp_path / "docs" / "validations" / "paragraphs").rglob("*.html"))


def test_data_docs_show_corpus_text_as_text(cli, corpus, tmp_path):
    folder = corpus({"a.txt": CLEAN + "\nSign up for our newsletter <img src=x onerror=alert(1)><script>alert(2)</script>\n"})
    cli("check", folder, "--engine", "gx", "--data-docs", tmp_path / "docs")
    (page,) = (tmp_path / "docs" / "validations" / "paragraphs").rglob("*.html")
    text = page.read_text(encoding="utf-8")
    assert "<img src=x" not in text and "<script>alert" not in text  # GX would put it in as markup
    assert "newsletter &lt;img src=x onerror=alert(1)&gt;&lt;script&gt;alert(2)" in text


def test_data_docs_needs_the_gx_engine(cli, noisy, tmp_path):
    result = cli("check", noisy, "--engine", "light", "--data-docs", tmp_path / "docs")
    assert result.exit_code == 2 and "--data-docs needs the gx engine" in result.stderr
    assert not (tmp_path / "docs").exists()
