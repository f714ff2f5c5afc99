"""Renderers: one module per output format, each ``render(report) -> str``, and
``chunks(report)``, the same text piece by piece as it is made (a report of many findings
is written as it goes, never held whole)."""

from __future__ import annotations

import importlib
from collections.abc import Iterable, Iterator


class _Renderers(dict):
    """Format name -> its ``render``, the module imported only when that format is asked for:
    a pre-commit run prints text, and the HTML report alone imports ``fix`` and its pipeline."""

    def __getitem__(self, name: str):
        return importlib.import_module(f"{__name__}.{super().__getitem__(name)}").render

    def chunks(self, name: str):
        """The format's ``chunks(report)``, an iterator of the report's text."""
        return importlib.import_module(f"{__name__}.{super().__getitem__(name)}").chunks


FORMATS = _Renderers(text="text", json="json", github="github", sarif="sarif", junit="junit", gitlab="gitlab", html="html")


def joined(pieces: Iterable[str], size: int = 1 << 20) -> Iterator[str]:
    """Pieces of text joined into pieces of about ``size`` characters: written as they come,
    with one write (and flush) per piece rather than per line or record."""
    batch, length = [], 0
    for piece in pieces:
        batch.append(piece)
        length += len(piece)
        if length >= size:
            yield "".join(batch)
            batch, length = [], 0
    if batch:
        yield "".join(batch)
