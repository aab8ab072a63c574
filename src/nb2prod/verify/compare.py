"""Compare a dataset the notebook (pandas) wrote with the one the pipeline (Spark) wrote.

Equality here:

- the same column names in the same order;
- the same multiset of rows (row order is not compared);
- numbers equal within ``abs(a - b) <= atol + rtol * abs(b)`` (``numpy.isclose``; ``b`` the
  notebook's value); integers and integral floats alike (``1`` equals ``1.0``);
- null, None, NaN and NaT all equal each other (a missing value is a missing value);
- booleans equal only booleans; text equal as text; date-times compared as instants in UTC
  (pandas writes ``2013-01-01 05:00:00``, Spark ``2013-01-01T05:00:00.000Z``).

Datasets are read back with pandas from what each side wrote: a file (pandas), or a
directory of ``part-*`` files (Spark). Formats: CSV, Parquet, JSON lines (and pandas'
default JSON, on the notebook's side).
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

RTOL = 1e-9
ATOL = 1e-12
#: how many differing rows of each side are kept for the report
MAX_SHOWN = 5
#: unmatched rows beyond this (per side) are not paired up within tolerance one by one
MAX_PAIRING = 2000

FORMATS = {
    ".csv": "csv",
    ".tsv": "csv",
    ".txt": "csv",
    ".parquet": "parquet",
    ".pq": "parquet",
    ".json": "json",
    ".jsonl": "json",
    ".ndjson": "json",
}

_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}([ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?$")


def dataset_format(path: Path) -> str | None:
    """``csv``, ``parquet`` or ``json`` from a file's (or a Spark output directory's) name or its part files."""
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None and path.is_dir():
        for part in _parts(path):
            name = part.name.lower()
            for suffix, kind in FORMATS.items():
                if name.endswith(suffix) or f"{suffix}." in name:
                    return kind
    return fmt


def _parts(directory: Path) -> list[Path]:
    """Spark's part files (recursively: partitioned output), sorted; empty files and checksums skipped."""
    return sorted(
        p for p in directory.rglob("part-*") if p.is_file() and not p.name.endswith(".crc") and p.stat().st_size > 0
    )


def _read_file(path: Path, fmt: str) -> pd.DataFrame:
    if fmt == "parquet":
        return pd.read_parquet(path)
    if fmt == "json":
        try:
            return pd.read_json(path, lines=True)
        except ValueError:
            return pd.read_json(path)
    sep = "\t" if path.suffix.lower() == ".tsv" else ","
    try:
        return pd.read_csv(path, sep=sep)
    except pd.errors.EmptyDataError:
        return pd.DataFrame()


def read_dataset(path: Path, fmt: str | None = None) -> pd.DataFrame:
    """A file written by pandas, or a directory of part files written by Spark, as one DataFrame."""
    path = Path(path)
    fmt = fmt or dataset_format(path) or "csv"
    if path.is_dir():
        if fmt == "parquet":
            return pd.read_parquet(path)  # pyarrow reads a directory, partition columns included
        frames = [_read_file(p, fmt) for p in _parts(path)]
        frames = [f for f in frames if len(f.columns)]
        return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    return _read_file(path, fmt)


# -- canonical values -------------------------------------------------------------------------


def _is_missing(value: Any) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    try:
        return bool(isinstance(value, float | np.floating) and math.isnan(value))
    except TypeError:
        return False


def _instant(value: Any) -> str | None:
    try:
        stamp = pd.Timestamp(value)
    except (ValueError, TypeError, OverflowError):
        return None
    if stamp is pd.NaT:
        return None
    stamp = stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")
    return stamp.isoformat()


def canonical(value: Any) -> tuple:
    """A hashable, tagged form of one cell: ``("null",)``, ``("bool", b)``, ``("num", x)``, ``("time", iso)``, ``("text", s)``."""
    if _is_missing(value):
        return ("null",)
    if isinstance(value, bool | np.bool_):
        return ("bool", bool(value))
    if isinstance(value, int | np.integer):
        return ("num", int(value))
    if isinstance(value, float | np.floating):
        value = float(value)
        if math.isinf(value):
            return ("num", value)
        if value.is_integer() and abs(value) < 2**53:
            return ("num", int(value))
        return ("num", value)
    if isinstance(value, pd.Timestamp | datetime | date | np.datetime64):
        instant = _instant(value)
        return ("time", instant) if instant is not None else ("null",)
    if isinstance(value, bytes):
        return ("text", value.decode("utf-8", "replace"))
    if isinstance(value, dict | list | tuple | np.ndarray):
        return ("text", json.dumps(_plain(value), sort_keys=True, default=str))
    text = str(value)
    if _DATETIME.match(text):
        instant = _instant(text)
        if instant is not None:
            return ("time", instant)
    return ("text", text)


def _plain(value: Any) -> Any:
    """A JSON-serialisable form of a cell, for reports."""
    if _is_missing(value):
        return None
    if isinstance(value, np.ndarray):
        return [_plain(v) for v in value.tolist()]
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, pd.Timestamp | datetime | date):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    if isinstance(value, float) and math.isinf(value):
        return str(value)
    return value


def _rounded(key: tuple, digits: int) -> tuple:
    """The row key with floats rounded to ``digits`` significant digits (the first, exact matching pass)."""
    return tuple(
        ("num", float(f"{v[1]:.{digits}g}")) if v[0] == "num" and isinstance(v[1], float) else v for v in key
    )


def _close(a: tuple, b: tuple, rtol: float, atol: float) -> bool:
    """Whether two canonical rows are equal, numbers within tolerance (``b`` the notebook's)."""
    for x, y in zip(a, b):
        if x == y:
            continue
        if x[0] == "num" and y[0] == "num":
            a_value, b_value = float(x[1]), float(y[1])
            if math.isinf(a_value) or math.isinf(b_value) or abs(a_value - b_value) > atol + rtol * abs(b_value):
                return False
            continue
        return False
    return True


# -- comparison -------------------------------------------------------------------------------


@dataclass
class Comparison:
    """How two datasets differ; ``equal`` when they do not."""

    columns_notebook: list[str]
    columns_pipeline: list[str]
    rows_notebook: int
    rows_pipeline: int
    only_in_notebook: int = 0
    only_in_pipeline: int = 0
    #: the first rows found on one side only (at most MAX_SHOWN each), as {column: value}
    shown_notebook: list[dict[str, Any]] = field(default_factory=list)
    shown_pipeline: list[dict[str, Any]] = field(default_factory=list)

    @property
    def columns_equal(self) -> bool:
        return self.columns_notebook == self.columns_pipeline

    @property
    def equal(self) -> bool:
        return self.columns_equal and self.only_in_notebook == 0 and self.only_in_pipeline == 0

    def describe(self) -> str:
        """One line: what differs (empty when equal)."""
        problems = []
        if not self.columns_equal:
            if set(self.columns_notebook) == set(self.columns_pipeline):
                problems.append(f"columns in another order: notebook {self.columns_notebook}, pipeline {self.columns_pipeline}")
            else:
                missing = [c for c in self.columns_notebook if c not in self.columns_pipeline]
                extra = [c for c in self.columns_pipeline if c not in self.columns_notebook]
                bits = []
                if missing:
                    bits.append(f"only in the notebook {missing}")
                if extra:
                    bits.append(f"only in the pipeline {extra}")
                problems.append("columns differ: " + ", ".join(bits))
        if self.only_in_notebook or self.only_in_pipeline:
            problems.append(
                f"{self.only_in_notebook} row{'s' if self.only_in_notebook != 1 else ''} only in the notebook, "
                f"{self.only_in_pipeline} only in the pipeline"
                + (f" (notebook {self.rows_notebook} rows, pipeline {self.rows_pipeline})" if self.rows_notebook != self.rows_pipeline else "")
            )
        return "; ".join(problems)


def compare_frames(notebook: pd.DataFrame, pipeline: pd.DataFrame, rtol: float = RTOL, atol: float = ATOL) -> Comparison:
    """Compare the notebook's dataset with the pipeline's (columns, then rows as multisets).

    Rows are compared on the columns both sides have, in the notebook's order, so a renamed or
    missing column is reported once as a column difference and the rows are still checked.
    """
    columns_nb = [str(c) for c in notebook.columns]
    columns_pl = [str(c) for c in pipeline.columns]
    result = Comparison(columns_nb, columns_pl, len(notebook), len(pipeline))
    shared = [c for c in notebook.columns if str(c) in set(columns_pl)]
    pipeline_by_name = {str(c): c for c in pipeline.columns}
    keys_nb = _keys(notebook, shared)
    keys_pl = _keys(pipeline, [pipeline_by_name[str(c)] for c in shared])

    digits = max(1, min(15, int(-math.log10(rtol)) - 1)) if rtol > 0 else 15
    index_nb: dict[tuple, list[int]] = {}
    for i, key in enumerate(keys_nb):
        index_nb.setdefault(_rounded(key, digits), []).append(i)
    unmatched_pl: list[int] = []
    for j, key in enumerate(keys_pl):
        bucket = index_nb.get(_rounded(key, digits)) or []
        for pos, i in enumerate(bucket):  # rounding finds candidates; the tolerance decides
            if _close(key, keys_nb[i], rtol, atol):
                del bucket[pos]
                break
        else:
            unmatched_pl.append(j)
    unmatched_nb = sorted(i for bucket in index_nb.values() for i in bucket)

    # second pass: pair what rounding split across a boundary, one by one, within tolerance
    if unmatched_nb and unmatched_pl and len(unmatched_nb) <= MAX_PAIRING and len(unmatched_pl) <= MAX_PAIRING:
        remaining = list(unmatched_pl)
        still_nb = []
        for i in unmatched_nb:
            for pos, j in enumerate(remaining):
                if _close(keys_pl[j], keys_nb[i], rtol, atol):
                    del remaining[pos]
                    break
            else:
                still_nb.append(i)
        unmatched_nb, unmatched_pl = still_nb, remaining

    result.only_in_notebook = len(unmatched_nb)
    result.only_in_pipeline = len(unmatched_pl)
    result.shown_notebook = [_row(notebook, i) for i in unmatched_nb[:MAX_SHOWN]]
    result.shown_pipeline = [_row(pipeline, j) for j in sorted(unmatched_pl)[:MAX_SHOWN]]
    return result


def _keys(df: pd.DataFrame, columns: list) -> list[tuple]:
    if not columns:
        return [()] * len(df)
    values = [df[c].tolist() if not isinstance(df[c], pd.DataFrame) else df[c].iloc[:, 0].tolist() for c in columns]
    return [tuple(canonical(v) for v in row) for row in zip(*values)]


def _row(df: pd.DataFrame, i: int) -> dict[str, Any]:
    return {str(c): _plain(v) for c, v in zip(df.columns, df.iloc[i].tolist())}


def format_row(row: dict[str, Any]) -> str:
    """``carrier=F9, n_flights=62, mean_arr_delay=21.9`` for a report."""
    return ", ".join(f"{k}={'null' if v is None else v}" for k, v in row.items())


def assert_same_dataset(expected: pd.DataFrame, actual: pd.DataFrame, name: str, rtol: float = RTOL, atol: float = ATOL) -> None:
    """Fail (AssertionError) unless ``actual`` (the pipeline's) equals ``expected`` (the notebook's)."""
    comparison = compare_frames(expected, actual, rtol=rtol, atol=atol)
    if not comparison.equal:
        lines = [f"{name}: {comparison.describe()}"]
        lines += [f"  only in the notebook: {format_row(r)}" for r in comparison.shown_notebook]
        lines += [f"  only in the pipeline: {format_row(r)}" for r in comparison.shown_pipeline]
        raise AssertionError("\n".join(lines))
