"""Write a file so that a reader sees the old bytes or the new ones, never half of each."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from .errors import CorpusValidatorError


def write_atomic(path: str | os.PathLike, write: Callable[[str], None] | bytes | str) -> None:
    """Write beside ``path`` and rename over it. ``write`` is the content, or a function
    that writes to the temporary path it is given (for writers such as pyarrow's)."""
    target = Path(path)
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise CorpusValidatorError(f"{path}: folder {folder} does not exist")
    fd, temp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
    try:
        if callable(write):
            os.close(fd)
            write(temp)
        else:
            with os.fdopen(fd, "wb") as handle:
                handle.write(write.encode("utf-8") if isinstance(write, str) else write)
        if target.exists():
            os.chmod(temp, target.stat().st_mode & 0o7777)
        else:
            os.chmod(temp, 0o666 & ~_umask())
        os.replace(temp, target)
    except OSError as exc:
        Path(temp).unlink(missing_ok=True)
        raise CorpusValidatorError(f"{path}: cannot write: {exc.strerror or exc}") from None
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
