"""``{"version": 1, "summary": {...}, "findings": [...]}``: a stable shape for other tools.

Values are exact; control, bidirectional and invisible characters in them are written as
JSON escapes (``escape.dumps``), never raw. The findings are written one by one
(``escape.dumps_streamed``).
"""

from __future__ import annotations

from collections.abc import Iterator

from .escape import Shared, dumps_streamed

SCHEMA_VERSION = 1


def render(report) -> str:
    return "".join(chunks(report))


def chunks(report) -> Iterator[str]:
    """The report piece by piece, a finding at a time: the findings are never all held as
    records or as text (a large corpus has hundreds of thousands)."""
    document = {"version": SCHEMA_VERSION, "summary": report.summary(), "findings": []}
    # A place listed again is a ``Shared`` record, encoded once (the place is held here too:
    # its id stays its own); one listed once, as most are, is not kept.
    listed: dict[int, tuple] = {}

    def place(p):
        record = {"path": p.path, "line": p.line, "column": p.column}
        known = listed.get(id(p))
        if known is None:
            listed[id(p)] = (p, None)
            return record
        if known[1] is None:
            known = listed[id(p)] = (p, Shared(record))
        return known[1]

    yield from dumps_streamed(document, (f.to_dict(place) for f in report.findings), indent=2)
    yield "\n"
