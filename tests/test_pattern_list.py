"""A pattern list searched with literal gates says what searching each pattern says: a gate
may let a text through that the pattern then does not match, never keep one out that it
would match."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from validators.pattern_list import AnyOf, EachOf, fold, found_in_each, required_literals, searching

ROOT = Path(__file__).resolve().parent.parent


def _naive(patterns, text: str) -> bool:
    return any(re.search(p, text) for p in patterns)


def test_fold_makes_each_character_one_and_every_ignorecase_match_of_an_ascii_character_that_character():
    # Every code point: ``re`` under IGNORECASE matches it to an ASCII character exactly when
    # ``fold`` makes it that character in lower case (the four outside ASCII included).
    to_ascii = re.compile(r"(?i)[\x00-\x7f]")
    outside = []
    for code in range(0x110000):
        char = chr(code)
        folded = fold(char)
        assert len(folded) == 1, hex(code)
        if to_ascii.fullmatch(char):
            equals = {chr(a).lower() for a in range(128) if re.fullmatch("(?i)" + re.escape(chr(a)), char)}
            assert equals == {folded}, hex(code)
            if code >= 128:
                outside.append(char)
        else:
            assert not folded.isascii(), hex(code)
    assert sorted(outside) == sorted("\u0130\u0131\u017f\u212a")
    assert fold("İSTANBUL ſtreet Kelvin") == "istanbul street kelvin"


def test_required_literals_are_read_from_the_pattern():
    def strings(pattern):
        return [(n.folded, sorted(n.strings)) for n in required_literals(pattern)]

    assert strings(r"(?i)\bsubscribe\b") == [(True, ["subscribe"])]
    assert strings(r"^\d+ (?:AM|PM)$") == [(False, [" AM", " PM"])]
    assert strings(r"a(?i:bC)D") == [(True, ["abcd"])]  # a case-sensitive run joins a folded one, folded
    assert strings(r"(?x) photo \s+ credit") == [(False, ["credit"]), (False, ["photo"])]
    assert strings(r"(?:ab)+c") == [(False, ["ab"]), (False, ["c"])]
    assert strings(r"Ab(?=x)cd") == [(False, ["Abcd"])]  # a look-ahead consumes nothing
    assert strings(r"(?i)é") == []  # a case-insensitive letter outside ASCII is no literal
    assert strings(r"©\s*\d{4}") == [(False, ["©"])]


def test_patterns_without_a_required_literal_have_no_gate():
    for pattern in (r"x*", r"\w+", r"(?:abc|)d?", r"[A-Z]{3}", r"(?:abc|\d)", r"\b(\w+)\1", r"."):
        assert required_literals(pattern) == (), pattern


# Pieces of patterns and of texts, chosen so that the gates and the searches often agree and
# often not: case, the characters IGNORECASE folds to ASCII, a final sigma, literals that
# overlap, optional parts, look-arounds, branches with and without literals.
_PATTERN_PIECES = [
    "sign", "Sign up", "up", "our", "news", "letter", "K", "ſ", "İ", "é", "©", "Σ", "ς",
    r"\b", r"\s+", r"\s*", r"\d{2}", r"\w+", ".", ".*", "(?:", ")", "(?:a|bc)", "(?:ab|)", "(?:x)?",
    "(?i:", "(?-i:", "|", "(?=", "(?!", "[A-Z]", "+", "?", "^", "$",
]
_TEXT_PIECES = [
    "sign", "SIGN", "Sign", "ſign", "up", "UP", "our", "OUR", "news", "NEWS", "letter", "k", "K", "K",
    "İ", "ı", "i", "I", "é", "É", "©", "Σ", "σ", "ς", "ab", "bc", "a", "x", " ", "  ", "\n", "12", "7",
    ".", "-", "\udc80",
]


def _valid(pattern: str) -> bool:
    try:
        re.compile(pattern)
    except (re.error, RecursionError, OverflowError):
        return False
    return True


patterns = st.lists(st.sampled_from(_PATTERN_PIECES), min_size=1, max_size=8).map("".join).filter(_valid)
flagged = st.tuples(st.sampled_from(["", "(?i)", "(?x)", "(?ia)"]), patterns).map("".join).filter(_valid)
texts = st.lists(st.sampled_from(_TEXT_PIECES), max_size=14).map("".join)


@settings(max_examples=600, deadline=None)
@given(st.lists(flagged, min_size=1, max_size=5), st.lists(texts, min_size=1, max_size=8))
def test_any_of_matches_where_one_of_its_patterns_does(pattern_list, text_list):
    matches = AnyOf(tuple(pattern_list))
    for text in text_list:
        assert matches(text) == _naive(pattern_list, text), (pattern_list, text)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(flagged, min_size=1, max_size=4), min_size=1, max_size=4), st.lists(texts, min_size=1, max_size=8))
def test_each_of_says_of_every_list_whether_one_of_its_patterns_matches(lists, text_list):
    each = EachOf(tuple(map(tuple, lists)))
    for text in text_list:
        bits = each.matching(text)
        assert [bool(bits >> n & 1) for n in range(len(lists))] == [_naive(p, text) for p in lists], (lists, text)
        assert bits < 1 << len(lists)


def _bundled_lists() -> list[tuple[str, ...]]:
    suite = json.loads((ROOT / "expectations" / "paragraphs.json").read_text(encoding="utf-8"))
    lists = []
    for expectation in suite["expectations"]:
        kwargs = expectation.get("kwargs", {})
        if "regex_list" in kwargs:
            lists.append(tuple(kwargs["regex_list"]))
        elif "regex" in kwargs:
            lists.append((kwargs["regex"],))
    return lists


def _variants(line: str) -> list[str]:
    """The line, and the same line in the forms IGNORECASE still matches or no longer does."""
    return [
        line, line.upper(), line.lower(), line.replace("s", "ſ"), line.replace("k", "\u212a"),
        line.replace("I", "İ").replace("i", "ı"), line.replace(" ", "  "), line[: len(line) // 2],
    ]  # fmt: skip


def test_the_bundled_lists_match_the_seeds_as_their_patterns_do():
    lines = []
    for path in sorted((ROOT / "seeds").glob("*.txt")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                lines += _variants(line)
    lists = _bundled_lists()
    assert sum(map(len, lists)) > 40
    together = EachOf(tuple(lists))  # as an engine searches a suite's lists (``searching``)
    for line in lines:
        bits = together.matching(line)
        assert [bool(bits >> n & 1) for n in range(len(lists))] == [_naive(p, line) for p in lists], line
    hits = 0
    for pattern_list in lists:
        matches = AnyOf(pattern_list)
        gated = sum(bool(required_literals(p)) for p in pattern_list)
        assert gated >= len(pattern_list) - 2  # nearly every bundled pattern has a literal to look for
        for line in lines:
            expected = _naive(pattern_list, line)
            assert matches(line) == expected, (pattern_list, line)
            hits += expected
    assert hits > 30  # the seeds' furniture is matched, in its folded forms too


def test_found_in_each_gives_every_value_its_own_verdict_and_searches_a_repeated_text_once(monkeypatch):
    """What every engine's regex expectation asks of a column: per value, ``re.search`` on
    ``str(value)``; 1, 1.0 and True are one dict key but three texts, each searched as itself."""
    from validators import pattern_list

    patterns = (r"(?i)\bsubscribe\b", r"^1\.0$", r"^True$")
    values = ["Subscribe now", "The vote was close.", "Subscribe now", 1, 1.0, True, "subscribe", "The vote was close."]
    expected = [any(re.search(p, str(v)) for p in patterns) for v in values]
    assert expected == [True, False, True, False, True, True, True, False]
    searched = _recording_searches(monkeypatch)
    assert pattern_list.found_in_each(patterns, values) == expected
    assert sorted(searched) == sorted(["Subscribe now", "The vote was close.", "1", "1.0", "True", "subscribe"])


def _recording_searches(monkeypatch) -> list[str]:
    """The texts ``found_in_each`` searches from now on, one entry per search (of every list it searches at once)."""
    from validators import pattern_list

    searched = []

    class Recording:
        def __init__(self, lists):
            self.real = pattern_list.EachOf(lists)

        def matching(self, text):
            searched.append(text)
            return self.real.matching(text)

    monkeypatch.setattr(pattern_list, "each_of", Recording)
    return searched


def test_a_suite_s_lists_are_searched_once_per_text_for_all_of_them(monkeypatch):
    """In ``searching`` (how both pandas engines run a suite), each list gets its own verdicts,
    every distinct text is searched once for all the lists, and a list from elsewhere is
    searched on its own."""
    newsletter, copyright_line, other = (r"(?i)\bsubscribe\b", r"^Advertisement$"), (r"(?i)^\W*copyright\b", r"©"), (r"vote",)
    values = ["Subscribe now", "Copyright 2024 AP", "The vote was close.", "Subscribe now", "Advertisement", "© Reuters"]
    searched = _recording_searches(monkeypatch)
    with searching([newsletter, copyright_line, newsletter]):
        assert found_in_each(newsletter, values) == [True, False, False, True, True, False]
        assert found_in_each(copyright_line, values) == [False, True, False, False, False, True]
        assert len(searched) == 5  # the five distinct texts, once each: the second list read the answers kept
        assert found_in_each(other, values) == [False, False, True, False, False, False]
        assert len(searched) == 10  # a list that is not the suite's: its own search
    assert found_in_each(newsletter, values[:1]) == [True]
    assert len(searched) == 11  # outside: nothing kept from the suite's searches


def test_a_list_that_does_not_compile_fails_only_its_own_search():
    with searching([("(unclosed",), (r"\bvote\b",)]):
        assert found_in_each((r"\bvote\b",), ["The vote", "none"]) == [True, False]
        with pytest.raises(re.error):
            found_in_each(("(unclosed",), ["The vote"])
