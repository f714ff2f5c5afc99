"""What the runs have read of each corpus file: its identity, and the digest of its bytes.

A pre-commit run checks one file against the whole corpus, whose features the feature cache
keeps by content (``cache.py``). Reading and hashing every other file only to find its cache
entry took a sixth of such a run in 10,000 page dumps (117 MB read, decoded and hashed), and
their text held a third of its memory. This index, a file in the cache folder, maps each file
read by a run to its identity when read (``ingest.file_identity``: device, inode, size,
modification and change times) and what reading it gave: the SHA-256 of its bytes, whether
it was empty or binary (and where its first NUL byte is), and whether it starts with a byte
order mark. A run that reports on some files (``check --with-corpus``) takes each other file
whose identity is unchanged as an ``ingest.UnreadDocument``: its features come from the
cache, and its bytes are read only if a step or a finding needs its text (a copy named by a
finding, a file whose features the cache lacks), and then checked against the digest.

A write to a file changes its change time, which no program can set back, so an unchanged
identity means unchanged bytes; as for git's index, a file changed within a moment of being
read could keep its times, so a file is noted only once its change time is ``SETTLED`` in
the past. Files a run did not list stay in the index while they exist: a partial run
(``check FILE``) drops nothing of the corpus's.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from .cache import read_plain, write_plain
from .ingest import Document, UnreadDocument, file_identity, read_listed

FILE = "files.pickle"
#: The index's layout; another is read as no index.
LAYOUT = 1
#: Nanoseconds a file's change time must lie in the past for its identity to be trusted: a
#: write in the same tick of the file system's clock as the read would keep its times.
SETTLED = 2_000_000_000


class FileIndex:
    def __init__(self, folder: Path | None):
        self.folder = folder
        # path as opened -> (identity, content digest, problem, bom, NUL offset)
        self.files: dict[str, tuple] = {}
        self.changed = False
        self.opened: list[str] = []  # the paths of the documents ``read`` gave, as opened
        stored = None if folder is None else read_plain(folder / FILE, LAYOUT)
        if isinstance(stored, dict):  # else none yet, or unreadable: every file is read
            self.files = stored

    def read(self, files: list[tuple[str, str, str | None]], report_paths: set[str] | None = None) -> list[Document]:
        """Each file of ``ingest.listing``, read; where ``report_paths`` is given (a run that
        reports on those files), each other file whose identity the index knows unchanged as
        an ``UnreadDocument``."""
        self.opened = [path for _, path, _ in files]

        def unread(doc_id: int, shown: str, path: str) -> Document | None:
            return None if shown in report_paths else self.unread(doc_id, shown, path)

        return read_listed(files, unread if report_paths is not None else None)

    def unread(self, doc_id: int, shown: str, path: str) -> Document | None:
        """The file as an ``UnreadDocument`` where the index knows its identity, else None."""
        known = self.files.get(path)
        if known is None:
            return None
        try:
            identity = file_identity(os.stat(path))
        except OSError:
            return None  # read as usual, which says what is wrong
        if identity != known[0]:
            return None
        _, content, problem, bom, nul_offset = known
        return UnreadDocument(shown, doc_id, path, content, problem, bom, nul_offset)

    def note(self, documents: list[Document]) -> None:
        """What this run read of each document ``read`` gave (their content digests worked out)."""
        settled = time.time_ns() - SETTLED
        for doc, path in zip(documents, self.opened, strict=True):
            if doc.identity is None or doc.content is None or doc.identity[4] > settled:
                continue
            entry = (doc.identity, doc.content, doc.problem, doc.bom, doc.nul_offset)
            if self.files.get(path) != entry:
                self.files[path] = entry
                self.changed = True

    def save(self) -> None:
        """Write the index if this run noted anything new, without the files that no longer exist."""
        if self.folder is None or not self.changed:
            return
        write_plain(self.folder / FILE, LAYOUT, {path: entry for path, entry in self.files.items() if os.path.exists(path)})
