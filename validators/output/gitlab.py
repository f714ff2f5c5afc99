"""GitLab code quality (a JSON array of issues), what a merge request's widget reads
from ``artifacts: reports: codequality``; the fields ruff's ``gitlab`` format writes.

The severity maps error → ``major``, warning → ``minor``, info → ``info``. The
fingerprint is our line-independent one, made unique per occurrence. The description
shows corpus text escaped (``escape.visible``); the path stays exact. A file the run could
not check (empty, unreadable, a broken link) is a ``minor`` issue of its own, ``skipped``
(as GitHub's annotations and SARIF's notifications say it): a report without it would read as
that file checked clean.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

from ..findings import fingerprint
from .escape import dumps_streamed, visible

SEVERITIES = {"error": "major", "warning": "minor", "info": "info"}


def render(report) -> str:
    return "".join(chunks(report))


def _issues(report):
    for path, reason in report.skipped:
        yield {
            "description": visible(f"skipped: not checked: {reason}"),
            "check_name": "skipped",
            "fingerprint": fingerprint("skipped", path, "", ""),
            "severity": "minor",
            "location": {"path": path, "lines": {"begin": 1, "end": 1}},
        }
    seen = Counter()
    for f in report.findings:
        seen[f.fingerprint] += 1
        yield {
            "description": visible(f"{f.code}: {f.message}"),
            "check_name": f.code,
            "fingerprint": f.fingerprint if seen[f.fingerprint] == 1 else f"{f.fingerprint}:{seen[f.fingerprint]}",
            "severity": SEVERITIES[f.severity],
            "location": {"path": f.path, "lines": {"begin": f.line, "end": f.end_line}},
        }  # fmt: skip


def chunks(report) -> Iterator[str]:
    """The array piece by piece, an issue at a time (``escape.dumps_streamed``)."""
    yield from dumps_streamed([], _issues(report), indent=2)
    yield "\n"
