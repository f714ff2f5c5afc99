"""The ``corpus-validator`` command's first step: Ctrl-C while the command line is still being
imported (a second or so of a cold start) ends it with one line and exit 130, as it does once
the command runs (``cli.handle_errors``), not with a traceback from inside an import."""

from __future__ import annotations

import sys


def main() -> None:
    try:
        from .cli import entry
    except KeyboardInterrupt:
        # Imported here, not above: this module's own import is outside the ``try``.
        from .interrupts import EXIT_INTERRUPTED

        sys.stderr.write("corpus-validator: error: interrupted\n")
        sys.exit(EXIT_INTERRUPTED)
    entry()
