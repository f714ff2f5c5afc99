"""The load-time check refuses patterns that backtrack exponentially, and only those shapes."""


import pytest

from validators.safe_regex import UnsafePattern, check

CATASTROPHIC = [
    r"(a+)+$", r"(a*)*$", r"(?i)(A+)+$", r"(\w+\s?)+$", r"(\s*\w+\s*)+$", r"^(\d+)*$", r"(x.*y)+$", r"(.*,)+$",
    r"(.+)+x", r"(a{1,5})+$", r"(a|aa)+$", r"(a|a)+$", r"(a?a)+$", r"((ab)*)+$", r"(a+b?)+$", r"((a+)b?)+c",
    r"^(([a-z])+.)+[A-Z]([a-z])+$",
    # Bounded, but repeated often enough: n ambiguous iterations take length**n.
    r"(\w{1,20}\s?){1,30}$", r"(a{1,30}){1,30}$", r"(a?){30}a{30}", r"(a|aa){3}$",
]  # fmt: skip
HARMLESS = [
    r"(\w+,\s*)+$", r"(a\s*)+$", r"(?:\s+(?:[A-Z][\w.]+|and|de|der|van|von))*$", r"(?:[^\"\\]|\\.)*",
    r"(a++)+$", r"(?>a+)+$", r"(?:\d{1,2}:)+", r"^(?=.{0,200}$).*\bfoo", r"(\w|\d)*$", r"(a|ab)+$",
    r"(\d{1,3}\.){3}\d{1,3}", r"(?:[A-Z][a-z]+ ){1,3}said", r"(?:\w+\s){0,2}\w+", r"(a|ab){5}c",
]  # fmt: skip


@pytest.mark.parametrize("pattern", CATASTROPHIC)
def test_a_pattern_that_backtracks_exponentially_is_refused(pattern):
    with pytest.raises(UnsafePattern, match="exponential time.*possessive"):
        check(pattern)


@pytest.mark.parametrize("pattern", HARMLESS)
def test_a_pattern_with_one_way_to_match_each_character_is_accepted(pattern):
    assert check(pattern).pattern == pattern


def test_every_bundled_pattern_passes():
    """A run trusts the bundled patterns without checking them again (suite._bundled_patterns)."""
    from validators.suite import _bundled_patterns

    assert len(_bundled_patterns()) > 20
    for pattern in _bundled_patterns():
        check(pattern)


def test_a_posix_class_is_refused_not_read_as_a_set_of_its_letters():
    import re
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # and no warning reaches stderr
        with pytest.raises(re.error, match=r"Possible nested set.*no POSIX classes such as \[\[:alpha:\]\]"):
            check("[[:alpha:]]+ said")
    assert check(r"[^\W\d_]+ said").pattern == r"[^\W\d_]+ said"
