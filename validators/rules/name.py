"""The name family's rules: one name spelled several ways across the corpus."""

from __future__ import annotations

from typing import ClassVar

from ..frame import Table
from .base import MAX_RELATED, Hit, Rule, quote, register


class NameRule(Rule):
    """A mention spelled otherwise than the corpus's (or the registry's) spelling of its name."""

    family = "name"
    frame = "mentions"
    scope = "mention"
    target_column: ClassVar[str]  # the mentions column that holds the spelling to use
    safe_to_rewrite: ClassVar[bool] = True

    def message(self, surface: str, target: str, places: int) -> str:
        raise NotImplementedError

    def hits(self, row, spec, corpus):
        target = row[self.target_column]
        if target is None:  # the expectation saw a tie or a capital a sentence gives; the name features did not
            return []
        count, same = _places_of(target, corpus)
        start, end = int(row["start"]), int(row["end"])
        edit = rename_edit(corpus.paragraphs["raw"][int(row["row"])], start, end, target) if self.safe_to_rewrite else None
        return [
            Hit(
                int(row["row"]),
                start,
                max(end, edit[1]) if edit else end,  # "US." when its dot becomes the abbreviation's
                self.message(row["surface"], target, count),
                f"write {quote(target)}",
                same,  # one tuple per spelling, shared by every mention that should read so
                edits=(edit,) if edit else (),
                related_count=count,
            )
        ]

    def named_rows(self, row, corpus):
        target = row[self.target_column]
        named = corpus.memo("spellings named", set)
        if target is None or target in named:  # a spelling's places: named at its first mention flagged
            return ()
        named.add(target)
        return [r for r, _ in _places_of(target, corpus)[1]]


#: The ``CorpusView.memo`` of ``_places_by_surface``: an engine whose mentions lie elsewhere (the
#: spark engine's) gives it for the spellings mentions are told to use, worked out there.
PLACES = "mention places"


def _places_of(spelling: str, corpus) -> tuple[int, tuple[tuple[int, int], ...]]:
    """(how many mentions are written ``spelling``, the places of the first of them)."""
    places = corpus.memo(PLACES, lambda: _places_by_surface(corpus.mentions))
    return places.get(spelling, (0, ()))


_CLOSING = "\"'”’)]"


def rename_edit(raw: str, start: int, end: int, target: str) -> tuple[int, int, str] | None:
    """The edit that writes ``target`` for ``raw[start:end]``, or None where no rewrite is safe.

    A mention's full stop can be the sentence's: "to the US." becomes "to the U.S." (not
    "U.S.."), "to the U.S." at a paragraph's end becomes "to the US."; before a capital
    ("the U.S. He said" or "the U.S. Senate") the dot may end the sentence or not, so that
    place is reported but not rewritten. Nothing is rewritten that is not a whole token.
    """
    if (start > 0 and raw[start - 1].isalnum()) or (end < len(raw) and raw[end].isalnum()):
        return None
    surface = raw[start:end]
    if target.endswith(".") and not surface.endswith(".") and raw[end : end + 1] == ".":
        return start, end + 1, target
    if surface.endswith(".") and not target.endswith("."):
        after = raw[end:].rstrip().rstrip(_CLOSING)
        if not after:
            return start, end, target + "."
        if after[0].isspace() and after.lstrip()[:1].isupper():
            return None
    return start, end, target


def _places_by_surface(mentions: Table) -> dict[str, tuple[int, tuple[tuple[int, int], ...]]]:
    """spelling -> (how many mentions are written so, (paragraph row, offset) of the first
    ``MAX_RELATED`` of them in order): one tuple per spelling, which every hit naming it
    shares. A spelling's variants name its first places only: at 2,000 page dumps, each of
    911 mentions of "U.S." named the 1,189 of "US" (a million places)."""
    places: dict[str, list[tuple[int, int]]] = {}
    counts: dict[str, int] = {}
    for surface, row, start in zip(mentions["surface"], mentions["row"], mentions["start"], strict=True):
        where = places.setdefault(surface, [])
        if len(where) < MAX_RELATED:
            where.append((int(row), int(start)))
        counts[surface] = counts.get(surface, 0) + 1
    return {surface: (counts[surface], tuple(where)) for surface, where in places.items()}


def _places(n: int) -> str:
    return f"{n} place{'s' if n != 1 else ''}"


@register
class NameVariant(NameRule):
    """One name spelled several ways across the corpus (hyphens, spaces, case, dots, accents).

    Reported at each mention that differs from the corpus's most common spelling of the
    same name (same letters once case, hyphens, spaces, dots and accents are folded; a
    spelling in capitals is compared with spellings in capitals only: "US" with "U.S.",
    never "SEOUL" with "Seoul"). Between spellings written as often, the one more files
    use is the corpus's; a full tie is NM004. A one-word name counts when the corpus
    writes it capitalised in mid-sentence and never in lower case ("LinkedIn" /
    "Linkedin", "Al-Aqsa" / "Al Aqsa", "Wall Street" / "Wallstreet"). No mention is read
    inside a code or ticker ("US10YT=RR"), and initials before a surname are part of
    the name ("J.K. Rowling" is not "JK"). ``fix`` rewrites the mention, keeping the
    sentence's full stop ("the US." becomes "the U.S."). A finding names the first
    ``MAX_RELATED`` places of the corpus's spelling; its message counts them all.

    Bad:
        a.txt: … addressed directly to Kim Jong-un …
        b.txt: … North Korean leader Kim Jong Un …   (four times)
    Good:
        Kim Jong Un, everywhere
    """

    code = "NM001"
    name = "name-variant"
    expectation = "expect_column_pair_values_to_have_one_spelling_per_key"
    columns = ("key", "surface")
    kwargs = {"ignore_row_if": "either_value_is_missing"}
    fixable = True
    target_column = "variant_of"

    def message(self, surface, target, places):
        return f"name spelled {quote(surface)}; the corpus writes {quote(target)} ({_places(places)})"


@register
class NearNameVariant(NameRule):
    """A name one letter away from a name the corpus writes far more often: a likely slip.

    Guarded against false merges: same number of words, one edit inside one word of at
    least three letters, no word a prefix of the other ("Korea" / "Korean"), a name of
    at least eight letters, the other spelling at least twice as frequent, and no pair
    declared distinct in ``expectations/names.toml``. Not rewritten by ``fix``.

    Bad:
        Kim Jung Un (once), Kim Jong Un (five times)
    Good:
        Kim Jong Un
    """

    code = "NM002"
    name = "near-name-variant"
    columns = ("near_variant_of",)
    severity = "warning"
    target_column = "near_variant_of"
    safe_to_rewrite = False

    def message(self, surface, target, places):
        return f"name spelled {quote(surface)}, one letter from {quote(target)} ({_places(places)}): a slip?"


@register
class RegistryVariant(NameRule):
    """A spelling that the corpus's name registry (house style) replaces.

    The registry in ``expectations/names.toml`` lists each name's house spelling and the
    variants it replaces; it wins over the corpus's majority.

    Bad:
        Kim Chong-un   (registry: name = "Kim Jong Un", variants = ["Kim Chong-un"])
    Good:
        Kim Jong Un
    """

    code = "NM003"
    name = "registry-variant"
    columns = ("registry_variant_of",)
    fixable = True
    target_column = "registry_variant_of"

    def message(self, surface, target, places):
        return f"name spelled {quote(surface)}; the house style is {quote(target)}"


@register
class NameSpellingTie(Rule):
    """One name spelled two ways as often, in as many files: the corpus has no spelling to suggest.

    Reported at warning on each mention, naming the other spelling; not rewritten by
    ``fix`` (which spelling is right is for a person, or the registry in
    ``expectations/names.toml``, to say).

    Bad:
        a.txt: … the G-SYNC monitor …      b.txt: … a GSYNC display …
    Good:
        G-SYNC in both (or a registry entry naming the house spelling)
    """

    code = "NM004"
    name = "name-spelling-tie"
    columns = ("tied_with",)
    scope = "mention"
    severity = "warning"
    family = "name"
    frame = "mentions"

    def hits(self, row, spec, corpus):
        others = row["tied_with"].split(" / ")
        named = " or ".join(quote(o) for o in others)
        return [
            Hit(
                int(row["row"]),
                int(row["start"]),
                int(row["end"]),
                f"name spelled {quote(row['surface'])} here and {named} as often elsewhere",
                f"choose one spelling, {quote(row['surface'])} or {named}, and write it throughout "
                "(or name it in expectations/names.toml)",
            )
        ]
