"""Corpus text and file names are data: what every output format does to them before a
terminal, a CI log or a parser sees them.

- ``visible``: control characters (C0, DEL, C1), format characters (bidirectional
  overrides and isolates, zero-width characters, BOM, tag characters), line and paragraph
  separators, noncharacters (U+FFFE, U+FFFF …) become ``\\x1b``, ``\\u202e``, ``\\U000e0001``; an undecodable byte (a lone
  surrogate from ``surrogateescape``) becomes ``\\xff``. Nothing that moves the cursor,
  recolours the terminal, reorders the line or hides text reaches it raw.
- ``safe_line``: a line of plain output that CI runners would read as a command
  (GitHub's ``::error …`` at the line's start, the legacy ``##[error]`` anywhere)
  is defused by showing one of its characters escaped.
- ``dumps``: JSON whose strings carry the same characters as ``\\uXXXX`` escapes: the
  values stay exact, the bytes stay printable; ``dumps_streamed`` writes the same text
  piece by piece, its last list one item at a time (a report of many findings is never
  held whole).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from json.encoder import encode_basestring as _encode_string  # C, as json.dumps(ensure_ascii=False)

#: Unicode categories shown escaped: controls, format characters, line and paragraph
#: separators, surrogates (undecodable bytes).
HIDDEN_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp", "Cs"})

#: The code points of those categories (Unicode 14), as ranges: computing them at import
#: would cost every run a scan of the whole code space. A test checks them against
#: ``unicodedata``.
HIDDEN_RANGES = (
    (0x0000, 0x001F), (0x007F, 0x009F), (0x00AD, 0x00AD), (0x0600, 0x0605), (0x061C, 0x061C),
    (0x06DD, 0x06DD), (0x070F, 0x070F), (0x0890, 0x0891), (0x08E2, 0x08E2), (0x180E, 0x180E),
    (0x200B, 0x200F), (0x2028, 0x202E), (0x2060, 0x2064), (0x2066, 0x206F), (0xD800, 0xDFFF),
    (0xFEFF, 0xFEFF), (0xFFF9, 0xFFFB), (0x110BD, 0x110BD), (0x110CD, 0x110CD), (0x13430, 0x13438),
    (0x1BCA0, 0x1BCA3), (0x1D173, 0x1D17A), (0xE0001, 0xE0001), (0xE0020, 0xE007F),
)  # fmt: skip

#: Unicode's noncharacters (U+FDD0-U+FDEF, and the last two code points of each plane), never
#: meant for interchange, shown escaped too: XML 1.0 cannot carry U+FFFE or U+FFFF at all, so a
#: JUnit report holding one raw would not parse.
NONCHARACTERS = ((0xFDD0, 0xFDEF), *((plane + 0xFFFE, plane + 0xFFFF) for plane in range(0, 0x110000, 0x10000)))
HIDDEN_RANGES = tuple(sorted((*HIDDEN_RANGES, *NONCHARACTERS)))


def _character_class(ranges) -> str:
    return "[" + "".join(f"\\U{a:08x}" if a == b else f"\\U{a:08x}-\\U{b:08x}" for a, b in ranges) + "]"


HIDDEN = re.compile(_character_class(HIDDEN_RANGES))
#: The same without C0 controls: ``json.dumps`` escapes those in strings itself, and
#: outside strings they are the document's own white space.
_JSON_HIDDEN = re.compile(_character_class([(0x007F, 0x009F), *HIDDEN_RANGES[2:]]))


def _escape(char: str) -> str:
    code = ord(char)
    if 0xDC80 <= code <= 0xDCFF:  # surrogateescape's stand-in for the byte code - 0xDC00
        return f"\\x{code - 0xDC00:02x}"
    if code <= 0xFF:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


def visible(text: str) -> str:
    """``text`` with every hidden or terminal-controlling character shown as an escape."""
    if text.isprintable():  # the common case, in C: every hidden character is unprintable
        return text
    return HIDDEN.sub(lambda m: "".join(_escape(c) for c in m.group()), text)


#: A line a CI runner would execute: GitHub's ``::command`` after leading white space,
#: and the legacy ``##[command]`` form (also Azure's ``##vso[``) anywhere in a line.
_LINE_COMMAND = re.compile(r"^([^\S\n]*):(?=:)", re.MULTILINE)
_LEGACY_COMMAND = re.compile(r"#(?=#(?:vso)?\[)")


def visible_lines(text: str) -> str:
    """``text`` shown like ``visible``, line by line: its line feeds stay line feeds (a
    carriage return or another line break is shown escaped)."""
    return "\n".join(visible(line) for line in text.split("\n"))


def safe_lines(text: str) -> str:
    """``text`` with no line that a CI runner reads as a workflow command."""
    if "::" not in text and "##" not in text:  # what each form needs: most lines have neither
        return text
    text = _LINE_COMMAND.sub(lambda m: m.group(1) + "\\x3a", text)
    return _LEGACY_COMMAND.sub("\\\\x23", text)


def safe_line(line: str) -> str:
    """One line of plain output that no CI runner reads as a workflow command."""
    return safe_lines(line)


def _json_escape(char: str) -> str:
    code = ord(char)
    if code <= 0xFFFF:
        return f"\\u{code:04x}"
    code -= 0x10000  # outside the BMP: JSON writes a surrogate pair
    return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"


def dumps(document, **options) -> str:
    """``json.dumps`` keeping non-ASCII text readable, but with every hidden character
    escaped. Outside strings JSON has only ASCII, so escaping after dumping is exact."""
    return _escaped_json(json.dumps(document, ensure_ascii=False, **options))


def _escaped_json(text: str) -> str:
    return _JSON_HIDDEN.sub(lambda m: "".join(_json_escape(c) for c in m.group()), text)


#: What may follow the streamed list in an indented dump: its closing bracket and those of
#: the containers it is the last value of.
_CLOSERS = re.compile(r"\][\s\]}]*")


class Shared:
    """A value that many items of a streamed dump hold (the place of a text that each of its
    copies lists, the places of a name's spelling that each of its variants lists): held by
    its producer as one object, it is encoded once however often it is written, and then
    only its text is kept (``value`` is dropped). A dump of findings that list each other's
    places grows with the places listed; their encoding, without this, grew with them too
    (the places of the corpus's spelling of one name, written once for each of its variants)."""

    __slots__ = ("value", "text", "at")

    def __init__(self, value):
        self.value = value
        self.text: str | None = None
        self.at = ""  # the indentation ``text`` was written at


class _Indented:
    """``json.dumps(value, ensure_ascii=False, indent=...)`` with hidden characters escaped
    (``dumps``), for what our outputs hold: dicts, lists, tuples, strings, numbers, booleans,
    None, and ``Shared`` values. ``json`` indents only in pure Python, a generator per
    container; this is the same text at a fraction of the cost (``tests/test_outputs.py``
    holds the two equal)."""

    def __init__(self, indent: int):
        self.indent = " " * indent

    def encode(self, value, at: str = "\n") -> str:
        kind = type(value)
        if kind is str:
            return _string(value)
        if value is None:
            return "null"
        if value is True:
            return "true"
        if value is False:
            return "false"
        if kind is int:
            return int.__repr__(value)
        if kind is float:
            return _float(value)
        inner = at + self.indent
        if kind is dict:
            if not value:
                return "{}"
            fields = (_key(k) + ": " + self.encode(v, inner) for k, v in value.items())
            return "{" + inner + ("," + inner).join(fields) + at + "}"
        if kind is list or kind is tuple:
            if not value:
                return "[]"
            return "[" + inner + ("," + inner).join(self.encode(v, inner) for v in value) + at + "]"
        if kind is Shared:
            if value.text is None:
                value.text, value.at, value.value = self.encode(value.value, at), at, None
            # JSON text holds no raw line feed but its layout: at another depth, indented again.
            return value.text if at == value.at else value.text.replace(value.at, at)
        # Subclasses (a str or int enum) as json writes them; anything else is json's TypeError.
        if isinstance(value, str):
            return _string(str.__str__(value))
        if isinstance(value, int):
            return int.__repr__(value)
        if isinstance(value, float):
            return _float(float(value))
        if isinstance(value, (list, tuple)):
            return self.encode(list(value), at)
        if isinstance(value, dict):
            return self.encode(dict(value), at)
        return json.dumps(value)


def _string(text: str) -> str:
    encoded = _encode_string(text)
    # A printable string holds no hidden character but the (escaped) controls; others are scanned.
    return encoded if text.isprintable() else _escaped_json(encoded)


def _key(key) -> str:
    if type(key) is str:
        return _string(key)
    if key is True or key is False or key is None:  # json's own rules for keys that are not strings
        return f'"{json.dumps(key)}"'
    if isinstance(key, float):
        return f'"{_float(key)}"'
    if isinstance(key, int):
        return f'"{int.__repr__(key)}"'
    raise TypeError(f"keys must be str, int, float, bool or None, not {type(key).__name__}")


def _float(number: float) -> str:
    if number != number:
        return "NaN"
    if number in (float("inf"), float("-inf")):
        return "Infinity" if number > 0 else "-Infinity"
    return float.__repr__(number)


def dumps_streamed(document, items: Iterable, indent: int = 2) -> Iterator[str]:
    """``dumps(document, indent=indent)`` with ``items`` as the value of the list that ends
    ``document`` (an empty list that is the last value of its object or list, and of each
    container around it: the findings of a JSON report, the results of a SARIF run), written
    item by item as ``items`` yields them: the same text, never held whole. A ``Shared``
    value in the items is encoded once."""
    text = dumps(document, indent=indent)
    at = text.rfind("[]")
    if at < 0 or _CLOSERS.fullmatch(text, at + 1) is None:
        raise ValueError("dumps_streamed: the document must end with the empty list to fill")
    line = text[text.rfind("\n", 0, at) + 1 : at]
    outer = "\n" + line[: len(line) - len(line.lstrip(" "))]
    inner = outer + " " * indent
    # Unlike json's indenting encoder, this one leaves no reference cycle per item for a
    # collector to free (the command line runs with it off: ``cli._without_cycle_collection``).
    encoder = _Indented(indent)
    written = False
    for item in items:
        head = "," if written else text[: at + 1]  # the separator, or all up to the list's opening bracket
        yield head + inner + encoder.encode(item, inner)
        written = True
    yield outer + text[at + 1 :] if written else text  # an empty list: ``[]``, as ``dumps`` writes it
