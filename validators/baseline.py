"""Baselines: accept the findings a corpus has today, and fail only on new ones.

A baseline file lists fingerprints (``findings.fingerprint``) with how often each
occurs. ``check --baseline FILE`` drops as many findings of each fingerprint as the
baseline holds; whatever is left is new. Fingerprints key on a finding's code, file,
paragraph words and span, never on its line number, so unrelated edits keep them.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from .atomic import write_atomic
from .errors import CorpusValidatorError
from .ingest import escaped_name

FORMAT_VERSION = 1
DEFAULT_PATH = "expectations/baseline.json"


def render(findings) -> str:
    counts = Counter(f.fingerprint for f in findings)
    entries = {}
    for f in sorted(findings, key=lambda f: f.sort_key):
        # The fingerprint keeps a file name's undecodable bytes; the readable path shows them as \xNN.
        entries.setdefault(f.fingerprint, {"code": f.code, "path": escaped_name(f.path), "line": f.line, "count": counts[f.fingerprint]})
    document = {"version": FORMAT_VERSION, "comment": "Accepted findings; `corpus-validator baseline` rewrites this file.",
                "findings": entries}  # fmt: skip
    return json.dumps(document, indent=1, ensure_ascii=False, sort_keys=False) + "\n"


def write(findings, path: str | Path) -> None:
    write_atomic(path, render(findings))


def load(path: str | Path) -> Counter:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CorpusValidatorError(f"{path}: baseline file not found (make one with `corpus-validator baseline`)") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise CorpusValidatorError(f"{path}: cannot read baseline: {exc}") from None
    except json.JSONDecodeError as exc:
        raise CorpusValidatorError(f"{path}:{exc.lineno}:{exc.colno}: baseline is not valid JSON: {exc.msg}") from None
    if not isinstance(data, dict) or data.get("version") != FORMAT_VERSION or not isinstance(data.get("findings"), dict):
        raise CorpusValidatorError(f"{path}: not a corpus-validator baseline (version {FORMAT_VERSION})")
    counts = Counter()
    for key, entry in data["findings"].items():
        count = entry.get("count") if isinstance(entry, dict) else None
        if type(count) is not int or count < 1:  # not 1.9, "1", true, -5 nor Infinity
            raise CorpusValidatorError(f"{path}: entry {key!r}: count must be a whole number of 1 or more, not {count!r}")
        counts[key] = count
    return counts


def apply(findings, accepted: Counter) -> tuple[list, int]:
    """(the findings the baseline does not cover, how many it covered)."""
    left = Counter(accepted)
    new, covered = [], 0
    for f in findings:
        if left[f.fingerprint] > 0:
            left[f.fingerprint] -= 1
            covered += 1
        else:
            new.append(f)
    return new, covered
