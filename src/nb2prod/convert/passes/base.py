"""What every pass shares: cell tracking, event reporting, the shared state."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import libcst as cst
from libcst.codemod import Codemod, CodemodContext
from libcst.metadata import MetadataWrapper, PositionProvider

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


#: (pass class, node class) -> its visit_<Node> / leave_<Node> function, or None
_VISIT: dict[tuple[type, type], Any] = {}
_LEAVE: dict[tuple[type, type], Any] = {}
#: (pass class, node class, attribute) -> its visit_<Node>_<attribute> / leave_... function, or None
_VISIT_ATTRIBUTE: dict[tuple[type, type, str], Any] = {}
_LEAVE_ATTRIBUTE: dict[tuple[type, type, str], Any] = {}


class CellPass(Codemod, cst.CSTTransformer):
    """A transformer that knows which cell each top-level statement came from.

    Subclasses report through :meth:`report`; the line recorded is relative to
    the cell when position metadata is available.

    A libcst ``Codemod`` and ``CSTTransformer`` (what ``ContextAwareTransformer`` is, without the
    matcher-decorator machinery no pass uses: it inspected every method on each instantiation and
    ran matcher checks on every node). ``visit_<Node>``/``leave_<Node>`` methods are called exactly
    as libcst calls them; the lookup of each is remembered per pass class and node class instead
    of a ``getattr`` by formatted name on every node.
    """

    METADATA_DEPENDENCIES = (PositionProvider,)

    def __init__(self, context: CodemodContext) -> None:
        Codemod.__init__(self, context)
        self.state = state_of(context)
        self.cell = 0
        self._cell_start = 0

    def transform_module_impl(self, tree: cst.Module) -> cst.Module:
        """Visit ``tree`` (which carries the resolved metadata) and return the rewritten module."""
        return tree.visit(self)

    def transform_with(self, wrapper: MetadataWrapper) -> cst.Module:
        """Transform ``wrapper.module`` with metadata already resolved on ``wrapper`` (computed once,
        shared by every pass that reads the same tree: the dry passes and the real one)."""
        context = self.context
        self.context = CodemodContext(
            warnings=context.warnings, scratch=context.scratch, filename=context.filename,
            full_module_name=context.full_module_name, full_package_name=context.full_package_name,
            wrapper=wrapper, metadata_manager=context.metadata_manager,
        )  # fmt: skip
        try:
            with self.resolve(wrapper):
                return self.transform_module_impl(wrapper.module)
        finally:
            self.context = context

    # -- libcst's dispatch, with the method lookups remembered ----------------------------------
    def on_visit(self, node: cst.CSTNode) -> bool:
        key = (self.__class__, node.__class__)
        try:
            func = _VISIT[key]
        except KeyError:
            func = _VISIT[key] = getattr(self.__class__, f"visit_{type(node).__name__}", None)
        if func is None:
            return True
        return func(self, node) is not False

    def on_leave(self, original_node: Any, updated_node: Any) -> Any:
        key = (self.__class__, original_node.__class__)
        try:
            func = _LEAVE[key]
        except KeyError:
            func = _LEAVE[key] = getattr(self.__class__, f"leave_{type(original_node).__name__}", None)
        if func is None:
            return updated_node
        return func(self, original_node, updated_node)

    def on_visit_attribute(self, node: cst.CSTNode, attribute: str) -> None:
        key = (self.__class__, node.__class__, attribute)
        try:
            func = _VISIT_ATTRIBUTE[key]
        except KeyError:
            func = _VISIT_ATTRIBUTE[key] = getattr(self.__class__, f"visit_{type(node).__name__}_{attribute}", None)
        if func is not None:
            func(self, node)

    def on_leave_attribute(self, original_node: cst.CSTNode, attribute: str) -> None:
        key = (self.__class__, original_node.__class__, attribute)
        try:
            func = _LEAVE_ATTRIBUTE[key]
        except KeyError:
            func = _LEAVE_ATTRIBUTE[key] = getattr(self.__class__, f"leave_{type(original_node).__name__}_{attribute}", None)
        if func is not None:
            func(self, original_node)

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
