"""Encoding features: where the bytes or characters of a paragraph are damaged.

Columns (None where the paragraph is clean; otherwise a short description):
- ``mojibake``: ftfy's repair steps when it decodes text that was decoded wrongly.
- ``unrepaired_mojibake``: text ftfy's badness heuristic still finds suspicious after repair.
- ``undecodable``: the bytes that are not UTF-8, with their byte offsets in the file.
- ``bom``: on a file's first paragraph, when the file starts with a byte-order mark.
- ``replacement_chars``, ``control_chars``, ``invisible_chars``, ``odd_spaces``,
  ``html_entities``, ``typography``: the distinct characters (entities) found of the classes
  in ``expectations/encoding.toml``; the findings name them.
- ``not_nfc``: the paragraph changes under Unicode normalisation form C.
- ``mixed_line_endings``: on a file's first paragraph, when the file mixes CRLF, LF and CR.
"""

from __future__ import annotations

import html
import re
import tomllib
import unicodedata
from collections import Counter
from dataclasses import dataclass

from ftfy.badness import is_bad

from ..errors import ConfigError
from ..ingest import Document
from ..segment import LINE_BREAK
from .steps import FileStep, register

#: ftfy steps that undo a decoding mix-up; the rest of its work (NFC, widths,
#: ligatures, entities) is normalisation, reported by rules of its own.
MOJIBAKE_STEPS = ("encode ", "decode ", "transcode ")
MOJIBAKE_FIXERS = (
    "apply decode_inconsistent_utf8",
    "apply restore_byte_a0",
    "apply replace_lossy_sequences",
    "apply fix_c1_controls",
)
CHARACTER_CLASSES = {  # feature column -> key in encoding.toml
    "replacement_chars": "replacement",
    "control_chars": "control",
    "invisible_chars": "invisible",
    "odd_spaces": "odd_space",
    "html_entities": "html_entity",
    "typography": "typography",
}
LINE_ENDINGS = {"\r\n": "CRLF", "\n": "LF", "\r": "CR"}


@dataclass(frozen=True)
class EncodingPatterns:
    classes: dict[str, re.Pattern]  # key in encoding.toml -> compiled pattern

    @classmethod
    def parse(cls, source: str, text: str) -> EncodingPatterns:
        try:
            data = tomllib.loads(text)
            compiled = {key: re.compile(data[key]) for key in CHARACTER_CLASSES.values()}
        except (tomllib.TOMLDecodeError, re.error, KeyError, TypeError) as exc:
            raise ConfigError(f"{source}: {exc.__class__.__name__}: {exc}") from None
        return cls(compiled)


def is_mojibake_repair(fixes: str | float | None) -> bool:
    if not isinstance(fixes, str):  # None, or NaN in pandas' string columns
        return False
    steps = fixes.split("; ")
    return any(s.startswith(MOJIBAKE_STEPS) or s in MOJIBAKE_FIXERS for s in steps)


def name_characters(chars: str) -> str:
    """"\u200b\u200b\u00a0" -> "U+200B ZERO WIDTH SPACE ×2, U+00A0 NO-BREAK SPACE"."""
    counts = Counter(chars)
    return ", ".join(
        f"U+{ord(c):04X} {unicodedata.name(c, 'control character')}" + (f" ×{n}" if n > 1 else "")
        for c, n in counts.items()
    )


def _found_in_class(raw: str, pattern: re.Pattern, key: str) -> str | None:
    """The distinct characters of the class in ``raw`` (entities: the distinct entities), in order."""
    found = dict.fromkeys(m.group() for m in pattern.finditer(raw))
    if key == "html_entity":
        return " ".join(m for m in found if html.unescape(m) != m) or None
    return "".join(dict.fromkeys("".join(found))) or None


def _line_endings(text: str) -> str | None:
    counts = Counter(LINE_ENDINGS[m.group()] for m in LINE_BREAK.finditer(text))
    return ", ".join(f"{n} {kind}" for kind, n in counts.most_common()) if len(counts) > 1 else None


def encoding_columns(doc: Document, columns: dict[str, list], patterns: EncodingPatterns) -> dict[str, list]:
    """The encoding feature columns of one document's paragraphs (``frame.document_columns``)."""
    raws, texts = columns["raw"], columns["text"]
    out: dict[str, list] = {}
    out["mojibake"] = [f if is_mojibake_repair(f) else None for f in columns["fixes"]]
    out["unrepaired_mojibake"] = [
        "ftfy's badness heuristic still sees mojibake" if not t.isascii() and is_bad(t) else None for t in texts
    ]
    for column, key in CHARACTER_CLASSES.items():
        pattern = patterns.classes[key]
        out[column] = [_found_in_class(raw, pattern, key) if pattern.search(raw) else None for raw in raws]
    out["not_nfc"] = [None if unicodedata.is_normalized("NFC", raw) else "changes under NFC" for raw in raws]
    out["undecodable"] = [
        ", ".join(f"0x{raw.hex()} at byte {b}" for c, b, raw in doc.undecodable if start <= c < end) or None
        for start, end in zip(columns["char_start"], columns["char_end"], strict=True)
    ]
    first = [para == 0 for para in columns["para"]]
    out["bom"] = ["UTF-8 byte-order mark" if doc.bom and is_first else None for is_first in first]
    endings = _line_endings(doc.text) if any(first) else None
    out["mixed_line_endings"] = [endings if is_first else None for is_first in first]
    return out


def load_patterns(context) -> EncodingPatterns:
    return EncodingPatterns.parse(*context.file("encoding.toml"))


ENCODING = register(
    FileStep(
        "encoding",
        family="encoding",
        version="1",
        compute=encoding_columns,
        needs=("para", "char_start", "char_end", "raw", "text", "fixes"),
        columns=(
            "mojibake", "unrepaired_mojibake", *CHARACTER_CLASSES, "not_nfc", "undecodable", "bom", "mixed_line_endings",
        ),  # fmt: skip
        shaping=("encoding.toml",),
        libraries=("ftfy",),  # its badness heuristic (Unicode's tables come with Python's version)
        prepare=load_patterns,
    )
)
