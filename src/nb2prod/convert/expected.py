"""``nb2prod convert --record-expected``: the notebook's own results on the package's test sample.

The notebook runs with nbclient (the runner of ``nb2prod verify``, :func:`nb2prod.verify.engine.run_notebook`)
in a temporary copy of the sample laid out as the package's ``tests/data/``; every dataset it writes
(CSV, Parquet, JSON lines) is read back with pandas and recorded under ``tests/expected/``: one CSV per
output and ``expected.json`` (path, columns, column types, rows, the sort the notebook applied). The
generated ``tests/test_pipeline.py`` compares the pipeline's outputs on the same sample with them.

When an output is empty on the sample, the sample is drawn again with more rows per input
(:data:`SAMPLE_SIZES`) and the notebook run again; an output still empty on the largest sample is
recorded as empty, with a note saying why (the test then checks the pipeline's is empty too).

The notebook file is only read; nothing is written beside it.
"""

from __future__ import annotations

import ast
import json
import math
import os
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

EXPECTED_DIR = "tests/expected"
MANIFEST = f"{EXPECTED_DIR}/expected.json"
#: rows per input tried in turn while an output of the notebook is empty on the sample
SAMPLE_SIZES = (200, 2_000, 20_000)
#: the numeric tolerance the generated test compares with (CSV round trips lose the last digits)
RTOL = 1e-6
ATOL = 1e-9
#: the notebook's cells may take this long each
TIMEOUT_S = 600


@dataclass
class Recorded:
    """What :func:`record_expected` found.

    Attributes:
        files: package path (``tests/expected/...``) -> bytes; always holds ``expected.json``.
        samples: the test data it was recorded on (``tests/data`` path -> bytes).
        notebook_dir: the notebook's directory relative to ``tests/data``.
        note: why nothing (or not everything) was recorded; None when every output was.
        outputs: the recorded outputs, as in ``expected.json``.
    """

    files: dict[str, bytes]
    samples: dict[str, bytes]
    notebook_dir: str
    note: str | None = None
    outputs: list[dict[str, Any]] = field(default_factory=list)
    rows: int = SAMPLE_SIZES[0]


def not_recorded(reason: str) -> dict[str, bytes]:
    """``tests/expected/expected.json`` saying why no result was recorded (the generated test skips with it)."""
    return {MANIFEST: _dump({"recorded": False, "note": reason, "outputs": []})}


def record_expected(
    notebook: Path,
    sample: Callable[[int], tuple[dict[str, bytes], str]],
    timeout: int = TIMEOUT_S,
    kernel_name: str | None = None,
) -> Recorded:
    """Run ``notebook`` on its test sample and record the datasets it writes.

    Args:
        notebook: the ``.ipynb`` (only read).
        sample: rows per input -> (the test data, the notebook's directory relative to it), as
            :func:`nb2prod.convert.package._sample_inputs` lays it out.
        timeout: seconds per cell.
        kernel_name: the Jupyter kernel (default: one on this Python, as ``nb2prod verify`` does).

    Returns:
        A :class:`Recorded`; a notebook that cannot run gives no outputs and a ``note`` naming the
        cell and the error (never an exception).
    """
    try:
        import nbclient  # noqa: F401
        import pandas  # noqa: F401
    except ImportError as exc:
        samples, notebook_dir = sample(SAMPLE_SIZES[0])
        reason = f"the notebook could not be executed at conversion: {exc.name} is not installed (pip install 'nb2prod[notebook]')"
        return Recorded(not_recorded(reason), samples, notebook_dir, reason)
    source = _code_source(notebook)
    sort_keys = notebook_sort_keys(source)
    previous: dict[str, bytes] | None = None
    tried: list[int] = []
    result: Recorded | None = None
    failed: Recorded | None = None
    for rows in SAMPLE_SIZES:
        samples, notebook_dir = sample(rows)
        if previous is not None and samples == previous:
            break  # the inputs are whole already: a larger sample is the same sample
        previous = samples
        tried.append(rows)
        outputs, error = _run(notebook, samples, notebook_dir, timeout, kernel_name)
        if error is not None:
            if result is not None:
                break  # it ran on the smaller sample: keep that one
            where = f"cell {error['cell']}: " if error.get("cell") else ""
            reason = f"the notebook could not be executed on the sample at conversion ({where}{error['type']}: {error['message']})"
            failed = failed or Recorded(not_recorded(reason), samples, notebook_dir, reason, rows=rows)
            if error.get("side") == "setup":
                break  # no kernel: a larger sample cannot help
            continue  # a sample too small for the notebook (an empty frame it indexes): try a larger one
        result = _recorded(outputs, samples, notebook_dir, sort_keys, rows)
        if not any(o["rows"] == 0 for o in result.outputs):
            break
    if result is None:
        assert failed is not None
        return failed
    empty = [o for o in result.outputs if o["rows"] == 0]
    sizes = ", ".join(f"{n:,}" for n in tried)
    for output in empty:
        output["note"] = (
            f"the notebook's own {output['path']} is empty on the sample (tried {sizes} rows per input): its filters "
            "keep no row of it; the test checks that the pipeline's is empty too"
        )
    if not result.outputs:
        result.note = "the notebook wrote no dataset (CSV, Parquet, JSON lines) on the sample: there is nothing to compare"
    elif empty:
        result.note = "; ".join(o["note"] for o in empty)
    manifest = {
        "recorded": bool(result.outputs),
        "note": result.note,
        "recorded_by": "nb2prod convert --record-expected",
        "sample_rows": result.rows,
        "rtol": RTOL,
        "atol": ATOL,
        "outputs": result.outputs,
    }
    result.files[MANIFEST] = _dump(manifest)
    return result


def _dump(data: Any) -> bytes:
    return (json.dumps(data, indent=2, ensure_ascii=False) + "\n").encode()


def _code_source(notebook: Path) -> str:
    from nb2prod.notebook import load_notebook

    return "\n".join(c.source for c in load_notebook(notebook).cells if c.cell_type == "code")


def _run(
    notebook: Path, samples: dict[str, bytes], notebook_dir: str, timeout: int, kernel_name: str | None
) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """Run the notebook on ``samples``; (dataset path relative to the data root -> DataFrame, error or None)."""
    from nb2prod.verify import compare as cmp
    from nb2prod.verify import workspace as ws
    from nb2prod.verify.engine import run_notebook

    tmp = Path(tempfile.mkdtemp(prefix="nb2prod-expected-"))
    try:
        space = tmp / "space"
        root = space / "data"
        for rel, content in samples.items():
            target = root / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(content)
        workdir = root / notebook_dir
        workdir.mkdir(parents=True, exist_ok=True)
        before = ws.snapshot(space)
        error, _, _ = run_notebook(notebook, workdir, timeout, kernel_name, tmp=tmp / "kernel")
        if error is not None:
            return {}, error
        outputs: dict[str, Any] = {}
        for rel in ws.written(before, ws.snapshot(space)):
            path = space / rel
            fmt = cmp.dataset_format(path)
            if fmt is None:
                continue
            try:
                outputs[Path(os.path.relpath(path, root)).as_posix()] = (cmp.read_dataset(path, fmt), fmt)
            except Exception:  # noqa: BLE001, S112 - a file pandas cannot read back is no dataset to compare
                continue
        return outputs, None
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _recorded(outputs: dict[str, Any], samples: dict[str, bytes], notebook_dir: str, sort_keys: list[tuple[str, bool]], rows: int) -> Recorded:
    from nb2prod.verify.datasets import family

    files: dict[str, bytes] = {}
    recorded: list[dict[str, Any]] = []
    used: set[str] = set()
    for rel, (frame, fmt) in sorted(outputs.items()):
        frame, dropped = _without_default_index(frame)
        stem = Path(rel).name.split(".")[0] or "output"
        name, n = f"{stem}.csv", 1
        while name in used:
            n += 1
            name = f"{stem}_{n}.csv"
        used.add(name)
        files[f"{EXPECTED_DIR}/{name}"] = frame.to_csv(index=False).encode()
        entry: dict[str, Any] = {
            "path": rel,
            "format": fmt,
            "expected": name,
            "rows": len(frame),
            "columns": [str(c) for c in frame.columns],
            "types": {str(c): family(frame[c]) for c in frame.columns},
            "order": _order(frame, sort_keys),
        }
        if dropped:
            entry["not_compared"] = f"the notebook also wrote its row index ({', '.join(dropped)}); the pipeline has none"
        recorded.append(entry)
    return Recorded(files, samples, notebook_dir, outputs=recorded, rows=rows)


def _without_default_index(frame: Any) -> tuple[Any, list[str]]:
    """The frame without the ``Unnamed: 0`` column pandas writes for a default row index (0, 1, 2...)."""
    dropped = []
    for column in list(frame.columns)[:1]:
        if str(column).startswith("Unnamed: ") and frame[column].tolist() == list(range(len(frame))):
            dropped.append(str(column))
    return frame.drop(columns=dropped), dropped


def _order(frame: Any, sort_keys: list[tuple[str, bool]]) -> dict[str, Any] | None:
    """The first sort key of the notebook in whose order the output's rows are (with two values or more)."""
    for column, ascending in sort_keys:
        if column not in frame.columns:
            continue
        values = [v for v in frame[column].tolist() if not (isinstance(v, float) and math.isnan(v))]
        if len(set(values)) < 2 or len(values) != len(frame):
            continue
        try:
            ordered = values == sorted(values, reverse=not ascending)
        except TypeError:
            continue
        if ordered:
            return {"column": str(column), "ascending": ascending}
    return None


def notebook_sort_keys(source: str) -> list[tuple[str, bool]]:
    """The sorts the notebook code applies, in code order: ``sort_values("x", ascending=False)``
    -> ``("x", False)``; ``nlargest(n, "x")`` -> ``("x", False)``; ``nsmallest`` -> ascending.

    Magics and cells that do not parse are skipped (each line is tried as a whole module first).
    """
    try:
        from IPython.core.inputtransformer2 import TransformerManager

        source = TransformerManager().transform_cell(source)
    except Exception:  # noqa: BLE001, S110 - without IPython the plain source is tried
        pass
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []
    keys: list[tuple[str, bool]] = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        method = node.func.attr
        kwargs = {k.arg: k.value for k in node.keywords if k.arg}
        if method == "sort_values":
            by = kwargs.get("by", node.args[0] if node.args else None)
            ascending = kwargs.get("ascending")
            first = _first_literal(by)
            up = _first_literal(ascending)
            if isinstance(first, str):
                keys.append((first, up if isinstance(up, bool) else True))
        elif method in ("nlargest", "nsmallest"):
            column = kwargs.get("columns", node.args[1] if len(node.args) > 1 else None)
            first = _first_literal(column)
            if isinstance(first, str):
                keys.append((first, method == "nsmallest"))
    return keys


def _first_literal(node: ast.AST | None) -> Any:
    if isinstance(node, (ast.List, ast.Tuple)) and node.elts:
        node = node.elts[0]
    return node.value if isinstance(node, ast.Constant) else None
