"""Write a file so that a reader sees the old bytes or the new ones, never half of each.

``write_atomic`` writes beside the file and renames over it. ``replace_files`` does so for
many files at once, all or none as far as a file system allows: every new version is
written first, and only when all are written are they renamed into place. Both refuse
what a rename would silently get wrong (``writable``): a read-only file, a file with more
than one hard link (the rename would split it from its other names). A symbolic link is
written through: its target gets the new bytes and the link stays a link.

Temporary files are named ``.NAME.XXXXXXXX.corpus-validator.tmp`` beside NAME: a name no
editor or user gives a file. One left by a run that was killed is removed by a later run that
rewrites or repairs NAME (``remove_stale_temporaries``), once it is ``STALE_AFTER`` seconds old
and NAME still exists.
"""

from __future__ import annotations

import os
import re
import stat
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .errors import CorpusValidatorError

#: A temporary file older than this is abandoned: a run writes and renames in seconds.
STALE_AFTER = 3600
#: ``tempfile.mkstemp``'s names: eight characters of this alphabet.
_TEMP_MIDDLE = "[a-z0-9_]{8}"
#: What ends the temporary files' names: only files with it are ever removed as this module's.
TEMP_SUFFIX = ".corpus-validator.tmp"


def writable(path: str | os.PathLike) -> tuple[Path, str | None]:
    """(the file to write, or why it must not be written). A link is followed to its target."""
    target = Path(os.path.realpath(path)) if os.path.islink(path) else Path(path)
    try:
        info = target.stat()
    except FileNotFoundError:
        return target, None
    except OSError as exc:
        return target, f"cannot read its status: {exc.strerror or exc}"
    if not stat.S_ISREG(info.st_mode):
        return target, "not a regular file"
    if not info.st_mode & 0o222 or not os.access(target, os.W_OK):
        return target, "the file is read-only; make it writable to change it"
    if info.st_nlink > 1:
        return target, (
            f"the file has {info.st_nlink} hard links; replacing it would split it from the others "
            "(copy it to a file of its own to change it)"
        )
    return target, None


@dataclass
class _Pending:
    path: str  # as named by the caller
    target: Path  # what is replaced (a link's target)
    temp: str


def _prepare(path: str | os.PathLike, write: Callable[[str], None] | bytes | str) -> _Pending:
    target, problem = writable(path)
    if problem:
        raise CorpusValidatorError(f"{path}: not written: {problem}")
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise CorpusValidatorError(f"{path}: folder {folder} does not exist")
    try:
        fd, temp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=TEMP_SUFFIX, dir=folder)
    except OSError as exc:
        raise CorpusValidatorError(f"{path}: cannot write in {folder}: {exc.strerror or exc}") from None
    try:
        if callable(write):
            os.close(fd)
            write(temp)
        else:
            with os.fdopen(fd, "wb") as handle:
                handle.write(write.encode("utf-8") if isinstance(write, str) else write)
        if target.exists():
            before = target.stat()
            if hasattr(os, "getuid") and (before.st_uid, before.st_gid) != (os.getuid(), os.getgid()):
                _keep_owner(temp, before)  # POSIX only: Windows files have no uid to keep
            _keep_attributes(target, temp)
            os.chmod(temp, before.st_mode & 0o7777)
        else:
            os.chmod(temp, 0o666 & ~_umask())
    except OSError as exc:
        Path(temp).unlink(missing_ok=True)
        raise CorpusValidatorError(f"{path}: cannot write: {exc.strerror or exc}") from None
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    return _Pending(os.fspath(path), target, temp)


def _keep_owner(temp: str, before: os.stat_result) -> None:
    """The file keeps its owner and group (a root CI job fixing a corpus checked out by
    another user must not hand its files to root). Only root may give a file away; anyone
    else keeps what the system allows, as an editor saving the file would."""
    try:
        os.chown(temp, before.st_uid, before.st_gid)
    except PermissionError:
        try:
            os.chown(temp, -1, before.st_gid)  # a group the user is in
        except PermissionError:
            pass


def _keep_attributes(target: Path, temp: str) -> None:
    """The file keeps its extended attributes (a tag, a label an editor or a backup tool set),
    where the system has them (``os.listxattr``: Linux) and lets them be copied."""
    if not hasattr(os, "listxattr"):
        return
    try:
        names = os.listxattr(target)
    except OSError:
        return
    for name in names:
        try:
            os.setxattr(temp, name, os.getxattr(target, name))
        except OSError:  # one the system keeps for itself (security.*), or not ours to set
            continue


def write_atomic(path: str | os.PathLike, write: Callable[[str], None] | bytes | str) -> None:
    """Write beside ``path`` and rename over it. ``write`` is the content, or a function
    that writes to the temporary path it is given (for writers such as pyarrow's)."""
    replace_files([(path, write)])


def replace_files(
    contents: list[tuple[str | os.PathLike, Callable[[str], None] | bytes | str]], read: dict[str, bytes] | None = None
) -> None:
    """Give each path its new content, all or none: each is written to a temporary file
    first; if any cannot be, none is renamed into place and the error names every file that
    could not be written. Should a rename fail after that (rare: the temporary files are
    already written beside their files), the error says which files were replaced.
    ``read``: the bytes the caller read from some paths; a path whose file no longer holds
    them (saved by someone else meanwhile) is not replaced, and so none is."""
    pending: list[_Pending] = []
    problems: list[str] = []
    try:
        for path, write in contents:
            try:
                pending.append(_prepare(path, write))
            except CorpusValidatorError as exc:
                problems.append(str(exc))
        for item in pending if read else ():  # last, just before the renames: the narrowest gap
            if item.path in read and _bytes_of(item.target) != read[item.path]:
                problems.append(f"{item.path}: changed since it was read, so not written (run again to work on its new content)")
    except BaseException:
        _discard(pending)
        raise
    if problems:
        _discard(pending)
        if len(contents) == 1:
            raise CorpusValidatorError(problems[0])
        raise CorpusValidatorError("; ".join(problems) + f"; nothing written ({len(contents)} files unchanged)")
    done: list[str] = []
    for index, item in enumerate(pending):
        try:
            os.replace(item.temp, item.target)
        except OSError as exc:
            _discard(pending[index:])
            written = f"written: {', '.join(done)}" if done else "nothing written"
            raise CorpusValidatorError(
                f"{item.path}: cannot write: {exc.strerror or exc}; {written}; "
                f"not written: {', '.join(p.path for p in pending[index:])}"
            ) from None
        except BaseException:
            _discard(pending[index:])
            raise
        done.append(item.path)


def _bytes_of(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError:
        return None


def _discard(pending: list[_Pending]) -> None:
    for item in pending:
        Path(item.temp).unlink(missing_ok=True)


def remove_stale_temporaries(paths: list[str | os.PathLike], now: float | None = None) -> list[str]:
    """Delete the temporary files a killed run left beside ``paths``: only names this module
    gives (``.NAME.XXXXXXXX.corpus-validator.tmp``, NAME one of ``paths``, which must exist), only regular
    files, and only those ``STALE_AFTER`` seconds old or older. Returns what was removed."""
    now = time.time() if now is None else now
    by_folder: dict[Path, set[str]] = {}
    for path in paths:
        target = Path(os.path.realpath(path))
        if target.is_file():
            by_folder.setdefault(target.parent, set()).add(target.name)
    removed = []
    for folder, names in by_folder.items():
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        for entry in entries:
            match = re.fullmatch(rf"\.(.+)\.{_TEMP_MIDDLE}{re.escape(TEMP_SUFFIX)}", entry.name)
            if not match or match.group(1) not in names:
                continue
            try:
                info = entry.stat(follow_symlinks=False)
                if stat.S_ISREG(info.st_mode) and now - info.st_mtime >= STALE_AFTER:
                    os.unlink(entry.path)
                    removed.append(entry.path)
            except OSError:
                continue  # gone already, or not ours to remove: leave it
    return removed


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
