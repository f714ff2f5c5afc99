"""What every rule shares: the hit it returns, the base class, the registry, the corpus view.

An expectation in ``expectations/*.json`` says *which* rows are wrong (its
``meta.code`` names the rule); the rule says *where* in the row, *what* it is and
*how to fix it*. Each rule's docstring is its documentation (``corpus-validator rule
CODE``) and carries a bad and a good example.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, ClassVar

from ..frame import Table
from ..ingest import printable

if TYPE_CHECKING:
    from ..suite import ExpectationSpec

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
