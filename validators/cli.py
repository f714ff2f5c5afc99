"""``corpus-validator``: check, export, and explain rules.

Exit codes: 0 no error-severity finding; 1 findings that fail the gate; 2 usage,
configuration or I/O error (one line on stderr, never a traceback).
"""

from __future__ import annotations

import codecs
import contextlib
import copy
import functools
import gc
import os
import sys
from collections import Counter
from pathlib import Path

import click

from . import __version__, interrupts
from .atomic import write_atomic
from .config import Config, load_config, parse_codes
from .errors import CorpusValidatorError
from .rules import RULES

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
EXIT_INTERRUPTED = interrupts.EXIT_INTERRUPTED


def _fail(message: str) -> None:
    _say(f"corpus-validator: error: {message}")
    sys.exit(EXIT_ERROR)


def _interrupted() -> None:
    """Ctrl-C: one line, and out. After a pool of workers, without Python's exit handlers:
    ``concurrent.futures`` joins its threads there, and one still feeding the stopped workers
    could wait for ever (or print a traceback). Spark's handlers stop its JVM, so they run."""
    _say("corpus-validator: error: interrupted")
    from .pool import workers_started

    if workers_started() and "validators.spark" not in sys.modules:
        with contextlib.suppress(OSError, ValueError):
            sys.stdout.flush()
            sys.stderr.flush()
        os._exit(EXIT_INTERRUPTED)
    # What is torn down half-made as the run stops (a Spark gateway's connection) may fail in
    # its finaliser; Python would print that as "Exception ignored" with a traceback.
    sys.unraisablehook = lambda unraisable: None
    sys.exit(EXIT_INTERRUPTED)


def _say(message: str) -> None:
    """A line on stderr. It may name a hostile file (a line feed, a terminal escape, a CI
    workflow command in its name): shown escaped, as every report shows it."""
    from .output.escape import safe_line, visible

    click.echo(safe_line(visible(message)), err=True)


@contextlib.contextmanager
def _without_cycle_collection():
    """A run builds hundreds of thousands of objects with hardly a reference cycle among
    them, and drops them at its end: Python's cycle collector would only rescan them again
    and again. On 1,000 articles that is a seventh of a one-file hook run, and peak memory
    of a full run stays within 1 % without it."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        # Not when the program ends here (``entry``): the collector, back on, would rescan the
        # whole run's objects at the next allocation only for the process to exit.
        if enabled and not _ENDS_THE_PROGRAM:
            gc.enable()


#: Set by ``entry``: the command that runs is the program's last act.
_ENDS_THE_PROGRAM = False


def handle_errors(command):
    """Turn our errors, and anything unforeseen, into one line on stderr and exit 2."""

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        cache = sys.modules.get("validators.cache")
        if cache is not None:  # another command run in this process (tests, an embedding program)
            cache.READ_FROM.clear()
        with interrupts.Watch() as interrupt:
            try:
                return _run(command, interrupt, *args, **kwargs)
            except KeyboardInterrupt:  # also one that surfaces while an error is being said
                _interrupted()

    return wrapper


def _run(command, interrupt, *args, **kwargs):
    """``command``, its errors said in one line (``handle_errors``)."""
    try:
        with _without_cycle_collection():
            return command(*args, **kwargs)
    except CorpusValidatorError as exc:
        if interrupt.seen():  # Ctrl-C, which Spark turned into its failure to start
            _interrupted()
        _fail(str(exc))
    except Exception as exc:  # a bug of ours: say so plainly; the traceback only on request
        if interrupt.seen():  # Ctrl-C, which Py4J turned into an error of the call it stopped
            _interrupted()
        if os.environ.get("CORPUS_VALIDATOR_DEBUG"):
            raise
        # Spark's JVM stopping can surface outside the engine's own guard (a stream's cleanup,
        # a call made as the context stops): still Spark's failure, not ours.
        engine = sys.modules.get("validators.spark")
        reason = engine.failure_reason(exc) if engine is not None else None
        if reason is not None:
            _fail(f"Spark {reason}")
        from .cache import READ_FROM

        damaged = f"; if the feature cache {READ_FROM[-1]} is damaged, delete it or run with --no-cache" if READ_FROM else ""
        _fail(f"internal error: {exc.__class__.__name__}: {exc} (set CORPUS_VALIDATOR_DEBUG=1 for the traceback{damaged})")


def _settings(config_file, select, ignore, no_cache=False, engine=None) -> Config:
    config = load_config(config_file)
    if no_cache:
        config.cache = False
    if engine:
        config.engine = engine
    if select:
        config.select = config.given["--select"] = parse_codes(select, "select", "--select")
    if ignore:
        config.given["--ignore"] = parse_codes(ignore, "ignore", "--ignore")
        config.ignore = config.ignore + config.given["--ignore"]
    return config


def _paths(paths: tuple[str, ...], config: Config, need: str = "no paths given and none configured") -> list[str]:
    if paths:
        return list(paths)
    if not config.paths:
        where = f"in {config.source}" if config.source else "in pyproject.toml"
        raise CorpusValidatorError(f"{need}: name files or folders to check, or set paths = [\"corpus\"] under [tool.corpus-validator] {where}")
    resolved = []
    for p in config.paths:
        full = (config.root / p).resolve()
        try:
            resolved.append(os.path.relpath(full))
        except ValueError:  # another drive
            resolved.append(str(full))
    return resolved


def _inside_corpus(paths, corpus: list[str]) -> list[str]:
    """The given paths that lie in the configured corpus. pre-commit hands the hook every
    changed ``.txt`` of the repository; a LICENSE.txt or notes.txt outside ``paths`` is not
    an article, so it is skipped, with a note on stderr."""
    roots = [os.path.realpath(root) for root in corpus]
    inside, outside = [], []
    for path in paths:
        real = os.path.realpath(path)
        within = any(real == root or real.startswith(root.rstrip(os.sep) + os.sep) for root in roots)
        (inside if within else outside).append(path)
    if outside:
        _say(f"corpus-validator: skipped (outside the configured paths): {', '.join(str(p) for p in outside)}")
    return inside


def _emit(text: str, output: str | None, utf8: bool = False) -> None:
    """``text`` to ``output`` (atomically), or to stdout (``_to_stdout``)."""
    text = text.encode("utf-8", "replace").decode("utf-8")  # a lone surrogate never stops a report
    if output:
        write_atomic(output, text)
    else:
        _to_stdout(text, utf8)


def _to_stdout(text: str, utf8: bool = False, color: bool | None = None) -> None:
    """``text`` on stdout: in UTF-8 whatever the locale when ``utf8`` (a machine format, which
    says it is UTF-8: JSON, SARIF, JUnit XML; on Windows a redirected stdout is in the ANSI code
    page), else in the stream's own encoding, a character it lacks shown as ``\\uXXXX``.
    Failing to write (a full disk) is an I/O error, not a bug of ours."""
    stream = sys.stdout
    encoding = getattr(stream, "encoding", None) or "utf-8"
    try:
        if codecs.lookup(encoding).name == "utf-8":
            click.echo(text, nl=False, color=color)
        elif utf8 and getattr(stream, "buffer", None) is not None:
            stream.flush()
            stream.buffer.write(text.encode("utf-8", "replace"))
            stream.buffer.flush()
        else:
            click.echo(text.encode(encoding, "backslashreplace").decode(encoding), nl=False, color=color)
    except BrokenPipeError:
        raise
    except OSError as exc:
        raise CorpusValidatorError(f"cannot write to stdout: {exc.strerror or exc}") from None


common_options = [
    click.argument("paths", nargs=-1, type=click.Path(readable=False)),
    click.option("--config", "config_file", type=click.Path(), help="Settings file (default: the nearest pyproject.toml with [tool.corpus-validator])."),
    click.option("--select", help="Only these rule codes or prefixes, comma-separated (e.g. BP,EN001)."),
    click.option("--ignore", help="Skip these rule codes or prefixes, comma-separated."),
    click.option("--no-cache", is_flag=True, help="Neither read nor write the per-file feature cache."),
    click.option("--engine", type=click.Choice(["gx", "light", "spark"]), help="gx: run the suites in Great Expectations (default); light: evaluate the same expectations without importing GX or pandas; spark: GX on Spark (the [spark] extra, Java 17+)."),
]


def with_common_options(command):
    for option in reversed(common_options):
        command = option(command)
    return command


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="corpus-validator")
def main() -> None:
    """Check a news-text corpus for scrape noise, duplicates, encoding damage and name variants."""


def entry() -> None:
    """The program (``corpus-validator``, ``python -m validators``): ``main``; after a check,
    an exit that leaves the run's objects to the operating system to take back at once. A
    check of thousands of pages holds millions of them, and freeing them one by one took a
    third of a second at 2,000 page dumps. The output is flushed first. Other commands, a
    check on Spark (PySpark's exit handlers stop its JVM), and a run under a profiler, a
    tracer or coverage (each writes its data as Python exits) exit as usual."""
    global _ENDS_THE_PROGRAM
    _ENDS_THE_PROGRAM = True
    try:
        main()
    except SystemExit as done:
        if not _CHECKED or _watched() or not (done.code is None or isinstance(done.code, int)):
            raise
        code = done.code or 0
    else:
        code = 0
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):  # a closed pipe: what was written is lost, so not a clean exit
        code = code or 1
    os._exit(code)


def _watched() -> bool:
    """Whether a profiler (``python -m cProfile``), a tracer or coverage.py watches this run."""
    return sys.getprofile() is not None or sys.gettrace() is not None or "coverage" in sys.modules


#: Set by ``check`` once its reports are written, on the engines that start nothing of their own.
_CHECKED = False


def _check_done(engine: str) -> None:
    global _CHECKED
    _CHECKED = engine != "spark"


@main.command()
@with_common_options
@click.option(
    "--with-corpus",
    is_flag=True,
    help="Read the configured corpus too, so duplicate and name rules see it, but report only on PATHS (pre-commit).",
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json", "github", "sarif", "junit", "gitlab", "html"]),
    default="text",
    show_default=True,
    help="github: workflow annotations (and a Markdown summary in $GITHUB_STEP_SUMMARY); sarif: SARIF 2.1.0; junit: JUnit XML; gitlab: GitLab code quality; html: one self-contained page (with --output).",
)
@click.option("--output", "-o", type=click.Path(), help="Write the report to this file instead of stdout.")
@click.option("--report", "reports", multiple=True, metavar="FORMAT=FILE", help="Also write a report in FORMAT to FILE, from the same run (repeatable): --report sarif=out.sarif.")
@click.option("--baseline", "baseline_file", type=click.Path(), help="Accept the findings recorded in this baseline; fail only on new ones.")
@click.option("--quiet", "-q", is_flag=True, help="Print the findings only: no summary line, no progress bar.")
@click.option("--statistics", "show_statistics", is_flag=True, help="Print how many findings each code has instead of the findings (with --output, besides the report).")
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when there are error findings (2 still means a usage or I/O problem).")
@click.option("--data-docs", type=click.Path(file_okay=False), help="Also write the validation results as a GX Data Docs site in this folder (gx engine).")
@click.option("--spark-master", metavar="URL", help="The Spark master the spark engine runs on (default: local[*]; or spark-master in the config).")
@click.option("--findings-table", "--spark-output", "spark_output", metavar="PATH", help="Also write the findings as a table written by Spark in this new folder: JSON Lines when PATH ends in .jsonl, else Parquet (spark engine).")
@click.option("--jobs", "-j", type=click.IntRange(min=1), metavar="N", help="Processes computing the per-file features, and threads scoring the noise model (default: one per core, or jobs in the config).")
@handle_errors
def check(paths, config_file, select, ignore, no_cache, engine, with_corpus, output_format, output, reports, baseline_file,
          quiet, show_statistics, exit_zero, data_docs, spark_master, spark_output, jobs) -> None:  # fmt: skip
    """Check PATHS (files, or folders of .txt files; default: the configured corpus)."""
    from . import baseline, progress
    from .output import FORMATS, joined
    from .pipeline import check as run_check

    extra = _report_targets(reports, FORMATS)  # a bad --report fails before the work
    config = _settings(config_file, select, ignore, no_cache, engine)
    _terminal_options(config, output_format, output, show_statistics, data_docs)
    if (spark_master is not None or spark_output is not None) and config.engine != "spark":
        raise CorpusValidatorError(f"{'--spark-master' if spark_master is not None else '--findings-table'} needs the spark engine (--engine spark)")
    if spark_master is not None:
        from .config import MASTER_URLS, is_master_url

        if not is_master_url(spark_master):
            raise CorpusValidatorError(f"--spark-master {spark_master}: not a Spark master URL ({MASTER_URLS})")
        config.spark_master = spark_master
    if jobs is not None:
        if config.engine == "spark":
            raise CorpusValidatorError("--jobs sets this machine's worker processes; on the spark engine Spark runs the work (local[N] or the cluster's executors)")
        config.jobs = jobs
    if spark_output is not None:
        _check_new_folder(spark_output)
    if config.engine == "spark":
        from .spark import session

        session(config.spark_master)  # pyspark, Java and the master checked before the work
    accepted = baseline.load(baseline_file) if baseline_file else None  # a bad baseline fails before the work
    context = _paths((), config, "--with-corpus needs the corpus configured") if with_corpus and paths else []
    if context:
        paths = _inside_corpus(paths, context)
    # A pre-commit run whose files all lie outside the corpus checks none, and still writes
    # the reports asked for (empty): one left by an earlier run would otherwise be uploaded.
    checked = _paths(paths, config) if paths or not context else []
    _reports_apart([output, *(target for _, target in extra)], [*checked, *context], _inputs(config, baseline_file))
    with progress.shown(enabled=not quiet):
        report = run_check(checked, config, context) if checked else _nothing_checked(config)
    if accepted is not None:
        report.findings, report.baselined = baseline.apply(report.findings, accepted)
    # Each report is written as it is produced, never held whole (large corpora); a format
    # asked for twice is rendered once and written twice (github also appends to the step summary).
    asked = Counter([output_format, *(name for name, _ in extra)])
    rendered = {name: FORMATS[name](report) for name, n in asked.items() if n > 1}
    for name, target in extra:
        if name in rendered:
            _emit(rendered[name], target, name != "text")
        else:
            _emit_chunks(joined(FORMATS.chunks(name)(report)), target, name != "text")
    _emit_report(report, rendered.get(output_format), output_format, output, quiet, show_statistics)
    if spark_output is not None:  # after the reports: a table that cannot be written loses none of them
        from .spark import write_findings

        write_findings(report.findings, spark_output, config.spark_master)
    _check_done(config.engine)
    sys.exit(EXIT_FINDINGS if report.errors and not exit_zero else EXIT_CLEAN)


def _check_new_folder(target: str) -> None:
    """Refuse, before the work, a ``--findings-table`` folder that exists, or (on this machine's
    file system; a cluster's ``hdfs://`` or ``s3a://`` is Spark's to judge) whose parent folder
    does not exist or cannot be written in."""
    if os.path.exists(target):
        raise CorpusValidatorError(f"--findings-table {target}: already exists (give a new folder)")
    if "://" in target:
        return
    parent = os.path.dirname(os.path.abspath(target))
    if not os.path.isdir(parent):
        raise CorpusValidatorError(f"--findings-table {target}: folder {os.path.dirname(target) or '.'} does not exist")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise CorpusValidatorError(f"--findings-table {target}: cannot write in folder {os.path.dirname(target) or '.'}")


def _nothing_checked(config: Config):
    """The report of a run that reads no file: its rules' levels, no finding (no engine started)."""
    from .pipeline import check_documents

    config = copy.copy(config)
    config.engine = "light"
    return check_documents([], config)


def _terminal_options(config: Config, output_format: str, output: str | None, show_statistics: bool, data_docs: str | None) -> None:
    """Refuse combinations of options that cannot do what they say, before the work."""
    if show_statistics and output_format != "text" and not output:
        raise CorpusValidatorError(f"--statistics prints a table instead of the report; give --output FILE for the {output_format} report")
    if data_docs is not None:
        if config.engine != "gx":
            raise CorpusValidatorError("--data-docs needs the gx engine (--engine gx)")
        config.data_docs = data_docs


def _emit_report(report, text: str | None, output_format: str, output: str | None, quiet: bool = False, show_statistics: bool = False) -> None:
    """The main report (``text``; None: the report in ``output_format``, written as it is
    produced) to ``output`` or stdout, a text report on a terminal in colour; or, with
    ``show_statistics``, the statistics to stdout (and the report to ``output``)."""
    from .output import FORMATS, joined, terminal
    from .output import text as text_report

    if show_statistics:
        _to_stdout(terminal.statistics(report, quiet))
        if not output:
            return
    if text is None and output_format != "text":
        produce = FORMATS.chunks(output_format)
        pieces = produce(report, tally=not quiet) if output_format == "github" else produce(report)
        _emit_chunks(joined(pieces), output, utf8=True)
        return
    if text is None:
        chunks = text_report.pieces(report, summary=not quiet)
        if not output and terminal.colour_wanted(sys.stdout):
            for chunk in chunks:
                _to_stdout(terminal.colourise(chunk.encode("utf-8", "replace").decode("utf-8")), color=True)
        else:
            _emit_chunks(chunks, output)
        return
    if output_format == "text" and quiet:
        text = terminal.without_summary(text)
    if output_format == "github" and quiet:
        from .output.github import without_tally

        text = without_tally(text)
    if output_format == "text" and not output and terminal.colour_wanted(sys.stdout):
        _to_stdout(terminal.colourise(text.encode("utf-8", "replace").decode("utf-8")), color=True)
        return
    _emit(text, output, output_format != "text")


def _emit_chunks(chunks, output: str | None, utf8: bool = False) -> None:
    """``_emit`` for a report written piece by piece (to ``output`` still atomically)."""
    if output:

        def write(temp: str) -> None:
            with open(temp, "wb") as handle:
                for chunk in chunks:
                    handle.write(chunk.encode("utf-8", "replace"))  # a lone surrogate never stops a report

        write_atomic(output, write)
    else:
        for chunk in chunks:
            _to_stdout(chunk.encode("utf-8", "replace").decode("utf-8"), utf8)


def _reports_apart(targets: list, read: list, inputs: list | None = None) -> None:
    """Refuse, before the work, report files (a check's reports, an export, a baseline) that
    would overwrite each other, a file the run reads besides the corpus (``inputs``: its
    settings, expectations, baseline), or a corpus file (a report written over an article, or
    into a checked folder as a ``.txt`` the next run would check as one)."""
    from .ingest import CORPUS_SUFFIX

    named: dict[str, str] = {}
    kept = {os.path.realpath(path) for path in inputs or ()}
    for target in (t for t in targets if t):
        real = os.path.realpath(target)
        if real in named:
            raise CorpusValidatorError(f"{target}: named for two reports ({named[real]} and {target}): give each its own file")
        if real in kept:
            raise CorpusValidatorError(f"{target}: the run reads this file (settings, expectations or a baseline): write elsewhere")
        named[real] = target
        for path in read:
            inside = os.path.realpath(path)
            if real == inside or (real.endswith(CORPUS_SUFFIX) and real.startswith(inside.rstrip(os.sep) + os.sep)):
                raise CorpusValidatorError(f"{target}: a report there would replace or join the corpus checked ({path}): write it elsewhere")


def _inputs(config: Config, *also: str | None, writing_baseline: bool = False) -> list[str]:
    """The files a run reads besides the corpus: its settings file, the files of its
    ``expectations/`` folder (but the baseline, for the command that writes it), and ``also``."""
    from .baseline import DEFAULT_PATH

    files = [config.source, *also]
    folder = config.expectations
    if folder is not None and folder.is_dir():
        files += [str(p) for p in folder.iterdir() if p.is_file() and not (writing_baseline and p.name == Path(DEFAULT_PATH).name)]
    return [f for f in files if f]


def _report_targets(reports, formats) -> list[tuple[str, str]]:
    """``--report FORMAT=FILE`` values as (format, file), each file's folder checked."""
    targets = []
    for value in reports:
        name, sep, target = value.partition("=")
        if not sep or not target or name not in formats:
            raise CorpusValidatorError(f"--report {value!r}: expected FORMAT=FILE with FORMAT one of {', '.join(formats)}")
        folder = os.path.dirname(target) or "."
        if not os.path.isdir(folder):
            raise CorpusValidatorError(f"--report {value!r}: folder {folder} does not exist")
        targets.append((name, target))
    return targets


@main.command()
@with_common_options
@click.option("--output", "-o", type=click.Path(), required=True, help="File to write: .parquet, .jsonl or .csv.")
@handle_errors
def export(paths, config_file, select, ignore, no_cache, engine, output) -> None:
    """Write the paragraph table of PATHS, with each paragraph's finding codes, to a file."""
    from .export import export as write_export
    from .export import with_codes
    from .pipeline import check as run_check

    config = _settings(config_file, select, ignore, no_cache, engine)
    checked = _paths(paths, config)
    _reports_apart([output], checked, _inputs(config))
    report = run_check(checked, config, whole_table=True)
    frame = with_codes(report)
    kind = write_export(frame, output)
    _say(f"wrote {len(frame)} paragraphs of {len(report.documents)} files to {output} ({kind})")


@main.command()
@with_common_options
@click.option("--diff", "show_diff", is_flag=True, help="Show the changes as a unified diff; write nothing.")
@click.option("--with-corpus", is_flag=True, help="Read the configured corpus too (for name spellings), but change only PATHS.")
@click.option("--drop-noise", is_flag=True, help="Also delete the paragraphs that have a noise error (page furniture); never running text no pattern names, nor its last copy, nor all of a file.")
@handle_errors
def fix(paths, config_file, select, ignore, no_cache, engine, show_diff, with_corpus, drop_noise) -> None:
    """Apply the safe repairs of the findings in PATHS, in place and atomically.

    Repairs: ftfy's mojibake repair, deleting control and invisible characters,
    plain spaces, HTML entities, NFC, one kind of line ending, no BOM, and the
    corpus's spelling of a name; with --drop-noise, also deleting the paragraphs
    with a noise error in the first check (running text only when a pattern rule
    names it, never its last copy, never all of a file's). Nothing a finding does
    not name is changed. Files are written all or none; a read-only file or one
    with several hard links is refused; a symbolic link is written through.
    Exit 0 when no error finding is left, 1 when some are (or, with --diff, when
    there is something to change), 2 on a usage or I/O error.
    """
    from .atomic import remove_stale_temporaries, replace_files
    from .fix import plan_fixes
    from .ingest import listing, shown_paths
    from .pipeline import open_file_index

    config = _settings(config_file, select, ignore, no_cache, engine)
    targets = _paths(paths, config)
    context = _paths((), config, "--with-corpus needs the corpus configured") if with_corpus and paths else []
    if context:
        targets = _inside_corpus(targets, context)
        if not targets:
            sys.exit(EXIT_CLEAN)
    only = shown_paths(targets) if context else None
    index = open_file_index(config)  # the files not fixed: unread where the index knows them
    documents = index.read(listing([*targets, *context]), only)
    plan = plan_fixes(documents, config, only, drop_noise)
    index.note(documents)  # as read: a file fixed below is read again next time
    index.save()
    for kept in plan.held_back:
        _say(f"corpus-validator: kept {kept.path}:{kept.line} ({kept.code}): {kept.reason}")
    if show_diff:
        # The diff is for a person or a CI log, like every report: corpus text shown escaped.
        from .output.escape import safe_lines, visible_lines

        _to_stdout(safe_lines(visible_lines("".join(change.diff() for change in plan.changes))))
        sys.exit(EXIT_FINDINGS if plan.changes else EXIT_CLEAN)
    fixing = [d.path for d in documents if only is None or d.path in only]
    for stale in remove_stale_temporaries(fixing):
        _say(f"corpus-validator: removed {stale}, a temporary file an interrupted run left")
    replace_files([(change.path, change.after) for change in plan.changes], read={change.path: change.before for change in plan.changes})
    changes, report = plan.changes, plan.report
    fixed = sum(c.fixed for c in changes)
    click.echo(
        f"fixed {fixed} finding{'s' if fixed != 1 else ''} in {len(changes)} file{'s' if len(changes) != 1 else ''}; "
        f"{report.errors} error{'s' if report.errors != 1 else ''} left",
        err=True,
    )
    if not plan.settled:
        click.echo("corpus-validator: warning: repairs did not settle; run fix again and report this", err=True)
    sys.exit(EXIT_FINDINGS if report.errors else EXIT_CLEAN)


@main.command(name="baseline")
@with_common_options
@click.option("--output", "-o", type=click.Path(), help="Baseline file to write (default: expectations/baseline.json at the project root).")
@handle_errors
def baseline_command(paths, config_file, select, ignore, no_cache, engine, output) -> None:
    """Record the current findings of PATHS as accepted, so `check --baseline` fails only on new ones."""
    from . import baseline
    from .pipeline import check as run_check

    config = _settings(config_file, select, ignore, no_cache, engine)
    checked = _paths(paths, config)
    _reports_apart([output], checked, _inputs(config, writing_baseline=True))
    report = run_check(checked, config)
    if output is None:  # the default place: its folder made if the corpus has none yet
        target = os.path.relpath(config.root / baseline.DEFAULT_PATH)
        try:
            Path(target).parent.mkdir(exist_ok=True)
        except OSError as exc:
            raise CorpusValidatorError(f"{target}: cannot make its folder: {exc.strerror or exc}") from None
    else:  # a folder named by the user is not made: a typo would hide the file
        target = output
    baseline.write(report.findings, target)
    _say(f"recorded {len(report.findings)} findings in {target}")


@main.command(name="train-noise")
@click.argument("labelled", nargs=-1, required=True, type=click.Path(readable=False))
@click.option("--output", "-o", type=click.Path(), required=True, help="Model file to write, e.g. expectations/noise-model.json.")
@click.option("--config", "config_file", type=click.Path(), help="Settings file (its expectations/ patterns are features).")
@handle_errors
def train_noise(labelled, output, config_file) -> None:
    """Train the noise model on LABELLED sets (folders of corpus/*.txt and labels.jsonl).

    Needs the training extra: pip install 'corpus-validator[train]'. The same sets give the
    same file.
    """
    from . import train_noise as training

    config = load_config(config_file)
    config.cache = False
    command = "corpus-validator train-noise " + " ".join(labelled) + f" -o {output}"
    summary = training.main([os.fspath(p) for p in labelled], output, command, config)
    _say(
        f"wrote {output}: {summary['paragraphs']:,} paragraphs ({summary['furniture']:,} furniture); "
        f"suggested thresholds: error {summary['thresholds']['error']}, review {summary['thresholds']['review']}, "
        f"furnished {summary['thresholds'].get('furnished')}"
    )


@main.command()
@click.argument("code", required=False)
@handle_errors
def rule(code: str | None) -> None:
    """Explain the rule CODE, or list every rule (the corpus's own, declared in its suites, too)."""
    from .suite import load_suites

    if not code:
        load_suites(load_config(None).expectations)
        for rule_code, rule_class in sorted(RULES.items()):
            summary = rule_class.doc().splitlines()[0]
            _to_stdout(_visible(f"{rule_code}  {rule_class.family:<9}  {rule_class.name:<22}  {summary}") + "\n")
        return
    if code.upper() not in RULES and code.upper().startswith("X"):  # perhaps the corpus's own, in its suites
        load_suites(load_config(None).expectations)
    rule_class = RULES.get(code.upper())
    if rule_class is None:
        raise CorpusValidatorError(f"no rule {code!r}; `corpus-validator rule` lists them")
    _to_stdout(f"{rule_class.code} ({rule_class.name}, {rule_class.family})\n\n{_visible(rule_class.doc())}\n")


def _visible(text: str) -> str:
    """``text`` with the characters one cannot see (controls, format and bidirectional
    characters, spaces other than U+0020, combining marks) as ``\\xNN``/``\\uNNNN``, so a
    rule's bad and good examples do not look the same."""
    import unicodedata

    def escaped(char: str) -> str:
        if char in "\n\t " or unicodedata.category(char) not in ("Cc", "Cf", "Zs", "Zl", "Zp", "Mn", "Me"):
            return char
        return f"\\x{ord(char):02x}" if ord(char) < 0x100 and unicodedata.category(char) == "Cc" else f"\\u{ord(char):04x}"

    return "".join(escaped(char) for char in text)


if __name__ == "__main__":  # pragma: no cover
    main()
