"""Run a notebook (pandas, nbclient) and its converted pipeline (Spark) on the same inputs; compare.

:func:`verify_notebook` is the whole job; ``nb2prod verify`` prints what it returns. It needs
PySpark, pandas and nbclient (``pip install 'nb2prod[spark,notebook]'``), imported here only.
"""

from __future__ import annotations

import importlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from nb2prod.verify import compare as cmp
from nb2prod.verify import workspace as ws

#: verdicts that make verify fail (exit status 1)
FAILING = ("DIFF", "MISSING", "EXTRA")
#: errors of the machine, not of the conversion (exit status 2 when a pipeline step raises them)
ENVIRONMENT_ERRORS = ("ImportError", "ModuleNotFoundError", "MemoryError", "Py4JNetworkError", "Py4JError", "ConnectionRefusedError")
ENVIRONMENT_TEXT = ("No space left on device", "java.lang.OutOfMemoryError", "JAVA_GATEWAY_EXITED", "Java gateway process exited")


class VerifyError(Exception):
    """Verify could not run (exit status 2): one line for the user."""

    def __init__(self, message: str, exit_code: int = 2) -> None:
        super().__init__(message)
        self.exit_code = exit_code


@dataclass
class OutputResult:
    """The verdict on one dataset the notebook (or only the pipeline) wrote."""

    name: str  # path relative to the notebook's directory
    verdict: str  # OK, DIFF, MISSING (not written by the pipeline), EXTRA (only by the pipeline), SKIP
    format: str | None = None
    message: str = ""
    comparison: cmp.Comparison | None = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"name": self.name, "verdict": self.verdict, "format": self.format, "message": self.message}
        c = self.comparison
        if c is not None:
            out.update(
                rows_notebook=c.rows_notebook,
                rows_pipeline=c.rows_pipeline,
                columns_notebook=c.columns_notebook,
                columns_pipeline=c.columns_pipeline,
                only_in_notebook=c.only_in_notebook,
                only_in_pipeline=c.only_in_pipeline,
                first_only_in_notebook=c.shown_notebook,
                first_only_in_pipeline=c.shown_pipeline,
            )
        return out


@dataclass
class VerifyResult:
    """Everything verify found; :attr:`exit_code` 0 equal, 1 different, 2 could not run."""

    notebook: str
    package: str | None = None
    sample_rows: int | None = None
    rtol: float = cmp.RTOL
    atol: float = cmp.ATOL
    inputs: list[str] = field(default_factory=list)
    outputs: list[OutputResult] = field(default_factory=list)
    #: {"side": "notebook" | "pipeline" | "setup", "cell": N or None, "type": ..., "message": ...}
    error: dict[str, Any] | None = None
    error_exit_code: int = 2
    workspace: str | None = None

    @property
    def exit_code(self) -> int:
        if self.error is not None:
            return self.error_exit_code
        return 1 if any(o.verdict in FAILING for o in self.outputs) else 0

    @property
    def status(self) -> str:
        return {0: "equal", 1: "different", 2: "error"}[self.exit_code]

    def to_json(self) -> dict[str, Any]:
        return {
            "notebook": self.notebook,
            "package": self.package,
            "status": self.status,
            "exit_code": self.exit_code,
            "sample_rows": self.sample_rows,
            "tolerance": {"rtol": self.rtol, "atol": self.atol, "null_equals_nan": True, "row_order": "not compared (multisets)"},
            "inputs": self.inputs,
            "outputs": [o.to_json() for o in self.outputs],
            "error": self.error,
        }


def verify_notebook(
    notebook: str | Path,
    package: str | Path | None = None,
    sample_rows: int | None = None,
    rtol: float = cmp.RTOL,
    atol: float = cmp.ATOL,
    timeout: int = 600,
    spark: Any = None,
    kernel_name: str = "python3",
    keep_workspace: bool = False,
) -> VerifyResult:
    """Run the notebook and its pipeline on copies of the same inputs and compare what they write.

    Args:
        notebook: the ``.ipynb``; neither it nor anything beside it is written.
        package: a package ``nb2prod convert`` wrote; default: convert the notebook into a temporary one.
        sample_rows: keep the header and the first N rows of each CSV / JSON-lines input.
        rtol, atol: numeric tolerance (``abs(pipeline - notebook) <= atol + rtol * abs(notebook)``).
        timeout: seconds per notebook cell.
        spark: a SparkSession to use; default: a local one is started (and stopped afterwards).
        kernel_name: the Jupyter kernel that runs the notebook.
        keep_workspace: leave the temporary workspace in place (its path in ``result.workspace``).

    Returns:
        A :class:`VerifyResult`; a notebook that fails by itself, or a pipeline that cannot run, is
        in ``result.error``.

    Raises:
        VerifyError: the notebook or the package cannot be read, or the inputs cannot be laid out.
    """
    from nb2prod.errors import Nb2ProdError
    from nb2prod.notebook import load_notebook

    notebook = Path(notebook)
    try:
        load_notebook(notebook)
    except Nb2ProdError as exc:
        raise VerifyError(str(exc)) from None
    result = VerifyResult(str(notebook), sample_rows=sample_rows, rtol=rtol, atol=atol)
    tmp = Path(tempfile.mkdtemp(prefix="nb2prod-verify-"))
    try:
        package_dir, name = _package(notebook, package, tmp)
        result.package = str(package_dir) if package is not None else None
        values = ws.setting_values(_base_config(package_dir, name))
        try:
            pandas_ws, spark_ws, inputs = ws.build(notebook, values, tmp / "workspace", sample_rows)
        except (ws.WorkspaceError, OSError) as exc:
            raise VerifyError(f"{notebook}: {exc}") from None
        base = notebook.resolve().parent
        result.inputs = sorted(os.path.relpath(p, base) for p in inputs)

        before = ws.snapshot(pandas_ws.root)
        error = run_notebook(pandas_ws.notebook, pandas_ws.notebook_dir, timeout, kernel_name)
        if error is not None:
            result.error = error
            return result
        notebook_outputs = ws.written(before, ws.snapshot(pandas_ws.root))

        own_session = False
        if spark is None:
            spark, own_session = local_session()
        try:
            before = ws.snapshot(spark_ws.root)
            error, code = run_pipeline(package_dir, name, spark_ws.notebook_dir, spark)
            pipeline_outputs = ws.written(before, ws.snapshot(spark_ws.root))
        finally:
            if own_session:
                spark.stop()
        if error is not None:
            result.error, result.error_exit_code = error, code
            return result

        result.outputs = compare_outputs(pandas_ws, spark_ws, notebook_outputs, pipeline_outputs, rtol, atol)
        return result
    finally:
        if keep_workspace:
            result.workspace = str(tmp)
        else:
            shutil.rmtree(tmp, ignore_errors=True)


def _package(notebook: Path, package: str | Path | None, tmp: Path) -> tuple[Path, str]:
    """The package directory and its Python package name (converting into ``tmp`` when not given)."""
    if package is None:
        from nb2prod.convert.package import convert_notebook
        from nb2prod.errors import Nb2ProdError

        try:
            converted = convert_notebook(notebook, tmp / "package")
        except Nb2ProdError as exc:
            raise VerifyError(str(exc)) from None
        return converted.outdir, converted.name
    package_dir = Path(package)
    try:
        name = json.loads((package_dir / "conversion.json").read_text(encoding="utf-8"))["package"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise VerifyError(f"{package_dir}: not a package written by nb2prod convert (conversion.json: {exc})") from None
    if not (package_dir / "src" / name / "pipeline.py").is_file():
        raise VerifyError(f"{package_dir}: no src/{name}/pipeline.py")
    return package_dir, name


def _base_config(package_dir: Path, name: str) -> Any:
    path = package_dir / "src" / name / "conf" / "base.yaml"
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise VerifyError(f"{path}: {exc}") from None


# -- the notebook -----------------------------------------------------------------------------


def run_notebook(path: Path, cwd: Path, timeout: int, kernel_name: str) -> dict[str, Any] | None:
    """Execute the notebook in ``cwd``; None when it ran, else the error (cell numbered as nb2prod does)."""
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import (
        CellExecutionError,
        CellTimeoutError,
        DeadKernelError,
    )

    nb = nbformat.read(path, as_version=4)
    current: dict[str, int] = {}

    def started(cell: Any, cell_index: int) -> None:
        current["index"] = cell_index

    client = NotebookClient(
        nb, timeout=timeout, kernel_name=kernel_name, resources={"metadata": {"path": str(cwd)}}, on_cell_start=started
    )

    def cell() -> int | None:  # nbclient's index is 0-based over all cells; nb2prod numbers from 1
        return current["index"] + 1 if "index" in current else None

    try:
        client.execute(stderr=subprocess.DEVNULL)
    except CellExecutionError as exc:
        return {
            "side": "notebook",
            "cell": cell(),
            "type": exc.ename,
            "message": _first_line(exc.evalue),
        }
    except CellTimeoutError:
        return {"side": "notebook", "cell": cell(), "type": "Timeout", "message": f"the cell ran longer than {timeout} s (--timeout)"}
    except DeadKernelError as exc:
        return {"side": "notebook", "cell": cell(), "type": "DeadKernelError", "message": _first_line(str(exc))}
    except Exception as exc:  # noqa: BLE001 - no such kernel, cannot start it: reported, not raised
        return {"side": "setup", "cell": None, "type": type(exc).__name__, "message": f"cannot run the notebook with kernel {kernel_name!r}: {_first_line(str(exc))}"}
    return None


# -- the pipeline -----------------------------------------------------------------------------


def local_session() -> tuple[Any, bool]:
    """A local SparkSession for verify (``local[*]``, no UI, few shuffle partitions, UTC), and whether it is new.

    A session already active in this process is reused (and left running).
    """
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    from pyspark.sql import SparkSession

    active = SparkSession.getActiveSession()
    if active is not None:
        return active, False
    try:
        session = (
            SparkSession.builder.master("local[*]")
            .appName("nb2prod-verify")
            .config("spark.ui.enabled", "false")
            .config("spark.ui.showConsoleProgress", "false")
            .config("spark.sql.shuffle.partitions", "4")
            .config("spark.sql.session.timeZone", "UTC")
            .getOrCreate()
        )
    except Exception as exc:  # noqa: BLE001 - Py4J / gateway errors of every kind
        raise VerifyError(f"cannot start Spark (it needs Java 17): {_first_line(str(exc))}") from None
    session.sparkContext.setLogLevel("ERROR")
    return session, True


def run_pipeline(package_dir: Path, name: str, cwd: Path, spark: Any) -> tuple[dict[str, Any] | None, int]:
    """Import the package's pipeline and run it in ``cwd``; (None, 0) or (the error, its exit status)."""
    src = str((package_dir / "src").resolve())
    saved_path = list(sys.path)
    saved_modules = {m: sys.modules.pop(m) for m in list(sys.modules) if m == name or m.startswith(f"{name}.")}
    old_cwd = os.getcwd()
    sys.path.insert(0, src)
    try:
        try:
            config_module = importlib.import_module(f"{name}.config")
            pipeline = importlib.import_module(f"{name}.pipeline")
        except ImportError as exc:
            return _error("pipeline", None, exc, f"cannot import the pipeline: {exc}"), 2
        except Exception as exc:  # noqa: BLE001 - any error of the generated code is the conversion's
            return _error("pipeline", None, exc, f"the generated pipeline does not import: {type(exc).__name__}: {exc}"), 1
        os.chdir(cwd)  # relative settings resolve here, as in the notebook's directory
        try:
            config = config_module.load_config(environ={})
        except Exception as exc:  # noqa: BLE001 - ConfigError of the generated package
            return _error("pipeline", None, exc, f"cannot load the configuration: {exc}"), 2
        try:
            pipeline.run(spark, config)
        except Exception as exc:  # noqa: BLE001 - StepError, or anything outside a step
            cause = exc.__cause__ if type(exc).__name__ == "StepError" and exc.__cause__ is not None else exc
            match = re.match(r"cell (\d+) failed", str(exc))
            cell = int(match.group(1)) if match else None
            error = _error("pipeline", cell, cause, f"{type(cause).__name__}: {_first_line(str(cause))}")
            return error, 2 if _environment(cause) else 1
        return None, 0
    finally:
        os.chdir(old_cwd)
        sys.path[:] = saved_path
        for module in [m for m in sys.modules if m == name or m.startswith(f"{name}.")]:
            del sys.modules[module]
        sys.modules.update(saved_modules)


def _environment(exc: BaseException) -> bool:
    names = {cls.__name__ for cls in type(exc).__mro__}
    return bool(names & set(ENVIRONMENT_ERRORS)) or any(text in str(exc) for text in ENVIRONMENT_TEXT)


def _error(side: str, cell: int | None, exc: BaseException, message: str) -> dict[str, Any]:
    return {"side": side, "cell": cell, "type": type(exc).__name__, "message": _first_line(message)}


def _first_line(text: str, limit: int = 400) -> str:
    text = re.sub(r"\x1b\[[0-9;]*m", "", str(text)).strip()
    line = text.splitlines()[0] if text else ""
    return line if len(line) <= limit else line[: limit - 3] + "..."


# -- comparing --------------------------------------------------------------------------------


def compare_outputs(
    pandas_ws: ws.Workspace, spark_ws: ws.Workspace, notebook_outputs: list[str], pipeline_outputs: list[str], rtol: float, atol: float
) -> list[OutputResult]:
    """A verdict per dataset: the notebook's, matched by relative path, then those only the pipeline wrote."""
    results: list[OutputResult] = []
    pipeline_set = set(pipeline_outputs)

    def shown(rel: str, side: ws.Workspace) -> str:
        return Path(os.path.relpath(side.root / rel, side.notebook_dir)).as_posix()

    for rel in notebook_outputs:
        nb_path, pl_path = pandas_ws.root / rel, spark_ws.root / rel
        name = shown(rel, pandas_ws)
        fmt = cmp.dataset_format(nb_path)
        if fmt is None:
            results.append(OutputResult(name, "SKIP", None, "not a dataset format verify reads (CSV, Parquet, JSON lines)"))
            continue
        try:
            expected = cmp.read_dataset(nb_path, fmt)
        except Exception as exc:  # noqa: BLE001 - pandas/pyarrow parse errors of every kind
            results.append(OutputResult(name, "SKIP", fmt, f"cannot read the notebook's output: {_first_line(str(exc))}"))
            continue
        if rel not in pipeline_set:
            results.append(OutputResult(name, "MISSING", fmt, "written by the notebook, not by the pipeline"))
            continue
        try:
            actual = cmp.read_dataset(pl_path, cmp.dataset_format(pl_path) or fmt)
        except Exception as exc:  # noqa: BLE001 - pandas/pyarrow parse errors of every kind
            results.append(OutputResult(name, "DIFF", fmt, f"cannot read the pipeline's output: {_first_line(str(exc))}"))
            continue
        comparison = cmp.compare_frames(expected, actual, rtol=rtol, atol=atol)
        if comparison.equal:
            message = f"{comparison.rows_notebook} rows, {len(comparison.columns_notebook)} columns"
            results.append(OutputResult(name, "OK", fmt, message, comparison))
        else:
            results.append(OutputResult(name, "DIFF", fmt, comparison.describe(), comparison))
    covered = set(notebook_outputs)
    for rel in pipeline_outputs:
        if rel in covered or any(rel.startswith(f"{c}/") for c in covered):
            continue
        fmt = cmp.dataset_format(spark_ws.root / rel)
        if fmt is None:
            results.append(OutputResult(shown(rel, spark_ws), "SKIP", None, "written only by the pipeline; not a dataset format verify reads"))
        else:
            results.append(OutputResult(shown(rel, spark_ws), "EXTRA", fmt, "written by the pipeline, not by the notebook"))
    return results
