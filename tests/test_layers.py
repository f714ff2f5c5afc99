"""The package's layout follows the flow: a module imports only from its own layer or a
lower one, and no two modules import each other, directly or around a loop.

The layers, lowest first (the flow, then what runs it and what shows it):

    0 foundation   errors, atomic, progress, safe_regex, pattern_list, pool, interrupts (no part of the flow; used by all)
    1 ingest       ingest: files to documents
    2 segment      normalise, segment, frame: documents to the paragraph table
    3 features     features/*, cache: feature columns and the mention table
    4 rules        rules/*, suite, evaluate, gx_expectations, spark*: what a rule needs and says,
                   the suites generated from it, the engines that run them
    5 settings     config: which rules run, at which level (it names rule codes)
    6 findings     findings, baseline: failing rows to places, and accepted ones
    7 pipeline     pipeline: the flow, end to end
    8 fix          fix: repairs, re-checking through the pipeline
    9 output       output/*, export: reports and the exported table
   10 commands     cli, __main__, launch, train_noise

Only module-level imports count (those inside an ``if``, ``TYPE_CHECKING`` included, and
``try`` too): an import inside a function is deferred on purpose (GX, pandas, ftfy cost a
hook run time) and runs after every module is loaded. The package's ``__init__`` (its
public API and ``__version__``) is above every layer and may be imported from any.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "validators"

LAYERS = [
    ["errors", "atomic", "progress", "safe_regex", "pool", "pattern_list", "interrupts"],
    ["ingest"],
    ["normalise", "segment", "frame"],
    ["features", "cache", "file_index", "corpus_sums", "spark_corpus", "spark_names"],
    ["rules", "suite", "evaluate", "gx_expectations", "spark", "gx_spark", "spark_daemon", "spark_rows"],
    ["config"],
    ["findings", "baseline"],
    ["pipeline"],
    ["fix"],
    ["output", "export"],
    ["cli", "__main__", "launch", "train_noise"],
]


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(PACKAGE.rglob("*.py")) if ".venv" not in p.parts}


def _top_level(body):
    for node in body:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            yield node
        elif isinstance(node, ast.If):
            yield from _top_level(node.body)
            yield from _top_level(node.orelse)
        elif isinstance(node, ast.Try):
            yield from _top_level(node.body)
            for handler in node.handlers:
                yield from _top_level(handler.body)


def imports(name: str, path: Path, known: set[str]) -> set[str]:
    """The package's modules that ``name`` imports at module level."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in _top_level(ast.parse(path.read_text(encoding="utf-8")).body):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif node.level:
            base = package.split(".")[: len(package.split(".")) - (node.level - 1)]
            stem = ".".join(base + ([node.module] if node.module else []))
            # ``from . import noise`` imports the submodule; ``from .base import Hit`` the module.
            targets = [f"{stem}.{a.name}" if f"{stem}.{a.name}" in known else stem for a in node.names]
        else:
            targets = [node.module or ""]
        found.update(t for t in targets if t in known and t != name)
    return found


def layer(name: str) -> int | None:
    parts = name.split(".")
    if len(parts) == 1:  # the package's __init__
        return None
    for rank, members in enumerate(LAYERS):
        if parts[1] in members:
            return rank
    raise AssertionError(f"{name}: not in any layer of tests/test_layers.py; place it in the flow")


def graph() -> dict[str, set[str]]:
    found = modules()
    return {name: imports(name, path, set(found)) for name, path in found.items()}


def test_every_module_has_a_layer():
    for name in modules():
        layer(name)


def test_no_module_imports_a_higher_layer():
    upward = [
        f"{name} (layer {layer(name)}) imports {target} (layer {layer(target)})"
        for name, targets in graph().items()
        for target in sorted(targets)
        if layer(name) is not None and layer(target) is not None and layer(target) > layer(name)
    ]
    assert not upward, "\n".join(upward)


def test_no_import_cycle():
    edges = graph()
    cycles, done, stack = [], set(), []

    def visit(node: str) -> None:
        stack.append(node)
        for target in sorted(edges[node]):
            if target in stack:
                cycles.append(" → ".join(stack[stack.index(target) :] + [target]))
            elif target not in done:
                visit(target)
        stack.pop()
        done.add(node)

    for node in sorted(edges):
        if node not in done:
            visit(node)
    assert not cycles, "\n".join(cycles)


def test_the_check_sees_imports(tmp_path):
    """The parser finds relative, package and conditional imports (else the tests above could not fail)."""
    found = modules()
    assert "validators.rules.base" in graph()["validators.rules.noise"]
    assert {"validators.rules.noise", "validators.rules.base"} <= graph()["validators.rules"]
    sample = tmp_path / "sample.py"
    sample.write_text("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from .suite import Suite\n")
    assert imports("validators.sample", sample, set(found)) == {"validators.suite"}
