"""GitHub Actions workflow commands: one annotation per finding, at its file, line and column.

GitHub shows about ten errors and ten warnings per step, so when ``GITHUB_STEP_SUMMARY``
is set a Markdown summary of every finding is appended to it as well.
"""

from __future__ import annotations

import os

LEVELS = {"error": "error", "warning": "warning", "info": "notice"}
SUMMARY_ROWS = 200


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def render(report) -> str:
    lines = []
    for f in report.findings:
        properties = ",".join([
            f"file={_escape_property(f.path)}", f"line={f.line}", f"col={f.column}",
            f"endLine={f.end_line}", f"endColumn={f.end_column}", f"title={_escape_property(f.code)}",
        ])  # fmt: skip
        lines.append(f"::{LEVELS[f.severity]} {properties}::{_escape_data(f'{f.message} (help: {f.suggestion})')}")
    s = report.summary()
    lines.append(f"corpus-validator: {s['findings']} findings ({s['errors']} errors, {s['warnings']} warnings, {s['infos']} info) in {s['files']} files")
    summary_file = os.environ.get("GITHUB_STEP_SUMMARY")
    if summary_file:
        with open(summary_file, "a", encoding="utf-8") as handle:
            handle.write(markdown_summary(report))
    return "\n".join(lines) + "\n"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def markdown_summary(report) -> str:
    s = report.summary()
    out = [
        "## corpus-validator",
        "",
        f"**{s['errors']} errors**, {s['warnings']} warnings, {s['infos']} info in {s['files']} files"
        + (f" ({s['baselined']} accepted by the baseline)" if s.get("baselined") else ""),
        "",
    ]
    if s["by_code"]:
        out += ["| code | findings |", "|---|---|"] + [f"| {code} | {n} |" for code, n in s["by_code"].items()] + [""]
    if report.findings:
        out += ["| place | code | severity | message |", "|---|---|---|---|"]
        for f in report.findings[:SUMMARY_ROWS]:
            out.append(f"| `{_cell(f.path)}:{f.line}:{f.column}` | {f.code} | {f.severity} | {_cell(f.message)} |")
        if len(report.findings) > SUMMARY_ROWS:
            out.append(f"\n… and {len(report.findings) - SUMMARY_ROWS} more (use `--format json` for all).")
    return "\n".join(out) + "\n\n"
