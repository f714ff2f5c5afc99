"""SARIF 2.1.0, as GitHub code scanning and the SARIF viewers read it.

Columns are Unicode code points (``columnKind``). File names are percent-encoded URIs
relative to ``%SRCROOT%``; the rule catalogue lists every rule in code order with its
documentation, default level and family; ``primaryLocationLineHash`` carries our
line-independent fingerprint, so GitHub follows an alert when lines move; related
places carry their ends and are linked from the message (``[text](id)``). The results
are written one by one (``escape.dumps_streamed``).
"""

from __future__ import annotations

import json
import os
import re
from collections import Counter
from collections.abc import Iterator
from urllib.parse import quote

from .. import __version__
from ..rules import RULES
from .escape import Shared, dumps_streamed, visible

SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
LEVELS = {"error": "error", "warning": "warning", "info": "note"}
#: The README section that documents the rules.
RULES_ANCHOR = "#rules"


def docs_url() -> str | None:
    """Where the installed release's README is read: the home page the package declares
    (``[project.urls]``), else the repository it was installed from (``pip install
    git+URL@REV`` records both, as the example workflow installs it)."""
    import importlib.metadata  # only a SARIF report needs it; other runs skip its import

    try:
        dist = importlib.metadata.distribution("corpus-validator")
    except importlib.metadata.PackageNotFoundError:
        return None
    for entry in dist.metadata.get_all("Project-URL") or []:
        label, _, url = entry.partition(",")
        if label.strip().lower() in ("documentation", "homepage", "home", "source", "repository") and url.strip():
            return url.strip()
    try:
        origin = json.loads(dist.read_text("direct_url.json") or "{}")
    except (OSError, ValueError):
        return None
    url, vcs = origin.get("url", ""), origin.get("vcs_info") or {}
    if not vcs or not url.startswith("https://"):
        return None
    url = url.removesuffix(".git")
    revision = vcs.get("requested_revision") or vcs.get("commit_id")
    if revision and url.split("/")[2] in ("github.com", "gitlab.com"):
        return f"{url}/blob/{revision}/README.md"
    return url


def uri(path: str) -> dict:
    """An artifact location: a relative path as a percent-encoded URI reference against
    ``%SRCROOT%``, an absolute one as a ``file:`` URI. Undecodable bytes in a name keep
    their own value (``surrogateescape``)."""
    encoded = quote(path.encode("utf-8", "surrogateescape"), safe="/")
    if os.path.isabs(path):
        return {"uri": "file://" + encoded}
    return {"uri": encoded, "uriBaseId": "%SRCROOT%"}


#: Backslashes a reader would take for escapes (SARIF 3.11.6): a run of them before a bracket,
#: or ending the text (a link's text is followed by its closing bracket). Each is doubled; a
#: backslash elsewhere (``visible``'s ``\\x1b``) is itself.
_ESCAPING_BACKSLASHES = re.compile(r"\\+(?=[\[\]]|\Z)")
#: Brackets (an embedded link's, 3.11.6) and braces (a placeholder's, ``{0}``: 3.11.5).
_ESCAPED = {"[": "\\[", "]": "\\]", "{": "{{", "}": "}}"}
_BRACKET_OR_BRACE = re.compile(r"[\[\]{}]")


def _plain(text: str) -> str:
    """Corpus text in a SARIF plain-text message: shown escaped (``visible``), and none of its
    characters read as an embedded link, an escape or a placeholder."""
    text = _ESCAPING_BACKSLASHES.sub(lambda m: m.group() * 2, visible(text))
    return _BRACKET_OR_BRACE.sub(lambda m: _ESCAPED[m.group()], text)


def markdown(doc: str) -> str:
    """A rule's docstring as Markdown: its ``Bad:``/``Good:`` examples as code blocks."""
    out, in_block = [], False
    for line in doc.splitlines():
        indented = line.startswith("    ")
        if indented and not in_block:
            out += ["", "```text"]
        elif not indented and in_block:
            out += ["```", ""]
        in_block = indented
        if indented:
            out.append(line[4:])
        else:
            out.append(f"**{line.strip()}**" if line.strip() in ("Bad:", "Good:") else line)
    if in_block:
        out.append("```")
    return "\n".join(out)


def _rule(code: str, level: str | None, home: str | None) -> dict:
    rule = RULES[code]
    doc = rule.doc()
    descriptor = {
        "id": code,
        "name": rule.name,
        "shortDescription": {"text": doc.splitlines()[0]},
        "fullDescription": {"text": doc},
        "help": {"text": doc, "markdown": markdown(doc)},
        "defaultConfiguration": {"level": LEVELS[level]} if level else {"level": "none", "enabled": False},
        "properties": {"tags": [rule.family], "family": rule.family},
    }
    if home and rule.builtin:  # a corpus's own rule is documented in its suite, not in the README
        descriptor["helpUri"] = home + RULES_ANCHOR
    return descriptor


def _location(path: str, line: int, column: int, end_line: int | None = None, end_column: int | None = None) -> dict:
    region = {"startLine": line, "startColumn": column}
    if end_line is not None:
        region.update(endLine=end_line, endColumn=max(end_column, column) if end_line == line else end_column)
    return {"physicalLocation": {"artifactLocation": uri(path), "region": region}}


#: Related places linked from a result's message; its ``relatedLocations`` hold them all.
MAX_LINKS = 5


def _message(f, links: list[str]) -> str:
    """The result's message: what, the fix, and the first ``MAX_LINKS`` of ``links`` (one per
    related place), as the text output lists them: a name written in a thousand places is
    not a thousand links in each of its variants' messages."""
    text = f"{_plain(f.message)}. Fix: {_plain(f.suggestion)}"
    if links:
        text += ". See: " + ", ".join(links[:MAX_LINKS])
        more = f.related_count - MAX_LINKS
        if more > 0:
            text += f" and {more} more"
    return text


def _related(n: int, p) -> tuple[str, Shared]:
    """The related place ``p`` as the ``n``-th of a result: its link in the message, and its
    location (``Shared``: see ``_results``)."""
    shown = f"{_plain(p.path)}:{p.line}:{p.column}"
    location = {"id": n, **_location(p.path, p.line, p.column, p.end_line, p.end_column), "message": {"text": shown}}
    return f"[{shown}]({n})", Shared(location)


def render(report) -> str:
    return "".join(chunks(report))


def _results(report, index: dict[str, int]):
    occurrences = Counter()
    # A related place listed again under the same number (the copies of a text, the variants
    # of a name list it) has its link and location made and encoded once (the place is held
    # here too: its id stays its own); one listed once, as most are, is not kept.
    made: dict[tuple[int, int], tuple] = {}

    def link(n: int, p) -> tuple:
        known = made.get((id(p), n))
        if known is None:
            made[id(p), n] = (None, None, p)
            return _related(n, p)
        if known[0] is None:
            known = made[id(p), n] = (*_related(n, p), p)
        return known

    for f in report.findings:
        occurrences[f.fingerprint] += 1  # the same problem twice: two alerts, as CodeQL counts them
        related = [link(n, p) for n, p in enumerate(f.related)]
        result = {
            "ruleId": f.code,
            "ruleIndex": index[f.code],
            "level": LEVELS[f.severity],
            "message": {"text": _message(f, [linked[0] for linked in related])},
            "locations": [_location(f.path, f.line, f.column, f.end_line, f.end_column)],
            "partialFingerprints": {
                "primaryLocationLineHash": f"{f.fingerprint}:{occurrences[f.fingerprint]}",
                "corpusValidator/v1": f.fingerprint,
            },
        }
        if f.related:
            result["relatedLocations"] = [linked[1] for linked in related]
        yield result


def _invocation(report) -> dict:
    """The run's invocation: each file it skipped (empty, unreadable, a broken link) is a
    notification, so a log with no results is not read as every file checked clean."""
    notes = [
        {
            "level": "warning",
            "message": {"text": f"skipped: {_plain(reason)}"},
            "locations": [{"physicalLocation": {"artifactLocation": uri(path)}}],
        }
        for path, reason in getattr(report, "skipped", ())
    ]
    return {"executionSuccessful": True, **({"toolExecutionNotifications": notes} if notes else {})}


def chunks(report) -> Iterator[str]:
    """The log piece by piece, a result at a time: the results are never all held as
    records or as text (a large corpus has hundreds of thousands)."""
    levels = getattr(report, "levels", {})
    # Every built-in rule, and the corpus's own rules this run's suites declare.
    codes = sorted(code for code in RULES if RULES[code].builtin or code in levels)
    index = {code: n for n, code in enumerate(codes)}
    home = docs_url()
    log = {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "corpus-validator",
                        "version": __version__,
                        "semanticVersion": __version__,
                        **({"informationUri": home} if home else {}),
                        "rules": [_rule(code, levels.get(code), home) for code in codes],
                    }
                },
                "invocations": [_invocation(report)],
                "columnKind": "unicodeCodePoints",
                "originalUriBaseIds": {"%SRCROOT%": {"description": {"text": "the folder the check ran in"}}},
                "results": [],  # last in the run, the run last in the log: written result by result
            }
        ],
    }
    yield from dumps_streamed(log, _results(report, index), indent=2)
    yield "\n"
