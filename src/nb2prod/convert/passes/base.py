"""What every pass shares: cell tracking, event reporting, the shared state."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any

import libcst as cst
from libcst._metadata_dependent import _UNDEFINED_DEFAULT, MetadataDependent
from libcst.metadata import MetadataWrapper, PositionProvider, QualifiedNameProvider, ScopeProvider

from nb2prod.convert.cells import sentinel_cell
from nb2prod.convert.qualified_names import QualifiedNames
from nb2prod.convert.report import Event, Outcome


#: ``NB2PROD_CHECK_QUALIFIED_NAMES=1``: every qualified name answered from the bindings is compared
#: with libcst's; each difference is added to :data:`NAME_MISMATCHES` (tests and corpus checks)
_CHECK_NAMES = os.environ.get("NB2PROD_CHECK_QUALIFIED_NAMES") == "1"
NAME_MISMATCHES: list[str] = []


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
        memo: values computed once per node object and shared by the passes that read them
            (see :func:`memoised`).
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
    memo: dict[tuple[str, int], tuple[cst.CSTNode, Any]] = field(default_factory=dict, repr=False)


def memoised(state: ConversionState, what: str, node: cst.CSTNode, compute: Any) -> Any:
    """``compute(node)``, computed once per node object in a conversion.

    libcst nodes are immutable and a pass returns the statements it does not change as the same
    objects, so a fact of a statement (the names it reads, say) holds for as long as the object is
    in the tree: the sort, cache and prune passes each walk every top-level statement and share
    these. The node is kept with the value, so its ``id`` is not reused while the entry lives.

    Args:
        state: the conversion's state (holds the memo).
        what: the kind of fact (one key space per ``compute``).
        node: any libcst node.
        compute: a pure function of the node; its value must not be mutated by callers.
    """
    key = (what, id(node))
    try:
        return state.memo[key][1]
    except KeyError:
        value = compute(node)
        state.memo[key] = (node, value)
        return value


@dataclass
class PassContext:
    """What the passes of one conversion share: libcst's ``CodemodContext`` reduced to what they use.

    ``libcst.codemod`` is not imported: its package imports ``libcst.matchers`` (~1,800 generated
    classes), a quarter of a second of every ``nb2prod convert`` that no pass needs. A
    ``CodemodContext`` works as well (only ``scratch`` and ``wrapper`` are read).

    Attributes:
        scratch: data passed between passes (``scratch["nb2prod"]`` is the :class:`ConversionState`).
        wrapper: the metadata wrapper of the module being transformed (set during a transform).
    """

    scratch: dict[str, Any] = field(default_factory=dict)
    wrapper: MetadataWrapper | None = None


def state_of(context: Any) -> ConversionState:
    """The :class:`ConversionState` of a :class:`PassContext` (or ``CodemodContext``), created on first use."""
    return context.scratch.setdefault("nb2prod", ConversionState())


#: (pass class, "visit"/"leave", node class, attribute or "") -> the pass's function for it, or None
_METHODS: dict[tuple[type, str, type, str], Any] = {}


def _method(cls: type, prefix: str, node_class: type, attribute: str = "") -> Any:
    """``cls``'s ``visit_<Node>`` / ``leave_<Node>`` (``_<attribute>``) function, or None, looked up once."""
    key = (cls, prefix, node_class, attribute)
    try:
        return _METHODS[key]
    except KeyError:
        name = f"{prefix}_{node_class.__name__}" + (f"_{attribute}" if attribute else "")
        func = _METHODS[key] = getattr(cls, name, None)
        return func


class CellPass(cst.CSTTransformer):
    """A transformer that knows which cell each top-level statement came from.

    Subclasses report through :meth:`report`; the line recorded is relative to
    the cell when position metadata is available.

    What libcst's ``Codemod`` gives a pass (a context, ``transform_module`` resolving the declared
    metadata), without ``ContextAwareTransformer``'s matcher-decorator machinery (it inspected every
    method on each instantiation and ran matcher checks on every node) and without importing
    ``libcst.codemod``. ``visit_<Node>``/``leave_<Node>`` methods are called exactly as libcst calls
    them; the lookup of each is remembered per pass class and node class instead of a ``getattr``
    by formatted name on every node.

    ``QualifiedNameProvider`` in ``METADATA_DEPENDENCIES`` is served on demand: for flat code from
    the module's bindings (:mod:`nb2prod.convert.qualified_names`, libcst's answer without its scope
    analysis of every node), else from libcst's scopes, resolved when first needed
    (``scope.get_qualified_names_for(node)``, the value libcst's provider attaches to every node).
    """

    METADATA_DEPENDENCIES = (PositionProvider,)
    #: False for a pass that reads no metadata (no report with a line, no qualified name) and does not
    #: visit the tree with :meth:`visit_SimpleStatementLine`: it gets the module as it is, with no
    #: metadata resolved and no copy made (positions alone are a code generation of the whole module)
    READS_METADATA = True

    def __init__(self, context: PassContext) -> None:
        super().__init__()
        self.context = context
        self.state = state_of(context)
        self.cell = 0
        self._cell_start = 0
        self._qualified_names: dict[cst.CSTNode, Any] = {}
        self._flat_names: QualifiedNames | None | bool = False  # False: not built yet; None: not flat

    @classmethod
    def needed(cls, source: str) -> bool:
        """Whether the pass can change or report anything in a module of this source text (a pass
        that cannot is skipped: its output would be the same code and no event). Default: True."""
        return True

    @classmethod
    def get_inherited_dependencies(cls) -> frozenset:
        """The metadata to resolve: the classes' ``METADATA_DEPENDENCIES``, with ``ScopeProvider`` for
        ``QualifiedNameProvider`` (see the class docstring)."""
        cached = cls.__dict__.get("_NB2PROD_DEPENDENCIES")
        if cached is None:
            wanted = {d for c in cls.__mro__ if issubclass(c, MetadataDependent) for d in c.METADATA_DEPENDENCIES}
            wanted.discard(QualifiedNameProvider)
            cached = frozenset(wanted)
            setattr(cls, "_NB2PROD_DEPENDENCIES", cached)
        return cached

    def get_metadata(self, key: Any, node: cst.CSTNode, default: Any = _UNDEFINED_DEFAULT) -> Any:
        """libcst's ``get_metadata``; ``QualifiedNameProvider`` answers as libcst's provider would
        (the qualified names of a node of the tree, an empty set where it has no scope; ``default``,
        or ``KeyError``, for a node not in the tree), computed when first asked."""
        if key is not QualifiedNameProvider:
            return super().get_metadata(key, node, default)
        try:
            return self._qualified_names[node]
        except KeyError:
            pass
        if node not in self.metadata[PositionProvider]:  # libcst's provider covers the nodes positions do
            if default is _UNDEFINED_DEFAULT:
                raise KeyError(node)
            return default
        names = None
        flat = self.flat_names() if ScopeProvider not in self.metadata else None  # scopes resolved anyway: ask them
        if flat is not None:
            names = flat.names_for(node, self.metadata[PositionProvider][node].start.line)
            if names is not None and _CHECK_NAMES and names != self._scoped_names(node):
                NAME_MISMATCHES.append(f"{cst.Module([]).code_for_node(node)!r}: {names} != {self._scoped_names(node)}")
        if names is None:
            names = self._scoped_names(node)
        self._qualified_names[node] = names
        return names

    def flat_names(self) -> QualifiedNames | None:
        """The bindings of the module being transformed where it is flat code (see
        :mod:`nb2prod.convert.qualified_names`), else None: then ask :meth:`libcst_scopes`."""
        if self._flat_names is False:
            self._flat_names = QualifiedNames.of(self.context.wrapper.module.code)
        return self._flat_names  # type: ignore[return-value]

    def libcst_scopes(self) -> Mapping[cst.CSTNode, Any]:
        """libcst's scopes of the module being transformed (resolved when first asked, once)."""
        scopes = self.metadata.get(ScopeProvider)
        return scopes if scopes is not None else self.context.wrapper.resolve(ScopeProvider)

    def _scoped_names(self, node: cst.CSTNode) -> set:
        """libcst's qualified names of ``node``."""
        scope = self.libcst_scopes().get(node)
        return set(scope.get_qualified_names_for(node)) if scope else set()

    def transform_module(self, tree: cst.Module, *, copy: bool = True) -> cst.Module:
        """Resolve the metadata the pass declares on ``tree`` and return the rewritten module.

        Args:
            tree: the module.
            copy: work on a deep copy of ``tree`` (what libcst's ``Codemod`` always does: metadata is
                keyed by node, so a node standing in two places of the tree would get one value
                for both). False for a tree known to have no shared node, such as a freshly parsed one.
                Ignored by a pass that does not :attr:`READS_METADATA`.
        """
        if not self.READS_METADATA:
            return self.transform_module_impl(tree)
        return self.transform_with(MetadataWrapper(tree, unsafe_skip_copy=not copy))

    def transform_module_impl(self, tree: cst.Module) -> cst.Module:
        """Visit ``tree`` (which carries the resolved metadata) and return the rewritten module."""
        return tree.visit(self)

    def transform_with(self, wrapper: MetadataWrapper) -> cst.Module:
        """Transform ``wrapper.module`` with metadata already resolved on ``wrapper`` (computed once,
        shared by every pass that reads the same tree: the dry passes and the real one)."""
        context = self.context
        self.context = PassContext(scratch=context.scratch, wrapper=wrapper)
        self._qualified_names = {}
        self._flat_names = False
        try:
            with self.resolve(wrapper):
                return self.transform_module_impl(wrapper.module)
        finally:
            self.context = context
            self._qualified_names = {}
            self._flat_names = False

    # -- libcst's dispatch, with the method lookups remembered ----------------------------------
    def on_visit(self, node: cst.CSTNode) -> bool:
        func = _method(self.__class__, "visit", node.__class__)
        return True if func is None else func(self, node) is not False

    def on_leave(self, original_node: Any, updated_node: Any) -> Any:
        func = _method(self.__class__, "leave", original_node.__class__)
        return updated_node if func is None else func(self, original_node, updated_node)

    def on_visit_attribute(self, node: cst.CSTNode, attribute: str) -> None:
        func = _method(self.__class__, "visit", node.__class__, attribute)
        if func is not None:
            func(self, node)

    def on_leave_attribute(self, original_node: cst.CSTNode, attribute: str) -> None:
        func = _method(self.__class__, "leave", original_node.__class__, attribute)
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


def run_passes(module: cst.Module, context: PassContext, passes: list[type[CellPass]], source: str | None = None) -> cst.Module:
    """Apply ``passes`` in order, each on the previous one's output, with fresh metadata.

    Args:
        module: a freshly parsed module (no node in two places: the first pass needs no copy of it).
        context: the conversion's shared context.
        passes: the pass classes, in order.
        source: the module's source text, when known: passes that are not :meth:`CellPass.needed`
            for it are skipped.

    Returns:
        The rewritten module.
    """
    fresh = True
    for pass_cls in passes:
        if source is not None and not pass_cls.needed(source):
            continue
        copy = pass_cls.READS_METADATA and not fresh and shares_nodes(module)
        module = pass_cls(context).transform_module(module, copy=copy)
        fresh = False
    return module


#: node class -> the names of its fields
_FIELDS: dict[type, tuple[str, ...]] = {}


def shares_nodes(module: cst.CSTNode) -> bool:
    """Whether one node object stands in two places of ``module`` (a pass that put a node it built
    or kept in two places). Only then does the next pass need a deep copy for its metadata; a walk
    of the fields costs about a quarter of the copy (no pass output shared a node on 60 corpus
    notebooks)."""
    seen: set[int] = set()
    stack: list[Any] = [module]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            return True
        seen.add(id(node))
        names = _FIELDS.get(type(node))
        if names is None:
            names = _FIELDS[type(node)] = tuple(f.name for f in fields(node))
        for name in names:
            value = getattr(node, name)
            if isinstance(value, cst.CSTNode):
                stack.append(value)
            elif isinstance(value, (list, tuple)):
                stack.extend(v for v in value if isinstance(v, cst.CSTNode))
    return False
