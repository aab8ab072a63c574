"""Reading a notebook for the linter: :func:`nb2prod.notebook.load_notebook` without its start-up cost.

The hook reads every notebook it is given, so it reads the common case -- an nbformat 4 Python
notebook whose structure is sound -- here, with plain classes instead of the frozen dataclasses of
:mod:`nb2prod.notebook` (importing ``dataclasses`` and ``inspect`` is a tenth of the hook's start-up).
Anything else (unreadable, not JSON, another nbformat, another language, a null source, a field of
the wrong type) goes to ``load_notebook(path, validate=False)`` itself, which raises the one-line
error or converts the notebook, so problems are reported word for word as before.

The cells carry the same fields, numbered and defaulted the same way, with one difference no rule
can see: outputs are the stored dictionaries as they are, where ``load_notebook`` joins their
multi-line strings (the rules read outputs through :func:`nb2prod.lint.rules.secret_in_output.output_text`,
which joins them the same way).
"""

from __future__ import annotations

import json
import os
from stat import S_ISREG

from nb2prod.kernel import kernel_language

_READ_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0)

# typing is for annotations only: importing it (and typing.NamedTuple) costs the hook ~3 ms of start-up
TYPE_CHECKING = False
if TYPE_CHECKING:
    from os import PathLike
    from typing import Any

    StrPath = str | PathLike[str]

_CELL_TYPES = frozenset({"code", "markdown", "raw"})
_PYTHON = frozenset({"python", "python3", "ipython", "ipython3"})


class LintCell:
    """One notebook cell, with the fields of :class:`nb2prod.notebook.Cell`."""

    __slots__ = ("number", "cell_type", "source", "id", "execution_count", "tags", "outputs", "notes")

    def __init__(
        self, number: int, cell_type: str, source: str, id: str, execution_count: int | None,
        tags: tuple[str, ...], outputs: tuple[dict[str, Any], ...],
    ) -> None:
        self.number = number
        self.cell_type = cell_type
        self.source = source
        self.id = id
        self.execution_count = execution_count
        self.tags = tags
        self.outputs = outputs
        self.notes: tuple[str, ...] = ()

    def __repr__(self) -> str:
        return f"LintCell(number={self.number!r}, cell_type={self.cell_type!r}, id={self.id!r})"


class LintNotebookFile:
    """A read notebook, with the fields of :class:`nb2prod.notebook.Notebook`."""

    __slots__ = ("path", "cells", "language", "nbformat")

    def __init__(self, path: StrPath, cells: tuple[LintCell, ...], nbformat: str) -> None:
        self.path = path
        self.cells = cells
        self.language = "python"
        self.nbformat = nbformat

    @property
    def code_cells(self) -> tuple[LintCell, ...]:
        return tuple(c for c in self.cells if c.cell_type == "code")


def _source(value: Any) -> str | None:
    if value.__class__ is str:
        return value  # type: ignore[no-any-return]
    if value.__class__ is list:
        try:
            return "".join(value)  # a list of lines (JSON gives no str subclasses): anything else raises
        except TypeError:
            return None
    return None


def _fast(path: StrPath) -> LintNotebookFile | None:
    """The notebook, or None if it is anything but the plain case (the caller then uses ``load_notebook``)."""
    if path.__class__ is str and not path.isascii():  # type: ignore[union-attr]
        try:
            path.encode("utf-8")  # type: ignore[union-attr]
        except UnicodeEncodeError:  # a file name that is not UTF-8: load_notebook says so
            return None
    try:
        # O_NONBLOCK: a FIFO given as a notebook must not block the hook; only regular files are read
        fd = os.open(path, _READ_FLAGS)
        try:
            if not S_ISREG(os.fstat(fd).st_mode):
                return None
            with open(fd, "rb", closefd=False) as fh:
                data = fh.read()
        finally:
            os.close(fd)
        if b"\\ud" in data or b"\\uD" in data:  # maybe a lone surrogate: load_notebook repairs it
            return None
        raw = json.loads(data.decode("utf-8"))
    except (OSError, ValueError, RecursionError):  # also UnicodeDecodeError and JSONDecodeError
        return None
    if raw.__class__ is not dict or raw.get("nbformat") != 4 or raw.get("nbformat_minor", 0).__class__ is not int:
        return None
    raw_cells = raw.get("cells")
    if raw_cells.__class__ is not list or kernel_language(raw) not in _PYTHON:
        return None
    cells = []
    number = 0
    for cell in raw_cells:
        number += 1
        if cell.__class__ is not dict:
            return None
        cell_type = cell.get("cell_type")
        if cell_type.__class__ is not str or cell_type not in _CELL_TYPES:
            return None
        source = _source(cell.get("source"))  # a null source gets a note from load_notebook
        if source is None:
            return None
        metadata = cell.get("metadata") or {}
        tags = metadata.get("tags") if metadata.__class__ is dict else None
        if tags is not None and not (tags.__class__ is list and all(t.__class__ is str for t in tags)):
            return None
        count = cell.get("execution_count")
        if count is not None and count.__class__ is not int:
            return None
        outputs = cell.get("outputs") or []
        if outputs.__class__ is not list:
            return None
        for output in outputs:
            if output.__class__ is not dict or output.get("output_type").__class__ is not str:
                return None
        cells.append(
            LintCell(
                number, cell_type, source, str(cell.get("id") or f"pos-{number}"),
                count if cell_type == "code" else None, tuple(tags or ()), tuple(outputs),
            )
        )
    return LintNotebookFile(path, tuple(cells), f"4.{raw.get('nbformat_minor', 0)}")


def read_notebook(path: StrPath) -> Any:
    """The notebook at ``path`` for linting; raises :class:`nb2prod.errors.NotebookError` as ``load_notebook`` does."""
    notebook = _fast(path)
    if notebook is None:
        from nb2prod.notebook import load_notebook

        notebook = load_notebook(path, validate=False)
    return notebook
