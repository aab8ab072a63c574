"""Loading notebooks, and how nb2prod numbers their cells.

Cell numbering (the same in ``lint``, ``convert`` and ``check``): cell ``N`` is
the N-th cell of the notebook counting from 1 and counting *every* cell,
markdown and raw cells included. This is what ruff reports for ``.ipynb`` files
and what a reader counts when scrolling the notebook. Lines and columns inside
a cell are 1-based too, so a finding reads ``path:cell N:line:col``.

Cell ids: nbformat 4.5+ notebooks carry an ``id`` per cell and nb2prod uses it.
Older notebooks have none; nb2prod then uses ``pos-N`` with N the cell number,
which is stable as long as cells are not inserted before it.
"""

from __future__ import annotations

import json
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nb2prod.errors import NotebookError
from nb2prod.kernel import kernel_language


@dataclass(frozen=True)
class Cell:
    """One notebook cell.

    Attributes:
        number: 1-based position among all cells of the notebook.
        cell_type: ``"code"``, ``"markdown"`` or ``"raw"``.
        source: the cell's text ("" for a null or missing source).
        id: the nbformat cell id, or ``pos-N`` for notebooks older than 4.5.
        execution_count: the kernel's execution counter for code cells, or None.
        tags: the cell's ``metadata.tags``.
        outputs: the code cell's stored outputs (nbformat output dicts).
        notes: problems found while loading, such as a null source.
    """

    number: int
    cell_type: str
    source: str
    id: str
    execution_count: int | None = None
    tags: tuple[str, ...] = ()
    outputs: tuple[dict[str, Any], ...] = ()
    notes: tuple[str, ...] = field(default=())


@dataclass(frozen=True)
class Notebook:
    """A loaded notebook: its path, its cells and its kernel language."""

    path: Path
    cells: tuple[Cell, ...]
    language: str
    nbformat: str

    @property
    def code_cells(self) -> tuple[Cell, ...]:
        """The code cells, in notebook order."""
        return tuple(c for c in self.cells if c.cell_type == "code")


def _fix_null_sources(raw: dict[str, Any]) -> dict[int, str]:
    """Replace null/missing cell sources by "" before validation; return notes per cell."""
    notes: dict[int, str] = {}
    for number, cell in enumerate(raw.get("cells") or [], start=1):
        if isinstance(cell, dict) and cell.get("source") is None:
            cell["source"] = ""
            notes[number] = "source is null; treated as an empty cell"
    return notes


def load_notebook(path: str | Path, *, validate: bool = True) -> Notebook:
    """Read and validate a Jupyter notebook.

    Args:
        path: a ``.ipynb`` file. Older nbformat versions are upgraded to v4.
        validate: check the document against the nbformat JSON schema (the
            default). ``validate=False`` is for the pre-commit hook: an nbformat 4
            document is then read without importing nbformat at all (about 0.1 s
            of start-up and a schema validation per file saved), with only the
            structural checks the :class:`Cell` fields need. Cell numbering,
            sources and outputs are the same either way.

    Returns:
        The :class:`Notebook`, never modified on disk.

    Raises:
        NotebookError: the file cannot be read, is not JSON, is not a valid
            notebook, or its kernel language is not Python. The message is one
            line that names the file.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise NotebookError(path, f"cannot read file: {getattr(exc, 'strerror', None) or exc}") from None
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as exc:
        raise NotebookError(path, f"not a notebook: invalid JSON at line {exc.lineno} column {exc.colno}") from None
    if not isinstance(raw, dict) or "cells" not in raw and "worksheets" not in raw:
        raise NotebookError(path, "not a notebook: no 'cells' in the JSON document")
    notes = _fix_null_sources(raw)
    if not validate and raw.get("nbformat") == 4:
        return _notebook_from_v4(path, raw, notes)
    import nbformat  # imported here: costs ~0.1 s, and `nb2prod --help` does not need it

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            node = nbformat.reads(json.dumps(raw), as_version=4)
            if validate:
                nbformat.validate(node)
    except nbformat.ValidationError as exc:
        where = "/".join(str(p) for p in exc.absolute_path) or "notebook"
        raise NotebookError(path, f"invalid notebook at {where}: {exc.message}") from None
    except Exception as exc:  # nbformat raises assorted errors for malformed documents
        raise NotebookError(path, f"not a notebook: {exc}") from None
    language = kernel_language(node)
    # Notebooks older than nbformat 4.5 have no cell ids; upgrading invents random ones, which would
    # make conversion output differ from run to run. Those notebooks get stable position-based ids.
    has_ids = (int(raw.get("nbformat") or 0), int(raw.get("nbformat_minor") or 0)) >= (4, 5)
    if language not in {"python", "python3", "ipython", "ipython3"}:
        raise NotebookError(path, f"kernel language is {language!r}; nb2prod converts Python notebooks only")
    cells = []
    for number, cell in enumerate(node.cells, start=1):
        source = cell.get("source") or ""
        cells.append(
            Cell(
                number=number,
                cell_type=cell.cell_type,
                source=source,
                id=str(cell.get("id") if has_ids and cell.get("id") else f"pos-{number}"),
                execution_count=cell.get("execution_count"),
                tags=tuple(cell.get("metadata", {}).get("tags") or ()),
                outputs=tuple(cell.get("outputs") or ()),
                notes=(notes[number],) if number in notes else (),
            )
        )
    return Notebook(
        path=path,
        cells=tuple(cells),
        language="python",
        nbformat=f"{node.nbformat}.{node.nbformat_minor}",
    )


_CELL_TYPES = frozenset({"code", "markdown", "raw"})


def _text(value: Any) -> Any:
    """nbformat's multiline strings: a list of lines joins into one string, as ``nbformat.reads`` does."""
    return "".join(value) if isinstance(value, list) and all(isinstance(v, str) for v in value) else value


def _output_v4(output: Any, where: str, path: Path) -> dict[str, Any]:
    if not isinstance(output, dict) or not isinstance(output.get("output_type"), str):
        raise NotebookError(path, f"invalid notebook at {where}: output is not an object with an 'output_type'")
    output = dict(output)
    if "text" in output:
        output["text"] = _text(output["text"])
    data = output.get("data")
    if isinstance(data, dict):
        output["data"] = {k: v if k.endswith("json") else _text(v) for k, v in data.items()}
    return output


def _notebook_from_v4(path: Path, raw: dict[str, Any], notes: dict[int, str]) -> Notebook:
    """Build a :class:`Notebook` from an nbformat 4 document without nbformat (``validate=False``)."""
    language = kernel_language(raw)
    if language not in {"python", "python3", "ipython", "ipython3"}:
        raise NotebookError(path, f"kernel language is {language!r}; nb2prod converts Python notebooks only")
    raw_cells = raw.get("cells")
    if not isinstance(raw_cells, list):
        raise NotebookError(path, "invalid notebook at cells: 'cells' is not a list")
    cells = []
    for number, cell in enumerate(raw_cells, start=1):
        where = f"cells/{number - 1}"
        if not isinstance(cell, dict) or cell.get("cell_type") not in _CELL_TYPES:
            raise NotebookError(path, f"invalid notebook at {where}: not a code, markdown or raw cell")
        source = _text(cell.get("source") or "")
        if not isinstance(source, str):
            raise NotebookError(path, f"invalid notebook at {where}/source: not a string or a list of strings")
        metadata = cell.get("metadata") or {}
        tags = metadata.get("tags") if isinstance(metadata, dict) else None
        if tags is not None and not (isinstance(tags, list) and all(isinstance(t, str) for t in tags)):
            raise NotebookError(path, f"invalid notebook at {where}/metadata/tags: not a list of strings")
        count = cell.get("execution_count")
        if count is not None and (isinstance(count, bool) or not isinstance(count, int)):
            raise NotebookError(path, f"invalid notebook at {where}/execution_count: not an integer or null")
        outputs = cell.get("outputs") or []
        if not isinstance(outputs, list):
            raise NotebookError(path, f"invalid notebook at {where}/outputs: not a list")
        cells.append(
            Cell(
                number=number,
                cell_type=cell["cell_type"],
                source=source,
                id=str(cell.get("id") or f"pos-{number}"),
                execution_count=count if cell["cell_type"] == "code" else None,
                tags=tuple(tags or ()),
                outputs=tuple(_output_v4(o, f"{where}/outputs/{i}", path) for i, o in enumerate(outputs)),
                notes=(notes[number],) if number in notes else (),
            )
        )
    return Notebook(path=path, cells=tuple(cells), language="python", nbformat=f"4.{raw.get('nbformat_minor', 0)}")
