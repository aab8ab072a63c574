"""What every pass shares: cell tracking, event reporting, the shared state."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import libcst as cst
from libcst.codemod import CodemodContext, ContextAwareTransformer
from libcst.metadata import PositionProvider

from nb2prod.convert.cells import sentinel_cell
from nb2prod.convert.report import Event, Outcome


@dataclass
class ConversionState:
    """Data the passes hand to each other and to the package renderer.

    Attributes:
        events: everything reported, in order.
        config: configuration values for ``conf/base.yaml`` (key -> literal value).
        config_origin: where each config key came from (``cell 4: DATA_DIR``).
        env_vars: environment variables the pipeline reads secrets from.
        redact: secret literal -> its environment variable; the report shows the
            variable in place of the value (kept in memory only, never written).
        secret_values: every secret value the config pass replaced -> its environment variable
            (memory only; :mod:`nb2prod.convert.secrets` redacts them from every written file).
        requirements: distributions named by ``pip install`` in the notebook.
        uses: helper names the generated code needs imported
            (``F``, ``compat``, ``log``, ``require_env``, ``Window``).
        cell_lines: 1-based module line where each cell's sentinel stands.
    """

    events: list[Event] = field(default_factory=list)
    config: dict[str, Any] = field(default_factory=dict)
    config_origin: dict[str, str] = field(default_factory=dict)
    env_vars: dict[str, str] = field(default_factory=dict)
    redact: dict[str, str] = field(default_factory=dict)
    secret_values: dict[str, str] = field(default_factory=dict)
    requirements: list[str] = field(default_factory=list)
    uses: set[str] = field(default_factory=set)
    cell_lines: dict[int, int] = field(default_factory=dict)


def state_of(context: CodemodContext) -> ConversionState:
    return context.scratch.setdefault("nb2prod", ConversionState())


class CellPass(ContextAwareTransformer):
    """A transformer that knows which cell each top-level statement came from.

    Subclasses report through :meth:`report`; the line recorded is relative to
    the cell when position metadata is available.
    """

    METADATA_DEPENDENCIES = (PositionProvider,)

    def __init__(self, context: CodemodContext) -> None:
        super().__init__(context)
        self.state = state_of(context)
        self.cell = 0
        self._cell_start = 0

    def visit_SimpleStatementLine(self, node: cst.SimpleStatementLine) -> bool | None:
        number = sentinel_cell(node)
        if number is not None:
            self.cell = number
            self._cell_start = self.get_metadata(PositionProvider, node).start.line
            return False
        return True

    def line_in_cell(self, node: cst.CSTNode) -> int | None:
        try:
            return self.get_metadata(PositionProvider, node).start.line - self._cell_start
        except KeyError:
            return None

    def report(
        self,
        node: cst.CSTNode | None,
        code: str,
        outcome: Outcome,
        message: str,
        *,
        pandas_call: bool = False,
        tier: str | None = None,
    ) -> None:
        line = self.line_in_cell(node) if node is not None else None
        if pandas_call and tier is None and outcome in ("converted", "partial"):
            tier = "native"
        self.state.events.append(Event(self.cell, code, outcome, message, pandas_call=pandas_call, line=line, tier=tier))


def run_passes(module: cst.Module, context: CodemodContext, passes: list[type[CellPass]]) -> cst.Module:
    """Apply ``passes`` in order, each on the previous one's output, with fresh metadata."""
    for pass_cls in passes:
        module = pass_cls(context).transform_module(module)
    return module
