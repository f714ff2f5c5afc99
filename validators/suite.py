"""Load the expectation suites from ``expectations/``: GX 1.x suite JSON, checked.

Each suite file is what ``ExpectationSuite.to_json_dict()`` writes, plus two keys in
its ``meta``: ``frame`` (``paragraphs`` or ``mentions``) and ``index_columns`` (the
columns that identify a row in GX's results). Each expectation names its rule in
``meta.code`` and its gate level in GX's own ``severity``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from .errors import SuiteError
from .rules import RULES

SUITE_FILES = ("paragraphs.json", "mentions.json")
FRAMES = ("paragraphs", "mentions")
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
    if directory is not None and (directory / name).is_file():
        path = directory / name
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


def parse_suite(source: str, text: str) -> Suite:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise SuiteError(f"{source}:{exc.lineno}:{exc.colno}: not valid JSON: {exc.msg}") from None
    if not isinstance(data, dict) or not isinstance(data.get("expectations"), list):
        raise SuiteError(f"{source}: not a GX suite (needs a list under 'expectations')")
    meta = data.get("meta") or {}
    frame = meta.get("frame")
    if frame not in FRAMES:
        raise SuiteError(f"{source}: meta.frame must be one of {', '.join(FRAMES)}, not {frame!r}")
    specs = []
    for n, item in enumerate(data["expectations"]):
        where = f"{source}: expectation {n}"
        if not isinstance(item, dict) or not isinstance(item.get("type"), str):
            raise SuiteError(f"{where}: needs a 'type'")
        code = (item.get("meta") or {}).get("code")
        if code not in RULES:
            raise SuiteError(f"{where} ({item['type']}): meta.code {code!r} is not a known rule")
        if RULES[code].frame != frame:
            raise SuiteError(f"{where}: rule {code} works on {RULES[code].frame}, not {frame}")
        severity = item.get("severity", "critical")
        if severity not in GX_SEVERITY:
            raise SuiteError(f"{where}: severity must be critical, warning or info, not {severity!r}")
        specs.append(ExpectationSpec(item["type"], dict(item.get("kwargs") or {}), dict(item["meta"]), severity))
    return Suite(
        name=str(data.get("name") or frame),
        frame=frame,
        index_columns=tuple(meta.get("index_columns") or ()),
        expectations=tuple(specs),
        source=source,
    )


def load_suites(directory: Path | None) -> list[Suite]:
    return [parse_suite(*expectation_file(name, directory)) for name in SUITE_FILES]
