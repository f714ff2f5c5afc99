"""Write the paragraph frame, features and finding codes included, for data teams."""

from __future__ import annotations

import json
import os

import pandas as pd

from .atomic import write_atomic
from .errors import CorpusValidatorError
from .ingest import escaped_name, printable

EXPORT_FORMATS = {".parquet": "Parquet", ".jsonl": "JSON Lines", ".csv": "CSV"}


def with_codes(report) -> pd.DataFrame:
    """The paragraph frame plus ``codes``: the sorted rule codes of the findings in each paragraph."""
    frame = report.paragraphs.copy()
    codes: dict[int, set[str]] = {}
    # Plain dicts, not a pandas groupby: a file name with undecodable bytes (lone surrogates) breaks pandas' hashing.
    spans: dict[str, list[tuple[int, int, int]]] = {}
    for row, path, first, last in zip(frame.index, frame["path"], frame["line_start"], frame["line_end"], strict=True):
        spans.setdefault(path, []).append((row, first, last))
    for f in report.findings:
        for row, first, last in spans.get(f.path, ()):
            if first <= f.line <= last:
                codes.setdefault(row, set()).add(f.code)
    frame["codes"] = [sorted(codes.get(row, ())) for row in frame.index]
    return frame


def _printable(value):
    """Undecodable bytes (lone surrogates in ``raw``) as U+FFFD: no file format stores them,
    and the ``undecodable`` column keeps the bytes and their offsets."""
    return printable(value) if isinstance(value, str) else value


def _nullable_int(column: pd.Series) -> bool:
    """A column of whole numbers with gaps (``dup_of``, ``dup_key``): pandas' nullable ``Int64``
    keeps them whole numbers in every format, where float64 would round a 64-bit digest."""
    if column.dtype != object:
        return False
    present = column.dropna()
    return len(present) > 0 and all(type(v) is int for v in present)


def export(frame: pd.DataFrame, output: str | os.PathLike) -> str:
    """Write ``frame`` in the format its file name asks for; returns that format's name."""
    frame = frame.assign(**{c: frame[c].map(_printable) for c in ("raw", "separator", "text") if c in frame})
    if "path" in frame:  # a file name's undecodable bytes as \xNN, as in every report
        frame = frame.assign(path=frame["path"].map(escaped_name))
    frame = frame.assign(**{c: frame[c].astype("Int64") for c in frame if _nullable_int(frame[c])})
    suffix = os.path.splitext(str(output))[1].lower()
    if suffix not in EXPORT_FORMATS:
        known = ", ".join(EXPORT_FORMATS)
        raise CorpusValidatorError(f"{output}: unknown export format {suffix or '(none)'}; use one of {known}")
    if suffix == ".parquet":
        write_atomic(output, lambda temp: frame.to_parquet(temp, index=False))
    elif suffix == ".jsonl":
        records = frame.astype(object).where(frame.notna(), None).to_dict(orient="records")
        write_atomic(output, "".join(json.dumps(r, ensure_ascii=False, default=str) + "\n" for r in records))
    else:
        flat = frame.assign(codes=frame["codes"].map(" ".join))
        write_atomic(output, flat.to_csv(index=False))
    return EXPORT_FORMATS[suffix]
