"""Per-file features, kept between runs and keyed by the file's content.

A pre-commit run checks one changed file, but cross-file rules need the whole corpus:
the unchanged files' paragraphs, encoding features, name candidates and lower-case
words come from here instead of being computed again. An entry is keyed by the exact
bytes it was computed from (SHA-256) and holds one section per feature step
(``features/steps.py``); the file's header records each step's key (its version, the
``expectations/`` files and settings it reads, its libraries' versions). A section whose
step's key changed is dropped when the file is read, and only that step runs again; the
others are reused. Another tool or Python version starts afresh.

The cache is one file in ``.corpus-validator-cache/`` at the project root (a folder
with a ``.gitignore`` of its own): a header, then records of entries. A record is a pickle
whose large NumPy arrays (MinHash signatures, the noise model's line features: nine tenths
of the file) lie after it, out of band (pickle protocol 5), each aligned to 64 bytes; on
load the file is mapped into memory and those arrays are views of it, not copies: a run
allocates none of them and reads only those it needs (a pre-commit run: the other files'
line keys and signatures, not their line features). A run that computed a few new entries
appends one record each (a pre-commit run computes one, and rewriting the whole file would
cost more than the rest of the run). What one run
read never decides what is kept (a hook run reads one file of the corpus): stale
entries go by total size. When an append would take the file past ``max_bytes``
(``cache-size`` in ``[tool.corpus-validator]``, in MB), the file is rewritten,
atomically, with every entry that run used and then the most recently written others,
newest first, up to three quarters of the limit, so the next runs append again; but only

- when the rewrite would drop at least a quarter of the file: a corpus whose own features
  pass the limit (every entry used by every hook run) is appended to, not written whole
  again on every run;
- and, for a run that used less than half of the file (``check FILE``), only once the
  file has passed twice the limit: a run that read a few files does not drop the entries
  of the rest of the corpus, which the next hook run would compute again.

A record cut short (a run killed while appending) ends what is read, and the next save
rewrites the file.
Like any build cache it is a local, private file. Its pickles may name NumPy's array
types and nothing else (``_ALLOWED_GLOBALS``): a file that names anything more is treated as
damaged, so a cache that came with a checked-out corpus cannot run code.

A pre-commit run (``check --with-corpus FILE``) reads every file of the corpus and takes
their sections from here; the corpus steps then work only on what the checked files'
values depend on (``Corpus.reported``; off when an expectation weighs every row, with
``mostly``). What each corpus step reads of the other files, and what it still does over
the whole corpus:

- duplicates (``features/duplicate.py``): exact copies are a group-by over every
  paragraph's digest, and each row's key and copies are made for the rows whose digest a
  checked row has (a DU001 finding counts every copy), the others left out; the near-copy search runs
  on the rows that share a MinHash band value with a checked row (``sharing_a_band_in``,
  which reads each file's signatures where they lie: those rows make up the checked rows'
  band groups, in the same order, so the windowed candidates and the earliest similar row
  are those of a full run); shared passages are
  worked out over the passages whose text a checked row has, and placed for the checked rows only; whole files are compared over every file, from each
  file's signature, taken once per content (copies share it);
- template text (``features/noise.py``): the other files' lines reduced to those whose text
  a checked file has (``pipeline.narrowed_template_lines``); a file's copies, exact or near,
  count once, so the whole-file comparison above runs over every file;
- name mentions (``features/name.py``): worked out over one copy of each content (the
  corpus's vocabulary and spellings decide a checked file's names, and a name finding counts
  every place of the spelling it suggests), then repeated for the copies; in a large corpus,
  over the candidates that may bear on the checked files, each unpickled from its paragraph's
  own bytes (``steps.PackedRows``), the others never.

Copies of one content unpack their sections once (``pipeline._file_stage``). The paragraph
table of such a run joins each file's columns where they lie (``frame.Joined``), and a cached
file's paragraphs are cut from its text only when read (``frame.Slices``): the rows of the
files not checked cost a few objects a file, not a value a row, and a corpus step's column
holds the checked files' values (``frame.Sparse``). An unchanged file is not even read: the
file index (``file_index.py``) knows its content by its identity, and its text is read when
a step needs it. So a hook run still grows with the corpus: loading every file's record,
the exact-copy sort over every digest, the whole-file comparison and the corpus's word sets
remain; keeping those as indexes updated per changed file is the next step
(``bench/hook.py --pages``).
"""

from __future__ import annotations

import hashlib
import io
import mmap
import os
import pickle
import struct
import sys
from pathlib import Path
from collections.abc import Iterator
from typing import Any

from . import __version__
from .atomic import remove_stale_temporaries, write_atomic

FOLDER = ".corpus-validator-cache"
FILE = "features.pickle"

#: The file's layout: a header pickle, then framed records (``_framed``). Another layout is
#: another cache: it starts afresh.
LAYOUT = 2
#: A record's frame: the length of its pickle and the number of its out-of-band buffers (whose
#: lengths follow, one ``<Q`` each), then the pickle, then each buffer, each part padded to ``ALIGN``.
_FRAME = struct.Struct("<QQ")
ALIGN = 64
#: Arrays of at least this many bytes go out of band; smaller ones stay in the pickle. Most of
#: a file's arrays are small (its digests, passages, positions, name keys): copied out of the
#: pickle, they took 95 MB of a run's own memory in a cache of 10,000 page dumps.
OUT_OF_BAND = 256


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


#: The cache file's default size limit (``cache-size``): about eight times the text of the
#: corpus it holds (10,000 page dumps, 117 MB of text, take 980 MB), so a corpus of 20,000
#: such pages keeps every file's features.
MAX_BYTES = 2048 * 1024 * 1024

#: A rewrite keeps this share of the limit, so that the runs after it append, not rewrite.
KEPT_SHARE = 0.75

#: The least share of the file a rewrite must drop: less is not worth writing the file whole.
DROPPED_SHARE = 0.25

#: A run that used less than this share of the file (a few files checked) drops nothing until
#: the file has passed ``PARTIAL_LIMIT`` times the limit.
CORPUS_SHARE = 0.5
PARTIAL_LIMIT = 2


#: The cache folders this process read entries from: an error no one foresaw names them (damage
#: inside a record is not detected: no record carries a checksum).
READ_FROM: list[Path] = []


class FeatureCache:
    def __init__(self, folder: Path | None, sections: dict[str, str] | None = None, max_bytes: int = MAX_BYTES):
        """``sections``: each feature step's key (``steps.step_keys``); an entry is a dict of
        sections by step name."""
        self.folder = folder
        self.max_bytes = max_bytes
        self.size = 0  # bytes of the file as read
        self.key = digest("\0".join((__version__, sys.version, str(LAYOUT))).encode())
        self.sections = dict(sections or {})
        self.entries: dict[str, dict] = {}
        self.sizes: dict[str, int] = {}  # bytes of each entry's record in the file
        self.added: dict[str, dict] = {}
        self.used: set[str] = set()
        self.intact = False  # the file holds this key's header and only whole records
        if folder is not None:
            self._load()

    def _load(self) -> None:
        stale: set[str] = set()
        try:
            with open(self.folder / FILE, "rb") as handle:
                self.size = os.fstat(handle.fileno()).st_size
                header = _Unpickler(handle).load()
                if not isinstance(header, dict) or header.get("key") != self.key or not isinstance(header.get("sections"), dict):
                    return  # another tool or Python version, or another layout: start afresh
                before = header["sections"]
                stale = {name for name in {*before, *self.sections} if before.get(name) != self.sections.get(name)}
                start = _aligned(handle.tell())
                mapped = _mapped(handle) if self.size > start else b""
            cut_short = self._read_records(memoryview(mapped), start)
        except FileNotFoundError:
            return
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ValueError, TypeError, ImportError, struct.error):
            pass  # unreadable, or a record cut short: keep what was read, rewrite on save
        else:
            self.intact = not stale and not cut_short
        if stale:  # a step changed: its sections go, the others' stay (written again on save)
            self.entries = {k: {n: v for n, v in e.items() if n not in stale} for k, e in self.entries.items()}
        if self.entries:
            READ_FROM.append(self.folder)

    def _read_records(self, view: memoryview, at: int) -> bool:
        """Read the records from ``at`` on; whether the last one was cut short."""
        size = len(view)
        while at < size:
            if at + _FRAME.size > size:
                return True
            length, count = _FRAME.unpack_from(view, at)
            lengths_at = at + _FRAME.size
            if lengths_at + 8 * count > size:
                return True
            lengths = struct.unpack_from(f"<{count}Q", view, lengths_at)
            pickled_at = _aligned(lengths_at + 8 * count)
            buffers, end = [], _aligned(pickled_at + length)
            for n in lengths:
                buffers.append(view[end : end + n])
                end = _aligned(end + n)
            if end > size:
                return True
            record = _load(view[pickled_at : pickled_at + length], buffers)
            share = (end - at) // max(1, len(record))
            self.entries.update(record)
            self.sizes.update(dict.fromkeys(record, share))
            at = end
        return False

    def get(self, content: str) -> dict | None:
        entry = self.entries.get(content)
        if entry is not None:
            self.used.add(content)
        return entry

    def put(self, content: str, entry: dict) -> None:
        self.entries[content] = entry
        self.added[content] = entry
        self.used.add(content)

    def release(self) -> None:
        """Let go of the packed entries when there is nowhere to save them (no folder): once a
        run's table is made of them, they are only memory."""
        if self.folder is None:
            self.entries.clear()
            self.added.clear()

    def save(self) -> None:
        """Append what this run computed; rewrite the file when it was damaged or would pass
        its size limit (keeping what this run used, then the newest others)."""
        if self.folder is None:
            return
        if self.intact and not self.added:
            return
        records = {content: _framed({content: entry}) for content, entry in self.added.items()}
        self.sizes.update((content, len(r)) for content, r in records.items())
        rewrite = not self.intact or self._worth_rewriting(self.size + sum(map(len, records.values())))
        try:
            self.folder.mkdir(exist_ok=True)
            # The folder's files are ours: a link in their place (a checked-out corpus can carry
            # one) is replaced, never written through to what it points at.
            for own in (self.folder / FILE, self.folder / ".gitignore"):
                if own.is_symlink():
                    own.unlink()
                    rewrite = rewrite or own.name == FILE
            remove_stale_temporaries([self.folder / FILE])  # a run killed while writing it left one
            ignore = self.folder / ".gitignore"
            if not ignore.exists():
                ignore.write_text("# Made by corpus-validator: a cache, never committed.\n*\n")
            if rewrite:
                header = pickle.dumps({"key": self.key, "sections": self.sections}, protocol=5)
                header += bytes(_aligned(len(header)) - len(header))

                def write(temporary: str) -> None:  # a record at a time: never the whole file in memory
                    with open(temporary, "wb") as handle:
                        handle.write(header)
                        for record in self._kept_records(records):
                            handle.write(record)

                write_atomic(self.folder / FILE, write)
            else:
                with open(self.folder / FILE, "ab") as handle:
                    handle.writelines(records.values())
        except (OSError, Exception) as exc:  # a cache that cannot be written only costs time
            if os.environ.get("CORPUS_VALIDATOR_DEBUG"):
                raise
            del exc

    def _worth_rewriting(self, size: int) -> bool:
        """Whether a file of ``size`` bytes, once appended to, is to be rewritten: past its
        limit (twice its limit for a run that used less than half of it), and only if the
        rewrite drops at least ``DROPPED_SHARE`` of it."""
        if size <= self.max_bytes:
            return False
        used = sum(self.sizes.get(content, 0) for content in self.used)
        if used < CORPUS_SHARE * size and size <= PARTIAL_LIMIT * self.max_bytes:
            return False
        kept = used + sum(self.sizes.get(content, 0) for content in self._kept_others(used))
        return size - kept >= DROPPED_SHARE * size

    def _kept_others(self, used: int) -> list[str]:
        """The entries this run did not use that a rewrite keeps, oldest first: the newest
        that fit in ``KEPT_SHARE`` of the limit beside the ``used`` bytes of those it did (the
        file and this run's additions are in write order)."""
        room, kept = self.max_bytes * KEPT_SHARE - used, []
        for content in reversed([k for k in self.entries if k not in self.used]):
            room -= self.sizes.get(content, 0)
            if room < 0:
                break
            kept.append(content)
        return kept[::-1]

    def _kept_records(self, records: dict[str, bytes]) -> Iterator[bytes]:
        """One record per kept entry, in the order written (``records``: this run's additions,
        already pickled): the others ``_kept_others`` keeps, then every one this run used (all
        of them: a cache smaller than what one run reads would never hit). Each entry read
        from the file is pickled again as it is written."""
        used = [k for k in self.entries if k in self.used]
        for content in [*self._kept_others(sum(self.sizes.get(k, 0) for k in used)), *used]:
            yield records.get(content) or _framed({content: self.entries[content]})


def _mapped(handle) -> mmap.mmap | bytearray:
    """The whole file as a private mapping: the arrays loaded are views of it, paged in as they
    are read, and writable (a write copies its page) as arrays unpickled in full are. Where the
    file cannot be mapped (a file system without mmap), its bytes read into memory."""
    try:
        return mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_COPY)
    except (OSError, ValueError):
        handle.seek(0)
        return bytearray(handle.read())


#: The only globals a cache file names: NumPy's arrays and their types. Anything else (a
#: callable that runs a command when loaded) means the file was not written by this tool:
#: loading it fails as a damaged file does, and the cache starts afresh. A corpus checked out
#: with a crafted cache in it cannot run code.
_ALLOWED_GLOBALS = frozenset({
    ("numpy", "dtype"), ("numpy", "ndarray"),
    ("numpy._core.numeric", "_frombuffer"), ("numpy.core.numeric", "_frombuffer"),
    ("numpy._core.multiarray", "_reconstruct"), ("numpy.core.multiarray", "_reconstruct"),
    ("numpy._core.multiarray", "scalar"), ("numpy.core.multiarray", "scalar"),
    ("builtins", "set"), ("builtins", "frozenset"), ("builtins", "bytearray"),
})  # fmt: skip


class _Unpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str):
        if (module, name) not in _ALLOWED_GLOBALS:
            raise pickle.UnpicklingError(f"{module}.{name} is not something the feature cache holds")
        return super().find_class(module, name)


class PlainValues(pickle.Unpickler):
    """Unpickles plain values only (dicts, sets, tuples, lists, strings, numbers): the cache
    folder's other files, and ``steps.PackedRows``, are read as data, never as code."""

    def find_class(self, module: str, name: str):
        raise pickle.UnpicklingError(f"{module}.{name} is not a plain value")


def read_plain(path: Path, layout: int) -> Any:
    """What ``write_plain`` wrote at ``path`` in this ``layout``; None where there is nothing,
    another layout, or a file that cannot be read or names anything but plain values (a
    checked-out corpus could carry one): the caller starts afresh."""
    try:
        with open(path, "rb") as handle:
            stored = PlainValues(handle).load()
    except (OSError, pickle.UnpicklingError, EOFError, ValueError, TypeError, AttributeError, IndexError):
        return None
    if not isinstance(stored, dict) or stored.get("layout") != layout:
        return None
    return stored.get("value")


def write_plain(path: Path, layout: int, value: Any) -> None:
    """``value`` (plain values only) written atomically at ``path``, in its folder (made if need
    be), for ``read_plain``; a file that cannot be written only costs the next run time."""
    try:
        path.parent.mkdir(exist_ok=True)
        write_atomic(path, pickle.dumps({"layout": layout, "value": value}, protocol=5))
    except OSError:
        pass


def _load(pickled: memoryview, buffers: list) -> Any:
    return _Unpickler(io.BytesIO(pickled), buffers=buffers).load()


def _aligned(offset: int) -> int:
    return -(-offset // ALIGN) * ALIGN


def _framed(record: dict) -> bytes:
    """``record`` pickled, with its large buffers out of band: the frame (``_FRAME``, then each
    buffer's length), the pickle, each buffer; each part padded to ``ALIGN`` bytes."""
    buffers: list[memoryview] = []

    def out_of_band(buffer: pickle.PickleBuffer) -> bool:
        raw = buffer.raw()
        if raw.nbytes < OUT_OF_BAND:
            return True  # in the pickle
        buffers.append(raw)
        return False

    pickled = pickle.dumps(record, protocol=5, buffer_callback=out_of_band)
    head = _FRAME.pack(len(pickled), len(buffers)) + struct.pack(f"<{len(buffers)}Q", *(b.nbytes for b in buffers))
    parts = [head, bytes(_aligned(len(head)) - len(head)), pickled, bytes(_aligned(len(pickled)) - len(pickled))]
    for raw in buffers:
        parts += [raw, bytes(_aligned(raw.nbytes) - raw.nbytes)]
    return b"".join(parts)
