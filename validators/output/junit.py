"""JUnit XML: one test case per checked file; its error findings are its failure."""

from __future__ import annotations

from xml.etree import ElementTree as ET


def render(report) -> str:
    by_path: dict[str, list] = {}
    for f in report.findings:
        by_path.setdefault(f.path, []).append(f)
    paths = sorted({d.path for d in report.documents} | set(by_path))
    failed = [p for p in paths if any(f.severity == "error" for f in by_path.get(p, ()))]
    suites = ET.Element("testsuites", name="corpus-validator", tests=str(len(paths)), failures=str(len(failed)))
    suite = ET.SubElement(suites, "testsuite", name="corpus-validator", tests=str(len(paths)),
                          failures=str(len(failed)), errors="0", skipped="0")  # fmt: skip
    for path in paths:
        case = ET.SubElement(suite, "testcase", classname="corpus", name=path)
        findings = by_path.get(path, [])
        lines = [f"{f.path}:{f.line}:{f.column}: {f.code} [{f.severity}] {f.message} (help: {f.suggestion})" for f in findings]
        errors = [f for f in findings if f.severity == "error"]
        if errors:
            failure = ET.SubElement(case, "failure", type=errors[0].code,
                                    message=f"{len(errors)} error finding{'s' if len(errors) != 1 else ''}")  # fmt: skip
            failure.text = "\n".join(lines)
        elif lines:
            ET.SubElement(case, "system-out").text = "\n".join(lines)
    ET.indent(suites)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, encoding="unicode") + "\n"
