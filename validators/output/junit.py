"""JUnit XML, as Jenkins and GitLab read it: a test suite per checked file, a test case
per finding (with ``file`` and ``line``).

An error finding is a ``failure``; a warning or info finding is ``skipped`` with its text,
since both GitLab and Jenkins show a skipped case's message but GitLab hides the output of
a passing one; a file without findings is one passing case. File names and corpus text
go through ``escape.visible``: XML 1.0 cannot carry most control characters at all.
"""

from __future__ import annotations

import posixpath
from xml.etree import ElementTree as ET

from .escape import visible

CLEAN = "no findings"


def _detail(f) -> str:
    lines = [f"{f.path}:{f.line}:{f.column}: {f.code} [{f.severity}] {f.message}", f"help: {f.suggestion}"]
    if f.related:
        lines.append("see: " + ", ".join(f"{p.path}:{p.line}:{p.column}" for p in f.related))
    return "\n".join(visible(line) for line in lines)


def render(report) -> str:
    by_path: dict[str, list] = {}
    for f in report.findings:
        by_path.setdefault(f.path, []).append(f)
    skipped_files = dict(report.skipped)
    paths = sorted({d.path for d in report.documents} | set(by_path))
    totals = {"tests": 0, "failures": 0}  # the schema has no ``skipped`` on <testsuites>
    suites = ET.Element("testsuites", name="corpus-validator")
    for path in paths:
        shown = visible(path)
        findings = by_path.get(path, [])
        counts = {
            "tests": max(len(findings), 1),
            "failures": sum(f.severity == "error" for f in findings),
            "skipped": sum(f.severity != "error" for f in findings) + (not findings and path in skipped_files),
        }
        suite = ET.SubElement(suites, "testsuite", name=shown, file=shown, errors="0", **{k: str(v) for k, v in counts.items()})
        classname = posixpath.splitext(shown)[0]
        if not findings:
            case = ET.SubElement(suite, "testcase", name=CLEAN, classname=classname, file=shown)
            if path in skipped_files:
                ET.SubElement(case, "skipped", message=f"not checked: {skipped_files[path]}")
        for f in findings:
            case = ET.SubElement(suite, "testcase", name=f"{f.code} at {f.line}:{f.column}", classname=classname,
                                 file=shown, line=str(f.line))  # fmt: skip
            kind = "failure" if f.severity == "error" else "skipped"
            outcome = ET.SubElement(case, kind, type=f.code, message=visible(f"[{f.severity}] {f.message}"))
            outcome.text = _detail(f)
        for key in totals:
            totals[key] += counts[key]
    suites.attrib.update({k: str(v) for k, v in totals.items()}, errors="0")
    ET.indent(suites)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, encoding="unicode") + "\n"
