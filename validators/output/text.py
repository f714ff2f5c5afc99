"""Linter-style text: ``path:line:column: CODE [severity] message``, a hint, then a summary.

File names and corpus text are shown through ``escape.visible`` and each line through
``escape.safe_line``: this is what a terminal, and the pre-commit hook's CI log, print.
"""

from __future__ import annotations

from collections.abc import Iterator

from .escape import safe_line, visible

MAX_RELATED_SHOWN = 5


def render(report) -> str:
    return "".join(lines(report))


def chunks(report) -> Iterator[str]:
    return lines(report)


def lines(report, summary: bool = True) -> Iterator[str]:
    """The report's lines as they are produced, each escaped and ending in a line feed (a
    report of many findings is written as it goes, never held whole); without the closing
    summary line when ``summary`` is false (``--quiet``)."""
    for f in report.findings:
        yield safe_line(f"{visible(f.path)}:{f.line}:{f.column}: {f.code} [{f.severity}] {visible(f.message)}") + "\n"
        yield safe_line(f"    help: {visible(f.suggestion)}") + "\n"
        if f.related:
            shown = ", ".join(f"{visible(p.path)}:{p.line}:{p.column}" for p in f.related[:MAX_RELATED_SHOWN])
            more = len(f.related) - MAX_RELATED_SHOWN
            yield safe_line(f"    see: {shown}" + (f" and {more} more" if more > 0 else "")) + "\n"
    for path, reason in report.skipped:
        yield safe_line(f"{visible(path)}: skipped: {reason}") + "\n"
    if not summary:
        return
    s = report.summary()
    accepted = f" {s['baselined']} accepted by the baseline." if s["baselined"] else ""
    if s["findings"]:
        line = (
            f"Found {s['findings']} finding{'s' if s['findings'] != 1 else ''} "
            f"({s['errors']} error{'s' if s['errors'] != 1 else ''}, {s['warnings']} warning"
            f"{'s' if s['warnings'] != 1 else ''}, {s['infos']} info) "
            f"in {s['files']} file{'s' if s['files'] != 1 else ''}, {s['paragraphs']} paragraph{'s' if s['paragraphs'] != 1 else ''}." + accepted
        )
    else:
        line = f"All clear: {s['files']} file{'s' if s['files'] != 1 else ''}, {s['paragraphs']} paragraph{'s' if s['paragraphs'] != 1 else ''}, no findings." + accepted
    yield safe_line(line) + "\n"
