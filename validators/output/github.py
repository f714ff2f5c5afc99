"""GitHub Actions workflow commands: one annotation per finding, at its file, line and column.

GitHub shows about ten errors and ten warnings per step, so when ``GITHUB_STEP_SUMMARY``
is set a Markdown summary of every finding is appended to it as well.

Corpus text and file names go through ``escape.visible`` first (nothing raw reaches the
log), then the toolkit's own escaping: ``%``, CR and LF in a message; also ``:`` and
``,`` in a property.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator

from .escape import visible

LEVELS = {"error": "error", "warning": "warning", "info": "notice"}
SUMMARY_ROWS = 200


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def counted(n: int, noun: str) -> str:
    """``1 file``, ``2 files``; ``info`` is a mass noun."""
    return f"{n} {noun}" if n == 1 or noun == "info" else f"{n} {noun}s"


def _properties(f) -> str:
    one_line = f.end_line == f.line  # the toolkit: columns only for an annotation on one line
    properties = [
        f"file={_escape_property(visible(f.path))}", f"line={f.line}", f"col={f.column}" if one_line else "",
        f"endLine={f.end_line}", f"endColumn={max(f.end_column, f.column)}" if one_line else "",
        f"title={_escape_property(f.code)}",
    ]  # fmt: skip
    return ",".join(p for p in properties if p)


def _tally(s: dict) -> str:
    return ", ".join(counted(s[key], noun) for key, noun in (("errors", "error"), ("warnings", "warning"), ("infos", "info")))


def render(report) -> str:
    return "".join(chunks(report))


def chunks(report, tally: bool = True) -> Iterator[str]:
    """The annotations line by line as they are made (never all held), a warning on each file
    skipped (not checked: a silent skip would read as all clear), then the tally (unless
    ``tally`` is false: ``--quiet``); the step summary is appended when ``GITHUB_STEP_SUMMARY`` is set."""
    for f in report.findings:
        message = visible(f"{f.message} (help: {f.suggestion})")
        yield f"::{LEVELS[f.severity]} {_properties(f)}::{_escape_data(message)}\n"
    for path, reason in report.skipped:
        yield f"::warning file={_escape_property(visible(path))},title=skipped::{_escape_data(visible(f'not checked: {reason}'))}\n"
    s = report.summary()
    if tally:
        yield f"corpus-validator: {counted(s['findings'], 'finding')} ({_tally(s)}) in {counted(s['files'], 'file')}\n"
    summary_file = os.environ.get("GITHUB_STEP_SUMMARY")
    if summary_file:
        try:
            with open(summary_file, "a", encoding="utf-8") as handle:
                handle.write(markdown_summary(report))
        except OSError as exc:  # the annotations above still stand: a warning, not a failed run
            problem = visible(f"corpus-validator: cannot write the step summary to {summary_file}: {exc.strerror or exc}")
            yield f"::warning::{_escape_data(problem)}\n"


def without_tally(text: str) -> str:
    """The rendered annotations without the tally line (``--quiet``): every other line is a
    workflow command, starting with "::"."""
    return "".join(line for line in text.splitlines(True) if line.startswith("::"))


#: ASCII punctuation Markdown may read as markup inside a table cell (CommonMark lets a
#: backslash escape any of it).
_MARKUP = re.compile(r"([\\`*_\[\]<>|&~!#])")


def _cell(text: str) -> str:
    """Corpus text as literal Markdown in a table cell."""
    return _MARKUP.sub(r"\\\1", visible(text))


def _code(text: str) -> str:
    """A code span holding ``text`` literally: a fence longer than any run of backticks in it."""
    text = visible(text).replace("|", "\\|")  # tables split on '|' even inside code spans
    fence = "`" * (max((len(run) for run in re.findall("`+", text)), default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def markdown_summary(report) -> str:
    s = report.summary()
    out = [
        "## corpus-validator",
        "",
        f"**{counted(s['errors'], 'error')}**, {counted(s['warnings'], 'warning')}, {counted(s['infos'], 'info')}"
        f" in {counted(s['files'], 'file')}" + (f" ({s['baselined']} accepted by the baseline)" if s.get("baselined") else ""),
        "",
    ]
    if s["by_code"]:
        out += ["| code | findings |", "|---|---|"] + [f"| {code} | {n} |" for code, n in s["by_code"].items()] + [""]
    if report.skipped:
        out += [f"{counted(len(report.skipped), 'file')} not checked: " + ", ".join(
            f"{_code(path)} ({_cell(reason)})" for path, reason in report.skipped[:SUMMARY_ROWS]
        ) + (" …" if len(report.skipped) > SUMMARY_ROWS else ""), ""]
    if report.findings:
        out += ["| place | code | severity | message |", "|---|---|---|---|"]
        for f in report.findings[:SUMMARY_ROWS]:
            out.append(f"| {_code(f'{f.path}:{f.line}:{f.column}')} | {f.code} | {f.severity} | {_cell(f.message)} |")
        if len(report.findings) > SUMMARY_ROWS:
            out.append(f"\n… and {len(report.findings) - SUMMARY_ROWS} more (use `--format json` for all).")
    return "\n".join(out) + "\n\n"
