"""Linter-style text: ``path:line:column: CODE [severity] message``, a hint, then a summary.

File names and corpus text are shown through ``escape.visible`` and each line through
``escape.safe_lines`` (a piece of whole lines at a time): this is what a terminal, and the
pre-commit hook's CI log, print.
"""

from __future__ import annotations

from collections.abc import Iterator

from . import joined
from .escape import safe_lines, visible

MAX_RELATED_SHOWN = 5


def render(report) -> str:
    return "".join(pieces(report))


def chunks(report) -> Iterator[str]:
    return pieces(report)


def pieces(report, summary: bool = True, size: int = 1 << 20) -> Iterator[str]:
    """The report in pieces of about ``size`` characters, whole lines each, as it is produced
    (a report of many findings is written as it goes, never held whole), each piece made safe
    for a CI log at once (``safe_lines``: per line, as it reads each line); without the
    closing summary line when ``summary`` is false (``--quiet``)."""
    return (safe_lines(piece) for piece in joined(_lines(report, summary), size))


def _lines(report, summary: bool) -> Iterator[str]:
    """The report's lines, each shown escaped (``visible``) and ending in a line feed."""
    for f in report.findings:
        yield f"{visible(f.path)}:{f.line}:{f.column}: {f.code} [{f.severity}] {visible(f.message)}\n"
        yield f"    help: {visible(f.suggestion)}\n"
        if f.related:
            shown = ", ".join(f"{visible(p.path)}:{p.line}:{p.column}" for p in f.related[:MAX_RELATED_SHOWN])
            more = f.related_count - MAX_RELATED_SHOWN
            yield f"    see: {shown}" + (f" and {more} more" if more > 0 else "") + "\n"
    for path, reason in report.skipped:
        yield f"{visible(path)}: skipped: {reason}\n"
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
    yield line + "\n"
