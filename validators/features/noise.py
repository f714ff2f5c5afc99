"""Noise features: what a paragraph, its neighbours and the corpus say about whether it is
page furniture, as numbers the noise model (``validators/features/noise_model.py``,
``expectations/noise-model.json``) turns into a probability.

A scraped page puts menus, share bars, captions, related-story lists and footers around
and inside the story. Patterns (``expectations/paragraphs.json``, BP0xx) name the
known phrases; the model scores every paragraph from ``FEATURES``:

- its own shape (``paragraph_shapes``): words, characters, sentences and whether it ends
  one, capitals, digits and punctuation, the share of function words, links, separators,
  whether it reads as a headline or a comment section's heading, and pattern hits;
- its neighbours' (``neighbour_features``, within its file): where it sits, whether it is
  prose (``prose``: at least ``PROSE_MIN_WORDS`` words and a sentence's end, or a colon that
  introduces a list), how much prose is around it, the run of short lines it is in, the
  distance to the nearest prose, whether it lies outside the story (``story_span``) or in
  the comment section, how often it is said in its file;
- the corpus (``corpus_noise_features``): ``template_files``, the number of files that hold
  the same line: site template text. A file and its copies (exact or near, as DU002 and
  DU004 find them) count once, so a story copied into several files is a duplicate, not
  template text.

Per-file features are cached by content hash (they are one float matrix per file); the
corpus feature and the score are computed on every run.
"""

from __future__ import annotations

import functools
import hashlib
import re
from dataclasses import dataclass, field

import numpy as np

from ..errors import ConfigError
from ..frame import Table, present, rows_in
from ..pattern_list import each_of
from ..pool import core_count
from ..safe_regex import UnsafePattern
from ..safe_regex import check as checked_pattern
from ..segment import LINE_BREAK
from . import parse_toml
from .lookup import among
from .steps import CorpusStep, FileStep, register

PROSE_MIN_WORDS = 12
SHORT_MAX_WORDS = 8
#: A comment heading opens the comment section once this many prose paragraphs precede it:
#: a page's header can carry a comment count and a line of running text (a disclaimer).
COMMENTS_AFTER_PROSE = 2
#: A story's prose comes in runs: pictures, subheadings, pull quotes and embeds sit between
#: its paragraphs, seldom more than ``STORY_GAP`` in a row.
STORY_GAP = 8
STORY_MIN_PROSE = 3
HEADLINE_MAX_WORDS = 20
HEADLINE_RUN = 3
#: Neighbours looked at on each side, and the wider window of prose density.
NEAR = 3
WIDE = 10
#: Distances to the nearest prose are counted up to here (a file without prose gets it).
FAR = 50
#: A line in this many files (copies counting once), next to another, is site template text.
TEMPLATE_MIN_FILES = 3
#: A line's table rhythm is measured over this many lines each side, at these lags (the
#: columns of a table flattened one cell a line) against the line just before.
RHYTHM_WINDOW = 8
RHYTHM_LAGS = (2, 3, 4)

_WORD = re.compile(r"\w+")
# A sentence ends in . ! ? or … , possibly inside closing quotes or brackets, or in a closing quote.
_SENTENCE_END = re.compile(r"[.!?…][\"'”’)\]]*\s*$|[\"”’]\s*$")
_FULL_STOP = re.compile(r"[.!?…][\"'”’)\]]*\s*$")
_SENTENCE_BREAK = re.compile(r"[.!?…][\"'”’)\]]*(?:\s+|$)")
_URL = re.compile(r"(?i)https?://|www\.|\.(?:com|org|net|co\.uk)\b")
_SEPARATORS = re.compile(r"[|»›•·]")
_WORD_HEAD = re.compile(r"\b\w")  # the first character of each ``_WORD``
_FIRST_ALNUM = re.compile(r"[^\W_]")  # ``str.isalnum``: a word character but "_"
_NON_ASCII = re.compile(r"[^\x00-\x7f]")
_OPENING_QUOTE = "\"'“‘(«"


def _words(text: str) -> int:
    return len(_WORD.findall(text))


def _keeping(test) -> bytes:
    """The bytes ``bytes.translate`` deletes to keep the ASCII characters that pass ``test``."""
    return bytes(b for b in range(256) if not (b < 128 and test(chr(b))))


_KEEP = (
    _keeping(lambda c: not c.isspace()),
    _keeping(str.isalpha),
    _keeping(lambda c: c.isalpha() and c.isupper()),
    _keeping(str.isdigit),
    _keeping(str.isalnum),
)


def char_counts(text: str) -> list[int]:
    """[characters that are not space, letters, upper-case letters, digits, letters and
    digits] of ``text``, as ``str.isspace``, ``isalpha``, ``isupper``, ``isdigit`` and
    ``isalnum`` tell them: the ASCII ones by what ``bytes.translate`` keeps (in C), the
    others one by one. Most lines of a page are ASCII, and a Python loop over every
    character took half the time of the noise features."""
    data = text.encode("ascii", "ignore")
    counts = [len(data.translate(None, delete)) for delete in _KEEP]
    if not text.isascii():
        for c in _NON_ASCII.findall(text):
            alpha = c.isalpha()
            counts[0] += not c.isspace()
            counts[1] += alpha
            counts[2] += alpha and c.isupper()
            counts[3] += c.isdigit()
            counts[4] += c.isalnum()
    return counts


def _is_headline(line: str) -> bool:
    """A line that reads as a headline: capitalised, short, no full stop at its end (a
    sentence that ends inside a closing quote, ``…it."``, has one)."""
    line = line.strip()
    return bool(line) and (line[0].isupper() or line[0].isdigit()) and _words(line) <= HEADLINE_MAX_WORDS and not _FULL_STOP.search(line)


@dataclass(frozen=True)
class NoisePatterns:
    """What the noise features recognise: ``expectations/noise.toml`` (comment-section
    headings, function words) and the BP0xx patterns of ``paragraphs.json`` (their hits
    are features; ``furniture`` holds (is an error, compiled patterns) per rule)."""

    comment_section: tuple[re.Pattern, ...] = ()
    function_words: frozenset[str] = frozenset()
    furniture: tuple[tuple[bool, tuple[re.Pattern, ...]], ...] = ()
    # A line's own features (``paragraph_shapes``) by its text, as a process has worked them out.
    shapes: dict[str, list] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def parse(cls, source: str, text: str, furniture=(), default_words=()) -> NoisePatterns:
        """``default_words``: the function words of a file that lists none (the bundled ones)."""
        data = parse_toml(source, text, {"comment_section", "function_words"})
        patterns = data.get("comment_section", [])
        if not isinstance(patterns, list) or not all(isinstance(p, str) for p in patterns):
            raise ConfigError(f"{source}: comment_section must be a list of regular expressions")
        compiled = []
        for pattern in patterns:
            try:
                compiled.append(checked_pattern(pattern))  # a corpus owner's pattern: refused if it can blow up
            except re.error as exc:
                raise ConfigError(f"{source}: comment_section: {pattern!r} is not a valid regular expression: {exc}") from None
            except UnsafePattern as exc:
                raise ConfigError(f"{source}: comment_section: {exc}") from None
        words = data.get("function_words", default_words)
        if not isinstance(words, (list, tuple, frozenset)) or not all(isinstance(w, str) for w in words):
            raise ConfigError(f"{source}: function_words must be a list of words")
        return cls(tuple(compiled), frozenset(w.casefold() for w in words), tuple(furniture))


#: Every feature the model may use, with what it says when it weighs towards furniture
#: (``{}`` is the value). The model file names the ones it uses, in its own order.
FEATURES: dict[str, str | tuple[str, str]] = {
    # its own shape
    "words": "{:g} words",
    "chars": "{:g} characters",
    "mean_word_length": "words of {:.1f} letters on average",
    "sentence_end": ("ends a sentence", "no sentence end"),
    "sentences": "{:g} sentences",
    "ends_colon": ("ends in a colon", "no colon at its end"),
    "capitalised": "{:.0%} of words capitalised",
    "upper_case": "{:.0%} of letters upper case",
    "digits": "{:.0%} digits",
    "punctuation": "{:.0%} punctuation",
    "function_words": "{:.0%} function words",
    "starts_lower": ("starts in lower case", "starts with a capital"),
    "starts_symbol": ("starts with a symbol", "starts with a letter"),
    "link": ("holds a link", "no link"),
    "separators": "{:g} menu separators",
    "headline_line": ("reads as a headline", "does not read as a headline"),
    "comment_heading": ("a comment section heading", "no comment heading"),
    "pattern_error": ("matches a furniture pattern", "no furniture pattern"),
    "pattern_warning": ("matches a link pattern", "no link pattern"),
    # its place and its neighbours
    "position": "paragraph {:g} of its file",
    "from_end": "{:g} paragraphs before the file's end",
    "relative_position": "at {:.0%} of its file",
    "file_paragraphs": "a file of {:g} paragraphs",
    "file_prose": "the file is {:.0%} prose",
    "prose": ("running text", "not running text"),
    "prose_before": "{:g} of the {NEAR} paragraphs before are prose",
    "prose_after": "{:g} of the {NEAR} paragraphs after are prose",
    "prose_nearby": "{:.0%} prose within {WIDE} paragraphs",
    "words_before": "the paragraph before has {:g} words",
    "words_after": "the paragraph after has {:g} words",
    "short_before": "{:g} short lines among the {NEAR} before",
    "short_after": "{:g} short lines among the {NEAR} after",
    "short_run": "in a run of {:g} paragraphs that are not prose",
    "prose_distance_before": "{:g} paragraphs after the last prose",
    "prose_distance_after": "{:g} paragraphs before the next prose",
    "outside_story": ("outside the story", "inside the story"),
    "in_comments": ("in the comments", "before the comments"),
    "headline_run": ("in a list of headlines", "not in a list of headlines"),
    "times_in_file": "{:g} times in this file",
    "patterns_near": "{:g} furniture patterns within two paragraphs",
    "table_rhythm": "{:.0%} table rhythm nearby",
    # the corpus
    "template_files": "in {:g} files",
}
OWN = list(FEATURES)[: list(FEATURES).index("position")]
FILE_FEATURES = list(FEATURES)[: list(FEATURES).index("template_files")]


@functools.lru_cache(maxsize=4096)  # a corpus's lines share few (feature, value) pairs
def describe(name: str, value: float) -> str:
    """A feature and its value in words: ``outside the story``, ``2 words``, ``in 5 files``."""
    template = FEATURES[name]
    if isinstance(template, tuple):  # a yes/no feature
        return template[0] if value else template[1]
    return template.replace("{NEAR}", str(NEAR)).replace("{WIDE}", str(WIDE)).format(value)


def line_units(texts: list[str]) -> tuple[list[str], list[int]]:
    """The model's units: the lines of each paragraph (a web page's blocks, as the labelled pages
    have them: a list of headlines on three lines is three units), and the paragraph each is
    in. A paragraph is scored by its lines' mean."""
    units, owner = [], []
    for k, text in enumerate(texts):
        lines = [line for line in LINE_BREAK.split(text) if line.strip()] or [text]
        units += lines
        owner += [k] * len(lines)
    return units, owner


def _matchers(lists: tuple[tuple[re.Pattern, ...], ...]):
    """Per text, the bits of ``lists`` (bit ``i`` for ``lists[i]``) that have a pattern matching
    it: one ``pattern_list.EachOf`` search for all of them when every pattern was compiled
    without flags of its own, else each pattern's own search."""
    if all(isinstance(p.pattern, str) and p.flags == re.compile(p.pattern).flags for compiled in lists for p in compiled):
        return each_of(tuple(tuple(p.pattern for p in compiled) for compiled in lists)).matching
    searches = [(1 << n, p.search) for n, compiled in enumerate(lists) for p in compiled]

    def matching(text: str) -> int:
        found = 0
        for bit, search in searches:
            if not found & bit and search(text):
                found |= bit
        return found

    return matching


#: Lines whose own features a process keeps (``NoisePatterns.shapes``), at most: then it starts afresh.
SHAPES_KEPT = 200_000


def paragraph_shapes(texts: list[str], patterns: NoisePatterns = NoisePatterns()) -> list[list[float]]:
    """Each unit's own features (the ``OWN`` names, in order), from its text alone: worked out
    once per distinct text in a process (a site's header, menus and footer repeat line for
    line across its pages: half the lines of the labelled pages repeat another's), the rows
    shared (nothing changes one)."""
    kept = patterns.shapes
    rows = []
    # Only whether an error pattern and whether a warning pattern match is a feature: each
    # kind is one list; the two and the comment headings are searched in one pass.
    matching = _matchers((
        patterns.comment_section,
        tuple(p for is_error, compiled in patterns.furniture if is_error for p in compiled),
        tuple(p for is_error, compiled in patterns.furniture if not is_error for p in compiled),
    ))  # fmt: skip
    for text in texts:
        row = kept.get(text)
        if row is not None:
            rows.append(row)
            continue
        found = matching(text)
        stripped = text.strip()
        tokens = _WORD.findall(stripped)
        words = len(tokens)
        visible, letters, upper, digits, alnum = char_counts(stripped)
        _, alphabetic, capitalised, _, _ = char_counts("".join(_WORD_HEAD.findall(stripped)))
        first = _FIRST_ALNUM.search(stripped)
        row = [
            words,
            len(stripped),
            sum(map(len, tokens)) / words if words else 0.0,
            bool(_SENTENCE_END.search(stripped)),
            len(_SENTENCE_BREAK.findall(stripped)),
            stripped.endswith(":"),
            capitalised / alphabetic if alphabetic else 0.0,
            upper / letters if letters else 0.0,
            digits / visible if visible else 0.0,
            (visible - alnum) / visible if visible else 0.0,
            sum(map(patterns.function_words.__contains__, map(str.casefold, tokens))) / words if words else 0.0,
            first is not None and first.group().islower(),
            bool(stripped) and not stripped[0].isalnum() and stripped[0] not in _OPENING_QUOTE,
            bool(_URL.search(stripped)),
            len(_SEPARATORS.findall(stripped)),
            words >= 3 and _is_headline(stripped),
            bool(found & 1),  # a comment heading
            bool(found & 2),  # an error pattern
            bool(found & 4),  # a warning pattern
        ]  # fmt: skip
        if len(kept) >= SHAPES_KEPT:
            kept.clear()
        kept[text] = row
        rows.append(row)
    return rows


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


def line_shape(line: str) -> int:
    """A line's rough shape, as a number: whether it starts with a digit, ends in a question
    mark, starts in lower case or holds a comma, and its length (0-1, 2-3, 4-5, 6+ words)."""
    line = line.strip()
    words = min(len(line.split()), 6) // 2
    return line[:1].isdigit() | line.endswith("?") << 1 | line[:1].islower() << 2 | ("," in line) << 3 | words << 4


def table_rhythm(lines: list[str]) -> np.ndarray:
    """Per line: how much more often the lines around it (``RHYTHM_WINDOW`` each side) have
    the shape (``line_shape``) of the line two, three or four before them than that of the
    line just before (the best of those lags; 0 at least).

    A story's own table, flattened one cell a line ("Japanese", "Romaji", "English", then
    each word's three cells; a film's title, year and description), repeats its columns'
    shapes with the period of its column count, and a list of questions and answers
    alternates: a rhythm. A menu of like items, a list of links or tags, or prose, repeats
    the shape of the line before at least as often as any other, and has none; items of
    mixed lengths have a little by chance."""
    n = len(lines)
    rhythm = np.zeros(n)
    if n <= RHYTHM_LAGS[0]:
        return rhythm
    shapes = np.fromiter((line_shape(line) for line in lines), dtype=np.int64, count=n)
    at = np.arange(n)
    lo = np.maximum(at - RHYTHM_WINDOW, 0)
    hi = np.minimum(at + RHYTHM_WINDOW + 1, n)

    def alike(lag: int) -> np.ndarray:
        """Per line, the share of the pairs (j, j + lag) inside its window whose shapes match."""
        if n <= lag:
            return np.zeros(n)
        matches = np.concatenate([[0], np.cumsum(shapes[:-lag] == shapes[lag:])])  # pairs j < index that match
        end = np.maximum(hi - lag, lo)  # the window's pairs start at j in [lo, end)
        pairs = end - lo
        found = matches[np.minimum(end, n - lag)] - matches[np.minimum(lo, n - lag)]
        return np.where(pairs > 0, found / np.maximum(pairs, 1), 0.0)

    best = np.max([alike(lag) for lag in RHYTHM_LAGS], axis=0)
    return np.maximum(best - alike(1), 0.0)


def _distances(flags: list[bool]) -> list[int]:
    """For each position, how far back the last flagged position is (``FAR`` when none)."""
    out, last = [], None
    for i, flag in enumerate(flags):
        out.append(FAR if last is None else min(i - last, FAR))
        if flag:
            last = i
    return out


def file_noise_features(paragraphs: list[str], patterns: NoisePatterns = NoisePatterns()) -> dict:
    """One file's per-file features: ``x`` (``FILE_FEATURES``, in order), one row per unit
    (``line_units``): its own shape, then its place and its neighbours'; ``owner``, the
    paragraph of each unit; ``keys``, a digest of each unit's folded text (for template text
    across files). Cached with the file's other features."""
    texts, owner = line_units(paragraphs)
    own = paragraph_shapes(texts, patterns)
    n = len(texts)
    if not n:
        return {"x": np.zeros((0, len(FILE_FEATURES))), "owner": np.zeros(0, dtype=np.int64), "keys": np.zeros(0, dtype=np.uint64)}
    column = {name: [row[k] for row in own] for k, name in enumerate(OWN)}
    words, ends, colon = column["words"], column["sentence_end"], column["ends_colon"]
    prose = [w >= PROSE_MIN_WORDS and bool(e or c) for w, e, c in zip(words, ends, colon, strict=True)]
    short = [0 < w < SHORT_MAX_WORDS and not e for w, e in zip(words, ends, strict=True)]

    # The comment section runs from its heading, once the story has begun, to the file's end.
    comments_from, prose_so_far = n, 0
    for i in range(n):
        if column["comment_heading"][i] and prose_so_far >= COMMENTS_AFTER_PROSE:
            comments_from = i
            break
        prose_so_far += prose[i]
    in_comments = [i >= comments_from for i in range(n)]
    span = story_span(prose[:comments_from], colon[:comments_from])
    outside = [span is not None and not span[0] <= i <= span[1] for i in range(n)]

    # A run of headline-like paragraphs (three or more in a row): a related-stories list.
    headline_run = [False] * n
    start = 0
    for i in range(n + 1):
        if i == n or not column["headline_line"][i]:
            if i - start >= HEADLINE_RUN:
                headline_run[start:i] = [True] * (i - start)
            start = i + 1

    # The run of paragraphs that are not prose that each paragraph is in.
    short_run = [0] * n
    start = 0
    for i in range(n + 1):
        if i == n or prose[i]:
            short_run[start:i] = [i - start] * (i - start)
            start = i + 1

    folded = [" ".join(_WORD.findall(t.casefold())) for t in texts]
    times = {}
    for key in folded:
        times[key] = times.get(key, 0) + 1
    hits = column["pattern_error"]
    before = _distances(prose)
    after = _distances(prose[::-1])[::-1]
    prose_total = sum(prose)
    rows = []
    for i in range(n):
        lo, hi = max(0, i - WIDE), min(n, i + WIDE + 1)
        rows.append([
            i,
            n - 1 - i,
            i / (n - 1) if n > 1 else 0.0,
            n,
            prose_total / n,
            prose[i],
            sum(prose[max(0, i - NEAR):i]),
            sum(prose[i + 1:i + 1 + NEAR]),
            (sum(prose[lo:hi]) - prose[i]) / max(hi - lo - 1, 1),
            words[i - 1] if i else 0,
            words[i + 1] if i + 1 < n else 0,
            sum(short[max(0, i - NEAR):i]),
            sum(short[i + 1:i + 1 + NEAR]),
            short_run[i],
            before[i],
            after[i],
            outside[i],
            in_comments[i],
            headline_run[i],
            times[folded[i]],
            sum(hits[max(0, i - 2):i]) + sum(hits[i + 1:i + 3]),
        ])  # fmt: skip
    keys = [int.from_bytes(hashlib.blake2b(key.encode("utf-8", "surrogatepass"), digest_size=8).digest(), "little") for key in folded]
    return {
        "x": np.hstack([np.array(own, dtype=np.float64), np.array(rows, dtype=np.float64), table_rhythm(texts)[:, None]]),
        "owner": np.array(owner, dtype=np.int64),
        "keys": np.array(keys, dtype=np.uint64),
    }


#: Where ``prose``, ``outside_story`` and the distances to prose are in the per-file matrix.
PROSE = FILE_FEATURES.index("prose")
OUTSIDE_STORY = FILE_FEATURES.index("outside_story")
PROSE_BEFORE = FILE_FEATURES.index("prose_distance_before")
PROSE_AFTER = FILE_FEATURES.index("prose_distance_after")


def template_files(keys: np.ndarray, docs: np.ndarray, family: dict[int, int]) -> np.ndarray:
    """Per unit: in how many files its text is (``keys``: the folded text's digest), a file
    and its copies counting once (``family``: a file's earliest copy, by doc id): a story
    copied into three files is a duplicate (DU002), not three files' template text. Sorted
    arrays, not Python sets: a hook run does this over the whole corpus."""
    keys = np.asarray(keys, dtype=np.uint64)
    files = np.asarray(docs, dtype=np.int64)
    if family:
        copies = np.array(sorted(family), dtype=np.int64)
        origin = np.array([family[d] for d in copies.tolist()], dtype=np.int64)
        at = np.clip(np.searchsorted(copies, files), 0, len(copies) - 1)
        files = np.where(copies[at] == files, origin[at], files)
    if not len(keys):
        return np.zeros(0, dtype=np.int64)
    order = np.lexsort((files, keys))
    key, file = keys[order], files[order]
    first_pair = np.ones(len(key), dtype=bool)
    first_pair[1:] = (key[1:] != key[:-1]) | (file[1:] != file[:-1])
    distinct, counts = np.unique(key[first_pair], return_counts=True)
    return counts[np.searchsorted(distinct, keys)]


@dataclass
class NoiseUnits:
    """Every unit's features (``FEATURES_ORDER``) and the paragraph row each is in.

    ``copies``: the files left out because another file has the same content and is of its
    family (``corpus_noise_features`` with ``copies``): one row per such file, (its first row,
    the first row of the file it repeats, its number of rows). Its units would be those of the
    other file, row for row, with the same template counts, so its rows take that file's
    values (``spread``) instead of being stacked and scored again."""

    x: np.ndarray
    row: np.ndarray
    copies: np.ndarray = field(default_factory=lambda: np.zeros((0, 3), dtype=np.int64))

    def spread(self, values):
        """``values`` (one per paragraph row: an array or a list; or a dict of some rows' values),
        each left-out copy's rows given the rows of the file it repeats, in place."""
        for first, origin, count in self.copies.tolist():
            if isinstance(values, dict):
                values.update((first + r - origin, values[r]) for r in range(origin, origin + count) if r in values)
            else:
                values[first : first + count] = values[origin : origin + count]
        return values

    def whole(self) -> NoiseUnits:
        """The units with the left-out copies' own stacked in (what training reads: a unit per
        labelled line), in row order."""
        if not len(self.copies):
            return self
        xs, rows = [self.x], [self.row]
        for first, origin, count in self.copies.tolist():
            mine = (self.row >= origin) & (self.row < origin + count)
            xs.append(self.x[mine])
            rows.append(self.row[mine] - origin + first)
        row = np.concatenate(rows)
        order = np.argsort(row, kind="stable")
        return NoiseUnits(np.concatenate(xs)[order], row[order])


def corpus_noise_features(frame: Table, per_file: list[dict], template: np.ndarray | None = None, copies: bool = False) -> NoiseUnits:
    """Each file's ``file_noise_features`` (``per_file``, in the frame's order) with the
    corpus's ``template_files`` (a feature of every line). Adds the ``prose`` column (a
    paragraph with a line of running text) and ``template_files`` (site template text: the
    most files any of its lines is in, among lines in ``TEMPLATE_MIN_FILES`` or more files
    next to another such line of the file; else 0). ``template``: each unit's ``template_files``
    when counted elsewhere (the spark engine counts them over the corpus and calls this per file).

    ``copies``: a file whose features are another's (the same entry: copies share their file
    steps' results) and that is of its family is left out of the units (``NoiseUnits.copies``):
    its lines count once for template text all the same, so every value of its rows is the
    other file's. A crawl holds many copies; a check then stacks and scores each text once."""
    n = len(frame)
    starts, rows_of, row = [], [], 0  # each file's first row and its number of rows
    for entry in per_file:
        starts.append(row)
        rows_of.append(int(entry["owner"].max()) + 1 if len(entry["owner"]) else 0)
        row += rows_of[-1]
    doc_ids = frame["doc_id"]
    # A file and its copies (exact or near) are one file for template text.
    exact = dict(present(frame["doc_dup_of"])) if "doc_dup_of" in frame else {}
    near = dict(present(frame["doc_near_dup_of"])) if "doc_near_dup_of" in frame else {}
    family = {}
    for r in sorted(exact.keys() | near.keys()):
        origin = exact.get(r)
        if origin is None:
            origin = near[r]
        family[doc_ids[r]] = family.get(doc_ids[origin], doc_ids[origin])
    left_out = []  # (first row, the repeated file's first row, rows)
    if copies:
        seen: dict[int, int] = {}  # an entry's id -> the first file with it
        kept_files = []
        for f, entry in enumerate(per_file):
            k = seen.setdefault(id(entry), f)
            if k != f and rows_of[f]:
                doc, other = doc_ids[starts[f]], doc_ids[starts[k]]
                if family.get(doc, doc) == family.get(other, other):
                    left_out.append((starts[f], starts[k], rows_of[f]))
                    continue
            kept_files.append(f)
        per_file, starts = [per_file[f] for f in kept_files], [starts[f] for f in kept_files]
    # The files' features stacked straight into the matrix the model reads, its last column
    # ``template_files`` filled below: not stacked, then copied again with that column added.
    units = sum(len(e["x"]) for e in per_file)
    matrix = np.empty((units, len(FILE_FEATURES) + 1), dtype=np.float64)
    x = matrix[:, : len(FILE_FEATURES)]
    if per_file:
        np.concatenate([e["x"] for e in per_file], axis=0, out=x)
    rows = np.concatenate([e["owner"] + s for e, s in zip(per_file, starts, strict=True)]) if per_file else np.zeros(0, dtype=np.int64)
    keys = np.concatenate([e["keys"] for e in per_file]) if per_file else np.zeros(0, dtype=np.uint64)
    # Each unit's file, from each file's first row (not from the doc_id of every row: a hook
    # run's table has a row for each paragraph of the corpus).
    counts = [len(e["owner"]) for e in per_file]
    file_ids = [doc_ids[start] if count else -1 for start, count in zip(starts, counts, strict=True)]
    docs = np.repeat(np.array(file_ids, dtype=np.int64), counts) if per_file else np.zeros(0, dtype=np.int64)
    unit_prose = x[:, PROSE] > 0
    if template is None:
        template = template_files(keys, docs, family)
    prose = np.zeros(n, dtype=bool)
    prose[rows[unit_prose]] = True
    # Site template text comes in blocks (a header, a share bar and a newsletter box, a
    # footer): a line in many files counts as template text next to another such line of
    # its file. A subheading many stories share ("Conclusion", "References") stands alone.
    # Running text counts only next to a shared line that is not running text (the footer's
    # "published by" line beside its links): paragraphs of one story quoted in several
    # files are a shared passage (DU005), not the site's template.
    template_array = np.array(template, dtype=np.int64)
    shared = template_array >= TEMPLATE_MIN_FILES
    anchor = shared & ~unit_prose
    same_doc_before = np.concatenate(([False], docs[1:] == docs[:-1])) if len(docs) else np.zeros(0, dtype=bool)

    def beside(flags: np.ndarray) -> np.ndarray:
        found = np.zeros(len(flags), dtype=bool)
        found[1:] |= flags[:-1] & same_doc_before[1:]
        found[:-1] |= flags[1:] & same_doc_before[1:]
        return found

    in_block = np.where(shared & np.where(unit_prose, beside(anchor), beside(shared)), template_array, 0)
    most = np.zeros(n, dtype=np.int64)
    np.maximum.at(most, rows, in_block)
    units = NoiseUnits(matrix, rows, np.array(left_out, dtype=np.int64).reshape(-1, 3))
    units.spread(prose)
    units.spread(most)
    counted = np.flatnonzero(most)
    frame.adopt("prose", frame.column_at(np.flatnonzero(prose), np.ones(int(prose.sum()), dtype=bool), False))
    frame.adopt("template_files", frame.column_at(counted, most[counted], 0))
    matrix[:, -1] = template
    return units


def add_noise_scores(frame: Table, units: NoiseUnits, model, rows=None, error_threshold: float = 1.0, jobs: int = 1) -> Table:
    """The ``noise_score`` (probability of page furniture: the mean of its lines' scores) and
    ``noise_why`` (the features that weigh most towards it, on its highest-scoring line, in
    words) columns, by ``model`` (a ``NoiseModel``), and ``story_noise_score``: the score of a
    paragraph inside the story, running text before and after it (NaN elsewhere), by which the
    check arbitrates patterns. ``rows``: score only these paragraphs (a
    pre-commit run reports on a few files); the others get NaN. ``jobs``: threads scoring.

    And ``furnished_noise_score``: the score again, in a file that has a paragraph scoring
    above ``error_threshold`` (page furniture already, BP100), for its other paragraphs (BP103
    holds them to a lower threshold: where a page kept its menus, the rest of its furniture is
    likely there too; a clean article seldom has one such paragraph); NaN elsewhere."""
    n = len(frame)
    wanted = np.ones(len(units.row), dtype=bool) if rows is None else among(units.row, np.array(sorted(rows), dtype=np.int64))
    picked = np.flatnonzero(wanted)
    every = len(picked) == len(units.row)  # the whole matrix: read where it is, not copied
    # Each column is NaN (None for ``noise_why``) but at the scored rows: NaN, not None, so
    # that the column stays float64 for GX.
    scored = np.zeros(0, dtype=np.int64)
    scores = story = np.zeros(0)
    why: dict[int, str] | list = {} if frame.joined else [None] * n
    if len(picked):
        x = units.x if every else units.x[picked]
        values, reasons = model.score(x, FEATURES_ORDER, jobs)
        owner = units.row[picked]
        total = np.bincount(owner, weights=values, minlength=n)
        count = np.bincount(owner, minlength=n)
        scored = np.flatnonzero(count)
        scores = np.round(total[scored] / count[scored], 4)
        best: dict[int, float] = {}
        explained = [k for k, reason in enumerate(reasons) if reason is not None]
        for k, r, value in zip(explained, owner[explained].tolist(), values[explained].tolist(), strict=True):
            if value > best.get(r, -1.0):
                best[r], why[r] = value, reasons[k]
        # The score again where the paragraph lies inside the story, with its running text
        # before and after (every line of it): there a pattern's form can be the story's own (a
        # date in a timeline), and the score arbitrates. Not at the story's edges nor outside it.
        inside = (x[:, OUTSIDE_STORY] == 0) & (x[:, PROSE_BEFORE] < FAR) & (x[:, PROSE_AFTER] < FAR)
        edge = np.bincount(owner, weights=~inside, minlength=n)[scored] > 0
        story = np.where(edge, np.nan, scores)
        if len(units.copies) and every:  # the left-out copies' rows: the rows they repeat
            by_row, story_by_row = np.full(n, np.nan), np.full(n, np.nan)
            by_row[scored], story_by_row[scored] = scores, story
            units.spread(by_row)
            units.spread(story_by_row)
            units.spread(why)
            scored = np.flatnonzero(~np.isnan(by_row))
            scores, story = by_row[scored], story_by_row[scored]
    frame.adopt("noise_score", frame.column_at(scored, scores, np.nan))
    # A list where every row is scored (a full run), filled as the lines were read above.
    frame.adopt("noise_why", why if isinstance(why, list) else frame.column_at(sorted(why), [why[r] for r in sorted(why)]))
    frame.adopt("story_noise_score", frame.column_at(scored, story, np.nan))
    paths, at = frame["path"], scored.tolist()
    above = (scores > error_threshold).tolist()
    furnished_files = {paths[r] for r, is_above in zip(at, above, strict=True) if is_above}
    furnished = np.array([paths[r] in furnished_files and not a for r, a in zip(at, above, strict=True)], dtype=bool)
    frame.adopt("furnished_noise_score", frame.column_at(scored, np.where(furnished, scores, np.nan), np.nan))
    return frame


#: The order of the columns ``add_noise_features`` gives the model.
FEATURES_ORDER = [*FILE_FEATURES, "template_files"]


def load_patterns(context) -> NoisePatterns:
    """``noise.toml``, and the pattern rules of ``paragraphs.json`` (``context.pattern_rules``):
    their hits are features of the noise model, whichever rules a run selects. A corpus's own
    ``noise.toml`` that lists no function words keeps the bundled ones: the model needs them."""
    bundled = NoisePatterns.parse(*context.file("noise.toml", bundled=True))
    return NoisePatterns.parse(*context.file("noise.toml"), furniture=context.pattern_rules, default_words=bundled.function_words)


NOISE_LINES = register(
    FileStep(
        "noise-lines",
        family="noise",
        version="2",
        compute=lambda doc, inputs, patterns: {"noise_lines": file_noise_features(inputs["text"], patterns)},
        needs=("text",),
        data=("noise_lines",),
        shaping=("noise.toml", "paragraphs.json"),
        libraries=("numpy",),
        prepare=load_patterns,
    )
)


def _template_text(corpus, setup) -> None:
    """``template_files``: the lines exploded to (key, doc), each doc mapped to its earliest copy
    (a join with ``doc_dup_of``/``doc_near_dup_of``), a group-by on key counting distinct docs,
    joined back to the lines; a window over each file's lines (``lag``/``lead``) for the lines
    beside a shared one; the most per paragraph (a group-by on row). ``prose``: any per row."""
    # A run that scores every row leaves each file's copies out of the units (``copies``).
    every = corpus.context.report_paths is None
    corpus.data["noise_units"] = corpus_noise_features(corpus.table, corpus.per_file["noise_lines"], copies=every)


TEMPLATE_TEXT = register(
    CorpusStep(
        "template-text",
        family="noise",
        version="1",
        run=_template_text,
        needs=("noise_lines", "doc_id", "doc_dup_of", "doc_near_dup_of"),
        columns=("prose", "template_files"),
        data=("noise_units",),
        libraries=("numpy",),
    )
)


def feature_versions() -> dict[str, str]:
    """The versions of the steps whose output the noise model reads: what its features mean. A
    model records them when trained (``train-noise``); one trained on other versions is refused,
    since its trees would read numbers that no longer mean what they did."""
    return {step.name: step.version for step in (NOISE_LINES, TEMPLATE_TEXT)}


def _load_model(context):
    from .noise_model import NoiseModel

    source, text = context.file("noise-model.json")
    model = NoiseModel.parse(source, text)
    trained, current = model.feature_versions, feature_versions()
    if trained is not None and trained != current:
        differ = ", ".join(f"{name} {trained.get(name, 'none')} (this version computes {current.get(name, 'none')})"
                           for name in sorted({*trained, *current}) if trained.get(name) != current.get(name))  # fmt: skip
        raise ConfigError(f"{source}: trained on other noise features: {differ}; train it again with this version (corpus-validator train-noise)")
    return model


def _noise_score(corpus, model) -> None:
    """The model over each line (a map), the mean per paragraph (a group-by on row), and
    ``furnished_noise_score``: a window over each file (``max(score) over (partition by path)``)."""
    report_paths = corpus.context.report_paths
    frame = corpus.table
    reported = None if report_paths is None else rows_in(frame["path"], report_paths)
    error_threshold = corpus.context.options.get("error_threshold", 1.0)
    jobs = corpus.context.config.jobs or core_count()
    add_noise_scores(frame, corpus.data["noise_units"], model, reported, error_threshold, jobs)


NOISE_SCORE = register(
    CorpusStep(
        "noise-score",
        family="noise",
        version="1",
        run=_noise_score,
        needs=("noise_units", "path"),
        columns=("noise_score", "noise_why", "furnished_noise_score", "story_noise_score"),
        shaping=("noise-model.json",),
        libraries=("numpy",),
        prepare=_load_model,
    )
)
