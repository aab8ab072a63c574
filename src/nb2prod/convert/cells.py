"""From notebook cells to one libcst module, and back to cells.

Each code cell is checked on its own first (so one broken cell does not stop
the others), then all usable cells are joined into one module with a sentinel
*statement* ``__nb2prod_cell__(N)`` before cell N. A sentinel statement, unlike
a comment, survives any rewrite of the statements around it, so after the
passes :func:`split_cells` recovers exactly which generated lines came from
which cell.

IPython syntax is recognised with IPython's own ``TransformerManager``
(``%magic`` becomes ``get_ipython().run_line_magic(...)``, ``!cmd`` becomes
``get_ipython().system(...)``); :mod:`.passes.magics` then deals with those calls.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

import libcst as cst

from nb2prod.convert.report import Event
from nb2prod.notebook import Cell

#: codes this module reports: code -> (kebab-case name, what it means for the user)
CODES = {
    "NB001": ("null-cell-source", "The cell's source was null in the file; it is read as an empty cell."),
    "NB002": ("skipped-by-tag", "The cell is tagged nb2prod:skip and left out of the pipeline."),
    "NB003": ("empty-cell", "The cell is empty or only comments; nothing to convert."),
    "NB004": ("cell-does-not-parse", "The cell is not valid Python (after IPython syntax is handled); not converted, the parser's message says why."),
    "MG201": ("non-python-cell-magic", "A cell magic whose body is not Python (%%bash, %%sql, %%html ...); not converted."),
    "MG202": ("python-cell-magic", "A cell magic that only times or captures Python (%%time, %%capture); the magic is dropped, the body kept."),
}

SENTINEL = "__nb2prod_cell__"

#: cell magics whose body is Python; the magic itself only times or captures it
PYTHON_BODY_CELL_MAGICS = frozenset({"time", "timeit", "capture", "prun"})


@dataclass
class PreparedCell:
    """A code cell ready to join the module, or the reason it cannot."""

    cell: Cell
    python: str | None
    events: list[Event] = field(default_factory=list)


@functools.lru_cache(maxsize=1)
def _transformer():
    from IPython.core.inputtransformer2 import TransformerManager

    return TransformerManager()


def python_source(source: str) -> str | None:
    """A cell's source with IPython syntax turned into Python, or None if IPython cannot read it.

    A leading cell magic whose body is Python (``%%time``) is removed; the body of any other cell
    magic is returned as it is (the caller parses it, or not).
    """
    first, _, body = source.lstrip("\n").partition("\n")
    if first.startswith("%%"):
        source = body
    try:
        return _transformer().transform_cell(source)
    except Exception:  # IPython raises SyntaxError and friends on broken input
        return None


def prepare_cells(cells: tuple[Cell, ...]) -> list[PreparedCell]:
    """Turn each code cell into plain Python, or record why it cannot be.

    Args:
        cells: the notebook's code cells.

    Returns:
        One :class:`PreparedCell` per code cell, in order. ``python`` is None
        for cells that cannot be part of the pipeline (status ``not-converted``
        or ``dropped``), with the reason in ``events``.
    """
    manager = _transformer()
    prepared = []
    for cell in cells:
        events = [Event(cell.number, "NB001", "info", note) for note in cell.notes]
        source = cell.source
        if "nb2prod:skip" in cell.tags:
            events.append(Event(cell.number, "NB002", "dropped", "cell tagged nb2prod:skip"))
            prepared.append(PreparedCell(cell, None, events))
            continue
        if not source.strip() or all(
            not line.strip() or line.lstrip().startswith("#") for line in source.splitlines()
        ):
            events.append(Event(cell.number, "NB003", "dropped", "empty or comment-only cell"))
            prepared.append(PreparedCell(cell, None, events))
            continue
        first, _, body = source.lstrip("\n").partition("\n")
        if first.startswith("%%"):
            magic = first[2:].split(maxsplit=1)[0] if first[2:].strip() else ""
            if magic not in PYTHON_BODY_CELL_MAGICS:
                events.append(
                    Event(cell.number, "MG201", "not-converted", f"cell magic %%{magic}: its body is not Python")
                )
                prepared.append(PreparedCell(cell, None, events))
                continue
            events.append(Event(cell.number, "MG202", "dropped", f"cell magic %%{magic} removed; its Python body is kept"))
            source = body
        try:
            python = manager.transform_cell(source)
        except Exception as exc:  # IPython raises SyntaxError and friends on broken input
            events.append(Event(cell.number, "NB004", "not-converted", f"cannot read IPython syntax: {exc}"))
            prepared.append(PreparedCell(cell, None, events))
            continue
        try:
            cst.parse_module(python)
        except cst.ParserSyntaxError as exc:
            events.append(
                Event(
                    cell.number,
                    "NB004",
                    "not-converted",
                    f"syntax error at line {exc.raw_line} column {exc.raw_column + 1}: {exc.message}",
                    line=exc.raw_line,
                )
            )
            prepared.append(PreparedCell(cell, None, events))
            continue
        prepared.append(PreparedCell(cell, python, events))
    return prepared


def join_cells(prepared: list[PreparedCell]) -> cst.Module:
    """One module holding every usable cell, each led by its sentinel statement."""
    parts = []
    for p in prepared:
        if p.python is None:
            continue
        code = p.python if p.python.endswith("\n") else p.python + "\n"
        parts.append(f"{SENTINEL}({p.cell.number})\n{code}")
    return cst.parse_module("".join(parts))


def sentinel_cell(statement: cst.CSTNode) -> int | None:
    """The cell number if ``statement`` is a sentinel statement, else None."""
    if not isinstance(statement, cst.SimpleStatementLine) or len(statement.body) != 1:
        return None
    expr = statement.body[0]
    if not isinstance(expr, cst.Expr) or not isinstance(expr.value, cst.Call):
        return None
    call = expr.value
    if isinstance(call.func, cst.Name) and call.func.value == SENTINEL and call.args:
        value = call.args[0].value
        if isinstance(value, cst.Integer):
            return int(value.value)
    return None


def split_cells(module: cst.Module) -> dict[int, list[cst.BaseStatement]]:
    """Group the module's top-level statements by the cell they came from."""
    out: dict[int, list[cst.BaseStatement]] = {}
    current: int | None = None
    for statement in module.body:
        number = sentinel_cell(statement)
        if number is not None:
            current = number
            out.setdefault(number, [])
            continue
        if current is not None:
            out[current].append(statement)
    return out
