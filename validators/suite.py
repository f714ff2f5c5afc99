"""Load the expectation suites from ``expectations/``: GX 1.x suite JSON, checked.

Each suite file is what ``ExpectationSuite.to_json_dict()`` writes, plus two keys in
its ``meta``: ``frame`` (``paragraphs`` or ``mentions``) and ``index_columns`` (the
columns that identify a row in GX's results). Each expectation names its rule in
``meta.code`` and its gate level in GX's own ``severity``.
"""

from __future__ import annotations

import functools
import json
import math
import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from . import safe_regex
from .errors import SuiteError
from .rules import FAMILIES, FRAMES, RULES, PatternRule
from .rules.base import OWN_CODE, OwnRule

SUITE_FILES = tuple(f"{frame}.json" for frame in FRAMES)  # paragraphs.json, mentions.json, files.json
GX_SEVERITY = {"critical": "error", "warning": "warning", "info": "info"}


@dataclass(frozen=True)
class ExpectationSpec:
    type: str
    kwargs: dict[str, Any]
    meta: dict[str, Any]
    severity: str  # GX's: critical, warning or info

    @property
    def code(self) -> str:
        return self.meta["code"]

    def to_gx(self) -> dict[str, Any]:
        return {"type": self.type, "kwargs": self.kwargs, "meta": self.meta, "severity": self.severity}


@dataclass(frozen=True)
class Suite:
    name: str
    frame: str
    index_columns: tuple[str, ...]
    expectations: tuple[ExpectationSpec, ...]
    source: str

    @property
    def columns(self) -> list[str]:
        """The frame columns the suite reads, index columns first."""
        wanted = list(self.index_columns)
        for spec in self.expectations:
            named = [spec.kwargs.get(k) for k in ("column", "column_A", "column_B")]
            named += list(spec.kwargs.get("column_list") or ())
            wanted += [c for c in named if isinstance(c, str) and c not in wanted]
        return wanted

    def with_kwargs(self, code: str, **kwargs) -> Suite:
        """The suite with ``kwargs`` set on the expectations of rule ``code``."""
        specs = tuple(
            ExpectationSpec(e.type, {**e.kwargs, **kwargs}, e.meta, e.severity) if e.code == code else e
            for e in self.expectations
        )
        return Suite(self.name, self.frame, self.index_columns, specs, self.source)

    def only(self, keep) -> Suite:
        return Suite(self.name, self.frame, self.index_columns,
                     tuple(e for e in self.expectations if keep(e.code)), self.source)  # fmt: skip


def expectation_file(name: str, directory: Path | None) -> tuple[str, str]:
    """(where it came from, text) of an ``expectations/`` file: the corpus's own, else the bundled one."""
    if directory is not None and ((directory / name).exists() or (directory / name).is_symlink()):
        path = directory / name
        if not path.exists():  # a link to nowhere, or a loop, must not mean "use the bundled one" either
            raise SuiteError(f"{path}: a symbolic link to no file")
        if not path.is_file():  # a folder in its place must not mean "use the bundled one"
            raise SuiteError(f"{path}: not a file")
        try:
            return str(path), path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise SuiteError(f"{path}: cannot read: {exc}") from None
    return f"(bundled) {name}", _bundled(name).read_text(encoding="utf-8")


def _bundled(name: str):
    try:  # an installed wheel carries expectations/ as validators/bundled/
        return resources.files("validators.bundled") / name
    except ModuleNotFoundError:  # a source checkout or editable install: the folder itself
        return Path(__file__).resolve().parent.parent / "expectations" / name


def _column(value) -> str | None:
    return None if isinstance(value, str) and value else "must be a column name"


def _fraction(value) -> str | None:
    ok = isinstance(value, (int, float)) and not isinstance(value, bool) and 0 <= value <= 1
    return None if ok else f"must be a number from 0 to 1, not {value!r}"


@functools.cache
def _bundled_patterns() -> frozenset[str]:
    """The patterns of the bundled suites: a test checks them once (``tests/test_safe_regex.py``:
    valid and safe), so a run spends neither the check nor a compile on them, only on a corpus
    owner's own (together they cost a hook run ~50 ms)."""
    found = set()
    for name in SUITE_FILES:
        for item in json.loads(_bundled(name).read_text(encoding="utf-8")).get("expectations", []):
            kwargs = item.get("kwargs", {})
            found.update(kwargs.get("regex_list", []))
            if "regex" in kwargs:
                found.add(kwargs["regex"])
    return frozenset(found)


def _pattern(value) -> str | None:
    if not isinstance(value, str):
        return f"must be a regular expression (a string), not {value!r}"
    try:
        if value in _bundled_patterns():
            return None  # compiled once, where it is used (pattern_list.EachOf)
        safe_regex.check(value)
    except re.error as exc:
        return f"{value!r} is not a valid regular expression: {exc}"
    except safe_regex.UnsafePattern as exc:
        return str(exc)
    return None


def _patterns(value) -> str | None:
    if not isinstance(value, list) or not value:
        return f"must be a list of regular expressions, not {value!r}"
    return next((problem for problem in map(_pattern, value) if problem), None)


def _bound(value) -> str | None:
    if value is None:
        return None
    try:
        ok = isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(float(value))
    except OverflowError:  # an integer of hundreds of digits
        ok = False
    return None if ok else f"must be a finite number, not {value!r}"


def _flag(value) -> str | None:
    return None if isinstance(value, bool) else f"must be true or false, not {value!r}"


def _one_of(*choices):
    def check(value) -> str | None:
        return None if value in choices else f"must be one of {', '.join(choices)}, not {value!r}"

    return check


@dataclass(frozen=True)
class ExpectationType:
    """The kwargs an expectation type takes: what both engines evaluate, checked alike for both."""

    required: dict
    optional: dict
    patterns: bool = False  # its rows are flagged by the patterns of ``regex`` or ``regex_list``
    at_least_one: tuple[str, ...] = ()  # optional kwargs of which one must be given (a bound)


#: Every expectation type a suite may use; each runs in GX and in the light engine
#: (``evaluate.LIGHT_EXPECTATIONS``). A new type is one entry here and one there.
EXPECTATION_TYPES: dict[str, ExpectationType] = {
    "expect_column_values_to_be_null": ExpectationType({"column": _column}, {"mostly": _fraction}),
    "expect_column_values_to_not_match_regex_list": ExpectationType(
        {"column": _column, "regex_list": _patterns}, {"mostly": _fraction}, patterns=True
    ),
    "expect_column_values_to_not_match_regex": ExpectationType(
        {"column": _column, "regex": _pattern}, {"mostly": _fraction}, patterns=True
    ),
    "expect_column_pair_values_to_have_one_spelling_per_key": ExpectationType(
        {"column_A": _column, "column_B": _column},
        {"ignore_row_if": _one_of("both_values_are_missing", "either_value_is_missing", "neither"), "mostly": _fraction},
    ),
    "expect_column_values_to_be_between": ExpectationType(
        {"column": _column},
        {"min_value": _bound, "max_value": _bound, "strict_min": _flag, "strict_max": _flag, "mostly": _fraction},
        at_least_one=("min_value", "max_value"),
    ),
}


def check_expectation(kind: str, kwargs: dict, code: str, where: str) -> None:
    """Refuse an expectation either engine would refuse, or run differently, or that its rule cannot read."""
    spec = EXPECTATION_TYPES.get(kind)
    if spec is None:
        raise SuiteError(f"{where}: unknown expectation type {kind!r} (supported: {', '.join(EXPECTATION_TYPES)})")
    missing = [k for k in spec.required if k not in kwargs]
    if missing:
        raise SuiteError(f"{where} ({kind}): kwargs needs {', '.join(missing)}")
    if spec.at_least_one and all(kwargs.get(k) is None for k in spec.at_least_one):
        raise SuiteError(f"{where} ({kind}): kwargs needs {' or '.join(spec.at_least_one)}")
    extra = sorted(set(kwargs) - set(spec.required) - set(spec.optional))
    if extra:
        known = ", ".join([*spec.required, *spec.optional])
        raise SuiteError(f"{where} ({kind}): unknown kwarg(s) {', '.join(extra)} (known: {known})")
    for name, value in kwargs.items():
        problem = (spec.required.get(name) or spec.optional[name])(value)
        if problem:
            raise SuiteError(f"{where} ({kind}): {name} {problem}")
    low, high = kwargs.get("min_value"), kwargs.get("max_value")
    if low is not None and high is not None and low > high:
        raise SuiteError(f"{where} ({kind}): min_value {low!r} is above max_value {high!r}: no value is between them")
    rule = RULES[code]
    columns = tuple(kwargs[k] for k in ("column", "column_A", "column_B") if k in kwargs)
    if not issubclass(rule, OwnRule) and rule.columns and columns != tuple(rule.columns):
        # A finding reads the rule's own column: an expectation on another flags rows it cannot explain.
        raise SuiteError(f"{where} ({kind}): rule {code} reads {', '.join(rule.columns)}; its expectation must check that, not {', '.join(columns)}")
    if issubclass(RULES[code], (PatternRule, OwnRule)) and not spec.patterns:
        raise SuiteError(f"{where}: rule {code} points at what a pattern matched; {kind} has no patterns")


def parse_suite(source: str, text: str) -> Suite:
    """The suite in ``text``, checked as a whole before anything runs, the same for both engines."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise SuiteError(f"{source}:{exc.lineno}:{exc.colno}: not valid JSON: {exc.msg}") from None
    if not isinstance(data, dict) or not isinstance(data.get("expectations"), list):
        raise SuiteError(f"{source}: not a GX suite (needs a list under 'expectations')")
    meta = data.get("meta") or {}
    if not isinstance(meta, dict):
        raise SuiteError(f"{source}: meta must be an object, not {type(meta).__name__}")
    frame = meta.get("frame")
    if frame not in FRAMES:
        raise SuiteError(f"{source}: meta.frame must be one of {', '.join(FRAMES)}, not {frame!r}")
    index_columns = meta.get("index_columns")
    if not isinstance(index_columns, list) or not index_columns or not all(isinstance(c, str) for c in index_columns):
        raise SuiteError(f"{source}: meta.index_columns must be a list of column names, like [\"doc_id\", \"para\"], not {index_columns!r}")
    specs, own, first = [], set(), {}
    for n, item in enumerate(data["expectations"]):
        where = f"{source}: expectation {n}"
        if not isinstance(item, dict) or not isinstance(item.get("type"), str):
            raise SuiteError(f"{where}: needs a 'type'")
        for key in ("kwargs", "meta"):
            if not isinstance(item.get(key) or {}, dict):
                raise SuiteError(f"{where} ({item['type']}): {key} must be an object, not {type(item[key]).__name__}")
        code = (item.get("meta") or {}).get("code")
        if "rule" in (item.get("meta") or {}):
            if code in own:
                raise SuiteError(f"{where}: rule {code} is declared twice")
            own.add(code)
            _declare_own_rule(code, item, frame, where)
        elif not isinstance(code, str) or code not in RULES:
            raise SuiteError(f"{where} ({item['type']}): meta.code {code!r} is not a known rule")
        if code in first:  # a finding names its rule's one expectation: its level, its patterns
            raise SuiteError(
                f"{where}: rule {code} already has expectation {first[code]}; a rule has one expectation "
                "(put more patterns in its regex_list)"
            )
        first[code] = n
        if RULES[code].frame != frame:
            raise SuiteError(f"{where}: rule {code} works on {RULES[code].frame}, not {frame}")
        severity = item.get("severity", "critical")
        if severity not in GX_SEVERITY:
            raise SuiteError(f"{where}: severity must be critical, warning or info, not {severity!r}")
        kwargs = dict(item.get("kwargs") or {})
        check_expectation(item["type"], kwargs, code, where)
        specs.append(ExpectationSpec(item["type"], kwargs, dict(item["meta"]), severity))
    return Suite(
        name=str(data.get("name") or frame),
        frame=frame,
        index_columns=tuple(index_columns),
        expectations=tuple(specs),
        source=source,
    )


#: What a corpus's own rule declares in its expectation's ``meta.rule``: (required, optional).
OWN_RULE_KEYS = (("family", "message", "suggestion"), ("name", "description"))


def _declare_own_rule(code, item: dict, frame: str, where: str) -> None:
    """Register the corpus's own pattern rule ``code`` that ``item`` declares in ``meta.rule``
    (its family, message and suggestion; its patterns are the expectation's, its level the
    expectation's ``severity``), or refuse it with the reason."""
    declared = item["meta"]["rule"]
    if not isinstance(code, str) or not re.fullmatch(OWN_CODE, code):
        if isinstance(code, str) and code in RULES and RULES[code].builtin:
            raise SuiteError(f"{where}: {code} is a built-in rule; a corpus's own rule needs a code of its own, "
                             "X, one to three capitals and three digits (XB001)")  # fmt: skip
        raise SuiteError(f"{where}: a corpus's own rule needs a code of X, one to three capitals and three digits (XB001), not {code!r}")
    if not isinstance(declared, dict):
        raise SuiteError(f"{where}: meta.rule of {code} must be an object with family, message and suggestion")
    required, optional = OWN_RULE_KEYS
    unknown = sorted(set(declared) - set(required) - set(optional))
    if unknown:
        raise SuiteError(f"{where}: meta.rule of {code} has unknown key(s) {', '.join(unknown)} (known: {', '.join(required + optional)})")
    for key in (*required, *optional):
        value = declared.get(key)
        if (key in required or value is not None) and (not isinstance(value, str) or not value.strip()):
            raise SuiteError(f"{where}: meta.rule of {code} needs {key} (a non-empty string)")
    if declared["family"] not in FAMILIES:
        raise SuiteError(f"{where}: meta.rule of {code}: family must be one of {', '.join(FAMILIES)}, not {declared['family']!r}")
    name = declared.get("name") or code.lower()
    if not re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", name):
        raise SuiteError(f"{where}: meta.rule of {code}: name must be lower-case words joined by hyphens, not {name!r}")
    if frame != "paragraphs" or not getattr(EXPECTATION_TYPES.get(item["type"]), "patterns", False):
        raise SuiteError(f"{where}: {code}, a corpus's own rule, is a pattern rule: the paragraphs suite's "
                         "expect_column_values_to_not_match_regex_list (or _regex)")  # fmt: skip
    severity = GX_SEVERITY.get(item.get("severity", "critical"), "error")
    doc = declared.get("description") or declared["message"]
    RULES[code] = type(code, (OwnRule,), {
        "__doc__": f"{doc}\n\nA rule of this corpus, declared in its suite.", "code": code, "name": name,
        "family": declared["family"], "message": declared["message"], "suggestion": declared["suggestion"],
        "severity": severity,
    })  # fmt: skip


def load_suites(directory: Path | None) -> list[Suite]:
    return [parse_suite(*expectation_file(name, directory)) for name in SUITE_FILES]
