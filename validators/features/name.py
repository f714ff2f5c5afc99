"""Name features: every name-like span, and which ones spell a name differently.

Produces the *mentions* frame, one row per mention:
``mention_id, row, path, doc_id, para, start, end, surface, key, canonical, variant_of``.
``start``/``end`` are offsets in the paragraph's raw text; ``key`` folds case,
hyphens, spaces, dots and diacritics ("Kim Jong-un" and "Kim Jong Un" share
``kimjongun``); ``canonical`` is the form most of the corpus uses (first seen on a
tie); ``variant_of`` is that canonical form where this mention spells it otherwise.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

import pandas as pd
from anyascii import anyascii

MENTION_COLUMNS = [
    "mention_id", "row", "path", "doc_id", "para", "start", "end",
    "surface", "key", "canonical", "variant_of",
]  # fmt: skip

# A token is a dotted abbreviation ("U.S.") or a word, hyphenated parts included ("Jong-un").
_TOKEN = re.compile(r"(?:[^\W\d_]\.){2,}|[^\W\d_]+(?:[-\u2010][^\W\d_]+)*")
_NOT_ALNUM = re.compile(r"[^0-9a-z]+")


@dataclass(frozen=True)
class NameLexicon:
    """Words that shape a mention; loaded from ``expectations/names.toml``."""

    particles: frozenset[str]  # lower-case words inside names: "van", "bin"
    leading_words: frozenset[str]  # capitalised at a sentence start, not part of a name: "In", "For"


def variant_key(surface: str) -> str:
    """Fold everything a spelling variant may change: case, hyphens, spaces, dots, diacritics."""
    return _NOT_ALNUM.sub("", anyascii(surface).casefold())


def _is_acronym(token: str) -> bool:
    letters = token.replace(".", "")
    return len(letters) >= 2 and letters.isupper() and (token.endswith(".") or len(letters) <= 6)


_SENTENCE_END = re.compile(r"[.!?:;][\"'”’)\]]*\s+$")


def _starts_sentence(raw: str, offset: int) -> bool:
    before = raw[:offset]
    return not before.strip() or bool(_SENTENCE_END.search(before[-8:]))


def lowercase_vocabulary(texts) -> frozenset[str]:
    """Words the corpus writes in lower case: capitalised at a sentence start, they are not names."""
    return frozenset(m.group() for t in texts for m in _TOKEN.finditer(t) if m.group()[0].islower())


def extract_mentions(
    raw: str, lexicon: NameLexicon, vocabulary: frozenset[str] = frozenset()
) -> list[tuple[int, int, int | None]]:
    """(start, end) of each name-like span of ``raw``.

    A mention is a run of capitalised words joined by single spaces (name particles
    allowed inside), or an acronym on its own ("U.S.", "KCNA"). Single ordinary
    words are not mentions, and all-capitals paragraphs (headings) are skipped,
    since their case says nothing about spelling. A sentence's first word is left
    out of a mention when the corpus writes it in lower case elsewhere
    ("Leader Kim Jong Un said" is a mention of "Kim Jong Un").

    Returns (start, end, tail) per mention; ``tail`` is where the mention would start
    without its first word, when that word opens a sentence and two or more words
    follow (``build_mentions`` decides with the whole corpus in view), else None.
    """
    if not any(ch.islower() for ch in raw):
        return []
    spans: list[tuple[int, int, int | None]] = []
    run: list[re.Match] = []

    def close() -> None:
        while run and run[-1].group().lower() in lexicon.particles:
            run.pop()
        if run and run[0].group().lower() in vocabulary and _starts_sentence(raw, run[0].start()):
            run.pop(0)
        while run and run[0].group() in lexicon.leading_words:
            run.pop(0)
        if len(run) >= 2:
            tail = run[1].start() if len(run) >= 3 and _starts_sentence(raw, run[0].start()) else None
            spans.append((run[0].start(), run[-1].end(), tail))
        run.clear()

    for match in _TOKEN.finditer(raw):
        token = match.group()
        if _is_acronym(token):
            close()
            spans.append((match.start(), match.end(), None))
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


def build_mentions(frame: pd.DataFrame, lexicon: NameLexicon) -> pd.DataFrame:
    vocabulary = lowercase_vocabulary(frame["raw"])
    found = []
    for row, path, doc_id, para, raw in frame[["path", "doc_id", "para", "raw"]].itertuples():
        found += [(row, path, doc_id, para, raw, span) for span in extract_mentions(raw, lexicon, vocabulary)]
    # A sentence's first word belongs to the name only if the corpus never names it without:
    # "Later Kim Jong Un left" mentions "Kim Jong Un" when that name stands elsewhere.
    settled_keys = {variant_key(raw[s:e]) for *_, raw, (s, e, tail) in found if tail is None}
    rows = []
    for row, path, doc_id, para, raw, (start, end, tail) in found:
        if tail is not None and variant_key(raw[start:end]) not in settled_keys:
            if variant_key(raw[tail:end]) in settled_keys:
                start = tail
        surface = raw[start:end]
        rows.append((row, path, doc_id, para, start, end, surface, variant_key(surface)))
    mentions = pd.DataFrame(rows, columns=MENTION_COLUMNS[1:9])
    mentions.insert(0, "mention_id", range(len(mentions)))

    canonical: dict[str, str] = {}
    for key, group in mentions.groupby("key", sort=False)["surface"]:
        # most_common keeps first-seen order among equals: ties go to the first spelling.
        canonical[key] = Counter(group).most_common(1)[0][0]
    mentions["canonical"] = mentions["key"].map(canonical).astype(object)
    differs = mentions["canonical"] != mentions["surface"]
    mentions["variant_of"] = mentions["canonical"].where(differs, None)
    return mentions
