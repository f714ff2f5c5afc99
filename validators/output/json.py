"""``{"version": 1, "summary": {...}, "findings": [...]}``: a stable shape for other tools."""

from __future__ import annotations

import json

SCHEMA_VERSION = 1


def render(report) -> str:
    document = {
        "version": SCHEMA_VERSION,
        "summary": report.summary(),
        "findings": [f.to_dict() for f in report.findings],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
