"""Renderers: one module per output format, each ``render(report) -> str``, and
``chunks(report)``, the same text piece by piece as it is made (a report of many findings
is written as it goes, never held whole)."""

from __future__ import annotations

import importlib


class _Renderers(dict):
    """Format name -> its ``render``, the module imported only when that format is asked for:
    a pre-commit run prints text, and the HTML report alone imports ``fix`` and its pipeline."""

    def __getitem__(self, name: str):
        return importlib.import_module(f"{__name__}.{super().__getitem__(name)}").render

    def chunks(self, name: str):
        """The format's ``chunks(report)``, an iterator of the report's text."""
        return importlib.import_module(f"{__name__}.{super().__getitem__(name)}").chunks


FORMATS = _Renderers(text="text", json="json", github="github", sarif="sarif", junit="junit", gitlab="gitlab", html="html")
