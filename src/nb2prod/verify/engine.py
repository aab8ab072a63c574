"""Run a notebook (pandas, nbclient) and its converted pipeline (Spark) on the same inputs; compare.

:func:`verify_notebook` is the whole job; ``nb2prod verify`` prints what it returns. It needs
PySpark, pandas and nbclient (``pip install 'nb2prod[spark,notebook]'``), imported here only.
"""

from __future__ import annotations

import contextlib
import importlib
import json
import logging
import os
import re
import shutil
import subprocess
import sys
import tempfile
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from nb2prod.convert.steps import OBSERVED_PREFIX
from nb2prod.verify import capture as cap
from nb2prod.verify import compare as cmp
from nb2prod.verify import datasets as ds
from nb2prod.verify import workspace as ws

#: a file output's verdict -> the dataset verdict
FILE_VERDICTS = {"OK": ds.EQUAL, "DIFF": ds.DIFFERENT, "MISSING": ds.MISSING, "EXTRA": ds.EXTRA, "SKIP": ds.NOT_COMPARABLE}
#: notebook code that draws random numbers, and code that seeds them
RANDOM_CALL = re.compile(r"\b(np|numpy)\.random\.|\brandom\.\w+\(|\.sample\(|train_test_split|\bRandom\w+\(|KMeans\(|default_rng\(|\bshuffle\(")
SEEDING = re.compile(r"\bseed\(|random_state\s*=\s*\d|default_rng\(\s*\d")
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
    #: every value compared (or not): files, names at the end, displayed values, --per-cell names
    datasets: list[ds.DatasetResult] = field(default_factory=list)
    #: with --per-cell: the first cell at whose end a named DataFrame differs, and the names
    first_difference: dict[str, Any] | None = None
    per_cell: bool = False
    max_rows: int = cap.MAX_ROWS
    #: "seeded by verify" when the notebook draws random numbers without setting a seed
    randomness: str | None = None
    served_inputs: dict[str, str] = field(default_factory=dict)
    kernel_python: str | None = None
    #: {"side": "notebook" | "pipeline" | "setup", "cell": N or None, "type": ..., "message": ...}
    error: dict[str, Any] | None = None
    error_exit_code: int = 2
    workspace: str | None = None

    @property
    def summary(self) -> dict[str, Any]:
        """``verdict`` (equal, different, nothing compared, error), ``datasets_compared``, ``datasets_equal``, ..."""
        out = ds.summarise(self.datasets)
        if self.error is not None:
            out["verdict"] = "error" if self.error_exit_code == 2 else "different"
        return out

    @property
    def exit_code(self) -> int:
        """0 equal; 1 different, nothing compared, or a failing pipeline step; 2 could not run."""
        if self.error is not None:
            return self.error_exit_code
        return 0 if self.summary["verdict"] == "equal" else 1

    @property
    def status(self) -> str:
        return self.summary["verdict"]

    def to_json(self) -> dict[str, Any]:
        summary = self.summary
        return {
            "notebook": self.notebook,
            "package": self.package,
            "status": self.status,
            "exit_code": self.exit_code,
            "verdict": summary["verdict"],
            "datasets_compared": summary["datasets_compared"],
            "datasets_equal": summary["datasets_equal"],
            "summary": summary,
            "sample_rows": self.sample_rows,
            "max_rows": self.max_rows,
            "per_cell": self.per_cell,
            "tolerance": {
                "rtol": self.rtol,
                "atol": self.atol,
                "null_equals_nan": True,
                "row_order": "multisets; in order on the sort keys where the pipeline's Spark value keeps a sort",
            },
            "randomness": self.randomness,
            "served_inputs": self.served_inputs,
            "kernel_python": self.kernel_python,
            "inputs": self.inputs,
            "outputs": [o.to_json() for o in self.outputs],
            "datasets": [d.to_json() for d in self.datasets],
            "first_difference": self.first_difference,
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
    kernel_name: str | None = None,
    keep_workspace: bool = False,
    max_rows: int = cap.MAX_ROWS,
    per_cell: bool = False,
    inputs: dict[str, str] | None = None,
    progress: Callable[[str], None] | None = None,
) -> VerifyResult:
    """Run the notebook and its pipeline on copies of the same inputs and compare what they write.

    Args:
        notebook: the ``.ipynb``; neither it nor anything beside it is written.
        package: a package ``nb2prod convert`` wrote; default: convert the notebook into a temporary one.
        sample_rows: keep the header and the first N rows of each CSV / JSON-lines input.
        rtol, atol: numeric tolerance (``abs(pipeline - notebook) <= atol + rtol * abs(notebook)``).
        timeout: seconds per notebook cell.
        spark: a SparkSession to use; default: a local one is started (and stopped afterwards).
        kernel_name: the Jupyter kernel that runs the notebook; default: one on this Python
            (the pipeline's), or ``python3`` when ipykernel is not installed here.
        keep_workspace: leave the temporary workspace in place (its path in ``result.workspace``).
        max_rows: values with more rows are not compared (reported as not comparable).
        per_cell: also compare the named DataFrames at the end of every cell, and find the
            first cell where they part ways (``result.first_difference``).
        inputs: URL -> local file: the notebook's and the pipeline's reads of URL read the file.
        progress: called with one line per notebook cell and pipeline step as they run.

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
    result = VerifyResult(str(notebook), sample_rows=sample_rows, rtol=rtol, atol=atol, per_cell=per_cell, max_rows=max_rows)
    served = {url: str(Path(path).resolve()) for url, path in (inputs or {}).items()}
    for url, path in served.items():
        if not Path(path).is_file():
            raise VerifyError(f"--input {url}={path}: no such file")
    result.served_inputs = served
    say = progress or (lambda line: None)
    tmp = Path(tempfile.mkdtemp(prefix="nb2prod-verify-"))
    try:
        package_dir, name = _package(notebook, package, tmp)
        result.package = str(package_dir) if package is not None else None
        code_source = "\n".join(c.source for c in load_notebook(notebook).cells if c.cell_type == "code")
        # the settings, and the relative paths the code names (files read by cells left in pandas)
        values = ws.setting_values(_base_config(package_dir, name)) + _relative_literals(code_source, notebook.resolve().parent)
        try:
            pandas_ws, spark_ws, inputs = ws.build(notebook, values, tmp / "workspace", sample_rows)
        except (ws.WorkspaceError, OSError) as exc:
            raise VerifyError(f"{notebook}: {exc}") from None
        base = notebook.resolve().parent
        result.inputs = sorted(os.path.relpath(p, base) for p in inputs)

        seed = not SEEDING.search(code_source)
        if seed and RANDOM_CALL.search(code_source):
            result.randomness = "the notebook draws random numbers without a seed: verify seeded random and numpy.random with 0 on both sides"
        capture_dir = tmp / "capture"
        capture_dir.mkdir()
        before = ws.snapshot(pandas_ws.root)
        say(f"notebook: running {notebook.name} in a kernel")
        error, cell_numbers, shown = run_notebook(
            pandas_ws.notebook, pandas_ws.notebook_dir, timeout, kernel_name,
            capture_dir=capture_dir, max_rows=max_rows, per_cell=per_cell, inputs=served, seed=seed, progress=say, tmp=tmp,
        )  # fmt: skip
        if error is not None:
            result.error = error
            return result
        notebook_outputs = ws.written(before, ws.snapshot(pandas_ws.root))
        captured = cap.read_kernel_capture(capture_dir, cell_numbers, max_rows)
        result.kernel_python = captured.python
        expressions: dict[int, str] = {}
        if package is None:
            # the conversion drops displayed expressions (LG103): convert them bound to a name
            package_dir, expressions = _convert_displays(spark_ws.notebook, package_dir, name, sorted(set(captured.display) - set(shown)), tmp)
            shown = {**shown, **{cell: _shown_name(cell) for cell in expressions}}
        recorder = cap.PipelineRecorder(max_rows=max_rows, compare_cells=per_cell, displays={c: n for c, n in shown.items() if c in captured.display})

        own_session = False
        if spark is None:
            spark, own_session = local_session()
        try:
            before = ws.snapshot(spark_ws.root)
            error, code = run_pipeline(package_dir, name, spark_ws.notebook_dir, spark, recorder=recorder, inputs=served, seed=seed, progress=say)
            pipeline_outputs = ws.written(before, ws.snapshot(spark_ws.root))
            pipeline_end = recorder.end
        finally:
            if own_session:
                spark.stop()
        if error is not None:
            result.error, result.error_exit_code = error, code
            if code == 1 and error.get("cell"):
                # what the steps before the failing one computed: the cells' displayed values, --per-cell names
                before_failure = {c: v for c, v in captured.display.items() if c < error["cell"]}
                partial = cap.NotebookCapture(display=before_failure, cells={c: v for c, v in captured.cells.items() if c < error["cell"]})
                result.datasets = compare_captured(partial, recorder, {}, shown, rtol, atol, result.randomness is not None, expressions, package is None)  # fmt: skip
                if per_cell:
                    result.first_difference = first_difference(partial, recorder, rtol, atol)
            return result

        result.outputs = compare_outputs(pandas_ws, spark_ws, notebook_outputs, pipeline_outputs, rtol, atol)
        say("comparing")
        result.datasets = [_file_dataset(o) for o in result.outputs]
        result.datasets += compare_captured(
            captured, recorder, pipeline_end, shown, rtol, atol, result.randomness is not None, expressions, package is None, _not_run_reasons(package_dir)
        )  # fmt: skip
        if per_cell:
            result.first_difference = first_difference(captured, recorder, rtol, atol)
        return result
    finally:
        if keep_workspace:
            result.workspace = str(tmp)
        else:
            shutil.rmtree(tmp, ignore_errors=True)


def _not_run_reasons(package_dir: Path) -> dict[str, str]:
    """Step name -> why run() does not call it, from the package's ``conversion.json`` (``steps_not_run``:
    ``"step NAME (cell N) is not run by run(): WHY"``); empty when the file says nothing."""
    try:
        lines = json.loads((package_dir / "conversion.json").read_text(encoding="utf-8")).get("steps_not_run") or []
    except (OSError, ValueError, AttributeError):
        return {}
    out = {}
    for line in lines:
        match = re.match(r"step (\w+) \([^)]*\) is not run by run\(\): (.*)", str(line))
        if match:
            out[match.group(1)] = match.group(2)
    return out


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


_LITERAL = re.compile(r"""(?<![\w'"])[rbuf]?(['"])([^'"\n\\{}]{1,300})\1""")


def _relative_literals(source: str, base: Path) -> list[str]:
    """The string literals of the code that are relative paths of existing files or directories below ``base``."""
    out = []
    for match in _LITERAL.finditer(source):
        text = match.group(2).strip()
        if not text or os.path.isabs(text) or "://" in text or text.startswith("~") or ("/" not in text and "." not in text):
            continue
        try:
            path = Path(os.path.normpath(base / text))
            if path.is_relative_to(base) and path != base and path.exists():
                out.append(text)
        except (OSError, ValueError):
            continue
    return sorted(set(out))


def _base_config(package_dir: Path, name: str) -> Any:
    path = package_dir / "src" / name / "conf" / "base.yaml"
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise VerifyError(f"{path}: {exc}") from None


# -- the notebook -----------------------------------------------------------------------------


def run_notebook(
    path: Path,
    cwd: Path,
    timeout: int,
    kernel_name: str | None,
    capture_dir: Path | None = None,
    max_rows: int = cap.MAX_ROWS,
    per_cell: bool = False,
    inputs: dict[str, str] | None = None,
    seed: bool = False,
    progress: Callable[[str], None] | None = None,
    tmp: Path | None = None,
) -> tuple[dict[str, Any] | None, list[int], dict[int, str]]:
    """Execute the notebook in ``cwd``, recording its DataFrames into ``capture_dir``.

    The notebook runs in memory with two extra cells (:func:`capture.kernel_setup` first,
    :func:`capture.kernel_finish` last); the file is only read.

    Returns:
        (None when it ran, else the error with its cell numbered as nb2prod does;
        nb2prod's number of each executed code cell, in order;
        cell number -> the name a cell displays as its last expression).
    """
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import (
        CellExecutionError,
        CellTimeoutError,
        DeadKernelError,
    )

    nb = nbformat.read(path, as_version=4)
    original = len(nb.cells)
    cell_numbers = [i + 1 for i, c in enumerate(nb.cells) if c.cell_type == "code" and c.source.strip()]
    shown = {i + 1: n for i, c in enumerate(nb.cells) if c.cell_type == "code" and (n := _displayed_name(c.source))}
    if capture_dir is not None:
        nb.cells.insert(0, nbformat.v4.new_code_cell(cap.kernel_setup(capture_dir, max_rows, per_cell, inputs or {}, seed)))
        nb.cells.append(nbformat.v4.new_code_cell(cap.kernel_finish()))
    offset = 1 if capture_dir is not None else 0
    current: dict[str, int] = {}
    total = len(cell_numbers)

    def started(cell: Any, cell_index: int) -> None:
        current["index"] = cell_index
        number = cell_index - offset + 1
        if progress is not None and 1 <= number <= original and number in cell_numbers:
            progress(f"notebook: cell {number} ({cell_numbers.index(number) + 1}/{total} code cells)")

    def cell() -> int | None:  # nbclient's index is 0-based over all cells; nb2prod numbers from 1
        if "index" not in current:
            return None
        number = current["index"] - offset + 1
        return number if 1 <= number <= original else None

    km, kernel = _kernel_manager(kernel_name, tmp)
    client = NotebookClient(
        nb, timeout=timeout, kernel_name=kernel, km=km, resources={"metadata": {"path": str(cwd)}}, on_cell_start=started
    )

    def failure(kind: str, message: str) -> dict[str, Any]:
        number = cell()
        side = "notebook" if number is not None else "setup"
        return {"side": side, "cell": number, "type": kind, "message": message}

    try:
        client.execute(stderr=subprocess.DEVNULL)
    except CellExecutionError as exc:
        return failure(exc.ename, _first_line(exc.evalue)), cell_numbers, shown
    except CellTimeoutError:
        return failure("Timeout", f"the cell ran longer than {timeout} s (--timeout)"), cell_numbers, shown
    except DeadKernelError as exc:
        return failure("DeadKernelError", _first_line(str(exc))), cell_numbers, shown
    except Exception as exc:  # noqa: BLE001 - no such kernel, cannot start it: reported, not raised
        message = f"cannot run the notebook with kernel {kernel!r}: {_first_line(str(exc))}"
        return {"side": "setup", "cell": None, "type": type(exc).__name__, "message": message}, cell_numbers, shown
    return None, cell_numbers, shown


def _kernel_manager(kernel_name: str | None, tmp: Path | None) -> tuple[Any, str]:
    """A kernel manager for a kernel on this very Python (the pipeline's), when no kernel is named.

    Falls back to the ``python3`` kernel when ipykernel is not installed here.
    """
    if kernel_name is not None or tmp is None:
        return None, kernel_name or "python3"
    try:
        import ipykernel  # noqa: F401
        from jupyter_client.kernelspec import KernelSpecManager
        from jupyter_client.manager import KernelManager
    except ImportError:
        return None, "python3"
    spec_dir = tmp / "kernels" / "nb2prod-verify"
    spec_dir.mkdir(parents=True, exist_ok=True)
    spec = {"argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"], "display_name": "nb2prod verify", "language": "python"}
    (spec_dir / "kernel.json").write_text(json.dumps(spec), encoding="utf-8")
    manager = KernelSpecManager(kernel_dirs=[str(spec_dir.parent)])
    return KernelManager(kernel_name="nb2prod-verify", kernel_spec_manager=manager), "nb2prod-verify"


def _displayed_name(source: str) -> str | None:
    """The name a cell shows as its last expression (``by_carrier`` alone on the last line), else None."""
    import ast

    try:
        from IPython.core.inputtransformer2 import TransformerManager

        python = TransformerManager().transform_cell(source)
        tree = ast.parse(python)
    except Exception:  # noqa: BLE001 - a cell that does not parse shows nothing we can match
        return None
    if not tree.body or not isinstance(tree.body[-1], ast.Expr) or source.rstrip().endswith(";"):
        return None
    value = tree.body[-1].value
    return value.id if isinstance(value, ast.Name) else None


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


def run_pipeline(
    package_dir: Path,
    name: str,
    cwd: Path,
    spark: Any,
    recorder: cap.PipelineRecorder | None = None,
    inputs: dict[str, str] | None = None,
    seed: bool = False,
    progress: Callable[[str], None] | None = None,
) -> tuple[dict[str, Any] | None, int]:
    """Import the package's pipeline and run it in ``cwd``; (None, 0) or (the error, its exit status).

    Args:
        recorder: registered in the package's ``compat.STEP_OBSERVERS`` for the run.
        inputs: URL -> local file: configuration values equal to URL, and pandas reads of it, are served the file.
        seed: seed ``random`` and ``numpy.random`` with 0 first (as the notebook's kernel is).
        progress: called with a line as each step starts and ends.
    """
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
        if inputs:
            config = _serve_config(config, inputs)
        if seed:
            _seed()
        try:
            with _observed(name, recorder, progress), _served_pandas(inputs or {}), warnings.catch_warnings():
                warnings.simplefilter("ignore")  # the notebook's own warnings, as on the kernel's side (stderr not shown)
                pipeline.run(spark, config)
                if recorder is not None:
                    recorder.steps = [(s.__name__, tuple(getattr(s, "cells", ())), tuple(getattr(s, "outputs", ()))) for s in getattr(pipeline, "STEPS", ())]
                    if progress is not None:
                        progress("pipeline: collecting its DataFrames")
                    recorder.finish()  # while the package is importable (its UDFs run on collect)
        except VerifyError:
            raise
        except Exception as exc:  # noqa: BLE001 - StepError, or anything outside a step
            cause = exc.__cause__ if type(exc).__name__ == "StepError" and exc.__cause__ is not None else exc
            match = re.match(r"cell (\d+) failed", str(exc)) or re.match(r"\w+ \(cell (\d+)\) failed", str(exc))
            cell = int(match.group(1)) if match else None
            error = _error("pipeline", cell, cause, f"{type(cause).__name__}: {_first_line(str(cause))}")
            if recorder is not None and not _environment(cause):
                recorder.finish()  # the steps before the failing one can still be compared
            return error, 2 if _environment(cause) else 1
        return None, 0
    finally:
        os.chdir(old_cwd)
        sys.path[:] = saved_path
        for module in [m for m in sys.modules if m == name or m.startswith(f"{name}.")]:
            del sys.modules[module]
        sys.modules.update(saved_modules)


def _serve_config(config: Any, inputs: dict[str, str]) -> Any:
    """The configuration with every value equal to a served URL replaced by its local file."""
    if isinstance(config, dict):
        return {k: _serve_config(v, inputs) for k, v in config.items()}
    if isinstance(config, list):
        return [_serve_config(v, inputs) for v in config]
    if isinstance(config, str) and config in inputs:
        return inputs[config]
    return config


def _seed() -> None:
    import random

    random.seed(0)
    try:
        import numpy

        numpy.random.seed(0)
    except ImportError:  # pragma: no cover - pandas needs numpy
        pass


@contextlib.contextmanager
def _served_pandas(inputs: dict[str, str]) -> Iterator[None]:
    """pandas' readers read the local copy of a served URL (for steps that stay pandas)."""
    if not inputs:
        yield
        return
    import pandas as pd

    saved = {}
    for reader in ("read_csv", "read_table", "read_json", "read_excel", "read_parquet", "read_fwf"):
        original = getattr(pd, reader, None)
        if original is None:
            continue
        saved[reader] = original

        def read(path: Any, *args: Any, _original: Any = original, **kwargs: Any) -> Any:
            return _original(inputs.get(path, path) if isinstance(path, str) else path, *args, **kwargs)

        setattr(pd, reader, read)
    try:
        yield
    finally:
        for reader, original in saved.items():
            setattr(pd, reader, original)


class _ProgressHandler(logging.Handler):
    """Turns the pipeline's ``cell N: started`` / ``done in`` log lines into progress lines."""

    def __init__(self, progress: Callable[[str], None]) -> None:
        super().__init__(logging.INFO)
        self.progress = progress

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if re.match(r"(cell \d+|\w+): (started|done)", message):
            self.progress(f"pipeline: {message}")


@contextlib.contextmanager
def _observed(name: str, recorder: cap.PipelineRecorder | None, progress: Callable[[str], None] | None) -> Iterator[None]:
    """The recorder registered in the package's ``compat.STEP_OBSERVERS``, progress lines from its log."""
    observers = None
    if recorder is not None:
        compat = importlib.import_module(f"{name}.compat")
        observers = getattr(compat, "STEP_OBSERVERS", None)
        if observers is None:
            raise VerifyError(f"the package {name} was converted by an older nb2prod (its compat.step() has no observers): re-run nb2prod convert")
        observers.append(recorder)
    logger = logging.getLogger(name)
    handler = _ProgressHandler(progress) if progress is not None else None
    saved_level = logger.level
    if handler is not None:
        logger.addHandler(handler)
        if logger.getEffectiveLevel() > logging.INFO:
            logger.setLevel(logging.INFO)
    try:
        yield
    finally:
        if observers is not None:
            observers.remove(recorder)
        if handler is not None:
            logger.removeHandler(handler)
            logger.setLevel(saved_level)


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


def _file_dataset(output: OutputResult) -> ds.DatasetResult:
    """A file output's verdict as a dataset."""
    result = ds.DatasetResult(output.name, "file", FILE_VERDICTS[output.verdict], message=output.message)
    c = output.comparison
    if c is not None:
        result.rows_notebook, result.rows_pipeline = c.rows_notebook, c.rows_pipeline
        result.columns_notebook, result.columns_pipeline = c.columns_notebook, c.columns_pipeline
        result.shown_notebook, result.shown_pipeline = c.shown_notebook, c.shown_pipeline
        result.order = "multiset"
    return result


def compare_captured(
    captured: cap.NotebookCapture,
    recorder: cap.PipelineRecorder,
    pipeline_end: dict[str, Any],
    shown: dict[int, str],
    rtol: float,
    atol: float,
    seeded: bool = False,
    expressions: dict[int, str] | None = None,
    own_conversion: bool = True,
    not_run_reasons: dict[str, str] | None = None,
) -> list[ds.DatasetResult]:
    """Verdicts on the notebook's named DataFrames/Series at the end, then on each cell's displayed one.

    Args:
        captured: what the kernel recorded.
        recorder: what the pipeline's steps recorded.
        pipeline_end: the pipeline's names after its last step (:meth:`PipelineRecorder.finish`).
        shown: cell number -> the name the cell displays (cells displaying another expression are absent).
        seeded: mark every result as computed with randomness verify seeded.
        expressions: cell number -> the displayed expression verify converted bound to a name.
        own_conversion: verify converted the notebook (else displayed expressions cannot be compared).
        not_run_reasons: step name -> why run() does not call it (conversion.json's ``steps_not_run``).
            A value missing in the pipeline because only such a step computes it (a name it returns,
            a cell's display at or after its cells and before the next step) is ``not run by
            design``, not a difference.
    """
    expressions = expressions or {}
    results: list[ds.DatasetResult] = []
    for name, value in sorted(captured.end.items()):
        results.append(ds.compare_values(name, "end", value, pipeline_end.get(name), rtol=rtol, atol=atol))
    for cell, value in sorted(captured.display.items()):
        label = f"cell {cell} display"
        if cell not in shown:
            result = ds.DatasetResult(label, "display", ds.NOT_COMPARABLE, cell=cell, rows_notebook=value.rows)
            result.message = "the cell displays an expression, not a name: the pipeline drops displayed expressions (LG103)"
            if not own_conversion:
                result.message += "; without --package verify converts it bound to a name and compares it"
        elif cell in expressions:
            label = f"cell {cell} display: {expressions[cell]}"
            pipeline = recorder.display.get(cell)
            result = ds.compare_values(label, "expression", value, pipeline, cell=cell, rtol=rtol, atol=atol)
            if result.verdict == ds.MISSING:
                result.verdict, result.message = ds.NOT_COMPARABLE, "the converted expression's step did not run"
            result.notes.append("the displayed expression, converted by verify bound to a name (the package drops it, LG103)")
        else:
            label = f"{shown[cell]} (cell {cell} display)"
            result = ds.compare_values(label, "display", value, recorder.display.get(cell), cell=cell, rtol=rtol, atol=atol)
        results.append(result)
    for name, kind in sorted(captured.others.items()):
        results.append(ds.DatasetResult(name, "end", ds.NOT_COMPARABLE, message=f"a {kind}: verify compares DataFrames and Series"))
    _mark_not_run(results, recorder, not_run_reasons or {})
    for result in results:
        result.seeded = seeded
    return results


def _mark_not_run(results: list[ds.DatasetResult], recorder: cap.PipelineRecorder, reasons: dict[str, str]) -> None:
    """Values that only a step run() does not call computes become ``not run by design``: a name it
    returns that the pipeline lacks at the end, and a display of a cell it holds (or that follows it
    before the next step), whatever the pipeline recorded for that cell (an earlier step's value of
    the same name is not that cell's)."""
    dead = recorder.steps_not_run()
    if not dead:
        return
    dead_names = {s[0] for s in dead}
    ordered = sorted(recorder.steps, key=lambda s: max(s[1]) if s[1] else 0)

    def owner(cell: int):
        """The step whose value a cell's display is: the one holding the cell, else the last one before it."""
        before = [s for s in ordered if s[1] and min(s[1]) <= cell]
        holding = [s for s in before if cell in s[1]]
        return (holding or before or [None])[-1]

    for result in results:
        steps = []
        if result.kind == "end":
            if result.verdict == ds.MISSING:
                steps = [s for s in dead if result.name in s[2]]
        elif result.cell is not None and (step := owner(result.cell)) is not None and step[0] in dead_names:
            # whatever the pipeline recorded for this cell (if anything) is an earlier step's value of the name
            if result.verdict != ds.NOT_COMPARABLE:
                steps = [step]
        if steps:
            name, cells, _ = steps[0]
            where = f"cell {cells[0]}" if len(cells) == 1 else f"cells {', '.join(map(str, cells))}"
            reason = reasons.get(name) or "nothing that runs reads what it computes"
            result.verdict = ds.NOT_RUN
            result.message = f"not computed: only step {name} ({where}) computes it, and run() does not call it by design: {reason} (see CONVERSION.md)"


def first_difference(captured: cap.NotebookCapture, recorder: cap.PipelineRecorder, rtol: float, atol: float) -> dict[str, Any] | None:
    """The first cell (in notebook order) at whose end a named DataFrame differs between the sides.

    Returns:
        ``{"cell": N, "names": [...], "details": [dataset JSON...]}`` or None when no compared name differs.
        Names the pipeline does not have at that cell are not differences here.
    """
    for cell in sorted(captured.cells):
        pipeline = recorder.cells.get(cell)
        if pipeline is None:
            continue
        differing = []
        for name, value in sorted(captured.cells[cell].items()):
            if name not in pipeline:
                continue
            result = ds.compare_values(name, "cell", value, pipeline[name], cell=cell, rtol=rtol, atol=atol)
            if result.verdict == ds.DIFFERENT:
                differing.append(result)
        if differing:
            return {"cell": cell, "names": [r.name for r in differing], "details": [r.to_json() for r in differing]}
    return None


_SHOWN_PREFIX = f"{OBSERVED_PREFIX}shown_"  # a step binding it runs (see nb2prod.convert.steps.has_effect)


def _shown_name(cell: int) -> str:
    return f"{_SHOWN_PREFIX}{cell}"


def _convert_displays(notebook: Path, package_dir: Path, name: str, cells: list[int], tmp: Path) -> tuple[Path, dict[int, str]]:
    """Convert the notebook again with each listed cell's displayed expression bound to a name.

    ``notebook`` is the Spark workspace's copy (rewritten in place; the user's file is never
    touched). In the generated pipeline each such assignment is guarded: an expression the
    conversion leaves in pandas, failing on Spark, binds an error object instead of failing the step.

    Returns:
        (the package to run: the new one, or ``package_dir`` when no cell could be rewritten;
        cell number -> the expression's source).
    """
    import nbformat

    if not cells:
        return package_dir, {}
    nb = nbformat.read(notebook, as_version=4)
    expressions: dict[int, str] = {}
    for number in cells:
        cell = nb.cells[number - 1]
        rewritten = _bind_last_expression(cell.source, _shown_name(number))
        if rewritten is not None:
            cell.source, expressions[number] = rewritten
    if not expressions:
        return package_dir, {}
    nbformat.write(nb, notebook)
    from nb2prod.convert.package import convert_notebook
    from nb2prod.errors import Nb2ProdError

    try:
        converted = convert_notebook(notebook, tmp / "package-displays", name=name)
    except Nb2ProdError:
        return package_dir, {}
    pipeline = converted.outdir / "src" / converted.name / "pipeline.py"
    pipeline.write_text(_guard_shown(pipeline.read_text(encoding="utf-8")), encoding="utf-8")
    return converted.outdir, expressions


def _bind_last_expression(source: str, target: str) -> tuple[str, str] | None:
    """``(source with its last expression assigned to target, the expression)``, or None (magics, no expression)."""
    import ast

    try:
        tree = ast.parse(source)
    except SyntaxError:
        return None  # magics and shell escapes: left as they are
    if not tree.body or not isinstance(tree.body[-1], ast.Expr):
        return None
    last = tree.body[-1]
    lines = source.splitlines(keepends=True)
    expression = ast.get_source_segment(source, last.value) or ""
    line = lines[last.lineno - 1]
    lines[last.lineno - 1] = f"{line[: last.col_offset]}{target} = {line[last.col_offset :]}"
    return "".join(lines), " ".join(expression.split())[:80]


def _guard_shown(source: str) -> str:
    """Wrap each ``_nb2prod_shown_N = ...`` statement of a pipeline in try/except (binding the error)."""
    import ast

    tree = ast.parse(source)
    spans = []
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Assign)
            and len(node.targets) == 1
            and isinstance(node.targets[0], ast.Name)
            and node.targets[0].id.startswith(_SHOWN_PREFIX)
        ):
            spans.append((node.lineno, node.end_lineno or node.lineno, node.col_offset, node.targets[0].id))
    lines = source.splitlines(keepends=True)
    for start, end, col, target in sorted(spans, reverse=True):
        indent = " " * col
        body = ["    " + line if line.strip() else line for line in lines[start - 1 : end]]
        lines[start - 1 : end] = [
            f"{indent}try:\n",
            *body,
            f"{indent}except Exception as _nb2prod_error:  # verify: a displayed expression the conversion leaves in pandas\n",
            f"{indent}    {target} = _nb2prod_error\n",
        ]
    return "".join(lines)
