"""Whether Ctrl-C came during the command: an interrupt that Py4J or PySpark turn into an error
of their own (a ``Py4JError`` from the call the driver was making, "cannot start Spark") is
still the user's interrupt, said as one and exited with 130.

The signal is noted below Python's handlers (``signal.set_wakeup_fd``: the interpreter writes
each signal's number to a pipe as it arrives), so it is seen whichever handler is in place
(PySpark replaces Python's with its own while its context starts) and before that handler
has run.
"""

from __future__ import annotations

import contextlib
import os
import signal

EXIT_INTERRUPTED = 130  # 128 + SIGINT, as shells report a command stopped by Ctrl-C


class Watch:
    """While inside, SIGINT is noted; ``seen()`` says whether it came."""

    def __init__(self) -> None:
        self._pipe: tuple[int, int] | None = None
        self._previous = -1
        self._seen = False

    def __enter__(self) -> Watch:
        try:
            read, write = os.pipe()
        except OSError:
            return self
        for end in (read, write):
            os.set_blocking(end, False)
        try:
            self._previous = signal.set_wakeup_fd(write, warn_on_full_buffer=False)
        except ValueError:  # not the main thread, where signals are handled
            os.close(read)
            os.close(write)
            return self
        self._pipe = (read, write)
        return self

    def seen(self) -> bool:
        if self._pipe is not None and not self._seen:
            with contextlib.suppress(BlockingIOError, OSError):
                while chunk := os.read(self._pipe[0], 512):
                    self._seen = self._seen or signal.SIGINT in chunk
        return self._seen

    def __exit__(self, *exc) -> None:
        if self._pipe is None:
            return
        with contextlib.suppress(ValueError):
            signal.set_wakeup_fd(self._previous)
        for end in self._pipe:
            os.close(end)
        self._pipe = None
