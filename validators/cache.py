"""Per-file features, kept between runs and keyed by the file's content.

A pre-commit run checks one changed file, but cross-file rules need the whole corpus:
the unchanged files' paragraphs, encoding features, name candidates and lower-case
words come from here instead of being computed again. An entry is valid for the
exact bytes it was computed from (SHA-256), under the same tool version and the same
``expectations/`` data that shape per-file features; anything else recomputes.

The cache is one pickle file in ``.corpus-validator-cache/`` at the project root (a
folder with a ``.gitignore`` of its own; pickle loads it three times faster than
marshal, as it stores repeated strings once). Like any build cache it is a local,
private file: do not load one you did not make.
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


class FeatureCache:
    def __init__(self, folder: Path | None, *shaping: str):
        """``shaping``: the texts (expectation files) per-file features depend on."""
        self.folder = folder
        self.key = digest("\0".join((__version__, sys.version, *shaping)).encode())
        self.entries: dict[str, dict] = {}
        self.used: set[str] = set()
        self.changed = False
        if folder is not None:
            self._load()

    def _load(self) -> None:
        try:
            with open(self.folder / FILE, "rb") as handle:
                stored = pickle.load(handle)
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ValueError, TypeError, ImportError):
            return  # no cache, or one from another version: start afresh
        if isinstance(stored, dict) and stored.get("key") == self.key:
            self.entries = stored.get("entries", {})

    def get(self, content: str) -> dict | None:
        entry = self.entries.get(content)
        if entry is not None:
            self.used.add(content)
        return entry

    def put(self, content: str, entry: dict) -> None:
        self.entries[content] = entry
        self.used.add(content)
        self.changed = True

    def save(self) -> None:
        """Write what this run used (entries of files that are gone are dropped)."""
        if self.folder is None or not (self.changed or self.used != set(self.entries)):
            return
        try:
            self.folder.mkdir(exist_ok=True)
            ignore = self.folder / ".gitignore"
            if not ignore.exists():
                ignore.write_text("# Made by corpus-validator: a cache, never committed.\n*\n")
            kept = {k: v for k, v in self.entries.items() if k in self.used}
            write_atomic(self.folder / FILE, pickle.dumps({"key": self.key, "entries": kept}, protocol=5))
        except (OSError, Exception) as exc:  # a cache that cannot be written only costs time
            if os.environ.get("CORPUS_VALIDATOR_DEBUG"):
                raise
            del exc
