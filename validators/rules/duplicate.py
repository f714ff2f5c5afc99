"""The duplicate family's rules: repeated and nearly repeated paragraphs and files, shared passages."""

from __future__ import annotations

import bisect
from typing import ClassVar

from ..frame import present
from .base import MAX_RELATED, AllBut, Hit, Row, Rule, quote, register


def _copies(dup_of: list) -> dict[int, list[int]]:
    """original row -> the rows that copy it, in order."""
    copies: dict[int, list[int]] = {}
    for row, original in present(dup_of):
        copies.setdefault(original, []).append(row)
    return copies


def _group_places(groups: dict[int, list[int]]) -> dict[int, tuple]:
    """original row -> ``(row, 0)`` of it and of its first copies, ``MAX_RELATED`` + 1 in
    all (enough for each copy to name ``MAX_RELATED`` others), made once per text."""
    return {original: ((original, 0), *((r, 0) for r in copies[:MAX_RELATED])) for original, copies in groups.items()}


@register
class DuplicateParagraph(Rule):
    """The same paragraph twice in the corpus, after folding case, spacing and punctuation.

    The first occurrence (files in path order) is the original; each later copy is
    reported, pointing at the original first and then at the other copies (the first
    ``MAX_RELATED`` places; the message counts them all).

    Bad:
        a.txt: “We are no longer interested in such talks,” the statement said.
        b.txt: "We are no longer interested in such talks" the statement said.
    Good:
        one of the two kept
    """

    code = "DU001"
    name = "duplicate-paragraph"
    columns = ("dup_of",)
    family = "duplicate"

    def hits(self, row, spec, corpus):
        original = int(row["dup_of"])
        frame = corpus.paragraphs
        groups = corpus.memo("copies", lambda: _copies(frame["dup_of"]))
        places = corpus.memo("copy places", lambda: _group_places(groups))[original]
        said = corpus.memo("copy messages", dict)  # original row -> what each of its copies says
        message = said.get(original)
        if message is None:
            copies = groups[original]
            first = Row.of(frame, original)  # the two columns the message reads, not every column
            message = said[original] = f"paragraph repeats {first['path']}:{first['line_start']}" + (
                f" ({len(copies) + 1} copies in all)" if len(copies) > 1 else ""
            )
        if row.name <= places[-1][0]:  # a copy among the first (copies are in row order): the others,
            # as the group less its own place, not a tuple of its own (k copies, k² places)
            others = AllBut(places, bisect.bisect_left(places, (row.name, 0)), MAX_RELATED)
        else:  # every later copy names the same places: one tuple, resolved once for all of them
            others = corpus.memo("copy places beyond", dict).setdefault(original, places[:MAX_RELATED])
        copies = len(groups[original])  # the original and the copies but this one
        return [Hit(row.name, 0, len(row["raw"]), message, "keep one copy and delete the others", others, related_count=copies)]

    def named_rows(self, row, corpus):
        original = int(row["dup_of"])
        named = corpus.memo("copies named", set)
        if original in named:  # the group's places: named at its first copy flagged
            return ()
        named.add(original)
        groups = corpus.memo("copies", lambda: _copies(corpus.paragraphs["dup_of"]))
        return [r for r, _ in corpus.memo("copy places", lambda: _group_places(groups))[original]]


class EarlierCopyRule(Rule):
    """A row that repeats an earlier one, named by the frame row in ``column``."""

    family = "duplicate"
    column: ClassVar[str]
    whole_file: ClassVar[bool]  # point at the file (line 1, column 1), or span the paragraph
    suggestion: ClassVar[str]

    def message(self, row, original) -> str:
        raise NotImplementedError

    def hits(self, row, spec, corpus):
        earlier = int(row[self.column])
        original = Row.of(corpus.paragraphs, earlier)
        end = 0 if self.whole_file else len(row["raw"])
        return [Hit(row.name, 0, end, self.message(row, original), self.suggestion, ((earlier, 0),))]

    def named_rows(self, row, corpus):
        return (int(row[self.column]),)


@register
class DuplicateArticle(EarlierCopyRule):
    """A whole file that repeats an earlier file, once case, spacing and punctuation are folded.

    Bad:
        b.txt is a.txt saved again under another name
    Good:
        one of the two removed
    """

    code = "DU002"
    name = "duplicate-article"
    columns = ("doc_dup_of",)
    scope = "file"
    column = "doc_dup_of"
    whole_file = True
    suggestion = "delete one of the two files"

    def message(self, row, original):
        return f"this file repeats {original['path']}"


@register
class NearDuplicateParagraph(EarlierCopyRule):
    """A paragraph nearly the same as an earlier one: the same story lightly edited.

    Word sets compared by MinHash with LSH (near-linear in the corpus); the estimated
    similarity is reported. Threshold: ``near_threshold`` in ``[tool.corpus-validator.duplicate]``.

    Bad:
        a.txt: The talks ended without agreement, officials in Seoul said on Monday.
        b.txt: The talks ended without an agreement, officials in Seoul said Monday.
    Good:
        one version kept
    """

    code = "DU003"
    name = "near-duplicate-paragraph"
    columns = ("near_dup_of",)
    severity = "warning"
    column = "near_dup_of"
    whole_file = False
    suggestion = "keep one version and delete the other"

    def message(self, row, original):
        return (
            f"paragraph nearly repeats {original['path']}:{original['line_start']} "
            f"(estimated similarity {row['near_dup_similarity']:.2f})"
        )


@register
class NearDuplicateArticle(EarlierCopyRule):
    """A file nearly the same as an earlier one: re-ordered paragraphs, a new header or footer.

    Bad:
        b.txt is a.txt with its paragraphs shuffled and a new footer
    Good:
        one of the two removed
    """

    code = "DU004"
    name = "near-duplicate-article"
    columns = ("doc_near_dup_of",)
    scope = "file"
    severity = "warning"
    column = "doc_near_dup_of"
    whole_file = True
    suggestion = "delete one of the two files, or keep only what differs"

    def message(self, row, original):
        return f"this file nearly repeats {original['path']} (estimated similarity {row['doc_near_similarity']:.2f})"


@register
class SharedPassage(Rule):
    """A sentence or quotation that an earlier paragraph already carries.

    Catches containment: a quote two articles share, or a short paragraph pasted inside a
    longer one. Sentences and quotations of at least ``passage_min_words`` words count.

    Bad:
        a.txt: “We are no longer interested in such talks that bring nothing to us,” the statement continued.
        b.txt: Officials in Seoul were blunt about the offer on Monday: “We are no longer interested in such
               talks that bring nothing to us,” a spokesman told reporters.
    Good:
        the overlap known and kept on purpose (baseline it), or one copy removed
    """

    code = "DU005"
    name = "shared-passage"
    columns = ("passage_of",)
    severity = "warning"
    family = "duplicate"

    def hits(self, row, spec, corpus):
        hits = []
        for start, end, first_row, first_start in row["passages"]:
            original = Row.of(corpus.paragraphs, first_row)
            hits.append(
                Hit(
                    row.name,
                    start,
                    end,
                    f"passage also in {original['path']}:{original['line_start']}: {quote(row['raw'][start:end], 50)}",
                    "keep it if quoting on purpose; otherwise delete one copy",
                    ((first_row, first_start),),
                )
            )
        return hits

    def named_rows(self, row, corpus):
        return [first_row for _, _, first_row, _ in row["passages"]]
