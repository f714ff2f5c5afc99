"""Split a document into paragraphs without losing a byte.

A paragraph is a block of non-blank lines separated by blank lines. A file that has
no blank line between two of its lines is written one paragraph per line (news
feeds often are), so there each non-blank line is a paragraph.

Lossless: ``prefix + "".join(p.raw + p.separator for p in paragraphs)`` is the
document text exactly, whatever its line endings, trailing white space or final
newline.
"""

from __future__ import annotations

import bisect
import functools
import re
from array import array
from dataclasses import dataclass

#: The line breaks editors and code hosts count: CRLF, LF and a lone CR.
LINE_BREAK = re.compile(r"\r\n|\r|\n")


@dataclass(frozen=True, slots=True)
class Paragraph:
    index: int
    char_start: int  # offset of the first character in the document text
    char_end: int  # offset just past the last character (line break excluded)
    line_start: int  # 1-based
    line_end: int
    raw: str
    separator: str  # everything after the paragraph up to the next one (or the end)


@dataclass(frozen=True, slots=True)
class Layout:
    prefix: str  # blank lines before the first paragraph
    paragraphs: tuple[Paragraph, ...]
    one_per_line: bool


def _lines(text: str) -> list[tuple[int, int]]:
    """(start, end-of-content) of each line; the break itself lies between lines."""
    spans = []
    start = 0
    for match in LINE_BREAK.finditer(text):
        spans.append((start, match.start()))
        start = match.end()
    if start < len(text) or not spans:
        spans.append((start, len(text)))
    return spans


def _is_blank(text: str, start: int, end: int) -> bool:
    return text[start:end].strip() == ""


def segment(text: str) -> Layout:
    """Paragraphs of ``text`` with their line numbers and character offsets."""
    lines = _lines(text)
    blank = [_is_blank(text, s, e) for s, e in lines]
    content_lines = [i for i, b in enumerate(blank) if not b]
    if not content_lines:
        return Layout(prefix=text, paragraphs=(), one_per_line=False)

    # A blank line strictly between two content lines means blank-line blocks.
    first, last = content_lines[0], content_lines[-1]
    one_per_line = not any(blank[first:last])

    groups: list[tuple[int, int]] = []  # (first line, last line) of each paragraph
    for i in content_lines:
        if groups and not one_per_line and groups[-1][1] == i - 1:
            groups[-1] = (groups[-1][0], i)
        else:
            groups.append((i, i))

    paragraphs = []
    for index, (first_line, last_line) in enumerate(groups):
        char_start = lines[first_line][0]
        char_end = lines[last_line][1]
        next_start = lines[groups[index + 1][0]][0] if index + 1 < len(groups) else len(text)
        paragraphs.append(
            Paragraph(
                index=index,
                char_start=char_start,
                char_end=char_end,
                line_start=first_line + 1,
                line_end=last_line + 1,
                raw=text[char_start:char_end],
                separator=text[char_end:next_start],
            )
        )
    return Layout(
        prefix=text[: paragraphs[0].char_start],
        paragraphs=tuple(paragraphs),
        one_per_line=one_per_line,
    )


def position(raw: str, offset: int, line_start: int, base: int = 0) -> tuple[int, int]:
    """1-based (line, column) of ``offset`` inside a paragraph that starts a line.

    The paragraph is ``raw``, or the part of ``raw`` from ``base`` on (a document's
    text and the paragraph's start: no slice is copied).
    Columns count Unicode code points, as the findings and SARIF output declare.
    The line breaks of the last few paragraphs asked about are kept, so a paragraph
    with many findings or name mentions costs one scan and a binary search for each,
    not a rescan from its start (a one-line 50 MB file has hundreds of thousands).
    """
    return position_in(_breaks(raw), offset, line_start, base)


def position_in(breaks: tuple, offset: int, line_start: int, base: int = 0) -> tuple[int, int]:
    """``position`` given the text's ``line_breaks``: a caller that keeps them for every
    text it asks about (findings, across all the rules) never rescans one."""
    starts, ends = breaks
    first = bisect.bisect_left(starts, base) if base else 0
    last = bisect.bisect_left(starts, base + offset)  # breaks that start before ``offset``
    if last == first:
        return line_start, offset + 1
    # A break straddling ``offset`` (inside "\r\n") ends the line at ``offset``.
    return line_start + last - first, offset - (min(ends[last - 1], base + offset) - base) + 1


def span_in(breaks: tuple, offset: int, end: int, line_start: int, base: int = 0) -> tuple[int, int, int, int]:
    """``position_in`` of ``offset`` and of ``end`` at once: (line, column, end line, end column)."""
    starts, ends = breaks
    first = bisect.bisect_left(starts, base) if base else 0
    last = bisect.bisect_left(starts, base + offset)
    if last == first:
        line, column = line_start, offset + 1
    else:
        line, column = line_start + last - first, offset - (min(ends[last - 1], base + offset) - base) + 1
    if end == offset:
        return line, column, line, column
    last = bisect.bisect_left(starts, base + end, last if end >= offset else first)
    if last == first:
        return line, column, line_start, end + 1
    return line, column, line_start + last - first, end - (min(ends[last - 1], base + end) - base) + 1


def line_breaks(text: str) -> tuple[array, array]:
    """(start, end) offsets of the line breaks of ``text``, as compact arrays (8 bytes a break)."""
    starts, ends = array("q"), array("q")
    for match in LINE_BREAK.finditer(text):
        starts.append(match.start())
        ends.append(match.end())
    return starts, ends


_breaks = functools.lru_cache(maxsize=8)(line_breaks)
