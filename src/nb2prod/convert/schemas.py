"""Explicit schemas for the CSV inputs a notebook reads, inferred at convert time with pandas' type rules.

The generated package's ``schemas.py`` holds one Spark DDL string per input file, keyed by the
file's name (``"flights.csv"``), which a person can read and edit. The pipeline reads a file that
has a schema with ``schema=`` (no ``inferSchema`` pass over the data) and ``mode=FAILFAST``, after
checking the file's header against the schema's column names (see ``schemas.read_csv`` in the
generated package).

Type rules (pandas' own, through ``pandas.read_csv``'s dtypes with its default missing-value
strings):

=====================================  ===========
pandas dtype                           Spark type
=====================================  ===========
int64                                  BIGINT
float64 (also integers with missing    DOUBLE
values: pandas makes them float64,
and the notebook computed with floats)
bool                                   BOOLEAN
object (text, mixed, dates)            STRING
=====================================  ===========

Missing values: pandas reads ``NA``, the empty field and its other default strings (``NULL``,
``N/A``, ``null``, ``NaN``, ``None``, ... :data:`PANDAS_NA`) as missing; Spark's CSV reader knows one
``nullValue`` (``NA``; the empty field is null too). The generated reader turns pandas' other
strings into nulls in every text column, and a column that pandas reads as numbers only because
those strings are missing (``1.5,N/A,2``) is read as text, nulled and cast to ``DOUBLE`` (its
``casts`` entry): the same values pandas has, and a value that is neither a number nor a missing
string still fails the step.

Dates stay text (as ``pandas.read_csv`` keeps them without ``parse_dates``; the rewrite of
``parse_dates`` parses the named columns after reading). A file pandas cannot read, whose header
pandas renames (duplicate or empty names), with rows shorter than its header (pandas pads
them; Spark's FAILFAST would refuse them), with another dtype (an integer beyond int64), larger
than :data:`MAX_BYTES`, or when pandas is not installed, gets no schema: the pipeline infers it
at run time as before.
"""

from __future__ import annotations

import csv
import os
import re
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path

#: files larger than this are not read at convert time (their schema is inferred at run time); pandas reads
#: the whole file (a sample could type a column by its first rows and fail valid data later): ~3 s for 31 MB
MAX_BYTES = 256 * 2**20

_TYPES = {"int64": "BIGINT", "float64": "DOUBLE", "bool": "BOOLEAN", "object": "STRING"}


#: the strings ``pandas.read_csv`` reads as missing by default (``keep_default_na=True``): pandas 2.x's
#: ``pandas._libs.parsers.STR_NA_VALUES``, sorted (a test checks it against the installed pandas)
PANDAS_NA = ("", "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "-nan", "1.#IND", "1.#QNAN", "<NA>", "N/A", "NA", "NULL", "NaN", "None", "n/a", "nan", "null")


@dataclass(frozen=True)
class InferredSchema:
    """One CSV file's schema: ``columns`` as read (``["id BIGINT", "price STRING", ...]``, Spark DDL
    parts in file order) and ``casts``: column -> Spark type for the columns read as text that pandas
    reads as numbers once its missing-value strings are null (``{"price": "DOUBLE"}``)."""

    columns: list[str]
    casts: dict[str, str] = field(default_factory=dict)
_PLAIN = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def ddl_name(column: str) -> str:
    """A column name as Spark DDL spells it: bare when it is an identifier, else in backquotes."""
    return column if _PLAIN.fullmatch(column) else "`" + column.replace("`", "``") + "`"


def infer_csv_schema(path: Path, sep: str = ",", encoding: str | None = None) -> InferredSchema | None:
    """The Spark DDL schema of a CSV file by pandas' type rules, one ``"name TYPE"`` per column, or None.

    Args:
        path: the file, as the notebook names it at convert time.
        sep: its field separator.
        encoding: its text encoding (default UTF-8).

    Returns:
        An :class:`InferredSchema` (columns ``["year BIGINT", "carrier STRING", ...]`` in the file's
        column order, joined with ``", "`` a Spark DDL schema); None (never an error) for a file that
        gets no schema (see the module docstring).
    """
    try:
        if path.stat().st_size > MAX_BYTES:
            return None
        import pandas as pd
    except (OSError, ImportError):
        return None
    try:
        with path.open(newline="", encoding=encoding or "utf-8-sig") as handle:
            header = next(csv.reader(handle, delimiter=sep, quotechar='"', doublequote=True))
        frame = pd.read_csv(path, sep=sep, encoding=encoding, keep_default_na=False, na_values=["NA", ""], low_memory=False)
    except Exception:  # not readable as CSV by pandas: no schema, Spark infers it as before
        return None
    if list(frame.columns) != header or len(set(header)) != len(header):
        return None
    # a row with fewer fields than the header (pandas pads it with NaN) is malformed to Spark's FAILFAST:
    # such a file is inferred at run time; only a file whose last column has missing values can have one
    if len(frame) and frame.iloc[:, -1].isna().any() and _has_short_rows(path, sep, encoding, len(header)):
        return None
    other_na = [v for v in PANDAS_NA if v not in ("NA", "")]
    types, casts = [], {}
    for column, dtype in frame.dtypes.items():
        spark_type = _TYPES.get(str(dtype))
        if spark_type is None:
            return None
        if spark_type == "STRING":
            values = frame[column]
            missing = values.isin(other_na)
            if missing.any():
                try:  # what pandas' default reading makes of it: numbers with missing values are float64
                    pd.to_numeric(values[~missing & values.notna()], errors="raise")
                except (ValueError, TypeError):
                    pass
                else:
                    casts[str(column)] = "DOUBLE"
        types.append(f"{ddl_name(str(column))} {spark_type}")
    return InferredSchema(types, casts)


#: while a notebook converts: the directory its relative input paths are read from at convert time (the
#: notebook's own); None (no file is looked at) when converting bare sources
INPUT_DIR: ContextVar[Path | None] = ContextVar("INPUT_DIR", default=None)


def csv_header(path: str, sep: str = ",", encoding: str | None = None) -> list[str] | None:
    """The column names of a CSV input as found at convert time, or None.

    Args:
        path: the path the notebook reads (relative to :data:`INPUT_DIR`, or absolute); a URL is not read.
        sep: its field separator.
        encoding: its text encoding (default UTF-8).

    Returns:
        The header row's names in file order, as pandas and Spark (``header=True``) both name the
        columns; None (never an error) when no directory is set, the file is not there or cannot be
        read, or a name is empty or repeated (pandas renames those: ``Unnamed: 0``, ``a.1``).
    """
    base = INPUT_DIR.get()
    if base is None or "://" in path:
        return None
    file = Path(path) if os.path.isabs(path) else base / path
    try:
        with file.open(newline="", encoding=encoding or "utf-8-sig") as handle:
            header = next(csv.reader(handle, delimiter=sep, quotechar='"', doublequote=True))
    except (OSError, UnicodeError, StopIteration, csv.Error, TypeError):
        return None
    if not header or any(not name for name in header) or len(set(header)) != len(header):
        return None
    return header


def _has_short_rows(path: Path, sep: str, encoding: str | None, width: int) -> bool:
    """Whether a non-blank row of the CSV file has fewer than ``width`` fields."""
    with path.open(newline="", encoding=encoding or "utf-8-sig") as handle:
        return any(0 < len(row) < width for row in csv.reader(handle, delimiter=sep, quotechar='"', doublequote=True))


def csv_schemas(files: list[Path], code: str, config: dict | None = None) -> dict[str, dict[str, str]]:
    """Schemas of the CSV files among ``files`` that the generated ``code`` reads with ``compat.read_csv``.

    Args:
        files: input files found at convert time (the configuration's paths).
        code: the generated pipeline code (to see which file names it reads and with which ``sep``).
        config: the extracted settings; a read of ``config["key"]`` reads the file its value names.

    Returns:
        file name -> ``{"sep": ..., "columns": [...], "casts": {...}}`` (see :func:`infer_csv_schema`), sorted by name; names that two different files
        share are left out (a schema is looked up by file name at run time).
    """
    reads = []
    for line in code.splitlines():
        if "read_csv(spark" in line:
            named = [str((config or {}).get(k, "")) for k in re.findall(r"""config\[["']([^"']+)["']\]""", line)]
            reads.append(" ".join([line, *(Path(v).name for v in named if v)]))
    by_name: dict[str, list[Path]] = {}
    for path in files:
        by_name.setdefault(path.name, []).append(path)
    out: dict[str, dict[str, str]] = {}
    for name, paths in sorted(by_name.items()):
        lines = [line for line in reads if name in line]
        if len(paths) != 1 or not lines:
            continue
        sep = ","
        found = re.search(r"""sep=(["'])(.+?)\1""", lines[0])
        if found:
            sep = found.group(2).encode().decode("unicode_escape")
        elif "read_table" in lines[0] or '"\\t"' in lines[0]:
            sep = "\t"
        schema = infer_csv_schema(paths[0], sep=sep)
        if schema:
            out[name] = {"sep": sep, "columns": schema.columns, "casts": schema.casts}
    return out
