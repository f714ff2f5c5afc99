"""Noise features: the structural signs of page furniture, for what no pattern names.

A scraped page puts menus, share bars, related-story lists and footers around the
story. Patterns (``expectations/paragraphs.json``) catch the known phrases; these
columns catch the shape:

- ``prose``: the paragraph reads as running text: at least ``PROSE_MIN_WORDS`` words and a
  sentence's end (. ! ? or a closing quote), or a colon that introduces a list.
- ``outside_body``: outside the story, in the page's head and tail, where navigation,
  bylines, related stories and footers sit. The story runs from the first to the last run
  of at least ``STORY_MIN_PROSE`` prose paragraphs, each at most ``STORY_GAP`` paragraphs
  after the one before (``story_span``), so a lone prose paragraph (a cookie notice above
  the menu, a newsletter blurb below the story) does not stretch it; the comment section is
  not part of it. When the story's last paragraph ends in a colon, the lines it announces
  (up to the next prose) are the story's too. Never set in a file without prose.
- ``short_line``: fewer than ``SHORT_MAX_WORDS`` words and no sentence end: a menu item,
  a button, a headline in a list.
- ``headline_list``: a block of two or more lines, each capitalised, at most
  ``HEADLINE_MAX_WORDS`` words and without a full stop: a list of headlines; or such a
  line in a run of ``HEADLINE_RUN`` or more such paragraphs. One such line of
  ``SHORT_MAX_WORDS`` words or more, alone, "reads as a headline" (a sign with no column).
- ``repeated``: the same text (case, spacing and punctuation folded) in at least
  ``REPEATED_MIN_FILES`` files of the corpus: site template text.
- ``repeated_in_file``: not prose, and said twice or more in its own file: a menu printed in
  the header and again in the footer, a share bar under each picture.
- ``in_comments``: at or after the file's comment section heading (one of
  ``comment_section`` in ``expectations/noise.toml``, after at least
  ``COMMENTS_AFTER_PROSE`` prose paragraphs): readers' comments and the comment form.
- ``between_furniture``: in a run of at most ``BLOCK_GAP`` paragraphs that are not prose,
  between two paragraphs of the file on which signs agree: part of a block of furniture
  (a share bar's count, a menu entry that ends with a full stop), whatever its own shape.
- ``noise_signals``: the signals that fire, comma-separated, or None; ``noise_agreeing`` holds
  them where two or more agree, or where the text is repeated across files or in the
  comments (an error, BP100), and ``noise_single`` where one that can stand alone fires
  alone (a warning, BP101). A short line, a headline and a line repeated in its file only
  support another sign, and a short line in a list of headlines counts once. Running text
  in the story raises none.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from ..errors import ConfigError
from ..frame import Table
from ..segment import LINE_BREAK
from . import parse_toml

PROSE_MIN_WORDS = 12
SHORT_MAX_WORDS = 8
REPEATED_MIN_FILES = 3
REPEATED_IN_FILE_MIN = 2
#: A comment heading opens the comment section once this many prose paragraphs precede it:
#: a page's header can carry a comment count and a line of running text (a disclaimer).
COMMENTS_AFTER_PROSE = 2
#: A story's prose comes in runs: pictures, subheadings, pull quotes and embeds sit between
#: its paragraphs, seldom more than ``STORY_GAP`` in a row.
STORY_GAP = 8
STORY_MIN_PROSE = 3
#: Up to this many paragraphs between two paragraphs of furniture are part of its block.
BLOCK_GAP = 4

_WORD = re.compile(r"\w+")
_SENTENCE_END = re.compile(r"[.!?…][\"'”’)\]]*\s*$|[\"”’]\s*$")


def _words(text: str) -> int:
    return len(_WORD.findall(text))


HEADLINE_MAX_WORDS = 20
HEADLINE_RUN = 3
_FULL_STOP = re.compile(r"[.!?…]\s*$")


def _is_headline(line: str) -> bool:
    """A line that reads as a headline: capitalised, short, no full stop at its end."""
    line = line.strip()
    return bool(line) and (line[0].isupper() or line[0].isdigit()) and _words(line) <= HEADLINE_MAX_WORDS and not _FULL_STOP.search(line)


@dataclass(frozen=True)
class NoisePatterns:
    """``expectations/noise.toml``: what the structural signals recognise."""

    comment_section: tuple[re.Pattern, ...] = ()

    @classmethod
    def parse(cls, source: str, text: str) -> NoisePatterns:
        data = parse_toml(source, text, {"comment_section"})
        patterns = data.get("comment_section", [])
        if not isinstance(patterns, list) or not all(isinstance(p, str) for p in patterns):
            raise ConfigError(f"{source}: comment_section must be a list of regular expressions")
        compiled = []
        for pattern in patterns:
            try:
                compiled.append(re.compile(pattern))
            except re.error as exc:
                raise ConfigError(f"{source}: comment_section: {pattern!r} is not a valid regular expression: {exc}") from None
        return cls(tuple(compiled))


SHAPE_COLUMNS = ("words", "sentence_end", "headline_block", "headline_line", "comment_heading")


def paragraph_shapes(texts: list[str], patterns: NoisePatterns = NoisePatterns()) -> dict[str, list]:
    """What each paragraph looks like on its own (cacheable per file): word count, whether it
    ends a sentence, whether it is a block of headline lines, or one headline-like line, and
    whether it reads as a comment section's heading."""
    words = [_words(t) for t in texts]
    lines = [[line for line in LINE_BREAK.split(t) if line.strip()] for t in texts]
    return {
        "words": words,
        "sentence_end": [bool(_SENTENCE_END.search(t)) for t in texts],
        "headline_block": [len(ls) >= 2 and all(_is_headline(line) for line in ls) for ls in lines],
        "headline_line": [len(ls) == 1 and w >= 3 and _is_headline(ls[0]) for ls, w in zip(lines, words, strict=True)],
        "comment_heading": [any(p.search(t) for p in patterns.comment_section) for t in texts],
    }


def story_span(prose: list[bool], announces: list[bool]) -> tuple[int, int] | None:
    """Where one file's story runs (positions in ``prose``, the file's paragraphs before its
    comment section): from the first to the last run of ``STORY_MIN_PROSE`` or more prose
    paragraphs, each within ``STORY_GAP`` paragraphs of the one before; in a file with no
    such run, its longest run. When the last paragraph ``announces`` a list (it ends in a
    colon: "Its demands include:"), the lines up to the next prose are the story's too.
    None for a file without prose."""
    runs: list[list[int]] = []  # [first, last, prose paragraphs]
    for position, is_prose in enumerate(prose):
        if not is_prose:
            continue
        if runs and position - runs[-1][1] - 1 <= STORY_GAP:
            runs[-1][1] = position
            runs[-1][2] += 1
        else:
            runs.append([position, position, 1])
    if not runs:
        return None
    long_runs = [run for run in runs if run[2] >= STORY_MIN_PROSE] or [max(runs, key=lambda run: run[2])]
    first, last = long_runs[0][0], long_runs[-1][1]
    if announces[last]:
        while last + 1 < len(prose) and not prose[last + 1]:
            last += 1
    return first, last

def add_noise_features(frame: Table, patterns: NoisePatterns = NoisePatterns()) -> Table:
    """The noise columns; the ``SHAPE_COLUMNS`` (from the feature cache) are used when present."""
    if all(c in frame for c in SHAPE_COLUMNS):
        shapes = {c: frame.pop(c) for c in SHAPE_COLUMNS}
    else:
        shapes = paragraph_shapes(frame["text"], patterns)
    words, ends = shapes["words"], shapes["sentence_end"]
    # A long paragraph that ends in a colon introduces a list: running text all the same.
    colon = [t.rstrip().endswith(":") for t in frame["text"]]
    prose = [w >= PROSE_MIN_WORDS and (e or c) for w, e, c in zip(words, ends, colon, strict=True)]
    short = [0 < w < SHORT_MAX_WORDS and not e for w, e in zip(words, ends, strict=True)]
    headline_list = shapes["headline_block"]

    doc_ids = frame["doc_id"]
    rows_of: dict[int, list[int]] = {}  # each file's rows, in order
    for i, doc in enumerate(doc_ids):
        rows_of.setdefault(doc, []).append(i)

    # The comment section runs from its heading, once the story has begun, to the file's end.
    comments_from: dict[int, int] = {}
    prose_so_far: Counter = Counter()
    for i, (doc, heading) in enumerate(zip(doc_ids, shapes["comment_heading"], strict=True)):
        if heading and prose_so_far[doc] >= COMMENTS_AFTER_PROSE:
            comments_from.setdefault(doc, i)
        prose_so_far[doc] += prose[i]
    in_comments = [doc in comments_from and i >= comments_from[doc] for i, doc in enumerate(doc_ids)]

    outside = [False] * len(frame)  # a file with no prose has no story to be outside of
    for file_rows in rows_of.values():
        before_comments = [i for i in file_rows if not in_comments[i]]
        span = story_span([prose[i] for i in before_comments], [colon[i] for i in before_comments])
        if span is not None:
            for position, i in enumerate(file_rows):
                outside[i] = not span[0] <= position <= span[1]

    # A run of headline-like paragraphs (three or more in a row): a related-stories list.
    headline_like = shapes["headline_line"]
    rows = len(frame)
    in_run = [False] * rows
    run_start = 0
    for i in range(rows + 1):
        ended = i == rows or not headline_like[i] or doc_ids[i] != doc_ids[run_start]
        if ended:
            if i - run_start >= HEADLINE_RUN:
                for j in range(run_start, i):
                    in_run[j] = True
            run_start = i + 1 if i < rows and not headline_like[i] else i

    # Repeated across files: the duplicate stage's digest of the folded text, any length.
    keys = frame["text_key"] if "text_key" in frame else [t.casefold() for t in frame["text"]]
    files_with = Counter(key for key, _ in set(zip(keys, doc_ids, strict=True)))
    files_per_key = [files_with[key] for key in keys]
    repeated = [count >= REPEATED_MIN_FILES for count in files_per_key]
    times_in_file = Counter(zip(keys, doc_ids, strict=True))
    in_file = [0 if prose[i] else times_in_file[key, doc] for i, (key, doc) in enumerate(zip(keys, doc_ids, strict=True))]

    # Each sign found, with its weight: text in three or more files is template text even
    # alone, and the comments are not the story (2); other signs need company (1). A short
    # line, a headline or a line said twice in its file is a subheading or a list item as
    # often as it is furniture, so those only ever support another sign.
    signals: list[str | None] = [None] * rows
    strength = [0] * rows
    stands_alone = [False] * rows
    for i in range(rows):
        found: list[str] = []
        weight, alone = 0, False
        if outside[i] and not prose[i]:
            found.append("outside the story")
            weight, alone = weight + 1, True
        if short[i]:
            found.append("short line")
            weight += 1
        if headline_list[i] or in_run[i]:
            # A short line in a list is one piece of evidence, not two: a warning alone.
            found.append("list of headlines")
            weight, alone = weight + (not short[i]), True
        elif headline_like[i] and not short[i]:
            found.append("reads as a headline")
            weight += 1
        if repeated[i]:
            found.append(f"in {files_per_key[i]} files")
            weight, alone = weight + 2, True
        if in_file[i] >= REPEATED_IN_FILE_MIN:
            found.append(f"{in_file[i]} times in this file")
            weight += 1
        if in_comments[i]:
            found.append("in the comments")
            weight, alone = weight + 2, True
        if found:
            signals[i], strength[i], stands_alone[i] = ", ".join(found), weight, alone
    frame["prose"] = prose
    frame["outside_body"] = outside
    frame["short_line"] = short
    frame["headline_list"] = [a or b for a, b in zip(headline_list, in_run, strict=True)]
    frame["repeated"] = repeated
    frame["repeated_in_file"] = [n >= REPEATED_IN_FILE_MIN for n in in_file]
    frame["in_comments"] = in_comments
    # Furniture comes in blocks: a few paragraphs that are not prose, between two paragraphs
    # of the same file on which signs agree, are part of the block whatever they look like.
    agreeing = [n >= 2 for n in strength]
    between = [False] * rows
    start = 0
    while start < rows:
        end = start
        while end < rows and not agreeing[end] and not prose[end] and doc_ids[end] == doc_ids[start]:
            end += 1
        if end == start:
            start += 1
            continue
        if (
            end - start <= BLOCK_GAP
            and start > 0
            and end < rows
            and agreeing[start - 1]
            and agreeing[end]
            and doc_ids[start - 1] == doc_ids[start] == doc_ids[end]
        ):
            for i in range(start, end):
                between[i] = True
                signals[i] = f"{signals[i]}, between page furniture" if signals[i] else "between page furniture"
                strength[i] = max(strength[i] + 1, 2)
        start = end
    frame["between_furniture"] = between
    frame["noise_signals"] = signals
    frame["noise_agreeing"] = [s if n >= 2 else None for s, n in zip(signals, strength, strict=True)]
    frame["noise_single"] = [s if n == 1 and alone else None for s, n, alone in zip(signals, strength, stands_alone, strict=True)]
    return frame
