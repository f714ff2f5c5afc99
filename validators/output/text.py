"""Linter-style text: ``path:line:column: CODE [severity] message``, a hint, then a summary."""

from __future__ import annotations

MAX_RELATED_SHOWN = 5


def render(report) -> str:
    lines = []
    for f in report.findings:
        lines.append(f"{f.path}:{f.line}:{f.column}: {f.code} [{f.severity}] {f.message}")
        lines.append(f"    help: {f.suggestion}")
        if f.related:
            shown = ", ".join(f"{p.path}:{p.line}:{p.column}" for p in f.related[:MAX_RELATED_SHOWN])
            more = len(f.related) - MAX_RELATED_SHOWN
            lines.append(f"    see: {shown}" + (f" and {more} more" if more > 0 else ""))
    for path, reason in report.skipped:
        lines.append(f"{path}: skipped: {reason}")
    s = report.summary()
    accepted = f" {s['baselined']} accepted by the baseline." if s["baselined"] else ""
    if s["findings"]:
        lines.append(
            f"Found {s['findings']} finding{'s' if s['findings'] != 1 else ''} "
            f"({s['errors']} error{'s' if s['errors'] != 1 else ''}, {s['warnings']} warning"
            f"{'s' if s['warnings'] != 1 else ''}, {s['infos']} info) "
            f"in {s['files']} file{'s' if s['files'] != 1 else ''}, {s['paragraphs']} paragraphs." + accepted
        )
    else:
        lines.append(
            f"All clear: {s['files']} file{'s' if s['files'] != 1 else ''}, {s['paragraphs']} paragraphs, no findings." + accepted
        )
    return "\n".join(lines) + "\n"
