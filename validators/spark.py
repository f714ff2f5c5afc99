"""The ``spark`` engine: the same suites, in Great Expectations, on Spark DataFrames.

``corpus-validator check --engine spark [--spark-master URL]`` (``pip install 'corpus-validator[spark]'``,
Java 17+). GX's Spark data source runs the suite JSON from ``expectations/`` unchanged; what Spark
would judge differently from the other engines is given a Spark implementation of our own
(``validators/gx_spark.py``): our custom expectation, and the regex expectations, evaluated with
Python's ``re`` so a pattern means on Spark what it means everywhere else.

pyspark is imported here only, and only when the engine runs: the hook, ``--version`` and the other
engines never import it.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys

from .errors import CorpusValidatorError
from .frame import Table
from .suite import Suite

DEFAULT_MASTER = "local[*]"
#: The row's label in the table, as the only index column GX reports for a failing row: file names
#: may hold undecodable bytes, which no Spark string can.
ROW = "__row"
INSTALL = "pip install 'corpus-validator[spark]'"
_SURROGATE = re.compile("[\ud800-\udfff]")


def _java_major(java: str) -> int | None:
    """The major version ``java -version`` reports (``17.0.15`` -> 17, ``1.8.0`` -> 8), or None."""
    try:
        shown = subprocess.run([java, "-version"], capture_output=True, text=True, timeout=30).stderr
    except (OSError, subprocess.SubprocessError):
        return None
    found = re.search(r'version "(\d+)(?:\.(\d+))?', shown)
    if not found:
        return None
    major = int(found.group(1))
    return int(found.group(2) or 0) if major == 1 else major


def _check_java() -> None:
    home = os.environ.get("JAVA_HOME")
    java = os.path.join(home, "bin", "java") if home else shutil.which("java")
    if not java or not os.access(java, os.X_OK):
        raise CorpusValidatorError(
            "the spark engine needs Java 17 or newer: none found (install a JRE, e.g. apt-get install openjdk-17-jre-headless, or set JAVA_HOME)"
        )
    major = _java_major(java)
    if major is not None and major < 17:
        raise CorpusValidatorError(f"the spark engine needs Java 17 or newer; {java} is Java {major} (set JAVA_HOME to a newer one)")


_sessions: dict = {}

#: Spark's driver logs only errors (its warnings about the host name and native libraries are not ours to print).
LOG_CONFIG = """\
rootLogger.level = error
rootLogger.appenderRef.stderr.ref = console
appender.console.type = Console
appender.console.name = console
appender.console.target = SYSTEM_ERR
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = %d{yy/MM/dd HH:mm:ss} %p %c{1}: %m%n%ex
"""


def _log_config() -> str:
    import tempfile

    path = os.path.join(tempfile.gettempdir(), f"corpus-validator-log4j2-{os.getuid()}.properties")
    if not os.path.exists(path):
        with open(path, "w", encoding="utf-8") as out:
            out.write(LOG_CONFIG)
    return path


def session(master: str | None = None):
    """The SparkSession for ``master`` (default ``local[*]``), started once per process; a clear
    error when pyspark or Java is missing."""
    master = master or DEFAULT_MASTER
    if master in _sessions:
        return _sessions[master]
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise CorpusValidatorError(f"the spark engine needs pyspark: {INSTALL}") from None
    active = SparkSession.getActiveSession()
    if active is not None:  # a session the caller started (tests, a notebook) is used as it is
        _sessions[master] = active
        return active
    _check_java()
    # Workers run this interpreter, where our package and its libraries are installed.
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    builder = (
        SparkSession.builder.master(master)
        .appName("corpus-validator")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")  # our output is the report; Spark's progress bars are not
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.driver.extraJavaOptions", f"-Dlog4j.configurationFile={_log_config()}")
    )
    if master.startswith("local"):
        # Spark's default of 200 shuffle partitions is for clusters: on one machine each is a task of nothing.
        builder = builder.config("spark.sql.shuffle.partitions", str(2 * (os.cpu_count() or 1)))
    try:
        spark = builder.getOrCreate()
    except Exception as exc:  # the JVM did not start, or the master is unreachable
        reason = " ".join(str(exc).split())[:300]
        raise CorpusValidatorError(f"cannot start Spark at {master}: {reason}") from None
    spark.sparkContext.setLogLevel("ERROR")
    _sessions[master] = spark
    return spark


def _arrow_column(values: list):
    """A column for Spark: NaN and None are null (GX's pandas engine counts both as missing);
    a string column holding undecodable bytes (lone surrogates, which no UTF-8 string can hold)
    goes as its bytes (``surrogatepass``), which ``gx_spark`` decodes back to the same string."""
    import pyarrow as pa

    values = [None if isinstance(v, float) and v != v else v for v in values]
    if any(isinstance(v, str) and _SURROGATE.search(v) for v in values):
        return pa.array([v.encode("utf-8", "surrogatepass") if isinstance(v, str) else v for v in values], pa.binary())
    try:
        return pa.array(values)
    except (pa.ArrowException, TypeError, ValueError):
        # Mixed kinds of value in a feature column read only for being null or not: its text.
        return pa.array([None if v is None else str(v) for v in values], pa.string())


def to_spark(spark, frame: Table, columns: list[str]):
    """``columns`` of ``frame`` as a Spark DataFrame, with each row's label in ``ROW``."""
    import pyarrow as pa

    arrays = {ROW: pa.array(range(len(frame)), pa.int64())}
    arrays.update({name: _arrow_column(frame[name]) for name in columns})
    table = pa.table(arrays)
    if any(pa.types.is_null(field.type) for field in table.schema):  # nulls only (no row has the feature): numbers,
        # which every expectation type accepts (a range check refuses text)
        table = pa.table({f.name: (c.cast(pa.float64()) if pa.types.is_null(f.type) else c)
                          for f, c in zip(table.schema, table.columns, strict=True)})  # fmt: skip
    return spark.createDataFrame(table)


def evaluate_with_spark(frames: dict[str, Table], suites: list[Suite], report_paths=None, master: str | None = None):
    """The outcomes of ``evaluate.evaluate_with_gx``, with GX's Spark data source doing the validation."""
    from .evaluate import Outcome, _check_columns, _gx_suite, _quiet, validate_batch

    spark = session(master)
    with _quiet():
        import great_expectations as gx
        from great_expectations.data_context.types.base import ProgressBarsConfig

        from . import gx_expectations  # noqa: F401 (registers our expectation types)
        from . import gx_spark  # noqa: F401 (their Spark implementations, and Python's regex semantics)

        context = gx.get_context(mode="ephemeral")
        context.variables.progress_bars = ProgressBarsConfig(globally=False)
        source = context.data_sources.add_spark("corpus")
        outcomes = []
        for suite in suites:
            frame = frames[suite.frame]
            if not suite.expectations or not len(frame):
                continue
            gx_suite = _gx_suite(gx, suite)
            _check_columns(suite, frame)
            read = [c for c in suite.columns if c not in suite.index_columns]
            view = to_spark(spark, frame, read).cache()
            _, result = validate_batch(source, suite, gx_suite, view, [ROW])
            by_code = {spec.code: spec for spec in suite.expectations}
            for item in result.results:
                code = item.expectation_config.meta["code"]
                _raise_failure(suite, code, item.exception_info or {})
                if item.success:
                    continue
                rows = tuple(sorted(int(entry[ROW]) for entry in item.result.get("unexpected_index_list") or []))
                outcomes.append(Outcome(by_code[code], suite.frame, rows))
            view.unpersist()
    return outcomes


def _raise_failure(suite: Suite, code: str, info: dict) -> None:
    from .errors import SuiteError

    failures = [v for v in info.values() if isinstance(v, dict) and v.get("raised_exception")]
    if info.get("raised_exception") or failures:
        message = (failures[0] if failures else info).get("exception_message")
        message = " ".join(str(message).split())[:300]
        raise SuiteError(f"{suite.source}: expectation for {code} could not run on Spark: {message}")


# ----------------------------------------------------------------------------- run on the workers
# The UDFs of ``gx_spark`` call these: a worker unpickling them imports this module, which imports
# neither GX nor pyspark (importing ``gx_spark`` there would register its metrics again).


def text_of(value):
    """A value as the other engines hold it: bytes (a string with undecodable bytes) decoded back."""
    return value.decode("utf-8", "surrogatepass") if isinstance(value, (bytes, bytearray)) else value


def any_match(patterns: list[str], values) -> list:
    """Per value, whether one of ``patterns`` is found in it with Python's ``re`` (what GX's pandas
    engine does: ``str(value)``, ``re.search``); None for a missing value."""
    compiled = _compiled(tuple(patterns))
    return [None if v is None else any(p.search(str(text_of(v))) for p in compiled) for v in values]


_COMPILED: dict = {}


def _compiled(patterns: tuple[str, ...]) -> list:
    if patterns not in _COMPILED:
        _COMPILED[patterns] = [re.compile(p) for p in patterns]
    return _COMPILED[patterns]


def preferred_bytes(surfaces) -> bytes | None:
    """The most common of one key's spellings, as bytes; None when the most common ones tie."""
    from .features.name import most_common_spelling

    values = [text_of(v) for v in surfaces]
    best = most_common_spelling(["key"] * len(values), values).get("key")
    return None if best is None else best.encode("utf-8", "surrogatepass")


# ----------------------------------------------------------------------------- ingest and per-file steps

#: Files per partition of the per-file stage: enough work per task to pay for its start.
FILES_PER_PARTITION = 200


def per_file_step(doc, context) -> dict:
    """The one place the spark engine calls the per-file feature steps (a partition runs it on each
    of its documents): the registered file steps every engine runs, packed as the cache keeps them."""
    from .features.steps import pack, run_file_steps

    return pack(run_file_steps(doc, context))


def _partition_worker(context):
    """The ``mapInPandas`` function: read each file of the partition (whole, as bytes, so encoding
    problems are seen as our ingest sees them), decode it and run the per-file steps."""

    def run(batches):
        import pickle

        import pandas as pd

        from .errors import CorpusValidatorError
        from .ingest import read_one
        import time

        for batch in batches:
            out = {"doc_id": [], "document": [], "features": [], "error": [], "seconds": [], "cpu": []}
            for doc_id, shown, path, problem in batch.itertuples(index=False):
                start, cpu = time.perf_counter(), time.process_time()
                shown = shown.decode("utf-8", "surrogatepass")
                problem = problem if isinstance(problem, str) else None  # pandas gives a missing one as NaN
                try:
                    doc = read_one(int(doc_id), shown, os.fsdecode(path), problem)
                except CorpusValidatorError as exc:
                    doc, entry, error = None, None, str(exc)
                else:
                    entry, error = None, None
                    if doc.problem is None:
                        entry = per_file_step(doc, context)
                out["doc_id"].append(int(doc_id))
                out["document"].append(pickle.dumps(doc, protocol=5))
                out["features"].append(pickle.dumps(entry, protocol=5))
                out["error"].append(error)
                out["seconds"].append(time.perf_counter() - start)  # read, decode and per-file steps
                out["cpu"].append(time.process_time() - cpu)
            yield pd.DataFrame(out)

    return run


#: (doc_id, wall and CPU seconds of its read and per-file steps on an executor) of the last
#: ``read_and_featurise``: bench/spark.py.
LAST_TIMINGS: list[tuple[int, float, float]] = []


def read_and_featurise(paths, config):
    """The corpus read and its per-file features computed on Spark, one partition per
    ``FILES_PER_PARTITION`` files: (documents in doc_id order, an in-memory feature cache holding
    each file's features, from which the corpus steps assemble the table as in the other engines).

    The files are listed on the driver (the same listing, names and skips as ``ingest.read``) and
    read on the executors: with a cluster, the corpus must be on a file system every node mounts
    at the same path.
    """
    import pickle

    from .cache import FeatureCache, digest
    from .errors import CorpusValidatorError
    from .ingest import listing
    from .pipeline import feature_context

    spark = session(config.spark_master)
    files = listing(paths)
    context = feature_context(config)  # prepared once on the driver, pickled to the executors
    rows = [(doc_id, shown.encode("utf-8", "surrogatepass"), os.fsencode(path), problem)
            for doc_id, (shown, path, problem) in enumerate(files)]  # fmt: skip
    partitions = max(1, min(len(rows), max(spark.sparkContext.defaultParallelism, len(rows) // FILES_PER_PARTITION)))
    listed = spark.createDataFrame(rows, "doc_id long, shown binary, path binary, problem string").repartitionByRange(
        partitions, "doc_id"
    )
    worker = _partition_worker(context)
    done = listed.mapInPandas(worker, "doc_id long, document binary, features binary, error string, seconds double, cpu double")
    documents, cache = [None] * len(rows), FeatureCache(None)
    del LAST_TIMINGS[:]
    for row in done.toLocalIterator():  # the per-file results come to the driver, one partition at a time
        if row["error"]:
            raise CorpusValidatorError(row["error"])
        LAST_TIMINGS.append((row["doc_id"], row["seconds"], row["cpu"]))
        doc = pickle.loads(row["document"])
        documents[row["doc_id"]] = doc
        entry = pickle.loads(row["features"])
        if entry is not None:
            cache.put(digest(doc.data), entry)
    return documents, cache


# ----------------------------------------------------------------------------- findings as a table

FINDINGS_SCHEMA = (
    "code string, family string, severity string, path string, line long, column long, end_line long, "
    "end_column long, message string, suggestion string, related array<struct<path:string,line:long,column:long>>, "
    "fingerprint string, fixable boolean"
)


def write_findings(findings, folder: str, master: str | None = None) -> None:
    """The findings as a Parquet table in ``folder`` (written by Spark, one file per partition:
    what a cluster's next job reads). Undecodable bytes in a file name are written ``\\xNN``, as
    every report writes them. An existing ``folder`` is an error, not overwritten."""
    from .ingest import escaped_name, printable

    spark = session(master)
    if os.path.exists(folder):
        raise CorpusValidatorError(f"--spark-output {folder}: already exists (give a new folder)")
    rows = []
    for finding in findings:
        record = finding.to_dict()
        record["path"] = escaped_name(record["path"])
        record["related"] = [{**place, "path": escaped_name(place["path"])} for place in record["related"]]
        for key in ("message", "suggestion"):
            record[key] = None if record.get(key) is None else printable(record[key])
        rows.append(record)
    columns = ("code", "family", "severity", "path", "line", "column", "end_line", "end_column", "message", "suggestion",
               "related", "fingerprint", "fixable")  # fmt: skip
    try:
        spark.createDataFrame([tuple(r.get(c) for c in columns) for r in rows], FINDINGS_SCHEMA).write.parquet(folder)
    except Exception as exc:  # the folder cannot be written
        raise CorpusValidatorError(f"--spark-output {folder}: cannot write: {' '.join(str(exc).split())[:200]}") from None
