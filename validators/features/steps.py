"""Feature steps: what turns documents into feature columns, as small declared units.

A **file step** (``FileStep``) is a pure function of one document and the outputs earlier
file steps gave it: ``compute(doc, inputs, setup) -> {output: value}``. Its outputs are
paragraph columns (``columns``: one value per paragraph, in the file's order) or per-file
data for corpus steps (``data``: MinHash signatures, a feature matrix, name candidates).
File steps depend on nothing but the file's bytes and what the step declares (its
``version``, the ``expectations/`` files and ``[tool.corpus-validator]`` sections it reads,
the libraries whose versions change its output), so each step's outputs are cached per
file under a key derived from exactly that (``step_keys``), and run anywhere: one document
at a time, in a partition of a cluster, with ``run_file_steps(doc, context)``.

A **corpus step** (``CorpusStep``) works on the assembled paragraph table and every file's
data: ``run(corpus, setup)`` adds columns to ``corpus.table``, tables to ``corpus.tables``
or data to ``corpus.data``. Its docstring says what it computes as a relational operation
(group-by, join, window over a file), the form a distributed engine runs it in.

Each family module registers its steps (``register``); ``plan`` orders them by the outputs
they need (ties by name), so the pipeline runs the registered steps without naming a family.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import importlib
import io
import pickle
import pkgutil
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..cache import PlainValues
from ..frame import Table

if TYPE_CHECKING:
    import numpy as np

    from ..ingest import Document


@dataclass(frozen=True)
class FileStep:
    """A per-file step. ``compute(doc, inputs, setup)``: ``inputs`` holds the outputs of the
    file steps before it (at least those it ``needs``), ``setup`` what ``prepare(context)``
    returned once per run (compiled patterns, a lexicon; None without ``prepare``)."""

    name: str
    family: str
    version: str  # change it whenever what the step computes changes: its cached outputs go
    compute: Callable[[Document, dict, Any], dict]
    needs: tuple[str, ...] = ()  # outputs of other file steps it reads
    columns: tuple[str, ...] = ()  # paragraph columns it produces, in table order
    data: tuple[str, ...] = ()  # per-file outputs for corpus steps
    shaping: tuple[str, ...] = ()  # expectations/ files whose content shapes its outputs
    settings: tuple[str, ...] = ()  # Config attributes ([tool.corpus-validator.*] sections) it reads
    libraries: tuple[str, ...] = ()  # modules whose installed version shapes its outputs
    prepare: Callable[[Context], Any] | None = None
    pack: Callable[[dict], dict] | None = None  # its outputs as cached (default: ``pack_columns`` for columns only)
    unpack: Callable[[dict, Document], dict] | None = None  # and back, given the document
    # Change it whenever how ``pack`` stores the outputs changes, the values staying the same:
    # this step's cached outputs go, and no other step's (``version`` keys the steps reading it).
    layout: str = ""

    @property
    def produces(self) -> tuple[str, ...]:
        return self.columns + self.data


@dataclass(frozen=True)
class CorpusStep:
    """A step over the whole corpus: ``run(corpus, setup)`` adds ``columns`` to ``corpus.table``,
    ``tables`` to ``corpus.tables`` and ``data`` to ``corpus.data``. Not cached: it runs on every
    run, over every file read."""

    name: str
    family: str
    version: str
    run: Callable[[Corpus, Any], None]
    needs: tuple[str, ...] = ()  # columns of the table, per-file data, or corpus data it reads
    columns: tuple[str, ...] = ()
    tables: tuple[str, ...] = ()
    data: tuple[str, ...] = ()
    shaping: tuple[str, ...] = ()
    settings: tuple[str, ...] = ()
    libraries: tuple[str, ...] = ()
    prepare: Callable[[Context], Any] | None = None

    @property
    def produces(self) -> tuple[str, ...]:
        return self.columns + self.tables + self.data


FILE_STEPS: dict[str, FileStep] = {}
CORPUS_STEPS: dict[str, CorpusStep] = {}


def register(step: FileStep | CorpusStep) -> FileStep | CorpusStep:
    steps = FILE_STEPS if isinstance(step, FileStep) else CORPUS_STEPS
    if step.name in FILE_STEPS or step.name in CORPUS_STEPS:
        raise ValueError(f"feature step {step.name} registered twice")
    taken = {name for s in [*FILE_STEPS.values(), *CORPUS_STEPS.values()] for name in s.produces}
    if taken & set(step.produces):
        raise ValueError(f"feature step {step.name}: {', '.join(sorted(taken & set(step.produces)))} produced twice")
    steps[step.name] = step
    return step


_discovered: list[bool] = []


def discover() -> None:
    """Import every module of ``validators.features`` (once): each registers its family's steps."""
    if _discovered:
        return
    for module in pkgutil.iter_modules(sys.modules[__package__].__path__):
        importlib.import_module(f"{__package__}.{module.name}")
    _discovered.append(True)


def plan(steps: Iterable, available: Iterable[str] = (), wanted: Iterable[str] | None = None) -> list:
    """``steps`` in an order where each comes after the steps producing what it needs (ties: by
    name); with ``wanted``, only the steps those outputs need. ``available``: outputs given."""
    steps = sorted(steps, key=lambda s: s.name)
    producer = {name: step for step in steps for name in step.produces}
    if wanted is not None:
        keep: set[str] = set()
        todo = [producer[name] for name in wanted if name in producer]
        while todo:
            step = todo.pop()
            if step.name not in keep:
                keep.add(step.name)
                todo += [producer[n] for n in step.needs if n in producer]
        steps = [s for s in steps if s.name in keep]
    done, ordered, have = set(), [], set(available)
    while len(ordered) < len(steps):
        ready = [s for s in steps if s.name not in done and all(n in have or n not in producer for n in s.needs)]
        if not ready:
            left = ", ".join(s.name for s in steps if s.name not in done)
            raise ValueError(f"feature steps {left} need each other's outputs")
        step = ready[0]
        done.add(step.name)
        ordered.append(step)
        have.update(step.produces)
    return ordered


def file_steps() -> list[FileStep]:
    """The registered file steps, in plan order."""
    discover()
    return _plan(tuple(FILE_STEPS.values()))


def corpus_steps(wanted: Iterable[str] | None = None) -> list[CorpusStep]:
    """The registered corpus steps, in plan order (``wanted``: only those these outputs need)."""
    discover()
    given = frozenset(name for step in FILE_STEPS.values() for name in step.produces) | {"path", "doc_id"}
    return _plan(tuple(CORPUS_STEPS.values()), given, None if wanted is None else tuple(wanted))


@functools.lru_cache(maxsize=16)
def _plan(steps: tuple, available: frozenset = frozenset(), wanted: tuple | None = None) -> list:
    return plan(steps, available, wanted)


@dataclass
class Context:
    """What one run's steps read besides the documents: settings, ``expectations/`` files, run
    parameters, and each step's ``prepare`` output (``setups``). Picklable once prepared, so a
    cluster's workers receive it whole.

    ``read(name, directory)`` reads an expectations file as (source, text) (the corpus's own,
    else the bundled one; ``directory`` None: the bundled one). ``pattern_rules``: (is an
    error, compiled patterns) for each pattern rule of ``paragraphs.json``, in suite order.
    ``report_paths``: the files reported on (None: all). ``options``: run parameters from the
    suites (``error_threshold``, BP100's bound).
    """

    config: Any  # a ``validators.config.Config``: the settings sit a layer above the features
    read: Callable[[str, Any], tuple[str, str]]
    pattern_rules: tuple = ()
    report_paths: set[str] | None = None
    options: dict[str, Any] = field(default_factory=dict)
    setups: dict[str, Any] = field(default_factory=dict)
    files: dict[tuple[str, bool], tuple[str, str]] = field(default_factory=dict)
    resources: dict[str, Any] = field(default_factory=dict)

    def file(self, name: str, bundled: bool = False) -> tuple[str, str]:
        """(source, text) of ``expectations/NAME`` (``bundled``: the one shipped with the tool)."""
        if (name, bundled) not in self.files:
            self.files[name, bundled] = self.read(name, None if bundled else self.config.expectations)
        return self.files[name, bundled]

    def resource(self, loader: Callable[[Context], Any]) -> Any:
        """``loader(self)``, once per run: what several steps of a family share (a lexicon)."""
        key = f"{loader.__module__}.{loader.__qualname__}"
        if key not in self.resources:
            self.resources[key] = loader(self)
        return self.resources[key]

    def prepare(self, steps: Iterable) -> Context:
        for step in steps:
            if step.name not in self.setups:
                self.setups[step.name] = step.prepare(self) if step.prepare else None
        return self


def library_version(module: str) -> str:
    """The installed version of ``module``: its own ``__version__`` (what its distribution's
    metadata says; importing ``importlib.metadata`` would cost a hook run ~25 ms), else the
    metadata's."""
    version = getattr(importlib.import_module(module), "__version__", None)
    if isinstance(version, str):
        return version
    from importlib.metadata import version as metadata_version

    return metadata_version(module)


def step_keys(steps: list[FileStep], context: Context) -> dict[str, str]:
    """Each file step's cache key: a digest of its name and version, the content of the
    expectations files and the settings it reads, the versions of its libraries, and the keys
    of the steps whose outputs it reads (the tool's and Python's versions key the whole cache);
    and its layout, which only its own key holds."""
    keys: dict[str, str] = {}
    values: dict[str, str] = {}  # each step's key without its layout: what shapes its values
    producer = {name: step.name for step in steps for name in step.produces}
    for step in steps:  # in plan order: a step's inputs are keyed before it
        parts = [step.name, step.version]
        parts += [f"{name}\0{context.file(name)[1]}" for name in step.shaping]
        parts += [f"{name}\0{getattr(context.config, name)!r}" for name in step.settings]
        parts += [f"{module}\0{library_version(module)}" for module in step.libraries]
        parts += sorted({values[producer[n]] for n in step.needs if n in producer})
        values[step.name] = _digest(parts)
        keys[step.name] = _digest([values[step.name], "layout", step.layout]) if step.layout else values[step.name]
    return keys


def _digest(parts: list[str]) -> str:
    return hashlib.sha256("\0\0".join(parts).encode("utf-8", "surrogatepass")).hexdigest()


def run_file_steps(doc: Document, context: Context, known: dict[str, dict] | None = None) -> dict[str, dict]:
    """Every file step's outputs for one document, by step name (``known``: outputs already at
    hand, from a cache; those steps are not run again). ``context`` must be prepared for the
    file steps (``Context.prepare(file_steps())``). What a cluster's partition worker calls."""
    sections = dict(known or {})
    inputs = {name: value for outputs in sections.values() for name, value in outputs.items()}
    for step in file_steps():
        if step.name in sections:
            continue
        outputs = step.compute(doc, inputs, context.setups[step.name])
        missing = set(step.produces) - set(outputs)
        if missing:
            raise ValueError(f"feature step {step.name} did not produce {', '.join(sorted(missing))}")
        sections[step.name] = outputs
        inputs.update(outputs)
    return sections


def for_missing_steps(known: dict[str, dict]) -> dict[str, dict]:
    """``known`` (a file's cached sections) as ``run_file_steps`` needs it to compute the other
    sections: a section that no step still to run reads stands as an empty dict (it is not run
    again). A process computing one new section of a file is then sent the few it reads, not
    the file's whole features, and sends back the new section alone."""
    needed = {name for step in file_steps() if step.name not in known for name in step.needs}
    return {name: outputs if needed.intersection(outputs) else {} for name, outputs in known.items()}



class DamagedRows(Exception):
    """A row of ``PackedRows`` that does not unpickle: the cache file it was mapped from is damaged."""


@contextlib.contextmanager
def _damaged():
    """Any error unpickling a row (a damaged or crafted cache file) as ``DamagedRows``."""
    try:
        yield
    except Exception as exc:
        raise DamagedRows(str(exc) or type(exc).__name__) from None


class PackedRows(Sequence):
    """A file's per-row values (each a plain value: tuples, lists, strings, numbers) as the
    cache keeps them: each row pickled on its own, one after another, in one byte array
    (``blob``, mapped from the cache file), with where each ends (``ends``); a row equal to
    ``empty`` (most rows of most steps hold nothing) takes no bytes. A row is unpickled when
    asked for: a pre-commit run reads a few rows of each file (``name.bearing_rows``), not
    every row's nested tuples (a third of a 10,000-file corpus's cached objects); a full run
    reads them all, in one pass (``__iter__``)."""

    __slots__ = ("blob", "ends", "empty")

    def __init__(self, blob: np.ndarray, ends: np.ndarray, empty: Any = None):
        self.blob, self.ends, self.empty = blob, ends, empty

    @classmethod
    def of(cls, rows, empty: Any = None) -> PackedRows:
        if isinstance(rows, PackedRows):
            return rows
        import numpy as np

        pickled = [b"" if row == empty else pickle.dumps(row, protocol=2) for row in rows]  # 2: no frame header
        ends = np.cumsum([len(p) for p in pickled], dtype=np.uint64)
        if len(ends) and ends[-1] < 2**32:
            ends = ends.astype(np.uint32)
        return cls(np.frombuffer(b"".join(pickled), dtype=np.uint8), ends, empty)

    def __len__(self) -> int:
        return len(self.ends)

    def __iter__(self):
        ends = self.ends.tolist()
        reader, values = PlainValues(io.BytesIO(memoryview(self.blob))), []
        with _damaged():
            for start, end in zip([0, *ends], ends):
                values.append(self.empty if start == end else reader.load())
        return iter(values)

    def __getitem__(self, row):
        if isinstance(row, slice):
            return [self[r] for r in range(*row.indices(len(self)))]
        if row < 0:
            row += len(self)
        start, end = int(self.ends[row - 1]) if row else 0, int(self.ends[row])
        if start == end:
            return self.empty
        with _damaged():
            return PlainValues(io.BytesIO(memoryview(self.blob)[start:end])).load()

    def picked(self, rows: list[int]) -> list:
        """The values of ``rows``, unpickled by one reader (a row unpickled on its own sets up a
        reader of its own: most of the time of reading one)."""
        ends = self.ends.tolist()
        stream = io.BytesIO(memoryview(self.blob))
        reader, values = PlainValues(stream), []
        with _damaged():
            for row in rows:
                start, end = ends[row - 1] if row else 0, ends[row]
                if start == end:
                    values.append(self.empty)
                else:
                    stream.seek(start)
                    values.append(reader.load())
                    if stream.tell() != end:  # each row is read to its own end, as on its own
                        raise ValueError(f"row {row} of a file's rows does not end where it should")
        return values

    def __reduce__(self):  # sent whole to a worker or cluster: its arrays, copied out of the cache's mapping
        return PackedRows, (self.blob.copy(), self.ends.copy(), self.empty)


def pack_columns(outputs: dict) -> dict:
    """Columns as cached: a list with one value throughout (most feature columns: None) as
    (value, count), so a thousand files load as a few objects each, not as lists."""
    return {k: (v[0], len(v)) if v and v.count(v[0]) == len(v) else v for k, v in outputs.items()}


def unpack_columns(stored: dict, doc: Document) -> dict:
    return {k: [v[0]] * v[1] if isinstance(v, tuple) else v for k, v in stored.items()}


def _pack(step: FileStep, outputs: dict) -> dict:
    if step.pack:
        return step.pack(outputs)
    return pack_columns(outputs) if step.columns and not step.data else outputs  # per-file data as it is


def _unpack(step: FileStep, stored: dict, doc: Document, for_table: bool = False) -> dict:
    if step.unpack:
        return step.unpack(stored, doc)
    if for_table:  # a column of one value stays (value, count): ``frame.assemble`` fills it in place
        return stored
    return unpack_columns(stored, doc) if step.columns and not step.data else stored


def pack(sections: dict[str, dict]) -> dict[str, dict]:
    return {name: _pack(FILE_STEPS[name], outputs) for name, outputs in sections.items()}


def unpack(stored: dict[str, dict], doc: Document, for_table: bool = False) -> dict[str, dict]:
    """The cached sections of the registered steps (others, from steps since removed, are dropped).
    ``for_table``: the sections go to ``assemble_corpus`` only (no file step reads them), which
    takes a column of one value as it is cached, (value, count): most of a file's encoding
    columns are None throughout, and a list of them each would only be copied into the table."""
    return {name: _unpack(FILE_STEPS[name], out, doc, for_table) for name, out in stored.items() if name in FILE_STEPS}


@dataclass
class Corpus:
    """What corpus steps work on: the paragraph table, each file step's per-file ``data`` (by
    output name, one value per file in table order), the rows of each file, and what corpus
    steps add (``tables``, ``data``)."""

    documents: list
    table: Table
    per_file: dict[str, list]
    rows_per_file: list[int]
    context: Context
    tables: dict[str, Table] = field(default_factory=dict)
    data: dict[str, Any] = field(default_factory=dict)
    #: Per file, whether its values are asked for; None: every file's. Set by a run that reports
    #: on some files and reads no other file's values (a pre-commit run): a corpus step may then
    #: leave the other files' row values unworked (``reported_rows``), never what a reported
    #: file's values, or the places they name, depend on.
    reported: list[bool] | None = None
    #: Sums over the corpus kept between runs (``corpus_sums.CorpusSums``), where a run keeps them.
    sums: Any = None

    def reported_rows(self):
        """A boolean NumPy mask of the table's rows whose values are asked for (None: all)."""
        if self.reported is None:
            return None
        import numpy as np

        return np.repeat(np.array(self.reported, dtype=bool), np.array(self.rows_per_file, dtype=np.int64))


def assemble_corpus(documents: list, sections: list[dict[str, dict]], context: Context, joined: bool = False) -> Corpus:
    """The paragraph table (the file steps' columns, in step order) and the per-file data
    (``joined``: the columns as ``frame.Joined``, read where they are)."""
    from ..frame import assemble

    steps = file_steps()
    columns = [{c: s[step.name][c] for step in steps for c in step.columns} for s in sections]
    per_file = {d: [s[step.name][d] for s in sections] for step in steps for d in step.data}
    rows = [len(c["para"]) for c in columns]
    return Corpus(documents, assemble(documents, columns, joined), per_file, rows, context)


#: Fewest paragraphs for which a step runs beside the others (``run_corpus_steps``): below it,
#: forking the worker and sending its tables back cost more than the step.
BACKGROUND_MIN_ROWS = 50_000


def run_corpus_steps(corpus: Corpus, wanted: Iterable[str] | None = None, jobs: int = 1) -> Corpus:
    """Run the corpus steps in plan order (``wanted``: only those these outputs need). With
    ``jobs`` 2 or more, in a run over every file that keeps nothing between runs, a step that
    reads only what the file steps made and adds only tables of its own (``aside``: the name
    mentions) runs in a forked worker meanwhile, on a core the others leave idle."""
    steps = corpus_steps(wanted)
    corpus.context.prepare(steps)
    started = []
    if jobs > 1 and corpus.reported is None and corpus.sums is None and len(corpus.table) >= BACKGROUND_MIN_ROWS:
        from ..pool import in_background

        for step in aside(steps):
            handle = in_background(_tables_of, (corpus, step))
            if handle is not None:
                started.append((step, handle))
    try:
        for step in steps:
            if all(step is not other for other, _ in started):
                step.run(corpus, corpus.context.setups[step.name])
        for _, handle in started:
            corpus.tables.update(handle.result())
    finally:
        for _, handle in started:
            handle.stop()
    return corpus


def aside(steps: list[CorpusStep]) -> list[CorpusStep]:
    """The steps of a plan that may run beside the others: they read no corpus step's output,
    and add tables only (no column of the table and no data the others read)."""
    made = {name for step in steps for name in step.produces}
    return [step for step in steps if step.tables and not step.columns and not step.data and made.isdisjoint(step.needs)]


def _tables_of(argument: tuple[Corpus, CorpusStep]) -> dict:
    """In a background worker: the step run on the corpus it inherited, and the tables it made."""
    corpus, step = argument
    step.run(corpus, corpus.context.setups[step.name])
    return {name: corpus.tables[name] for name in step.tables}
