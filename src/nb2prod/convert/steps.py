"""The step model: a notebook's converted cells split into named steps, with inputs and outputs
inferred from the dataflow between them.

Steps come from the notebook's structure, in this order of precedence:

* a code cell tagged ``step:<name>`` belongs to step ``<name>`` (consecutive cells with the same tag
  form one step, and the untagged cells after them join it until the next tag or heading);
* a markdown cell holding a heading (any level) starts a step named after the heading's text
  (``## Clean the flights`` -> ``clean_the_flights``);
* with neither anywhere in the notebook, consecutive code cells that feed each other (a cell reads a
  name the cells before it in the group bind) form one step, so independent parts stay apart.

Names are snake_case identifiers, unique, and never shadow a builtin, a keyword, an import, a helper
function or a data name of the notebook (``routes`` becomes ``routes_step`` when the notebook has a
``routes`` variable).

Each step's code is its cells' converted statements (after every pass), except what stays at module
level: imports, top-level ``def`` and ``class`` helpers, and *settings aliases*: a name bound once
from the configuration or a secret only (``DATA_DIR = config["data_dir"]``,
``token = require_env("API_TOKEN")``) is copied into each step that reads it (a secret is never a
step's output, so never staged), so that a step is a function of its DataFrames and the settings mapping (``config`` in the
converted code is the step's ``settings`` parameter).

Dataflow (libcst's ``ScopeProvider`` on each step's code): a step's **inputs** are the names it
reads before binding them that an earlier step produces; its **outputs** are the names it binds or
changes in place (``df["c"] = ...``, ``df.loc[...] = ...``, ``df.drop(..., inplace=True)``,
``df.x.fillna(..., inplace=True)``, ``del df["c"]``, ``items.append(x)``) that a later step reads,
plus the names it binds with a plain ``name = value`` (not a literal) that no later step reads or
rebinds: the step's results, which ``run()`` returns. A name a later step reassigns is that later
step's output. A helper ``def`` that reads notebook globals gets them as keyword-only parameters, and
the steps calling it pass them (``late(x)`` -> ``late(x, threshold=threshold)``; a helper passed as a
value becomes ``functools.partial(late, threshold=threshold)``), so the globals become the calling
step's inputs. The runtime objects ``spark``, ``settings``, ``driver`` (the driver tier's
``compat.Driver``) and ``web`` (the HTTP session) are parameters of the steps that use them, never
data inputs.
"""

from __future__ import annotations

import builtins
import contextvars
import keyword
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import libcst as cst
from libcst.metadata import MetadataWrapper, ScopeProvider
from libcst.metadata.scope_provider import ClassScope, GlobalScope

from nb2prod.convert.flat_scopes import flat_flow
from nb2prod.notebook import Cell

#: objects run() creates and hands to the steps that use them, in parameter order
RUNTIME = ("spark", "settings", "driver", "web")
#: methods that change their receiver (lists, dicts, sets, pandas' insert/pop/update)
MUTATORS = frozenset({"append", "extend", "insert", "pop", "update", "remove", "clear", "setdefault", "add", "discard", "sort", "reverse", "popitem"})
_HEADING = re.compile(r"^ {0,3}(#{1,6})[ \t]+(.+?)[ \t]*#*[ \t]*$")
_TAG = re.compile(r"^step:(.+)$")
_EMPTY = cst.Module(body=[])


@dataclass(frozen=True)
class Step:
    """One step of the pipeline: a function of its inputs returning its outputs.

    Attributes:
        name: the function's name (a snake_case identifier, unique in the module).
        cells: the notebook cells it came from (numbered as CONVERSION.md numbers them).
        inputs: data names it reads that earlier steps produce (its parameters, in order).
        outputs: names it produces (what it returns, in order).
        headings: the markdown headings its cells came under ("" when none).
        runtime: which of :data:`RUNTIME` it needs (``spark`` when it reads data...).
        kinds: input or output name -> ``"DataFrame"`` when it is a Spark DataFrame for sure, else
            ``"Any"`` (an input keeps the kind its producer gave it; a name that is both keeps the output's).
        release: cached frames to unpersist once this step is done (the last step using them).
        body: its statements (libcst), settings aliases first.
    """

    name: str
    cells: tuple[int, ...]
    inputs: tuple[str, ...]
    outputs: tuple[str, ...]
    headings: tuple[str, ...] = ()
    runtime: tuple[str, ...] = ()
    kinds: Mapping[str, str] = field(default_factory=dict)
    release: tuple[str, ...] = ()
    body: tuple[cst.BaseStatement, ...] = ()


@dataclass
class Plan:
    """The steps of a notebook and what stays at module level.

    Attributes:
        steps: the steps, in notebook order (no empty step).
        helpers: top-level ``def``/``class`` statements (rewritten to take the globals they read).
        uses_partial: a helper is passed as a value with its globals bound (``functools.partial``).
    """

    steps: list[Step]
    helpers: list[cst.BaseStatement]
    uses_partial: bool = False


def snake_case(text: str) -> str:
    """A heading or tag as a snake_case identifier ("Load the *raw* data!" -> ``load_the_raw_data``);
    at most six words and 32 characters (words dropped from the end); "" when nothing is left."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)  # [link](url) -> link
    text = re.sub(r"<[^>]+>", " ", text)
    text = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", text)  # camelCase -> camel Case
    words = re.findall(r"[A-Za-z0-9]+", text.lower())[:6]
    while len(words) > 2 and len("_".join(words)) > 32:
        words.pop()
    name = "_".join(words)
    if name and name[0].isdigit():
        name = f"step_{name}"
    return name


def heading_of(cell: Cell) -> str | None:
    """The text of the first markdown heading in a markdown cell (outside code fences), else None."""
    found = _heading(cell)
    return found[1] if found else None


def _heading(cell: Cell) -> tuple[int, str] | None:
    if cell.cell_type != "markdown":
        return None
    fenced = False
    for line in cell.source.splitlines():
        if line.lstrip().startswith(("```", "~~~")):
            fenced = not fenced
            continue
        match = None if fenced else _HEADING.match(line)
        if match and snake_case(match.group(2)):
            return len(match.group(1)), match.group(2).strip()
    return None


def title_cell(cells: Sequence[Cell], code: Mapping[int, list[cst.BaseStatement]]) -> int | None:
    """The cell holding the notebook's title, which names no step: a level-1 heading before any code
    (imports aside) when the notebook has no other level-1 heading."""
    first = [c for c in cells if _heading(c) and _heading(c)[0] == 1]
    if len(first) != 1:
        return None
    title = first[0]
    if any(c.number < title.number and code.get(c.number) for c in cells if c.cell_type == "code"):
        return None
    return title.number


def tag_of(cell: Cell) -> str | None:
    """The step name a ``step:<name>`` tag gives the cell, else None."""
    for tag in cell.tags:
        match = _TAG.match(tag)
        if match and snake_case(match.group(1)):
            return snake_case(match.group(1))
    return None


# ---------------------------------------------------------------- names read, bound, changed

#: id of node -> (the node, kept alive so that its id stays its own; its :class:`_Facts`), while
#: :func:`plan_steps` runs: libcst nodes are immutable, so a node's names and changes are computed
#: in one visit however often the planner asks (it asks several times per statement)
_MEMO: contextvars.ContextVar[dict[int, tuple[cst.CSTNode, _Facts]] | None] = contextvars.ContextVar("_MEMO", default=None)


@dataclass(frozen=True)
class _Facts:
    names: frozenset[str]  # Name values read or bound, an attribute's own name left out
    every: frozenset[str]  # every Name value, attribute names too
    mutated: frozenset[str]  # changed in place, outside a def or lambda (see _Mutations)


def _facts(node: cst.CSTNode) -> _Facts:
    memo = _MEMO.get()
    known = memo.get(id(node)) if memo is not None else None
    if known is not None:
        return known[1]
    visitor = _Collect()
    node.visit(visitor)
    facts = _Facts(frozenset(visitor.found), frozenset(visitor.every), frozenset(visitor.names))
    if memo is not None:
        memo[id(node)] = (node, facts)
    return facts


def _root(node: cst.BaseExpression) -> str | None:
    while isinstance(node, (cst.Subscript, cst.Attribute, cst.Call)):
        node = node.func if isinstance(node, cst.Call) else node.value
    return node.value if isinstance(node, cst.Name) else None


class _Mutations(cst.CSTVisitor):
    """Names changed in place by a statement (not rebound)."""

    def __init__(self) -> None:
        self.names: set[str] = set()

    def _target(self, target: cst.BaseExpression) -> None:
        if isinstance(target, (cst.Subscript, cst.Attribute)):
            root = _root(target)
            if root:
                self.names.add(root)
        elif isinstance(target, (cst.Tuple, cst.List)):
            for element in target.elements:
                self._target(element.value)

    def visit_AssignTarget(self, node: cst.AssignTarget) -> None:
        self._target(node.target)

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        self._target(node.target)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        self._target(node.target)

    def visit_Del(self, node: cst.Del) -> None:
        self._target(node.target)

    def visit_Call(self, node: cst.Call) -> None:
        inplace = any(
            a.keyword is not None and a.keyword.value == "inplace" and isinstance(a.value, cst.Name) and a.value.value == "True"
            for a in node.args
        )
        if isinstance(node.func, cst.Attribute) and (inplace or node.func.attr.value in MUTATORS):
            root = _root(node.func.value)
            if root:
                self.names.add(root)

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        return False

    def visit_Lambda(self, node: cst.Lambda) -> bool:
        return False


class _Collect(_Mutations):
    """:class:`_Mutations` outside a def or lambda, and the names of every node, in one visit."""

    def __init__(self) -> None:
        super().__init__()
        self.found: set[str] = set()
        self.every: set[str] = set()
        self._attributes: set[int] = set()  # ids of attribute names (``b`` of ``a.b``)
        self._nested = 0  # defs and lambdas entered: no mutation is recorded inside

    def visit_Name(self, node: cst.Name) -> None:
        self.every.add(node.value)
        if id(node) not in self._attributes:
            self.found.add(node.value)

    def visit_Attribute(self, node: cst.Attribute) -> None:
        self._attributes.add(id(node.attr))

    def _target(self, target: cst.BaseExpression) -> None:
        if not self._nested:
            super()._target(target)

    def visit_Call(self, node: cst.Call) -> None:
        if not self._nested:
            super().visit_Call(node)

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        self._nested += 1
        return True

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        self._nested -= 1

    def visit_Lambda(self, node: cst.Lambda) -> bool:
        self._nested += 1
        return True

    def leave_Lambda(self, original_node: cst.Lambda) -> None:
        self._nested -= 1


def _mutated(statement: cst.CSTNode) -> frozenset[str]:
    """Names ``statement`` changes in place (see :class:`_Mutations`)."""
    return _facts(statement).mutated


@dataclass
class _Flow:
    reads: list[str]  # read before bound here, in order of first read
    binds: set[str]  # bound at the step's top level (module scope)
    mutated: set[str]
    simple: dict[str, cst.BaseExpression]  # name -> value of its last top-level ``name = value``


class _Flows:
    """:func:`_flow` remembered for the runs of statements already analysed (libcst nodes are immutable:
    the same statement objects in the same order have the same flow). Each answer is a fresh copy
    (callers change theirs)."""

    def __init__(self) -> None:
        self._known: dict[tuple[int, ...], tuple[Sequence[cst.BaseStatement], _Flow]] = {}

    def __call__(self, statements: Sequence[cst.BaseStatement]) -> _Flow:
        key = tuple(map(id, statements))
        known = self._known.get(key)
        if known is None:
            known = self._known[key] = (tuple(statements), _flow(statements))  # the nodes kept alive: ids stay theirs
        flow = known[1]
        return _Flow(list(flow.reads), set(flow.binds), set(flow.mutated), dict(flow.simple))


def _scoped_reads_binds(statements: Sequence[cst.BaseStatement]) -> tuple[dict[str, int], set[str]]:
    """Module-scope reads (name -> index of the first statement reading it before a binding) and
    binds of ``statements``, by libcst's ``ScopeProvider``."""
    module = cst.Module(body=list(statements))
    wrapper = MetadataWrapper(module, unsafe_skip_copy=True)
    scopes = wrapper.resolve(ScopeProvider)
    index: dict[int, int] = {}

    def mark(node: cst.CSTNode, i: int) -> None:
        index[id(node)] = i
        for child in node.children:
            mark(child, i)

    for i, statement in enumerate(module.body):
        mark(statement, i)
    global_scope = next((s for s in scopes.values() if isinstance(s, GlobalScope)), None)
    first_bind: dict[str, int] = {}
    binds: set[str] = set()
    if global_scope is not None:
        for assignment in global_scope.assignments:
            node = getattr(assignment, "node", None)
            if node is None or assignment.scope is not global_scope:
                continue
            i = index.get(id(node), 0)
            binds.add(assignment.name)
            first_bind[assignment.name] = min(first_bind.get(assignment.name, i), i)
    reads: dict[str, int] = {}
    seen_scopes = {s for s in scopes.values() if s is not None}
    for scope in seen_scopes:
        for access in scope.accesses:
            node = access.node
            if not isinstance(node, cst.Name):
                continue
            name = node.value
            s = access.scope
            local = False
            while s is not None and not isinstance(s, GlobalScope):
                if not isinstance(s, ClassScope) and any(a.scope is s for a in s.assignments[name]):
                    local = True
                    break
                s = s.parent
            if local:
                continue
            i = index.get(id(node), 0)
            if name in first_bind and first_bind[name] < i:
                continue
            if name not in reads or i < reads[name]:
                reads[name] = i  # the statement of the first read; one statement's names in name order
    # `total += x` reads total (libcst's scopes record only the assignment): a step doing it needs total
    for i, statement in enumerate(module.body):
        for name in _augmented_names(statement):
            if not (name in first_bind and first_bind[name] < i) and (name not in reads or i < reads[name]):
                reads[name] = i
    return reads, binds


def _augmented_names(statement: cst.CSTNode) -> set[str]:
    """Names that ``statement`` changes by augmented assignment at module scope (not inside a
    ``def``, ``class`` or ``lambda``)."""
    found: set[str] = set()

    class _Visit(cst.CSTVisitor):
        def visit_AugAssign(self, node: cst.AugAssign) -> None:
            if isinstance(node.target, cst.Name):
                found.add(node.target.value)

        def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
            return False

        def visit_ClassDef(self, node: cst.ClassDef) -> bool:
            return False

        def visit_Lambda(self, node: cst.Lambda) -> bool:
            return False

    statement.visit(_Visit())
    return found


def _flow(statements: Sequence[cst.BaseStatement]) -> _Flow:
    """Reads, binds and in-place changes of a run of top-level statements, by scope analysis
    (:mod:`nb2prod.convert.flat_scopes` for code without functions or classes, else libcst's scopes)."""
    flat = flat_flow(statements)
    if flat is None:
        reads, binds = _scoped_reads_binds(statements)
    else:
        reads, first_bind = flat
        binds = set(first_bind)
    mutated: set[str] = set()
    simple: dict[str, cst.BaseExpression] = {}
    for statement in statements:
        mutated |= _mutated(statement)
        if isinstance(statement, cst.SimpleStatementLine):
            for small in statement.body:
                if isinstance(small, cst.Assign) and len(small.targets) == 1 and isinstance(small.targets[0].target, cst.Name):
                    simple[small.targets[0].target.value] = small.value
                elif isinstance(small, (cst.Assign, cst.AugAssign, cst.AnnAssign)):
                    for target in getattr(small, "targets", [small]):
                        t = getattr(target, "target", None)
                        if isinstance(t, cst.Name):
                            simple.pop(t.value, None)
        elif simple:
            for name in _all_names(statement) & binds:
                simple.pop(name, None)
    ordered = [n for n, _ in sorted(reads.items(), key=lambda kv: (kv[1], kv[0]))]
    return _Flow(ordered, binds, mutated, simple)


def _all_names(statement: cst.CSTNode) -> frozenset[str]:
    """Every ``Name`` node's value in ``statement`` (bound, read, or an attribute's name), in one visit."""
    return _facts(statement).every


def _is_literal(node: cst.BaseExpression) -> bool:
    if isinstance(node, (cst.Integer, cst.Float, cst.Imaginary, cst.SimpleString, cst.ConcatenatedString)):
        return True
    if isinstance(node, cst.Name) and node.value in ("True", "False", "None"):
        return True
    if isinstance(node, cst.UnaryOperation):
        return _is_literal(node.expression)
    return False


def _names_in(node: cst.CSTNode) -> frozenset[str]:
    """The names ``node`` reads or binds, an attribute's own name left out (``a.b`` -> ``{"a"}``)."""
    return _facts(node).names


# ---------------------------------------------------------------- rewrites


class _Rename(cst.CSTTransformer):
    """``config`` -> ``settings`` (the step's settings parameter)."""

    def leave_Name(self, original_node: cst.Name, updated_node: cst.Name) -> cst.Name:
        return updated_node.with_changes(value="settings") if updated_node.value == "config" else updated_node

    def visit_Attribute(self, node: cst.Attribute) -> bool:
        return True

    def leave_Attribute(self, original_node: cst.Attribute, updated_node: cst.Attribute) -> cst.Attribute:
        if original_node.attr.value == "config":
            return updated_node.with_changes(attr=original_node.attr)  # x.config is an attribute, not the name
        return updated_node

    def leave_Arg(self, original_node: cst.Arg, updated_node: cst.Arg) -> cst.Arg:
        if original_node.keyword is not None and original_node.keyword.value == "config":
            return updated_node.with_changes(keyword=original_node.keyword)
        return updated_node


def _renamed(statement: cst.BaseStatement, rename: _Rename) -> cst.BaseStatement:
    """``statement`` with ``config`` read as ``settings``; the same node where it names no ``config``."""
    return statement.visit(rename) if "config" in _all_names(statement) else statement


class _BindGlobals(cst.CSTTransformer):
    """Calls of helpers that read notebook globals pass them; other references bind them with partial."""

    def __init__(self, helpers: Mapping[str, tuple[str, ...]]) -> None:
        super().__init__()
        self.helpers = dict(helpers)  # the helpers still meant by their names (a rebinding removes one)
        self.calls: set[int] = set()
        self.partial = False

    def visit_Call(self, node: cst.Call) -> None:
        if isinstance(node.func, cst.Name) and node.func.value in self.helpers:
            self.calls.add(id(node.func))

    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call) -> cst.Call:
        if isinstance(original_node.func, cst.Name) and original_node.func.value in self.helpers:
            given = {a.keyword.value for a in updated_node.args if a.keyword is not None}
            extra = [cst.Arg(keyword=cst.Name(g), value=cst.Name(g), equal=_EQ) for g in self.helpers[original_node.func.value] if g not in given]
            return updated_node.with_changes(args=[*_with_comma(updated_node.args), *_commas(extra)], func=original_node.func)
        return updated_node

    def leave_Name(self, original_node: cst.Name, updated_node: cst.Name) -> cst.BaseExpression:
        if original_node.value in self.helpers and id(original_node) not in self.calls:
            self.partial = True
            names = self.helpers[original_node.value]
            return cst.parse_expression(f"functools.partial({original_node.value}, {', '.join(f'{g}={g}' for g in names)})")
        return updated_node

    def on_leave(self, original_node: cst.CSTNode, updated_node: cst.CSTNode):
        updated = super().on_leave(original_node, updated_node)
        kept = _NOT_READ.get(type(original_node))
        if kept is not None and isinstance(updated, type(original_node)):
            return updated.with_changes(**{kept: getattr(original_node, kept)})
        return updated


#: the part of a node that names without reading, kept as it was: a def's name, an attribute's name,
#: a keyword, and what is bound (`model = ...`, `for model in ...`, `import x as model`)
_NOT_READ: dict[type, str] = {
    cst.FunctionDef: "name", cst.Attribute: "attr", cst.Arg: "keyword", cst.AssignTarget: "target", cst.AugAssign: "target",
    cst.AnnAssign: "target", cst.For: "target", cst.CompFor: "target", cst.AsName: "name",
}  # fmt: skip


_EQ = cst.AssignEqual(whitespace_before=cst.SimpleWhitespace(""), whitespace_after=cst.SimpleWhitespace(""))


def _with_comma(args: Sequence[cst.Arg]) -> list[cst.Arg]:
    args = list(args)
    if args and not isinstance(args[-1].comma, cst.Comma):
        args[-1] = args[-1].with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")))
    return args


def _commas(args: list[cst.Arg]) -> list[cst.Arg]:
    return [a.with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))) if i < len(args) - 1 else a for i, a in enumerate(args)]


def _add_kwonly(function: cst.FunctionDef, names: Sequence[str]) -> cst.FunctionDef:
    params = function.params
    existing = {p.name.value for p in [*params.params, *params.kwonly_params, *params.posonly_params]}
    new = [cst.Param(name=cst.Name(n)) for n in names if n not in existing]
    if not new:
        return function
    star = params.star_arg if not isinstance(params.star_arg, cst.MaybeSentinel) else cst.ParamStar()
    return function.with_changes(params=params.with_changes(star_arg=star, kwonly_params=[*params.kwonly_params, *new]))


def _frame_value(value: cst.BaseExpression, frames: set[str]) -> bool:
    """Whether ``value`` is a Spark DataFrame for sure (see :func:`.passes.cache_pass.frame_value`)."""
    from nb2prod.convert.passes.cache_pass import frame_value

    return frame_value(value, frames)


# ---------------------------------------------------------------- the plan


def _is_import(statement: cst.BaseStatement) -> bool:
    """An import line, or an optional import (``try: import seaborn / except ImportError: pass``):
    module state that goes to the top of ``pipeline.py``, not into a step."""
    if isinstance(statement, cst.Try):
        lines = try_lines(statement)
        return (
            statement.orelse is None
            and statement.finalbody is None
            and bool(statement.handlers)
            and all(_is_import(line) or _is_pass(line) for line in lines)
        )
    return isinstance(statement, cst.SimpleStatementLine) and all(isinstance(s, (cst.Import, cst.ImportFrom)) for s in statement.body)


def try_lines(statement: cst.Try) -> list[cst.BaseStatement]:
    """The statements of a ``try``'s body and its ``except`` handlers, in order."""
    return [*statement.body.body, *(line for h in statement.handlers for line in h.body.body)]


def _is_pass(statement: cst.CSTNode) -> bool:
    return isinstance(statement, cst.SimpleStatementLine) and all(isinstance(s, cst.Pass) for s in statement.body)


def _alias(statement: cst.BaseStatement, aliases: set[str]) -> str | None:
    """The name of ``NAME = <expression of config[...], require_env(...) and other aliases only>``, else
    None. A secret read this way is read again in each step using it: never a step's output (outputs
    may be staged to disk)."""
    if not isinstance(statement, cst.SimpleStatementLine) or len(statement.body) != 1:
        return None
    assign = statement.body[0]
    if not isinstance(assign, cst.Assign) or len(assign.targets) != 1 or not isinstance(assign.targets[0].target, cst.Name):
        return None
    names = _names_in(assign.value)
    if "config" not in names and "require_env" not in names and not (names & aliases):
        return None
    allowed = {"config", "require_env", *aliases, "int", "float", "str", "bool", "list", "tuple", "dict", "set"}
    if not names <= allowed:
        return None
    return assign.targets[0].target.value


def _unpersisted(statement: cst.BaseStatement) -> str | None:
    """``flights`` for the cache pass's ``flights.unpersist()`` statement, else None."""
    if not isinstance(statement, cst.SimpleStatementLine) or len(statement.body) != 1:
        return None
    expr = statement.body[0]
    if (
        isinstance(expr, cst.Expr) and isinstance(expr.value, cst.Call) and not expr.value.args
        and isinstance(expr.value.func, cst.Attribute) and expr.value.func.attr.value == "unpersist"
        and isinstance(expr.value.func.value, cst.Name)
    ):  # fmt: skip
        return expr.value.func.value.value
    return None


def _segments(cells: Sequence[Cell], code: Mapping[int, list[cst.BaseStatement]]) -> list[tuple[str | None, list[int], list[str]]]:
    """(name or None, cell numbers, headings) per run of cells, from tags and headings."""
    title = title_cell(cells, code)
    segments: list[tuple[str | None, list[int], list[str]]] = []
    pending: str | None = None
    current: tuple[str | None, list[int], list[str]] | None = None
    for cell in cells:
        heading = heading_of(cell) if cell.number != title else None
        if heading is not None:
            pending = heading
            current = None
            continue
        if cell.cell_type != "code" or not code.get(cell.number):
            continue
        tag = tag_of(cell)
        if tag is not None and (current is None or current[0] != tag):
            current = (tag, [], [pending] if pending else [])
            segments.append(current)
            pending = None
        elif current is None:
            current = (snake_case(pending) if pending else None, [], [pending] if pending else [])
            segments.append(current)
            pending = None
        current[1].append(cell.number)
    return segments


def plan_steps(cells: Sequence[Cell], statements: Mapping[int, list[cst.BaseStatement]], reserved: set[str] = frozenset()) -> Plan:
    """Split converted cells into steps and infer their dataflow (see the module docstring).

    Args:
        cells: every cell of the notebook (markdown too: headings name steps), in order.
        statements: code cell number -> its converted top-level statements.
        reserved: names the module already binds (imports, ``log``, ``F``, ``compat``...): no step
            is named after them.

    Returns:
        The :class:`Plan`; ``plan.steps`` is empty when no cell has code outside imports and helpers.
    """
    token = _MEMO.set({})
    try:
        return _plan_steps(cells, statements, reserved)
    finally:
        _MEMO.reset(token)


def _plan_steps(cells: Sequence[Cell], statements: Mapping[int, list[cst.BaseStatement]], reserved: set[str]) -> Plan:
    helpers: list[cst.BaseStatement] = []
    helper_names: set[str] = set()
    defined_in: dict[int, list[str]] = {}  # cell -> the helpers it defines
    aliases: dict[str, cst.BaseStatement] = {}
    unpersist: list[tuple[int, str]] = []  # (cell, name)
    code: dict[int, list[cst.BaseStatement]] = {}
    path_changed = False
    rename = _Rename()
    # a settings alias must be bound once and never changed
    bound_count: dict[str, int] = {}
    for number in sorted(statements):
        for statement in statements[number]:
            if isinstance(statement, cst.SimpleStatementLine):
                for small in statement.body:
                    if isinstance(small, cst.Assign):
                        for t in small.targets:
                            for n in _names_in(t.target) if isinstance(t.target, (cst.Name, cst.Tuple, cst.List)) else ():
                                bound_count[n] = bound_count.get(n, 0) + 1
    changed: set[str] = set()
    flow_of = _Flows()
    compound: list[cst.BaseStatement] = []
    for number in sorted(statements):
        for statement in statements[number]:
            changed |= _mutated(statement)
            if not isinstance(statement, (cst.SimpleStatementLine, cst.FunctionDef, cst.ClassDef)):
                compound.append(statement)
    if compound:  # bound in a loop, a with, a branch... (which scope a name binds in does not depend on its neighbours: one analysis for all)
        changed |= _flow(compound).binds
    # settings aliases that something reads (an alias nothing reads stays a statement of its step)
    candidates: dict[str, set[str]] = {}
    others: set[str] = set()
    for number in sorted(statements):
        for statement in statements[number]:
            alias = _alias(statement, set(candidates))
            if alias is not None and bound_count.get(alias, 0) == 1 and alias not in changed:
                candidates[alias] = _names_in(statement.body[0].value)
            elif not _is_import(statement):
                others |= _names_in(statement)
    used: set[str] = set()
    while True:  # an unused alias stays a statement: what it reads is read by a statement then
        todo = [n for n in candidates if n in others]
        used = set()
        while todo:
            n = todo.pop()
            if n not in used:
                used.add(n)
                todo.extend(m for m in candidates[n] if m in candidates)
        more = set().union(*(candidates[n] for n in candidates if n not in used)) - others if candidates else set()
        if not more:
            break
        others |= more
    for number in sorted(statements):
        kept: list[cst.BaseStatement] = []
        for statement in statements[number]:
            if _is_import(statement) and not path_changed:
                continue  # module level (render.py collects them)
            path_changed = path_changed or "sys.path" in _EMPTY.code_for_node(statement)
            if isinstance(statement, (cst.FunctionDef, cst.ClassDef)) and not path_changed:
                helpers.append(_renamed(statement, rename))
                helper_names.add(statement.name.value)
                defined_in.setdefault(number, []).append(statement.name.value)
                continue
            alias = _alias(statement, set(aliases))
            if alias is not None and alias in used and bound_count.get(alias, 0) == 1 and alias not in changed:
                aliases[alias] = _renamed(statement, rename)
                continue
            gone = _unpersisted(statement)
            if gone is not None:
                unpersist.append((number, gone))
                continue
            kept.append(_renamed(statement, rename))
        if kept:
            code[number] = kept
    # notebook globals read by helpers: every name a step binds
    step_bound: set[str] = set()
    for body in code.values():
        step_bound |= flow_of(body).binds
    helper_globals: dict[str, tuple[str, ...]] = {}
    module_names = set(reserved) | helper_names | set(dir(builtins))
    for i, helper in enumerate(helpers):
        if not isinstance(helper, cst.FunctionDef):
            continue
        free = [n for n in flow_of([helper]).reads if n not in helper_names and (n in step_bound or n in aliases or n in RUNTIME)]
        if free:
            helper_globals[helper.name.value] = tuple(free)
            helpers[i] = _add_kwonly(helper, free)
    binder = _BindGlobals(helper_globals)
    if helper_globals:
        bound_code: dict[int, list[cst.BaseStatement]] = {}
        previous = 0
        for n, body in code.items():
            bound_code[n] = []
            for cell in sorted(c for c in defined_in if previous < c <= n):  # a def after a rebinding means the helper again
                binder.helpers.update((h, helper_globals[h]) for h in defined_in[cell] if h in helper_globals)
            previous = n
            for statement in body:
                bound_code[n].append(statement.visit(binder))
                for name in flow_of([statement]).binds & set(binder.helpers):
                    binder.helpers.pop(name)  # `model = RandomForestClassifier()`: later `model` is not the helper
        code = bound_code
    segments = _segments(cells, code)
    if not any(name for name, _, _ in segments):  # no heading or tag: dataflow
        segments = _group_by_dataflow(segments, code, flow_of)
    raw = []
    for name, numbers, headings in segments:
        body = [s for n in numbers for s in code[n]]
        if len(numbers) > 1:  # a comment names the cell each part came from (a failure names it too)
            body = [s for i, n in enumerate(numbers) for s in _marked(code[n], n, first=i == 0)]
        raw.append((name, numbers, headings, body))
    flows = [flow_of(body) for _, _, _, body in raw]
    module_state = (set(reserved) | helper_names) - {*RUNTIME, "config"}
    for flow in flows:  # an import or helper changed in place (pd.options.x = 8) is module state, not data
        flow.reads = [n for n in flow.reads if n not in module_state or n in flow.binds]
        flow.mutated -= module_state - flow.binds
    # aliases each step reads, first (in alias order, with the aliases they need)
    data_names = set().union(*(f.binds | f.mutated for f in flows)) if flows else set()
    taken = set(module_names) | data_names | set(aliases) | set(RUNTIME) | {"run", "STEPS", "functools"}
    steps: list[Step] = []
    producer: dict[str, int] = {}
    kinds_of: dict[str, str] = {}
    step_inputs: list[list[str]] = []
    for k, ((name, numbers, headings, body), flow) in enumerate(zip(raw, flows)):
        inputs = [n for n in flow.reads if n in producer]
        step_inputs.append(inputs)
        for n in flow.binds | flow.mutated:
            producer[n] = k
    later_reads: list[set[str]] = [set() for _ in raw]  # what the steps after k read
    later_binds: list[set[str]] = [set() for _ in raw]  # what the steps after k bind
    for k in range(len(raw) - 2, -1, -1):
        later_reads[k] = later_reads[k + 1] | set(step_inputs[k + 1])
        later_binds[k] = later_binds[k + 1] | flows[k + 1].binds
    producer = {}
    names_used: set[str] = set()
    for k, ((name, numbers, headings, body), flow) in enumerate(zip(raw, flows)):
        inputs = step_inputs[k]
        made = flow.binds | flow.mutated
        # outputs: what a later step reads from this step (before another step produces it again)
        outputs: list[str] = []
        for n in sorted(made):
            for j in range(k + 1, len(raw)):
                if n in step_inputs[j]:
                    outputs.append(n)
                    break
                if n in flows[j].binds and n not in step_inputs[j]:
                    break
        terminal = [
            n for n in sorted(flow.simple) if n not in outputs and not n.startswith("_") and not _is_literal(flow.simple[n])
            and n not in later_reads[k] and n not in later_binds[k]
        ]  # fmt: skip
        ordered = _in_order(body, [*outputs, *terminal])
        local_frames = {n for n in inputs if kinds_of.get(n) == "DataFrame"}
        kinds: dict[str, str] = {}
        for statement in body:
            if isinstance(statement, cst.SimpleStatementLine) and len(statement.body) == 1 and isinstance(statement.body[0], cst.Assign):
                assign = statement.body[0]
                if len(assign.targets) == 1 and isinstance(assign.targets[0].target, cst.Name):
                    target = assign.targets[0].target.value
                    value = assign.value
                    while (
                        isinstance(value, cst.Call) and not value.args and isinstance(value.func, cst.Attribute)
                        and value.func.attr.value in ("cache", "persist", "localCheckpoint", "checkpoint")
                    ):  # fmt: skip
                        value = value.func.value  # still the same DataFrame
                    if _frame_value(value, local_frames):
                        local_frames.add(target)
                    else:
                        local_frames.discard(target)
            elif local_frames & flow.mutated:
                local_frames -= flow.mutated & _all_names(statement)
        for n in inputs:
            kinds[n] = kinds_of.get(n, "Any")
        for n in ordered:
            kinds[n] = "DataFrame" if n in local_frames and n not in flow.mutated else "Any"
        for n in ordered:
            kinds_of[n] = kinds[n]
        runtime = tuple(r for r in RUNTIME if r in flow.reads)
        used_aliases = _aliases_needed(flow.reads, aliases)
        if any("settings" in _names_in(aliases[a]) for a in used_aliases) and "settings" not in runtime:
            runtime = tuple(r for r in RUNTIME if r in runtime or r == "settings")
        final = _unique(name or _dataflow_name(body, ordered, inputs, numbers, later_reads[k], k == 0), taken | names_used)
        names_used.add(final)
        release = tuple(sorted({gone for cell, gone in unpersist if cell in numbers}))
        steps.append(
            Step(
                name=final,
                cells=tuple(numbers),
                inputs=tuple(inputs),
                outputs=tuple(ordered),
                headings=tuple(headings),
                runtime=runtime,
                kinds=kinds,
                release=release,
                body=tuple([aliases[a] for a in used_aliases] + body),
            )
        )
    # unpersist after the last step that reads the frame (a release from a cell with no step of its own: the step before)
    steps = _place_releases(steps, unpersist)
    return Plan(steps, helpers, binder.partial)


def _marked(statements: Sequence[cst.BaseStatement], cell: int, first: bool) -> list[cst.BaseStatement]:
    """The statements of one cell, the first led by a ``# cell N`` comment (after a blank line unless first)."""
    head = statements[0]
    lines = list(head.leading_lines)
    while lines and lines[0].comment is None:
        lines.pop(0)
    comment = cst.EmptyLine(comment=cst.Comment(f"# cell {cell}"))
    lines = ([] if first else [cst.EmptyLine(indent=False)]) + [comment, *lines]
    return [head.with_changes(leading_lines=lines), *statements[1:]]


def _aliases_needed(reads: Sequence[str], aliases: Mapping[str, cst.BaseStatement]) -> list[str]:
    needed: set[str] = set()
    todo = [n for n in reads if n in aliases]
    while todo:
        n = todo.pop()
        if n in needed:
            continue
        needed.add(n)
        todo.extend(m for m in _names_in(aliases[n]) if m in aliases and m != n)
    return [a for a in aliases if a in needed]


def _in_order(body: Sequence[cst.BaseStatement], names: Sequence[str]) -> list[str]:
    """``names`` ordered by where the step first binds them."""
    wanted = set(names)
    order: list[str] = []
    for statement in body:
        present = _names_in(statement) & wanted - set(order)
        if present:
            text = _EMPTY.code_for_node(statement)
            order.extend(sorted(present, key=text.find))  # each is a Name of the statement
    return order + [n for n in names if n not in order]


def _place_releases(steps: list[Step], unpersist: Sequence[tuple[int, str]]) -> list[Step]:
    out = list(steps)
    for cell, name in unpersist:
        if any(cell in s.cells for s in steps):
            continue
        before = [i for i, s in enumerate(steps) if s.cells and s.cells[0] < cell]
        if before:
            i = before[-1]
            out[i] = Step(**{**out[i].__dict__, "release": tuple(sorted({*out[i].release, name}))})
    return out


def _group_by_dataflow(segments, code, flow_of: Callable[[Sequence[cst.BaseStatement]], _Flow] = _flow):
    """Steps for notebooks with no headings or tags: consecutive cells that feed each other.

    A cell joins the step before it when it reads a name the previous cell binds or changes,
    unless it writes outputs (a save step of its own) or the step before it only loads data (loading
    stays apart from what is done with the data).
    """
    numbers = [n for _, ns, _ in segments for n in ns]
    groups: list[list[int]] = []
    previous: set[str] = set()
    group_loads = group_writes = False
    for n in numbers:
        flow = flow_of(code[n])
        text = "\n".join(_EMPTY.code_for_node(s) for s in code[n])
        loads, writes = bool(_READS.search(text)), bool(_WRITES.search(text))
        joins = bool(groups) and bool(set(flow.reads) & previous)
        if joins and writes and not group_writes:
            joins = False
        if joins and group_loads and not loads and not writes:
            joins = False
        if joins:
            groups[-1].append(n)
            group_loads, group_writes = group_loads and loads, group_writes or writes
        else:
            groups.append([n])
            group_loads, group_writes = loads, writes
        previous = flow.binds | flow.mutated
    return [(None, g, []) for g in groups]


_READS = re.compile(r"\bspark\.read\b|\bschemas\.read_\w+\(|\bspark\.createDataFrame\b|\bpd\.read_\w+\(|\bcompat\.fetch\(")
_WRITES = re.compile(r"\.write\b|\.to_csv\(|\.to_parquet\(|\.to_json\(|\.savefig\(|\.save\(")


def _dataflow_name(
    body: Sequence[cst.BaseStatement], outputs: Sequence[str], inputs: Sequence[str], numbers: Sequence[int], later: set[str], first: bool
) -> str:
    """A name for a step without heading or tag: what it does (load, make, write) to its main output
    (the first one a later step reads, else its first)."""
    text = "\n".join(_EMPTY.code_for_node(s) for s in body)
    if outputs:
        subject = next((o for o in outputs if o in later), outputs[0])
        verb = "load" if _READS.search(text) and not inputs else "prepare" if subject in inputs else "make"
        return snake_case(f"{verb} {subject}") or f"step_{numbers[0]}"
    if _WRITES.search(text):
        return "write_outputs"
    return "setup" if first else f"cell_{numbers[0]}"


def _unique(name: str, taken: set[str]) -> str:
    name = snake_case(name) or "step"
    if keyword.iskeyword(name) or keyword.issoftkeyword(name) or name in taken:
        name = f"{name}_step"
    candidate, i = name, 2
    while candidate in taken:
        candidate = f"{name}_{i}"
        i += 1
    return candidate


#: calls of a bare name that have no effect outside the step (builtins that build or inspect values)
_PURE_BUILTINS = frozenset({
    "abs", "all", "any", "bool", "dict", "divmod", "enumerate", "filter", "float", "format", "frozenset", "getattr", "hasattr",
    "int", "isinstance", "issubclass", "len", "list", "map", "max", "min", "range", "repr", "reversed", "round", "set",
    "slice", "sorted", "str", "sum", "tuple", "type", "zip",
})  # fmt: skip
#: method names that write, show, send or change state outside the step (pandas' and Spark's writers, figures, SQL)
_EFFECT_METHODS = frozenset({
    "to_csv", "to_parquet", "to_json", "to_excel", "to_feather", "to_pickle", "to_sql", "to_hdf", "to_stata", "to_clipboard",
    "to_html", "to_latex", "to_markdown", "to_xml", "to_orc", "savefig", "save", "show", "saveAsTable", "insertInto",
    "foreach", "foreachPartition", "sql", "print", "display", "write", "writeTo", "writeStream", "dump", "unpersist",
})  # fmt: skip
#: modules and objects whose every use is an effect (logging below info is not: see has_effect)
_EFFECT_ROOTS = frozenset({"log", "logging", "logger", "profiling", "web", "http_client", "requests", "urllib", "os", "shutil",
                           "subprocess", "sys", "plt", "mlflow", "pickle", "joblib", "json", "sns", "warnings"})  # fmt: skip


#: names that nb2prod's own tools bind in a notebook to observe a value (``nb2prod verify`` binds a
#: displayed expression to ``_nb2prod_shown_<cell>``): a step binding one has an effect
OBSERVED_PREFIX = "_nb2prod_"


def dead_steps(steps: Sequence[Step]) -> dict[str, str]:
    """The steps ``run()`` need not call, each with the sentence the conversion report gives.

    A step is dead when it has no effect outside itself (:func:`has_effect`), no step that runs
    reads what it computes, and what it computes is not a result of the pipeline's data: it
    returns nothing (a display, ``pd.to_datetime("2016-12-09")`` on its own), or it builds its
    values from literals only (it reads no input file, setting or earlier data: a "some theory"
    section's ``pd.Series([0.1, 0.2])``). A step computed from the data that returns something
    stays: run() returns its results. Running a dead step would cost Spark jobs and change no
    result; its function stays in ``pipeline.py`` (``run --step NAME`` runs it).

    Args:
        steps: the plan's steps, in notebook order.

    Returns:
        step name -> "step NAME (cells ...) is not run by run(): ..." for the dead steps, in notebook order.
    """
    producer: dict[str, int] = {}
    sources: list[dict[str, int]] = []  # per step: input -> index of the step producing it
    derived: list[bool] = []
    for i, step in enumerate(steps):
        sources.append({n: producer[n] for n in step.inputs if n in producer})
        data = bool(set(step.runtime) & {"spark", "settings", "driver", "web"})
        derived.append(data or any(derived[j] for j in sources[i].values()))
        for name in step.outputs:
            producer[name] = i
    live = [False] * len(steps)
    for i in reversed(range(len(steps))):
        step = steps[i]
        read_by_live = any(live[j] and sources[j].get(n) == i for j in range(i + 1, len(steps)) for n in step.outputs)
        live[i] = read_by_live or (derived[i] and bool(step.outputs)) or has_effect(step)
    out = {}
    for step, alive in zip(steps, live):
        if not alive:
            cells = f"cell {step.cells[0]}" if len(step.cells) == 1 else f"cells {step.cells[0]}-{step.cells[-1]}"
            why = "it returns nothing" if not step.outputs else f"{', '.join(step.outputs)} {'is' if len(step.outputs) == 1 else 'are'} built from literals only and read by no step that runs"
            out[step.name] = f"step {step.name} ({cells}) is not run by run(): {why}, and it writes, logs and draws nothing"
    return out


def has_effect(step: Step) -> bool:
    """Whether ``step`` may change something outside itself (conservatively: True when unsure).

    Effects: a write of a file or table (pandas' ``to_*`` writers, Spark's ``.write``, ``savefig``),
    a log at info or above (``print`` became ``log.info``; ``log.debug`` is none), a figure
    (``profiling.figure``, ``plt``, ``sns``), a change of one of its inputs (``df["c"] = ...``,
    ``items.append(x)``), SQL, the network, the file system, and any call that is not of pandas,
    numpy, Spark or a pure builtin (a notebook helper, ``open``, a class), ``assert``, ``raise``, ``del``.
    """
    if not step.body:
        return False
    inputs = set(step.inputs)
    for statement in step.body:
        for node in _walk(statement):
            if isinstance(node, (cst.Raise, cst.Assert, cst.Global, cst.Nonlocal, cst.Yield, cst.Await, cst.Import, cst.ImportFrom, cst.Del)):
                return True
            if isinstance(node, cst.Attribute) and node.attr.value in _EFFECT_METHODS:
                return True
            if isinstance(node, cst.Call):
                func = node.func
                if isinstance(func, cst.Name) and func.value not in _PURE_BUILTINS:
                    return True
                if isinstance(func, cst.Attribute):
                    root = _root_name(func)
                    if root in _EFFECT_ROOTS and not (root in ("log", "logger") and func.attr.value == "debug"):
                        return True
                    if func.attr.value in MUTATORS and root in inputs:
                        return True
            if isinstance(node, (cst.AssignTarget, cst.AugAssign, cst.AnnAssign)):
                target = node.target
                if isinstance(target, (cst.Subscript, cst.Attribute)) and _root_name(target) in inputs:
                    return True
                if isinstance(target, cst.Name) and target.value.startswith(OBSERVED_PREFIX):
                    return True  # a value nb2prod's own tools observe (verify's displayed expressions)
    return False


def _walk(node: cst.CSTNode):
    yield node
    for child in node.children:
        yield from _walk(child)


def _root_name(node: cst.BaseExpression) -> str | None:
    while isinstance(node, (cst.Attribute, cst.Subscript, cst.Call)):
        node = node.func if isinstance(node, cst.Call) else node.value
    return node.value if isinstance(node, cst.Name) else None
