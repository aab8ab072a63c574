"""Run the passes over a notebook's code cells and collect the result per cell."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import libcst as cst

from nb2prod.convert.cells import PreparedCell, join_cells, prepare_cells
from nb2prod.convert.cells import split_cells as _split
from nb2prod.convert.passes.base import CellPass, ConversionState, PassContext, run_passes, state_of
from nb2prod.convert.passes.cache_pass import CachePass
from nb2prod.convert.passes.config_pass import ConfigPass
from nb2prod.convert.passes.http_pass import HttpPass
from nb2prod.convert.passes.logging_pass import LoggingPass
from nb2prod.convert.passes.magics import MagicsPass
from nb2prod.convert.passes.names_pass import NamesPass
from nb2prod.convert.passes.pandas_pass import PandasPass
from nb2prod.convert.passes.prune_pass import PrunePass
from nb2prod.convert.passes.sort_pass import SortPass
from nb2prod.convert.report import CellReport, cell_status
from nb2prod.notebook import Cell

#: the passes, in the order they run
PASSES: list[type[CellPass]] = [MagicsPass, NamesPass, LoggingPass, HttpPass, ConfigPass, PandasPass, SortPass, CachePass, PrunePass]
_EMPTY = cst.Module(body=[])


@dataclass
class Rewritten:
    """The converted notebook: per-cell code and report, and what the passes collected."""

    cells: list[CellReport]
    statements: dict[int, list[cst.BaseStatement]]
    state: ConversionState
    #: step plans already made of these statements (see :func:`nb2prod.convert.render.plan_for`)
    plans: dict[Any, Any] = field(default_factory=dict, repr=False, compare=False)


def rewrite_cells(cells: tuple[Cell, ...], passes: list[type[CellPass]] | None = None) -> Rewritten:
    """Convert code cells.

    Args:
        cells: the notebook's code cells (see :func:`nb2prod.notebook.load_notebook`).
        passes: the passes to run (default :data:`PASSES`); tests run one at a time.

    Returns:
        A :class:`Rewritten` with one :class:`CellReport` per code cell, in order.
    """
    prepared: list[PreparedCell] = prepare_cells(cells)
    context = PassContext()
    state = state_of(context)
    for p in prepared:
        state.events.extend(p.events)
    source = "".join(p.python for p in prepared if p.python is not None)
    module = run_passes(join_cells(prepared), context, PASSES if passes is None else passes, source)
    statements = _split(module)
    reports = []
    for p in prepared:
        body = statements.get(p.cell.number, [])
        generated = _EMPTY.with_changes(body=body).code if body else ""
        events = [e for e in state.events if e.cell == p.cell.number]
        status = cell_status(events, has_code=bool(body))
        reports.append(CellReport(p.cell.number, p.cell.id, status, p.cell.source, generated, events, p.cell.tags))
    return Rewritten(reports, statements, state)


def rewrite_sources(sources: list[str], passes: list[type[CellPass]] | None = None) -> Rewritten:
    """:func:`rewrite_cells` for plain source strings (cells numbered 1, 2, ...)."""
    cells = tuple(Cell(number=i, cell_type="code", source=s, id=f"pos-{i}") for i, s in enumerate(sources, start=1))
    return rewrite_cells(cells, passes)
