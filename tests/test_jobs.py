"""``check --jobs N``: the per-file features computed in worker processes, the same output
whatever N, errors as one line, Ctrl-C leaving no process behind, and no pool for a few files."""

from __future__ import annotations

import dataclasses
import os
import signal
import subprocess
import sys
import time

import pytest

from conftest import write_corpus
from validators import pipeline, pool
from validators.config import Config
from validators.errors import CorpusValidatorError
from validators.features.steps import FILE_STEPS, discover

STORY = (
    "Officials in Hanoi said on {day} that the talks with Kim Jong Un would resume next week, after a pause of {n} months.\n\n"
    "The delegation from Seoul arrived late on Sunday and met the foreign minister before the talks began in the old palace.\n\n"
    "Sign up for our daily newsletter\n\n"
    "Analysts said the meeting, the {nth} this year, was unlikely to settle the dispute over the islands quickly.\n"
)
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"]


def articles(count: int) -> dict[str, str]:
    """``count`` short articles of our own, some the same, one with another spelling of a name,
    one with a control character and one not UTF-8: per-file and cross-file findings."""
    files = {f"{n:03}.txt": STORY.format(day=DAYS[n % 6], n=n % 5 + 2, nth=f"{n + 1}th") for n in range(count)}
    files["copy.txt"] = files["000.txt"]  # the same bytes: computed once, by one worker or none
    files["spelling.txt"] = files["001.txt"].replace("Kim Jong Un", "Kim Jong-un")
    files["control.txt"] = files["002.txt"].replace("palace", "pal\x07ace")
    files["bytes.txt"] = files["003.txt"].encode().replace(b"Seoul", b"Seo\xe9ul")
    return files


@pytest.fixture
def project(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write_corpus(tmp_path / "corpus", articles(2 * pipeline.POOL_MIN_FILES))
    return tmp_path


def check_output(*args: str, cwd) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "validators", "check", *args], capture_output=True, cwd=cwd)


def test_the_output_is_the_same_byte_for_byte_whatever_the_number_of_jobs(project):
    outputs = {}
    for jobs in ("1", "2", "3"):
        result = check_output("corpus", "--no-cache", "--format", "json", "--jobs", jobs, cwd=project)
        assert result.returncode == 1, result.stderr
        outputs[jobs] = result.stdout
    assert outputs["1"] == outputs["2"] == outputs["3"]
    for code in (b'"NM001"', b'"DU', b'"EN002"', b'"BP'):  # per-file and cross-file findings were made
        assert code in outputs["1"]


def test_the_pool_computes_each_distinct_file_once_and_the_findings_match_one_process(project, monkeypatch):
    calls = []
    real = pool.ordered_map
    monkeypatch.setattr(pool, "ordered_map", lambda function, items, *a, **k: calls.append(len(items)) or real(function, items, *a, **k))
    pooled = pipeline.check(["corpus"], Config(root=project, cache=False, jobs=2))
    serial = pipeline.check(["corpus"], Config(root=project, cache=False, jobs=1))
    files = len(articles(2 * pipeline.POOL_MIN_FILES))
    assert calls == [files - 1]  # the copy is not sent: its bytes are computed once
    assert [f.to_dict() for f in pooled.findings] == [f.to_dict() for f in serial.findings]
    assert pooled.paragraph_table.names == serial.paragraph_table.names
    for name in serial.paragraph_table.names:
        assert repr(pooled.paragraph_table[name]) == repr(serial.paragraph_table[name]), name


def test_cache_hits_are_not_sent_to_workers_and_a_few_files_start_no_pool(project, monkeypatch):
    sent = []
    real = pool.ordered_map
    monkeypatch.setattr(pool, "ordered_map", lambda function, items, *a, **k: sent.append(len(items)) or real(function, items, *a, **k))
    first = pipeline.check(["corpus"], Config(root=project, jobs=2))
    pipeline.open_cache(Config(root=project))  # the cache file is readable
    assert len(sent) == 1
    (project / "corpus" / "000.txt").write_text("A new first paragraph about the talks in Hanoi and Seoul, written today.\n")
    again = pipeline.check(["corpus"], Config(root=project, jobs=2))
    assert len(sent) == 1  # one changed file: computed here, every other one from the cache
    assert len(again.documents) == len(first.documents)


def test_a_one_file_run_imports_no_multiprocessing(project):
    probe = (
        "import sys\nfrom validators.cli import main\n"
        "try:\n    main(sys.argv[1:])\n"
        "except SystemExit:\n    print(sorted(m for m in sys.modules if m.startswith(('multiprocessing', 'concurrent'))))\n"
    )
    args = ["check", "--engine", "light", "--no-cache", "--jobs", "2", "corpus/004.txt"]
    result = subprocess.run([sys.executable, "-c", probe, *args], capture_output=True, text=True, cwd=project)
    assert result.stdout.strip().splitlines()[-1] == "[]", result.stdout + result.stderr


def failing_step(monkeypatch, failure):
    """The encoding step, failing with ``failure(doc)`` on ``005.txt`` (inherited by forked workers)."""
    discover()  # the families register their steps on first use
    encoding = FILE_STEPS["encoding"]

    def compute(doc, inputs, setup):
        if doc.path.endswith("005.txt"):
            failure(doc)
        return encoding.compute(doc, inputs, setup)

    monkeypatch.setitem(FILE_STEPS, "encoding", dataclasses.replace(encoding, compute=compute))


def refuse(doc):
    raise CorpusValidatorError(f"{doc.path}: cannot read: Input/output error")


def crash(doc):
    raise ZeroDivisionError("division by zero")


@pytest.mark.parametrize("jobs", ["1", "2"])
@pytest.mark.parametrize("failure, message", [
    (refuse, "corpus-validator: error: corpus/005.txt: cannot read: Input/output error\n"),
    (crash, "corpus-validator: error: internal error: ZeroDivisionError: division by zero (set CORPUS_VALIDATOR_DEBUG=1 for the traceback)\n"),
])  # fmt: skip
def test_an_error_in_a_worker_is_the_same_one_line_as_in_one_process(project, cli, monkeypatch, jobs, failure, message):
    failing_step(monkeypatch, failure)
    result = cli("check", "corpus", "--no-cache", "--jobs", jobs)
    assert result.exit_code == 2
    assert result.stderr == message


def test_a_worker_that_dies_stops_the_run_with_one_line(project, cli, monkeypatch):
    parent = os.getpid()

    def die(doc):
        if os.getpid() != parent:  # a worker: killed as the out-of-memory killer would
            os.kill(os.getpid(), signal.SIGKILL)

    failing_step(monkeypatch, die)
    result = cli("check", "corpus", "--no-cache", "--jobs", "2")
    assert result.exit_code == 2
    assert result.stderr.startswith("corpus-validator: error: a worker process stopped unexpectedly")
    assert result.stderr.count("\n") == 1


SLOW_RUN = """
import dataclasses, os, signal, sys, time
# Ctrl-C as at a terminal: a job started in the background (as CI may run the tests) inherits
# SIGINT ignored, and Python keeps an ignored SIGINT ignored.
signal.signal(signal.SIGINT, signal.default_int_handler)
from validators.cli import main
from validators.features.steps import FILE_STEPS, discover

discover()
encoding = FILE_STEPS["encoding"]
def compute(doc, inputs, setup):
    open(os.path.join(sys.argv[1], str(os.getpid())), "w").close()  # a worker says it is at work
    time.sleep(60)
    return encoding.compute(doc, inputs, setup)
FILE_STEPS["encoding"] = dataclasses.replace(encoding, compute=compute)
main(sys.argv[2:])
"""


def test_ctrl_c_stops_the_workers_and_says_interrupted_once(project, tmp_path):
    marks = tmp_path / "marks"
    marks.mkdir()
    args = ["check", "corpus", "--no-cache", "--jobs", "2"]
    run = subprocess.Popen([sys.executable, "-c", SLOW_RUN, str(marks), *args], cwd=project, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, text=True, start_new_session=True)  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while len(os.listdir(marks)) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        workers = [int(name) for name in os.listdir(marks)]
        assert len(workers) == 2, "the workers did not start"
        os.killpg(run.pid, signal.SIGINT)  # what Ctrl-C in a terminal does: the whole group
        _, stderr = run.communicate(timeout=30)
    finally:
        if run.poll() is None:
            os.killpg(run.pid, signal.SIGKILL)
            run.communicate()
    assert run.returncode == 130  # 128 + SIGINT: what a shell reports for Ctrl-C, apart from a usage error's 2
    assert stderr == "corpus-validator: error: interrupted\n"
    for worker in workers:
        assert not os.path.exists(f"/proc/{worker}") or open(f"/proc/{worker}/stat").read().split()[2] == "Z"


def test_jobs_in_the_config_and_on_the_command_line(project, cli):
    (project / "pyproject.toml").write_text('[tool.corpus-validator]\npaths = ["corpus"]\njobs = 1\n')
    from validators.config import load_config

    assert load_config().jobs == 1
    assert Config().jobs is None  # default: one per core
    assert pool.core_count() >= 1
    result = cli("check", "--jobs", "0")
    assert result.exit_code == 2 and "--jobs" in result.stderr



INTERRUPT_TURNED_INTO_AN_ERROR = """
import os, signal, sys
import validators.pipeline as pipeline
from validators.cli import main
from validators.errors import CorpusValidatorError

def check(*args, **kwargs):
    signal.signal(signal.SIGINT, lambda signum, frame: None)  # a library's own handler (PySpark's), raising nothing
    os.kill(os.getpid(), signal.SIGINT)
    if sys.argv[1] == "ours":
        raise CorpusValidatorError("cannot start Spark at local[*]: An error occurred while calling None.SparkSession")
    raise RuntimeError("An error occurred while calling o1003.toPythonIterator")

pipeline.check = check
main(["check", "--engine", "light", "--no-cache", "a.txt"])
"""


@pytest.mark.parametrize("error", ["ours", "a library's"])
def test_ctrl_c_that_a_library_turns_into_an_error_of_its_own_is_still_an_interrupt(tmp_path, error):
    """Ctrl-C during a Spark job came back as Py4J's error of the call it stopped ("internal
    error", exit 2), and while Spark started as "cannot start Spark": PySpark had replaced
    Python's SIGINT handler with its own."""
    (tmp_path / "a.txt").write_text("North Korea said on Monday it was not interested in more talks.\n")
    done = subprocess.run([sys.executable, "-c", INTERRUPT_TURNED_INTO_AN_ERROR, error.split("'")[0]], cwd=tmp_path,
                          capture_output=True, text=True, timeout=120)  # fmt: skip
    assert (done.returncode, done.stderr) == (130, "corpus-validator: error: interrupted\n")


def test_the_interrupt_watch_gives_the_signal_back_as_it_found_it():
    from validators.interrupts import Watch

    previous = signal.set_wakeup_fd(-1)
    signal.set_wakeup_fd(previous)
    with Watch() as watch:
        assert not watch.seen()
    assert signal.set_wakeup_fd(previous) == previous


CTRL_C_WHILE_IMPORTING = """
import builtins, sys
real_import = builtins.__import__

def importing(name, *args, **kwargs):
    if name == "click":  # the command line's first import of a library: Ctrl-C lands there
        raise KeyboardInterrupt
    return real_import(name, *args, **kwargs)

builtins.__import__ = importing
sys.argv = ["corpus-validator", "--version"]
from validators.launch import main
main()
"""


def test_ctrl_c_while_the_command_line_is_imported_is_one_line_and_exit_130():
    """A Ctrl-C in the first second of a cold start, while click and the package import,
    printed a traceback from inside an import."""
    done = subprocess.run([sys.executable, "-c", CTRL_C_WHILE_IMPORTING], capture_output=True, text=True, timeout=120)
    assert (done.returncode, done.stderr) == (130, "corpus-validator: error: interrupted\n")
    assert subprocess.run([sys.executable, "-m", "validators", "--version"], capture_output=True, text=True, timeout=120).returncode == 0


def test_the_name_step_runs_beside_the_other_corpus_steps_with_the_same_output(project, monkeypatch):
    """With two jobs or more, a full check works out the name mentions in a forked worker
    while the duplicate and noise steps run (``steps.aside``): the same report as one process."""
    from validators.features import steps

    monkeypatch.setattr(steps, "BACKGROUND_MIN_ROWS", 0)
    started = []
    start = pool.in_background
    monkeypatch.setattr(pool, "in_background", lambda function, argument: started.append(argument[1].name) or start(function, argument))
    config = Config(root=project, cache=False)
    alone = pipeline.check([project / "corpus"], dataclasses.replace(config, jobs=1))
    assert started == []
    beside = pipeline.check([project / "corpus"], dataclasses.replace(config, jobs=2))
    assert started == ["mentions"]
    assert beside.findings == alone.findings and any(f.family == "name" for f in beside.findings)
    assert beside.mention_table.to_pandas().equals(alone.mention_table.to_pandas())


def test_an_error_in_the_step_beside_the_others_is_raised_as_it_was(project, monkeypatch):
    from validators.features import steps

    monkeypatch.setattr(steps, "BACKGROUND_MIN_ROWS", 0)

    def broken(corpus, setup):
        raise CorpusValidatorError("names.toml: a broken lexicon")

    monkeypatch.setitem(steps.CORPUS_STEPS, "mentions", dataclasses.replace(steps.CORPUS_STEPS["mentions"], run=broken))
    with pytest.raises(CorpusValidatorError, match="a broken lexicon"):
        pipeline.check([project / "corpus"], Config(root=project, cache=False, jobs=2))


def test_only_a_step_that_reads_the_file_steps_and_adds_tables_runs_beside_the_others():
    from validators.features import steps

    assert [step.name for step in steps.aside(steps.corpus_steps())] == ["mentions"]
