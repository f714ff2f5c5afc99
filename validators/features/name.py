"""Name features: every name-like span, and which ones spell a name differently.

Produces the *mentions* frame, one row per mention (a one-word name only where a rule may
report it: the corpus spells it another way, a doubled letter makes it another one-word
name, or the registry names it; acronyms and longer names always):

- ``mention_id, row, path, doc_id, para``: where (``row`` is the paragraph's frame label)
- ``start, end``: offsets in the paragraph's raw text; ``line, column``: 1-based, in the file
- ``surface``: the mention as written
- ``key``: case, hyphens, spaces, dots and diacritics folded ("Kim Jong-un" and "Kim Jong Un"
  share ``kimjongun``); a spelling in capitals keeps them and its hyphens ("U.S." and "US"
  share ``US``, never ``us``; "R-TX" is not "RTX"); None for names the registry governs, which
  the registry rule checks, and for names whose spellings tie
- ``canonical``: the spelling to use: the registry's, else the corpus's most common, else the one
  more documents use; None on a tie
- ``variant_of``: ``canonical`` where the mention spells the same key otherwise (NM001)
- ``tied_with``: the other spelling(s) of a name written as often, by as many documents (NM004)
- ``near_variant_of``: a much more frequent name one letter away (NM002, a likely slip)
- ``registry_variant_of``: the registry's spelling where this mention uses another (NM003)

The registry and the word lists come from ``expectations/names.toml``.
"""

from __future__ import annotations

import bisect
import functools
import re
import zlib
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
from anyascii import anyascii

from ..errors import ConfigError
from ..frame import Joined, Table, picked, rows_in, rows_of_files
from ..safe_regex import UnsafePattern
from ..safe_regex import check as checked_pattern
from . import parse_toml
from .lookup import among
from .steps import CorpusStep, FileStep, PackedRows, register

MENTION_COLUMNS = [
    "mention_id", "row", "path", "doc_id", "para", "start", "end", "line", "column",
    "surface", "key", "canonical", "variant_of", "near_variant_of", "registry_variant_of", "tied_with",
]  # fmt: skip

# A token is dotted initials ("U.S.", "J.K.") or a word, hyphenated parts included ("Jong-un").
_TOKEN = re.compile(r"(?:[^\W\d_]\.){2,}|[^\W\d_]+(?:[-\u2010][^\W\d_]+)*")
_DOTTED = re.compile(r"(?:[^\W\d_]\.){2,}")
_NOT_ALNUM = re.compile(r"[^0-9a-z]+")
_SENTENCE_END = re.compile(r"[.!?:;][\"'”’)\]]*\s+$")
#: A stretch of text with no spaces that holds a digit, "=", "/", "@", "_", "\", "#", "<", ">"
#: or a letter-dot-letters or letter-colon-letters join ("example.com", "Toolkit:PictureInPicture") is a code, a ticker, an address or a file
#: name ("US10YT=RR", "SC2", "JPY=", "@NASA"): no mention is read inside it.
_CODE_MARK = r"[\d=/@_\\#<>]|[^\W\d_][.:][^\W\d_]{2}"
_CODE = re.compile(rf"(?<!\S)\S*?(?:{_CODE_MARK})\S*")
_MARK = re.compile(_CODE_MARK)
_TO_SPACE = re.compile(r"\S*")

#: The most words a name candidate has, and the most characters a word of it has: a longer
#: run of capitalised words is a menu or a title-case headline, a longer word is no name (the
#: longest place names have about 60 letters), and either would make the slips of its keys,
#: which grow as their square, take the machine's memory.
MAX_RUN_WORDS = 12
MAX_WORD_CHARS = 64
#: Near-variant guards: a slip is one edit inside one word of a name that the corpus
#: writes at least this many times more often the other way, in a name this long.
NEAR_MIN_KEY_CHARS = 8
NEAR_MIN_RATIO = 2
#: A one-word name is a slip of another only against a name this many times more frequent:
#: one word has no other word to confirm it is the same name.
NEAR_MIN_RATIO_ONE_WORD = 3
#: An acronym's spelling is compared with another only where the corpus writes it this
#: often: "US" / "U.S." are, "UA" twice / "U.A." once are not.
ACRONYM_MIN_MENTIONS = 3
#: A one-word name (not an acronym) has at least this many letters: "Io" and "Li" are not compared.
MIN_WORD_NAME = 3

#: What may follow a token's letters within the token: another letter, a hyphen, a dot.
_GOES_ON = r"(?:[^\W\d_]|[-\u2010.])"


@functools.lru_cache(maxsize=8)
def _reading_tokens(particles: frozenset[str]) -> re.Pattern:
    """``NameLexicon.tokens``: ``_TOKEN`` where neither a plain lower-case ASCII word that is not
    one of ``particles`` starts nor a letter precedes (no token of ``_TOKEN`` starts after a
    letter, and a skipped word holds no other start: its tokens are exactly ``_TOKEN``'s)."""
    plain = sorted(re.escape(p) for p in particles if re.fullmatch(r"[a-z]+", p))
    particle = f"(?!(?:{'|'.join(plain)})(?!{_GOES_ON}))" if plain else ""
    return re.compile(rf"(?<![^\W\d_])(?!{particle}[a-z]+(?!{_GOES_ON}))(?:{_TOKEN.pattern})")


@dataclass(frozen=True)
class NameLexicon:
    """``expectations/names.toml``: how mentions are cut, and the corpus's house style."""

    particles: frozenset[str] = frozenset()  # lower-case words inside names: "van", "bin"
    leading_words: frozenset[str] = frozenset()  # capitalised at a sentence start, not names: "In"
    registry: dict[str, str] = field(default_factory=dict)  # variant spelling or key -> house spelling
    distinct: frozenset[frozenset[str]] = frozenset()  # pairs of keys never to be merged
    not_names: frozenset[str] = frozenset()  # shaped like a name but never one: "P.M.", "P.S."
    citation: re.Pattern | None = None  # a mark of a reference-list entry: "Retrieved 7 May 2014", "doi:10."

    @functools.cached_property
    def led_by_acronym(self) -> dict[str, tuple[str, ...]]:
        """Registry spellings of two words or more whose first word is an acronym ("Us Weekly"
        aside, "US Weekly", "UN Women"), by that word, longest first: such a run is one name,
        not a mention of its acronym."""
        found: dict[str, list[str]] = {}
        for spelling in {*self.registry, *self.registry.values()}:
            first = _TOKEN.match(spelling)
            if first is not None and first.end() < len(spelling) and " " in spelling and _is_acronym(first.group()):
                found.setdefault(first.group(), []).append(spelling)
        return {token: tuple(sorted(names, key=len, reverse=True)) for token, names in found.items()}

    @functools.cached_property
    def tokens(self) -> re.Pattern:
        """``_TOKEN``'s tokens but a plain lower-case ASCII word that is no particle: ``_scan``
        reads such a word only to close the run before it, which the next token it reads closes
        as well (a word in the gap, no token joins the run). Three tokens of four are such words."""
        return _reading_tokens(frozenset(self.particles))

    @classmethod
    def parse(cls, source: str, text: str) -> NameLexicon:
        data = parse_toml(source, text, {"particles", "leading_words", "canonical", "distinct", "not_names", "citation_marks"})
        for key in ("particles", "leading_words", "not_names"):
            words = data.get(key, [])
            if not isinstance(words, list) or not all(isinstance(w, str) for w in words):
                raise ConfigError(f"{source}: {key} must be a list of words in quotes, e.g. {key} = [\"al\", \"bin\"]")
        entries = data.get("canonical", [])
        if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
            raise ConfigError(f"{source}: write each registry name as a [[canonical]] table (two brackets), with name and variants")
        registry: dict[str, str] = {}
        named_by: dict[str, str] = {}  # each spelling the registry mentions -> the entry's name
        names_by_key: dict[str, str] = {}
        for n, entry in enumerate(entries):
            name, variants = entry.get("name"), entry.get("variants", [])
            if not isinstance(name, str) or not isinstance(variants, list) or not all(isinstance(v, str) for v in variants):
                raise ConfigError(f"{source}: [[canonical]] entry {n} needs a name and a list of variants")
            # A spelling is a house name or a variant of one house name: both ways round, fix
            # would rewrite the text back and forth on every run.
            for spelling in (name, *variants):
                other = named_by.setdefault(spelling, name)
                if other != name:
                    raise ConfigError(f"{source}: {spelling!r} is in the registry under both {other!r} and {name!r}: keep one entry for it")
            key = variant_key(name)
            other = names_by_key.setdefault(key, name)
            if other != name:
                raise ConfigError(f"{source}: the registry names {other!r} and {name!r}, which fold to one key: keep one of them")
            registry[key] = name
            for variant in variants:
                registry[variant] = name
                registry.setdefault(variant_key(variant), name)
        distinct = set()
        for pair in data.get("distinct", []):
            if not (isinstance(pair, list) and len(pair) == 2 and all(isinstance(p, str) for p in pair)):
                raise ConfigError(f"{source}: each entry of 'distinct' must be a pair of names")
            distinct.add(frozenset(variant_key(p) for p in pair))
        return cls(
            particles=frozenset(data.get("particles", [])),
            leading_words=frozenset(data.get("leading_words", [])),
            registry=registry,
            distinct=frozenset(distinct),
            not_names=frozenset(data.get("not_names", [])),
            citation=_citation_pattern(source, data.get("citation_marks", [])),
        )


def _citation_pattern(source: str, marks) -> re.Pattern | None:
    """One pattern for the marks of a reference-list entry (``citation_marks``), each checked
    as a corpus owner's pattern is: refused if it can backtrack exponentially."""
    if not isinstance(marks, list) or not all(isinstance(m, str) for m in marks):
        raise ConfigError(f"{source}: citation_marks must be a list of regular expressions")
    for mark in marks:
        try:
            compiled = checked_pattern(mark)
        except re.error as exc:
            raise ConfigError(f"{source}: citation_marks: {mark!r} is not a valid regular expression: {exc}") from None
        except UnsafePattern as exc:
            raise ConfigError(f"{source}: citation_marks: {exc}") from None
        if compiled.search(""):  # found in any paragraph: every one a reference entry, and no name finding
            raise ConfigError(f"{source}: citation_marks: {mark!r} matches an empty text, so every paragraph would be a reference-list entry")
    return re.compile("|".join(f"(?:{m})" for m in marks)) if marks else None


_ASCII_NOT_ALNUM = {c: None for c in range(128) if not chr(c).isalnum()}


@functools.lru_cache(maxsize=1 << 16)
def variant_key(surface: str) -> str:
    """Fold everything a spelling variant may change: case, hyphens, spaces, dots, diacritics."""
    if surface.isascii():  # the common case, without transliteration
        return surface.lower().translate(_ASCII_NOT_ALNUM)
    return _NOT_ALNUM.sub("", anyascii(surface).casefold())


@functools.lru_cache(maxsize=1 << 16)
def mention_key(surface: str) -> str:
    """The key spellings of one name share: ``variant_key``, except that a spelling written
    in capitals keeps them, and its hyphens and spaces. An acronym varies by its dots only:
    "U.S." and "US" share ``US``, but "US" is not "us", "SEOUL" not "Seoul", "R-TX" not "RTX",
    "U S A" not "USA"."""
    letters = surface.replace(".", "")
    if letters.isupper():
        return " ".join(letters.split())
    return variant_key(surface)


@functools.lru_cache(maxsize=1 << 16)
def spaced_form(surface: str) -> str:
    """Like ``variant_key`` but keeping word boundaries, for edit distances inside words."""
    return " ".join(_NOT_ALNUM.sub(" ", anyascii(surface).casefold()).split())


def _is_acronym(token: str) -> bool:
    letters = token.replace(".", "")
    return len(letters) >= 2 and letters.isupper() and (token.endswith(".") or len(letters) <= 6)


def _inner_capital(token: str) -> bool:
    """A word that starts in lower case and has a capital inside: "iPhone", "eBay"."""
    return token[0].islower() and len(token) > 1 and not token[1:].islower() and "-" not in token


_LOWER_WORD = re.compile(r"\b[a-z][a-z]+\b")


#: Codes ``code_spans`` widens from their marks in one text; the rest ``_CODE`` finds, which
#: takes less time a code (a table of numbers, a line of a million codes).
_WIDENED = 64


def code_spans(raw: str) -> list[tuple[int, int]]:
    """The spans of the codes in ``raw``, as ``_CODE.finditer`` gives them: a code is the whole
    stretch of non-space characters around a mark, so each is widened from its first mark
    instead of ``_CODE`` trying every word (a quarter less time on real pages)."""
    spans: list[tuple[int, int]] = []
    at = 0
    backwards = ""  # ``raw`` reversed, made at the first mark: a stretch is widened to its start in it
    while (mark := _MARK.search(raw, at)) is not None:
        if len(spans) == _WIDENED:
            spans += [m.span() for m in _CODE.finditer(raw, at)]
            break
        backwards = backwards or raw[::-1]
        behind = len(raw) - mark.start()  # where the character before the mark is in ``backwards``
        start = mark.start() - (_TO_SPACE.match(backwards, behind).end() - behind)
        at = _TO_SPACE.match(raw, mark.end()).end()
        spans.append((start, at))
    return spans


def lowercase_words(text: str, codes: list[tuple[int, int]] | None = None) -> set[str]:
    """Words a text writes in lower case: capitalised at a sentence start, they are not names.
    A word inside a code, an address or a file name ("github" of "https://github.com/x")
    is no use of the word in lower case, so "GitHub" stays a name. ``codes``: ``code_spans(text)``,
    when known."""
    if codes is None:
        codes = code_spans(text)
    if codes:  # each code a space, as ``_CODE.sub(" ", text)`` makes it
        text = " ".join(text[s:e] for s, e in zip([0, *(e for _, e in codes)], [*(s for s, _ in codes), len(text)], strict=True))
    return set(_LOWER_WORD.findall(text))


def corpus_vocabulary(per_file: Iterable[str]) -> set[str]:
    """The union of each file's lower-case words (``lowercase_words`` joined by spaces, as the
    cache keeps them): a set updated file by file, which takes less than half the time of
    splitting them all joined (a thousand files: about 30 ms against 90 ms)."""
    vocabulary: set[str] = set()
    for words in per_file:
        vocabulary.update(words.split())
    return vocabulary


def _starts_sentence(raw: str, offset: int, text_start: int) -> bool:
    return offset <= text_start or bool(_SENTENCE_END.search(raw[max(0, offset - 8) : offset]))


def _name_word(token: str, lexicon: NameLexicon) -> bool:
    """Capitalised, or a capitalised word behind a particle joined by a hyphen ("al-Baghdadi")."""
    if token[0].isupper():
        return True
    head, _, tail = token.partition("-")
    return bool(tail) and tail[0].isupper() and head + "-" in lexicon.particles


def mention_candidates(
    raw: str, lexicon: NameLexicon, lower: set[str] = frozenset(), codes: list[tuple[int, int]] | None = None
) -> tuple[list, str, tuple[int, ...]]:
    """Name-like spans of ``raw``, its capitalised one-word candidates, and where they start.

    The spans are (start of each word, end, whether it opens a sentence); the one-word
    candidates ("Zelensky", "Al-Aqsa") one string, each word marked ``^`` where it opens a
    sentence, and their offsets in the same order: most are no name or the corpus spells
    them one way, so ``build_mentions`` decides per word and places only the few it keeps.

    A candidate is a run of capitalised words joined by single spaces (name particles
    allowed inside: "Abu Bakr al-Baghdadi", "Ursula von der Leyen"; dotted initials and
    one-letter initials lead or join it: "J.K. Rowling", "George W. Bush"), an acronym on
    its own ("U.S.", "KCNA"), or one word: capitalised ("Zelensky") or with a capital
    inside ("iPhone"). No candidate lies inside a code (``_CODE``: "US10YT=RR"), has more than
    ``MAX_RUN_WORDS`` words or a word of more than ``MAX_WORD_CHARS`` characters. All-capitals
    paragraphs (headings) have none: their case says nothing about spelling. Which words
    belong to the name, and whether one word is a name at all, is decided by
    ``build_mentions``, with the whole corpus in view; ``lower``, words the file writes in
    lower case, only spares it one-word candidates it would turn down ("He", "Polish").
    """
    spans, words = _scan(raw, lexicon, lower, codes=codes)
    singles = " ".join(("^" if opens else "") + raw[start:end] for start, end, opens in words)
    return spans, singles, tuple(start for start, _, _ in words)


def _scan(
    raw: str, lexicon: NameLexicon, lower: set[str] = frozenset(), tokens: re.Pattern | None = None, codes: list | None = None
) -> tuple[list, list]:
    """``mention_candidates``, with the one-word candidates as (start, end, opens a sentence);
    ``tokens``: the tokens read (``NameLexicon.tokens``; ``_TOKEN``, every token, gives the same);
    ``codes``: ``code_spans(raw)``, when known."""
    words: list[tuple[int, int, bool]] = []
    if not any(ch.islower() for ch in raw):
        return [], words
    if lexicon.citation is not None and lexicon.citation.search(raw):
        # A reference-list entry cites its source as published (title, publisher, a quoted
        # note): its spellings are the source's, so it neither reports nor outvotes any.
        return [], words
    text_start = len(raw) - len(raw.lstrip())
    if codes is None:
        codes = code_spans(raw)
    code_starts = [start for start, _ in codes]  # sorted, the codes apart: one lookup per token
    spans: list[tuple[tuple[int, ...], int, bool]] = []
    run: list[re.Match] = []

    def close() -> None:
        while run and run[-1].group().lower() in lexicon.particles:
            run.pop()
        while run and run[0].group() in lexicon.leading_words:
            run.pop(0)
        if len(run) >= 2 and all(len(m.group()) == 1 for m in run):
            run.clear()  # initials with no name: "S. A"
        if len(run) > MAX_RUN_WORDS or any(m.end() - m.start() > MAX_WORD_CHARS for m in run):
            run.clear()
        if len(run) == 1:
            word = run[0].group()
            if len(word) < MIN_WORD_NAME or word.isupper() or _common_word(word, lower, lexicon):
                run.clear()
        if len(run) == 1:
            words.append((run[0].start(), run[0].end(), _starts_sentence(raw, run[0].start(), text_start)))
        elif run:
            starts = tuple(m.start() for m in run)
            spans.append((starts, run[-1].end(), _starts_sentence(raw, starts[0], text_start)))
        run.clear()

    def joins(previous: re.Match, match: re.Match) -> bool:
        gap = raw[previous.end() : match.start()]
        # A one-letter initial carries its dot: "George W. Bush".
        return gap == " " or (gap == ". " and len(previous.group()) == 1 and previous.group().isupper())

    def inside_code(match: re.Match) -> bool:
        # The last code starting at or before the token: a scan of every code made a long
        # line of many codes ("end.Next" between glued sentences) quadratic.
        i = bisect.bisect_right(code_starts, match.start()) - 1
        return i >= 0 and match.start() < codes[i][1]

    led, particles = lexicon.led_by_acronym, lexicon.particles
    skip_to = 0  # the end of a registry name read as a whole: its words are not read again
    for match in (tokens or lexicon.tokens).finditer(raw):
        token = match.group()
        if match.start() < skip_to:
            continue
        if codes and inside_code(match):
            if run:
                close()
            continue
        if token[0].islower() and "-" not in token and (len(token) == 1 or token[1:].islower()):
            # Most words: a lower-case word is neither a name word nor one with a capital
            # inside (``_name_word``, ``_inner_capital``); it joins a run only as a particle.
            if run:
                if token in particles and joins(run[-1], match):
                    run.append(match)
                else:
                    close()
            continue
        capitalised = token[0].isupper()
        followed = raw[match.end() : match.end() + 2]
        if capitalised and led and token in led:
            # A name the registry lists that opens with an acronym ("UN Women") is that name.
            end = next((match.start() + len(n) for n in led[token] if _whole_at(raw, match.start(), n)), None)
            if end is not None:
                if run:
                    close()
                spans.append(((match.start(),), end, False))
                skip_to = end
                continue
        if capitalised and _is_acronym(token):
            # Dotted initials before a capitalised word belong to the longer name ("A.C. Milan").
            if _DOTTED.fullmatch(token) and followed[:1] == " " and followed[1:].isupper():
                if run and not joins(run[-1], match):
                    close()
                run.append(match)
                continue
            if run:
                close()
            if token not in lexicon.not_names and not _initials_after_surname(raw, match, lexicon):
                spans.append(((match.start(),), match.end(), False))
            continue
        if _inner_capital(token):
            if run:
                close()
            spans.append(((match.start(),), match.end(), False))
            continue
        if run and joins(run[-1], match) and (_name_word(token, lexicon) or token in lexicon.particles):
            run.append(match)
            continue
        if run:
            close()
        if _name_word(token, lexicon):
            run.append(match)
    if run:
        close()
    return spans, words


def _whole_at(raw: str, start: int, name: str) -> bool:
    """Whether ``raw`` spells ``name`` at ``start``, as whole words."""
    end = start + len(name)
    return raw.startswith(name, start) and not (end < len(raw) and raw[end].isalnum())


_SURNAME_BEFORE = re.compile(r"[^\W\d_]*[^\W\d_\s],? $")
_INITIALS_END = re.compile(r"(?:[,;]|\.?$|\.? et al)")


def _initials_after_surname(raw: str, match: re.Match, lexicon: NameLexicon) -> bool:
    """Two or three capitals right after a capitalised word, dotted or before a comma, "et al"
    or the end, are an author's initials in a reference ("Chi MH et al.", "Adwan, M.H."), not
    an acronym."""
    letters = match.group().replace(".", "")
    if len(letters) > 3:
        return False
    before = _SURNAME_BEFORE.search(raw, max(0, match.start() - 40), match.start())
    if before is None or not before.group()[:1].isupper() or before.group().rstrip(", ") in lexicon.leading_words:
        return False
    return match.group().endswith(".") or _INITIALS_END.match(raw, match.end()) is not None


def resolve_mention(
    raw: str, starts: tuple[int, ...], end: int, opens_sentence: bool, vocabulary: set[str], whole: Counter | None
) -> int | None:
    """Where the mention starts once words that are not part of the name are dropped; None if none is left.

    A sentence's first word goes when the corpus writes it in lower case elsewhere
    ("Leader Kim Jong Un said"); leading words such as titles go when the corpus names
    the person without them at least as often ("Foreign Minister Ri Yong Ho"), if they are
    plain words (not "Asia-Pacific" of "Asia-Pacific Economic Cooperation"). A first name
    stays before a lower-case particle: "bin Laden" is only ever written after "Osama", and
    the name standing alone capitalises it ("Bin Laden", "Van Gogh"), one style, not two.
    """
    if opens_sentence and len(starts) > 1:
        first_word = raw[starts[0] : starts[1]].strip().lower()
        if first_word in vocabulary:
            starts = starts[1:]
    if whole is not None:
        for tail in starts[1:-1]:  # longest remainder first, always two words or more
            if "-" in raw[starts[0] : tail]:
                break  # titles and demonyms are plain words; "Asia-Pacific" is part of the name
            if raw[tail].islower():
                continue
            if whole[variant_key(raw[tail:end])] >= whole[variant_key(raw[starts[0] : end])]:
                return tail
    return starts[0]


def _one_slip_apart(minor: str, major: str, words: frozenset | set = frozenset()) -> bool:
    """Spaced forms of equal word count differing by one edit inside one word that is
    neither a prefix of the other ("Korea" / "Korean" is a demonym, not a slip).

    Not a slip either: a word against another word the corpus writes in lower case
    (``words``: "Google Pay" / "Google Play"). A one-word name has no other word to confirm
    it is the same name, so its slip is only a letter doubled ("Zelensky" / "Zelenskyy"),
    never another ending ("American" / "Americas") or letter ("Wallington" / "Wellington").
    """
    from rapidfuzz.distance import Levenshtein

    minor_words, major_words = minor.split(), major.split()
    if len(minor_words) != len(major_words) or Levenshtein.distance(minor, major, score_cutoff=1) != 1:
        return False
    differ = [(a, b) for a, b in zip(minor_words, major_words, strict=True) if a != b]
    if len(differ) != 1:
        return False
    a, b = differ[0]
    if min(len(a), len(b)) < 3:
        return False
    if a in words and b in words:
        return False  # two words the corpus writes in lower case: "Google Pay" / "Google Play"
    if len(minor_words) == 1:  # only a doubled letter, written once or twice
        short, long = sorted((a, b), key=len)
        at = next((i for i, (x, y) in enumerate(zip(short, long)) if x != y), len(short))
        return len(short) < len(long) and at > 0 and long[at] == long[at - 1]
    return not (a.startswith(b) or b.startswith(a))


def _deletions(form: str) -> set[str]:
    return {form} | {form[:i] + form[i + 1 :] for i in range(len(form))}


def near_variants(counts: Counter, spaced: dict[str, str], distinct: frozenset, minors=None, words=frozenset()) -> dict[str, str]:
    """key -> key of the far more frequent name it is one slip away from.

    Two forms one edit apart share a form with one character deleted (or one is such a
    form of the other), so candidates come from an index of those: the work grows with
    the number of names times their length, not with its square. Only names seen at
    least ``NEAR_MIN_RATIO`` times can be the frequent side. ``minors`` limits the
    names looked up (those of the files being reported).
    """
    minors = [m for m in (counts if minors is None else minors) if len(m) >= NEAR_MIN_KEY_CHARS]
    majors = [k for k, n in counts.items() if len(k) >= NEAR_MIN_KEY_CHARS and n >= NEAR_MIN_RATIO]
    if len(minors) < len(majors):
        # Forms of 8 or more characters one edit apart keep their first three characters
        # or their last three, so a few looked-up names need only a few indexed ones.
        heads, tails = {spaced[m][:3] for m in minors}, {spaced[m][-3:] for m in minors}
        majors = [k for k in majors if spaced[k][:3] in heads or spaced[k][-3:] in tails]
    index: dict[str, list[str]] = {}
    for key in majors:
        for form in _deletions(spaced[key]):
            index.setdefault(form, []).append(key)
    found: dict[str, str] = {}
    for minor in minors:
        candidates = {major for form in _deletions(spaced[minor]) for major in index.get(form, ())}
        best = None
        for major in candidates:
            if (
                major != minor
                and counts[major] >= (NEAR_MIN_RATIO if " " in spaced[minor] else NEAR_MIN_RATIO_ONE_WORD) * counts[minor]
                and frozenset((minor, major)) not in distinct
                and _one_slip_apart(spaced[minor], spaced[major], words)
                and (best is None or (counts[major], major) > (counts[best], best))
            ):
                best = major
        if best is not None:
            found[minor] = best
    return found


#: The paragraph table's columns ``build_mentions`` reads.
MENTION_SOURCES = ("raw", "path", "doc_id", "para", "line_start")


class _SpacedForms(dict):
    """key -> ``spaced_form`` of its corpus spelling, worked out for the keys asked for only."""

    def __init__(self, spellings: dict):
        super().__init__()
        self.spellings = spellings

    def __missing__(self, key):
        self[key] = form = spaced_form(self.spellings[key])
        return form


def _kept_words(distinct: set[str], names: Iterable[str], lexicon: NameLexicon) -> set[str]:
    """The one-word names (not acronyms) of ``distinct`` that a rule may report: those whose
    key the corpus spells another way (among them and the longer ``names``' surfaces), that another
    one-word name is a doubled letter away from (the one slip NM002 sees in one word), or
    that the registry names. Most one-word names are none of these; leaving them out keeps
    the mentions table, and the pre-commit hook, small. Acronyms stay, as every longer name does.
    """
    spellings_of: dict[str, set] = {}
    for surface in names:
        spellings_of.setdefault(mention_key(surface), set()).add(surface)
    for word in distinct:
        spellings_of.setdefault(mention_key(word), set()).add(word)
    plain = {mention_key(w) for w in distinct if "-" not in w}
    slips = set()
    for key in plain:
        if len(key) >= NEAR_MIN_KEY_CHARS - 1:
            for shorter in _undoubled(key):
                if shorter in plain:
                    slips.update((key, shorter))
    registry = lexicon.registry
    return {
        word for word in distinct
        if len(spellings_of[mention_key(word)]) > 1
        or mention_key(word) in slips
        or (registry and (word in registry or variant_key(word) in registry))
    }  # fmt: skip


def _initials_apart(raw: str, starts: tuple[int, ...], alone: set[str], vocabulary: set[str]) -> bool:
    """Whether the dotted initials that open a run are a name of their own: the corpus writes
    them standing alone ("U.S." of "the U.S. Senate"), or the next word opens a sentence
    ("... in the U.S. The talks ..."), which a word the corpus writes in lower case may."""
    initials = raw[starts[0] : starts[1] - 1]
    following = _TOKEN.match(raw, starts[1])
    return initials in alone or (following is not None and following.group().lower() in vocabulary)


#: A capital inside a word after four letters or more: "BeautifulSoup", not "LePen" or "McCain".
_CAMEL = re.compile(r"(?<![^\W\d_])[^\W\d_]{4,}(?<=[a-z])[A-Z]")


def _words(spelling: str) -> int:
    return len(spelling.replace("-", " ").split())


def _camel_joined(spelling: str, other: str) -> bool:
    """Whether one spelling joins the other's words with capitals ("WebExtensions" / "Web
    Extensions", "BeautifulSoup" / "Beautiful Soup"): code and brands join words so on
    purpose, so the two are not reported as one name ("Wallstreet" / "Wall Street" and
    "Marine LePen" / "Marine Le Pen" are)."""
    return _words(spelling) != _words(other) and bool(_CAMEL.search(spelling) or _CAMEL.search(other))


def _styled(spelling: str, other: str) -> bool:
    """Whether ``spelling`` is a brand's styling of the plain word ``other`` ("uBuntu Project"
    beside "Ubuntu"): a writer does not slip into a lower-case first letter and an inner
    capital, so it names something else. The other way ("Iphone" for "iPhone") is a slip."""
    return _inner_capital(spelling.split(" ", 1)[0]) and not _inner_capital(other.split(" ", 1)[0])


def _one_word_name(word: str, opens: bool, vocabulary: set[str], mid_sentence: set[str], lexicon: NameLexicon) -> bool:
    """An acronym, a word with a capital inside, or a capitalised word the corpus writes so in
    mid-sentence and never in lower case ("Turkey" unless "turkey" is written too); hyphenated,
    no part after the first is a lower-case word ("Al-Aqsa", not "T-Shirt" or "Wall-street")."""
    if _is_acronym(word) or _inner_capital(word):
        return True
    return (not opens or word in mid_sentence) and not _common_word(word, vocabulary, lexicon)


def _common_word(word: str, vocabulary: set[str], lexicon: NameLexicon) -> bool:
    """Whether a capitalised word is a common word: written in lower case (in part, after a
    hyphen), a sentence-opening word, or a particle."""
    lower = word.lower()
    if lower in vocabulary or word in lexicon.leading_words or lower in lexicon.particles:
        return True
    return "-" in lower and any(len(part) >= 3 and part in vocabulary for part in lower.split("-")[1:])


def most_common_spelling(keys, surfaces) -> dict:
    """key -> its most common spelling; a key whose most common spellings tie has none (missing keys skipped)."""
    counts = Counter((k, s) for k, s in zip(keys, surfaces, strict=True) if isinstance(k, str))
    best: dict = {}
    tied: set = set()
    for (key, surface), n in counts.items():
        if key not in best or n > counts[(key, best[key])]:
            best[key] = surface
            tied.discard(key)
        elif n == counts[(key, best[key])]:
            tied.add(key)
    return {k: v for k, v in best.items() if k not in tied}


def preferred_spelling(keys: list, surfaces: list) -> list:
    """Per row, the most common spelling of the row's key; None where the most common spellings tie.

    The condition of the GX expectation ``expect_column_pair_values_to_have_one_spelling_per_key``:
    a row is expected where its spelling is the preferred one, so on a tie no spelling is.
    """
    best = most_common_spelling(keys, surfaces)
    return [best.get(k) for k in keys]


def load_lexicon(context) -> NameLexicon:
    return NameLexicon.parse(*context.file("names.toml"))


def possible_keys(raw: str, spans: list, singles: str) -> set[tuple[int, str]]:
    """(slot, key) for each ``variant_key`` a candidate of one paragraph may be counted under,
    whatever the corpus decides: a run of words from any of its words to its end (a leading word
    dropped), its dotted initials alone ("U.S." of "U.S. Senate"), or the one word. ``slot``: the
    candidate's place among the paragraph's spans, then its one-word candidates. The keys are
    ``variant_key``s, which fold more than ``mention_key``: mentions sharing a key share one here."""
    keys = set()
    for slot, (starts, end, _) in enumerate(spans):
        for start in starts:
            keys.add((slot, variant_key(raw[start:end])))
        if len(starts) > 1:
            keys.add((slot, variant_key(_TOKEN.match(raw, starts[0]).group())))
    if singles:
        for slot, token in enumerate(singles.split(), start=len(spans)):
            keys.add((slot, variant_key(token[1:] if token[0] == "^" else token)))
    return keys


def key_hash(key: str) -> int:
    """A key's 32 bits, the same in every run (``hash`` is not): two keys sharing one only widen
    what ``bearing_rows`` keeps, never narrow it."""
    return zlib.crc32(key.encode("utf-8", "surrogatepass"))


def candidate_keys(raws: list[str], candidates: list) -> np.ndarray:
    """A file's ``name_keys``: (key hash, row, slot, words), a row for each of ``possible_keys``
    of each paragraph, as ``uint32`` (``words``: the run's, 0 for a one-word candidate). A
    pre-commit run tests every candidate of the corpus against the keys that bear on its files
    at once, in NumPy (``bearing_rows``)."""
    found = []
    for row, (raw, (spans, singles, _)) in enumerate(zip(raws, candidates, strict=True)):
        for slot, key in possible_keys(raw, spans, singles):
            found.append((key_hash(key), row, slot, len(spans[slot][0]) if slot < len(spans) else 0))
    return np.array(found, dtype=np.uint32).reshape(-1, 4)


def name_sets(raws: list[str], rows: Iterable) -> tuple[set, set, set]:
    """What ``build_mentions`` reads of every row as corpus-wide sets, from ``rows`` ((row, its
    candidates) pairs): the dotted initials standing alone ("U.S."), the capitalised one-word
    candidates (``^`` where they open a sentence: a name where the corpus writes it so in
    mid-sentence) and the first two words of runs in mid-sentence ("New Zealand" keeps its
    "New" at a sentence start)."""
    alone, capitalised, openings = set(), set(), set()
    for row, (spans, singles, _) in rows:
        capitalised.update(singles.split())
        raw = raws[row]
        for starts, end, opens in spans:
            if len(starts) == 1:
                if raw[end - 1] == ".":
                    alone.add(raw[starts[0] : end])
            elif not opens:
                openings.add(raw[starts[0] : starts[2] - 1 if len(starts) > 2 else end])
    return alone, capitalised, openings


def file_name_sets(raws: list[str], candidates: list) -> tuple[str, str, str]:
    """One file's ``name_sets``, each distinct, as one string (the cache loads one object)."""
    alone, capitalised, openings = name_sets(raws, enumerate(candidates))
    return "\n".join(sorted(alone)), " ".join(sorted(capitalised)), "\n".join(sorted(openings))


def corpus_name_sets(per_file: Iterable[tuple[str, str, str]]) -> tuple[set, set, set]:
    """The union of each file's ``file_name_sets``: ``build_mentions``' ``corpus_sets``."""
    alone, capitalised, openings = set(), set(), set()
    for file_alone, file_capitalised, file_openings in per_file:
        if file_alone:
            alone.update(file_alone.split("\n"))
        capitalised.update(file_capitalised.split())
        if file_openings:
            openings.update(file_openings.split("\n"))
    return alone, capitalised, openings


def _file_candidates(doc, inputs, lexicon: NameLexicon) -> dict:
    raws = inputs["raw"]
    codes = [code_spans(raw) for raw in raws]  # read by both: found once
    words = set().union(*(lowercase_words(raw, c) for raw, c in zip(raws, codes, strict=True))) if raws else set()
    candidates = [mention_candidates(raw, lexicon, words, c) for raw, c in zip(raws, codes, strict=True)]
    return {
        "name_candidates": candidates,
        # One string, not a set: the cache loads one object per file instead of hundreds.
        "lowercase_words": " ".join(sorted(words)),
        "name_keys": candidate_keys(raws, candidates),
        "name_sets": file_name_sets(raws, candidates),
    }


#: A paragraph's candidates when it has none (a quarter of a page dump's paragraphs): cached
#: as no bytes, read back as this one value, which nothing changes in place.
_NO_CANDIDATES = ([], "", ())


def _pack_candidates(outputs: dict) -> dict:
    """The candidates as the cache keeps them: each row's pickled on its own (``PackedRows``),
    so a pre-commit run unpickles the few rows that bear on its files (``bearing_rows``)."""
    packed = PackedRows.of(outputs["name_candidates"], _NO_CANDIDATES)
    return {**outputs, "name_candidates": (packed.blob, packed.ends)}


def _unpack_candidates(stored: dict, doc) -> dict:
    return {**stored, "name_candidates": PackedRows(*stored["name_candidates"], _NO_CANDIDATES)}


CANDIDATES = register(
    FileStep(
        "name-candidates",
        family="name",
        # 4: no run over MAX_RUN_WORDS words, nor with a word over MAX_WORD_CHARS characters;
        # 5: the candidates cached row by row (``PackedRows``)
        version="5",
        compute=_file_candidates,
        needs=("raw",),
        data=("name_candidates", "lowercase_words", "name_keys", "name_sets"),
        shaping=("names.toml",),
        libraries=("anyascii",),
        prepare=lambda context: context.resource(load_lexicon),
        pack=_pack_candidates,
        unpack=_unpack_candidates,
    )
)


#: The characters of a ``variant_key`` (ASCII letters and digits, folded): a slip changes,
#: drops or adds one of them.
_KEY_CHARACTERS = "abcdefghijklmnopqrstuvwxyz0123456789"


def _one_edit(key: str) -> set[str]:
    """Every key one character dropped, changed or added away from ``key``."""
    edits = {key[:i] + key[i + 1 :] for i in range(len(key))}
    for i in range(len(key) + 1):
        head, tail = key[:i], key[i:]
        edits.update(head + c + tail for c in _KEY_CHARACTERS)
        if tail:
            edits.update(head + c + tail[1:] for c in _KEY_CHARACTERS)
    edits.discard(key)
    return edits


def _undoubled(key: str) -> set[str]:
    """``key`` with one letter of a doubled pair dropped ("zelenskyy" -> "zelensky")."""
    return {key[:i] + key[i + 1 :] for i in range(1, len(key)) if key[i] == key[i - 1]}


def _doubled_partners(key: str) -> set[str]:
    """The keys a doubled letter apart from ``key`` (``_kept_words``' slips): one letter of a
    pair dropped, or one letter doubled."""
    partners = _undoubled(key)
    partners.update(key[:i] + key[i] + key[i:] for i in range(len(key)))
    return partners


#: A run reporting a few files narrows the name step (``bearing_rows``) where the corpus has this
#: many candidate keys for each key one slip from the reported files' names, which it must make
#: and look for: below it (a few hundred page dumps, for one), deciding every candidate costs
#: less (``bench/hook_names.py``).
NARROW_MIN_RATIO = 2


def _runs_ending(raw: str, starts: tuple[int, ...], end: int) -> Iterable[str]:
    """The keys of the runs of two words or more that a run of words ends in, itself included."""
    return (variant_key(raw[start:end]) for start in starts[:-1])


def _never_one_word_name(word: str, vocabulary: set[str], lexicon: NameLexicon) -> bool:
    """Whether ``word``, standing alone, is no name whatever the rest of the corpus decides
    (``_one_word_name`` false at a sentence's start and in mid-sentence): not an acronym nor a
    word with a capital inside, and a common word (the corpus writes it in lower case: a menu's
    "Search", "Video", "Defense")."""
    return not (_is_acronym(word) or _inner_capital(word)) and _common_word(word, vocabulary, lexicon)


def _mention_keys(raw: str, spans: list, singles: str, vocabulary: set[str] | None, lexicon: NameLexicon) -> set[str]:
    """The keys of ``possible_keys`` under which a mention of the paragraph may be counted: a
    one word key (a one-word candidate, or the last word of a run, all that may remain of it)
    only where that word may be a one-word name (``_never_one_word_name``, given the corpus's
    ``vocabulary``; None: every key), and a run's first word alone only where it is dotted
    initials (``build_mentions`` splits no other first word off)."""
    if vocabulary is None:
        return {key for _, key in possible_keys(raw, spans, singles)}
    keys = set()
    for starts, end, _ in spans:
        for start in starts[:-1]:
            keys.add(variant_key(raw[start:end]))
        last = raw[starts[-1] : end]
        if len(starts) == 1 or not _never_one_word_name(last, vocabulary, lexicon):
            keys.add(variant_key(last))
        if len(starts) > 1 and raw[starts[1] - 2] == ".":  # dotted initials, which may stand apart ("U.S." of "U.S. Senate")
            keys.add(variant_key(_TOKEN.match(raw, starts[0]).group()))
    for token in singles.split():
        word = token[1:] if token[0] == "^" else token
        if not _never_one_word_name(word, vocabulary, lexicon):
            keys.add(variant_key(word))
    return keys


def bearing_rows(
    candidates: list, raws: list[str], keys: np.ndarray, reported: list[int], lexicon: NameLexicon, vocabulary: set[str] | None = None
) -> dict | None:
    """The rows whose candidates may bear on the rows ``reported`` (row -> its candidates): what a
    run reporting a few files must decide, where the decisions for the rest of the corpus cannot
    change a finding of theirs or a place it names; None where the corpus is too small for
    that to pay (``NARROW_MIN_RATIO``). ``keys``: the corpus's ``candidate_keys`` (rows of the
    table). The corpus-wide word sets come from every row (``corpus_name_sets``).

    A candidate bears on them when one of its ``possible_keys`` is one of: a key the reported
    rows may have, or a registry name's; one slip from one of their runs of words, or a doubled
    letter from any of their keys (``near_variants``: a more frequent spelling, and whether a
    one-word name is kept, ``_kept_words``, and so counted), and for each of those the corpus
    has, its doubled-letter partners. Then, for the runs of three words or more among them,
    every run of two or more they end in, themselves included: a leading word goes by how often
    the corpus writes the rest (``resolve_mention``'s ``whole``), so those are counted too.

    With the corpus's ``vocabulary``, a word of theirs that can be no one-word name (a common
    word: a page's menu, "Search", "Video", "Defense") seeks nothing: no mention of theirs is
    counted under its key, so the corpus's uses of it decide nothing for them (a menu of such
    words made 210,000 of a 10,000-page corpus's 1.4 million paragraphs bear, and 9 s)."""
    sought: set[str] = set()
    runs: set[str] = set()  # the keys of two words or more, which a slip in one word may change
    for row in reported:
        spans, singles, _ = candidates[row]
        raw = raws[row]
        sought.update(_mention_keys(raw, spans, singles, vocabulary, lexicon))
        runs.update(key for starts, end, _ in spans for key in _runs_ending(raw, starts, end))
    slipped = [key for key in runs if len(key) >= NEAR_MIN_KEY_CHARS]
    edits = sum((2 * len(_KEY_CHARACTERS) + 1) * len(key) for key in slipped)  # about ``_one_edit``'s
    if len(keys) < NARROW_MIN_RATIO * edits:
        return None
    registry = lexicon.registry or {}
    sought.update(variant_key(name) for pair in registry.items() for name in pair)
    near = {edit for key in slipped for edit in _one_edit(key)}
    near.update(partner for key in sought if len(key) >= NEAR_MIN_KEY_CHARS - 2 for partner in _doubled_partners(key))
    near = {key_hash(key): key for key in near - sought}
    hashes = np.ascontiguousarray(keys[:, 0])
    wanted = among(hashes, [*map(key_hash, sought), *near])
    present = {near[h] for h in np.unique(hashes[wanted]).tolist() if h in near}
    more = {partner for key in present for partner in _doubled_partners(key)}
    # The runs of three words or more kept: how often the corpus writes each shorter run they
    # end in decides where they start.
    long_runs = keys[wanted & (keys[:, 3] > 2), 1:3].tolist()
    at = sorted({row for row, _ in long_runs})
    # Row by row, which keeps each file's text it reads (``frame.Slices``): ``build_mentions``
    # reads other rows of most of these files, and ``picked`` would read them again.
    spans_of, raw_of = dict(zip(at, picked(candidates, at), strict=True)), {row: raws[row] for row in at}
    for row, slot in long_runs:
        starts, end, _ = spans_of[row][0][slot]
        more.update(_runs_ending(raw_of[row], starts, end))
    more -= sought | present
    if more:
        wanted |= among(hashes, map(key_hash, more))
    rows = np.zeros(len(candidates), dtype=bool)
    rows[keys[wanted, 1]] = True
    chosen = np.flatnonzero(rows).tolist()
    rest = [row for row in chosen if row not in spans_of]  # the long runs' rows are read already
    spans_of.update(zip(rest, picked(candidates, rest), strict=True))
    return {row: spans_of[row] for row in chosen}


def _mentions(corpus, lexicon: NameLexicon) -> None:
    """The mentions table: candidates exploded to one row per mention; the corpus's lower-case
    words (a distinct union) and capitalised words (a group-by on the word) decide one-word
    names; a group-by on the mention's key counts each spelling (by files too) and picks the
    corpus's spelling; a join back gives each mention its ``variant_of``; near variants: a
    group-by on each name's one-letter deletions (a self-join of keys), then rapidfuzz's
    distance on the pairs.

    Files with the same content (copies: a crawl holds many) have the same candidates and
    the same mentions, so the table is built over one copy of each content, each row counted
    as many times as it has copies, and then repeated for every copy at its own rows: the
    work grows with the distinct text of the corpus, not with its copies.
    """
    # Keyed by the digest of the bytes, which every engine works out (a pre-commit run reads few
    # of the corpus's files: ``file_index``; the spark engine's executors, for its driver), else
    # (documents made another way) by the decoded text, from which every row is made.
    copies: dict[tuple, list[int]] = {}  # content -> its files, in corpus order
    for n, doc in enumerate(corpus.documents):
        copies.setdefault((doc.text if doc.content is None else doc.content, doc.problem), []).append(n)
    first_row = [0]
    for rows in corpus.rows_per_file:
        first_row.append(first_row[-1] + rows)
    kept = [files[0] for files in copies.values()]  # the first copy of each content, in corpus order
    frame, report_paths = corpus.table, corpus.context.report_paths
    weights = None
    if len(kept) < len(corpus.documents):
        files_of = {files[0]: files for files in copies.values()}
        frame = Table.adopting({c: rows_of_files(frame[c], kept, first_row) for c in MENTION_SOURCES})
        weights = [len(files_of[f]) for f in kept for _ in range(first_row[f], first_row[f + 1])]
        if report_paths is not None:  # a kept copy is placed where any copy of it is reported
            paths = [d.path for d in corpus.documents]
            report_paths = {paths[f] for f in kept if any(paths[c] in report_paths for c in files_of[f])}
    per_file = corpus.per_file
    candidates = Joined([per_file["name_candidates"][f] for f in kept])  # read where asked
    words = [per_file["lowercase_words"][f] for f in kept]
    contents = [corpus.documents[f].content for f in kept]
    if corpus.sums is not None and None not in contents:  # kept between runs, updated by what changed
        vocabulary = corpus.sums.words(CANDIDATES.name, "lowercase_words", contents, words)
    else:
        vocabulary = corpus_vocabulary(words)
    corpus_sets = None
    if report_paths is not None:  # a run reporting a few files decides only what bears on them
        parts, offsets, offset = [], [], 0
        for f in kept:
            part = per_file["name_keys"][f]
            if len(part):
                parts.append(part)
                offsets.append(offset)
            offset += first_row[f + 1] - first_row[f]
        keys = np.concatenate(parts) if parts else np.zeros((0, 4), dtype=np.uint32)
        if parts:  # each file's rows moved to the table's, in the one copy
            keys[:, 1] += np.repeat(np.array(offsets, dtype=np.uint32), [len(part) for part in parts])
        reported = rows_in(frame["path"], report_paths)
        narrowed = bearing_rows(candidates, frame["raw"], keys, reported, lexicon, vocabulary)
        if narrowed is not None:
            candidates, corpus_sets = narrowed, corpus_name_sets(per_file["name_sets"][f] for f in kept)
    if not isinstance(candidates, dict):
        candidates = list(candidates)  # every row decided: each file's read in one pass
    from .mentions import build_mentions  # which reads this module's

    mentions = build_mentions(frame, lexicon, candidates, vocabulary, report_paths, weights, corpus_sets)
    if weights is not None:
        mentions = _repeated_for_copies(mentions, corpus, kept, files_of, first_row)
    corpus.tables["mentions"] = mentions


def _repeated_for_copies(mentions: Table, corpus, kept: list[int], files_of: dict, first_row: list[int]) -> Table:
    """The mentions of the kept copy of each content (``mentions``, over their rows only),
    repeated for each file in corpus order at that file's rows, path and document; line and
    column where the file is reported (all: no ``report_paths``), else 0, as ``build_mentions`` does."""
    report_paths = corpus.context.report_paths
    documents = corpus.documents
    kept_rows = mentions["row"]
    # Where each kept file's rows start in the kept rows, and its mentions in ``mentions``.
    kept_first, at = {}, 0
    for f in kept:
        kept_first[f] = at
        at += first_row[f + 1] - first_row[f]
    source_of = {c: f for f in kept for c in files_of[f]}
    columns = {name: [] for name in mentions.names}
    shared = [c for c in mentions.names if c not in ("mention_id", "row", "path", "doc_id", "line", "column")]
    for n, doc in enumerate(documents):
        f = source_of[n]
        lo = bisect.bisect_left(kept_rows, kept_first[f])
        hi = bisect.bisect_left(kept_rows, kept_first[f] + first_row[f + 1] - first_row[f])
        count = hi - lo
        if not count:
            continue
        for name in shared:
            columns[name] += mentions[name][lo:hi]
        shift = first_row[n] - kept_first[f]
        columns["row"] += [r + shift for r in kept_rows[lo:hi]]
        columns["path"] += [doc.path] * count
        columns["doc_id"] += [doc.doc_id] * count
        placed = report_paths is None or doc.path in report_paths
        for name in ("line", "column"):
            columns[name] += mentions[name][lo:hi] if placed else [0] * count
    columns["mention_id"] = list(range(len(columns["row"])))
    return Table(columns)


MENTIONS = register(
    CorpusStep(
        "mentions",
        family="name",
        version="1",
        run=_mentions,
        needs=("name_candidates", "lowercase_words", "name_keys", "name_sets", "raw", "path", "doc_id", "para", "line_start"),
        tables=("mentions",),
        shaping=("names.toml",),
        libraries=("anyascii", "rapidfuzz"),
        prepare=lambda context: context.resource(load_lexicon),
    )
)
