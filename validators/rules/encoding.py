"""The encoding family's rules: mojibake, undecodable bytes, stray characters, byte forms, line endings."""

from __future__ import annotations

import difflib
import re
from typing import ClassVar

from ..ingest import ESCAPED_BYTES
from .base import Hit, Rule, quote, register


def encoding_patterns(corpus):
    """The run's ``encoding.toml`` (``features.encoding.EncodingPatterns``): the encoding
    step's prepared setup, so the rules point at what the step found, from the same data."""
    return corpus.setups["encoding"]


#: Characters of the two texts above which ``_changed_regions`` aligns them in linear time:
#: ``difflib`` takes time that grows up to the square of the length (a 16 KB paragraph of
#: mojibake took three minutes).
DIFF_MAX_CHARS = 4_000
#: How far past a difference the linear alignment looks for the texts to agree again, and
#: for how many characters they must agree: a repair changes a few characters at a place.
RESYNC_CHARS = 16
AGREE_CHARS = 3


def _changed_regions(before: str, after: str) -> list[tuple[int, int, str]]:
    """(start, end, replacement) of each region of ``before`` that differs in ``after``."""
    if len(before) + len(after) > DIFF_MAX_CHARS:
        return _changed_regions_linear(before, after)
    matcher = difflib.SequenceMatcher(None, before, after, autojunk=False)
    return [(i1, i2, after[j1:j2]) for tag, i1, i2, j1, j2 in matcher.get_opcodes() if tag != "equal"]


def _changed_regions_linear(before: str, after: str) -> list[tuple[int, int, str]]:
    """``_changed_regions`` of long texts that a repair changed in places (mojibake, NFC): each
    difference ends where, within ``RESYNC_CHARS`` of it on each side, the texts agree again
    for ``AGREE_CHARS`` characters (or both end). Where no such place is near, one region runs
    from the first difference to the last: always a true account of the change, if coarse."""
    n, m = len(before), len(after)
    regions = []
    i = j = 0
    while i < n and j < m:
        if before[i] != after[j]:
            resync = _resync(before, after, i, j)
            if resync is None:
                return _one_region(before, after)
            di, dj = resync
            regions.append((i, i + di, after[j : j + dj]))
            i, j = i + di, j + dj
            continue
        step = AGREE_CHARS * 8  # equal stretches skipped a block at a time
        while i + step <= n and j + step <= m and before[i : i + step] == after[j : j + step]:
            i, j = i + step, j + step
        while i < n and j < m and before[i] == after[j]:
            i, j = i + 1, j + 1
    if i < n or j < m:
        regions.append((i, n, after[j:]))
    return regions


def _resync(before: str, after: str, i: int, j: int) -> tuple[int, int] | None:
    """The nearest (di, dj), by di + dj, where the texts agree again after a difference at i, j."""
    n, m = len(before), len(after)
    for total in range(1, 2 * RESYNC_CHARS + 1):
        for di in range(max(0, total - RESYNC_CHARS), min(total, RESYNC_CHARS) + 1):
            dj = total - di
            a, b = i + di, j + dj
            if a > n or b > m:
                continue
            ahead = before[a : a + AGREE_CHARS]
            if ahead == after[b : b + AGREE_CHARS] and (len(ahead) == AGREE_CHARS or (a + len(ahead) == n and b + len(ahead) == m)):
                return di, dj  # agreeing for AGREE_CHARS characters, or to both ends
    return None


def _one_region(before: str, after: str) -> list[tuple[int, int, str]]:
    prefix = 0
    while prefix < min(len(before), len(after)) and before[prefix] == after[prefix]:
        prefix += 1
    suffix = 0
    while suffix < min(len(before), len(after)) - prefix and before[-1 - suffix] == after[-1 - suffix]:
        suffix += 1
    return [(prefix, len(before) - suffix, after[prefix : len(after) - suffix])]


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
    columns = ("mojibake",)
    fixable = True
    family = "encoding"

    def hits(self, row, spec, corpus):
        cause = describe_mix_up(row["mojibake"])
        return [
            Hit(
                row.name,
                start,
                max(end, start + 1),
                f"mojibake ({cause}): {quote(row['raw'][start:end], 30)}",
                f"replace with {quote(replacement, 30)}",
                edits=((start, end, replacement),),
            )
            for start, end, replacement in mojibake_regions(row, corpus)
        ]


def mojibake_regions(row, corpus) -> list[tuple[int, int, str]]:
    """(start, end, replacement) of each place EN001 repairs in the row's raw text, worked out
    once per row whichever rule asks first (the stray-character rules leave these to EN001)."""
    regions = corpus.memo("mojibake regions", dict)
    if row.name not in regions:
        regions[row.name] = _changed_regions(row["raw"], repair_encoding(row["raw"]))
    return regions[row.name]


def repair_encoding(raw: str) -> str:
    """ftfy's encoding repair alone: what EN001 proposes, nothing that other rules own."""
    import ftfy

    from ..normalise import FTFY_CONFIG

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
    columns = ("undecodable",)
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
    columns = ("bom",)
    scope = "file"
    severity = "warning"
    fixable = True
    removes_bom = True
    family = "encoding"

    def hits(self, row, spec, corpus):
        return [
            Hit(row.name, 0, 0, "file starts with a UTF-8 byte-order mark", "remove the BOM (save as UTF-8 without BOM)")
        ]


@register
class BinaryFile(Rule):
    """A file with NUL bytes: not text (often UTF-16, an image or an archive).

    Found while reading: the file has no paragraphs, so its row of the files table
    (``nul_byte``, the first NUL byte's offset) is what fails, and nothing else in it is checked.

    Bad:
        N\\x00o\\x00r\\x00t\\x00h\\x00 (UTF-16)
    Good:
        North (UTF-8)
    """

    code = "EN004"
    name = "binary-file"
    columns = ("nul_byte",)
    scope = "file"
    family = "encoding"
    frame = "files"

    def hits(self, row, spec, corpus):
        return [
            Hit(
                None,
                0,
                0,
                f"binary file: NUL byte at byte {row['nul_byte']}; nothing in it was checked",
                "if it is UTF-16 text, re-save it as UTF-8; otherwise remove it from the corpus",
                path=row["path"],
            )
        ]


#: Said instead of a repair that would join the undecodable bytes on either side of it.
JOINS_BYTES_ADVICE = (
    "re-save the file as UTF-8 first (EN002), then fix again: repaired now, the undecodable bytes "
    "on either side would join into another character"
)


_ESCAPES_TO_END = re.compile("[\udc80-\udcff]+\\Z")  # \Z: not before a line break, as $ would


def joins_bytes(raw: str, start: int, end: int, replacement: str) -> bool:
    """Whether replacing ``raw[start:end]`` would put undecodable bytes (``surrogateescape``'s
    lone surrogates) side by side that together decode as UTF-8: "\\xc3", a zero-width space,
    "\\xa9" would become "é" once the space went, a character no finding named."""
    before = _ESCAPES_TO_END.search(raw, max(0, start - 3), start)
    after = ESCAPED_BYTES.match(replacement + raw[end : end + 3])
    if before is None or after is None:
        return False
    joined = before.group() + after.group()
    return joined.encode("utf-8", "surrogateescape").decode("utf-8", "surrogateescape") != joined


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
        for match in encoding_patterns(corpus).classes[self.pattern_key].finditer(row["raw"]):
            found = match.group()
            fixed = self.replacement(found)
            if fixed == found:
                continue
            advice = self.advice
            if fixed is not None and joins_bytes(row["raw"], match.start(), match.end(), fixed):
                fixed, advice = None, JOINS_BYTES_ADVICE
            hits.append(
                Hit(
                    row.name,
                    match.start(),
                    match.end(),
                    f"{self.what}: {self.describe(found)}",
                    advice,
                    edits=((match.start(), match.end(), fixed),) if fixed is not None else (),
                )
            )
        return hits

    def describe(self, found: str) -> str:
        from ..features.encoding import name_characters

        return name_characters(found)


class StrayCharacterRule(CharacterRule):
    """Characters that carry no text: the repair deletes them. One inside mojibake that EN001
    repairs ("\x93" for a curly quote, the soft hyphen of "Ã\xad" for "í") is part of that
    finding, not one of its own: deleting it would lose the character EN001 restores."""

    advice = "delete it (`corpus-validator fix` does)"

    def replacement(self, found):
        return ""

    def hits(self, row, spec, corpus):
        hits = super().hits(row, spec, corpus)
        if hits and row.get("mojibake"):
            repaired = mojibake_regions(row, corpus)
            hits = [h for h in hits if not any(start <= h.start and h.end <= end for start, end, _ in repaired)]
        return hits


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
    columns = ("replacement_chars",)
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
    columns = ("control_chars",)
    fixable = True
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
    columns = ("invisible_chars",)
    fixable = True
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
    columns = ("odd_spaces",)
    severity = "info"
    fixable = True
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
    columns = ("html_entities",)
    fixable = True
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
    columns = ("not_nfc",)
    severity = "warning"
    fixable = True
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
    columns = ("mixed_line_endings",)
    scope = "file"
    severity = "warning"
    fixable = True
    family = "encoding"

    def hits(self, row, spec, corpus):
        from collections import Counter

        from ..features.encoding import LINE_ENDINGS as names
        from ..segment import LINE_BREAK

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
    columns = ("unrepaired_mojibake",)
    severity = "info"
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
    columns = ("typography",)
    severity = "info"
    fixable = True
    opt_in = True
    pattern_key = "typography"
    what = "typographic character"
    advice = "replace with its ASCII form (`corpus-validator fix --select EN013` does)"
    ASCII = {"‘": "'", "’": "'", "‚": "'", "‛": "'", "“": '"', "”": '"', "„": '"', "‟": '"',
             "…": "...", "–": "-", "—": "--"}  # fmt: skip

    def replacement(self, found):
        return "".join(self.ASCII.get(c, c) for c in found)


@register
class MixedScriptWord(Rule):
    """A word that mixes Latin letters with Cyrillic or Greek ones that look the same.

    A reader sees one word; a search, a tokeniser and the duplicate and name rules see
    another. Scraped pages carry them where a site hid text from filters, and text typed
    on two keyboard layouts carries them too. The lookalike letters are data
    (``[lookalikes]`` in ``expectations/encoding.toml``); a Greek letter beside an
    abbreviation ("Aβ", "NFκB") is a symbol, not a lookalike, and is left alone. Info by
    default: a stylised name may mean its letter (ftfy's own example, "SENSЕ" with a
    Ukrainian Е); ``severity = { EN014 = "error" }`` makes it fail the gate.

    Bad:
        Advertise in \u0412\u0435l\u0456z\u0435 (Cyrillic В, е, і in a Latin word)
    Good:
        Advertise in Belize
    """

    code = "EN014"
    name = "mixed-script-word"
    columns = ("mixed_script",)
    severity = "info"
    fixable = True
    family = "encoding"

    def hits(self, row, spec, corpus):
        from ..features.encoding import mixed_script_words, name_characters

        raw, hits = row["raw"], []
        for start, end, fixed in mixed_script_words(raw, encoding_patterns(corpus).lookalikes):
            word = raw[start:end]
            swapped = [(start + i, start + i + 1, new) for i, (old, new) in enumerate(zip(word, fixed, strict=True)) if old != new]
            letters = name_characters("".join(raw[s:e] for s, e, _ in swapped))
            hits.append(
                Hit(
                    row.name,
                    start,
                    end,
                    f"word mixing scripts: {quote(word)} is written with {letters}",
                    f"write {quote(fixed)} (`corpus-validator fix` does)",
                    edits=tuple(swapped),
                )
            )
        return hits
