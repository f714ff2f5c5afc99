"""One self-contained HTML page: a summary, the findings with filters, and each file's
text with its findings highlighted.

Nothing in the page is fetched: the style sheet and the script are inline, and a
Content-Security-Policy (``default-src 'none'``, the script and style allowed by their
hashes) forbids any request and any script but ours. Corpus text is data, never markup:
the summary escapes it, and everything else travels in one JSON block (``<``, ``>``,
``&``, U+2028/U+2029, controls and bidirectional characters as ``\\uXXXX``) that the
script shows through text nodes only. Invisible characters are drawn as labelled badges,
so a bidirectional override cannot reorder what a reader sees.
"""

from __future__ import annotations

import base64
import bisect
import hashlib
import html
import json
import re
from collections import Counter
from collections.abc import Iterator
from importlib import resources

from .. import __version__
from ..fix import apply_edits
from ..ingest import BOM
from ..rules import FAMILIES, RULES, SEVERITIES
from ..segment import LINE_BREAK
from .escape import HIDDEN_RANGES

#: Spaces other than U+0020 (EN008's class): shown as badges too, so a reader sees them.
_ODD_SPACES = ((0x00A0, 0x00A0), (0x1680, 0x1680), (0x2000, 0x200A), (0x202F, 0x202F), (0x205F, 0x205F), (0x3000, 0x3000))
#: ZWNJ and ZWJ: emoji and several scripts need them, so they are kept as they are (as
#: character references in markup, ``\\u`` escapes in the data), not drawn as badges.
_JOINERS = {0x200C, 0x200D}


def _merged(codes: set[int]) -> list[tuple[int, int]]:
    ranges: list[list[int]] = []
    for code in sorted(codes):
        if ranges and code == ranges[-1][1] + 1:
            ranges[-1][1] = code
        else:
            ranges.append([code, code])
    return [(a, b) for a, b in ranges]


_HIDDEN_CODES = {c for a, b in (*HIDDEN_RANGES, *_ODD_SPACES) for c in range(a, b + 1)}
#: What the page draws as a labelled badge: escape.py's hidden characters (controls,
#: format and bidirectional characters, separators, undecodable bytes) and odd spaces,
#: but not tab, line feed or the joiners.
BADGED = _merged(_HIDDEN_CODES - {0x09, 0x0A} - _JOINERS)
INVISIBLE = re.compile("[" + "".join(f"\\U{a:08x}-\\U{b:08x}" for a, b in BADGED) + "]")
#: The same class for the page's script (a RegExp with the "u" flag).
JS_INVISIBLE = "".join(f"\\u{{{a:x}}}-\\u{{{b:x}}}" for a, b in BADGED)
#: What the JSON block must not hold raw: markup characters and every hidden character.
_JSON_ESCAPE = re.compile("[<>&" + "".join(f"\\U{a:08x}-\\U{b:08x}" for a, b in _merged(_HIDDEN_CODES | _JOINERS)) + "]")


def _json_escape(char: str) -> str:
    code = ord(char)
    if code > 0xFFFF:  # JSON escapes a character beyond the BMP as its UTF-16 surrogate pair
        code -= 0x10000
        return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"
    return f"\\u{code:04x}"


def _codepoint_label(char: str) -> str:
    if "\udc80" <= char <= "\udcff":  # an undecodable byte kept by surrogateescape
        return f"\\x{ord(char) - 0xDC00:02X}"
    return f"U+{ord(char):04X}"


def text_html(text: str) -> str:
    """Escaped text, each invisible character as a visible badge."""
    out, cursor = [], 0
    for match in INVISIBLE.finditer(text):
        out.append(html.escape(text[cursor : match.start()]))
        out.append(f'<span class="cp">{_codepoint_label(match.group())}</span>')
        cursor = match.end()
    out.append(html.escape(text[cursor:]))
    return "".join(out).replace("\u200c", "&#x200c;").replace("\u200d", "&#x200d;")


def script_json(data) -> str:
    """JSON that is safe inside ``<script type="application/json">``: no ``</script>``,
    no ``<!--``, nothing a parser or a reader could take for anything but data."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return _JSON_ESCAPE.sub(lambda m: _json_escape(m.group()), text)


_ASTRAL = re.compile("[\U00010000-\U0010ffff]")


class Positions:
    """A file's places as offsets the page's script can use: JavaScript counts UTF-16 code
    units, so each character beyond U+FFFF before a place counts twice."""

    def __init__(self, text: str):
        self.length = len(text)
        self.line_starts = [0, *(m.end() for m in LINE_BREAK.finditer(text))]
        self.astral = [m.start() for m in _ASTRAL.finditer(text)]

    def offset(self, line: int, column: int) -> int:
        base = self.line_starts[min(max(line, 1), len(self.line_starts)) - 1]
        at = min(base + column - 1, self.length)
        return at + bisect.bisect_left(self.astral, at) if self.astral else at


#: Characters of context a diff shows on each side of a repair, within its line.
DIFF_CONTEXT = 60


def _hunk(text: str, edits, bom: bool = False) -> str | None:
    """The lines the edits touch, before and after, as a unified-diff hunk, cut to
    ``DIFF_CONTEXT`` characters around the edits ("…" where cut); line endings other
    than ``\\n`` stay in the lines, so a changed line ending shows."""
    if not edits and not bom:
        return None
    low = min((s for s, _, _ in edits), default=0)
    high = max((e for _, e, _ in edits), default=0)
    line_start = text.rfind("\n", 0, low) + 1
    line_end = text.find("\n", max(high - 1, low))  # the break that ends the last line touched (an edit may end on it)
    line_end = len(text) if line_end < 0 else line_end + 1
    # A paragraph is one line: show the words around the repair, not all of it.
    start, end = max(line_start, low - DIFF_CONTEXT), min(line_end, high + DIFF_CONTEXT)
    if start > line_start:
        start = text.find(" ", start, low) + 1 or start
    if end < line_end:
        end = text.rfind(" ", high, end) if text.rfind(" ", high, end) > high else end
    before = text[start:end]
    after = apply_edits(before, [(s - start, e - start, r) for s, e, r in edits])
    if bom:
        before = BOM.decode("utf-8") + before
    old, new = before.split("\n"), after.split("\n")
    if before.endswith("\n") and after.endswith("\n"):
        old.pop(), new.pop()
    cut_before, cut_after = ("…" if start > line_start else ""), ("…" if end < line_end else "")
    old[0], new[0] = cut_before + old[0], cut_before + new[0]
    old[-1], new[-1] = old[-1] + cut_after, new[-1] + cut_after
    first = text.count("\n", 0, start) + 1
    lines = [f"@@ -{first},{len(old)} +{first},{len(new)} @@"]
    lines += ["-" + line for line in old] + ["+" + line for line in new]
    return "\n".join(lines)


#: The related places a finding links to; a name in 2,000 places names the count, not them all.
RELATED_KEPT = 12


def _data(report) -> dict:
    """The page's data as one object (``_data_chunks`` writes the same, record by record)."""
    return json.loads("".join(_data_chunks(report)))


def _data_chunks(report) -> Iterator[str]:
    """The page's data block (``script_json``) piece by piece, a file and a finding at a time:
    ``{"files": [...], "findings": [...], "rules": {...}, "invisible": ...}``."""
    by_path: dict[str, list] = {}
    for f in report.findings:
        by_path.setdefault(f.path, []).append(f)
    index, documents = {}, {}
    for n, doc in enumerate(report.documents):
        index[doc.path] = n
        documents[doc.path] = doc
    strays = [path for path in by_path if path not in index]
    for n, path in enumerate(strays, len(report.documents)):  # a finding on a file not among the documents (never expected): still listed
        index[path] = n

    def text_of(path: str) -> tuple[str, bool]:
        """A file's (text, BOM), read when a finding is in it or names it: a file read only as
        context (``ingest.UnreadDocument``: a pre-commit run's corpus, the spark engine's
        files) is not read for the page."""
        doc = documents.get(path)
        return ("", False) if doc is None else (doc.text, doc.bom)
    yield '{"files":['
    for n, doc in enumerate(report.documents):
        shown = doc.path in by_path  # a clean file is listed, not copied into the page
        yield ("," if n else "") + script_json({"p": doc.path, "t": doc.text if shown else None, "x": doc.problem})
    for n, path in enumerate(strays):
        yield ("," if n or report.documents else "") + script_json({"p": path, "t": None, "x": None})
    yield '],"findings":['
    positions: dict[str, Positions] = {}  # each file's line starts, made when a finding first asks

    def located(path: str) -> Positions:
        known = positions.get(path)
        if known is None:
            known = positions[path] = Positions(text_of(path)[0])
        return known

    for n, f in enumerate(report.findings):
        text, bom = text_of(f.path)
        here = located(f.path)
        start = here.offset(f.line, f.column)
        end = max(start, here.offset(f.end_line, f.end_column))
        related = []
        for place in f.related[:RELATED_KEPT]:
            if place.path in index:
                other = located(place.path)
                related.append([index[place.path], place.line, place.column, other.offset(place.line, place.column)])
            else:  # a file read as context only (``--with-corpus``): named, not linked
                related.append([place.path, place.line, place.column, None])
        record = {
            "f": index[f.path], "c": f.code, "s": f.severity, "a": start, "b": end,
            "l": f.line, "k": f.column, "m": f.message, "h": f.suggestion, "r": related, "n": f.related_count,
        }  # fmt: skip
        if f.fixable:
            record["d"] = _hunk(text, f.edits, bom=f.removes_bom and bom)
        yield ("," if n else "") + script_json(record)
    rules = {
        code: {"n": RULES[code].name, "y": RULES[code].family, "t": RULES[code].doc().splitlines()[0]}
        for code in sorted({f.code for f in report.findings})
    }
    yield '],"rules":' + script_json(rules) + ',"invisible":' + script_json(JS_INVISIBLE) + "}"


# --------------------------------------------------------------------------- the summary


def _count_cells(counter: Counter, key) -> str:
    return "".join(f'<td class="n sev-{s}">{counter[(key, s)] or ""}</td>' for s in SEVERITIES)


def _chart(by_code: Counter, families: dict[str, str]) -> str:
    """Findings by code as an inline SVG bar chart (no style attributes: the policy forbids them)."""
    if not by_code:
        return ""
    rows = sorted(by_code.items(), key=lambda item: (-item[1], item[0]))
    top = rows[0][1]
    bar_height, gap, label_width, width = 18, 6, 56, 420
    scale = (width - label_width - 56) / top
    parts = []
    for n, (code, count) in enumerate(rows):
        y = n * (bar_height + gap)
        length = max(2.0, count * scale)
        parts.append(
            f'<a href="#code={code}"><g class="bar fam-{families[code]}">'
            f"<title>{code} {html.escape(RULES[code].name)}: {count}</title>"
            f'<text x="0" y="{y + 13}" class="label">{code}</text>'
            f'<rect x="{label_width}" y="{y}" width="{length:.1f}" height="{bar_height}" rx="3"></rect>'
            f'<text x="{label_width + length + 6:.1f}" y="{y + 13}" class="count">{count}</text></g></a>'
        )
    height = len(rows) * (bar_height + gap)
    return (
        f'<svg class="chart" viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" '
        f'aria-label="findings by rule code">{"".join(parts)}</svg>'
    )


TOP_FILES = 10


def _summary(report) -> str:
    s = report.summary()
    families = {f.code: f.family for f in report.findings}
    by_family = Counter((f.family, f.severity) for f in report.findings)
    by_code_sev = Counter((f.code, f.severity) for f in report.findings)
    by_code = Counter(f.code for f in report.findings)
    by_file = Counter(f.path for f in report.findings)
    errors_by_file = Counter(f.path for f in report.findings if f.severity == "error")
    file_index = {doc.path: n for n, doc in enumerate(report.documents)}

    cards = "".join(
        f'<div class="card {cls}"><b>{value:,}</b><span>{label}</span></div>'
        for value, label, cls in [
            (s["files"], "files", ""), (s["paragraphs"], "paragraphs", ""), (s["findings"], "findings", ""),
            (s["errors"], "errors", "sev-error"), (s["warnings"], "warnings", "sev-warning"), (s["infos"], "info", "sev-info"),
        ]
    )  # fmt: skip
    if s["baselined"]:
        cards += f'<div class="card"><b>{s["baselined"]:,}</b><span>accepted by the baseline</span></div>'
    head = "<tr><th></th><th>error</th><th>warning</th><th>info</th></tr>"
    family_rows = "".join(
        f'<tr><th><a class="fam fam-{family}" href="#fam={family}">{family}</a></th>{_count_cells(by_family, family)}</tr>'
        for family in FAMILIES
        if any(by_family[(family, sev)] for sev in SEVERITIES)
    )
    code_rows = "".join(
        f'<tr><th><a class="fam fam-{families[code]}" href="#code={code}">{code}</a></th>'
        f"<td>{html.escape(RULES[code].name)}</td>{_count_cells(by_code_sev, code)}</tr>"
        for code in sorted(by_code)
    )
    file_rows = "".join(
        f'<tr><td><a href="#open={file_index[path]}">{text_html(path)}</a></td><td class="n">{count}</td>'
        f'<td class="n sev-error">{errors_by_file[path] or ""}</td></tr>'
        if path in file_index
        else f'<tr><td>{text_html(path)}</td><td class="n">{count}</td><td class="n sev-error">{errors_by_file[path] or ""}</td></tr>'
        for path, count in sorted(by_file.items(), key=lambda item: (-item[1], item[0]))[:TOP_FILES]
    )
    skipped = "".join(f"<li>{text_html(p)}: {html.escape(r)}</li>" for p, r in report.skipped)
    if not report.findings:
        return f'<section id="summary"><div class="cards">{cards}</div><p class="clear">All clear: no findings.</p></section>'
    return f"""<section id="summary">
<div class="cards">{cards}</div>
<div class="grid">
<div><h2>By family</h2><table class="counts">{head}{family_rows}</table>
<h2>Files with the most findings</h2><table class="counts files"><tr><th>file</th><th>findings</th><th>errors</th></tr>{file_rows}</table></div>
<div><h2>By code</h2><table class="counts">{head.replace("<th></th>", "<th></th><th>rule</th>")}{code_rows}</table></div>
<div><h2>Findings by code</h2>{_chart(by_code, families)}</div>
</div>
{f"<h2>Skipped</h2><ul>{skipped}</ul>" if skipped else ""}
</section>"""


def _asset(name: str) -> str:
    return resources.files(__package__).joinpath(name).read_text(encoding="utf-8")


def _hash(source: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(source.encode("utf-8")).digest()).decode("ascii") + "'"


def render(report) -> str:
    return "".join(chunks(report))


def chunks(report) -> Iterator[str]:
    """The page piece by piece: the head and summary, then its data block a file and a
    finding at a time (``_data_chunks``), then the script."""
    style, script = _asset("html_report.css"), _asset("html_report.js")
    policy = (
        f"default-src 'none'; style-src {_hash(style)}; script-src {_hash(script)}; "
        "img-src 'none'; base-uri 'none'; form-action 'none'"
    )
    s = report.summary()
    title = f"corpus-validator: {s['findings']:,} findings in {s['files']:,} files"
    legend = "".join(f'<span class="fam fam-{family}">{family}</span>' for family in FAMILIES)
    yield f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{policy}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>{html.escape(title)}</title>
<style>{style}</style>
</head>
<body>
<header><h1>corpus-validator report</h1><p class="meta">corpus-validator {html.escape(__version__)} · families: {legend}
· severity: <span class="sev sev-error">error</span> <span class="sev sev-warning">warning</span> <span class="sev sev-info">info</span></p></header>
{_summary(report)}
<section id="findings"><noscript><p>The findings list and the file view need JavaScript; the summary above does not.</p></noscript></section>
<script type="application/json" id="report-data">"""
    yield from _data_chunks(report)
    yield f"""</script>
<script>{script}</script>
</body>
</html>
"""
