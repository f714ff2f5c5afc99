"""What every rule shares: the hit it returns, the base class, the registry, the corpus view.

An expectation in ``expectations/*.json`` says *which* rows are wrong (its
``meta.code`` names the rule); the rule says *where* in the row, *what* it is and
*how to fix it*. Each rule's docstring is its documentation (``corpus-validator rule
CODE``) and carries a bad and a good example.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import ClassVar

from ..frame import Table
from ..ingest import printable

FAMILIES = ("noise", "duplicate", "encoding", "name")
SEVERITIES = ("error", "warning", "info")
#: The tables an expectation can flag rows of, and the columns that name a row in each.
FRAMES = {"paragraphs": ("doc_id", "para"), "mentions": ("mention_id",), "files": ("doc_id",)}
SCOPES = ("paragraph", "file", "mention")
#: Places a finding's ``related`` names at most; its message counts them all. A text or a
#: spelling in k places would otherwise give each of its findings the k places (k² in all: a
#: site's footer in 20,000 files, 400 million places; the 911 "U.S." of 2,000 page dumps
#: naming the 1,189 "US", a JSON report of 377 MB). GitHub code scanning shows 100 locations
#: of an alert.
MAX_RELATED = 100


class ReadsAsTuple(Sequence):
    """A sequence that compares, hashes and prints as the tuple of its items (``AllBut``,
    ``findings.Places``): a finding's related places, whichever way they are held."""

    __slots__ = ()

    def __eq__(self, other) -> bool:
        if isinstance(other, Sequence) and not isinstance(other, (str, list)):  # a tuple, or one that reads as one
            return len(self) == len(other) and tuple(self) == tuple(other)
        return NotImplemented

    def __hash__(self) -> int:
        return hash(tuple(self))

    def __repr__(self) -> str:
        return repr(tuple(self))


class AllBut(ReadsAsTuple):
    """The places of a group but one, the first ``limit`` of them: what each member of a
    group names (the other copies of a text), held as the group and the member's index, so
    that k members share one group of k places instead of holding k - 1 each (k² for the
    group). ``skip`` -1: none left out. Reads, compares and hashes as the tuple it stands for."""

    __slots__ = ("group", "skip", "limit", "_length")

    def __init__(self, group: tuple, skip: int, limit: int):
        self.group, self.skip, self.limit = group, skip, limit
        self._length = max(0, min(limit, len(group) - (0 <= skip < len(group))))

    def __len__(self) -> int:
        return self._length

    def __bool__(self) -> bool:
        return self._length > 0

    def __getitem__(self, index):
        if isinstance(index, slice):
            start, stop, step = index.indices(self._length)
            if step != 1:
                return tuple(self[i] for i in range(start, stop, step))
            skip = self.skip
            if not start <= skip < stop + 1:  # the place left out is not inside: one slice of the group
                shift = 0 <= skip <= start
                return self.group[start + shift : max(start, stop) + shift]
            return self.group[start:skip] + self.group[skip + 1 : stop + 1]
        if index < 0:
            index += self._length
        if not 0 <= index < self._length:
            raise IndexError("AllBut index out of range")
        return self.group[index + (0 <= self.skip <= index)]

    def __iter__(self):
        group, skip = self.group, self.skip
        if 0 <= skip < self._length + 1:
            yield from group[:skip]
            yield from group[skip + 1 : self._length + 1]
        else:
            yield from group[: self._length]


# Slots: no per-object dict (a large corpus has a million of them). Not frozen: a frozen
# dataclass sets each field through object.__setattr__, most of the cost of making one.
@dataclass(slots=True)
class Hit:
    """One problem inside one paragraph: offsets into that paragraph's raw text."""

    row: int | None  # label of the paragraph in the paragraph frame; None: the file itself (``path``)
    start: int
    end: int
    message: str
    suggestion: str
    # (paragraph row, offset[, end offset]) of the other places; an ``AllBut`` for a group's member
    related: tuple[tuple[int, ...], ...] | AllBut = ()
    edits: tuple[tuple[int, int, str], ...] = ()  # safe repairs: (start, end, replacement), same offsets
    path: str = ""  # the file, for a hit on a file that has no paragraphs (``row`` None)
    # How many other places there are in all, where ``related`` lists the first ``MAX_RELATED``
    # only; 0: as many as it lists.
    related_count: int = 0


@dataclass
class CorpusView:
    """What a rule may look at besides the failing row."""

    paragraphs: Table
    mentions: Table
    documents: dict = field(default_factory=dict)  # doc_id -> ingest.Document
    setups: dict = field(default_factory=dict)  # feature step name -> its prepare() output (steps.Context.setups)
    files: Table = field(default_factory=Table)  # one row per file read (``frame.file_table``)
    _memo: dict = field(default_factory=dict)

    def memo(self, key, compute):
        """A corpus-wide lookup computed once per check, whoever asks first."""
        if key not in self._memo:
            self._memo[key] = compute()
        return self._memo[key]


class Row(dict):
    """One row of a table: its values by column name, and ``name``, its label (as a pandas row has).
    ``Row.of(table, label)`` fetches a column's value when a rule first reads it."""

    __slots__ = ("name", "_table")

    def __init__(self, values: dict, name, table=None):
        super().__init__(values)
        self.name = name
        self._table = table

    @classmethod
    def of(cls, table, label) -> Row:
        return cls((), label, table)

    def __missing__(self, column: str):
        if self._table is None or column not in self._table:
            raise KeyError(column)
        value = self[column] = self._table[column][self.name]
        return value

    def __contains__(self, column) -> bool:
        return dict.__contains__(self, column) or (self._table is not None and column in self._table)

    def get(self, column: str, default=None):
        return self[column] if column in self else default


class Rule:
    """A rule declares what it needs and says; the bundled suites, the README's rule table and
    the SARIF catalogue are generated from these declarations (``ci/generate.py``)."""

    code: ClassVar[str]
    name: ClassVar[str]
    family: ClassVar[str]
    frame: ClassVar[str] = "paragraphs"  # the table whose rows its expectation flags (``FRAMES``)
    scope: ClassVar[str] = "paragraph"  # what a finding points at: a paragraph, a file or a mention
    expectation: ClassVar[str] = "expect_column_values_to_be_null"  # the GX type of its default expectation
    columns: ClassVar[tuple[str, ...]] = ()  # the column(s) the expectation reads
    kwargs: ClassVar[dict] = {}  # the expectation's other kwargs (bounds)
    patterns: ClassVar[str] = ""  # an ``expectations/`` file holding its ``regex_list`` under its name
    severity: ClassVar[str] = "error"  # its default level: error, warning or info
    fixable: ClassVar[bool] = False  # its findings may carry a safe repair for ``fix``
    removes_bom: ClassVar[bool] = False  # fixing its finding drops the file's byte-order mark
    opt_in: ClassVar[bool] = False  # runs only when selected by its full code
    # A code prefix: not reported where such a rule already is. Such a rule has one hit per
    # failing row, on that row (``findings.build_findings`` decides from the rows alone).
    yields_to: ClassVar[str] = ""
    #: Its hits on a paragraph depend on that paragraph's values alone (its text and its own
    #: columns, the suites and ``expectations/`` data), and name no other place: a file whose
    #: bytes an earlier file has gets the same findings there (``findings.build_findings``
    #: places the earlier file's in it instead of making them again).
    row_local: ClassVar[bool] = False
    builtin: ClassVar[bool] = True  # False: a corpus's own rule, declared in its suite

    def hits(self, row: Row, spec, corpus: CorpusView) -> list[Hit]:
        """The problems in ``row``, a row the expectation ``spec`` (a ``suite.ExpectationSpec``) flagged."""
        raise NotImplementedError

    def named_rows(self, row: Row, corpus: CorpusView) -> Iterable[int]:
        """The paragraph rows in other files than its own (a mention's, for a mention) whose
        values its hits on ``row`` read or whose places they name: an engine whose table lies
        elsewhere (the spark engine's) fetches them, with their files' other rows, before the
        findings are made. A row named twice is fetched once; a rule may name a group's rows at
        its first member only."""
        return ()

    @classmethod
    def doc(cls) -> str:
        import inspect

        return inspect.cleandoc(cls.__doc__ or "")


def pattern_span(raw: str, spec) -> tuple[int, int]:
    """Where in ``raw`` the first of the expectation's patterns matches (its indent left out),
    or the whole paragraph when one matched only its normalised text."""
    for pattern in spec.kwargs.get("regex_list") or [spec.kwargs["regex"]]:
        match = re.search(pattern, raw)
        if match:
            start, end = match.span()
            start += len(match.group()) - len(match.group().lstrip())  # point at text, not indent
            return start, len(raw) if end <= start else end
    return 0, len(raw)


class OwnRule(Rule):
    """A corpus's own rule, declared in its suite (``meta.rule``): the paragraphs its
    expectation's patterns match, reported with its message and suggestion."""

    builtin = False
    row_local = True  # the patterns over its text
    expectation = "expect_column_values_to_not_match_regex_list"
    columns = ("text",)
    message: ClassVar[str]
    suggestion: ClassVar[str]

    def hits(self, row, spec, corpus):
        start, end = pattern_span(row["raw"], spec)
        return [Hit(row.name, start, end, f"{self.message}: {quote(row['raw'])}", self.suggestion)]


#: A corpus's own rule codes: X, one to three capitals, three digits (XB001, XACME001).
OWN_CODE = r"X[A-Z]{1,3}[0-9]{3}"


RULES: dict[str, type[Rule]] = {}


def register(rule: type[Rule]) -> type[Rule]:
    if rule.code in RULES:
        raise ValueError(f"rule code {rule.code} registered twice")
    if rule.family not in FAMILIES:
        raise ValueError(f"{rule.code}: unknown family {rule.family}")
    if rule.frame not in FRAMES or rule.scope not in SCOPES or rule.severity not in SEVERITIES:
        raise ValueError(f"{rule.code}: frame, scope or severity is not one of {FRAMES}, {SCOPES}, {SEVERITIES}")
    if not rule.columns:
        raise ValueError(f"{rule.code}: declares no column for its expectation to read")
    if "Bad:" not in (rule.__doc__ or "") or "Good:" not in (rule.__doc__ or ""):
        raise ValueError(f"{rule.code}: the docstring needs a Bad: and a Good: example")
    RULES[rule.code] = rule
    return rule


#: White space a quote folds to one space: not the separators and controls that ``str.split``
#: also splits on (U+001C-U+001F, NEL, U+2028, U+2029), which the outputs show escaped: a span
#: of one NEL (mojibake of "…") was quoted as nothing.
_FOLDED_SPACE = re.compile("[^\\S\x1c-\x1f\x85\u2028\u2029]+")


def quote(text: str, limit: int = 60) -> str:
    """“text” for a message: white space folded, long text cut, undecodable bytes shown as U+FFFD."""
    text = printable(_FOLDED_SPACE.sub(" ", text).strip(" "))
    return "“" + (text if len(text) <= limit else text[: limit - 1] + "…") + "”"
