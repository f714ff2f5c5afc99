"""corpus-validator: data-quality checks for news-text corpora.

The Python API for data teams::

    import validators
    frame = validators.load_paragraphs("seeds")   # one row per paragraph, raw and normalised
    report = validators.check("seeds")            # findings, with the frames they came from
"""

from __future__ import annotations

import os
from collections.abc import Iterable

__version__ = "0.1.0"

#: Imported when first read (``__getattr__``): the command's first step (``launch``) imports
#: this package before it can catch Ctrl-C, so the package itself imports nothing heavy.
_LAZY = {"PARAGRAPH_COLUMNS": "frame", "load_paragraphs": "frame"}


def __getattr__(name: str):
    if name in _LAZY:
        import importlib

        value = getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def check(paths: str | os.PathLike | Iterable[str | os.PathLike], config_file: str | None = None):
    """Run every configured rule over ``paths``; returns a ``pipeline.Report``, its tables whole
    (on the spark engine too, whose driver otherwise holds the files with findings only)."""
    from .config import load_config
    from .pipeline import check as run_check

    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    return run_check(list(paths), load_config(config_file), whole_table=True)


__all__ = ["PARAGRAPH_COLUMNS", "__version__", "check", "load_paragraphs"]
