"""Compare an in-memory pandas value of the notebook with the pipeline's value of the same name.

pandas keeps data in the index, Spark only in columns, so both sides become plain tables first
(:func:`as_table`):

- a Series becomes a one-column frame named as ``Series.reset_index()`` names it (its name, or
  ``0`` when it has none: ``value_counts()`` gives ``count``, ``groupby(k)[c].sum()`` gives ``c``,
  ``groupby(k).size()`` gives ``0``, as the converter's Spark code names them);
- an index that carries data is reset into leading columns (``groupby``, ``set_index``,
  ``pivot_table``, ``value_counts`` keys): a named index, a MultiIndex, or an index that is not
  integer; an unnamed integer index (a default ``RangeIndex``, or the row labels left by a
  filter or a sort) is dropped;
- MultiIndex columns (``agg({"x": ["sum", "mean"]})``) are flattened to ``x_sum``, ``x_mean``.

Columns are then matched by name, with two tolerances for the names pandas makes up
(:func:`match_columns`): a flattened ``x_sum`` also matches a pipeline column named by its last
level (``sum``); and when both sides have as many columns, notebook columns named ``index``,
``level_N`` or ``0`` (an unnamed index or Series) pair by position with the pipeline columns
left over. Rows are compared as multisets within the tolerance (:func:`compare.compare_frames`),
and additionally in order on the first sort key when the pipeline's Spark value keeps a sort
(``orderBy`` at the end of its plan): the converter adds one only where pandas sorted
(``sort_values``, ``groupby``, ``value_counts``); later keys are often tie-breakers pandas does
not have (``value_counts`` keeps ties in order of appearance, Spark's code sorts them by key),
so ties are compared as multisets. dtypes are compared by family (integer, float,
string, boolean, datetime) and reported, never failing by themselves (Spark gives a nullable
integer column back as float when it holds nulls).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from nb2prod.verify import compare as cmp
from nb2prod.verify.capture import Captured

#: names pandas makes up for an unnamed index level or Series
_PLACEHOLDER = re.compile(r"^(index|level_\d+|0)$")

#: verdicts of a dataset
EQUAL, DIFFERENT, MISSING, NOT_COMPARABLE = "equal", "different", "missing in pipeline", "not comparable"
#: a file only the pipeline writes
EXTRA = "extra in pipeline"
#: a value only a step that run() does not call computes (a dead step, reported by convert): not
#: computed by design, so neither a difference nor a comparison
NOT_RUN = "not run by design"


def as_table(value: pd.DataFrame | pd.Series) -> tuple[pd.DataFrame, list[str]]:
    """A plain table (keys as columns, default index dropped) and notes on what was done.

    Raises:
        ValueError: the index cannot become columns (a level named like a column).
    """
    notes: list[str] = []
    if isinstance(value, pd.Series):
        frame = value.to_frame(name=value.name if value.name is not None else 0)
    else:
        frame = value
    index = frame.index
    data_index = isinstance(index, pd.MultiIndex) or any(n is not None for n in index.names) or not pd.api.types.is_integer_dtype(index.dtype)
    if data_index:
        names = [str(n) if n is not None else ("index" if index.nlevels == 1 else f"level_{i}") for i, n in enumerate(index.names)]
        frame = frame.reset_index()
        notes.append(f"index {names} reset into columns")
    else:
        frame = frame.reset_index(drop=True)
    if isinstance(frame.columns, pd.MultiIndex):
        frame = frame.copy()
        frame.columns = ["_".join(str(level) for level in col if str(level) != "") for col in frame.columns]
        notes.append("MultiIndex columns flattened with '_'")
    else:
        frame = frame.copy(deep=False)
        frame.columns = [str(c) for c in frame.columns]
    return frame, notes


def match_columns(notebook: list[str], pipeline: list[str]) -> dict[str, str]:
    """notebook column -> pipeline column, by name, then with the tolerances of the module's docstring."""
    mapping = {c: c for c in notebook if c in pipeline}
    left = [c for c in pipeline if c not in mapping.values()]
    for c in notebook:
        if c in mapping or "_" not in c:
            continue
        last = c.rsplit("_", 1)[1]
        if last in left and last not in notebook:
            mapping[c] = last
            left.remove(last)
    if len(notebook) == len(pipeline):
        for position, c in enumerate(notebook):
            if c not in mapping and _PLACEHOLDER.match(c) and pipeline[position] in left:
                mapping[c] = pipeline[position]
                left.remove(pipeline[position])
    return mapping


def family(series: pd.Series) -> str:
    """``integer``, ``float``, ``string``, ``boolean``, ``datetime`` or ``other`` (object columns by their first value)."""
    dtype = series.dtype
    if pd.api.types.is_bool_dtype(dtype):
        return "boolean"
    if pd.api.types.is_integer_dtype(dtype):
        return "integer"
    if pd.api.types.is_float_dtype(dtype):
        return "float"
    if pd.api.types.is_datetime64_any_dtype(dtype):
        return "datetime"
    if pd.api.types.is_string_dtype(dtype) or isinstance(dtype, pd.CategoricalDtype) or dtype == object:
        first = series.dropna()
        if len(first) == 0:
            return "string" if dtype != object else "empty"
        sample = first.iloc[0]
        if isinstance(sample, bool):
            return "boolean"
        if isinstance(sample, int):
            return "integer"
        if isinstance(sample, float):
            return "float"
        if isinstance(sample, pd.Timestamp) or hasattr(sample, "isoformat"):
            return "datetime"
        return "string" if isinstance(sample, str) else "other"
    return "other"


@dataclass
class DatasetResult:
    """The verdict on one value: a named DataFrame/Series at the end, one a cell displays, or a file."""

    name: str
    #: "end" (a name at the end), "display" (a cell's displayed name), "expression" (a displayed expression the
    #: package drops, converted by verify: reported, not counted in the verdict), "cell" (--per-cell), "file"
    kind: str
    verdict: str  # equal, different, missing in pipeline, not comparable, not run by design
    cell: int | None = None
    message: str = ""
    rows_notebook: int | None = None
    rows_pipeline: int | None = None
    columns_notebook: list[str] = field(default_factory=list)
    columns_pipeline: list[str] = field(default_factory=list)
    order: str | None = None  # "multiset" or "in order on [...]"
    dtypes: list[dict[str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    shown_notebook: list[dict[str, Any]] = field(default_factory=list)
    shown_pipeline: list[dict[str, Any]] = field(default_factory=list)
    seeded: bool = False
    #: what the pipeline's value was: "spark" (a Spark DataFrame, collected) or "pandas" (left in pandas)
    pipeline_engine: str | None = None

    @property
    def compared(self) -> bool:
        return self.verdict in (EQUAL, DIFFERENT)

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "kind": self.kind,
            "cell": self.cell,
            "verdict": self.verdict,
            "message": self.message,
            "rows_notebook": self.rows_notebook,
            "rows_pipeline": self.rows_pipeline,
            "columns_notebook": self.columns_notebook,
            "columns_pipeline": self.columns_pipeline,
            "order": self.order,
            "dtype_differences": self.dtypes,
            "notes": self.notes,
            "first_only_in_notebook": self.shown_notebook,
            "first_only_in_pipeline": self.shown_pipeline,
            "seeded": self.seeded,
            "pipeline_engine": self.pipeline_engine,
        }


def compare_values(
    name: str, kind: str, notebook: Captured, pipeline: Any, cell: int | None = None, rtol: float = cmp.RTOL, atol: float = cmp.ATOL
) -> DatasetResult:
    """The verdict on the notebook's value against the pipeline's.

    Args:
        name: the variable name (or a cell's label) for the report.
        kind: see :class:`DatasetResult`.
        notebook: the notebook's value as recorded.
        pipeline: the pipeline's value: a :class:`Captured`, None (no such name), or any other object.
        cell: the cell the values belong to (None: the end of the notebook).
    """
    result = DatasetResult(name, kind, NOT_COMPARABLE, cell=cell, rows_notebook=notebook.rows)
    if notebook.problem is not None:
        result.message = f"the notebook's value: {notebook.problem}"
        return result
    if pipeline is None:
        result.verdict = MISSING
        result.message = "the pipeline has no such name" if kind != "display" else f"the pipeline has no {name} at the end of cell {cell}"
        return result
    if not isinstance(pipeline, Captured):
        result.message = f"the pipeline's {name} is a {type(pipeline).__module__}.{type(pipeline).__name__}, not a DataFrame"
        return result
    if pipeline.problem is not None:
        result.message = f"the pipeline's value: {pipeline.problem}"
        result.rows_pipeline = pipeline.rows
        return result
    try:
        expected, notes_nb = as_table(notebook.value)
        actual, notes_pl = as_table(pipeline.value)
    except (ValueError, TypeError) as exc:
        result.message = f"cannot turn the index into columns: {exc}"
        return result
    if expected.columns.duplicated().any() or actual.columns.duplicated().any():
        side = "notebook" if expected.columns.duplicated().any() else "pipeline"
        result.message = f"the {side}'s value has duplicate column names"
        return result
    try:
        return _compare_tables(result, expected, actual, notes_nb, notes_pl, pipeline, rtol, atol)
    except Exception as exc:  # noqa: BLE001 - unhashable or exotic cells: reported, never a crash
        result.message = f"cannot compare: {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
        return result


def _compare_tables(
    result: DatasetResult, expected: pd.DataFrame, actual: pd.DataFrame, notes_nb: list[str], notes_pl: list[str], pipeline: Captured, rtol: float, atol: float
) -> DatasetResult:
    result.notes = [f"notebook: {n}" for n in notes_nb] + [f"pipeline: {n}" for n in notes_pl]
    result.pipeline_engine = "spark" if pipeline.spark else "pandas"
    result.rows_notebook, result.rows_pipeline = len(expected), len(actual)
    result.columns_notebook, result.columns_pipeline = list(expected.columns), list(actual.columns)
    mapping = match_columns(list(expected.columns), list(actual.columns))
    renamed = {c: p for c, p in mapping.items() if c != p}
    if renamed:
        result.notes.append("columns matched by the naming rules: " + ", ".join(f"{c} = {p}" for c, p in renamed.items()))
        expected = expected.rename(columns=renamed)
    for column in expected.columns:
        if column in actual.columns:
            a, b = family(expected[column]), family(actual[column])
            if a != b and "empty" not in (a, b):
                result.dtypes.append({"column": column, "notebook": a, "pipeline": b})
    comparison = cmp.compare_frames(expected, actual, rtol=rtol, atol=atol)
    result.shown_notebook, result.shown_pipeline = comparison.shown_notebook, comparison.shown_pipeline
    problems = [comparison.describe()] if not comparison.equal else []
    result.order = "multiset"
    if pipeline.sort and comparison.equal and pipeline.sort[0][0] in expected.columns:
        key, descending = pipeline.sort[0]
        result.order = f"in order on {key} {'desc' if descending else 'asc'}"
        position = _first_out_of_order(expected, actual, [key], rtol, atol)
        if position is not None:
            problems.append(f"rows in another order: the pipeline sorts on {key}, row {position + 1} differs")
            result.shown_notebook = [cmp._row(expected, position)] if position < len(expected) else []
            result.shown_pipeline = [cmp._row(actual, position)] if position < len(actual) else []
    result.verdict = DIFFERENT if problems else EQUAL
    result.message = "; ".join(problems) if problems else f"{len(expected)} rows, {len(expected.columns)} columns"
    return result


def _first_out_of_order(expected: pd.DataFrame, actual: pd.DataFrame, keys: list[str], rtol: float, atol: float) -> int | None:
    """The first row position where the sort keys differ between the sides, or None."""
    if any(k not in expected.columns for k in keys):
        return None
    left = cmp._keys(expected, keys)
    right = cmp._keys(actual, keys)
    for i, (a, b) in enumerate(zip(right, left)):
        if not cmp._close(a, b, rtol, atol):
            return i
    return None if len(left) == len(right) else min(len(left), len(right))


def summarise(results: list[DatasetResult]) -> dict[str, Any]:
    """The notebook verdict: ``equal`` only when something was compared and all of it is equal.

    Displayed expressions verify converted itself (kind ``expression``) are counted apart
    (``expressions_compared``, ``expressions_equal``): the package does not compute them. Values
    only a step that run() does not call computes (``datasets_not_run``) are neither compared nor
    missing: a notebook where they are all there is reads ``nothing compared``, never ``equal``.
    """
    probes = [r for r in results if r.kind == "expression" and r.compared]
    results = [r for r in results if r.kind != "expression"]
    compared = [r for r in results if r.compared]
    equal = [r for r in compared if r.verdict == EQUAL]
    missing = [r for r in results if r.verdict in (MISSING, EXTRA)]
    if not compared:
        verdict = "nothing compared" if not missing else "different"
    elif len(equal) < len(compared) or missing:
        verdict = "different"
    else:
        verdict = "equal"
    return {
        "verdict": verdict,
        "datasets_compared": len(compared),
        "datasets_equal": len(equal),
        "datasets_different": len(compared) - len(equal),
        "datasets_missing": len(missing),
        "datasets_not_comparable": sum(1 for r in results if r.verdict == NOT_COMPARABLE),
        "datasets_not_run": sum(1 for r in results if r.verdict == NOT_RUN),
        "datasets_compared_on_spark": sum(1 for r in compared if r.pipeline_engine == "spark"),
        "expressions_compared": len(probes),
        "expressions_equal": sum(1 for r in probes if r.verdict == EQUAL),
    }

