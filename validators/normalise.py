"""ftfy normalisation of one paragraph, with ftfy's own explanation of what it changed.

The configuration keeps typography (curly quotes) and line endings as the author
wrote them: those are choices, not damage, and ``fix`` must not rewrite them.
"""

from __future__ import annotations

import re

import ftfy
from ftfy import TextFixerConfig

FTFY_CONFIG = TextFixerConfig(uncurl_quotes=False, fix_line_breaks=False, explain=True)

#: Text that ftfy provably leaves alone: printable ASCII with tabs and line breaks, and
#: no "&" (HTML entities) nor ESC (terminal codes). Most English news paragraphs are this.
_UNTOUCHABLE = re.compile(r"[\t\n\r\x20-\x25\x27-\x7e]*")
_ESCAPED_BYTE = re.compile("[\udc80-\udcff]")
REPLACEMENT = "\ufffd"


def normalise(raw: str) -> tuple[str, tuple[tuple[str, str], ...]]:
    """(normalised text, ftfy's explanation steps) for one paragraph.

    Undecodable bytes (lone surrogates from ingest) become U+FFFD first: they are
    not characters, and the encoding family reports them on their own.
    """
    if _UNTOUCHABLE.fullmatch(raw):
        return raw, ()
    text = _ESCAPED_BYTE.sub(REPLACEMENT, raw)
    fixed, explanation = ftfy.fix_and_explain(text, config=FTFY_CONFIG)
    return fixed, tuple((step.action, step.parameter) for step in explanation or ())
