"""Find the corpus files and read them as text without ever failing on their bytes.

Bytes that are not UTF-8 are kept as lone surrogates (Python's ``surrogateescape``),
so the text still encodes back to the file's exact bytes and every later stage can
point at the bad byte instead of stopping.
"""

from __future__ import annotations

import codecs
import errno
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from .errors import CorpusValidatorError
from .progress import track

CORPUS_SUFFIX = ".txt"
BOM = codecs.BOM_UTF8
#: Lone surrogates that ``surrogateescape`` uses for the bytes 0x80-0xFF it cannot decode.
ESCAPED_BYTES = re.compile("[\udc80-\udcff]+")
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")
REPLACEMENT = "\ufffd"


def printable(text: str) -> str:
    """``text`` with each lone surrogate (an undecodable byte) as U+FFFD: for what must be
    valid Unicode (messages, exports, ftfy's input); the encoding family reports the bytes."""
    return _LONE_SURROGATE.sub(REPLACEMENT, text)


@dataclass(slots=True)
class Document:
    path: str  # as shown to the user, with forward slashes
    doc_id: int
    data: bytes
    text: str = ""  # decoded, BOM removed; undecodable bytes as lone surrogates
    bom: bool = False
    problem: str | None = None  # why the file has no text to check ("empty", "binary")
    nul_offset: int | None = None
    undecodable: list[tuple[int, int, bytes]] = field(default_factory=list)
    # ^ (character offset in text, byte offset in file, the bytes) per undecodable run
    content: str | None = None  # the SHA-256 of ``data`` (``cache.digest``), once worked out
    identity: tuple | None = None  # the file's ``file_identity`` when its bytes were read

    def passing_text(self) -> str:
        """Its text, for one use (``UnreadDocument`` reads it without keeping it)."""
        return self.text


def file_identity(stat: os.stat_result) -> tuple[int, int, int, int, int]:
    """What changes when a file's bytes may have: its device and inode (a file replaced), size,
    and modification and change times in nanoseconds (a write changes the change time, which
    no one can set back)."""
    return (stat.st_dev, stat.st_ino, stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns)


def _read_when_asked(name: str) -> property:
    """``Document``'s field ``name`` (its slot), read from the file the first time it is asked for."""
    slot = getattr(Document, name)

    def get(self: UnreadDocument):
        if not self.loaded:
            self._load()
        return slot.__get__(self)

    return property(get, slot.__set__)


class UnreadDocument(Document):
    """A corpus file known by its identity (``file_identity``) to hold the bytes whose SHA-256 is
    ``content``, read and decoded only when its text or undecodable runs are asked for: a
    pre-commit run takes the other files' features from the cache and reads few of them
    (``file_index``). If the file no longer holds those bytes when it is read, the run stops:
    its features would not be the file's."""

    __slots__ = ("file", "loaded")

    def __init__(self, path: str, doc_id: int, file: str, content: str, problem: str | None, bom: bool, nul_offset: int | None):
        self.file, self.loaded = file, False
        Document.__init__(self, path, doc_id, b"", problem=problem, bom=bom, nul_offset=nul_offset, content=content)

    def _read(self) -> Document:
        import hashlib

        try:
            data = Path(self.file).read_bytes()
        except OSError as exc:
            raise CorpusValidatorError(f"{escaped_name(self.path)}: cannot read: {exc.strerror or exc.__class__.__name__}") from None
        if hashlib.sha256(data).hexdigest() != self.content:
            raise CorpusValidatorError(f"{escaped_name(self.path)}: changed while it was being checked; check again")
        return decode(self.path, self.doc_id, data)

    def _load(self) -> None:
        read = self._read()
        Document.text.__set__(self, read.text)
        Document.undecodable.__set__(self, read.undecodable)
        self.loaded = True

    def passing_text(self) -> str:
        """Its text, read for one use and not kept when it was not loaded already: a pre-commit
        run's name step cuts a few paragraphs from each of thousands of files (6,000 of 10,000
        page dumps), and holding each text it read took 170 MB."""
        return Document.text.__get__(self) if self.loaded else self._read().text

    text = _read_when_asked("text")
    undecodable = _read_when_asked("undecodable")


def display(path: str | os.PathLike, cwd: str | None = None) -> str:
    """The path as shown to the user: relative to the working folder when inside it, with forward slashes."""
    text = os.path.normpath(os.fspath(path))
    if os.path.isabs(text):
        cwd = cwd or os.getcwd()
        if text == cwd or text.startswith(cwd.rstrip(os.sep) + os.sep):
            text = os.path.relpath(text, cwd)
    return Path(text).as_posix()


def escaped_name(path: str) -> str:
    """A file name as every output writes it: bytes that are not UTF-8 (lone surrogates,
    from ``surrogateescape``) as ``\\xNN``. The name itself, used to open the file, keeps them."""
    return ESCAPED_BYTES.sub(lambda m: "".join(f"\\x{ord(c) - 0xDC00:02x}" for c in m.group()), path)


#: Why a ``.txt`` entry found in a folder is not read (its ``Document.problem``).
LINK_LOOP = "symbolic link loop"
BROKEN_LINK = "broken symbolic link"
LINK_OUT = "symbolic link to a file outside the folder checked (not followed; name the file to check it)"


def _walk(root: str, real_root: str):
    """(path, identity, problem) of the corpus files under ``root``, skipping hidden names; a
    link out of it is not followed, and listed as skipped.

    A link that loops or leads nowhere is yielded with its problem, so it is reported
    as skipped instead of stopping the run.
    """
    stack = [(root, real_root)]
    while stack:
        folder, real_folder = stack.pop()
        try:
            entries = list(os.scandir(folder))
        except OSError as exc:
            raise CorpusValidatorError(f"{escaped_name(display(folder))}: cannot read folder: {exc.strerror or exc}") from None
        for entry in entries:
            if entry.name.startswith("."):
                continue
            if entry.is_dir(follow_symlinks=False):
                stack.append((entry.path, os.path.join(real_folder, entry.name)))
                continue
            if not entry.name.endswith(CORPUS_SUFFIX):
                continue
            try:
                is_file = entry.is_file()
            except OSError:  # ELOOP: a link to itself, or round a cycle of links
                yield entry.path, os.path.join(real_folder, entry.name), LINK_LOOP
                continue
            if not is_file:
                if entry.is_symlink() and not os.path.exists(entry.path):
                    yield entry.path, os.path.join(real_folder, entry.name), BROKEN_LINK
                continue  # a folder named *.txt, a FIFO, a device: not an article
            if entry.is_symlink():
                real = os.path.realpath(entry.path)
                if not real.startswith(real_root.rstrip(os.sep) + os.sep):
                    # Not followed out of the corpus, but said: a silent skip read as all clear.
                    yield entry.path, os.path.join(real_folder, entry.name), LINK_OUT
                    continue
                yield entry.path, real, None
            else:
                yield entry.path, os.path.join(real_folder, entry.name), None


def discover(paths: list[str | os.PathLike]) -> list[Path]:
    """Corpus files under ``paths``: directories recurse into ``*.txt``; a named file is taken as it is.

    Links are not followed out of the directory they were found in, hidden files and
    folders are skipped, and each file is read once however often it is named.
    """
    return [Path(path) for _, path, problem in _discover_shown(paths) if problem is None]


def shown_paths(paths: list[str | os.PathLike]) -> set[str]:
    """The corpus files under ``paths`` as findings name them (the files a run reports on)."""
    return {shown for shown, _, _ in _discover_shown(paths)}


def _discover_shown(paths: list[str | os.PathLike]) -> list[tuple[str, str, str | None]]:
    """(path as shown, path, why it cannot be read or None) of each corpus file under ``paths``,
    in the order ``discover`` gives."""
    found: dict[str, tuple[str, str | None]] = {}  # identity (real path) -> (path as reached, problem)
    for given in paths:
        root = os.fspath(given)
        if root == "":
            raise CorpusValidatorError("an empty path was given (check `paths` in [tool.corpus-validator])")
        try:
            os.stat(root)
        except OSError as exc:
            if exc.errno == errno.ELOOP:
                raise CorpusValidatorError(f"{escaped_name(str(given))}: {LINK_LOOP}") from None
            if isinstance(exc, FileNotFoundError):
                raise CorpusValidatorError(f"{escaped_name(str(given))}: no such file or directory") from None
            raise CorpusValidatorError(f"{escaped_name(str(given))}: cannot read: {exc.strerror or exc}") from None
        if os.path.isfile(root):
            found.setdefault(os.path.realpath(root), (root, None))
        elif os.path.isdir(root):
            for path, identity, problem in _walk(root, os.path.realpath(root)):
                found.setdefault(identity, (path, problem))
        else:  # reading a FIFO would wait for a writer forever; a device is no article
            raise CorpusValidatorError(f"{escaped_name(str(given))}: not a file or folder (a FIFO, a device or a socket)")
    # One order whatever the order of the arguments: "first copy" must mean the same file every run.
    cwd = os.getcwd()
    return sorted((display(path, cwd), path, problem) for path, problem in found.values())


def decode(path: str, doc_id: int, data: bytes) -> Document:
    """Decode ``data`` strictly as UTF-8, recording rather than raising on what is not."""
    doc = Document(path=path, doc_id=doc_id, data=data)
    if not data:
        doc.problem = "empty"
        return doc
    nul = data.find(b"\x00")
    if nul >= 0:
        doc.problem = "binary"
        doc.nul_offset = nul
        return doc
    body = data
    if data.startswith(BOM):
        doc.bom = True
        body = data[len(BOM) :]
    try:  # the common case: valid UTF-8, and nothing to look for
        doc.text = body.decode("utf-8")
        valid = True
    except UnicodeDecodeError:
        doc.text = body.decode("utf-8", errors="surrogateescape")
        valid = False
    if not doc.text or doc.text.isspace():  # nothing but white space (``strip`` would copy the text to say so)
        doc.problem = "empty"
        return doc
    if valid:
        return doc
    offset_base = len(BOM) if doc.bom else 0
    char_pos = byte_pos = 0
    for match in ESCAPED_BYTES.finditer(doc.text):
        byte_pos += len(doc.text[char_pos : match.start()].encode("utf-8", "surrogateescape"))
        raw_bytes = match.group().encode("utf-8", "surrogateescape")
        doc.undecodable.append((match.start(), offset_base + byte_pos, raw_bytes))
        byte_pos += len(raw_bytes)
        char_pos = match.end()
    return doc


def listing(paths: list[str | os.PathLike]) -> list[tuple[str, str, str | None]]:
    """(path as shown, path, why it cannot be read or None) of each corpus file under ``paths``,
    in doc_id order: what ``read`` reads (the spark engine reads them on its executors)."""
    if not paths:
        raise CorpusValidatorError("no paths to check (give some, or set `paths` in [tool.corpus-validator])")
    files = _discover_shown(paths)
    if not files:
        named = ", ".join(escaped_name(str(p)) for p in paths)
        raise CorpusValidatorError(f"no {CORPUS_SUFFIX} files under {named}")
    return files


def read_one(doc_id: int, shown: str, path: str, problem: str | None) -> Document:
    """One file of ``listing``, decoded, with its identity when read; a file that cannot be read
    is an error."""
    if problem:
        return Document(path=shown, doc_id=doc_id, data=b"", problem=problem)
    try:
        with open(path, "rb") as handle:
            identity = file_identity(os.fstat(handle.fileno()))
            data = handle.read()
    except OSError as exc:
        reason = exc.strerror or exc.__class__.__name__
        raise CorpusValidatorError(f"{escaped_name(shown)}: cannot read: {reason}") from None
    doc = decode(shown, doc_id, data)
    doc.identity = identity
    return doc


def read(paths: list[str | os.PathLike]) -> list[Document]:
    """Every corpus file under ``paths``, decoded. A file that cannot be read is an error."""
    return read_listed(listing(paths))


def read_listed(files: list[tuple[str, str, str | None]], known=None) -> list[Document]:
    """Each file of ``listing``, decoded. ``known(doc_id, shown, path)``: a file's
    ``UnreadDocument`` where its bytes need not be read now, else None."""
    documents = []
    for doc_id, (shown, path, problem) in enumerate(track(files, "reading files")):
        doc = known(doc_id, shown, path) if known is not None and problem is None else None
        documents.append(doc if doc is not None else read_one(doc_id, shown, path, problem))
    return documents
