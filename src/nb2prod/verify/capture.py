"""Record the DataFrames each side holds: in the notebook's kernel and in the pipeline's steps.

Notebook side: :func:`kernel_setup` is the source of an extra first cell verify runs in the kernel
(the notebook file is never changed). It seeds ``random`` and ``numpy``, serves ``--input URL=PATH``
from the local copy, and registers an IPython ``post_run_cell`` hook that pickles, after every
cell, the value the cell displays when it is a pandas DataFrame or Series (and, with
``--per-cell``, every DataFrame/Series bound to a top-level name). :func:`kernel_finish` is the
source of an extra last cell that pickles the named DataFrames/Series the notebook ends with.
Each record is one line of ``manifest.jsonl`` in the capture directory.

Pipeline side: :class:`PipelineRecorder` is registered in the generated package's
``compat.STEP_OBSERVERS``; ``compat.step()`` calls it with the step's name and its caller's
local variables when a step ends. It collects Spark DataFrames with ``toPandas()`` (at most
``max_rows`` rows) and copies pandas values as they are.

A value with more than ``max_rows`` rows is not kept: its record says ``over_cap`` and the
comparison reports it as not comparable.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

#: the default of --max-rows
MAX_ROWS = 1_000_000
#: the first line of the injected cells (the kernel hook ignores them)
MARKER = "# nb2prod-verify: injected cell"

_KERNEL_SETUP = '''{marker} (setup)
def __nb2prod_verify_setup():
    import json, os, pickle, random, sys
    out, max_rows, per_cell, inputs, seed = {out!r}, {max_rows!r}, {per_cell!r}, {inputs!r}, {seed!r}
    if seed:
        random.seed(0)
        try:
            import numpy
            numpy.random.seed(0)
        except ImportError:
            pass
    state = {{"seq": 0}}

    def frames():
        import pandas as pd
        ns = get_ipython().user_ns
        return {{k: v for k, v in list(ns.items()) if not k.startswith("_") and isinstance(v, (pd.DataFrame, pd.Series))}}

    def save(kind, seq, name, value):
        record = {{"kind": kind, "seq": seq, "name": name, "type": type(value).__name__, "rows": int(len(value))}}
        if len(value) > max_rows:
            record["over_cap"] = True
        else:
            path = os.path.join(out, f"{{kind}}-{{seq}}-{{len(os.listdir(out))}}.pkl")
            try:
                with open(path, "wb") as handle:
                    pickle.dump(value, handle, protocol=pickle.HIGHEST_PROTOCOL)
                record["file"] = path
            except Exception as exc:
                record["error"] = f"cannot pickle: {{type(exc).__name__}}: {{exc}}"
        with open(os.path.join(out, "manifest.jsonl"), "a", encoding="utf-8") as handle:
            handle.write(json.dumps(record) + "\\n")

    def hook(result):
        import pandas as pd
        raw = getattr(result.info, "raw_cell", "") or ""
        if raw.startswith({marker!r}):
            return
        state["seq"] += 1
        seq = state["seq"]
        if result.error_before_exec is not None or result.error_in_exec is not None:
            return
        value = result.result
        if isinstance(value, (pd.DataFrame, pd.Series)):
            save("display", seq, None, value)
        if per_cell:
            for name, value in sorted(frames().items()):
                save("cell", seq, name, value)

    get_ipython().events.register("post_run_cell", hook)
    if inputs:
        import pandas as pd
        import functools

        def serve(reader):
            @functools.wraps(reader)
            def read(path, *args, **kwargs):
                return reader(inputs.get(path, path) if isinstance(path, str) else path, *args, **kwargs)
            return read

        for name in ("read_csv", "read_table", "read_json", "read_excel", "read_parquet", "read_fwf"):
            if hasattr(pd, name):
                setattr(pd, name, serve(getattr(pd, name)))

    def finish():
        for name, value in sorted(frames().items()):
            save("end", 0, name, value)
        others = {{}}
        for name, value in list(get_ipython().user_ns.items()):
            if name.startswith("_") or name in ("In", "Out", "exit", "quit", "get_ipython"):
                continue
            module = type(value).__module__ or ""
            if module.split(".")[0] in ("sklearn", "xgboost", "lightgbm", "statsmodels", "matplotlib", "seaborn", "plotly", "torch", "tensorflow", "keras", "scipy") or type(value).__name__ == "ndarray":
                others[name] = f"{{module}}.{{type(value).__name__}}"
        with open(os.path.join(out, "others.json"), "w", encoding="utf-8") as handle:
            json.dump({{"others": others, "python": sys.executable}}, handle)

    return finish


__nb2prod_verify_finish = __nb2prod_verify_setup()
del __nb2prod_verify_setup
'''

_KERNEL_FINISH = """{marker} (finish)
__nb2prod_verify_finish()
del __nb2prod_verify_finish
"""


def kernel_setup(out: Path, max_rows: int, per_cell: bool, inputs: Mapping[str, str], seed: bool) -> str:
    """The source of the cell verify runs first in the notebook's kernel.

    Args:
        out: an existing empty directory the kernel writes its records (pickles, manifest) to.
        max_rows: values with more rows are recorded as ``over_cap`` and not kept.
        per_cell: also record every named DataFrame/Series at the end of each cell.
        inputs: ``--input`` URL -> local path, served by pandas' readers in the kernel.
        seed: seed ``random`` and ``numpy.random`` with 0 (the notebook sets no seed itself).
    """
    return _KERNEL_SETUP.format(marker=MARKER, out=str(out), max_rows=max_rows, per_cell=per_cell, inputs=dict(inputs), seed=seed)


def kernel_finish() -> str:
    """The source of the cell verify runs last: records the named DataFrames/Series the notebook ends with."""
    return _KERNEL_FINISH.format(marker=MARKER)


@dataclass
class Captured:
    """One recorded value: a DataFrame/Series as pandas (``value``), or why it was not kept (``problem``)."""

    value: Any = None
    rows: int | None = None
    problem: str | None = None
    #: the Spark sort the pipeline's value keeps: [(column, descending)], None when unsorted or pandas
    sort: list[tuple[str, bool]] | None = None
    #: collected from a Spark DataFrame (else a pandas value)
    spark: bool = False


@dataclass
class NotebookCapture:
    """What the kernel recorded: by cell number (nb2prod's numbering) and at the end."""

    end: dict[str, Captured] = field(default_factory=dict)
    #: cell number -> the DataFrame/Series the cell displays
    display: dict[int, Captured] = field(default_factory=dict)
    #: cell number -> name -> value at the end of the cell (--per-cell)
    cells: dict[int, dict[str, Captured]] = field(default_factory=dict)
    #: names bound to values verify cannot compare (models, plots, arrays) -> their type
    others: dict[str, str] = field(default_factory=dict)
    python: str | None = None


def read_kernel_capture(out: Path, cell_numbers: list[int], max_rows: int) -> NotebookCapture:
    """Load what the kernel wrote into ``out``.

    Args:
        out: the capture directory given to :func:`kernel_setup`.
        cell_numbers: nb2prod's number (1-based, markdown counted) of the n-th executed code cell.
        max_rows: the cap, for the ``over_cap`` message.
    """
    import pickle

    capture = NotebookCapture()
    manifest = out / "manifest.jsonl"
    lines = manifest.read_text(encoding="utf-8").splitlines() if manifest.is_file() else []
    for line in lines:
        record = json.loads(line)
        if record.get("over_cap"):
            item = Captured(rows=record["rows"], problem=f"{record['rows']} rows, more than --max-rows {max_rows}")
        elif "error" in record:
            item = Captured(rows=record["rows"], problem=record["error"])
        else:
            with open(record["file"], "rb") as handle:
                item = Captured(value=pickle.load(handle), rows=record["rows"])  # noqa: S301 - written by our own hook
        seq = record["seq"]
        cell = cell_numbers[seq - 1] if 0 < seq <= len(cell_numbers) else None
        if record["kind"] == "end":
            capture.end[record["name"]] = item
        elif record["kind"] == "display" and cell is not None:
            capture.display[cell] = item
        elif record["kind"] == "cell" and cell is not None:
            capture.cells.setdefault(cell, {})[record["name"]] = item
    others = out / "others.json"
    if others.is_file():
        data = json.loads(others.read_text(encoding="utf-8"))
        capture.others, capture.python = data.get("others", {}), data.get("python")
    return capture


# -- the pipeline ------------------------------------------------------------------------------

_SORT_KEY = re.compile(r"([^\[\], ][^\[\],]*?)#\d+L?\s+(ASC|DESC)")
_PASS_THROUGH = ("Project", "GlobalLimit", "LocalLimit", "Filter", "SubqueryAlias")


def spark_sort(df: Any) -> list[tuple[str, bool]] | None:
    """The sort a Spark DataFrame's rows come out in: [(column, descending)], or None.

    Read from the optimized logical plan: a ``Sort`` at its root, or under projections,
    filters and limits (which keep the order). Only sort keys that are output columns count.
    """
    try:
        plan = df._jdf.queryExecution().optimizedPlan().toString()
    except Exception:  # noqa: BLE001 - a plan that cannot be printed: no order claimed
        return None
    for line in plan.splitlines():
        node = line.lstrip(" :+-")
        if node.startswith("Sort ["):
            keys = [(m.group(1).strip("`"), m.group(2) == "DESC") for m in _SORT_KEY.finditer(node)]
            columns = set(df.columns)
            out = []
            for key in keys:
                if key[0] not in columns:
                    break
                out.append(key)
            return out or None
        if not node.startswith(_PASS_THROUGH):
            return None
    return None


def to_pandas(value: Any, max_rows: int) -> Captured | None:
    """A pandas copy of a DataFrame/Series value of either kind, or None when it is neither.

    Spark DataFrames are collected with ``limit(max_rows + 1).toPandas()``; more than
    ``max_rows`` rows is recorded as a problem, not kept.
    """
    import pandas as pd

    if isinstance(value, pd.DataFrame | pd.Series):
        if len(value) > max_rows:
            return Captured(rows=len(value), problem=f"{len(value)} rows, more than --max-rows {max_rows}")
        return Captured(value=value.copy(), rows=len(value))
    try:
        from pyspark.sql import DataFrame as SparkFrame
    except ImportError:  # pragma: no cover - verify needs PySpark
        return None
    if isinstance(value, SparkFrame):
        try:
            frame = value.limit(max_rows + 1).toPandas()
        except Exception as exc:  # noqa: BLE001 - a Spark error while collecting is the pipeline's
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
            return Captured(problem=f"cannot collect the Spark DataFrame: {type(exc).__name__}: {first[:300]}")
        if len(frame) > max_rows:
            return Captured(rows=len(frame), problem=f"more than --max-rows {max_rows} rows")
        return Captured(value=frame, rows=len(frame), sort=spark_sort(value), spark=True)
    return None


def describe_type(value: Any) -> str:
    """``pyspark.sql.column.Column`` for a report."""
    return f"{type(value).__module__}.{type(value).__name__}"


def _snapshot(value: Any) -> Any:
    """What to keep of a value at a step's end: a copy of a pandas value, a Spark DataFrame itself (it never changes)."""
    import pandas as pd

    if isinstance(value, pd.DataFrame | pd.Series):
        return value.copy()
    return value


@dataclass
class PipelineRecorder:
    """The observer verify registers in ``compat.STEP_OBSERVERS``.

    At each step's end it keeps references (copies of pandas values); :meth:`finish` collects
    them once the pipeline has run.

    Args:
        max_rows: the row cap for collected values.
        compare_cells: keep every value at the end of every cell (``--per-cell``).
        displays: cell number -> the name the notebook displays at the end of that cell; its value
            is the pipeline's at the end of the last step at or before that cell (a cell that only
            shows a name has no step of its own).
    """

    max_rows: int = MAX_ROWS
    compare_cells: bool = False
    displays: dict[int, str] = field(default_factory=dict)
    #: the last step's local variables (references)
    last_locals: dict[str, Any] = field(default_factory=dict)
    cells: dict[int, dict[str, Captured]] = field(default_factory=dict)
    display: dict[int, Captured] = field(default_factory=dict)
    _cells: dict[int, dict[str, Any]] = field(default_factory=dict)
    _display: dict[int, Any] = field(default_factory=dict)
    #: id of a Spark DataFrame -> (it, its collected copy): each is collected once
    _collected: dict[int, tuple[Any, Captured | None]] = field(default_factory=dict)
    #: what :meth:`finish` returned
    end: dict[str, Any] = field(default_factory=dict)
    #: the notebook cells of the steps that ran (observed at a step's or a cell's end)
    ran_cells: set[int] = field(default_factory=set)
    #: every step of the pipeline (``pipeline.STEPS``) as (name, cells, outputs), set after the run
    steps: list[tuple[str, tuple[int, ...], tuple[str, ...]]] = field(default_factory=list)

    def _collect(self, value: Any) -> Captured | None:
        import pandas as pd

        if isinstance(value, pd.DataFrame | pd.Series):
            return to_pandas(value, self.max_rows)
        seen = self._collected.get(id(value))
        if seen is not None and seen[0] is value:
            return seen[1]
        captured = to_pandas(value, self.max_rows)
        self._collected[id(value)] = (value, captured)
        return captured

    @property
    def per_cell(self) -> bool:
        """Whether ``compat.step`` calls this observer at the end of each cell of a step of several
        cells: for ``--per-cell``, and for a displayed name, whose value is the one at the end of
        its own cell (later cells of the same step may change it: ``data['e'] = 1.25``)."""
        return self.compare_cells or bool(self.displays)

    def __call__(self, name: str, local_vars: Mapping[str, Any]) -> None:
        match = re.fullmatch(r"cell (\d+)", name)
        cell = int(match.group(1)) if match else None
        cells = local_vars.get("__step_cells__")  # a step function (several cells): the names at its end
        first = cell
        if cells:
            self.ran_cells.update(cells)
            first, cell = min(cells), max(cells)
            self.last_locals.update(local_vars)  # a step function sees its own names: keep the earlier steps'
        else:
            self.last_locals = dict(local_vars)
        if cell is None:
            return
        self.ran_cells.add(cell)
        local_vars = self.last_locals
        for shown_cell, shown in self.displays.items():
            if shown_cell >= first and shown in local_vars:
                self._display[shown_cell] = _snapshot(local_vars[shown])
        if self.compare_cells:
            self._cells[cell] = {k: _snapshot(v) for k, v in local_vars.items() if not k.startswith("_")}

    def steps_not_run(self) -> list[tuple[str, tuple[int, ...], tuple[str, ...]]]:
        """The steps of :attr:`steps` none of whose cells the observer saw end: after a run that
        ended without error, the steps ``run()`` does not call (dead steps, reported by convert)."""
        return [s for s in self.steps if s[1] and not set(s[1]) & self.ran_cells]

    def finish(self) -> dict[str, Any]:
        """Collect what the steps kept; the pipeline's names after its last step.

        Returns:
            name -> :class:`Captured` for DataFrames/Series (Spark or pandas), else the value itself.
            :attr:`display` and :attr:`cells` are filled in too.
        """
        for shown_cell, value in self._display.items():
            if isinstance(value, BaseException):  # a guarded displayed expression that failed on Spark
                first = str(value).strip().splitlines()[0][:300] if str(value).strip() else ""
                self.display[shown_cell] = Captured(problem=f"the converted expression fails in the pipeline: {type(value).__name__}: {first}")
                continue
            captured = self._collect(value)
            self.display[shown_cell] = captured if captured is not None else Captured(problem=f"the pipeline's {self.displays[shown_cell]} is a {describe_type(value)}")
        for cell, names in self._cells.items():
            self.cells[cell] = {k: c for k, v in names.items() if (c := self._collect(v)) is not None}
        out: dict[str, Any] = {}
        for key, value in self.last_locals.items():
            if key.startswith("_"):
                continue
            captured = self._collect(value)
            out[key] = captured if captured is not None else value
        self.end = out
        return out
