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

import contextlib
import logging
import os
import re
import shutil
import subprocess
import sys

from .errors import CorpusValidatorError
from .frame import Table
from .pattern_list import found_in_each
from .suite import Suite

DEFAULT_MASTER = "local[*]"
#: The row's label in the table, as the only index column GX reports for a failing row: file names
#: may hold undecodable bytes, which no Spark string can.
ROW = "__row"
INSTALL = "pip install 'corpus-validator[spark]'"
_SURROGATE = re.compile("[\ud800-\udfff]")


def _java_major(java: str) -> int:
    """The major version ``java -version`` reports (``17.0.15`` -> 17, ``1.8.0`` -> 8); a clear
    error for a Java that does not run or says no version (a broken JRE fails Spark's start
    with a shell error and "Java gateway process exited")."""
    try:
        done = subprocess.run([java, "-version"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.SubprocessError) as exc:
        raise CorpusValidatorError(f"the spark engine needs Java 17 or newer: {java} does not run ({exc})") from None
    found = re.search(r'version "(\d+)(?:\.(\d+))?', done.stderr + done.stdout)
    if done.returncode != 0 or not found:
        said = " ".join((done.stderr or done.stdout).split())[:200] or f"exit status {done.returncode}"
        raise CorpusValidatorError(f"the spark engine needs Java 17 or newer: {java} -version fails ({said})")
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
    if major < 17:
        raise CorpusValidatorError(f"the spark engine needs Java 17 or newer; {java} is Java {major} (set JAVA_HOME to a newer one)")


_sessions: dict = {}

#: What to do when Spark runs out of memory, said with the error.
MEMORY_ADVICE = (
    'give Spark more memory: PYSPARK_SUBMIT_ARGS="--driver-memory 16g pyspark-shell" on one machine '
    "(where the executors run inside the driver), and --executor-memory on a cluster"
)


def _driver_memory(master: str) -> str | None:
    """The driver's heap to ask for when nothing else sets it: half this machine's memory (or
    its container's limit) for a ``local`` master (there the driver's JVM is also every executor, and Spark's default of 1 GB
    runs out of heap on a corpus of a million paragraphs); None where the user set it
    (``--driver-memory`` in ``PYSPARK_SUBMIT_ARGS``, ``SPARK_DRIVER_MEMORY``, ``spark.driver.memory``
    in ``spark-defaults.conf``) or for a cluster, whose settings are its own."""
    if not master.startswith("local"):
        return None
    if "--driver-memory" in os.environ.get("PYSPARK_SUBMIT_ARGS", "") or os.environ.get("SPARK_DRIVER_MEMORY"):
        return None
    for folder in (os.environ.get("SPARK_CONF_DIR"), os.environ.get("SPARK_HOME") and os.path.join(os.environ["SPARK_HOME"], "conf")):
        try:
            with open(os.path.join(folder, "spark-defaults.conf"), encoding="utf-8") as defaults:
                if any(line.split()[:1] == ["spark.driver.memory"] for line in defaults):
                    return None
        except (OSError, TypeError, UnicodeDecodeError):
            continue
    total = _memory_available()
    return None if total is None else f"{max(1024, total // 2 // 2**20)}m"


#: Where a container's memory limit is (cgroup v2, then v1): a heap sized from the host's memory
#: alone would let the JVM grow past the limit, and the kernel would kill it without a word.
CGROUP_LIMITS = ("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes")


def _memory_available() -> int | None:
    """Bytes of memory this process may use: the machine's, or its container's limit if lower."""
    try:
        total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        return None
    for path in CGROUP_LIMITS:
        try:
            with open(path, encoding="ascii") as limit:
                value = limit.read().strip()
        except (OSError, UnicodeDecodeError):
            continue
        if value.isdigit():  # "max": no limit
            total = min(total, int(value))
        break
    return total


@contextlib.contextmanager
def spark_failures(master: str | None = None):
    """A context in which Spark's JVM running out of memory, or stopping under us, is one clear
    error (what happened and what to do), not a traceback of the Python side losing its gateway."""
    try:
        yield
    except CorpusValidatorError:
        raise
    except Exception as exc:
        reason = failure_reason(exc)
        if reason is None and _from_spark(exc) and _stopped(master):
            # A task that ran out of memory stops the context; the call the driver was making
            # then fails with whatever the half-stopped JVM says (a NullPointerException).
            reason = STOPPED
        if reason is None:
            raise
        raise CorpusValidatorError(f"Spark ({master or DEFAULT_MASTER}) {reason}") from None


def _chain(exc: BaseException | None) -> list[BaseException]:
    """``exc`` and the errors it was raised from or during, in that order."""
    seen, chain = set(), []
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        chain.append(exc)
        exc = exc.__cause__ or exc.__context__
    return chain


def _from_spark(exc: BaseException) -> bool:
    """Whether ``exc``, or an error it was raised from or during, came through py4j from the JVM."""
    return any(type(e).__module__.startswith("py4j") for e in _chain(exc))


def _stopped(master: str | None, wait: float = 3.0) -> bool:
    """Whether the session's SparkContext has stopped, or its JVM is gone (``wait`` seconds for a
    context that is stopping)."""
    import time

    spark = _sessions.get(master or DEFAULT_MASTER)
    if spark is None:
        return False
    deadline = time.monotonic() + wait
    while True:
        try:
            if spark.sparkContext._jsc.sc().isStopped():
                return True
        except Exception:  # the gateway is gone with the JVM
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.2)


def failure_reason(exc: BaseException) -> str | None:
    """What went wrong on Spark's side, said plainly, or None for an error of another kind."""
    chain = _chain(exc)
    text = " ".join(f"{type(e).__name__}: {e}" for e in chain)
    if "java.lang.OutOfMemoryError" in text:
        return f"ran out of memory (java.lang.OutOfMemoryError): {MEMORY_ADVICE}"
    lost = any(type(e).__name__ in ("Py4JNetworkError", "ConnectionRefusedError", "ConnectionResetError") for e in chain)
    if lost or "SparkContext was shut down" in text or "Cannot call methods on a stopped SparkContext" in text:
        return STOPPED
    return None


STOPPED = f"stopped during the check (its errors are above; most often it ran out of memory): {MEMORY_ADVICE}"

#: Spark's driver logs only errors (its warnings about the host name and native libraries are not ours to print).
#: The gateway's logger is given its level too: PySpark's gateway starts as a shell, and a shell
#: whose logger has no level of its own prints "Setting default log level to WARN" and how to change it.
LOG_CONFIG = """\
rootLogger.level = error
rootLogger.appenderRef.stderr.ref = console
logger.gateway.name = org.apache.spark.api.python.PythonGatewayServer
logger.gateway.level = error
appender.console.type = Console
appender.console.name = console
appender.console.target = SYSTEM_ERR
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = %d{yy/MM/dd HH:mm:ss} %p %c{1}: %replace{%m%notEmpty{: %ex{short.message}}}{(?s)[\\r\\n].*}{}%n
appender.console.layout.alwaysWriteExceptions = false
"""


def _log_config() -> str:
    import tempfile

    path = os.path.join(tempfile.gettempdir(), f"corpus-validator-log4j2-{os.getuid()}.properties")
    try:
        with open(path, encoding="utf-8") as kept:
            if kept.read() == LOG_CONFIG:
                return path
    except (OSError, UnicodeDecodeError):
        pass
    # Written whole and then renamed into place: another check starting Spark reads the old file or the new one.
    with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=os.path.dirname(path), delete=False, suffix=".tmp") as out:
        out.write(LOG_CONFIG)
    os.replace(out.name, path)
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
        # PySpark's worker daemon, quiet about a task whose output Spark stopped reading (spark_daemon.py).
        .config("spark.python.daemon.module", "validators.spark_daemon")
    )
    if master.startswith("local"):
        # Spark's default of 200 shuffle partitions is for clusters: on one machine each is a task of nothing.
        builder = builder.config("spark.sql.shuffle.partitions", str(2 * (os.cpu_count() or 1)))
    memory = _driver_memory(master)
    if memory is not None:  # read when the JVM starts, which getOrCreate does here
        builder = builder.config("spark.driver.memory", memory)
    _quiet_py4j_send_errors()  # before the JVM starts: Ctrl-C while it starts fails py4j's commands
    try:
        spark = builder.getOrCreate()
    except Exception as exc:  # the JVM did not start, or the master is unreachable
        reason = " ".join(str(exc).split())[:300]
        if not master.startswith("local") and "stopped SparkContext" in reason:
            # Spark gave up registering with the master (its "All masters are unresponsive"
            # is logged above): what it raises is only that its context is stopped.
            reason = "no master answered (is it running, and is the URL right?)"
        raise CorpusValidatorError(f"cannot start Spark at {master}: {reason}") from None
    spark.sparkContext.setLogLevel("ERROR")
    _quiet_accumulator_server(spark.sparkContext)
    _sessions[master] = spark
    return spark


#: What PySpark's accumulator server reads when the JVM at the other end is gone (killed, or out
#: of memory): the connection's end, not an error of its own.
_JVM_GONE = (EOFError, ConnectionError)


def _quiet_accumulator_server(context) -> None:
    """PySpark's accumulator server (a thread reading task updates from the JVM) prints a
    traceback when the JVM's connection ends mid-read; the check then says what happened to
    Spark in one line (``spark_failures``), so that end is dropped; any other error is printed
    as before."""
    server = getattr(context, "_accumulatorServer", None)
    if server is None:
        return
    default = server.handle_error

    def handle_error(request, client_address):
        if not isinstance(sys.exc_info()[1], _JVM_GONE):
            default(request, client_address)

    server.handle_error = handle_error


def _not_a_py4j_send_error(record: logging.LogRecord) -> bool:
    """A root-logger filter: False for py4j's own report of a command it could not send to the
    JVM. py4j logs it, with a traceback, on the root logger (``logging.exception`` in
    ``GatewayClient.send_command``), and only then raises the error that ``spark_failures`` says
    in one line. It comes when the JVM is gone (killed, out of memory) or the run was interrupted."""
    return not (
        record.name == "root"
        and os.path.basename(record.pathname) == "java_gateway.py"
        and os.path.basename(os.path.dirname(record.pathname)) == "py4j"
        and str(record.msg).endswith("while sending command.")
    )


def _quiet_py4j_send_errors() -> None:
    """Keep py4j's root-logger reports of unsendable commands off stderr; the root logger's
    other records pass as before. Once per process, however many sessions."""
    root = logging.getLogger()
    if _not_a_py4j_send_error not in root.filters:
        root.addFilter(_not_a_py4j_send_error)


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
    from .evaluate import Outcome, _gx_suite, _quiet, _result_format, ephemeral_context, suites_to_validate, validate_batch

    spark = session(master)
    with _quiet():
        import great_expectations as gx

        from . import gx_expectations  # noqa: F401 (registers our expectation types)
        from . import gx_spark  # noqa: F401 (their Spark implementations, and Python's regex semantics)

        context = ephemeral_context(gx)
        source = context.data_sources.add_spark("corpus")
        outcomes = []
        for suite, gx_suite, frame in suites_to_validate(gx, suites, frames):
            read = [c for c in suite.columns if c not in suite.index_columns]
            built = BUILT.get(id(frame))
            if built is not None and built[0] is frame and set(read) <= set(built[1].columns):
                view, uploaded = built[1].select(ROW, *read), None  # the table the engine built on Spark: not uploaded again
            else:  # a table the driver made (mentions, files; or features computed elsewhere)
                view = uploaded = to_spark(spark, frame, read).cache()
            # Whether each expectation passes first, then the rows of those that fail: on Spark,
            # naming an expectation's unexpected rows costs jobs of its own (three or four per
            # expectation), whereas the pass/fail counts of a whole suite come in a few, and most
            # expectations pass.
            batch, result = validate_batch(source, suite, gx_suite, view, [ROW], "BOOLEAN_ONLY")
            failing = {item.expectation_config.meta["code"] for item in _checked(suite, result) if not item.success}
            if failing:
                again = _gx_suite(gx, suite.only(lambda code: code in failing))
                by_code = {spec.code: spec for spec in suite.expectations}
                for item in _checked(suite, batch.validate(again, result_format=_result_format("COMPLETE", [ROW]))):
                    if item.success:
                        continue
                    rows = tuple(sorted(int(entry[ROW]) for entry in item.result.get("unexpected_index_list") or []))
                    outcomes.append(Outcome(by_code[item.expectation_config.meta["code"]], suite.frame, rows))
            if uploaded is not None:
                uploaded.unpersist()
    return outcomes


def _checked(suite: Suite, result):
    """``result``'s expectation results, after raising the first that could not run on Spark."""
    for item in result.results:
        _raise_failure(suite, item.expectation_config.meta["code"], item.exception_info or {})
    return result.results


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
    engine does: ``str(value)``, ``re.search``); None for a missing value. The list is searched as
    the light engine searches it (``pattern_list.found_in_each``: each pattern only where its literals occur)."""
    found = iter(found_in_each(tuple(patterns), [text_of(v) for v in values if v is not None]))
    return [None if v is None else next(found) for v in values]


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
        import time

        import pandas as pd

        from .errors import CorpusValidatorError
        from .ingest import read_one

        for batch in batches:
            out = {"doc_id": [], "document": [], "features": [], "error": [], "paragraphs": [], "seconds": [], "cpu": []}
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
                out["paragraphs"].append(_paragraph_count(entry))
                out["seconds"].append(time.perf_counter() - start)  # read, decode and per-file steps
                out["cpu"].append(time.process_time() - cpu)
            yield pd.DataFrame(out)

    return run


def _paragraph_count(entry) -> int:
    from .features.paragraphs import paragraph_count

    return 0 if entry is None else paragraph_count(entry["paragraphs"])


#: (doc_id, wall and CPU seconds of its read and per-file steps on an executor) of the last
#: ``featurise_on_spark``: bench/spark.py.
LAST_TIMINGS: list[tuple[int, float, float]] = []
#: Seconds of the stages of the last ``featurise_on_spark`` on the driver's clock: bench/spark.py.
LAST_STAGES: dict[str, float] = {}

#: The per-file data the corpus steps read on Spark: not sent to the driver.
SPARK_ONLY = {"duplicate-digests": "duplicate_data", "noise-lines": "noise_lines"}
#: The corpus steps' columns worked out on Spark, in the order the other engines add them.
DUPLICATE_COLUMNS = ("text_key", "dup_key", "dup_of", "near_dup_of", "near_dup_similarity", "passages", "passage_of",
                     "doc_dup_of", "doc_near_dup_of", "doc_near_similarity")  # fmt: skip
NOISE_COLUMNS = ("prose", "template_files", "noise_score", "noise_why", "story_noise_score", "furnished_noise_score")
#: The duplicate columns that only the corpus decides: sent to the driver for the rows that have one.
CORPUS_DUPLICATES = ("dup_of", "near_dup_of", "near_dup_similarity", "passages", "passage_of", "doc_dup_of",
                     "doc_near_dup_of", "doc_near_similarity")  # fmt: skip

CORPUS_INPUTS_SCHEMA = (
    "doc_id long, first_row long, digests array<long>, lengths array<long>, sigs array<array<long>>, "
    "passages array<array<long>>, keys array<long>, doc_sig array<long>"
)


def _corpus_inputs(batches):
    """Per file, the inputs of the corpus steps as arrays Spark explodes: each paragraph's digest,
    canonical length and MinHash signature, the passages, each line's template key, and the file's
    signature (the least of each position: the MinHash of the union)."""
    import pickle

    import numpy as np
    import pandas as pd

    from .features.duplicate import digest_pairs, passage_rows
    from .features.minhash import signature_rows

    for batch in batches:
        out: dict[str, list] = {name: [] for name in ("doc_id", "first_row", "digests", "lengths", "sigs", "passages", "keys", "doc_sig")}
        for doc_id, first_row, features in batch.itertuples(index=False):
            entry = pickle.loads(features)
            if entry is None:
                continue
            data = entry["duplicate-digests"]["duplicate_data"]
            sigs = signature_rows(data["signatures"]).astype(np.int64)
            out["doc_id"].append(int(doc_id))
            out["first_row"].append(int(first_row))
            pairs = digest_pairs(data)
            out["digests"].append(pairs[:, 0].tolist())
            out["lengths"].append(pairs[:, 1].tolist())
            out["sigs"].append(sigs.tolist())
            out["passages"].append(passage_rows(data["passages"]).tolist())
            # The line keys are unsigned 64-bit digests: as signed longs, equal where they are equal.
            out["keys"].append(entry["noise-lines"]["noise_lines"]["keys"].view(np.int64).tolist())
            out["doc_sig"].append(sigs.min(axis=0).tolist() if len(sigs) else None)
        if out["doc_id"]:  # a batch of empty or binary files only has no rows (Arrow cannot type empty lists)
            yield pd.DataFrame(out)


def _file_results(context, error_threshold: float, read: tuple[str, ...] = ()):
    """The ``mapInPandas`` function of the per-file end of the corpus steps: each file's noise
    features with the corpus's template counts (``noise.corpus_noise_features``), scored by the
    model (``noise.add_noise_scores``), the same NumPy code as the other engines, per file; and
    what the driver may need of the file: the document (``sent``: the SHA-256 of its bytes, its text
    only where it has no paragraphs: ``unread``), and its values (the file steps' outputs except the
    per-file data only Spark reads, and those columns), which the driver fetches when a finding reads
    them (``spark_rows``). Also, for the paragraph table GX validates on Spark (``paragraph_frame``):
    the file's values of the ``read`` columns (``rows``) and the kinds of value each holds (``kinds``)."""

    def run(batches):
        import pickle
        from dataclasses import replace

        import numpy as np
        import pandas as pd

        from .cache import digest
        from .features.duplicate import digest_pairs
        from .features.noise import add_noise_scores, corpus_noise_features
        from .features.steps import file_steps, unpack
        from .frame import Table

        model = context.setups["noise-score"]
        report_paths = context.report_paths
        min_chars = context.config.duplicate.min_chars
        steps = file_steps()  # imports (registers) every step, which ``unpack`` looks up
        for batch in batches:
            out: dict[str, list] = {"doc_id": [], "first_row": [], "sent": [], "unread": [], "values": [], "rows": [], "kinds": []}
            for doc_id, first_row, document, features, templates in batch.itertuples(index=False):
                doc, entry = pickle.loads(document), pickle.loads(features)
                columns, rows, count = {}, {}, 0
                if entry is not None:
                    lines = entry["noise-lines"]["noise_lines"]
                    count = _paragraph_count(entry)
                    frame = Table({"path": [doc.path] * count, "doc_id": [doc.doc_id] * count})
                    ordered = sorted((int(t["unit"]), int(t["template"])) for t in (templates if templates is not None else ()))
                    template = np.array([t for _, t in ordered], dtype=np.int64)
                    units = corpus_noise_features(frame, [lines], template)
                    scored = None if report_paths is None or doc.path in report_paths else []
                    add_noise_scores(frame, units, model, scored, error_threshold)
                    columns = {name: frame[name] for name in NOISE_COLUMNS}
                    pairs = digest_pairs(entry["duplicate-digests"]["duplicate_data"]).tolist()
                    columns["text_key"] = [d for d, _ in pairs]
                    columns["dup_key"] = [d if n >= min_chars else None for d, n in pairs]
                    for step, name in SPARK_ONLY.items():
                        entry[step] = {name: None}
                    if read:
                        sections = unpack(entry, doc)
                        own = {c: sections[step.name][c] for step in steps for c in step.columns}
                        rows = {c: columns[c] if c in columns else own[c] for c in read}
                        count = len(own["para"])
                out["doc_id"].append(int(doc_id))
                out["first_row"].append(int(first_row))
                # The driver gets neither the bytes nor the text (it reads the text of a file a
                # finding is in from the file), but the bytes' SHA-256, by which a file's copies
                # are known there as in the other engines (``findings._copies``) and the file is
                # known unchanged when the driver reads it (``ingest.UnreadDocument``).
                content = doc.content or digest(doc.data)
                unread = {} if entry is None else {"text": "", "undecodable": []}  # read there when asked
                sent = replace(doc, data=b"", content=content, **unread)
                out["sent"].append(pickle.dumps(sent, protocol=5))
                out["unread"].append(entry is not None)
                out["values"].append(pickle.dumps((entry, columns), protocol=5))
                blob, kinds = table_rows(count, rows)
                out["rows"].append(blob)
                out["kinds"].append(kinds)
            yield pd.DataFrame(out)

    return run


def table_rows(count: int, columns: dict[str, list]) -> tuple[bytes, str]:
    """A file's ``count`` rows of a table GX validates on Spark (its values of the columns read)
    as ``_frame_of`` reads them: pickled, and the kinds of value each column holds (JSON)."""
    import json
    import pickle

    kinds = {c: sorted({kind_of(v) for v in values} - {None}) for c, values in columns.items()}
    return pickle.dumps((count, columns), protocol=5), json.dumps(kinds)


def kind_of(value) -> str | None:
    """The kind of a feature value, as the paragraph table's Spark type is chosen from them
    (``spark_type``); None for a missing one (None or NaN)."""
    from .evaluate import _missing

    if _missing(value):
        return None
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "float"
    return "text" if isinstance(value, str) else "other"


def spark_type(kinds: set[str]) -> str:
    """The Spark type of a column whose values are of ``kinds``: what ``to_spark`` makes of the
    same values on the driver (ints: long; numbers: double; booleans; no value at all: double,
    which every expectation type accepts), except that text is always its ``surrogatepass`` bytes
    (the schema is fixed before any row is seen; ``gx_spark`` decodes bytes back), and mixed
    kinds are the bytes of each value's text."""
    if not kinds:
        return "double"
    if kinds == {"bool"}:
        return "boolean"
    if kinds == {"int"}:
        return "long"
    if kinds <= {"int", "float"}:
        return "double"
    return "binary"


def spark_value(value, kind: str):
    """``value`` as a column of Spark type ``kind`` holds it (``spark_type``)."""
    if kind_of(value) is None:
        return None
    if kind == "binary":
        return (value if isinstance(value, str) else str(value)).encode("utf-8", "surrogatepass")
    return {"double": float, "long": int, "boolean": bool}[kind](value)


def _paragraph_rows(types: dict[str, str]):
    """The ``mapInPandas`` function building the paragraph table GX validates on Spark: per file
    (``first_row``, ``rows``: its values of the columns, from ``_file_results``), one row per
    paragraph with its label in the table (``ROW``) and ``types``' columns."""

    def run(batches):
        import pickle

        import pandas as pd

        for batch in batches:
            out: dict[str, list] = {ROW: [], **{c: [] for c in types}}
            for first_row, rows in batch.itertuples(index=False):
                count, columns = pickle.loads(rows)
                if not count:  # an empty or binary file: no paragraph, and no columns to read
                    continue
                out[ROW].extend(range(int(first_row), int(first_row) + count))
                for name, kind in types.items():
                    out[name].extend(spark_value(v, kind) for v in columns[name])
            if out[ROW]:
                yield pd.DataFrame({name: pd.Series(values, dtype=object) for name, values in out.items()})

    return run


#: The paragraph table ``featurise_on_spark`` built on Spark, by the id of the driver's table it
#: stands for: (that table, the Spark DataFrame). ``evaluate_with_spark`` validates it instead of
#: uploading the driver's table; ``release`` unpersists it.
BUILT: dict[int, tuple] = {}
#: The files whose values ``featurise_on_spark`` left on Spark, by the id of the driver's table
#: (``spark_rows.FetchedFiles``): ``check_on_spark`` fetches what the findings read.
FETCHED: dict[int, object] = {}


def release() -> None:
    """Drop the paragraph tables ``featurise_on_spark`` left for GX (a checkpoint's blocks go
    when Spark's cleaner finds them unreferenced), and the files' values it left on Spark."""
    for _, frame in BUILT.values():
        frame.unpersist()
    BUILT.clear()
    for fetched in FETCHED.values():
        fetched.release()
    FETCHED.clear()


def _read_on_spark(config, frame: str = "paragraphs") -> tuple[str, ...]:
    """The columns of the paragraph (or mentions) table the suites read (their index columns
    aside: GX names a row by ``ROW``), or () when one is not a column the engine builds on Spark."""
    from .features.name import MENTION_COLUMNS
    from .features.steps import file_steps
    from .suite import load_suites

    wanted = {c for suite in load_suites(config.expectations) if suite.frame == frame
              for c in suite.columns if c not in suite.index_columns}  # fmt: skip
    if frame == "mentions":
        built = set(MENTION_COLUMNS)
    else:
        built = {c for step in file_steps() for c in step.columns} | set(DUPLICATE_COLUMNS) | set(NOISE_COLUMNS)
    return tuple(sorted(wanted)) if wanted <= built else ()


def _frame_of(files, read: tuple[str, ...], first_rows: dict[int, int]):
    """The table GX validates on Spark, one Spark row per table row (its label ``ROW``) with its
    values of the ``read`` columns, from each file's ``rows`` and ``kinds`` (``_file_results``,
    ``spark_names``), the file's rows labelled from ``first_rows[doc_id]`` on; checkpointed."""
    import json

    from pyspark.sql import functions as F  # noqa: N812

    kinds: dict[str, set] = {c: set() for c in read}
    for row in files.select("kinds").distinct().collect():
        for name, seen in json.loads(row["kinds"]).items():
            kinds[name].update(seen)
    types = {c: spark_type(kinds[c]) for c in read}
    schema = ", ".join([f"{ROW} long", *(f"`{c}` {t}" for c, t in types.items())])
    if "first_row" not in files.columns:
        firsts = files.sparkSession.createDataFrame(sorted(first_rows.items()), "doc_id long, first_row long")
        files = files.join(F.broadcast(firsts), "doc_id")
    return files.select("first_row", "rows").mapInPandas(_paragraph_rows(types), schema)


def _family(copies: list, first_rows: dict[int, int]) -> list[tuple[int, int]]:
    """(doc_id, its family's doc_id) for each file that is a copy, exact or near, of an earlier one
    (``noise.corpus_noise_features``' rule: a copy of a copy is of the first one's family); from
    (first row, doc_dup_of, doc_near_dup_of) of the copies, resolved in row order."""
    doc_of = {row: doc_id for doc_id, row in first_rows.items()}
    family: dict[int, int] = {}
    for row, exact, near in sorted(copies):
        origin = doc_of[exact if exact is not None else near]
        family[doc_of[row]] = family.get(origin, origin)
    return sorted(family.items())


def featurise_on_spark(paths, config, report_paths: set[str] | None = None, error_threshold: float = 1.0):
    """The corpus read, its file steps and its corpus steps on Spark: (documents, ``steps.Corpus``).

    The files are listed on the driver (the same listing, names and skips as ``ingest.read``) and
    read on the executors, one partition per ``FILES_PER_PARTITION`` files: with a cluster, the corpus
    must be on a file system every node mounts at the same path. The file steps run per partition;
    duplicates (exact, near, shared passages, whole files) and template counts run as Spark
    operations (``spark_corpus``); the noise score per file, on the executors, which also build
    the paragraph table GX validates (the columns the paragraph suite reads, as a checkpointed
    Spark DataFrame, left in ``BUILT`` for ``evaluate_with_spark``; ``release`` drops it); the name
    variants on the executors too (``spark_names``), the driver deciding from their sums, and the
    mentions table GX validates built there too. The driver receives one small row a file and the
    duplicate columns of the rows that have one: the corpus's tables are ``spark_rows.FetchedFiles``
    (in ``FETCHED``), a file's values fetched from the executors when a finding reads them; its
    documents are ``ingest.UnreadDocument``, their text read from the file when a finding asks.
    """
    import pickle
    import time

    from pyspark import StorageLevel
    from pyspark.sql import functions as F  # noqa: N812

    from . import spark_corpus, spark_names
    from .features.name import MENTION_COLUMNS
    from .features.steps import Corpus, corpus_steps, file_steps
    from .frame import Joined, Sparse, column_order
    from .ingest import UnreadDocument, listing
    from .pipeline import feature_context
    from .rules.name import PLACES
    from .spark_rows import FetchedFiles

    clock = time.perf_counter()
    stages = LAST_STAGES
    stages.clear()
    spark = session(config.spark_master)
    files = listing(paths)
    context = feature_context(config, report_paths, error_threshold)  # prepared once on the driver, pickled to the executors
    context.prepare(corpus_steps())
    rows = [(doc_id, shown.encode("utf-8", "surrogatepass"), os.fsencode(path), problem)
            for doc_id, (shown, path, problem) in enumerate(files)]  # fmt: skip
    partitions = max(1, min(len(rows), max(spark.sparkContext.defaultParallelism, len(rows) // FILES_PER_PARTITION)))
    listed = spark.createDataFrame(rows, "doc_id long, shown binary, path binary, problem string").repartitionByRange(
        partitions, "doc_id"
    )
    done = listed.mapInPandas(
        _partition_worker(context),
        "doc_id long, document binary, features binary, error string, paragraphs long, seconds double, cpu double",
    ).persist(StorageLevel.MEMORY_AND_DISK)
    # One small row a file: errors, paragraph counts (each file's first row) and the task times.
    meta = sorted(done.select("doc_id", "error", "paragraphs", "seconds", "cpu").collect())
    stages["per-file"] = time.perf_counter() - clock
    for row in meta:
        if row["error"]:
            raise CorpusValidatorError(row["error"])
    LAST_TIMINGS[:] = [(row["doc_id"], row["seconds"], row["cpu"]) for row in meta]
    first_rows, total = {}, 0
    for row in meta:
        first_rows[row["doc_id"]] = total
        total += row["paragraphs"]
    offsets = spark.createDataFrame(sorted(first_rows.items()), "doc_id long, first_row long")
    with_rows = done.join(F.broadcast(offsets), "doc_id")

    clock = time.perf_counter()
    settings = config.duplicate
    inputs = with_rows.select("doc_id", "first_row", "features").mapInPandas(_corpus_inputs, CORPUS_INPUTS_SCHEMA)
    inputs = inputs.persist(StorageLevel.MEMORY_AND_DISK)
    paragraphs = inputs.select(
        "first_row", F.posexplode(F.arrays_zip("digests", "lengths", "sigs")).alias("at", "p")
    ).select((F.col("first_row") + F.col("at")).alias("row"), "p.digests", "p.lengths", "p.sigs")
    paragraphs = paragraphs.toDF("row", "digest", "length", "sig")
    keyed = spark_corpus.exact_duplicates(paragraphs, settings.min_chars).persist(StorageLevel.MEMORY_AND_DISK)
    exact = keyed.where(F.col("dup_of").isNotNull()).select("row", "dup_of").persist(StorageLevel.MEMORY_AND_DISK)
    near = spark_corpus.near_duplicates(keyed, settings.min_chars, settings.near_threshold, keyed=True)
    near = near.persist(StorageLevel.MEMORY_AND_DISK)
    reported = exact.select("row").union(near.select("row"))
    units = inputs.select("first_row", F.posexplode("passages").alias("unit", "p")).select(
        (F.col("first_row") + F.col("p")[0]).alias("row"), "unit", F.col("p")[1].alias("digest"),
        F.col("p")[2].alias("start"), F.col("p")[3].alias("end"),
    )  # fmt: skip
    shared = spark_corpus.shared_passages(units, reported)
    documents = inputs.where(F.size("digests") > 0).select(
        F.col("first_row").alias("row"), "digests", F.aggregate("lengths", F.lit(0).cast("long"), lambda a, b: a + b).alias("length"),
        F.col("doc_sig").alias("sig"),
    )  # fmt: skip
    whole = spark_corpus.duplicate_documents(documents, settings.doc_min_chars, settings.doc_threshold)
    whole = whole.where(F.col("doc_dup_of").isNotNull() | F.col("doc_near_dup_of").isNotNull())
    found = (exact.join(near, "row", "full").join(shared, "row", "full").join(whole, "row", "full")).persist(StorageLevel.MEMORY_AND_DISK)
    # The duplicate columns of the rows that have one: what the findings need (few rows).
    duplicates = {row["row"]: row.asDict() for row in found.toLocalIterator()}
    stages["duplicates"] = time.perf_counter() - clock

    clock = time.perf_counter()
    copies = [(r["row"], r["doc_dup_of"], r["doc_near_dup_of"]) for r in duplicates.values()
              if r["doc_dup_of"] is not None or r["doc_near_dup_of"] is not None]  # fmt: skip
    family = spark.createDataFrame(_family(copies, first_rows), "doc_id long, origin long")
    lines = inputs.select("doc_id", F.posexplode("keys").alias("unit", "key"))
    counts = spark_corpus.template_counts(lines.select("doc_id", "key"), family)
    templates = lines.join(counts, "key").groupBy("doc_id").agg(F.collect_list(F.struct("unit", "template")).alias("templates"))
    per_file = with_rows.select("doc_id", "first_row", "document", "features").join(templates, "doc_id", "left")
    read = _read_on_spark(config)
    own = tuple(c for c in read if c not in CORPUS_DUPLICATES)  # the duplicate columns come from ``found``
    results = per_file.select("doc_id", "first_row", "document", "features", "templates").mapInPandas(
        _file_results(context, error_threshold, own),
        "doc_id long, first_row long, sent binary, unread boolean, values binary, rows binary, kinds string",
    ).persist(StorageLevel.MEMORY_AND_DISK)
    received = sorted(
        (row["doc_id"], row["sent"], row["unread"]) for row in results.select("doc_id", "sent", "unread").toLocalIterator()
    )
    stages["template text and noise score"] = time.perf_counter() - clock

    clock = time.perf_counter()
    read_mentions = _read_on_spark(config, "mentions")
    named = spark_names.mentions_on_spark(with_rows, context, read_mentions)
    stages["name variants"] = time.perf_counter() - clock

    clock = time.perf_counter()
    paragraph_frame = None
    if read:
        paragraph_frame = _frame_of(results, own, first_rows)
        corpus_read = [c for c in read if c in CORPUS_DUPLICATES]
        if corpus_read:
            paragraph_frame = paragraph_frame.join(found.select(F.col("row").alias(ROW), *corpus_read), ROW, "left")
        # Built now, while what it is built from is kept, and cut from that lineage: GX plans a
        # query per metric, and planning each over the duplicate and noise steps' plan cost more
        # than running it (a 2,000-paragraph corpus: 54 s of 73 between Spark jobs).
        paragraph_frame = paragraph_frame.localCheckpoint(eager=True)
    stages["paragraph table on Spark"] = time.perf_counter() - clock
    for frame in (found, near, exact, keyed, inputs, done):
        frame.unpersist()

    clock = time.perf_counter()
    documents = []
    for _, blob, unread in received:
        doc = pickle.loads(blob)
        if unread:  # its text read from its file when a finding asks (the file is listed here)
            doc = UnreadDocument(doc.path, doc.doc_id, files[doc.doc_id][1], doc.content, doc.problem, doc.bom, doc.nul_offset)
        documents.append(doc)
    counts = [row["paragraphs"] for row in meta]
    # The columns only the corpus decides, for the rows that have a value; each file's others stay
    # on Spark until a finding reads them (``spark_rows``).
    corpus_columns = {name: {} for name in CORPUS_DUPLICATES}
    for row, record in duplicates.items():
        for name in CORPUS_DUPLICATES:
            value = record[name]
            if value is not None:
                corpus_columns[name][row] = [tuple(p) for p in value] if name == "passages" else value
    steps = file_steps()
    given = {name: Sparse(sum(counts), values) for name, values in corpus_columns.items()}
    order = column_order([c for step in steps for c in step.columns] + list(DUPLICATE_COLUMNS[:2]))
    order = ["path", "doc_id", *order, *(c for c in DUPLICATE_COLUMNS if c in given), *NOISE_COLUMNS]
    fetched = FetchedFiles(results, documents, counts, order, given, _file_values(steps))
    # The mentions too: each file's stay on the executors, labelled in file order.
    per_file = [named.counts.get(doc.doc_id, 0) for doc in documents]
    total = sum(per_file)
    mentions = FetchedFiles(named.files, documents, per_file, MENTION_COLUMNS,
                            {"mention_id": Joined([range(total)], [0, total])}, lambda values, doc: values)  # fmt: skip
    corpus = Corpus(documents, fetched.table, {}, counts, context)
    corpus.tables["mentions"] = mentions.table
    corpus.data["memos"] = {PLACES: named.places}  # worked out on Spark, not from every mention here
    mention_frame = None
    if read_mentions:
        firsts = {doc.doc_id: mentions.starts[k] for k, doc in enumerate(documents) if per_file[k]}
        mention_frame = _frame_of(named.files, read_mentions, firsts).localCheckpoint(eager=True)
    for table, frame in ((fetched, paragraph_frame), (mentions, mention_frame)):
        FETCHED[id(table.table)] = table
        if frame is not None:
            BUILT[id(table.table)] = (table.table, frame)
        else:  # the driver uploads the table for GX: every file read at once
            table.fetch_all()
    stages["driver"] = time.perf_counter() - clock
    return documents, corpus


def _file_values(steps):
    """(a file's packed outputs, its document) -> the file steps' columns of it, as the table holds them."""
    from .features.steps import unpack

    def values(entry, doc) -> dict:
        sections = unpack(entry, doc)
        return {c: sections[step.name][c] for step in steps for c in step.columns}

    return values


def check_on_spark(paths, config, report_paths: set[str] | None = None, whole_table: bool = False):
    """``pipeline.check`` on Spark: the features and corpus steps by ``featurise_on_spark``, then the
    suites in GX on Spark and the findings, as every engine builds them, from the files' values
    they read (``spark_rows``); ``whole_table``: every file's values in the report's table (what
    ``export`` reads)."""
    import time

    from .pipeline import check_documents, error_threshold, noise_thresholds
    from .suite import load_suites

    error = error_threshold(noise_thresholds(load_suites(config.expectations), config))
    with spark_failures(config.spark_master):
        documents, corpus = featurise_on_spark(paths, config, report_paths, error)
        try:
            tables = [FETCHED[id(corpus.table)], FETCHED[id(corpus.tables["mentions"])]]

            def fetch(table, rows) -> None:
                fetched = FETCHED.get(id(table))
                if fetched is not None:
                    fetched.fetch_rows(rows)

            clock = time.perf_counter()
            report = check_documents(documents, config, report_paths=report_paths, features=corpus, fetch=fetch)
            LAST_STAGES["GX on Spark and findings"] = time.perf_counter() - clock
            if whole_table:
                for fetched in tables:
                    fetched.fetch_all()
            paragraphs, mentions = tables
            LAST_FETCHES.clear()
            LAST_FETCHES.update(files=len(paragraphs.values), of=len(documents), mention_files=len(mentions.values),
                                jobs=paragraphs.jobs + mentions.jobs, misses=paragraphs.misses + mentions.misses)  # fmt: skip
            return report
        finally:
            release()


#: How many files' paragraph values the last ``check_on_spark`` fetched, of how many, and of how
#: many their mentions; in how many Spark jobs, and how many of those fetched a file no rule
#: named (``spark_rows``): tests and bench.
LAST_FETCHES: dict[str, int] = {}


# ----------------------------------------------------------------------------- findings as a table

FINDINGS_SCHEMA = (
    "code string, family string, severity string, path string, line long, column long, end_line long, "
    "end_column long, message string, suggestion string, related array<struct<path:string,line:long,column:long>>, related_count long, "
    "fingerprint string, fixable boolean"
)


def write_findings(findings, folder: str, master: str | None = None) -> None:
    """The findings as a table Spark writes in ``folder``, one file per partition (what a cluster's
    next job reads): JSON Lines when ``folder`` ends in ``.jsonl``, else Parquet; the JSON format's
    fields. Undecodable bytes in a file name are written ``\\xNN``, as every report writes them.
    An existing ``folder`` is an error, not overwritten.

    The findings are built on the driver (they need each file's text for line and column), so they
    go from there to Spark, as Arrow batches, and Spark writes them."""
    from .findings import RECORDED
    from .ingest import escaped_name, printable

    spark = session(master)
    if os.path.exists(folder):
        raise CorpusValidatorError(f"--findings-table {folder}: already exists (give a new folder)")
    values: dict[str, list] = {c: [] for c in RECORDED}
    for finding in findings:
        record = finding.to_dict()
        record["path"] = escaped_name(record["path"])
        record["related"] = [{**place, "path": escaped_name(place["path"])} for place in record["related"]]
        for key in ("message", "suggestion"):  # a file name they quote: its bytes \xNN, as in the path
            record[key] = None if record.get(key) is None else printable(escaped_name(record[key]))
        for c in RECORDED:
            values[c].append(record.get(c))
    try:
        table = spark.createDataFrame(_findings_arrow(values), FINDINGS_SCHEMA) if findings else spark.createDataFrame([], FINDINGS_SCHEMA)
        writer = table.repartition(max(1, min(spark.sparkContext.defaultParallelism, len(findings) // 100_000 + 1))).write
        if folder.endswith(".jsonl"):
            writer.option("ignoreNullFields", "false").json(folder)  # every field in every line, as the JSON report
        else:
            writer.parquet(folder)
    except Exception as exc:  # the folder cannot be written, or Spark failed
        reason = failure_reason(exc)
        if reason is not None:
            raise CorpusValidatorError(f"--findings-table {folder}: Spark {reason}") from None
        cause = _java_root_cause(exc) or str(exc)
        raise CorpusValidatorError(f"--findings-table {folder}: cannot write: {' '.join(cause.split())[:300]}") from None


def _java_root_cause(exc: BaseException) -> str | None:
    """The innermost cause of the Java exception behind ``exc`` ("java.io.IOException: Mkdirs
    failed to create ..."), where Spark's own message is a job's abort and its stack trace."""
    origin = getattr(exc, "_origin", None) or getattr(exc, "java_exception", None)
    try:
        while origin is not None and origin.getCause() is not None:
            origin = origin.getCause()
        return None if origin is None else str(origin.toString())
    except Exception:  # the JVM is gone: its exceptions with it
        return None


def _findings_arrow(values: dict[str, list]):
    """The findings' columns as a pandas frame Spark converts with Arrow (not row by row)."""
    import pandas as pd

    return pd.DataFrame({name: pd.Series(column, dtype=object) for name, column in values.items()})
