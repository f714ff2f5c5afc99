"""The rule registry: one rule, one code, one docstring.

An expectation in ``expectations/*.json`` says *which* rows are wrong (its
``meta.code`` names the rule); the rule says *where* in the row, *what* it is and
*how to fix it*. Each rule's docstring is its documentation (``corpus-validator rule
CODE``) and carries a bad and a good example.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, ClassVar

from .frame import Table
from .ingest import ESCAPED_BYTES, printable

if TYPE_CHECKING:
    from .suite import ExpectationSpec

FAMILIES = ("noise", "duplicate", "encoding", "name")
SEVERITIES = ("error", "warning", "info")


@dataclass(frozen=True)
class Hit:
    """One problem inside one paragraph: offsets into that paragraph's raw text."""

    row: int  # label of the paragraph in the paragraph frame
    start: int
    end: int
    message: str
    suggestion: str
    related: tuple[tuple[int, ...], ...] = ()  # (paragraph row, offset[, end offset]) of the other places
    edits: tuple[tuple[int, int, str], ...] = ()  # safe repairs: (start, end, replacement), same offsets


@dataclass
class CorpusView:
    """What a rule may look at besides the failing row."""

    paragraphs: Table
    mentions: Table
    documents: dict = field(default_factory=dict)  # doc_id -> ingest.Document
    patterns: object = None  # features.encoding.EncodingPatterns
    _memo: dict = field(default_factory=dict)

    def memo(self, key, compute):
        """A corpus-wide lookup computed once per check, whoever asks first."""
        if key not in self._memo:
            self._memo[key] = compute()
        return self._memo[key]


class Row(dict):
    """One row of a table: its values by column name, and ``name``, its label (as a pandas row has)."""

    __slots__ = ("name",)

    def __init__(self, values: dict, name):
        super().__init__(values)
        self.name = name


class Rule:
    code: ClassVar[str]
    name: ClassVar[str]
    family: ClassVar[str]
    frame: ClassVar[str] = "paragraphs"  # the frame whose rows the expectation flags
    opt_in: ClassVar[bool] = False  # runs only when selected by its full code
    yields_to: ClassVar[str] = ""  # a code prefix: not reported where such a rule already is

    def hits(self, row: Row, spec: ExpectationSpec, corpus: CorpusView) -> list[Hit]:
        raise NotImplementedError

    @classmethod
    def doc(cls) -> str:
        import inspect

        return inspect.cleandoc(cls.__doc__ or "")


RULES: dict[str, type[Rule]] = {}


def register(rule: type[Rule]) -> type[Rule]:
    if rule.code in RULES:
        raise ValueError(f"rule code {rule.code} registered twice")
    if rule.family not in FAMILIES:
        raise ValueError(f"{rule.code}: unknown family {rule.family}")
    if "Bad:" not in (rule.__doc__ or "") or "Good:" not in (rule.__doc__ or ""):
        raise ValueError(f"{rule.code}: the docstring needs a Bad: and a Good: example")
    RULES[rule.code] = rule
    return rule


def quote(text: str, limit: int = 60) -> str:
    """“text” for a message: white space folded, long text cut, undecodable bytes shown as U+FFFD."""
    text = printable(" ".join(text.split()))
    return "“" + (text if len(text) <= limit else text[: limit - 1] + "…") + "”"


# --------------------------------------------------------------------------- noise


class PatternRule(Rule):
    """A paragraph that matches one of the expectation's ``regex_list``."""

    family = "noise"
    what: ClassVar[str]

    def hits(self, row, spec, corpus):
        raw = row["raw"]
        for pattern in spec.kwargs.get("regex_list") or [spec.kwargs["regex"]]:
            match = re.search(pattern, raw)
            if match:
                start, end = match.span()
                start += len(match.group()) - len(match.group().lstrip())  # point at text, not indent
                break
        else:  # matched only after normalisation: point at the whole paragraph
            start, end = 0, len(raw)
        return [
            Hit(
                row.name,
                start,
                len(raw) if end <= start else end,
                f"{self.what}: {quote(raw)}",
                "delete this paragraph: it is part of the web page, not of the article",
            )
        ]


@register
class NewsletterPrompt(PatternRule):
    """Newsletter and subscription prompts left by the scraper, wherever they sit in a short
    paragraph: "Enjoyed this story? Sign up for…", "…by signing up to our newsletter",
    "…delivered straight to your inbox", paywall and log-in prompts ("To read the full story,
    please subscribe", "Already a subscriber? Log in"), a newsletter box's title.

    Bad:
        Sign up for Daily Newsletters
        Never miss a story by signing up to our daily newsletter today!
    Good:
        (the paragraph removed; the article goes straight on)
    """

    code = "BP001"
    name = "newsletter-prompt"
    what = "newsletter or subscription prompt"


@register
class CopyrightFooter(PatternRule):
    """Copyright, "All rights reserved" and reprint-permission footers.

    Bad:
        Copyright © 2019 The Washington Times, LLC. Click here for reprint permission.
    Good:
        (the footer removed; a copyright notice belongs to the page, not the story)
    """

    code = "BP002"
    name = "copyright-footer"
    what = "copyright or reprint footer"


@register
class CommentPolicy(PatternRule):
    """Comment-section furniture: comment policies, "Leave a comment", comment counts.

    Bad:
        Please read our comment policy before commenting.
    Good:
        (the line removed)
    """

    code = "BP003"
    name = "comment-policy"
    what = "comment-section text"


@register
class CallToAction(PatternRule):
    """A short line telling the reader to click, tap, share or read more.

    Bad:
        Click to Read More and View Comments
    Good:
        (the button text removed)
    """

    code = "BP004"
    name = "call-to-action"
    what = "button or link text"


@register
class DatelineByline(PatternRule):
    """Datelines, bylines and time stamps pasted as paragraphs of their own.

    Bad:
        - The Washington Times - Monday, November 18, 2019
    Good:
        (the line removed; dates and authors belong in the corpus's metadata)
    """

    code = "BP005"
    name = "dateline-byline"
    what = "dateline, byline or time stamp"


@register
class PhotoCredit(PatternRule):
    """Photo credits and caption furniture: a credit line ("Photo by …", "Image copyright
    Reuters", "Image source, Getty Images", "Jane Doe/AFP via Getty Images"), and a caption
    that ends in its credit, after a space, a bar or nothing at all ("…in Seoul. Photo: X/Reuters",
    "…the race.Credit: X/Xinhua", "…on Sunday (Image: @CityPolice)", "…(Getty Images)").

    Bad:
        (AP Photo/Ahn Young-joon)
        Firefighters work through the night above the town. Photo: Maria Lopez/Reuters
    Good:
        (the credit removed, with the caption it ends)
    """

    code = "BP006"
    name = "photo-credit"
    what = "photo credit or caption"


@register
class WireTrailer(PatternRule):
    """Wire-service trailers: who reported, wrote and edited the story ("Reporting by …;
    Editing by …", with a comma as well), and who contributed to it ("X and Y contributed to
    this report", "X contributed reporting from Kyiv").

    Bad:
        Reporting by Josh Smith; Editing by Michael Perry
        Jane Doe in Seoul and John Smith in Tokyo contributed to this report.
    Good:
        (the trailer removed)
    """

    code = "BP007"
    name = "wire-trailer"
    what = "wire-service trailer"


@register
class StandaloneLink(PatternRule):
    """A URL, e-mail address or embed code standing alone as a paragraph.

    Bad:
        https://example.com/news/world
    Good:
        (the link removed)
    """

    code = "BP008"
    name = "standalone-link"
    what = "link, address or embed code"


@register
class PageNotice(PatternRule):
    """Advertisement labels, cookie and privacy notices, affiliate-link disclosures,
    "Related:" and "Read more:" lists, "Most read" and "Most popular" box titles ("Most Read
    Today", "Most Read Business").

    Bad:
        Advertisement
        This post may contain affiliate links. As an Amazon Associate I earn from qualifying purchases.
    Good:
        (the notice removed)
    """

    code = "BP009"
    name = "page-notice"
    what = "page notice"


class ScoredNoiseRule(Rule):
    """Page furniture by the noise model's score (``noise_score``, ``features/noise_model.py``):
    the paragraph's probability of being furniture, from its shape, its neighbours and the
    corpus. The finding names the features that weigh most towards it (``noise_why``). It
    yields to a pattern's finding (BP001–BP009) on the same paragraph of the same severity or
    a graver one, and the review warning to the error."""

    family = "noise"
    yields_to = "BP"
    what: ClassVar[str]

    def hits(self, row, spec, corpus):
        raw = row["raw"]
        start = len(raw) - len(raw.lstrip())
        why = row.get("noise_why")
        because = f"score {row['noise_score']:.2f}" + (f": {why}" if why else "")
        return [
            Hit(
                row.name,
                start,
                len(raw.rstrip()),
                f"{self.what} ({because}): {quote(raw)}",
                "delete this paragraph if it is not part of the article",
            )
        ]


@register
class PageFurniture(ScoredNoiseRule):
    """The noise model scores the paragraph above the error threshold
    (``[tool.corpus-validator.noise] error_threshold``): it is page furniture, a menu entry,
    a share bar, a related-stories list, a caption or credit, a footer line, a comment.
    Signs the model weighs: few words and no sentence's end, capitals and digits, where it
    sits (outside the story, in a run of short lines, in the comments), the same text in
    several files of the corpus (site template text; prose never counts as that).

    Bad:
        (after the story) Manage Newsletters
        (in 40 files of the corpus) Most Popular
    Good:
        (inside the story) The talks ended without agreement, officials in Seoul said.
    """

    code = "BP100"
    name = "page-furniture"
    what = "page furniture"


@register
class PossiblePageFurniture(ScoredNoiseRule):
    """The noise model scores the paragraph above the review threshold
    (``[tool.corpus-validator.noise] review_threshold``) but not above the error threshold: it
    may be page furniture. A warning: a story's own lists, table cells and subheadings can
    look the same.

    Bad:
        (a list of headlines after the story) Rep. Jeff Van Drew, N.J. Democrat, plans to become a Republican
    Good:
        a paragraph of the story
    """

    code = "BP101"
    name = "possible-page-furniture"
    what = "possible page furniture"


@register
class FurnishedPageFurniture(ScoredNoiseRule):
    """In a file where a paragraph is page furniture by the score (BP100), another paragraph
    scores above the furnished threshold (``[tool.corpus-validator.noise]
    furnished_threshold``, below the error threshold): a page that kept its menus keeps the
    rest of its furniture too, while a clean article seldom has one paragraph above the
    error threshold, so this lower bar adds errors only to files that fail already.

    Bad:
        (after the story, in a file whose "Log in | Subscribe | Help" is BP100) Most Read
    Good:
        (the same line in a file where nothing scores above the error threshold) Most Read
    """

    code = "BP103"
    name = "furniture-in-furnished-file"
    what = "page furniture in a file with page furniture"


@register
class SiteTemplateText(Rule):
    """The same line in three or more files of the corpus that are not copies of one another
    (a file and its exact or near copies, as DU002 and DU004 find them, count once), next to
    another such line: the site's template text, its header, share bar, newsletter box or
    footer, around different stories. A subheading many stories share stands alone and is
    not template text; running text counts only beside a shared line that is not running
    text (a footer's "published by" line beside its links), so a passage several stories
    quote is a shared passage (DU005), not template text. The bound is the expectation's
    ``max_value`` on ``template_files``.

    Bad:
        (in 40 articles of one site) Share on Facebook | Share on X | Email this article
    Good:
        (one article copied into three files) its paragraphs: a duplicate (DU002), not template text
    """

    code = "BP102"
    name = "site-template-text"
    family = "noise"

    def hits(self, row, spec, corpus):
        raw = row["raw"]
        start = len(raw) - len(raw.lstrip())
        return [
            Hit(
                row.name,
                start,
                len(raw.rstrip()),
                f"site template text (in {row['template_files']} files): {quote(raw)}",
                "delete this paragraph: it is part of the site's page, not of the article",
            )
        ]


# ------------------------------------------------------------------------ encoding


def _changed_regions(before: str, after: str) -> list[tuple[int, int, str]]:
    """(start, end, replacement) of each region of ``before`` that differs in ``after``."""
    matcher = difflib.SequenceMatcher(None, before, after, autojunk=False)
    return [(i1, i2, after[j1:j2]) for tag, i1, i2, j1, j2 in matcher.get_opcodes() if tag != "equal"]


def describe_mix_up(fixes: str) -> str:
    """"encode sloppy-windows-1252; decode utf-8" -> "UTF-8 read as Windows-1252"."""
    steps = [s.split(" ", 1) for s in fixes.split("; ") if " " in s]
    wrong = next((p for a, p in steps if a == "encode"), None)
    right = next((p for a, p in steps if a == "decode"), None)
    if wrong and right:
        wrong = wrong.replace("sloppy-", "").replace("windows-", "Windows-")
        return f"{right.upper()} text read as {wrong}"
    return "text decoded with the wrong encoding (" + fixes + ")"


@register
class Mojibake(Rule):
    """Mojibake that ftfy can repair: UTF-8 bytes that were decoded with another encoding.

    Bad:
        Mr. Trumpâ€™s tweet
    Good:
        Mr. Trump’s tweet
    """

    code = "EN001"
    name = "mojibake"
    family = "encoding"

    def hits(self, row, spec, corpus):
        cause = describe_mix_up(row["mojibake"])
        repaired = repair_encoding(row["raw"])
        return [
            Hit(
                row.name,
                start,
                max(end, start + 1),
                f"mojibake ({cause}): {quote(row['raw'][start:end], 30)}",
                f"replace with {quote(replacement, 30)}",
                edits=((start, end, replacement),),
            )
            for start, end, replacement in _changed_regions(row["raw"], repaired)
        ]


def repair_encoding(raw: str) -> str:
    """ftfy's encoding repair alone: what EN001 proposes, nothing that other rules own."""
    import ftfy

    from .normalise import FTFY_CONFIG

    return ftfy.fix_encoding(raw, config=FTFY_CONFIG)


@register
class UndecodableBytes(Rule):
    """Bytes that are not valid UTF-8: the file was saved in another encoding, or damaged.

    Bad:
        Caf\\xe9 (a Latin-1 byte 0xE9 in a UTF-8 file)
    Good:
        Café (the file re-saved as UTF-8)
    """

    code = "EN002"
    name = "undecodable-bytes"
    family = "encoding"

    def hits(self, row, spec, corpus):
        offsets = row["undecodable"].split(", ")
        return [
            Hit(
                row.name,
                m.start(),
                m.end(),
                f"not UTF-8: {detail}",
                "re-save the file as UTF-8 (from Windows-1252: iconv -f cp1252 -t utf-8)",
            )
            for m, detail in zip(ESCAPED_BYTES.finditer(row["raw"]), offsets, strict=False)
        ]


@register
class ByteOrderMark(Rule):
    """A UTF-8 byte-order mark at the start of the file: invisible, and it breaks tools.

    Bad:
        \\ufeffNorth Korea says …
    Good:
        North Korea says …
    """

    code = "EN003"
    name = "byte-order-mark"
    family = "encoding"

    def hits(self, row, spec, corpus):
        return [
            Hit(row.name, 0, 0, "file starts with a UTF-8 byte-order mark", "remove the BOM (save as UTF-8 without BOM)")
        ]


@register
class BinaryFile(Rule):
    """A file with NUL bytes: not text (often UTF-16, an image or an archive).

    Raised while reading, before any expectation runs: the file has no paragraphs.

    Bad:
        N\\x00o\\x00r\\x00t\\x00h\\x00 (UTF-16)
    Good:
        North (UTF-8)
    """

    code = "EN004"
    name = "binary-file"
    family = "encoding"
    frame = "files"


class CharacterRule(Rule):
    """Characters of one class from ``expectations/encoding.toml``, each run located."""

    family = "encoding"
    pattern_key: ClassVar[str]
    what: ClassVar[str]
    advice: ClassVar[str]

    def replacement(self, found: str) -> str | None:
        """The safe repair of ``found``, or None when only a person can say what was meant."""
        return None

    def hits(self, row, spec, corpus):
        hits = []
        for match in corpus.patterns.classes[self.pattern_key].finditer(row["raw"]):
            found = match.group()
            fixed = self.replacement(found)
            if fixed == found:
                continue
            hits.append(
                Hit(
                    row.name,
                    match.start(),
                    match.end(),
                    f"{self.what}: {self.describe(found)}",
                    self.advice,
                    edits=((match.start(), match.end(), fixed),) if fixed is not None else (),
                )
            )
        return hits

    def describe(self, found: str) -> str:
        from .features.encoding import name_characters

        return name_characters(found)


class StrayCharacterRule(CharacterRule):
    """Characters that carry no text: the repair deletes them."""

    advice = "delete it (`corpus-validator fix` does)"

    def replacement(self, found):
        return ""


@register
class ReplacementCharacter(CharacterRule):
    """U+FFFD REPLACEMENT CHARACTER in the text: a decoder gave up here, and the original is lost.

    Bad:
        Caf� au lait
    Good:
        Café au lait (restored from the source)
    """

    code = "EN005"
    name = "replacement-character"
    pattern_key = "replacement"
    what = "replacement character, the original character is lost"
    advice = "restore the character from the source; no automatic fix can know it"


@register
class ControlCharacter(StrayCharacterRule):
    """C0/C1 control characters (other than tab and line breaks) inside text.

    Bad:
        North Korea\x07 said
    Good:
        North Korea said
    """

    code = "EN006"
    name = "control-character"
    pattern_key = "control"
    what = "control character"


@register
class InvisibleCharacter(StrayCharacterRule):
    """Zero-width, soft-hyphen and bidirectional-control characters: they hide or reorder text.

    Bad:
        Pyong\\u200byang (a zero-width space splits the word for every search)
    Good:
        Pyongyang
    """

    code = "EN007"
    name = "invisible-character"
    pattern_key = "invisible"
    what = "invisible character"


@register
class OddSpace(CharacterRule):
    """Spaces other than U+0020: no-break, fixed-width and ideographic spaces.

    Often deliberate (a no-break space keeps "10 000" together), so only info.

    Bad:
        Kim\u00a0Jong Un
    Good:
        Kim Jong Un
    """

    code = "EN008"
    name = "odd-space"
    pattern_key = "odd_space"
    what = "unusual space"
    advice = "replace with a plain space (`corpus-validator fix` does)"

    def replacement(self, found):
        return " " * len(found)


@register
class HtmlEntity(CharacterRule):
    """An HTML character reference left in plain text.

    Bad:
        Trump &amp; Kim
    Good:
        Trump & Kim
    """

    code = "EN009"
    name = "html-entity"
    pattern_key = "html_entity"
    what = "HTML entity"
    advice = "replace it with the character it stands for (`corpus-validator fix` does)"

    def replacement(self, found):
        import html

        return html.unescape(found)

    def describe(self, found):
        return f"{found} stands for {quote(self.replacement(found))}"


@register
class NotNfc(Rule):
    """Text not in Unicode normalisation form C: the same word in two byte forms.

    Bad:
        Cafe\u0301 (e + combining acute accent)
    Good:
        Café (one precomposed character)
    """

    code = "EN010"
    name = "not-nfc"
    family = "encoding"

    def hits(self, row, spec, corpus):
        import unicodedata

        composed = unicodedata.normalize("NFC", row["raw"])
        return [
            Hit(
                row.name,
                start,
                end,
                f"not in NFC: {quote(row['raw'][start:end], 20)} composes to {quote(replacement, 20)}",
                "normalise to NFC (`corpus-validator fix` does)",
                edits=((start, end, replacement),),
            )
            for start, end, replacement in _changed_regions(row["raw"], composed)
        ]


@register
class MixedLineEndings(Rule):
    r"""A file that mixes CRLF, LF and CR line breaks.

    Reported once per file, at the first line break of a kind the file uses less; the
    repair rewrites every such line break in the file, not only the one the finding names.

    Bad:
        line one\r\nline two\nline three\r\n
    Good:
        line one\r\nline two\r\nline three\r\n
    """

    code = "EN011"
    name = "mixed-line-endings"
    family = "encoding"

    def hits(self, row, spec, corpus):
        from collections import Counter

        from .features.encoding import LINE_ENDINGS as names
        from .segment import LINE_BREAK

        text = corpus.documents[row["doc_id"]].text
        breaks = list(LINE_BREAK.finditer(text))
        usual = Counter(m.group() for m in breaks).most_common(1)[0][0]
        odd = [m for m in breaks if m.group() != usual]
        first = odd[0]
        # The row is the file's first paragraph; anchor on the one the first odd line break is in or follows.
        paragraphs, anchor = corpus.paragraphs, row.name
        while (
            anchor + 1 < len(paragraphs)
            and paragraphs["doc_id"][anchor + 1] == row["doc_id"]
            and paragraphs["char_start"][anchor + 1] <= first.start()
        ):
            anchor += 1
        base = paragraphs["char_start"][anchor]
        return [
            Hit(
                anchor,
                first.start() - base,
                first.start() - base,
                f"mixed line endings: {row['mixed_line_endings']}; this one is {names[first.group()]}, "
                f"the first of the file's line breaks that are not {names[usual]} ({len(odd)})",
                f"use {names[usual]} throughout (`corpus-validator fix` rewrites every line break of the file "
                f"that is not {names[usual]}, not only this one)",
                edits=tuple((m.start() - base, m.end() - base, usual) for m in odd),
            )
        ]


@register
class UnrepairedMojibake(Rule):
    """Text that still looks like mojibake after ftfy's repair: ftfy sees it but cannot undo it.

    Bad:
        Ã¢â‚¬Å“quotedÃ¢â‚¬Â (damaged twice, bytes lost)
    Good:
        “quoted” (restored from the source)
    """

    code = "EN012"
    name = "unrepaired-mojibake"
    family = "encoding"

    def hits(self, row, spec, corpus):
        return [
            Hit(
                row.name,
                0,
                len(row["raw"]),
                f"looks like mojibake that ftfy cannot repair: {quote(row['raw'], 40)}",
                "restore this paragraph from the source",
            )
        ]


@register
class Typography(CharacterRule):
    """Curly quotes, ellipses and dashes, for corpora whose house style is plain ASCII.

    Off unless selected by its full code (``--select EN013``): typography is a choice, not damage.

    Bad:
        “act quickly” … (under an ASCII house style)
    Good:
        "act quickly" ...
    """

    code = "EN013"
    name = "typography"
    opt_in = True
    pattern_key = "typography"
    what = "typographic character"
    advice = "replace with its ASCII form (`corpus-validator fix --select EN013` does)"
    ASCII = {"‘": "'", "’": "'", "‚": "'", "‛": "'", "“": '"', "”": '"', "„": '"', "‟": '"',
             "…": "...", "–": "-", "—": "--"}  # fmt: skip

    def replacement(self, found):
        return "".join(self.ASCII.get(c, c) for c in found)


# ----------------------------------------------------------------------- duplicate


def _copies(dup_of: list) -> dict[int, list[int]]:
    """original row -> the rows that copy it, in order."""
    copies: dict[int, list[int]] = {}
    for row, original in enumerate(dup_of):
        if original is not None:
            copies.setdefault(original, []).append(row)
    return copies


@register
class DuplicateParagraph(Rule):
    """The same paragraph twice in the corpus, after folding case, spacing and punctuation.

    The first occurrence (files in path order) is the original; each later copy is
    reported, pointing at the original first and then at the other copies.

    Bad:
        a.txt: “We are no longer interested in such talks,” the statement said.
        b.txt: "We are no longer interested in such talks" the statement said.
    Good:
        one of the two kept
    """

    code = "DU001"
    name = "duplicate-paragraph"
    family = "duplicate"

    def hits(self, row, spec, corpus):
        original = int(row["dup_of"])
        frame = corpus.paragraphs
        groups = corpus.memo("copies", lambda: _copies(frame["dup_of"]))
        copies = groups[original]
        first = frame.row(original)
        others = [(original, 0)] + [(r, 0) for r in copies if r != row.name]
        return [
            Hit(
                row.name,
                0,
                len(row["raw"]),
                f"paragraph repeats {first['path']}:{first['line_start']}"
                + (f" ({len(copies) + 1} copies in all)" if len(copies) > 1 else ""),
                "keep one copy and delete the others",
                tuple(others),
            )
        ]


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
        original = corpus.paragraphs.row(earlier)
        end = 0 if self.whole_file else len(row["raw"])
        return [Hit(row.name, 0, end, self.message(row, original), self.suggestion, ((earlier, 0),))]


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
        b.txt: “We are no longer interested in such talks that bring nothing to us,” he said.
    Good:
        the overlap known and kept on purpose (baseline it), or one copy removed
    """

    code = "DU005"
    name = "shared-passage"
    family = "duplicate"

    def hits(self, row, spec, corpus):
        hits = []
        for start, end, first_row, first_start in row["passages"]:
            original = corpus.paragraphs.row(first_row)
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


# ---------------------------------------------------------------------------- name


class NameRule(Rule):
    """A mention spelled otherwise than the corpus's (or the registry's) spelling of its name."""

    family = "name"
    frame = "mentions"
    target_column: ClassVar[str]  # the mentions column that holds the spelling to use
    safe_to_rewrite: ClassVar[bool] = True

    def message(self, surface: str, target: str, places: int) -> str:
        raise NotImplementedError

    def hits(self, row, spec, corpus):
        target = row[self.target_column]
        if target is None:  # the expectation saw a tie or a capital a sentence gives; the name features did not
            return []
        places = corpus.memo(
            "mention places",
            lambda: _places_by_surface(corpus.mentions),
        )
        same = places.get(target, ())
        start, end = int(row["start"]), int(row["end"])
        edit = rename_edit(corpus.paragraphs["raw"][int(row["row"])], start, end, target) if self.safe_to_rewrite else None
        return [
            Hit(
                int(row["row"]),
                start,
                max(end, edit[1]) if edit else end,  # "US." when its dot becomes the abbreviation's
                self.message(row["surface"], target, len(same)),
                f"write {quote(target)}",
                same,  # one tuple per spelling, shared by every mention that should read so
                edits=(edit,) if edit else (),
            )
        ]


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


def _places_by_surface(mentions: Table) -> dict[str, tuple[tuple[int, int], ...]]:
    """spelling -> (paragraph row, offset) of each mention written so, in order: one tuple per
    spelling, which every hit naming it shares (a name in thousands of files is not copied
    into each of its variants' findings)."""
    places: dict[str, list[tuple[int, int]]] = {}
    for surface, row, start in zip(mentions["surface"], mentions["row"], mentions["start"], strict=True):
        places.setdefault(surface, []).append((int(row), int(start)))
    return {surface: tuple(where) for surface, where in places.items()}


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
    sentence's full stop ("the US." becomes "the U.S.").

    Bad:
        a.txt: … addressed directly to Kim Jong-un …
        b.txt: … North Korean leader Kim Jong Un …   (four times)
    Good:
        Kim Jong Un, everywhere
    """

    code = "NM001"
    name = "name-variant"
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
