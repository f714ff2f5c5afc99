"""The mentions table (``name.py`` says what each column means), decided in rounds.

Whether a capitalised word is a name, where a run of them starts, which one-word names a rule
may report, which spelling a mention stands for and which the corpus writes: each depends
on sums over the whole corpus. So the table is decided in rounds, each a pass over the rows
(``MentionRows``, any part of the corpus's files) that gives, besides its rows' results, its
share of a corpus-wide sum that the next round reads:

1. ``words_and_runs``, with the corpus's word sets (``NameSets``): the one-word candidates
   and the runs of words; the sum: how often the corpus writes each run (``whole``).
2. ``starts_of_runs``: where each run starts; the sums: the one-word surfaces, the surfaces
   of the runs (``kept_words`` decides from them).
3. ``placed_mentions``: every mention, in row order; the sum: the surfaces that open with a
   lower-case letter (a sentence's capital folds onto them).
4. ``spellings_and_keys``: each mention's spelling, key and registry name; the sums: mentions
   and documents per (key, spelling) (``Spellings`` decides from them), and the keys of the
   rows reported on.
5. ``mention_columns``: the table's columns.

In one process the corpus is one part (``build_mentions``). The spark engine runs each
round on every partition of the files and adds the partitions' sums with Spark: sums of
parts are the sum of the whole, so the table is the same.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from ..frame import Table, picked, rows_in
from ..segment import position
from .name import (
    _TOKEN,
    ACRONYM_MIN_MENTIONS,
    MENTION_SOURCES,
    NameLexicon,
    _camel_joined,
    _initials_after_surname,
    _initials_apart,
    _is_acronym,
    _kept_words,
    _one_word_name,
    _SpacedForms,
    _starts_sentence,
    _styled,
    _words,
    lowercase_words,
    mention_candidates,
    mention_key,
    name_sets,
    near_variants,
    resolve_mention,
    variant_key,
)


@dataclass
class MentionRows:
    """Rows whose mentions a round decides: ``candidates``, (table row, its candidates from
    ``mention_candidates``) in row order; ``raws`` and ``columns`` (the table's ``path``,
    ``doc_id``, ``para``, ``line_start``), each read by table row; ``weights``, by table row,
    how many files' copies a row stands for (None: one each); ``reported``, the rows of the
    files a run reports on (None: every file's)."""

    candidates: list[tuple[int, tuple]]
    raws: Sequence[str] | Mapping[int, str]
    columns: Mapping[str, Sequence]
    weights: Sequence[int] | None = None
    reported: set[int] | None = None

    def weight(self, row: int) -> int:
        return 1 if self.weights is None else self.weights[row]


@dataclass
class NameSets:
    """What the corpus writes, as sets of words: the ``vocabulary`` (its lower-case words) and
    ``name_sets``' three (dotted initials standing alone, capitalised one-word candidates,
    the openings of runs in mid-sentence); ``named``: the one-word names they make."""

    vocabulary: set[str]
    alone: set[str]
    capitalised: set[str]
    openings: set[str]
    lexicon: NameLexicon
    mid_sentence: set[str] = field(init=False)
    named: set[str] = field(init=False)
    _decided: dict = field(init=False, repr=False)

    def __post_init__(self):
        self.mid_sentence = {word for word in self.capitalised if word[0] != "^"}
        self._decided = {}
        # A word written in lower case somewhere (its file's own were never stored) is no name.
        plain = {word for word in self.mid_sentence if word.lower() not in self.vocabulary}
        self.named = {word for word in plain if self.one_word_name(word, False)}

    def one_word_name(self, word: str, opens: bool) -> bool:
        name = self._decided.get((word, opens))
        if name is None:
            name = self._decided[word, opens] = _one_word_name(word, opens, self.vocabulary, self.mid_sentence, self.lexicon)
        return name


def words_and_runs(rows: MentionRows, sets: NameSets) -> tuple[list, list, Counter]:
    """Round 1: (the one-word mentions so far, the runs of two words or more, how often these
    rows write each run: ``variant_key`` -> mentions) as (row, start, end, surface) and (row,
    word starts, end)."""
    raws, lexicon, vocabulary = rows.raws, sets.lexicon, sets.vocabulary
    # Acronyms and words with a capital inside: every one is a mention.
    words = [
        (i, starts[0], end, raws[i][starts[0] : end])
        for i, (spans, _, _) in rows.candidates for starts, end, _ in spans if len(starts) == 1
    ]  # fmt: skip
    runs = [(i, starts, end, opens) for i, (spans, _, _) in rows.candidates for starts, end, opens in spans if len(starts) > 1]
    first_pass = []
    for index, starts, end, opens in runs:
        raw = raws[index]
        if raw[starts[1] - 2] == "." and _initials_apart(raw, starts, sets.alone, vocabulary):
            initials = _TOKEN.match(raw, starts[0])
            if initials.group() not in lexicon.not_names and not _initials_after_surname(raw, initials, lexicon):
                words.append((index, starts[0], initials.end(), initials.group()))  # "U.S." of "U.S. Senate"
            starts, opens = starts[1:], False
        if opens and len(starts) > 1 and raw[starts[0] : starts[2] - 1 if len(starts) > 2 else end] not in sets.openings:
            starts = starts[starts.index(resolve_mention(raw, starts, end, opens, vocabulary, None)) :]
        if len(starts) == 1:
            word = raw[starts[0] : end]
            if sets.one_word_name(word, opens):
                words.append((index, starts[0], end, word))
            continue
        first_pass.append((index, starts, end))
    whole: Counter = Counter()
    for i, starts, end in first_pass:
        whole[variant_key(raws[i][starts[0] : end])] += rows.weight(i)
    return words, first_pass, whole


def starts_of_runs(rows: MentionRows, runs: list, vocabulary: set[str], whole: Counter) -> tuple[list, set[str]]:
    """Round 2: each run as a mention, (row, start, end, surface), its leading words gone where
    the corpus writes the rest as a name of its own, two words or more (``whole``: round 1's
    sum); and the surfaces of those mentions."""
    raws = rows.raws
    placed = []
    for i, starts, end in runs:
        # Only a name of three words or more can lose leading words to a shorter one.
        start = resolve_mention(raws[i], starts, end, False, vocabulary, whole) if len(starts) > 2 else starts[0]
        placed.append((i, start, end, raws[i][start:end]))
    return placed, {surface for _, _, _, surface in placed}


def one_word_surfaces(words: list) -> set[str]:
    """Round 2's other sum: the one-word mentions' surfaces that are not acronyms."""
    return {word for _, _, _, word in words if not _is_acronym(word)}


def kept_words(sets: NameSets, one_words: set[str], run_surfaces: Iterable[str]) -> set[str]:
    """The one-word names a rule may report (``name._kept_words``), from round 2's sums."""
    return _kept_words(sets.named | one_words, run_surfaces, sets.lexicon)


def placed_mentions(rows: MentionRows, words: list, placed: list, kept: set[str]) -> tuple[list, set[str]]:
    """Round 3: every mention, (row, start, end, surface) in row order, and the surfaces that
    open with a lower-case letter."""
    # Acronyms stay, as every longer name does; of the other one-word names, those kept.
    words = [entry for entry in words if entry[3] in kept or _is_acronym(entry[3])]
    marked = kept | {"^" + word for word in kept}
    for i, (_, singles, offsets) in rows.candidates:  # the places of the one-word names kept
        if singles and not marked.isdisjoint(split := singles.split()):
            # Every place of a kept word is among its file's candidates: the file's lower-case
            # words, which alone may drop one, are in the vocabulary that a kept word is not in.
            for token, start in zip(split, offsets, strict=True):
                word = token[1:] if token[0] == "^" else token
                if word in kept:
                    words.append((i, start, start + len(word), word))
    placed = sorted(placed + words)
    return placed, {surface for _, _, _, surface in placed if surface[:1].islower()}


@dataclass
class Spelled:
    """Round 4's mentions: each one's spelling (``spellings``), key, registry spelling
    (``house``) and key when the registry does not govern it (``free_keys``)."""

    placed: list
    spellings: list[str]
    keys: list[str]
    house: list
    free_keys: list


def spellings_and_keys(rows: MentionRows, placed: list, lower: set[str], lexicon: NameLexicon) -> tuple[Spelled, Counter, Counter, set]:
    """Round 4: the mentions' spellings and keys (``Spelled``), and three sums: mentions per
    (key, spelling), documents per (key, spelling) (each counted as many times as it has
    copies), and (key, registry spelling, key counted under) of the mentions in rows reported on."""
    raws = rows.raws
    at_row = [i for i, _, _, _ in placed]
    surfaces = [surface for _, _, _, surface in placed]
    spellings = _sentence_case_folded(surfaces, at_row, [start for _, start, _, _ in placed], raws, lower)
    keys = [mention_key(s) for s in surfaces]
    # The registry governs a mention named as a variant, or sharing a key with one.
    registry = lexicon.registry
    house = [registry.get(s) or registry.get(variant_key(s)) for s in surfaces] if registry else [None] * len(surfaces)
    free_keys = [k if h is None else None for k, h in zip(keys, house, strict=True)] if registry else keys
    mentions: Counter = Counter()
    documents: dict[tuple, dict] = {}  # (key, spelling) -> {document: the files it stands for}
    doc_ids = rows.columns["doc_id"]
    for i, key, spelling in zip(at_row, free_keys, spellings, strict=True):
        if key is not None:
            n = rows.weight(i)
            mentions[key, spelling] += n
            documents.setdefault((key, spelling), {})[doc_ids[i]] = n
    in_documents = Counter({pair: sum(files.values()) for pair, files in documents.items()})
    reported = set()
    if rows.reported is not None:
        reported = {
            (keys[n], house[n], free_keys[n]) for n, i in enumerate(at_row) if i in rows.reported
        }  # fmt: skip
    return Spelled(placed, spellings, keys, house, free_keys), mentions, in_documents, reported


def _sentence_case_folded(surfaces: list[str], rows: list[int], starts: list[int], raws, lower: set[str]) -> list[str]:
    """The spelling each mention stands for: one that opens a sentence with a capital the
    corpus writes in lower case elsewhere (``lower``: the corpus's mentions that open with
    a lower-case letter; "Bin Laden said" beside "Osama bin Laden", "MacOS from 10.2" beside
    "macOS") is that spelling: the sentence gave it the capital."""
    capitalised = {s[:1].upper() + s[1:]: s for s in sorted(lower)}
    folded = list(surfaces)
    if capitalised:
        for n, surface in enumerate(surfaces):
            if surface in capitalised and _starts_sentence(raws[rows[n]], starts[n], 0):
                folded[n] = capitalised[surface]
    return folded


@dataclass
class Spellings:
    """The corpus's spelling of each name, from round 4's sums (``mentions`` and ``documents``
    per (key, spelling)): ``majority`` (key -> spelling), ``ties`` (key -> the spellings
    written as often, by as many documents), ``weak`` (keys with no spelling to suggest),
    ``slips`` (key -> the key of a far more frequent name one letter away).

    The corpus's spelling is the most common; between spellings written as often, the one
    more documents use. Spellings equal on both tie: the corpus has no spelling to suggest,
    and which file came first does not make one. An acronym is ambiguous ("UA": user agent,
    urban area): its dots are compared with another spelling only where the corpus
    establishes it, in ``ACRONYM_MIN_MENTIONS`` places; so a tie of acronyms too."""

    majority: dict
    ties: dict
    weak: set
    slips: dict

    @classmethod
    def decide(cls, mentions: Counter, documents: Counter, lexicon: NameLexicon, vocabulary: set[str], minors: set | None = None):
        """``minors``: the keys near variants are sought for (None: every key)."""
        ranked: dict = {}
        for (key, spelling), n in mentions.items():
            ranked.setdefault(key, []).append((n, spelling))
        majority, ties = {}, {}
        for key, options in ranked.items():
            if len(options) == 1:
                majority[key] = options[0][1]
                continue
            most = max(n for n, _ in options)
            top = [s for n, s in options if n == most]
            if len(top) > 1:  # as many mentions: the spelling more documents use
                most = max(documents[key, s] for s in top)
                top = sorted(s for s in top if documents[key, s] == most)
            if len(top) > 1:
                ties[key] = top
            else:
                majority[key] = top[0]
        weak = {k for k, tied in ties.items() if len({_words(t) for t in tied}) > 1}
        weak |= {
            k for k, best in majority.items()
            if len(ranked[k]) > 1 and k.isupper() and mentions[k, best] < ACRONYM_MIN_MENTIONS
        }  # fmt: skip
        weak |= {k for k, tied in ties.items() if k.isupper() and mentions[k, tied[0]] < ACRONYM_MIN_MENTIONS}
        for key in weak:
            majority.pop(key, None)
            ties.pop(key, None)
        # Slips are looked for among names in lower and mixed case: capitals say nothing of a slip.
        counts: Counter = Counter()
        for (key, _), n in mentions.items():
            if key not in ties and key not in weak and not key.isupper():
                counts[key] += n
        if minors is not None:
            minors = {k for k in minors if k is not None and k not in ties and k not in weak}
        slips = near_variants(counts, _SpacedForms(majority), lexicon.distinct, minors, vocabulary)
        return cls(majority, ties, weak, slips)

    def wanted(self, reported: Iterable[tuple]) -> set[str]:
        """The keys whose mentions a run reporting on some files needs, from round 4's (key,
        registry spelling, key counted under) of the mentions in their rows: theirs, and every
        mention of a spelling they are told to use (the places a finding lists, and the rows a
        key's spelling is counted over). The corpus's other names were counted to decide
        these; their mentions are not reported."""
        wanted = set()
        for key, house, free in reported:
            wanted.add(key)
            if free in self.ties or free in self.weak:
                free = None
            for target in (house, self.majority.get(free), self.majority[self.slips[free]] if free in self.slips else None):
                if target is not None:
                    wanted.add(mention_key(target))
        return wanted


def mention_columns(rows: MentionRows, spelled: Spelled, spellings: Spellings, wanted: set[str] | None = None) -> dict[str, list]:
    """Round 5: the mentions table's columns but ``mention_id``; with ``wanted`` (a run
    reporting some files: ``Spellings.wanted``), the mentions of those keys only, with line
    and column worked out in the rows reported on (0 elsewhere: context only)."""
    ties, weak, majority, slips = spellings.ties, spellings.weak, spellings.majority, spellings.slips
    placed, spelling_of, house = spelled.placed, spelled.spellings, spelled.house
    named_keys = spelled.free_keys  # the key each mention is counted under, ties and weak ones included
    free_keys = [None if k in ties or k in weak else k for k in named_keys] if ties or weak else named_keys
    if wanted is not None:
        chosen = [n for n, k in enumerate(spelled.keys) if k in wanted]
        placed, spelling_of, house, free_keys, named_keys = (
            [values[n] for n in chosen] for values in (placed, spelling_of, house, free_keys, named_keys)
        )
    found, starts, ends, surfaces = (list(column) for column in zip(*placed)) if placed else ([], [], [], [])
    raws, line_starts = rows.raws, rows.columns["line_start"]
    lines, columns = [], []
    for i, start in zip(found, starts, strict=True):
        if rows.reported is None or i in rows.reported:
            line, column = position(raws[i], start, line_starts[i])
        else:  # context only: no finding will stand here, so its place is not worked out
            line = column = 0
        lines.append(line)
        columns.append(column)
    canonical = [majority.get(k) if h is None else h for k, h in zip(free_keys, house, strict=True)]
    paths, doc_ids, paras = (rows.columns[name] for name in ("path", "doc_id", "para"))
    return {
        "row": found, "path": [paths[i] for i in found], "doc_id": [doc_ids[i] for i in found],
        "para": [paras[i] for i in found], "start": starts, "end": ends, "line": lines, "column": columns,
        "surface": surfaces, "key": free_keys, "canonical": canonical,
        "variant_of": [
            c if h is None and c is not None and c != s and not _camel_joined(s, c) and not _styled(s, c) else None
            for c, h, s in zip(canonical, house, spelling_of, strict=True)
        ],
        "near_variant_of": [majority[slips[k]] if k in slips else None for k in free_keys],
        "registry_variant_of": [h if h is not None and h != s else None for h, s in zip(house, surfaces, strict=True)],
        "tied_with": [
            " / ".join(t for t in ties[k] if t != s) if k in ties else None for k, s in zip(named_keys, spelling_of, strict=True)
        ] if ties else [None] * len(found),
    }  # fmt: skip


def build_mentions(
    frame: Table,
    lexicon: NameLexicon,
    candidates: list | dict | None = None,
    vocabulary: set[str] | None = None,
    report_paths: set[str] | None = None,
    weights: list[int] | None = None,
    corpus_sets: tuple[set, set, set] | None = None,
) -> Table:
    """The mentions table of the paragraph table, its rows one part: the rounds above in turn.

    ``candidates`` (per row, from ``mention_candidates``) and ``vocabulary`` (from
    ``lowercase_words``) may come from the feature cache; they are computed when not
    given. With ``report_paths``, the table holds only the mentions that bear on those files
    (``name._bearing_on``: theirs, and every mention of the names they mention or are told to
    write), every mention of the corpus counted all the same; ``near_variant_of``, ``line``
    and ``column`` are worked out for those files only (0 and None elsewhere). ``weights``:
    per row, how many files' copies of it the row stands for (``name._mentions`` passes one copy
    of each file content): every count of mentions counts a row so many times, as the copies
    would. ``candidates`` may be a dict (row -> its candidates) of the rows that may bear on the
    reported files (``name.bearing_rows``), with ``corpus_sets`` (``name.corpus_name_sets``) from every row.

    With the corpus in view: one word is a name when the corpus writes it capitalised in
    mid-sentence and never in lower case ("Turkey", not when "turkey" is written too);
    dotted initials that the corpus also writes on their own ("U.S. Senate" where "U.S."
    stands alone elsewhere) are a mention of their own, not the start of a longer one.
    """
    if not isinstance(candidates, dict):  # every row read, some several times: each cut once
        frame = frame.listed(MENTION_SOURCES)
    raws = frame["raw"]
    if vocabulary is None:
        vocabulary = set().union(*(lowercase_words(raw) for raw in raws)) if raws else set()
    if candidates is None:
        candidates = [mention_candidates(raw, lexicon, vocabulary) for raw in raws]
    column = raws
    if isinstance(candidates, dict):  # the rows that bear, each cut from its file's text once
        raws = dict(zip(candidates, picked(column, list(candidates)), strict=True))
        indexed = list(candidates.items())
    else:
        indexed = list(enumerate(candidates))
    alone, capitalised, openings = corpus_sets if corpus_sets is not None else name_sets(column, indexed)
    reported = None if report_paths is None else set(rows_in(frame["path"], report_paths))
    columns = {name: frame[name] for name in ("path", "doc_id", "para", "line_start")}
    rows = MentionRows(indexed, raws, columns, weights, reported)
    sets = NameSets(vocabulary, alone, capitalised, openings, lexicon)

    words, runs, whole = words_and_runs(rows, sets)
    placed, run_surfaces = starts_of_runs(rows, runs, vocabulary, whole)
    kept = kept_words(sets, one_word_surfaces(words), run_surfaces)
    placed, lower = placed_mentions(rows, words, placed, kept)
    spelled, mentions, documents, reported_keys = spellings_and_keys(rows, placed, lower, lexicon)
    minors = None if reported is None else {free for _, _, free in reported_keys}
    spellings = Spellings.decide(mentions, documents, lexicon, vocabulary, minors)
    wanted = None if reported is None else spellings.wanted(reported_keys)
    table = mention_columns(rows, spelled, spellings, wanted)
    return Table({"mention_id": list(range(len(table["row"]))), **table})
