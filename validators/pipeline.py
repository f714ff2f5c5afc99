"""The flow, in one direction: ingest → normalise/segment → features → expectations → findings."""

from __future__ import annotations

import functools
import os
import re
from collections import Counter
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

from .config import Config
from .errors import CorpusValidatorError, SuiteError
from .cache import FOLDER as CACHE_FOLDER
from .cache import FeatureCache, digest
from .corpus_sums import CorpusSums
from .features.steps import (
    Context,
    Corpus,
    DamagedRows,
    assemble_corpus,
    corpus_steps,
    file_steps,
    for_missing_steps,
    pack,
    run_corpus_steps,
    run_file_steps,
    step_keys,
    unpack,
)
from .findings import Finding, arbitrated, build_findings
from .frame import Table, file_table
from .file_index import FileIndex
from .ingest import Document, listing, shown_paths
from .pool import core_count
from .progress import track
from .rules import RULES, CorpusView, PatternRule
from .suite import expectation_file, load_suites, parse_suite

if TYPE_CHECKING:
    from .features.noise import NoiseUnits


@dataclass
class Report:
    documents: list[Document]
    paragraph_table: Table  # every paragraph of the files read, with every feature column
    mention_table: Table
    findings: list[Finding] = field(default_factory=list)
    baselined: int = 0  # findings a baseline accepted (not in ``findings``)
    levels: dict[str, str | None] = field(default_factory=dict)  # each rule's level in this run; None: not run

    @cached_property
    def paragraphs(self):
        """The paragraph table as a pandas DataFrame."""
        return self.paragraph_table.to_pandas()

    @cached_property
    def mentions(self):
        """The mentions table as a pandas DataFrame."""
        return self.mention_table.to_pandas()

    @property
    def skipped(self) -> list[tuple[str, str]]:
        """Files with nothing to check, and why (binary files are findings, not skips)."""
        shown = {"empty": "empty file"}  # others say it as they are ("symbolic link loop")
        return [(d.path, shown.get(d.problem, d.problem)) for d in self.documents if d.problem not in (None, "binary")]

    @property
    def errors(self) -> int:
        return sum(f.severity == "error" for f in self.findings)

    @property
    def paragraphs_reported(self) -> int:
        """Paragraphs of the files reported on (with ``--with-corpus`` the table also holds the
        context's), so the summary's files and paragraphs count the same thing."""
        reported = {d.doc_id for d in self.documents}
        if len(reported) == len({*self.paragraph_table["doc_id"]}):
            return len(self.paragraph_table)
        return sum(doc_id in reported for doc_id in self.paragraph_table["doc_id"])

    def summary(self) -> dict:
        by_severity = Counter(f.severity for f in self.findings)
        return {
            "files": len(self.documents),
            "paragraphs": self.paragraphs_reported,
            "findings": len(self.findings),
            "errors": by_severity["error"],
            "warnings": by_severity["warning"],
            "infos": by_severity["info"],
            "baselined": self.baselined,
            "by_code": dict(sorted(Counter(f.code for f in self.findings).items())),
            "skipped": [{"path": p, "reason": r} for p, r in self.skipped],
        }


def pattern_rules(config: Config) -> tuple:
    """(is an error, compiled patterns) of each pattern rule in ``paragraphs.json``: feature
    steps may read their hits (the noise model does), whichever rules a run selects."""
    suite = parse_suite(*expectation_file("paragraphs.json", config.expectations))
    found = []
    for spec in suite.expectations:
        rule = RULES[spec.code]
        if issubclass(rule, PatternRule) and rule.model_feature and spec.type.endswith(("_regex_list", "_regex")):
            patterns = spec.kwargs.get("regex_list") or [spec.kwargs.get("regex")]
            try:
                compiled = tuple(re.compile(p) for p in patterns)
            except (re.error, TypeError) as exc:
                raise SuiteError(f"{suite.source}: a pattern of {spec.code} is not a valid regular expression: {exc}") from None
            found.append((spec.severity == "critical", compiled))
    return tuple(found)


def feature_context(config: Config, report_paths: set[str] | None = None, error_threshold: float = 1.0) -> Context:
    """A run's feature context, prepared for the file steps (picklable: what a cluster's
    workers need to call ``steps.run_file_steps``)."""
    context = Context(config, expectation_file, pattern_rules(config), report_paths, {"error_threshold": error_threshold})
    return context.prepare(file_steps())


def open_cache(config: Config) -> FeatureCache:
    """The feature cache, its sections keyed by the file steps (``steps.step_keys``)."""
    folder = config.root / CACHE_FOLDER if config.cache else None
    keys = step_keys(file_steps(), Context(config, expectation_file)) if folder is not None else {}
    return FeatureCache(folder, keys, max_bytes=config.cache_size * 1024 * 1024)


def _file_stage(documents: list[Document], context: Context, cache: FeatureCache | None) -> list[dict[str, dict]]:
    """Each document's file-step outputs, by step: from the cache where it has them (a section
    whose step changed is computed again, alone); the others computed once per distinct content,
    in ``jobs`` processes when there are enough of them to pay for a pool (``_computed``)."""
    cache = cache or FeatureCache(None)
    wanted = {step.name for step in file_steps()}
    for doc in documents:
        if doc.content is None:
            doc.content = digest(doc.data)
    contents = [doc.content for doc in documents]
    per_file: list[dict[str, dict] | None] = [None] * len(documents)
    todo: dict[str, tuple[int, dict]] = {}  # content -> (first document with it, sections known)
    # Copies of one content share its unpacked sections (nothing downstream changes them in
    # place): a corpus of copies unpacks, and slices its paragraphs from, each text once.
    unpacked: dict[str, tuple[Document, dict]] = {}

    def sections_of(doc: Document, content: str) -> dict[str, dict]:
        first = unpacked.get(content)
        if first is not None and first[0].problem == doc.problem:  # the same bytes: the same text
            return first[1]
        stored = cache.get(content)
        # Whole, the sections go to the table only; else file steps run on them (``todo``).
        sections = unpack(stored, doc, for_table=stored.keys() >= wanted) if stored else {}
        unpacked[content] = (doc, sections)
        return sections

    for n, (doc, content) in enumerate(zip(documents, contents, strict=True)):
        if content in todo:
            continue  # the same bytes as a file still to compute: its outputs, once computed
        sections = sections_of(doc, content)
        if sections.keys() == wanted:
            per_file[n] = sections
        else:
            todo[content] = (n, sections)
    work = [(documents[n], for_missing_steps(known)) for n, known in todo.values()]
    for content, computed in zip(todo, _computed(work, context), strict=True):
        cache.put(content, {**(cache.get(content) or {}), **computed})  # the sections it had, and the new ones
        unpacked.pop(content, None)
    for n, (doc, content) in enumerate(zip(documents, contents, strict=True)):
        if per_file[n] is None:
            per_file[n] = sections_of(doc, content)
    cache.release()  # with nowhere to save them, the packed outputs go once the table is made of them
    return per_file


#: Fewest files to compute for which ``check`` starts a process pool: below it, starting the
#: workers costs more than they save (``bench/scale.py --pool``).
POOL_MIN_FILES = 8


def _computed(work: list[tuple[Document, dict]], context: Context) -> list[dict[str, dict]]:
    """The outputs of the file steps not yet known for each (document, sections already known),
    packed as the cache keeps them, in order: in ``config.jobs`` worker processes, or in this one
    for a few files."""
    jobs = context.config.jobs or core_count()
    if jobs < 2 or len(work) < POOL_MIN_FILES:
        return [_new_sections(doc, context, known) for doc, known in track(work, "features")]
    from .pool import ordered_map

    return ordered_map(_worker_file_steps, work, jobs, _worker_setup, context)


def _new_sections(doc: Document, context: Context, known: dict) -> dict[str, dict]:
    """The file steps' outputs that ``known`` does not hold, packed."""
    return pack({name: outputs for name, outputs in run_file_steps(doc, context, known).items() if name not in known})


_worker_context: list[Context] = []  # in a worker process: the run's feature context


def _worker_setup(context: Context) -> None:
    _worker_context[:] = [context]


def _worker_file_steps(item: tuple[Document, dict]) -> dict[str, dict]:
    doc, known = item
    return _new_sections(doc, _worker_context[0], known)


def corpus_features(
    documents: list[Document],
    context: Context,
    cache: FeatureCache | None = None,
    wanted=None,
    narrow: bool = False,
    keep_bytes: bool = True,
) -> Corpus:
    """The file steps over each document (cached), the table they make, then the corpus steps
    (``wanted``: only those these outputs need). ``narrow``: a run that reports on some files
    (``context.report_paths``) and reads no other file's values gives the corpus steps only
    what the reported files' values depend on (``narrowed_template_lines``). ``keep_bytes``
    False: each document's bytes go once the file steps have read them (nothing after them does)."""
    sections = _file_stage(documents, context, cache)
    if not keep_bytes:
        for doc in documents:
            doc.data = b""
    narrow = narrow and context.report_paths is not None
    corpus = assemble_corpus(documents, sections, context, joined=narrow)
    if narrow:
        corpus.reported = [d.path in context.report_paths for d in documents]
        if "noise_lines" in corpus.per_file:
            corpus.per_file["noise_lines"] = narrowed_template_lines(corpus.per_file["noise_lines"], corpus.reported)
        if cache is not None and cache.folder is not None:
            corpus.sums = CorpusSums(cache.folder, cache)
    try:
        run_corpus_steps(corpus, wanted, context.config.jobs or core_count())
    except DamagedRows as exc:  # rows are unpickled where a corpus step asks for them, not on load
        folder = context.config.root / CACHE_FOLDER
        raise CorpusValidatorError(f"{folder}: the feature cache is damaged ({exc}); delete the folder, or run with --no-cache") from None
    if corpus.sums is not None:
        corpus.sums.save()
    return corpus


def narrowed_template_lines(per_file: list[dict], reported: list[bool]) -> list[dict]:
    """Each file's ``noise_lines`` (``noise.file_noise_features``: per line unit its features
    ``x``, its paragraph ``owner`` and its text's digest ``keys``), the files not reported
    reduced to the units whose text a reported file has: a unit's template count is the number
    of files (copies once) with its text, and its features and neighbours are its own file's,
    so the reported files' counts, scores and template blocks are the same, and a pre-commit
    run does not stack every line of the corpus. Each reduced file keeps its last paragraph's
    unit, by which the template step places the next file's rows."""
    import numpy as np  # as the feature steps do: the command line's start does not import it

    from .features.lookup import among

    wanted = [e["keys"] for e, mine in zip(per_file, reported, strict=True) if mine and len(e["keys"])]
    if not wanted:
        keys = np.zeros(0, dtype=np.uint64)
    else:
        keys = np.unique(np.concatenate(wanted))
    lengths = [len(e["keys"]) for e in per_file]
    every = np.concatenate([e["keys"] for e in per_file]) if per_file else np.zeros(0, dtype=np.uint64)
    shared = among(every, keys)
    narrowed, at = [], 0
    for entry, mine, n in zip(per_file, reported, lengths, strict=True):
        if mine or not n:
            narrowed.append(entry)
        else:
            keep = shared[at : at + n].copy()
            keep[int(np.argmax(entry["owner"]))] = True
            narrowed.append({**entry, "x": entry["x"][keep], "owner": entry["owner"][keep], "keys": entry["keys"][keep]})
        at += n
    return narrowed


def noise_features(documents: list[Document], config: Config) -> tuple[Table, NoiseUnits]:
    """The paragraph table and the noise model's feature matrix (``noise.FEATURES_ORDER``), unscored:
    what ``train-noise`` learns from."""
    corpus = corpus_features(documents, feature_context(config), None, wanted=["noise_units"])
    return corpus.table, corpus.data["noise_units"].whole()  # a unit for every labelled line, copies' too


def featurise(
    documents: list[Document],
    config: Config,
    cache: FeatureCache | None = None,
    report_paths: set[str] | None = None,
    error_threshold: float = 1.0,
) -> tuple[Table, Table]:
    """The paragraph table with every feature column, and the mentions table (``error_threshold``:
    BP100's, above which a paragraph makes its file furnished, ``furnished_noise_score``)."""
    corpus = corpus_features(documents, feature_context(config, report_paths, error_threshold), cache)
    return corpus.table, corpus.tables["mentions"]


def check(paths: list[str | os.PathLike], config: Config, context: list[str | os.PathLike] = (), whole_table: bool = False) -> Report:
    """Run every selected rule over the corpus files under ``paths``.

    ``context``: more corpus files, read so that cross-file rules (duplicates, name
    variants) see them, but not reported on: a pre-commit run checks the changed
    files against the whole corpus. ``whole_table``: the report's tables are read whole
    (``export``, the Python API): the spark engine's driver then gets every file's values, not
    only those the findings read.
    """
    report_paths = shown_paths(paths) if context else None
    if config.engine == "spark":  # read, file and corpus steps on Spark (validators/spark.py)
        from .spark import check_on_spark

        return check_on_spark([*paths, *context], config, report_paths, whole_table)
    # A run that reports on some files takes the others' features from the cache by their
    # identity (``file_index``), not by reading them.
    index = open_file_index(config)
    documents = index.read(listing([*paths, *context]), report_paths)
    cache = open_cache(config)
    report = check_documents(documents, config, cache, report_paths, keep_bytes=False)
    cache.save()
    index.note(documents)
    index.save()
    return report


def open_file_index(config: Config) -> FileIndex:
    """The file index in the cache folder (none without the cache)."""
    return FileIndex(config.root / CACHE_FOLDER if config.cache else None)


#: The tables corpus steps make for one suite's frame alone: not made when no selected rule reads them.
OPTIONAL_TABLES = ("mentions",)


def wanted_outputs(suites: list) -> list[str] | None:
    """The corpus steps' outputs a run needs (None: all): every one but a table that no suite
    with an expectation left to run reads (``--ignore NM``: no name mentions, the largest cost
    of a hook run in a large corpus, are worked out)."""
    read = {suite.frame for suite in suites if suite.expectations}
    unread = [table for table in OPTIONAL_TABLES if table not in read]
    if not unread:
        return None
    return [name for step in corpus_steps() for name in step.produces if name not in unread]


def empty_mentions() -> Table:
    """The mentions table of a run that made none (no name rule runs)."""
    from .features.name import MENTION_COLUMNS

    return Table({name: [] for name in MENTION_COLUMNS})


def rule_levels(suites, config: Config) -> dict[str, str | None]:
    """Each rule's level under ``config`` (None: not run), from the suites' severities."""
    levels: dict[str, str | None] = {}
    for suite in suites:
        for spec in suite.expectations:
            levels.setdefault(spec.code, config.severity_of(spec.code, spec.severity))
    return levels


#: The rules over the noise score, and the setting that gives each its ``max_value``.
SCORE_RULES = {"BP100": "error_threshold", "BP101": "review_threshold", "BP103": "furnished_threshold"}


def noise_thresholds(suites: list, config: Config) -> list:
    """The suites with ``[tool.corpus-validator.noise]``'s thresholds as the score rules' bounds."""
    for code, setting in SCORE_RULES.items():
        value = getattr(config.noise, setting)
        if value is not None:
            suites = [s.with_kwargs(code, max_value=value) for s in suites]
    return suites


def error_threshold(suites: list, code: str = "BP100", default: float | None = 1.0) -> float | None:
    """BP100's bound in ``suites`` (1.0 when no suite has it: then no file counts as furnished),
    or another score rule's (``code``)."""
    for suite in suites:
        for spec in suite.expectations:
            if spec.code == code and spec.kwargs.get("max_value") is not None:
                return float(spec.kwargs["max_value"])
    return default


def check_documents(
    documents: list[Document],
    config: Config,
    cache: FeatureCache | None = None,
    report_paths: set[str] | None = None,
    features: Corpus | None = None,
    keep_bytes: bool = True,
    fetch=None,
) -> Report:
    """Run every selected rule over documents already read (``fix`` re-checks in memory);
    ``features``: their corpus features, when computed elsewhere (the spark engine), and ``fetch``,
    what gets the values of a table's rows that lie elsewhere (``findings.build_findings``);
    ``features.data["memos"]``, the corpus-wide lookups worked out there (``CorpusView.memo``).
    ``keep_bytes`` False: the documents' bytes go once their features are computed (the rules
    read the decoded text; a corpus's bytes held beside it raised a check's peak memory)."""
    all_suites = load_suites(config.expectations)
    config.check_codes()  # the corpus's own rule codes are known now
    suites = noise_thresholds([s.only(config.runs) for s in all_suites], config)
    error = error_threshold(noise_thresholds(all_suites, config))
    if features is None:
        # Nothing reads the values of files not reported unless an expectation weighs every row.
        narrow = report_paths is not None and not any("mostly" in spec.kwargs for s in suites for spec in s.expectations)
        wanted = wanted_outputs(suites)
        features = corpus_features(
            documents, feature_context(config, report_paths, error), cache, wanted=wanted, narrow=narrow, keep_bytes=keep_bytes
        )
    paragraphs = features.table
    mentions = features.tables["mentions"] if "mentions" in features.tables else empty_mentions()
    memos = features.data.get("memos", {})  # corpus-wide lookups the rules read, where worked out elsewhere
    # The rules read the tables and the steps' setups, not what the steps worked from (per-file
    # data, the noise model's feature matrix): held no longer than here.
    setups = features.context.setups
    del features
    reported = [d for d in documents if report_paths is None or d.path in report_paths]
    report = Report(reported, paragraphs, mentions, levels=rule_levels(all_suites, config))

    from .evaluate import ENGINES  # the gx engine imports GX only when it runs

    evaluate = ENGINES[config.engine]
    if config.data_docs is not None:
        evaluate = functools.partial(evaluate, data_docs=config.data_docs)
    if config.engine == "spark":
        evaluate = functools.partial(evaluate, master=config.spark_master)
    frames = {"paragraphs": paragraphs, "mentions": mentions, "files": file_table(documents)}
    outcomes = evaluate(frames, track(suites, "evaluation", "suites"), report_paths)
    # The rules read the data the feature steps prepared from expectations/ (each step's setup).
    corpus = CorpusView(paragraphs, mentions, {d.doc_id: d for d in documents}, setups, frames["files"], dict(memos))
    findings = build_findings(outcomes, corpus, config.severity_of, report_paths, fetch)
    findings = [f for f in findings if not config.ignored(f.path, f.code)]  # per-file-ignores
    # A pattern's error on a paragraph the noise model reads as the article's own is a warning
    # (findings.arbitrate); after the ignores: an ignored error is not the file's furniture.
    pattern_threshold = config.noise.pattern_threshold
    if pattern_threshold is None:
        pattern_threshold = error_threshold(noise_thresholds(all_suites, config), "BP101", None)
    # A dateline, byline, credit or trailer in a file with no other furniture stands only where
    # the model would call it furniture on its own: a clean article prints them.
    article_part_threshold = config.noise.article_part_threshold
    if article_part_threshold is None:
        article_part_threshold = error
    findings = arbitrated(findings, paragraphs, pattern_threshold, article_part_threshold)
    report.findings = sorted(findings, key=lambda f: f.sort_key)
    return report
