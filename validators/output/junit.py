"""JUnit XML, as Jenkins and GitLab read it: a test suite per checked file, a test case
per finding (with ``file`` and ``line``).

An error finding is a ``failure``; a warning or info finding is ``skipped`` with its text,
since both GitLab and Jenkins show a skipped case's message but GitLab hides the output of
a passing one; a file without findings is one passing case. File names and corpus text
go through ``escape.visible``: XML 1.0 cannot carry most control characters at all.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterator
from xml.etree import ElementTree as ET

from .escape import visible

CLEAN = "no findings"


def _detail(f) -> str:
    lines = [f"{f.path}:{f.line}:{f.column}: {f.code} [{f.severity}] {f.message}", f"help: {f.suggestion}"]
    if f.related:
        more = f.related_count - len(f.related)  # the places beyond the first ``rules.MAX_RELATED``
        lines.append("see: " + ", ".join(f"{p.path}:{p.line}:{p.column}" for p in f.related) + (f" and {more} more" if more > 0 else ""))
    return "\n".join(visible(line) for line in lines)


def render(report) -> str:
    return "".join(chunks(report))


def chunks(report) -> Iterator[str]:
    """The XML piece by piece, a test suite (a file) at a time, laid out as ``ET.indent``
    lays out the whole tree: only one file's elements are ever held."""
    by_path: dict[str, list] = {}
    for f in report.findings:
        by_path.setdefault(f.path, []).append(f)
    skipped_files = dict(report.skipped)
    paths = sorted({d.path for d in report.documents} | set(by_path))
    counted = [(path, _counts(by_path.get(path, []), path in skipped_files)) for path in paths]
    totals = {key: str(sum(counts[key] for _, counts in counted)) for key in ("tests", "failures")}
    # The schema has no ``skipped`` on <testsuites>.
    suites = ET.Element("testsuites", name="corpus-validator", **totals, errors="0")
    yield '<?xml version="1.0" encoding="UTF-8"?>\n'
    if not counted:
        yield ET.tostring(suites, encoding="unicode") + "\n"
        return
    suites.text = "\n  "
    yield ET.tostring(suites, encoding="unicode").removesuffix("</testsuites>")
    for n, (path, counts) in enumerate(counted):
        suite = _suite(path, by_path.get(path, []), counts, skipped_files.get(path))
        ET.indent(suite, level=1)
        yield ET.tostring(suite, encoding="unicode") + ("\n  " if n + 1 < len(counted) else "\n")
    yield "</testsuites>\n"


def _counts(findings: list, skipped: bool) -> dict[str, int]:
    return {
        "tests": max(len(findings), 1),
        "failures": sum(f.severity == "error" for f in findings),
        "skipped": sum(f.severity != "error" for f in findings) + (not findings and skipped),
    }


def _suite(path: str, findings: list, counts: dict[str, int], skipped: str | None) -> ET.Element:
    """One file's test suite: a case per finding, or one passing (or skipped) case."""
    shown = visible(path)
    suite = ET.Element("testsuite", name=shown, file=shown, errors="0", **{k: str(v) for k, v in counts.items()})
    classname = posixpath.splitext(shown)[0]
    if not findings:
        case = ET.SubElement(suite, "testcase", name=CLEAN, classname=classname, file=shown)
        if skipped is not None:
            ET.SubElement(case, "skipped", message=f"not checked: {skipped}")
    for f in findings:
        case = ET.SubElement(suite, "testcase", name=f"{f.code} at {f.line}:{f.column}", classname=classname,
                             file=shown, line=str(f.line))  # fmt: skip
        kind = "failure" if f.severity == "error" else "skipped"
        outcome = ET.SubElement(case, kind, type=f.code, message=visible(f"[{f.severity}] {f.message}"))
        outcome.text = _detail(f)
    return suite
