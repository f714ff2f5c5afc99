"""``{"version": 1, "summary": {...}, "findings": [...]}``: a stable shape for other tools.

Values are exact; control, bidirectional and invisible characters in them are written as
JSON escapes (``escape.dumps``), never raw.
"""

from __future__ import annotations

from .escape import dumps

SCHEMA_VERSION = 1


def render(report) -> str:
    document = {
        "version": SCHEMA_VERSION,
        "summary": report.summary(),
        "findings": [f.to_dict() for f in report.findings],
    }
    return dumps(document, indent=2) + "\n"
