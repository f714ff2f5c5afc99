"""A list of regular expressions searched as one test: does any of them match a text?

The noise features and every engine's regex expectations (``found_in_each``) ask that of
every line and paragraph, for lists of fifty patterns, most of which cannot match a given
line at all: a newsletter prompt needs "sign up" or "subscribe", a copyright line
"copyright" or "©". So each pattern is searched only where a literal it cannot match
without occurs (``required_literals``, read from the pattern's parse tree, as ripgrep and
RE2's prefilters do), all of a list's literals found in one pass of an Aho-Corasick
automaton (pyahocorasick); patterns with no such literal are searched as one or two
alternations (``alternations``). ``re`` tries a pattern at every position of the text; the
automaton reads the text once for all of them. Several lists are searched as one too
(``EachOf``): a suite's ten regex expectations read each distinct text once (``searching``).

    >>> matches = AnyOf((r"(?i)\\bsign up for our newsletter\\b", r"^\\W*Advertisement\\W*$"))
    >>> matches("SIGN UP for our newsletter"), matches("The vote was close.")
    (True, False)
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import re
import re._constants as _constants
import re._parser as _parser
from dataclasses import dataclass

import ahocorasick
import numpy as np

#: Literal sets larger than this are not worth checking one by one.
MAX_LITERALS = 32

_LEADING_FLAGS = re.compile(r"\(\?([aiLmsux]+)\)")
_NUMBERED = re.compile(r"\\[1-9]|\(\?P=|\(\?\(|\\g<|\(\?P<|\(\?<(?![=!])")  # back-references, named groups
_ZERO_WIDTH = {_constants.AT, _constants.ASSERT, _constants.ASSERT_NOT}
_REPEATS = {_constants.MAX_REPEAT, _constants.MIN_REPEAT, getattr(_constants, "POSSESSIVE_REPEAT", None)}


def fold(text: str) -> str:
    """``text`` in lower case, but with each character that IGNORECASE matches to an ASCII
    letter made that letter, and one character for one (``str.lower`` makes two of "İ"): a
    literal of ASCII characters that a case-insensitive pattern matches in ``text`` occurs,
    folded, in the folded text.

    Outside ASCII, IGNORECASE matches "İ" and "ı" to "i", "ſ" to "s" and the Kelvin sign to
    "k" (which ``str.lower`` makes "k"), and nothing else to an ASCII character
    (tests/test_pattern_list.py checks every code point)."""
    if text.isascii():
        return text.lower()
    if "\u0130" in text:
        text = text.replace("\u0130", "i")
    folded = text.lower()
    if "\u0131" in folded:
        folded = folded.replace("\u0131", "i")
    if "\u017f" in folded:
        folded = folded.replace("\u017f", "s")
    return folded


@dataclass(frozen=True)
class Literals:
    """Strings one of which occurs (in ``fold(text)`` when ``folded``, else in the text)."""

    folded: bool
    strings: frozenset[str]

    def as_folded(self) -> Literals | None:
        """The same literals to look for in the folded text; None for literals outside ASCII
        (``str.lower`` makes a final sigma of one depending on what follows it)."""
        if self.folded:
            return self
        return Literals(True, frozenset(s.lower() for s in self.strings)) if all(s.isascii() for s in self.strings) else None

    def useful(self) -> bool:
        return bool(self.strings) and "" not in self.strings and len(self.strings) <= MAX_LITERALS

    def strength(self) -> tuple[int, int]:
        return min(map(len, self.strings)), -len(self.strings)


_EMPTY = Literals(False, frozenset({""}))


def _joined(a: Literals, b: Literals) -> Literals | None:
    """Every string of ``a`` followed by every string of ``b``; None if too many."""
    if len(a.strings) * len(b.strings) > MAX_LITERALS:
        return None
    if a.folded != b.folded:
        a, b = a.as_folded(), b.as_folded()
        if a is None or b is None:
            return None
    return Literals(a.folded, frozenset(x + y for x in a.strings for y in b.strings))


def _either(options: list[Literals]) -> Literals | None:
    if any(o.folded for o in options):
        options = [o.as_folded() for o in options]
        if None in options:
            return None
    strings = frozenset().union(*(o.strings for o in options))
    return Literals(options[0].folded, strings) if len(strings) <= MAX_LITERALS else None


def _strongest(options: list[Literals]) -> Literals | None:
    useful = [o for o in options if o.useful()]
    return max(useful, key=Literals.strength) if useful else None


def _sequence(items, ignorecase: bool) -> tuple[Literals | None, list[Literals]]:
    """(the exact strings the sequence matches, if few; literal sets each of which has a
    string in every match: the runs of literals between what is not one, and what the
    other items need) of a parsed sequence."""
    needs, run, exact = [], _EMPTY, True
    for op, av in items:
        whole, needed = _item(op, av, ignorecase)
        if whole is not None and (joined := _joined(run, whole)) is not None:
            run = joined
            continue
        exact = False
        needs += [run, *needed]
        run = whole if whole is not None else _EMPTY
    needs.append(run)
    return (run if exact else None), [n for n in needs if n.useful()]


def _item(op, av, ignorecase: bool) -> tuple[Literals | None, list[Literals]]:
    if op is _constants.LITERAL:
        char = chr(av)
        if not ignorecase:
            return Literals(False, frozenset({char})), []
        return (Literals(True, frozenset({char.lower()})), []) if char.isascii() else (None, [])
    if op in _ZERO_WIDTH:  # consumes nothing: the literals on either side are adjacent
        return _EMPTY, []
    if op is _constants.SUBPATTERN:
        _, add, remove, body = av
        return _sequence(body, (ignorecase or bool(add & re.IGNORECASE)) and not remove & re.IGNORECASE)
    if op is getattr(_constants, "ATOMIC_GROUP", None):
        return _sequence(av, ignorecase)
    if op is _constants.BRANCH:
        results = [_sequence(branch, ignorecase) for branch in av[1]]
        exact = _either([whole for whole, _ in results]) if all(whole is not None for whole, _ in results) else None
        best = [_strongest(needed) for _, needed in results]  # one of the branches' strongest
        either = _either(best) if all(b is not None for b in best) else None
        return exact, [either] if either is not None else []
    if op in _REPEATS:
        low, high, body = av
        whole, needed = _sequence(body, ignorecase)
        if low == high == 1:
            return whole, needed
        return None, ([*needed, whole] if whole is not None else needed) if low >= 1 else []
    return None, []  # a class, any character, a back-reference: no literal


#: The strongest literal sets of a pattern that are checked (all must occur).
CHECKED = 3


@functools.lru_cache(maxsize=1024)
def required_literals(pattern: str) -> tuple[Literals, ...]:
    """Literal sets each of which has a string wherever ``pattern`` matches, strongest first
    (longest shortest string), at most ``CHECKED``; empty if it has none
    (``(?i)\\bsubscribe\\b``: "subscribe", folded; ``^\\d+ (?:AM|PM)$``: " AM" or " PM")."""
    parsed = _parser.parse(pattern)
    _, needs = _sequence(parsed.data, bool(parsed.state.flags & re.IGNORECASE))
    # Strongest first; equal ones in a fixed order, whatever the hashing of their strings.
    needs = sorted({n for n in needs if n.useful()}, key=lambda n: (n.strength(), sorted(n.strings)), reverse=True)
    return tuple(needs[:CHECKED])


@functools.lru_cache(maxsize=256)
def alternations(patterns: tuple[str, ...]) -> tuple[re.Pattern, ...]:
    """Few patterns that together match wherever one of ``patterns`` does (``re.search``
    anywhere): one alternation of the patterns anchored at the text's start, which ``re``
    tries at position 0 only, and one of the others.

    Each pattern keeps its own flags (``(?i)`` becomes the scoped ``(?i:...)``); a pattern
    with back-references or group names (whose numbers or names the alternation would
    change) is searched on its own.
    """
    anchored, floating, alone = {}, {}, []
    for pattern in patterns:
        flags, body = "", pattern
        while (leading := _LEADING_FLAGS.match(body)) is not None:
            flags, body = flags + leading.group(1), body[leading.end() :]
        if _NUMBERED.search(body) or _LEADING_FLAGS.search(body) or "L" in flags:
            alone.append(re.compile(pattern))
            continue
        scoped = f"(?{flags}:{body}\n)" if "x" in flags else f"(?{flags}:{body})" if flags else f"(?:{body})"
        # Parsing the pattern on its own also refuses an invalid one (``re.error``), as compiling
        # it would; compiling it alone is left to the fallback below, which seldom runs.
        tree = _parser.parse(pattern)
        starts = len(tree) and tree[0] == (_constants.AT, _constants.AT_BEGINNING)
        (anchored if starts else floating)[scoped] = pattern
    compiled = alone
    for parts, prefix in ((anchored, "^"), (floating, "")):
        if not parts:
            continue
        try:
            compiled.append(re.compile(prefix + "(?:" + "|".join(parts) + ")"))
        except re.error:  # a shape the alternation cannot hold: each on its own, as given
            compiled.extend(re.compile(pattern) for pattern in parts.values())
    return tuple(compiled)


class EachOf:
    """Which of several pattern lists match a text (``re.search``): ``matching(text)`` has bit
    ``i`` set when a pattern of ``lists[i]`` is found. The patterns with required literals are
    each searched where all of their literal sets occur, the others as their list's
    ``alternations``.

    Each gated pattern's strongest literal set is looked up once per text for every list at
    once (one automaton over the distinct literals of each kind, in the text and in the
    folded text), then the few patterns it names are checked for the rest of their sets and
    searched, until every list has its verdict. An automaton found every literal of 200 in a
    line in a third of the time of 200 ``in`` checks (the noise features' error patterns on the
    labelled pages: 0.9 against 3.0 s); a suite's ten lists read a text once, not ten times."""

    def __init__(self, lists: tuple[tuple[str, ...], ...]):
        searches, gates, gated_searches, bits = [], [], [], []
        first: dict[tuple[bool, str], list[int]] = {}
        for number, patterns in enumerate(lists):
            plain = []
            for pattern in patterns:
                needed = required_literals(pattern)
                if not needed:
                    plain.append(pattern)
                    continue
                for literal in needed[0].strings:
                    first.setdefault((needed[0].folded, literal), []).append(len(gates))
                gates.append(tuple((n.folded, tuple(n.strings)) for n in needed[1:]))
                gated_searches.append(re.compile(pattern).search)
                bits.append(1 << number)
            if plain:
                searches.extend((1 << number, p.search) for p in alternations(tuple(plain)))
        self.searches = tuple(searches)  # (the list's bit, the search of some of its patterns)
        self.gates, self.gated_searches, self.bits = tuple(gates), tuple(gated_searches), tuple(bits)
        self.automata = []  # (looks in the folded text, automaton: literal -> its patterns)
        for folded in (False, True):
            owners = {literal: tuple(ids) for (f, literal), ids in first.items() if f == folded}
            if owners:
                automaton = ahocorasick.Automaton()
                for literal, ids in owners.items():
                    automaton.add_word(literal, ids)
                automaton.make_automaton()
                self.automata.append((folded, automaton))
        self.lists = lists
        self.every = (1 << len(lists)) - 1

    def matching(self, text: str) -> int:
        """The bits of the lists that have a pattern found in ``text``."""
        found, every = 0, self.every
        for bit, search in self.searches:
            if not found & bit and search(text):
                found |= bit
                if found == every:
                    return found
        candidates: set[int] = set()
        folded = None
        for in_folded, automaton in self.automata:
            if in_folded:
                haystack = folded = fold(text)
            else:
                haystack = text
            for _, owners in automaton.iter(haystack):
                candidates.update(owners)
        bits = self.bits
        for index in candidates:
            if found & bits[index]:
                continue  # its list has its verdict
            for in_folded, literals in self.gates[index]:
                if in_folded and folded is None:
                    folded = fold(text)
                haystack = folded if in_folded else text
                if not any(map(haystack.__contains__, literals)):
                    break  # none of this set's literals: the pattern cannot match
            else:
                if self.gated_searches[index](text):
                    found |= bits[index]
                    if found == every:
                        return found
        return found

    def __repr__(self) -> str:
        sizes = "+".join(str(len(patterns)) for patterns in self.lists)
        return f"{type(self).__name__}({sizes} patterns: {len(self.gates)} gated, {len(self.searches)} searches)"


class AnyOf(EachOf):
    """Whether any of a list of patterns matches a text (``re.search``): ``EachOf`` of one list."""

    def __init__(self, patterns: tuple[str, ...]):
        super().__init__((patterns,))
        self.patterns = patterns

    def __call__(self, text: str) -> bool:
        return self.matching(text) != 0


@functools.lru_cache(maxsize=64)
def each_of(lists: tuple[tuple[str, ...], ...]) -> EachOf:
    """The test of ``EachOf(lists)``, built once per tuple of lists."""
    return EachOf(lists)


class Searches:
    """Verdicts of several pattern lists over texts, each distinct text searched once for all of
    them (``EachOf``) and the answer kept: a suite's regex expectations each read the same
    column, and a scraped corpus repeats its furniture (and whole pages) thousands of times."""

    def __init__(self, lists: tuple[tuple[str, ...], ...]):
        self.matching = each_of(lists).matching
        self.bits = {patterns: 1 << number for number, patterns in enumerate(lists)}
        self.seen: dict[str, int] = {}
        self.columns: dict[int, tuple[list, np.ndarray, int]] = {}  # id -> (column, its bits, values present)

    def column(self, values: list, missing) -> tuple[np.ndarray, int] | None:
        """(each value's bits, 0 where ``missing(value)``; how many values are not missing) of a
        whole column, searched once however many lists ask, kept while the column is (by its
        identity). None when the lists are more than an int64 has bits for."""
        if len(self.bits) > 62:
            return None
        known = self.columns.get(id(values))
        if known is not None and known[0] is values:
            return known[1], known[2]
        seen, matching = self.seen, self.matching
        found, present = [], 0
        for value in values:
            if type(value) is str:
                bits = seen.get(value)
                if bits is None:
                    bits = seen[value] = matching(value)
            elif missing(value):
                found.append(0)
                continue
            else:  # 1, 1.0 and True are one key but three texts: searched as they are
                bits = matching(str(value))
            found.append(bits)
            present += 1
        array = np.array(found, dtype=np.int64)
        self.columns[id(values)] = (values, array, present)
        return array, present

    def found_in_each(self, patterns: tuple[str, ...], values) -> list[bool]:
        """Per value, whether one of ``patterns`` (one of the lists) is found in ``str(value)``."""
        bit, seen, matching = self.bits[patterns], self.seen, self.matching
        found = []
        for value in values:
            if type(value) is not str:  # 1, 1.0 and True are one key but three texts: searched as they are
                found.append(bool(matching(str(value)) & bit))
            elif (bits := seen.get(value)) is None:
                found.append(bool(seen.setdefault(value, matching(value)) & bit))
            else:
                found.append(bool(bits & bit))
        return found


_SEARCHES: contextvars.ContextVar[Searches | None] = contextvars.ContextVar("searches", default=None)


@contextlib.contextmanager
def searching(lists):
    """Within it, ``found_in_each`` answers for any of ``lists`` from one search of each
    distinct text for all of them (``Searches``); a suite's engine runs its expectations
    there. A list that does not compile leaves each list to be searched on its own, where the
    expectation that holds it reports the error."""
    lists = tuple(dict.fromkeys(tuple(patterns) for patterns in lists))
    try:
        searches = Searches(lists) if len(lists) > 1 else None
    except re.error:
        searches = None
    token = _SEARCHES.set(searches)
    try:
        yield
    finally:
        _SEARCHES.reset(token)


def column_bits(patterns: tuple[str, ...], values: list, missing) -> tuple[np.ndarray, int, int] | None:
    """For a whole column and ``patterns``, one of the lists of the enclosing ``searching``:
    (each value's bits, the bit of ``patterns``, how many values are not ``missing``), the
    column searched once for all the lists (``Searches.column``); None outside such a context."""
    searches = _SEARCHES.get()
    if searches is None or patterns not in searches.bits:
        return None
    known = searches.column(values, missing)
    return None if known is None else (known[0], searches.bits[patterns], known[1])


def found_in_each(patterns: tuple[str, ...], values) -> list[bool]:
    """Per value, whether one of ``patterns`` is found in ``str(value)`` (``re.search``): what
    every engine's regex expectation asks of a column. Each distinct text is searched once (for
    every list of the enclosing ``searching``, when ``patterns`` is one of them): a text's
    verdict is the same wherever it stands."""
    searches = _SEARCHES.get()
    if searches is None or patterns not in searches.bits:
        searches = Searches((patterns,))
    return searches.found_in_each(patterns, values)
