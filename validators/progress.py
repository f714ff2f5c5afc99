"""A progress bar on stderr, for runs that take more than about a second, in a terminal only.

The stages call ``track`` around their loops (files read, features, evaluation); it
hands the iterable back untouched unless a command switched the bar on with ``shown``
and stderr is a terminal outside CI. The bar (tqdm's) appears only once the run has
lasted ``DELAY`` seconds, and clears its line when a stage ends, so nothing of it is left
between the report's lines.
"""

from __future__ import annotations

import contextlib
import os
import sys
import time

#: Seconds a run lasts before a bar is drawn.
DELAY = 1.0

_run: dict | None = None  # the stream and the start of the run, while a bar may be shown


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def wanted(stream) -> bool:
    """A bar only where a person watches: a terminal, not a CI log, not a dumb terminal."""
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty()) and not in_ci() and os.environ.get("TERM") != "dumb"


@contextlib.contextmanager
def shown(enabled: bool = True, stream=None):
    """While inside, ``track`` draws on ``stream`` (default stderr) if it is a terminal."""
    global _run
    stream = stream or sys.stderr
    previous = _run
    _run = {"stream": stream, "start": time.monotonic()} if enabled and wanted(stream) else None
    try:
        yield
    finally:
        _run = previous


def track(iterable, stage: str, unit: str = "files", total: int | None = None):
    """``iterable``, with a bar for ``stage`` when one is wanted."""
    if _run is None:
        return iterable
    from tqdm import tqdm

    waited = time.monotonic() - _run["start"]
    stream = _run["stream"]
    try:
        known_width = os.get_terminal_size(stream.fileno()).columns > 0
    except (AttributeError, OSError, ValueError):
        known_width = False
    return tqdm(
        iterable,
        desc=stage,
        unit=unit,
        total=total,
        file=stream,
        delay=max(0.0, DELAY - waited),
        leave=False,
        # follow the terminal's width; a terminal that reports none (0 columns) gets 80
        dynamic_ncols=known_width,
        ncols=None if known_width else 80,
        mininterval=0.1,
    )
