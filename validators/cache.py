"""Per-file features, kept between runs and keyed by the file's content.

A pre-commit run checks one changed file, but cross-file rules need the whole corpus:
the unchanged files' paragraphs, encoding features, name candidates and lower-case
words come from here instead of being computed again. An entry is valid for the
exact bytes it was computed from (SHA-256), under the same tool version and the same
``expectations/`` data that shape per-file features; anything else recomputes.

The cache is one file in ``.corpus-validator-cache/`` at the project root (a folder
with a ``.gitignore`` of its own): a header, then records of entries, each pickled. A
run that computed a few new entries appends one record (a pre-commit run computes one,
and rewriting the whole file would cost more than the rest of the run); the file is
rewritten, atomically, with only the entries that run used, when entries of files
that are gone or changed make up more than a tenth of it. A record cut short (a run
killed while appending) ends what is read, and the next save rewrites the file.
Like any build cache it is a local, private file: do not load one you did not make.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import sys
from pathlib import Path

from . import __version__
from .atomic import write_atomic

FOLDER = ".corpus-validator-cache"
FILE = "features.pickle"


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


#: Entries no run of this project used any more (files gone or changed) that may stay in
#: the file before a save rewrites it: at least this many, or a tenth of the live ones.
STALE_ALLOWED = 16


class FeatureCache:
    def __init__(self, folder: Path | None, *shaping: str):
        """``shaping``: the texts (expectation files) per-file features depend on."""
        self.folder = folder
        self.key = digest("\0".join((__version__, sys.version, *shaping)).encode())
        self.entries: dict[str, dict] = {}
        self.added: dict[str, dict] = {}
        self.used: set[str] = set()
        self.intact = False  # the file holds this key's header and only whole records
        if folder is not None:
            self._load()

    def _load(self) -> None:
        try:
            with open(self.folder / FILE, "rb") as handle:
                if pickle.load(handle) != {"key": self.key}:
                    return  # another version or other expectations: start afresh
                while handle.peek(1):
                    self.entries.update(pickle.load(handle))
        except FileNotFoundError:
            return
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ValueError, TypeError, ImportError):
            return  # unreadable, or a record cut short: keep what was read, rewrite on save
        self.intact = True

    def get(self, content: str) -> dict | None:
        entry = self.entries.get(content)
        if entry is not None:
            self.used.add(content)
        return entry

    def put(self, content: str, entry: dict) -> None:
        self.entries[content] = entry
        self.added[content] = entry
        self.used.add(content)

    def save(self) -> None:
        """Append what this run computed, or rewrite the file with what this run used."""
        if self.folder is None:
            return
        stale = len(self.entries) - len(self.used)
        rewrite = not self.intact or stale > max(STALE_ALLOWED, len(self.used) // 10)
        if not rewrite and not self.added:
            return
        try:
            self.folder.mkdir(exist_ok=True)
            ignore = self.folder / ".gitignore"
            if not ignore.exists():
                ignore.write_text("# Made by corpus-validator: a cache, never committed.\n*\n")
            if rewrite:
                kept = {k: v for k, v in self.entries.items() if k in self.used}
                header = pickle.dumps({"key": self.key}, protocol=5)
                write_atomic(self.folder / FILE, header + pickle.dumps(kept, protocol=5))
            else:
                with open(self.folder / FILE, "ab") as handle:
                    handle.write(pickle.dumps(self.added, protocol=5))
        except (OSError, Exception) as exc:  # a cache that cannot be written only costs time
            if os.environ.get("CORPUS_VALIDATOR_DEBUG"):
                raise
            del exc
