"""ftfy normalisation of one paragraph, with ftfy's own explanation of what it changed.

The configuration keeps typography (curly quotes) and line endings as the author
wrote them: those are choices, not damage, and ``fix`` must not rewrite them.
"""

from __future__ import annotations

import re
import unicodedata

import ftfy
from ftfy import TextFixerConfig, chardata
from ftfy.badness import is_bad

FTFY_CONFIG = TextFixerConfig(uncurl_quotes=False, fix_line_breaks=False, explain=True)

def _unsafe_class() -> re.Pattern:
    """Characters some ftfy fixer (other than the mojibake repair) would change, from ftfy's own tables."""
    codepoints = set(range(0x80, 0xA0)) | {0x1B}  # C1 controls; ESC starts terminal codes
    codepoints |= set(chardata.CONTROL_CHARS) | set(chardata.LIGATURES) | set(chardata.WIDTH_MAP)
    ranges = "".join(re.escape(chr(c)) for c in sorted(codepoints))
    return re.compile(f"[{ranges}\ud800-\udfff]")


_UNSAFE = _unsafe_class()
#: The common case, decided by one regex: printable ASCII without "&" or ESC, plus the
#: typography of English news. No fixer touches these, and ftfy's badness test cannot
#: fire on them (every mojibake of UTF-8 holds a Latin-1-range or rarer character).
_PLAIN = re.compile("[\t\n\r\x20-\x25\x27-\x7e\u2018\u2019\u201c\u201d\u2013\u2014\u2026]*")


def is_untouched_by_ftfy(raw: str) -> bool:
    """True when ``ftfy.fix_and_explain(raw, FTFY_CONFIG)`` would return ``raw`` with no steps.

    Mirrors ftfy's own order: no HTML entity, no mojibake by ftfy's badness test (which
    ftfy itself runs first and stops on), no character a later fixer changes, and NFC.
    Far cheaper than ftfy's full pass; tests/test_encoding_ftfy_cases.py and
    bench/normalise.py check that it never disagrees with ftfy.
    """
    if _PLAIN.fullmatch(raw):
        return True
    return (
        _UNSAFE.search(raw) is None
        and ("&" not in raw or chardata.HTML_ENTITY_RE.search(raw) is None)
        and unicodedata.is_normalized("NFC", raw)
        and (raw.isascii() or not is_bad(raw))
    )


_ESCAPED_BYTE = re.compile("[\udc80-\udcff]")
REPLACEMENT = "\ufffd"


def normalise(raw: str) -> tuple[str, tuple[tuple[str, str], ...]]:
    """(normalised text, ftfy's explanation steps) for one paragraph.

    Undecodable bytes (lone surrogates from ingest) become U+FFFD first: they are
    not characters, and the encoding family reports them on their own.
    """
    if is_untouched_by_ftfy(raw):
        return raw, ()
    text = _ESCAPED_BYTE.sub(REPLACEMENT, raw)
    fixed, explanation = ftfy.fix_and_explain(text, config=FTFY_CONFIG)
    return fixed, tuple((step.action, step.parameter) for step in explanation or ())
