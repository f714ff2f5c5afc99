"""Linter-style text: ``path:line:column: CODE [severity] message``, a hint, then a summary.

File names and corpus text are shown through ``escape.visible`` and each line through
``escape.safe_line``: this is what a terminal, and the pre-commit hook's CI log, print.
"""

from __future__ import annotations

from .escape import safe_lines, visible

MAX_RELATED_SHOWN = 5


def render(report) -> str:
    lines = []
    for f in report.findings:
        lines.append(f"{visible(f.path)}:{f.line}:{f.column}: {f.code} [{f.severity}] {visible(f.message)}")
        lines.append(f"    help: {visible(f.suggestion)}")
        if f.related:
            shown = ", ".join(f"{visible(p.path)}:{p.line}:{p.column}" for p in f.related[:MAX_RELATED_SHOWN])
            more = len(f.related) - MAX_RELATED_SHOWN
            lines.append(f"    see: {shown}" + (f" and {more} more" if more > 0 else ""))
    for path, reason in report.skipped:
        lines.append(f"{visible(path)}: skipped: {reason}")
    s = report.summary()
    accepted = f" {s['baselined']} accepted by the baseline." if s["baselined"] else ""
    if s["findings"]:
        lines.append(
            f"Found {s['findings']} finding{'s' if s['findings'] != 1 else ''} "
            f"({s['errors']} error{'s' if s['errors'] != 1 else ''}, {s['warnings']} warning"
            f"{'s' if s['warnings'] != 1 else ''}, {s['infos']} info) "
            f"in {s['files']} file{'s' if s['files'] != 1 else ''}, {s['paragraphs']} paragraph{'s' if s['paragraphs'] != 1 else ''}." + accepted
        )
    else:
        lines.append(
            f"All clear: {s['files']} file{'s' if s['files'] != 1 else ''}, {s['paragraphs']} paragraph{'s' if s['paragraphs'] != 1 else ''}, no findings." + accepted
        )
    return safe_lines("\n".join(lines)) + "\n"
