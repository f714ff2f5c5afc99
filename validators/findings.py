"""Turn failed expectations into findings: file, line, column, what, and how to fix it."""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass, field, replace

import numpy as np

from .evaluate import Outcome
from .frame import file_starts, picked
from .features.duplicate import canonical
from .rules import RULES, SEVERITIES, AllBut, CorpusView, Hit, PatternRule, ReadsAsTuple, Row, Rule
from .segment import line_breaks, span_in


# Not frozen, as no place or finding changes once made: a frozen dataclass sets each field
# through object.__setattr__, a sixth of the cost of making a finding. They hash as frozen ones.
@dataclass(slots=True, unsafe_hash=True)
class Place:
    path: str
    line: int
    column: int
    # Where the related text ends (exclusive), for formats that show a span (SARIF).
    end_line: int | None = field(default=None, compare=False)
    end_column: int | None = field(default=None, compare=False)


#: Most related places a finding's list has for them to be resolved when the finding is made;
#: a longer list (a page's copies across a crawl, the mentions of a name) is a ``Places``.
EAGER_PLACES = 16


class Places(ReadsAsTuple):
    """A finding's related places, each resolved to file:line:column when first read: the text
    report shows a few of each finding's (``output.text.MAX_RELATED_SHOWN``), and a group of k
    copies names k places that only JSON, SARIF and JUnit read whole. Each place is resolved
    once however many findings name it (``Locator.related_place``). Reads, compares and hashes
    as the tuple it stands for."""

    __slots__ = ("_locate", "_related", "_head")

    def __init__(self, locate: Locator, related: tuple):
        self._locate, self._related = locate, related
        self._head: tuple[Place, ...] = ()  # the places resolved so far, from the first: the findings sharing them slice it

    def __len__(self) -> int:
        return len(self._related)

    def __bool__(self) -> bool:
        return bool(self._related)

    def _resolved(self, stop: int) -> tuple[Place, ...]:
        """The places up to ``stop`` (at least), resolved."""
        head = self._head
        if len(head) < stop:
            stop = max(stop, 2 * len(head))  # read one by one, the head grows in as many steps as it doubles
            head = self._head = head + tuple(map(self._locate.related_place, self._related[len(head) : stop]))
        return head

    def __getitem__(self, index):
        n = len(self._related)
        if isinstance(index, slice):
            start, stop, step = index.indices(n)
            if step < 0:
                return self._resolved(n)[index]
            return self._resolved(stop)[start:stop:step]  # bounds of the whole, not of the head
        if index < 0:
            index += n
        if not 0 <= index < n:
            raise IndexError("Places index out of range")
        return self._resolved(index + 1)[index]

    def __iter__(self):
        return iter(self._resolved(len(self._related)))

    def __reduce__(self):  # pickled or copied as the tuple: not with the locator and its table
        return tuple, (tuple(self),)


@dataclass(slots=True, unsafe_hash=True)  # no per-object dict: a large corpus has hundreds of thousands
class Finding:
    code: str
    family: str
    severity: str  # error, warning or info; only errors fail the gate
    path: str
    line: int  # 1-based
    column: int  # 1-based, in Unicode code points
    end_line: int
    end_column: int  # exclusive
    message: str
    suggestion: str
    # ``Places`` (resolved when read), or an ``AllBut`` of them: a group's places less its own.
    related: tuple[Place, ...] | Places | AllBut = field(default=())
    # How many other places there are in all: ``related`` lists the first ``rules.MAX_RELATED``
    # (never fewer than it lists: ``__post_init__``).
    related_count: int = field(default=0, compare=False)
    # Safe repairs: (start, end, replacement) as character offsets in the decoded file.
    edits: tuple[tuple[int, int, str], ...] = field(default=(), compare=False)
    # What its fingerprint is made of: (paragraph, span start, span end) in it; ("", 0, 0): the file.
    material: tuple[str, int, int] = field(default=("", 0, 0), compare=False, repr=False)
    row: int | None = field(default=None, compare=False)  # the paragraph's label in the frame
    removes_bom: bool = field(default=False, compare=False)  # its repair drops the file's byte-order mark
    _fingerprint: str = field(default="", init=False, compare=False, repr=False)

    def __post_init__(self):
        if self.related_count < len(self.related):  # given as the places listed: all of them
            self.related_count = len(self.related)

    @property
    def fixable(self) -> bool:
        return bool(self.edits) or self.removes_bom

    @property
    def fingerprint(self) -> str:
        """Its stable identity for baselines (``fingerprint()``), worked out when first asked:
        a check whose output shows none (text, the gate) never hashes a paragraph."""
        if not self._fingerprint:
            paragraph, start, end = self.material
            self._fingerprint = fingerprint(self.code, self.path, paragraph, paragraph[start:end])
        return self._fingerprint

    def to_dict(self, place=None) -> dict:
        """The finding's record (``place``: what stands for each related place, by default its
        ``path``, ``line`` and ``column``)."""
        # Field by field, not ``asdict``: it deep-copies every related place of every finding.
        record = {name: getattr(self, name) for name in RECORDED}
        if place is None:
            record["related"] = [{"path": p.path, "line": p.line, "column": p.column} for p in self.related]
        else:
            record["related"] = [place(p) for p in self.related]
        return record

    @property
    def sort_key(self):
        return (self.path, self.line, self.column, self.code)


#: The keys of a finding's record (``Finding.to_dict``), in order.
RECORDED = ["code", "family", "severity", "path", "line", "column", "end_line", "end_column", "message", "suggestion",
            "related", "related_count", "fingerprint", "fixable"]  # fmt: skip


class Locator:
    """Paragraph-relative offsets to file places, with the lookups prepared once."""

    def __init__(self, corpus: CorpusView):
        frame = corpus.paragraphs
        self.documents = corpus.documents
        self.paths, self.doc_ids, self.starts, self.lines = frame["path"], frame["doc_id"], frame["char_start"], frame["line_start"]
        self.raw = frame["raw"]
        # Related lists resolved so far: one text's copies all name the same earlier row, and
        # a name's variants all share the rule's one tuple of its places (keyed by identity,
        # kept alive here so that identity stays theirs).
        self._resolved: dict = {}
        # Each document's line breaks, scanned once however many rules and findings ask
        # (a few-paragraph cache would rescan every document for every rule).
        self._breaks: dict = {}
        self._text_breaks: dict = {}
        self._places: dict = {}  # (row, offset) or (row, offset, end) -> the related place there

    def base(self, row: int) -> int:
        return int(self.starts[row])

    def place(self, row: int, offset: int) -> Place:
        path, line, column, _, _ = self.span(row, offset, offset)
        return Place(path, line, column)

    def span(self, row: int, offset: int, end: int) -> tuple[str, int, int, int, int]:
        """(path, line, column, end line, end column) of ``offset`` and ``end`` in ``row``."""
        path, doc_id, start, line_start = self.paths[row], self.doc_ids[row], self.starts[row], self.lines[row]
        # Offsets may run past the paragraph into its separator (line-ending rules).
        breaks = self._breaks.get(doc_id)
        if breaks is None:
            text = self.documents[doc_id].text
            breaks = self._text_breaks.get(text)
            if breaks is None:  # the copies of a text (a crawl holds many) share its scan
                breaks = self._text_breaks[text] = line_breaks(text)
            self._breaks[doc_id] = breaks
        return (path, *span_in(breaks, offset, end, int(line_start), int(start)))

    def _related(self, row: int, offset: int, end: int | None = None) -> Place:
        """The place of a related text; unless a rule gives its end, it runs to the end of its line."""
        if end is None:
            raw = self.raw[row]
            end = raw.find("\n", offset)
            end = len(raw) if end < 0 else end
        return Place(*self.span(row, offset, max(end, offset)))

    def related_places(self, related: tuple) -> Places | AllBut | tuple:
        """The places of a hit's ``related`` ((row, offset) or (row, offset, end) each), one
        tuple (up to ``EAGER_PLACES``) or ``Places`` per distinct list (findings that share a
        list share it), each place resolved once however many lists name it: the k copies of a
        text each name the k - 1 others."""
        if not related:
            return ()
        if isinstance(related, AllBut):  # a group's places less one: the group's one ``Places``
            return AllBut(self.related_places(related.group), related.skip, related.limit)
        key = related if len(related) <= 4 else id(related)
        known = self._resolved.get(key)
        if known is None:
            # A few places are resolved at once: reading them through ``Places`` would cost the
            # text report more than resolving those it does not show.
            places = tuple(map(self.related_place, related)) if len(related) <= EAGER_PLACES else Places(self, related)
            known = self._resolved[key] = (related, places)
        return known[1]

    def related_place(self, where: tuple) -> Place:
        """The place of one of a hit's ``related``."""
        place = self._places.get(where)
        if place is None:
            place = self._places[where] = self._related(*where)
        return place


def fingerprint(code: str, path: str, paragraph: str, span: str) -> str:
    """What a finding is, not where: the rule, the file, and the words of its paragraph and span.

    Edits elsewhere in the file (lines added above, other paragraphs changed) keep it;
    a baseline built from it follows the finding wherever its line moves.
    """
    digest = _fingerprint_prefix(code, path, paragraph).copy()
    digest.update(span.encode("utf-8", "surrogateescape"))
    return digest.hexdigest()[:20]


#: A paragraph's folded form, for its findings' fingerprints: a repeated text (the copies of a
#: page, a site's furniture) is folded once, whichever file it is in.
_canonical = functools.lru_cache(maxsize=4096)(canonical)


@functools.lru_cache(maxsize=64)
def _fingerprint_prefix(code: str, path: str, paragraph: str):
    """The hash of a fingerprint's material up to its span: a huge paragraph with many
    findings is folded and hashed once per rule, not once per finding."""
    material = "\0".join((code, path, _canonical(paragraph), ""))
    return hashlib.sha256(material.encode("utf-8", "surrogateescape"))


def _from_hit(code: str, severity: str, hit: Hit, message: str, suggestion: str, locate: Locator) -> Finding:
    """The finding of ``hit``, which says ``message`` and ``suggestion`` (the hit's, each
    distinct text held once)."""
    rule = RULES[code]
    if hit.row is None:  # the file itself, which may have no paragraphs: its start
        return Finding(
            code=code, family=rule.family, severity=severity, path=hit.path, line=1, column=1, end_line=1,
            end_column=1, message=message, suggestion=suggestion, removes_bom=rule.removes_bom,
        )  # fmt: skip
    path, line, column, end_line, end_column = locate.span(hit.row, hit.start, hit.end)
    raw = locate.raw[hit.row]
    if hit.edits:
        base = locate.base(hit.row)
        edits = tuple((base + s, base + e, replacement) for s, e, replacement in hit.edits)
    else:
        edits = ()
    return Finding(
        code=code,
        family=rule.family,
        severity=severity,
        path=path,
        line=line,
        column=column,
        end_line=end_line,
        end_column=end_column,
        message=message,
        suggestion=suggestion,
        related=locate.related_places(hit.related),
        related_count=hit.related_count,
        edits=edits,
        material=(raw, hit.start, hit.end),
        row=hit.row,
        removes_bom=rule.removes_bom,
    )


def build_findings(outcomes: list[Outcome], corpus: CorpusView, severity_of, report_paths=None, fetch=None) -> list[Finding]:
    """``severity_of(code, gx_severity)`` gives the configured level, or None to drop the rule.

    With ``report_paths``, only rows of those files become findings (the rest of the
    corpus was read for cross-file rules only). ``fetch(table, rows)``: for tables whose values
    lie elsewhere (the spark engine's: ``spark_rows``), gets the values of those rows of that
    table first: the rows flagged, then the rows their rules name (``_fetch_named``).
    """
    frames = {"paragraphs": corpus.paragraphs, "mentions": corpus.mentions, "files": corpus.files}
    chosen = []  # (spec, rule, severity, frame, labels) of each outcome that is reported
    for outcome in outcomes:
        severity = severity_of(outcome.spec.code, outcome.spec.severity)
        if severity is None:
            continue
        frame = frames[outcome.frame]
        labels = list(outcome.rows)
        if report_paths is not None:
            labels = [label for label in labels if frame["path"][label] in report_paths]
        chosen.append((outcome.spec, RULES[outcome.spec.code](), severity, frame, labels))
    if fetch is not None:
        _fetch_named(chosen, corpus, fetch)
    # Each distinct message and suggestion held once: a text repeated across the corpus (a
    # site's furniture on each of its pages, the copies of a page) says the same thing each time.
    said: dict[str, str] = {}
    locate = Locator(corpus)
    findings: list[Finding] = []
    claims: list[tuple[str, str, int]] = []  # (code, severity, row) of each finding of a rule that yields to nothing
    paragraphs = corpus.paragraphs
    shifts, originals = _copies(corpus)
    doc_ids, paths = paragraphs["doc_id"], paragraphs["path"]
    made: dict[tuple[str, int], list[Finding]] = {}  # (code, row of a file that has copies) -> its findings

    def say(spec, rule, severity, frame, labels) -> None:
        """The findings of the rule's hits on ``labels`` (a row's values fetched as the rule
        reads them), each made as its hit comes: no hit outlives its finding's making. A
        row-local rule's findings on a copy of an earlier file are that file's, placed in it."""
        code = spec.code
        local = rule.row_local and frame is paragraphs and bool(shifts)
        for label in labels:
            if local:
                shift = shifts.get(doc_ids[label])
                if shift is not None and (earlier := made.get((code, label - shift))) is not None:
                    for f in earlier:
                        findings.append(_placed(f, label, paths[label]))
                        if not rule.yields_to:
                            claims.append((code, severity, label))
                    continue
            first = len(findings)
            for hit in rule.hits(Row.of(frame, label), spec, corpus):
                message, suggestion = said.setdefault(hit.message, hit.message), said.setdefault(hit.suggestion, hit.suggestion)
                findings.append(_from_hit(code, severity, hit, message, suggestion, locate))
                if not rule.yields_to:
                    claims.append((code, severity, hit.row))
            if local and doc_ids[label] in originals and all(not f.related and f.row == label for f in findings[first:]):
                made[code, label] = findings[first:]

    # What yields is dropped before it is said or placed: the message, place and fingerprint of
    # a finding are most of its cost, and a scraped page's furniture is named by a pattern and
    # the score, the score's warning beside its error. A yielding rule's hit is its row's
    # (``Rule.yields_to``), so the rows decide; the other rules' findings say which rows they claim.
    for entry in chosen:
        if not entry[1].yields_to:
            say(*entry)
    claims += [(spec.code, severity, label) for spec, rule, severity, _, labels in chosen if rule.yields_to for label in labels]
    stands = _standing(claims)
    claims.clear()  # what they claim is in ``stands`` now
    for spec, rule, severity, frame, labels in chosen:
        if rule.yields_to:
            say(spec, rule, severity, frame, [label for label in labels if stands(spec.code, severity, label)])
    return findings


def _fetch_named(chosen: list, corpus: CorpusView, fetch) -> None:
    """``fetch`` the rows the findings will read, in three batches: the mentions flagged; the
    paragraphs flagged and those of the mentions flagged; the other paragraphs their rules name
    (``Rule.named_rows``)."""
    paragraphs, mentions = corpus.paragraphs, corpus.mentions
    flagged = sorted({label for _, _, _, frame, labels in chosen if frame is mentions for label in labels})
    fetch(mentions, flagged)
    own = [label for _, _, _, frame, labels in chosen if frame is paragraphs for label in labels]
    fetch(paragraphs, own + [int(row) for row in picked(mentions["row"], flagged)])
    named: set[int] = set()
    for _, rule, _, frame, labels in chosen:
        if type(rule).named_rows is not Rule.named_rows:
            for label in labels:
                named.update(rule.named_rows(Row.of(frame, label), corpus))
    fetch(paragraphs, named)


def _copies(corpus: CorpusView) -> tuple[dict[int, int], set[int]]:
    """The files whose bytes an earlier file has (doc id -> how many rows before theirs that
    file's same rows are), and the files they repeat, by the SHA-256 of their bytes (the spark
    engine's driver gets it from the executors). A document without one has no copies."""
    doc_ids = corpus.paragraphs["doc_id"]
    first: dict[tuple, tuple[int, int]] = {}  # (content, problem) -> the first file with it, its first row
    shifts: dict[int, int] = {}
    for start in file_starts(doc_ids):
        doc_id = doc_ids[start]
        doc = corpus.documents.get(doc_id)
        if doc is None or doc.content is None:
            continue
        earlier = first.setdefault((doc.content, doc.problem), (doc_id, start))
        if earlier[0] != doc_id:
            shifts[doc_id] = start - earlier[1]
    originals = {first[(corpus.documents[d].content, corpus.documents[d].problem)][0] for d in shifts}
    return shifts, originals


def _placed(f: Finding, row: int, path: str) -> Finding:
    """``f``, a row-local rule's finding, as it stands on the same row of a copy of its file:
    the same place in the same text, in another file."""
    return Finding(
        code=f.code, family=f.family, severity=f.severity, path=path, line=f.line, column=f.column, end_line=f.end_line,
        end_column=f.end_column, message=f.message, suggestion=f.suggestion, edits=f.edits, material=f.material, row=row,
        removes_bom=f.removes_bom,
    )  # fmt: skip


def _standing(claims: list[tuple[str, str, int]]):
    """Given every (code, severity, row) found, the test of whether a finding of a rule that
    yields to others (``yields_to``, a code prefix) stands on its row: it yields to a finding
    of a rule that yields to nothing, of the same severity or a graver one (a pattern that
    already named the furniture; an error stays where the pattern only warns), and to
    another yielding rule's graver finding (the noise score's warning where its error is)."""
    gravity = {severity: rank for rank, severity in enumerate(reversed(SEVERITIES))}
    prefixes = {RULES[code].yields_to for code, _, _ in claims} - {""}
    firm: dict[str, dict[int, int]] = {prefix: {} for prefix in prefixes}
    yielding: dict[str, dict[int, int]] = {prefix: {} for prefix in prefixes}
    for code, severity, row in claims:
        for prefix in prefixes:
            if code.startswith(prefix):
                claimed = yielding if RULES[code].yields_to else firm
                claimed[prefix][row] = max(claimed[prefix].get(row, -1), gravity[severity])

    def stands(code: str, severity: str, row: int) -> bool:
        prefix = RULES[code].yields_to
        if not prefix:
            return True
        rank = gravity[severity]
        return firm[prefix].get(row, -1) < rank and yielding[prefix].get(row, -1) <= rank

    return stands


def _weighed_by_model(code: str) -> bool:
    """A pattern rule whose hits the noise model was trained on: only there can its score overrule the pattern."""
    rule = RULES[code]
    return issubclass(rule, PatternRule) and rule.builtin and rule.model_feature


def _weighed_alone(code: str) -> bool:
    """... and whose form an article carries as its publisher prints it (``article_part``: a
    dateline, a byline, a credit, a wire trailer): the score overrules it outside the story too."""
    return _weighed_by_model(code) and RULES[code].article_part


def arbitrate(files, weighed, alone, score, inside, at_most, alone_at_most=None):
    """Which noise errors the noise model turns into warnings. One entry per noise error (a
    finding; for the bench, a flagged paragraph): ``files`` its file; ``weighed`` whether it
    is the error of a pattern the model weighs (the others stand whatever the score);
    ``alone`` whether that pattern's form is part of an article as printed (a dateline, a
    credit, a trailer); ``score`` its paragraph's noise score (NaN: none, it stands);
    ``inside`` whether the paragraph lies inside the story (running text before and after it).

    A weighed pattern's error on a paragraph the model scores at most ``at_most`` (a number,
    or one per entry) is a warning inside the story, where the pattern's form is the story's
    own (a date in a timeline, a credit in a table). An ``alone`` pattern's error scored at
    most ``alone_at_most`` (default ``at_most``; 0: never) is a warning wherever it is (above,
    below or inside the story), where its file has no other noise error that stands: a clean
    article's dateline, byline, credit or trailer, not those of a page that kept its
    furniture. Every other error stands."""
    files = np.asarray(files)
    score = np.asarray(score, dtype=np.float64)
    inside = np.asarray(inside, dtype=bool)
    scored = np.asarray(weighed, dtype=bool) & ~np.isnan(score)
    story = scored & (score <= at_most) & inside
    lone_at_most = at_most if alone_at_most is None else alone_at_most
    lone = scored & (score <= lone_at_most) & (np.asarray(lone_at_most) > 0) & np.asarray(alone, dtype=bool)
    furnished = np.isin(files, files[~(story | lone)])
    return story | (lone & ~furnished)


def arbitrated(findings: list[Finding], paragraphs, at_most: float | None, alone_at_most: float | None = None) -> list[Finding]:
    """The findings with the noise errors ``arbitrate`` reads as the article's own made
    warnings that say why (the patterns BP001-BP009 the model was trained on, not BP010 nor a
    corpus's own rule; ``at_most``: the pattern threshold, 0 or None: never): inside the
    story; anywhere, a dateline's, byline's, credit's or trailer's (BP005-BP007) scored at
    most ``alone_at_most`` (the article-part threshold; None: ``at_most``) in a file with no
    other noise error that stands. The finding stays visible but does not fail the gate.
    Give it the findings that will be reported: an ignored error must not count as the
    file's furniture."""
    if not at_most or "story_noise_score" not in paragraphs or "noise_score" not in paragraphs:
        return findings
    scores, story = paragraphs["noise_score"], paragraphs["story_noise_score"]
    errors = [i for i, f in enumerate(findings) if f.severity == "error" and f.family == "noise"]
    if not errors:
        return findings

    def score_of(f: Finding) -> float:
        value = scores[f.row] if f.row is not None else None
        return float("nan") if value is None else float(value)

    chosen = [findings[i] for i in errors]
    weighed = [f.row is not None and _weighed_by_model(f.code) for f in chosen]
    alone = [f.row is not None and _weighed_alone(f.code) for f in chosen]
    inside = [f.row is not None and story[f.row] is not None and not np.isnan(story[f.row]) for f in chosen]
    # Each file as a number: an array of the paths themselves would hold each as wide as the
    # longest, once per noise error (a million at 8,000 pages), and compare them as strings.
    numbers: dict[str, int] = {}
    files = np.fromiter((numbers.setdefault(f.path, len(numbers)) for f in chosen), dtype=np.int64, count=len(chosen))
    demoted = arbitrate(files, weighed, alone, [score_of(f) for f in chosen], inside, at_most, alone_at_most)
    out = list(findings)
    said: dict[str, str] = {}  # each distinct message once, as ``build_findings`` holds them
    for i, f, down, within in zip(errors, chosen, demoted.tolist(), inside, strict=True):
        if down:
            why = ("the noise model reads this paragraph of the story as the story's own" if within and score_of(f) <= at_most
                   else "nothing else in its file is page furniture, and the noise model reads it as the article's own")  # fmt: skip
            message = f"{f.message} (a warning: {why}, score {score_of(f):.2f})"
            out[i] = replace(f, severity="warning", message=said.setdefault(message, message))
    return out
