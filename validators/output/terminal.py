"""What a person at a terminal gets on top of the text report: colour by severity,
``--quiet`` (the findings, no summary line) and ``--statistics`` (a count per code).

Colour is added around the pieces of lines the text renderer already wrote (and
escaped): the place, the code with its severity, the ``help:``/``see:`` labels and the
summary. Message text is never touched, so it cannot smuggle a colour or lose one.
"""

from __future__ import annotations

import os
import re
from collections import Counter

from ..rules import RULES

RESET = "\x1b[0m"
SEVERITY_COLOURS = {"error": "\x1b[1;31m", "warning": "\x1b[1;33m", "info": "\x1b[1;36m"}
BOLD, DIM = "\x1b[1m", "\x1b[2m"

_FINDING = re.compile(r"^(?P<place>.+?:\d+:\d+:) (?P<code>[A-Z]+\d+ \[(?P<severity>error|warning|info)\])(?P<rest> .*)?$")
_LABEL = re.compile(r"^(?P<indent>    )(?P<label>help:|see:)")
_SUMMARY = re.compile(r"^(Found \d+ findings?|All clear:)")


def colour_wanted(stream) -> bool:
    """``NO_COLOR`` (any value) turns colour off; else ``FORCE_COLOR`` (any value but 0 or
    false) turns it on; else a terminal that is not ``TERM=dumb`` gets it."""
    if os.environ.get("NO_COLOR"):
        return False
    force = os.environ.get("FORCE_COLOR")
    if force is not None and force != "":
        return force.strip().lower() not in ("0", "false", "no")
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty()) and os.environ.get("TERM") != "dumb"


def colourise(text: str) -> str:
    """The text report with ANSI colours: the code and severity of each finding in its severity's colour."""
    out = []
    for line in text.split("\n"):
        finding = _FINDING.match(line)
        if finding:
            colour = SEVERITY_COLOURS[finding["severity"]]
            line = f"{BOLD}{finding['place']}{RESET} {colour}{finding['code']}{RESET}{finding['rest'] or ''}"
        elif _LABEL.match(line):
            line = _LABEL.sub(lambda m: f"{m['indent']}{DIM}{m['label']}{RESET}", line, count=1)
        elif _SUMMARY.match(line):
            line = f"{BOLD}{line}{RESET}"
        out.append(line)
    return "\n".join(out)


def without_summary(text: str) -> str:
    """The text report without its closing summary line (``--quiet``)."""
    lines = text.rstrip("\n").split("\n")
    if lines and _SUMMARY.match(lines[-1]):
        lines.pop()
    return "".join(line + "\n" for line in lines)


def statistics(report, quiet: bool = False) -> str:
    """One line per code, the most frequent first: count, code, ``[*]`` when ``fix`` repairs
    some of them, the rule's name; then the totals (unless ``quiet``)."""
    counts = Counter(f.code for f in report.findings)
    fixable = Counter(f.code for f in report.findings if f.fixable)
    rows = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    width = max((len(str(n)) for _, n in rows), default=1)
    marks = any(fixable.values())
    lines = [
        f"{n:>{width}}\t{code}\t{('[*] ' if fixable[code] else '[ ] ') if marks else ''}{RULES[code].name}"
        for code, n in rows
    ]
    if not quiet:
        s = report.summary()
        lines.append(
            f"Found {s['findings']} finding{'s' if s['findings'] != 1 else ''} "
            f"({s['errors']} error{'s' if s['errors'] != 1 else ''}, {s['warnings']} warning"
            f"{'s' if s['warnings'] != 1 else ''}, {s['infos']} info)."
        )
        total_fixable = sum(fixable.values())
        if total_fixable:
            lines.append(f"[*] {total_fixable} fixable with `corpus-validator fix`.")
    return "".join(line + "\n" for line in lines)
