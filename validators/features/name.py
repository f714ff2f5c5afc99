"""Name features: every name-like span, and which ones spell a name differently.

Produces the *mentions* frame, one row per mention:

- ``mention_id, row, path, doc_id, para``: where (``row`` is the paragraph's frame label)
- ``start, end``: offsets in the paragraph's raw text; ``line, column``: 1-based, in the file
- ``surface``: the mention as written
- ``key``: case, hyphens, spaces, dots and diacritics folded ("Kim Jong-un" and "Kim Jong Un"
  share ``kimjongun``); None for names the registry governs, which the registry rule checks
- ``canonical``: the spelling to use: the registry's, else the corpus's most common (first seen on a tie)
- ``variant_of``: ``canonical`` where the mention spells the same key otherwise (NM001)
- ``near_variant_of``: a much more frequent name one letter away (NM002, a likely slip)
- ``registry_variant_of``: the registry's spelling where this mention uses another (NM003)

The registry and the word lists come from ``expectations/names.toml``.
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from dataclasses import dataclass, field

from anyascii import anyascii

from ..errors import ConfigError
from ..frame import Table
from ..segment import position
from . import parse_toml

MENTION_COLUMNS = [
    "mention_id", "row", "path", "doc_id", "para", "start", "end", "line", "column",
    "surface", "key", "canonical", "variant_of", "near_variant_of", "registry_variant_of",
]  # fmt: skip

# A token is a dotted abbreviation ("U.S.") or a word, hyphenated parts included ("Jong-un").
_TOKEN = re.compile(r"(?:[^\W\d_]\.){2,}|[^\W\d_]+(?:[-\u2010][^\W\d_]+)*")
_NOT_ALNUM = re.compile(r"[^0-9a-z]+")
_SENTENCE_END = re.compile(r"[.!?:;][\"'”’)\]]*\s+$")

#: Near-variant guards: a slip is one edit inside one word of a name that the corpus
#: writes at least this many times more often the other way, in a name this long.
NEAR_MIN_KEY_CHARS = 8
NEAR_MIN_RATIO = 2


@dataclass(frozen=True)
class NameLexicon:
    """``expectations/names.toml``: how mentions are cut, and the corpus's house style."""

    particles: frozenset[str] = frozenset()  # lower-case words inside names: "van", "bin"
    leading_words: frozenset[str] = frozenset()  # capitalised at a sentence start, not names: "In"
    registry: dict[str, str] = field(default_factory=dict)  # variant spelling or key -> house spelling
    distinct: frozenset[frozenset[str]] = frozenset()  # pairs of keys never to be merged

    @classmethod
    def parse(cls, source: str, text: str) -> NameLexicon:
        data = parse_toml(source, text, {"particles", "leading_words", "canonical", "distinct"})
        registry: dict[str, str] = {}
        for n, entry in enumerate(data.get("canonical", [])):
            name, variants = entry.get("name"), entry.get("variants", [])
            if not isinstance(name, str) or not all(isinstance(v, str) for v in variants):
                raise ConfigError(f"{source}: [[canonical]] entry {n} needs a name and a list of variants")
            registry[variant_key(name)] = name
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
        )


_ASCII_NOT_ALNUM = {c: None for c in range(128) if not chr(c).isalnum()}


@functools.lru_cache(maxsize=1 << 16)
def variant_key(surface: str) -> str:
    """Fold everything a spelling variant may change: case, hyphens, spaces, dots, diacritics."""
    if surface.isascii():  # the common case, without transliteration
        return surface.lower().translate(_ASCII_NOT_ALNUM)
    return _NOT_ALNUM.sub("", anyascii(surface).casefold())


@functools.lru_cache(maxsize=1 << 16)
def spaced_form(surface: str) -> str:
    """Like ``variant_key`` but keeping word boundaries, for edit distances inside words."""
    return " ".join(_NOT_ALNUM.sub(" ", anyascii(surface).casefold()).split())


def _is_acronym(token: str) -> bool:
    letters = token.replace(".", "")
    return len(letters) >= 2 and letters.isupper() and (token.endswith(".") or len(letters) <= 6)


_LOWER_WORD = re.compile(r"\b[a-z][a-z]+\b")


def lowercase_words(text: str) -> set[str]:
    """Words a text writes in lower case: capitalised at a sentence start, they are not names."""
    return set(_LOWER_WORD.findall(text))


def _starts_sentence(raw: str, offset: int, text_start: int) -> bool:
    return offset <= text_start or bool(_SENTENCE_END.search(raw[max(0, offset - 8) : offset]))


def mention_candidates(raw: str, lexicon: NameLexicon) -> list[tuple[tuple[int, ...], int, bool]]:
    """Name-like spans of ``raw``: (start of each word, end, whether it opens a sentence).

    A candidate is a run of capitalised words joined by single spaces (name particles
    allowed inside) or an acronym on its own ("U.S.", "KCNA"). All-capitals paragraphs
    (headings) have none: their case says nothing about spelling. Which leading words
    belong to the name is decided by ``build_mentions``, with the whole corpus in view.
    """
    if not any(ch.islower() for ch in raw):
        return []
    text_start = len(raw) - len(raw.lstrip())
    spans: list[tuple[tuple[int, ...], int, bool]] = []
    run: list[re.Match] = []

    def close() -> None:
        while run and run[-1].group().lower() in lexicon.particles:
            run.pop()
        while run and run[0].group() in lexicon.leading_words:
            run.pop(0)
        if len(run) >= 2:
            starts = tuple(m.start() for m in run)
            spans.append((starts, run[-1].end(), _starts_sentence(raw, starts[0], text_start)))
        run.clear()

    for match in _TOKEN.finditer(raw):
        token = match.group()
        capitalised = token[0].isupper()
        if capitalised and _is_acronym(token):
            if run:
                close()
            spans.append(((match.start(),), match.end(), False))
            continue
        if run and raw[run[-1].end() : match.start()] == " " and (capitalised or token in lexicon.particles):
            run.append(match)
            continue
        if run:
            close()
        if capitalised:
            run.append(match)
    if run:
        close()
    return spans


def resolve_mention(
    raw: str, starts: tuple[int, ...], end: int, opens_sentence: bool, vocabulary: set[str], whole: Counter | None
) -> int | None:
    """Where the mention starts once words that are not part of the name are dropped; None if none is left.

    A sentence's first word goes when the corpus writes it in lower case elsewhere
    ("Leader Kim Jong Un said"); leading words such as titles go when the corpus names
    the person without them at least as often ("Foreign Minister Ri Yong Ho").
    """
    if opens_sentence and len(starts) > 1:
        first_word = raw[starts[0] : starts[1]].strip().lower()
        if first_word in vocabulary:
            starts = starts[1:]
    if len(starts) == 1 and not _is_acronym(raw[starts[0] : end]):
        return None
    if whole is not None:
        for tail in starts[1:-1]:  # longest remainder first, always two words or more
            if whole[variant_key(raw[tail:end])] >= whole[variant_key(raw[starts[0] : end])]:
                return tail
    return starts[0]


def _one_slip_apart(minor: str, major: str) -> bool:
    """Spaced forms of equal word count differing by one edit inside one word that is
    neither a prefix of the other ("Korea" / "Korean" is a demonym, not a slip)."""
    from rapidfuzz.distance import Levenshtein

    minor_words, major_words = minor.split(), major.split()
    if len(minor_words) != len(major_words) or Levenshtein.distance(minor, major, score_cutoff=1) != 1:
        return False
    differ = [(a, b) for a, b in zip(minor_words, major_words, strict=True) if a != b]
    if len(differ) != 1:
        return False
    a, b = differ[0]
    return min(len(a), len(b)) >= 3 and not (a.startswith(b) or b.startswith(a))


def _deletions(form: str) -> set[str]:
    return {form} | {form[:i] + form[i + 1 :] for i in range(len(form))}


def near_variants(counts: Counter, spaced: dict[str, str], distinct: frozenset, minors=None) -> dict[str, str]:
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
                and counts[major] >= NEAR_MIN_RATIO * counts[minor]
                and frozenset((minor, major)) not in distinct
                and _one_slip_apart(spaced[minor], spaced[major])
                and (best is None or (counts[major], major) > (counts[best], best))
            ):
                best = major
        if best is not None:
            found[minor] = best
    return found


def build_mentions(
    frame: Table,
    lexicon: NameLexicon,
    candidates: list | None = None,
    vocabulary: set[str] | None = None,
    report_paths: set[str] | None = None,
) -> Table:
    """The mentions table of the paragraph table.

    ``candidates`` (per row, from ``mention_candidates``) and ``vocabulary`` (from
    ``lowercase_words``) may come from the feature cache; they are computed when not
    given. With ``report_paths``, ``near_variant_of``, ``line`` and ``column`` are computed
    for those files only (0 and None elsewhere).
    """
    raws = frame["raw"]
    if candidates is None:
        candidates = [mention_candidates(raw, lexicon) for raw in raws]
    if vocabulary is None:
        vocabulary = set().union(*(lowercase_words(raw) for raw in raws)) if raws else set()
    first_pass = []
    for index, spans in enumerate(candidates):
        raw = raws[index]
        for starts, end, opens in spans:
            if opens or len(starts) < 2:  # else nothing to resolve: two words or more, not at a sentence start
                start = resolve_mention(raw, starts, end, opens, vocabulary, None)
                if start is None:
                    continue
                starts = starts[starts.index(start) :]
            first_pass.append((index, starts, end))
    whole = Counter(variant_key(raws[i][starts[0] : end]) for i, starts, end in first_pass)
    paths, doc_ids, paras, line_starts = (frame[c] for c in ("path", "doc_id", "para", "line_start"))
    rows = []
    for i, starts, end in first_pass:
        raw = raws[i]
        # Only a name of three words or more can lose leading words to a shorter one.
        start = resolve_mention(raw, starts, end, False, vocabulary, whole) if len(starts) > 2 else starts[0]
        if report_paths is None or paths[i] in report_paths:
            line, column = position(raw, start, line_starts[i])
        else:  # context only: no finding will stand here, so its place is not worked out
            line = column = 0
        rows.append((len(rows), i, paths[i], doc_ids[i], paras[i], start, end, line, column, raw[start:end]))
    mentions = Table(dict(zip(MENTION_COLUMNS[:10], map(list, zip(*rows)) if rows else [[] for _ in range(10)], strict=True)))
    surfaces = mentions["surface"]
    keys = [variant_key(s) for s in surfaces]

    # The registry governs a mention named as a variant, or sharing a key with one.
    house = [lexicon.registry.get(s) or lexicon.registry.get(k) for s, k in zip(surfaces, keys, strict=True)]
    mentions["registry_variant_of"] = [h if h is not None and h != s else None for h, s in zip(house, surfaces, strict=True)]

    free_keys = [k if h is None else None for k, h in zip(keys, house, strict=True)]
    counts = Counter(k for k in free_keys if k is not None)
    majority = most_common_spelling(free_keys, surfaces)
    canonical = [majority[k] if h is None else h for k, h in zip(free_keys, house, strict=True)]
    mentions["key"] = free_keys
    mentions["canonical"] = canonical
    mentions["variant_of"] = [c if h is None and c != s else None for c, h, s in zip(canonical, house, surfaces, strict=True)]

    spaced = {key: spaced_form(majority[key]) for key in counts}
    minors = None
    if report_paths is not None:
        minors = {k for k, path in zip(free_keys, mentions["path"], strict=True) if k is not None and path in report_paths}
    slips = near_variants(counts, spaced, lexicon.distinct, minors)
    mentions["near_variant_of"] = [majority[slips[k]] if k in slips else None for k in free_keys]
    return mentions


def most_common_spelling(keys, surfaces) -> dict:
    """key -> its most common spelling, the first seen on a tie (missing keys skipped)."""
    counts = Counter((k, s) for k, s in zip(keys, surfaces, strict=True) if isinstance(k, str))
    best: dict = {}
    for (key, surface), n in counts.items():  # insertion order: first seen first
        if key not in best or n > counts[(key, best[key])]:
            best[key] = surface
    return best


def preferred_spelling(keys: list, surfaces: list) -> list:
    """Per row, the most common spelling of the row's key (first seen on a tie).

    The condition of the GX expectation ``expect_column_pair_values_to_have_one_spelling_per_key``.
    """
    best = most_common_spelling(keys, surfaces)
    return [best.get(k) for k in keys]
