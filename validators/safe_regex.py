"""Refuse, when a suite is loaded, a regular expression that backtracks exponentially.

A corpus owner adds patterns to a suite's ``regex_list``; both engines then run them
with Python's backtracking ``re`` (GX through pandas' ``str.contains``). A pattern such
as ``(a+)+$`` takes time exponential in the length of a paragraph it fails on, so one
such pattern hangs the gate. Refusing it at load protects both engines and costs
nothing per paragraph (``bench/regex_guard.py`` measures the alternatives).

The check reads the pattern as ``re`` parses it. Inside a quantifier without an upper
bound, or with one of ``MANY_ITERATIONS`` or more (``{1,30}``), a pattern is refused when one
string can be split between iterations in more than one way:

- an inner quantifier whose next character could also be taken by that quantifier:
  ``(a+)+``, ``(\\w+\\s?)+``, ``(x.*y)+``, ``(a{1,5})*``;
- two alternatives of which one is the other followed by what could come next
  anyway: ``(a|aa)+``, ``(a|a)*``, ``(ab|a)+`` before ``b``.

These are the shapes of the known catastrophic patterns (tests/test_safe_regex.py);
the check is not a proof for every pattern. The message says how to rewrite the pattern (a
possessive quantifier ``a++`` or an atomic group ``(?>...)`` never backtracks into
itself). Polynomial patterns (``.*.*x``) are not refused: the bundled ones cap the
length they look at with a look-ahead (``^(?=.{0,200}$)``), and so should new ones.
"""

from __future__ import annotations

import re
import re._constants as C  # noqa: N812 (re's own names for its parse tree)
import re._parser as parser
import warnings

#: Characters the overlap test samples: Latin, punctuation and the typographic marks of news text.
_SAMPLE = "".join(chr(c) for c in range(0x250)) + "‘’‚“”„–—…•·€£¥©®™\u00a0\u2009\u200b\u3000αβγ中あ"
_CATEGORIES = {
    C.CATEGORY_DIGIT: r"\d", C.CATEGORY_NOT_DIGIT: r"\D", C.CATEGORY_SPACE: r"\s",
    C.CATEGORY_NOT_SPACE: r"\S", C.CATEGORY_WORD: r"\w", C.CATEGORY_NOT_WORD: r"\W",
}  # fmt: skip
_CATEGORY_CHARS = {cat: frozenset(re.findall(rx, _SAMPLE)) for cat, rx in _CATEGORIES.items()}
_ALL = frozenset(_SAMPLE)
_REPEATS = (C.MAX_REPEAT, C.MIN_REPEAT)  # POSSESSIVE_REPEAT never gives back: safe
_ZERO_WIDTH = (C.AT, C.ASSERT, C.ASSERT_NOT)


#: Iterations of a bounded repeat (``{1,30}``) from which ambiguity inside it is refused as in an
#: unbounded one: ``(\w{1,20}\s?){1,30}$`` took minutes on a page.
MANY_ITERATIONS = 3


class UnsafePattern(ValueError):
    """A pattern that can take exponential time."""


def check(pattern: str) -> re.Pattern:
    """``pattern`` compiled, or ``re.error`` / ``UnsafePattern`` saying why it is refused."""
    with warnings.catch_warnings():
        # "Possible nested set": a POSIX class ([[:alpha:]]), which Python's re reads as a set of
        # the characters "[:alph]" and a "]" after it: not what was meant, and a warning on stderr.
        # The parser warns on every call (``re.compile`` only on a pattern it has not cached).
        warnings.simplefilter("error", FutureWarning)
        try:
            tree = parser.parse(pattern)
        except FutureWarning as warning:
            raise re.error(f"{warning} (Python's re has no POSIX classes such as [[:alpha:]]: write [^\\W\\d_])") from None
    compiled = re.compile(pattern)
    fold = bool(tree.state.flags & re.IGNORECASE)
    reason = _Checker(fold).sequence(list(tree), frozenset(), outer=False)
    if reason:
        raise UnsafePattern(
            f"{pattern!r} can take exponential time ({reason}); make the inner part possessive "
            "(a++) or atomic ((?>...)), or write it so each character has one way to match"
        )
    return compiled


class _Checker:
    def __init__(self, fold: bool):
        self.fold = fold

    # -- the characters that can start (or end) what a node matches, and whether it can match nothing

    def chars(self, op, av) -> frozenset:
        if op is C.LITERAL:
            return self._literal(av)
        if op is C.NOT_LITERAL:
            return _ALL - self._literal(av)
        if op is C.ANY:
            return _ALL - {"\n"}
        if op is C.IN:
            found: set = set()
            negate = False
            for item_op, item_av in av:
                if item_op is C.NEGATE:
                    negate = True
                elif item_op is C.LITERAL:
                    found |= self._literal(item_av)
                elif item_op is C.RANGE:
                    lo, hi = item_av
                    found |= {ch for ch in _SAMPLE if lo <= ord(ch) <= hi or (self.fold and len(ch.swapcase()) == 1 and lo <= ord(ch.swapcase()) <= hi)}
                elif item_op is C.CATEGORY:
                    found |= _CATEGORY_CHARS.get(item_av, _ALL)
                else:
                    found |= _ALL
            return frozenset(_ALL - found if negate else found)
        return _ALL  # anything else (a back-reference): assume the worst

    def _literal(self, code: int) -> frozenset:
        ch = chr(code)
        return frozenset({ch, ch.lower(), ch.upper()} if self.fold else {ch})

    def first(self, items, reverse=False) -> tuple[frozenset, bool]:
        """(characters it can start with, or end with when ``reverse``; can it match nothing)."""
        found: frozenset = frozenset()
        for op, av in reversed(items) if reverse else items:
            chars, empty = self.first_of(op, av, reverse)
            found |= chars
            if not empty:
                return found, False
        return found, True

    def first_of(self, op, av, reverse=False) -> tuple[frozenset, bool]:
        if op in _ZERO_WIDTH:
            return frozenset(), True
        if op is C.SUBPATTERN:
            return self.first(list(av[-1]), reverse)
        if op is C.ATOMIC_GROUP:
            return self.first(list(av), reverse)
        if op is C.BRANCH:
            parts = [self.first(list(branch), reverse) for branch in av[1]]
            return frozenset().union(*(p[0] for p in parts)), any(p[1] for p in parts)
        if op in (*_REPEATS, C.POSSESSIVE_REPEAT):
            low, _, body = av
            chars, empty = self.first(list(body), reverse)
            return chars, empty or low == 0
        if op is C.GROUPREF_EXISTS:
            return _ALL, True
        return self.chars(op, av), False

    # -- the walk

    def sequence(self, items, after: frozenset, outer: bool) -> str | None:
        """Why ``items`` is unsafe, or None. ``after``: what can follow it; ``outer``: inside an unbounded repeat."""
        for i, (op, av) in enumerate(items):
            rest, empty = self.first(items[i + 1 :])
            follow = rest | after if empty else rest
            reason = self.node(op, av, follow, outer)
            if reason:
                return reason
        return None

    def node(self, op, av, follow: frozenset, outer: bool) -> str | None:
        if op is C.SUBPATTERN:
            return self.sequence(list(av[-1]), follow, outer)
        if op in (C.ASSERT, C.ASSERT_NOT):
            return self.sequence(list(av[1]), frozenset(), outer)
        if op is C.ATOMIC_GROUP:
            return self.sequence(list(av), follow, False)  # never re-entered on backtracking
        if op is C.BRANCH:
            branches = [list(branch) for branch in av[1]]
            if outer and _ambiguous_branches(self, branches, follow):
                return "two alternatives of a repeated part can match the same text"
            for branch in branches:
                reason = self.sequence(branch, follow, outer)
                if reason:
                    return reason
            return None
        if op is C.GROUPREF_EXISTS:
            for branch in av[1:]:
                if branch is not None:
                    reason = self.sequence(list(branch), follow, outer)
                    if reason:
                        return reason
            return None
        if op is C.POSSESSIVE_REPEAT:
            return self.sequence(list(av[2]), frozenset(), False)
        if op in _REPEATS:
            low, high, body = av
            body = list(body)
            starts, _ = self.first(body)
            if outer and low < high and starts & follow:
                return "a repeated part inside another can also match what follows it"
            unbounded = high is C.MAXREPEAT
            # Exponential time needs the next iteration to compete for the same characters:
            # what follows the whole repeat can only add a polynomial factor. A bounded repeat
            # of ``MANY_ITERATIONS`` or more is as bad: n ambiguous iterations take time like
            # the paragraph's length to the n-th power.
            many = unbounded or high >= MANY_ITERATIONS
            return self.sequence(body, starts if unbounded else starts | follow, outer or many)
        return None


def _ambiguous_branches(checker: _Checker, branches: list, follow: frozenset) -> bool:
    """Whether two alternatives can match the same text: one the other followed by something
    that ``follow`` could also match (``a|ab`` before ``b``, ``|a`` before ``a``, ``a|a``).
    ``re`` merges one-character alternatives into a class and takes out a prefix they all
    share, so ``\\w|\\d`` or ``van|von`` are not ambiguous."""
    for n, shorter in enumerate(branches):
        for longer in branches[:n] + branches[n + 1 :]:
            if len(longer) >= len(shorter) and longer[: len(shorter)] == shorter:
                starts, empty = checker.first(longer[len(shorter) :])
                if empty or starts & follow:
                    return True
    return False
