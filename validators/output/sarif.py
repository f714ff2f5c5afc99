"""SARIF 2.1.0, for code-scanning dashboards. Columns are Unicode code points (``columnKind``)."""

from __future__ import annotations

import json

from .. import __version__
from ..rules import RULES

SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
LEVELS = {"error": "error", "warning": "warning", "info": "note"}


def _rule(code: str) -> dict:
    rule = RULES[code]
    doc = rule.doc()
    return {
        "id": code,
        "name": rule.name,
        "shortDescription": {"text": doc.splitlines()[0]},
        "fullDescription": {"text": doc},
        "help": {"text": doc},
        "properties": {"family": rule.family},
    }


def _location(path: str, line: int, column: int, end_line: int | None = None, end_column: int | None = None) -> dict:
    region = {"startLine": line, "startColumn": column}
    if end_line is not None:
        region.update(endLine=end_line, endColumn=max(end_column, column) if end_line == line else end_column)
    return {"physicalLocation": {"artifactLocation": {"uri": path, "uriBaseId": "%SRCROOT%"}, "region": region}}


def render(report) -> str:
    codes = sorted({f.code for f in report.findings})
    index = {code: n for n, code in enumerate(codes)}
    results = []
    for f in report.findings:
        result = {
            "ruleId": f.code,
            "ruleIndex": index[f.code],
            "level": LEVELS[f.severity],
            "message": {"text": f"{f.message}. Fix: {f.suggestion}"},
            "locations": [_location(f.path, f.line, f.column, f.end_line, f.end_column)],
            "partialFingerprints": {"corpusValidator/v1": f.fingerprint},
        }
        if f.related:
            result["relatedLocations"] = [
                {"id": n, **_location(p.path, p.line, p.column)} for n, p in enumerate(f.related)
            ]
        results.append(result)
    log = {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "corpus-validator",
                        "version": __version__,
                        "rules": [_rule(code) for code in codes],
                    }
                },
                "columnKind": "unicodeCodePoints",
                "originalUriBaseIds": {"%SRCROOT%": {"description": {"text": "the folder the check ran in"}}},
                "results": results,
            }
        ],
    }
    return json.dumps(log, indent=2, ensure_ascii=False) + "\n"
