"""Work spread over processes, results in the order given: ``--jobs N``.

``ordered_map(function, items, jobs, setup, argument)`` calls ``function(item)`` for each
item in ``jobs`` worker processes (each runs ``setup(argument)`` once first) and returns the
results in the order of ``items``, whatever order the workers finish in, so a run's output
does not depend on N. The workers are forked where the platform can (they inherit what the
parent prepared instead of unpickling it), spawned elsewhere.

An exception a worker raises is raised here as it was (our errors keep their one-line
message). A worker that dies (killed, out of memory) stops the run with an error, never a
hang. Workers ignore Ctrl-C, which reaches the whole process group: the parent stops them,
says "interrupted" once and exits at once (``cli._interrupted``); on Linux each worker also
dies with its parent, so a parent killed outright leaves no orphans.

``multiprocessing`` is imported only when a pool is started: a one-file run never pays for it.
"""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Callable, Sequence
from typing import Any

from .errors import CorpusValidatorError


_started: list[bool] = []  # a pool has been started in this process


def workers_started() -> bool:
    """Whether this process started worker processes (``ordered_map``)."""
    return bool(_started)


def core_count() -> int:
    """The cores this process may run on (its CPU affinity where the platform says it)."""
    if hasattr(os, "process_cpu_count"):  # Python 3.13+
        return os.process_cpu_count() or 1
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0)) or 1
    return os.cpu_count() or 1


def _die_with_parent() -> None:
    """Linux: this process gets SIGKILL when its parent ends (``prctl(PR_SET_PDEATHSIG)``)."""
    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # no libc to ask: the parent still stops its workers
        pass


def _start_worker(setup: Callable[[Any], None] | None, argument: Any) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C and stops the workers
    _die_with_parent()
    if setup is not None:
        setup(argument)


def _call_chunk(function: Callable[[Any], Any], chunk: list) -> list:
    return [function(item) for item in chunk]


def ordered_map(
    function: Callable[[Any], Any],
    items: Sequence,
    jobs: int,
    setup: Callable[[Any], None] | None = None,
    argument: Any = None,
    chunks_per_worker: int = 16,
) -> list:
    """``[function(item) for item in items]``, computed by ``jobs`` worker processes (at most
    one per item), each having run ``setup(argument)`` first; ``function`` and ``setup`` must be
    module-level functions. The items go in ``chunks_per_worker`` chunks per worker, in order
    (fewer, larger messages; enough of them that a worker with long items does not hold the
    others up)."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    workers = max(1, min(jobs, len(items)))
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
    size = max(1, -(-len(items) // (workers * chunks_per_worker)))
    chunks = [list(items[start : start + size]) for start in range(0, len(items), size)]
    executor = ProcessPoolExecutor(workers, mp_context=context, initializer=_start_worker, initargs=(setup, argument))
    _started[:] = [True]
    finished = False
    try:
        futures = [executor.submit(_call_chunk, function, chunk) for chunk in chunks]
        results = [result for future in futures for result in future.result()]
        finished = True
        return results
    except BrokenProcessPool:
        raise CorpusValidatorError(
            "a worker process stopped unexpectedly (out of memory?); try fewer --jobs, or --jobs 1"
        ) from None
    finally:
        if finished:
            executor.shutdown(wait=True)
        else:  # an error or Ctrl-C: stop the workers now, leaving none behind
            _stop(executor)


_background_argument: list = []  # in a background worker: what it was started with


def _run_in_background(function: Callable[[Any], Any]) -> Any:
    return function(_background_argument[0])


class Background:
    """``function(argument)`` computed in a forked worker process while this one goes on
    (``in_background``); ``result()`` waits for it and gives its value, or raises its error as it
    was. ``stop()`` ends it early (this process's own error or Ctrl-C)."""

    def __init__(self, function: Callable[[Any], Any], argument: Any):
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        # Forked: the worker inherits ``argument`` (a corpus) instead of receiving it pickled.
        self._executor = ProcessPoolExecutor(
            1, mp_context=multiprocessing.get_context("fork"), initializer=_start_worker,
            initargs=(_background_argument.append, argument),
        )  # fmt: skip
        _started[:] = [True]
        self._future = self._executor.submit(_run_in_background, function)

    def result(self) -> Any:
        from concurrent.futures.process import BrokenProcessPool

        try:
            value = self._future.result()
        except BrokenProcessPool:
            self.stop()
            raise CorpusValidatorError("a worker process stopped unexpectedly (out of memory?); try --jobs 1") from None
        except BaseException:
            self.stop()
            raise
        self._executor.shutdown(wait=True)
        return value

    def stop(self) -> None:
        _stop(self._executor)


def in_background(function: Callable[[Any], Any], argument: Any) -> Background | None:
    """``function(argument)`` started in a forked worker (a module-level ``function``; its value
    comes back pickled), or None where processes cannot be forked: there the caller computes it
    itself, as a spawned worker would receive ``argument`` pickled whole."""
    import multiprocessing

    if "fork" not in multiprocessing.get_all_start_methods():
        return None
    return Background(function, argument)


def _stop(executor) -> None:
    processes = list((getattr(executor, "_processes", None) or {}).values())
    for process in processes:  # first, so that nothing below waits on a worker still at work
        if process.is_alive():
            process.terminate()
    executor.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        process.join(timeout=5)
        if process.is_alive():
            process.kill()
            process.join()
