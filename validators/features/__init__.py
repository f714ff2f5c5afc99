"""One module per family of features; what they share is here."""

from __future__ import annotations

import tomllib

from ..errors import ConfigError


def parse_toml(source: str, text: str, known: set[str]) -> dict:
    """An ``expectations/*.toml`` file's keys, or a ConfigError naming the file: not TOML, or a key not in ``known``."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{source}: not valid TOML: {exc}") from None
    unknown = set(data) - known
    if unknown:
        raise ConfigError(f"{source}: unknown key(s) {', '.join(sorted(unknown))}")
    return data
