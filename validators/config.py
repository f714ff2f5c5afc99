"""``[tool.corpus-validator]`` in ``pyproject.toml``: read strictly, so a typo is an error.

    [tool.corpus-validator]
    paths = ["seeds"]                 # what `check` reads when given no paths
    expectations = "expectations"     # suites and name lists; bundled defaults otherwise
    select = ["BP", "EN001"]          # codes or code prefixes to run (default: all)
    ignore = ["DU"]                   # codes or prefixes to skip
    severity = { NM001 = "warning" }  # change a rule's level: error, warning, info or off
    engine = "gx"                     # or "light": same rules without importing GX (pre-commit)
    cache = true                      # keep per-file features in .corpus-validator-cache/
    cache-size = 2048                 # MB the cache file may reach before its oldest entries go
    jobs = 2                          # processes (per-file features), threads (noise score); default: one per core

    [tool.corpus-validator.per-file-ignores]
    "archive/**" = ["BP"]             # glob (relative to the project root) -> codes or prefixes
    "transcripts/*.txt" = ["DU001"]   # a glob without '/' matches a name in any folder

    [tool.corpus-validator.duplicate]
    min_chars = 40                    # shorter paragraphs are not compared
    near_threshold = 0.6              # estimated word-set similarity of a near-duplicate paragraph
    doc_threshold = 0.7               # the same for whole files
    doc_min_chars = 200               # shorter files are not compared as wholes
    passage_min_words = 8             # shortest shared sentence or quotation reported

    [tool.corpus-validator.noise]
    error_threshold = 0.9387          # a noise score above this is page furniture (BP100, error)
    review_threshold = 0.2713         # above this, possible page furniture (BP101, warning)
    furnished_threshold = 0.4605      # above this, page furniture in a file that has some already (BP103, error)
    pattern_threshold = 0.2713        # a pattern's error (BP001-BP009) at or below this score is a warning inside the story (default: review_threshold; 0: no pattern's error is ever a warning)
    article_part_threshold = 0.9387   # a dateline's, byline's, credit's or trailer's error (BP005-BP007) at or below this score, in a file with no other noise error, is a warning (default: error_threshold; 0: never)
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import TYPE_CHECKING

from .cache import MAX_BYTES
from .errors import ConfigError
from .rules import RULES, SEVERITIES
from .suite import GX_SEVERITY

if TYPE_CHECKING:
    from .features.duplicate import DuplicateSettings

SECTION = "corpus-validator"


@dataclass(frozen=True)
class NoiseSettings:
    """The noise score's thresholds; None keeps the suite's own (``max_value`` of BP100, BP101, BP103)."""

    error_threshold: float | None = None
    review_threshold: float | None = None
    furnished_threshold: float | None = None
    #: A pattern's error (BP001-BP009) on a paragraph scoring at most this is a warning inside
    #: the story (``findings.arbitrate``); None: the review threshold; 0: no pattern's error is
    #: ever a warning (this one and the next).
    pattern_threshold: float | None = None
    #: A dateline's, byline's, credit's or trailer's error (BP005-BP007) on a paragraph scoring
    #: at most this, in a file with no other noise error, is a warning wherever it is (the forms
    #: a clean article prints); None: the error threshold; 0: never.
    article_part_threshold: float | None = None


LEVELS = (*SEVERITIES, "off")


#: The master URLs Spark takes (its "Master URLs"), said in errors.
MASTER_URLS = "local, local[N], local[*], local[N,F], spark://HOST:PORT[,HOST:PORT...], yarn or k8s://HOST:PORT"
_MASTER_URL = re.compile(
    r"local(\[(\*|[1-9]\d*)(,\s*[1-9]\d*)?\])?|local-cluster\[[1-9]\d*,\s*[1-9]\d*,\s*[1-9]\d*\]"
    r"|spark://[^\s/,:]+:\d+(,[^\s/,:]+:\d+)*|yarn|k8s://\S+"
)


def is_master_url(value: str) -> bool:
    """Whether ``value`` is a master URL Spark takes: checked before its JVM starts, which
    answers a typo with a Java stack trace, or waits a minute for a master that is not there."""
    return _MASTER_URL.fullmatch(value) is not None


@dataclass
class Config:
    root: Path = field(default_factory=Path.cwd)  # the folder the settings are relative to
    source: str | None = None  # the file they came from
    paths: list[str] = field(default_factory=list)  # none configured: `check` needs paths given
    expectations: Path | None = None
    select: list[str] = field(default_factory=list)
    ignore: list[str] = field(default_factory=list)
    severity: dict[str, str] = field(default_factory=dict)
    duplicate: DuplicateSettings = field(default_factory=lambda: _duplicate_class()())
    noise: NoiseSettings = field(default_factory=lambda: NoiseSettings())  # the noise score's thresholds
    cache: bool = True  # keep per-file features in .corpus-validator-cache/ at the project root
    cache_size: int = MAX_BYTES // 2**20  # MB the cache file may reach before its oldest unused entries go
    jobs: int | None = None  # worker processes for the per-file features, threads for the noise score (None: one per core)
    engine: str = "gx"  # "gx": the suites run in Great Expectations; "light": evaluated here, no GX or pandas import
    data_docs: str | None = None  # a folder for GX Data Docs (``check --data-docs``; gx engine only)
    spark_master: str | None = None  # the spark engine's master URL (None: local[*])
    per_file_ignores: list[tuple[str, re.Pattern, list[str]]] = field(default_factory=list)  # (glob, its regex, codes)
    given: dict[str, list[str]] = field(default_factory=dict)  # codes given on the command line, by option ("--select")

    def ignored(self, path: str, code: str) -> bool:
        """Whether ``per-file-ignores`` drops ``code`` in the file at ``path`` (as findings name it)."""
        if not self.per_file_ignores:
            return False
        full = os.path.abspath(path)
        relative = os.path.relpath(full, self.root)
        shown = (full if relative.startswith("..") else relative).replace(os.sep, "/")
        return any(
            regex.match(shown) and any(code.startswith(prefix) for prefix in codes)
            for _, regex, codes in self.per_file_ignores
        )

    def runs(self, code: str) -> bool:
        if RULES[code].opt_in:
            return code in self.select and code not in self.ignore
        selected = not self.select or any(code.startswith(p) for p in self.select)
        return selected and not any(code.startswith(p) for p in self.ignore)

    def check_codes(self) -> None:
        """Refuse a code the settings name that no rule has, once the suites have declared the
        corpus's own rules (X…): until then, those are taken on trust."""
        named = [("select", self.select), ("ignore", self.ignore), ("severity", list(self.severity))]
        named += [(f"per-file-ignores {glob!r}", codes) for glob, _, codes in self.per_file_ignores]
        for key, codes in named:
            for code in codes:
                if not any(c.startswith(code) for c in RULES):
                    where = f"--{key}" if code in self.given.get(f"--{key}", ()) else f"{self.source or 'settings'}: '{key}'"
                    raise ConfigError(f"{where} names {code!r}, which is no rule code or prefix of one (and no suite declares it)")

    def severity_of(self, code: str, gx_severity: str) -> str | None:
        """The level a finding of ``code`` gets, or None when the rule is not run."""
        if not self.runs(code):
            return None
        # The longest matching prefix wins: {"BP" = "warning", "BP002" = "error"}.
        for prefix in sorted(self.severity, key=len, reverse=True):
            if code.startswith(prefix):
                level = self.severity[prefix]
                return None if level == "off" else level
        return GX_SEVERITY[gx_severity]


def parse_codes(value, key: str, where: str) -> list[str]:
    if isinstance(value, str):
        value = [v.strip() for v in value.split(",") if v.strip()]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{where}: '{key}' must be a list of rule codes, like [\"BP\", \"EN001\"]")
    for code in value:
        if not code.strip():  # "" is a prefix of every code: it would select, ignore or set every rule
            raise ConfigError(f"{where}: '{key}' names an empty code; name rule codes or prefixes, like \"BP\"")
        # X…: a corpus's own rules, declared in its suites, read after the settings (``Config.check_codes``).
        if not any(c.startswith(code.upper()) for c in RULES) and not re.fullmatch(r"X[A-Z]{0,3}[0-9]{0,3}", code.upper()):
            raise ConfigError(f"{where}: '{key}' names {code!r}, which is no rule code or prefix of one")
    return [v.upper() for v in value]


def _duplicate_class() -> type[DuplicateSettings]:
    """Imported when settings are made, not with the command line (NumPy comes with it)."""
    from .features.duplicate import DuplicateSettings

    return DuplicateSettings


def _duplicate_settings(value, where: str) -> DuplicateSettings:
    DuplicateSettings = _duplicate_class()
    known = {f.name for f in fields(DuplicateSettings)}
    if not isinstance(value, dict) or set(value) - known:
        raise ConfigError(f"{where}: [duplicate] takes only {', '.join(sorted(known))}")
    for name in ("min_chars", "passage_min_words", "doc_min_chars"):
        number = value.get(name, 1)
        if not isinstance(number, int) or isinstance(number, bool) or number < 1:
            raise ConfigError(f"{where}: duplicate.{name} must be a whole number of at least 1")
    for name in ("near_threshold", "doc_threshold"):
        number = value.get(name, 1.0)
        if isinstance(number, bool) or not isinstance(number, (int, float)) or not 0 < number <= 1:
            raise ConfigError(f"{where}: duplicate.{name} must be a number above 0 and at most 1")
    return DuplicateSettings(**value)


def _noise_settings(value, where: str) -> NoiseSettings:
    known = {f.name for f in fields(NoiseSettings)}
    if not isinstance(value, dict) or set(value) - known:
        raise ConfigError(f"{where}: [noise] takes only {', '.join(sorted(known))}")
    for name, number in value.items():
        if isinstance(number, bool) or not isinstance(number, (int, float)) or not 0 <= number <= 1:
            raise ConfigError(f"{where}: noise.{name} must be a number from 0 to 1 (a probability)")
    settings = NoiseSettings(**{k: float(v) for k, v in value.items()})
    if None not in (settings.error_threshold, settings.review_threshold) and settings.review_threshold > settings.error_threshold:
        raise ConfigError(f"{where}: noise.review_threshold must not be above noise.error_threshold")
    return settings


ENGINES = ("gx", "light", "spark")


def glob_pattern(glob, where: str) -> re.Pattern:
    """A ``per-file-ignores`` glob as a regex over a path relative to the project root.

    ``*`` and ``?`` stay within a folder, ``[abc]``/``[!abc]`` match one character, ``**``
    (a whole segment) any number of folders; a glob without ``/`` matches a name in any
    folder; a glob that names a folder covers everything under it.
    """
    bad = f"{where}: per-file-ignores glob {glob!r}"
    if not isinstance(glob, str) or not glob.strip():
        raise ConfigError(f"{where}: per-file-ignores keys must be non-empty globs")
    if glob.startswith("/") or re.match(r"^[A-Za-z]:[\\/]", glob):
        raise ConfigError(f"{bad} is absolute; write it relative to the project root")
    segments = glob.rstrip("/").split("/")
    parts = [] if "/" in glob.rstrip("/") else ["(?:.*/)?"]
    for n, segment in enumerate(segments):
        last = n == len(segments) - 1
        if segment == "**":
            parts.append(".*" if last else "(?:.*/)?")
            continue
        if "**" in segment:
            raise ConfigError(f"{bad}: '**' must be a whole path segment, like 'archive/**/old.txt'")
        if segment in ("", ".", ".."):
            raise ConfigError(f"{bad} has an empty, '.' or '..' segment")
        regex, i = "", 0
        while i < len(segment):
            char = segment[i]
            if char == "*":
                regex += "[^/]*"
            elif char == "?":
                regex += "[^/]"
            elif char == "[":
                close = segment.find("]", i + 2 if segment[i + 1 : i + 2] in ("!", "^") else i + 1)
                if close < 0:
                    raise ConfigError(f"{bad} has a '[' without its ']'")
                body = segment[i + 1 : close]
                body = "^" + body[1:] if body.startswith("!") else body
                regex += "(?!/)[" + body.replace("\\", "\\\\") + "]"
                i = close
            else:
                regex += re.escape(char)
            i += 1
        parts.append(regex if last else regex + "/")
    try:
        return re.compile("".join(parts) + "(?:/.*)?$")
    except re.error as exc:
        raise ConfigError(f"{bad} is not a valid glob: {exc}") from None


def _per_file_ignores(value, where: str) -> list[tuple[str, re.Pattern, list[str]]]:
    if not isinstance(value, dict):
        raise ConfigError(f"{where}: 'per-file-ignores' must be a table like {{ \"archive/**\" = [\"BP\"] }}")
    return [(glob, glob_pattern(glob, where), parse_codes(codes, f"per-file-ignores {glob!r}", where))
            for glob, codes in value.items()]  # fmt: skip


def _engine(value, where: str) -> str:
    if value not in ENGINES:
        raise ConfigError(f"{where}: engine must be one of {', '.join(ENGINES)}, not {value!r}")
    return value


def _strings(value, key: str, where: str) -> list[str]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{where}: '{key}' must be a list of paths")
    return value


def from_table(table: dict, root: Path, where: str) -> Config:
    config = Config(root=root, source=where)
    for key, value in table.items():
        if key == "paths":
            config.paths = _strings(value, key, where)
            if not config.paths:
                raise ConfigError(f"{where}: 'paths' is empty; name the corpus folders, like [\"corpus\"]")
        elif key == "expectations":
            if not isinstance(value, str):
                raise ConfigError(f"{where}: 'expectations' must be a folder path")
            config.expectations = (root / value).resolve()
            if not config.expectations.is_dir():
                raise ConfigError(f"{where}: 'expectations' folder {value!r} does not exist")
        elif key in ("select", "ignore"):
            setattr(config, key, parse_codes(value, key, where))
        elif key == "severity":
            if not isinstance(value, dict):
                raise ConfigError(f"{where}: 'severity' must be a table like {{ NM001 = \"warning\" }}")
            for code, level in value.items():
                parse_codes([code], "severity", where)
                if level not in LEVELS:
                    raise ConfigError(f"{where}: severity of {code} must be one of {', '.join(LEVELS)}, not {level!r}")
            config.severity = {code.upper(): level for code, level in value.items()}
        elif key == "cache":
            if not isinstance(value, bool):
                raise ConfigError(f"{where}: 'cache' must be true or false")
            config.cache = value
        elif key == "cache-size":
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise ConfigError(f"{where}: 'cache-size' must be a whole number of MB, at least 1")
            config.cache_size = value
        elif key == "jobs":
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise ConfigError(f"{where}: 'jobs' must be a whole number of worker processes, at least 1")
            config.jobs = value
        elif key == "engine":
            config.engine = _engine(value, where)
        elif key == "spark-master":
            if not isinstance(value, str) or not is_master_url(value):
                raise ConfigError(f"{where}: 'spark-master' must be a Spark master URL: {MASTER_URLS}")
            config.spark_master = value
        elif key == "duplicate":
            config.duplicate = _duplicate_settings(value, where)
        elif key == "per-file-ignores":
            config.per_file_ignores = _per_file_ignores(value, where)
        elif key == "noise":
            config.noise = _noise_settings(value, where)
        else:
            known = "paths, expectations, select, ignore, severity, engine, spark-master, cache, cache-size, jobs, duplicate, noise, per-file-ignores"
            raise ConfigError(f"{where}: unknown key {key!r} in [tool.{SECTION}] (known: {known})")
    return config


def load_config(explicit: str | None = None, start: Path | None = None) -> Config:
    """Settings from ``explicit``, else the nearest ``pyproject.toml`` with our section, else defaults."""
    if explicit:
        candidates = [Path(explicit)]
        if not candidates[0].is_file():
            raise ConfigError(f"{explicit}: config file not found")
    else:
        here = (start or Path.cwd()).resolve()
        candidates = [folder / "pyproject.toml" for folder in (here, *here.parents)]
    for path in candidates:
        if not path.is_file():
            continue
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError, OSError) as exc:
            raise ConfigError(f"{path}: cannot read TOML: {exc}") from None
        tool = data.get("tool", {})
        if not isinstance(tool, dict):
            raise ConfigError(f"{path}: 'tool' must be a table, not {type(tool).__name__}")
        table = tool.get(SECTION)
        if table is None:
            if explicit:
                return Config(root=path.parent.resolve(), source=str(path), expectations=_default_dir(path.parent))
            continue
        if not isinstance(table, dict):
            raise ConfigError(f"{path}: [tool.{SECTION}] must be a table")
        config = from_table(table, path.parent.resolve(), str(path))
        if config.expectations is None:
            config.expectations = _default_dir(path.parent)
        return config
    config = Config()
    config.expectations = _default_dir(config.root)
    return config


def _default_dir(root: Path) -> Path | None:
    folder = root.resolve() / "expectations"
    return folder if folder.is_dir() else None
