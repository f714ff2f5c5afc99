"""The flow, in one direction: ingest → normalise/segment → features → expectations → findings."""

from __future__ import annotations

import functools
import os
import re
from collections import Counter
from dataclasses import dataclass, field
from functools import cached_property

from .config import Config
from .errors import SuiteError
from .features.duplicate import add_duplicate_features, concatenate, file_duplicate_data
from .cache import FOLDER as CACHE_FOLDER
from .cache import FeatureCache, digest
from .features.noise import NoisePatterns, NoiseUnits, add_noise_scores, corpus_noise_features, file_noise_features
from .features.noise_model import NoiseModel
from .features.encoding import EncodingPatterns, encoding_columns
from .features.name import NameLexicon, build_mentions, corpus_vocabulary, lowercase_words, mention_candidates
from .findings import Finding, build_findings, file_findings
from .frame import Table, assemble, document_columns
from .ingest import Document, read, shown_paths
from .progress import track
from .rules import RULES, CorpusView, PatternRule
from .suite import expectation_file, load_suites, parse_suite


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


def load_lexicon(config: Config) -> NameLexicon:
    return NameLexicon.parse(*expectation_file("names.toml", config.expectations))


def load_encoding_patterns(config: Config) -> EncodingPatterns:
    return EncodingPatterns.parse(*expectation_file("encoding.toml", config.expectations))


def load_noise_patterns(config: Config) -> NoisePatterns:
    """``noise.toml``, and the noise patterns of ``paragraphs.json``: their hits are features
    of the noise model (whichever rules a run selects)."""
    suite = parse_suite(*expectation_file("paragraphs.json", config.expectations))
    furniture = []
    for spec in suite.expectations:
        if issubclass(RULES[spec.code], PatternRule) and spec.type.endswith(("_regex_list", "_regex")):
            patterns = spec.kwargs.get("regex_list") or [spec.kwargs.get("regex")]
            try:
                compiled = tuple(re.compile(p) for p in patterns)
            except (re.error, TypeError) as exc:
                raise SuiteError(f"{suite.source}: a pattern of {spec.code} is not a valid regular expression: {exc}") from None
            furniture.append((spec.severity == "critical", compiled))
    # A corpus's own noise.toml that lists no function words keeps the bundled ones: the model needs them.
    bundled = NoisePatterns.parse(*expectation_file("noise.toml", None))
    return NoisePatterns.parse(
        *expectation_file("noise.toml", config.expectations), furniture=furniture, default_words=bundled.function_words
    )


def load_noise_model(config: Config) -> NoiseModel:
    return NoiseModel.parse(*expectation_file("noise-model.json", config.expectations))


#: What ``file_features`` stores, by number: change it whenever that changes, so that
#: caches written before are not read as if they were current.
FEATURES_FORMAT = "7"

#: The ``expectations/`` files that shape per-file features.
SHAPING_FILES = ("encoding.toml", "names.toml", "noise.toml", "paragraphs.json")


def open_cache(config: Config) -> FeatureCache:
    shaping = [expectation_file(name, config.expectations)[1] for name in SHAPING_FILES]
    shaping += [repr(config.duplicate), FEATURES_FORMAT]
    folder = config.root / CACHE_FOLDER if config.cache else None
    return FeatureCache(folder, *shaping, max_bytes=config.cache_size * 1024 * 1024)


#: Columns the cache does not keep: they are slices of the document, cut again on load.
SLICED = ("raw", "separator")


def file_features(
    doc: Document, patterns: EncodingPatterns, lexicon: NameLexicon, noise: NoisePatterns, config: Config
) -> dict:
    """Everything per file: paragraph and encoding columns, noise features, duplicate digests
    and signatures, name candidates, lower-case words."""
    columns = document_columns(doc)
    columns.update(encoding_columns(doc, columns, patterns))
    noise_features = file_noise_features(columns["text"], noise)
    duplicate = file_duplicate_data(columns["text"], columns["raw"], config.duplicate)
    words = set().union(*(lowercase_words(raw) for raw in columns["raw"])) if columns["raw"] else set()
    candidates = [mention_candidates(raw, lexicon, words) for raw in columns["raw"]]
    # One string, not a set: the cache loads one object per file instead of hundreds.
    return {
        "columns": columns,
        "noise": noise_features,
        "duplicate": duplicate,
        "candidates": candidates,
        "words": " ".join(sorted(words)),
    }


def _to_cache(entry: dict) -> dict:
    columns = {k: v for k, v in entry["columns"].items() if k not in SLICED}
    columns["text"] = [None if t == r else t for t, r in zip(columns["text"], entry["columns"]["raw"], strict=True)]
    # A column with one value throughout (most feature columns: None) is kept as
    # (value, count): a thousand files load as a few objects each, not as lists.
    columns = {k: (v[0], len(v)) if v and v.count(v[0]) == len(v) else v for k, v in columns.items()}
    return {**entry, "columns": columns}


def _from_cache(entry: dict, doc: Document) -> dict:
    columns = {k: [v[0]] * v[1] if isinstance(v, tuple) else v for k, v in entry["columns"].items()}
    starts, ends, text = columns["char_start"], columns["char_end"], doc.text
    columns["raw"] = [text[s:e] for s, e in zip(starts, ends, strict=True)]
    columns["separator"] = [text[e:s] for e, s in zip(ends, [*starts[1:], len(text)][: len(ends)], strict=True)]
    columns["text"] = [r if t is None else t for t, r in zip(columns["text"], columns["raw"], strict=True)]
    return {**entry, "columns": columns}


def _file_stage(documents: list[Document], config: Config, cache: FeatureCache | None, patterns: EncodingPatterns):
    """Per-file features (from the cache when it has them) and the duplicate columns."""
    lexicon, noise = load_lexicon(config), load_noise_patterns(config)
    cache = cache or FeatureCache(None)
    per_file = []
    for doc in track(documents, "features"):
        content = digest(doc.data)
        entry = cache.get(content)
        if entry is None:
            entry = file_features(doc, patterns, lexicon, noise, config)
            cache.put(content, _to_cache(entry))
        else:
            entry = _from_cache(entry, doc)
        per_file.append(entry)
    frame = assemble(documents, [entry["columns"] for entry in per_file])
    duplicate = concatenate([entry["duplicate"] for entry in per_file], [len(entry["columns"]["para"]) for entry in per_file])
    frame = add_duplicate_features(frame, config.duplicate, duplicate)
    return frame, per_file, lexicon


def noise_features(documents: list[Document], config: Config) -> tuple[Table, NoiseUnits]:
    """The paragraph table and the noise model's feature matrix (``noise.FEATURES_ORDER``), unscored:
    what ``train-noise`` learns from."""
    frame, per_file, _ = _file_stage(documents, config, None, load_encoding_patterns(config))
    return frame, corpus_noise_features(frame, [entry["noise"] for entry in per_file])


def featurise(
    documents: list[Document],
    config: Config,
    cache: FeatureCache | None = None,
    report_paths: set[str] | None = None,
    patterns: EncodingPatterns | None = None,
    error_threshold: float = 1.0,
) -> tuple[Table, Table]:
    """The paragraph table with every feature column, and the mentions table (``error_threshold``:
    BP100's, above which a paragraph makes its file furnished, ``furnished_noise_score``)."""
    patterns = load_encoding_patterns(config) if patterns is None else patterns
    frame, per_file, lexicon = _file_stage(documents, config, cache, patterns)
    features = corpus_noise_features(frame, [entry["noise"] for entry in per_file])
    reported = None if report_paths is None else [r for r, path in enumerate(frame["path"]) if path in report_paths]
    frame = add_noise_scores(frame, features, load_noise_model(config), reported, error_threshold)
    candidates = [spans for entry in per_file for spans in entry["candidates"]]
    vocabulary = corpus_vocabulary(entry["words"] for entry in per_file)
    mentions = build_mentions(frame, lexicon, candidates, vocabulary, report_paths)
    return frame, mentions


def check(paths: list[str | os.PathLike], config: Config, context: list[str | os.PathLike] = ()) -> Report:
    """Run every selected rule over the corpus files under ``paths``.

    ``context``: more corpus files, read so that cross-file rules (duplicates, name
    variants) see them, but not reported on: a pre-commit run checks the changed
    files against the whole corpus.
    """
    report_paths = shown_paths(paths) if context else None
    if config.engine == "spark":  # read and per-file steps on Spark; their results fill an in-memory cache
        from .spark import read_and_featurise

        documents, cache = read_and_featurise([*paths, *context], config)
        return check_documents(documents, config, cache, report_paths)
    documents = read([*paths, *context])
    cache = open_cache(config)
    report = check_documents(documents, config, cache, report_paths)
    cache.save()
    return report


def rule_levels(suites, config: Config) -> dict[str, str | None]:
    """Each rule's level under ``config`` (None: not run), from the suites' severities."""
    levels = {"EN004": config.severity_of("EN004", "critical")}  # found while reading, not by a suite
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


def error_threshold(suites: list) -> float:
    """BP100's bound in ``suites`` (1.0 when no suite has it: then no file counts as furnished)."""
    for suite in suites:
        for spec in suite.expectations:
            if spec.code == "BP100" and spec.kwargs.get("max_value") is not None:
                return float(spec.kwargs["max_value"])
    return 1.0


def check_documents(
    documents: list[Document], config: Config, cache: FeatureCache | None = None, report_paths: set[str] | None = None
) -> Report:
    """Run every selected rule over documents already read (``fix`` re-checks in memory)."""
    all_suites = load_suites(config.expectations)
    suites = noise_thresholds([s.only(config.runs) for s in all_suites], config)
    patterns = load_encoding_patterns(config)
    error = error_threshold(noise_thresholds(all_suites, config))
    paragraphs, mentions = featurise(documents, config, cache, report_paths, patterns, error)
    reported = [d for d in documents if report_paths is None or d.path in report_paths]
    report = Report(reported, paragraphs, mentions, levels=rule_levels(all_suites, config))

    from .evaluate import ENGINES  # the gx engine imports GX only when it runs

    evaluate = ENGINES[config.engine]
    if config.data_docs is not None:
        evaluate = functools.partial(evaluate, data_docs=config.data_docs)
    if config.engine == "spark":
        evaluate = functools.partial(evaluate, master=config.spark_master)
    outcomes = evaluate({"paragraphs": paragraphs, "mentions": mentions}, track(suites, "evaluation", "suites"), report_paths)
    corpus = CorpusView(paragraphs, mentions, {d.doc_id: d for d in documents}, patterns)
    findings = build_findings(outcomes, corpus, config.severity_of, report_paths)
    findings += file_findings(reported, config.severity_of)
    findings = [f for f in findings if not config.ignored(f.path, f.code)]  # per-file-ignores
    report.findings = sorted(findings, key=lambda f: f.sort_key)
    return report
