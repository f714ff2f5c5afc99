"""One module per family of features; what they share is here."""

from __future__ import annotations

import tomllib

from ..errors import ConfigError


def load_toml(source: str, text: str) -> dict:
    """An ``expectations/*.toml`` file's keys, or a ConfigError naming the file if it is not TOML."""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{source}: not valid TOML: {exc}") from None


def parse_toml(source: str, text: str, known: set[str]) -> dict:
    """``load_toml``, and a ConfigError for a key not in ``known``."""
    data = load_toml(source, text)
    unknown = set(data) - known
    if unknown:
        raise ConfigError(f"{source}: unknown key(s) {', '.join(sorted(unknown))}")
    return data
