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

import re
import tomllib
from collections import Counter
from dataclasses import dataclass, field

import pandas as pd
from anyascii import anyascii

from ..errors import ConfigError
from ..segment import position

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
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{source}: not valid TOML: {exc}") from None
        known = {"particles", "leading_words", "canonical", "distinct"}
        if set(data) - known:
            raise ConfigError(f"{source}: unknown key(s) {', '.join(sorted(set(data) - known))}")
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


def variant_key(surface: str) -> str:
    """Fold everything a spelling variant may change: case, hyphens, spaces, dots, diacritics."""
    return _NOT_ALNUM.sub("", anyascii(surface).casefold())


def spaced_form(surface: str) -> str:
    """Like ``variant_key`` but keeping word boundaries, for edit distances inside words."""
    return " ".join(_NOT_ALNUM.sub(" ", anyascii(surface).casefold()).split())


def _is_acronym(token: str) -> bool:
    letters = token.replace(".", "")
    return len(letters) >= 2 and letters.isupper() and (token.endswith(".") or len(letters) <= 6)


def _starts_sentence(raw: str, offset: int) -> bool:
    before = raw[:offset]
    return not before.strip() or bool(_SENTENCE_END.search(before[-8:]))


def lowercase_vocabulary(texts) -> frozenset[str]:
    """Words the corpus writes in lower case: capitalised at a sentence start, they are not names."""
    return frozenset(m.group() for t in texts for m in _TOKEN.finditer(t) if m.group()[0].islower())


def extract_mentions(
    raw: str, lexicon: NameLexicon, vocabulary: frozenset[str] = frozenset()
) -> list[tuple[int, int, tuple[int, ...]]]:
    """(start, end, tails) of each name-like span of ``raw``.

    A mention is a run of capitalised words joined by single spaces (name particles
    allowed inside), or an acronym on its own ("U.S.", "KCNA"). Single ordinary
    words are not mentions, and all-capitals paragraphs (headings) are skipped,
    since their case says nothing about spelling. A sentence's first word is left
    out of a mention when the corpus writes it in lower case elsewhere
    ("Leader Kim Jong Un said" is a mention of "Kim Jong Un").

    ``tails`` are where the mention would start without its first words (titles such as
    "Foreign Minister", or a sentence's opening word), leaving two or more words:
    ``build_mentions`` decides with the whole corpus in view.
    """
    if not any(ch.islower() for ch in raw):
        return []
    spans: list[tuple[int, int, tuple[int, ...]]] = []
    run: list[re.Match] = []

    def close() -> None:
        while run and run[-1].group().lower() in lexicon.particles:
            run.pop()
        if run and run[0].group().lower() in vocabulary and _starts_sentence(raw, run[0].start()):
            run.pop(0)
        while run and run[0].group() in lexicon.leading_words:
            run.pop(0)
        if len(run) >= 2:
            spans.append((run[0].start(), run[-1].end(), tuple(m.start() for m in run[1:-1])))
        run.clear()

    for match in _TOKEN.finditer(raw):
        token = match.group()
        if _is_acronym(token):
            close()
            spans.append((match.start(), match.end(), ()))
            continue
        joined = bool(run) and raw[run[-1].end() : match.start()] == " "
        capitalised = token[0].isupper()
        particle = bool(run) and token in lexicon.particles
        if joined and (capitalised or particle):
            run.append(match)
        else:
            close()
            if capitalised:
                run.append(match)
    close()
    return spans


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


def near_variants(counts: Counter, spaced: dict[str, str], distinct: frozenset) -> dict[str, str]:
    """key -> key of the far more frequent name it is one slip away from.

    Keys are compared only within blocks of equal word count and length (±1), so the
    work grows with the block sizes, not with the square of the corpus's names.
    """
    blocks: dict[tuple[int, int], list[str]] = {}
    for key in counts:
        if len(key) >= NEAR_MIN_KEY_CHARS:
            blocks.setdefault((spaced[key].count(" "), len(key)), []).append(key)
    found: dict[str, str] = {}
    for (words, length), keys in blocks.items():
        for minor in keys:
            candidates = [k for d in (-1, 0, 1) for k in blocks.get((words, length + d), ())]
            best = None
            for major in candidates:
                if (
                    major != minor
                    and counts[major] >= NEAR_MIN_RATIO * counts[minor]
                    and frozenset((minor, major)) not in distinct
                    and _one_slip_apart(spaced[minor], spaced[major])
                    and (best is None or counts[major] > counts[best])
                ):
                    best = major
            if best is not None:
                found[minor] = best
    return found


def build_mentions(frame: pd.DataFrame, lexicon: NameLexicon) -> pd.DataFrame:
    vocabulary = lowercase_vocabulary(frame["raw"])
    found = []
    for row, path, doc_id, para, raw in frame[["path", "doc_id", "para", "raw"]].itertuples():
        found += [(row, path, doc_id, para, raw, span) for span in extract_mentions(raw, lexicon, vocabulary)]
    # Leading words belong to the name only if the corpus never names it without them:
    # "Foreign Minister Ri Yong Ho" and "Later Kim Jong Un" mention "Ri Yong Ho" and
    # "Kim Jong Un" when those stand alone elsewhere, and more often than the longer form.
    whole = Counter(variant_key(raw[s:e]) for *_, raw, (s, e, _tails) in found)
    rows = []
    line_starts = frame["line_start"]
    for row, path, doc_id, para, raw, (start, end, tails) in found:
        for tail in tails:  # longest first
            if whole[variant_key(raw[tail:end])] >= whole[variant_key(raw[start:end])]:
                start = tail
                break
        surface = raw[start:end]
        line, column = position(raw, start, int(line_starts.at[row]))
        rows.append((row, path, doc_id, para, start, end, line, column, surface))
    mentions = pd.DataFrame(rows, columns=MENTION_COLUMNS[1:10])
    mentions.insert(0, "mention_id", range(len(mentions)))
    keys = mentions["surface"].map(variant_key)

    # The registry governs a mention named as a variant, or sharing a key with one.
    house = [lexicon.registry.get(s) or lexicon.registry.get(k) for s, k in zip(mentions["surface"], keys, strict=True)]
    house = pd.Series(house, index=mentions.index, dtype=object)
    governed = house.notna()
    mentions["registry_variant_of"] = house.where(governed & (house != mentions["surface"]), None)

    free_keys = keys.where(~governed, None)
    counts = Counter(free_keys.dropna())
    majority: dict[str, str] = {}
    for key, group in mentions["surface"].groupby(free_keys, sort=False):
        # most_common keeps first-seen order among equals: ties go to the first spelling.
        majority[key] = Counter(group).most_common(1)[0][0]
    mentions["key"] = free_keys.astype(object)
    mentions["canonical"] = house.where(governed, free_keys.map(majority)).astype(object)
    mentions["variant_of"] = mentions["canonical"].where(~governed & (mentions["canonical"] != mentions["surface"]), None)

    spaced = {key: spaced_form(majority[key]) for key in counts}
    slips = near_variants(counts, spaced, lexicon.distinct)
    mentions["near_variant_of"] = free_keys.map(lambda k: majority[slips[k]] if k in slips else None).astype(object)
    return mentions[MENTION_COLUMNS]


def preferred_spelling(keys: pd.Series, surfaces: pd.Series) -> pd.Series:
    """Per row, the most common spelling of the row's key (first seen on a tie).

    The condition of the GX expectation ``expect_column_pair_values_to_have_one_spelling_per_key``.
    """
    preferred = {
        key: Counter(group).most_common(1)[0][0] for key, group in surfaces.groupby(keys, sort=False)
    }
    return keys.map(preferred)
