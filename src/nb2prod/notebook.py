"""Loading notebooks, and how nb2prod numbers their cells.

Cell numbering (the same in ``lint``, ``convert`` and ``check``): cell ``N`` is
the N-th cell of the notebook counting from 1 and counting *every* cell,
markdown and raw cells included. This is what ruff reports for ``.ipynb`` files
and what a reader counts when scrolling the notebook. Lines and columns inside
a cell are 1-based too, so a finding reads ``path:cell N:line:col``.

Cell ids: nbformat 4.5+ notebooks carry an ``id`` per cell and nb2prod uses it.
Older notebooks have none; nb2prod then uses ``pos-N`` with N the cell number,
which is stable as long as cells are not inserted before it.

Repairs: a notebook that Jupyter opens is read, whatever small schema faults it has. What
nbformat's own tools repair is repaired in memory (never on disk) and said in one warning line
on stderr: keys a cell type does not have (``execution_count`` or ``outputs`` on a markdown cell),
missing ``metadata``/``outputs``/``execution_count``, an ``execution_count`` that is not an
integer, invalid metadata (``nbformat.validator.normalize(..., strip_invalid_metadata=True)``),
malformed outputs (dropped), missing or duplicate cell ids (made ``pos-N`` / unique). Only files
that are not notebooks are refused: not a regular file (a directory, a FIFO, a device), not
UTF-8, not JSON (or JSON nested too deeply, numbers too long), no ``cells`` list, a version that
is not an integer, a cell that is not a code, markdown or raw cell.
"""

from __future__ import annotations

import json
import os
import re
import stat
import sys
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
    cells = raw.get("cells")
    for number, cell in enumerate(cells if isinstance(cells, list) else [], start=1):
        if isinstance(cell, dict) and cell.get("source") is None:
            cell["source"] = ""
            notes[number] = "source is null; treated as an empty cell"
    return notes


def load_notebook(path: str | Path, *, validate: bool = True, warn: bool = True) -> Notebook:
    """Read and validate a Jupyter notebook.

    Args:
        path: a ``.ipynb`` file. Older nbformat versions are upgraded to v4.
        validate: check the document against the nbformat JSON schema (the
            default). ``validate=False`` is for the pre-commit hook: an nbformat 4
            document is then read without importing nbformat at all (about 0.1 s
            of start-up and a schema validation per file saved), with only the
            structural checks the :class:`Cell` fields need. Cell numbering,
            sources and outputs are the same either way.
        warn: write the one warning line saying what was repaired to stderr (see the module
            docstring); ``Notebook.repairs`` holds the same either way.

    Returns:
        The :class:`Notebook`, never modified on disk.

    Raises:
        NotebookError: the file cannot be read, is not a regular file, is not
            JSON, is not a notebook, or its kernel language is not Python. The
            message is one line that names the file.
    """
    path = Path(path)
    raw = read_json(path)
    surrogates = _replace_surrogates(raw)
    if not isinstance(raw, dict) or "cells" not in raw and "worksheets" not in raw:
        raise NotebookError(path, "not a notebook: no 'cells' in the JSON document")
    for key in ("nbformat", "nbformat_minor"):
        value = raw.get(key)
        if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
            raise NotebookError(path, f"not a notebook: {key} is {_short(value)}, not an integer")
    notes = _fix_null_sources(raw)
    for number in surrogates:
        notes[number] = SURROGATE_NOTE if number not in notes else f"{notes[number]}; {SURROGATE_NOTE}"
    repairs = repair_v4(path, raw) if raw.get("nbformat") == 4 else []
    if surrogates:
        repairs.append(f"lone surrogates replaced by U+FFFD in cell {', '.join(map(str, sorted(surrogates)))}")
    if not validate and raw.get("nbformat") == 4:
        notebook = _notebook_from_v4(path, raw, notes)
        _warn(path, repairs, warn)
        return notebook
    import nbformat  # imported here: costs ~0.1 s, and `nb2prod --help` does not need it

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            node = nbformat.reads(json.dumps(raw), as_version=4)
            if validate:
                repairs.extend(_repair_with_nbformat(node))
    except nbformat.ValidationError as exc:
        where = "/".join(str(p) for p in exc.absolute_path) or "notebook"
        raise NotebookError(path, f"invalid notebook at {where}: {exc.message}") from None
    except NotebookError:
        raise
    except Exception as exc:  # nbformat raises assorted errors for malformed documents
        raise NotebookError(path, f"not a notebook: {str(exc) or type(exc).__name__}") from None
    language = kernel_language(node)
    # Notebooks older than nbformat 4.5 have no cell ids; upgrading invents random ones, which would
    # make conversion output differ from run to run. Those notebooks get stable position-based ids.
    has_ids = (raw.get("nbformat") or 0, raw.get("nbformat_minor") or 0) >= (4, 5)
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
    _warn(path, repairs, warn)
    return Notebook(
        path=path,
        cells=tuple(cells),
        language="python",
        nbformat=f"{node.nbformat}.{node.nbformat_minor}",
    )


#: the largest notebook file read (a notebook larger than this is a data file, not a notebook)
MAX_BYTES = 512 * 1024 * 1024


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def read_json(path: Path) -> Any:
    """The JSON document in ``path``, refusing at once anything that is not a regular UTF-8 JSON file.

    Raises:
        NotebookError: not a regular file (directory, FIFO, device: refused without opening it),
            the file name is not valid UTF-8, the file cannot be read, is not UTF-8, is not JSON,
            nests too deeply or holds a number too long for Python.
    """
    try:
        os.fsencode(path).decode("utf-8")
    except UnicodeDecodeError:
        raise NotebookError(path, "cannot read file: its name is not valid UTF-8; rename it") from None
    try:
        info = os.stat(path)
        if stat.S_ISDIR(info.st_mode):
            raise NotebookError(path, "cannot read file: it is a directory")
        if not stat.S_ISREG(info.st_mode):
            raise NotebookError(path, "cannot read file: not a regular file (a pipe, socket or device)")
        if info.st_size > MAX_BYTES:
            raise NotebookError(path, f"not a notebook: larger than {MAX_BYTES // 1024 // 1024} MB")
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        with os.fdopen(fd, "rb") as handle:
            data = handle.read()
        text = data.decode("utf-8")
    except NotebookError:
        raise
    except OSError as exc:
        raise NotebookError(path, f"cannot read file: {exc.strerror or exc}") from None
    except UnicodeDecodeError as exc:
        raise NotebookError(path, f"cannot read file: not UTF-8 text (byte {exc.start})") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise NotebookError(path, f"not a notebook: invalid JSON at line {exc.lineno} column {exc.colno}") from None
    except RecursionError:
        raise NotebookError(path, "not a notebook: the JSON is nested too deeply") from None
    except (ValueError, MemoryError) as exc:  # int digits limit, and friends
        raise NotebookError(path, f"not a notebook: the JSON holds a value Python cannot read ({str(exc)[:80]})") from None


#: the note on a cell whose text held a lone surrogate (convert leaves such a cell out: NB008)
SURROGATE_NOTE = "text that is not valid Unicode (a lone surrogate) replaced by U+FFFD"
_SURROGATE = re.compile("[\ud800-\udfff]")


def _replace_surrogates(raw: Any) -> set[int]:
    """Replace lone surrogates (``"\\udcff"`` in the JSON, which UTF-8 cannot write) in place; return the cells touched.

    Walks the document without recursion; cell numbers are 1-based, 0 for text outside the cells.
    """
    touched: set[int] = set()
    cells = raw.get("cells") if isinstance(raw, dict) else None
    roots = [(raw, 0)] if not isinstance(cells, list) else [(cell, n) for n, cell in enumerate(cells, start=1)]
    if isinstance(cells, list):
        roots.append(({k: v for k, v in raw.items() if k != "cells"}, 0))
    stack = list(roots)
    while stack:
        node, number = stack.pop()
        items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
        for key, value in list(items):
            if isinstance(value, str):
                if _SURROGATE.search(value):
                    node[key] = _SURROGATE.sub("\ufffd", value)
                    touched.add(number)
            elif isinstance(value, (dict, list)):
                stack.append((value, number))
    if 0 in touched and isinstance(cells, list):
        # the notebook-level copy made above: write its repairs back
        for key, value in roots[-1][0].items():
            raw[key] = value
    return touched


def _warn(path: Path, repairs: list[str], warn: bool) -> None:
    if repairs and warn:
        from nb2prod.errors import display_path

        sys.stderr.write(f"nb2prod: {display_path(path)}: warning: repaired in memory (the file is unchanged): {'; '.join(repairs)}\n")


#: the keys each cell type has in the nbformat 4 schema
_CELL_KEYS = {
    "code": frozenset({"id", "cell_type", "metadata", "source", "outputs", "execution_count"}),
    "markdown": frozenset({"id", "cell_type", "metadata", "source", "attachments"}),
    "raw": frozenset({"id", "cell_type", "metadata", "source", "attachments"}),
}
#: required keys of each output type, with a default where nbformat has an obvious one
_OUTPUT_KEYS = {
    "stream": {"name": None, "text": ""},
    "display_data": {"data": {}, "metadata": {}},
    "execute_result": {"data": {}, "metadata": {}, "execution_count": None},
    "error": {"ename": None, "evalue": None, "traceback": []},
}
_ID_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_")


def _count(counter: dict[str, int], what: str) -> None:
    counter[what] = counter.get(what, 0) + 1


def repair_v4(path: Path, raw: dict[str, Any]) -> list[str]:
    """Repair, in place, the schema faults of an nbformat 4 document that Jupyter tolerates.

    Args:
        path: the file (for errors).
        raw: the parsed JSON document, changed in place.

    Returns:
        One short description per kind of repair made (empty when there was none).

    Raises:
        NotebookError: the document is not a notebook (cells not a list, a cell that is not a
            code, markdown or raw cell, a source that is not text).
    """
    counter: dict[str, int] = {}
    cells = raw.get("cells")
    if not isinstance(cells, list):
        raise NotebookError(path, "invalid notebook at cells: 'cells' is not a list")
    if not isinstance(raw.get("metadata"), dict):
        raw["metadata"] = {}
        _count(counter, "notebook metadata added")
    if raw.get("nbformat_minor") is None:
        raw["nbformat_minor"] = 0
        _count(counter, "nbformat_minor added")
    with_ids = raw["nbformat_minor"] >= 5
    seen: set[str] = set()
    for number, cell in enumerate(cells, start=1):
        where = f"cells/{number - 1}"
        if not isinstance(cell, dict) or not isinstance(cell.get("cell_type"), str) or cell["cell_type"] not in _CELL_KEYS:
            raise NotebookError(path, f"invalid notebook at {where}: not a code, markdown or raw cell")
        kind = cell["cell_type"]
        source = cell.get("source")
        if not (isinstance(source, str) or isinstance(source, list) and all(isinstance(x, str) for x in source)):
            raise NotebookError(path, f"invalid notebook at {where}/source: not a string or a list of strings")
        for key in sorted(set(cell) - _CELL_KEYS[kind]):
            del cell[key]
            _count(counter, f"'{key}' removed from {kind} cells")
        if not isinstance(cell.get("metadata"), dict):
            cell["metadata"] = {}
            _count(counter, "cell metadata added")
        tags = cell["metadata"].get("tags")
        if tags is not None and not (isinstance(tags, list) and all(isinstance(t, str) for t in tags)):
            del cell["metadata"]["tags"]
            _count(counter, "invalid tags removed")
        if kind == "code":
            count = cell.get("execution_count")
            if count is not None and (isinstance(count, bool) or not isinstance(count, int) or count < 0):
                cell["execution_count"] = None
                _count(counter, "invalid execution_count cleared")
            elif "execution_count" not in cell:
                cell["execution_count"] = None
                _count(counter, "execution_count added")
            outputs = cell.get("outputs")
            if not isinstance(outputs, list):
                cell["outputs"] = []
                _count(counter, "outputs added" if outputs is None else "invalid outputs removed")
            else:
                kept = [o for o in outputs if _repair_output(o, counter)]
                if len(kept) != len(outputs):
                    cell["outputs"] = kept
        if with_ids:
            cell_id = cell.get("id")
            if not isinstance(cell_id, str) or not cell_id or len(cell_id) > 64 or not set(cell_id) <= _ID_CHARS:
                cell["id"] = f"pos-{number}"
                _count(counter, "missing or invalid cell id replaced")
            elif cell_id in seen:
                cell["id"] = f"{cell_id[:50]}-dup{number}"
                _count(counter, "duplicate cell id made unique")
            seen.add(cell["id"])
        elif "id" in cell:
            del cell["id"]  # ids exist from nbformat 4.5 on
            _count(counter, "cell ids removed (nbformat older than 4.5)")
    return [f"{what} ({n}x)" if n > 1 else what for what, n in counter.items()]


def _repair_output(output: Any, counter: dict[str, int]) -> bool:
    """Whether to keep one stored output, adding the required keys it lacks where there is a default."""
    if not isinstance(output, dict) or not isinstance(output.get("output_type"), str) or output["output_type"] not in _OUTPUT_KEYS:
        _count(counter, "malformed output dropped")
        return False
    for key, default in _OUTPUT_KEYS[output["output_type"]].items():
        if key not in output:
            if default is None and key != "execution_count":
                _count(counter, "malformed output dropped")
                return False
            output[key] = default
            _count(counter, f"'{key}' added to {output['output_type']} outputs")
    count = output.get("execution_count")
    if count is not None and (isinstance(count, bool) or not isinstance(count, int) or count < 0):
        output["execution_count"] = None
        _count(counter, "invalid execution_count cleared")
    return True


def _repair_with_nbformat(node: Any) -> list[str]:
    """nbformat's own repairs (invalid metadata stripped), then drop what still fails validation in outputs.

    Raises:
        nbformat.ValidationError: a fault that is not in metadata or outputs.
    """
    import nbformat
    from nbformat.validator import normalize

    repairs = []
    changes, normalized = normalize(node, strip_invalid_metadata=True)
    if changes:
        node.clear()
        node.update(nbformat.from_dict(normalized))
        repairs.append("invalid metadata stripped")
    for _ in range(100):  # each round removes one faulty output or metadata entry
        try:
            nbformat.validate(node)
            return repairs
        except nbformat.ValidationError as exc:
            where = list(exc.absolute_path)
            if len(where) >= 4 and where[0] == "cells" and where[2] == "outputs":
                del node["cells"][where[1]]["outputs"][where[3]]
                repairs.append("invalid output dropped")
            elif "metadata" in where:
                at = where.index("metadata")
                parent = node
                for key in where[: at + 1]:
                    parent = parent[key]
                if len(where) > at + 1:
                    parent.pop(where[at + 1], None)
                else:
                    parent.clear()
                repairs.append("invalid metadata stripped")
            else:
                raise
    nbformat.validate(node)
    return repairs


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
        if not isinstance(cell, dict) or not isinstance(cell.get("cell_type"), str) or cell["cell_type"] not in _CELL_TYPES:
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
