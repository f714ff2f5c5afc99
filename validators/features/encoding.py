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
- ``mixed_script``: the words that mix Latin letters with Cyrillic or Greek ones that look
  the same ("Веlіzе" with a Cyrillic В, е and і), the ``lookalikes`` of ``encoding.toml``;
  None in a paragraph that is mojibake (``mojibake``, ``unrepaired_mojibake``).
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field

from ftfy.badness import is_bad

from ..errors import ConfigError
from ..ingest import Document
from ..safe_regex import UnsafePattern
from ..safe_regex import check as checked_pattern
from ..segment import LINE_BREAK
from . import parse_toml
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


#: The scripts whose letters look alike; a word mixing Latin with one of the others is suspect.
LATIN, OTHER_SCRIPTS = "LATIN", ("CYRILLIC", "GREEK")
_LETTERS = re.compile(r"[^\W\d_]+")
_CYRILLIC_OR_GREEK = re.compile("[\u0370-\u03ff\u0400-\u052f\u1f00-\u1fff]")


@dataclass(frozen=True)
class EncodingPatterns:
    classes: dict[str, re.Pattern]  # key in encoding.toml -> compiled pattern
    lookalikes: dict[str, str] = field(default_factory=dict)  # a Cyrillic or Greek letter -> the Latin one it looks like

    @classmethod
    def parse(cls, source: str, text: str, default_lookalikes: dict[str, str] | None = None) -> EncodingPatterns:
        """``default_lookalikes``: those of a file that lists none (the bundled ones)."""
        data = parse_toml(source, text, {*CHARACTER_CLASSES.values(), "lookalikes"})
        compiled = {}
        for key in CHARACTER_CLASSES.values():
            if key not in data:
                raise ConfigError(f"{source}: {key} is missing: each of {', '.join(CHARACTER_CLASSES.values())} is a pattern of characters")
            if not isinstance(data[key], str):
                raise ConfigError(f"{source}: {key} must be a pattern in quotes, e.g. {key} = \"[\\ufffd]\"")
            try:
                compiled[key] = checked_pattern(data[key])
            except re.error as exc:
                raise ConfigError(f"{source}: {key}: {data[key]!r} is not a valid regular expression: {exc}") from None
            except UnsafePattern as exc:
                raise ConfigError(f"{source}: {key}: {exc}") from None
        lookalikes = data.get("lookalikes", default_lookalikes or {})
        if not isinstance(lookalikes, dict):
            raise ConfigError(f"{source}: lookalikes must be a table of letters ([lookalikes], then \"\u0430\" = \"a\" lines)")
        for letter, latin in lookalikes.items():
            if not (isinstance(latin, str) and len(letter) == len(latin) == 1 and _script(latin) == LATIN and _script(letter) in OTHER_SCRIPTS):
                raise ConfigError(f"{source}: lookalikes: {letter!r} = {latin!r} is not a Cyrillic or Greek letter and a Latin one")
        return cls(compiled, dict(lookalikes))


def _script(char: str) -> str:
    """The script a letter's Unicode name starts with: LATIN, CYRILLIC, GREEK, …"""
    return unicodedata.name(char, "").split(" ", 1)[0]


def mixed_script_words(raw: str, lookalikes: dict[str, str]) -> list[tuple[int, int, str]]:
    """(start, end, the word in one script) of each word of ``raw`` that mixes Latin letters
    with Cyrillic or Greek ones and can be written in one of those scripts by swapping
    letters for their ``lookalikes``: a Latin word with a Cyrillic "е" ("Веlіzе" -> "Belize"),
    a Cyrillic word with a Latin "o". Into Cyrillic or Greek only when the word has two
    letters of it: "Aβ" (amyloid beta) is a symbol beside an abbreviation, not a Greek word.
    Words that mix scripts without lookalikes ("NFκB") are left alone."""
    if raw.isascii() or not _CYRILLIC_OR_GREEK.search(raw):
        return []
    found = []
    for match in _LETTERS.finditer(raw):
        word = match.group()
        if word.isascii():
            continue
        scripts = [_script(c) for c in word]
        kinds = set(scripts)
        if LATIN not in kinds or not kinds & set(OTHER_SCRIPTS) or not kinds <= {LATIN, *OTHER_SCRIPTS}:
            continue
        fixed = _in_one_script(word, scripts, lookalikes)
        if fixed is not None:
            found.append((match.start(), match.end(), fixed))
    return found


def _in_one_script(word: str, scripts: list[str], lookalikes: dict[str, str]) -> str | None:
    options = []  # (letters of the target script in the word, prefer Latin on a tie, the word in it)
    if all(s == LATIN or c in lookalikes for c, s in zip(word, scripts, strict=True)):
        options.append((scripts.count(LATIN), 1, "".join(lookalikes.get(c, c) for c in word)))
    others = {s for s in scripts if s != LATIN}
    if len(others) == 1:
        (other,) = others
        back = {latin: letter for letter, latin in lookalikes.items() if _script(letter) == other}
        if scripts.count(other) >= 2 and all(s == other or c in back for c, s in zip(word, scripts, strict=True)):
            options.append((scripts.count(other), 0, "".join(back.get(c, c) if s == LATIN else c for c, s in zip(word, scripts, strict=True))))
    return max(options)[2] if options else None


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
    # Mojibake of a Cyrillic code page mixes scripts too ("lвЂ™ouest"): EN001 and EN012 say what it is.
    out["mixed_script"] = [
        None if damaged or unrepaired else " ".join(dict.fromkeys(raw[s:e] for s, e, _ in mixed_script_words(raw, patterns.lookalikes))) or None
        for raw, damaged, unrepaired in zip(raws, out["mojibake"], out["unrepaired_mojibake"], strict=True)
    ]
    return out


def load_patterns(context) -> EncodingPatterns:
    """``encoding.toml``; a corpus's own that lists no lookalikes keeps the bundled ones."""
    bundled = EncodingPatterns.parse(*context.file("encoding.toml", bundled=True))
    return EncodingPatterns.parse(*context.file("encoding.toml"), default_lookalikes=bundled.lookalikes)


ENCODING = register(
    FileStep(
        "encoding",
        family="encoding",
        version="2",
        compute=encoding_columns,
        needs=("para", "char_start", "char_end", "raw", "text", "fixes"),
        columns=(
            "mojibake", "unrepaired_mojibake", *CHARACTER_CLASSES, "not_nfc", "undecodable", "bom", "mixed_line_endings",
            "mixed_script",
        ),  # fmt: skip
        shaping=("encoding.toml",),
        libraries=("ftfy",),  # its badness heuristic (Unicode's tables come with Python's version)
        prepare=load_patterns,
    )
)
