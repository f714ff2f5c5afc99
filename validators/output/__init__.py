"""Renderers: one module per output format, each ``render(report) -> str``."""

from __future__ import annotations

from . import github, gitlab, junit, sarif
from . import json as json_format
from . import text as text_format

FORMATS = {
    "text": text_format.render,
    "json": json_format.render,
    "github": github.render,
    "sarif": sarif.render,
    "junit": junit.render,
    "gitlab": gitlab.render,
}
