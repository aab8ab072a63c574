"""A notebook prepared for the rules: magics recognised, code cells parsed once, names analysed once.

Magics are recognised by IPython's own ``TransformerManager`` (as nbQA does), which rewrites them to
``get_ipython().run_line_magic(...)`` and friends; the rules then see ordinary calls. Importing it
costs about 75 ms, so it is imported only for a cell that has a line starting with ``%`` or ``!`` or
ending with ``?`` (a cheap text check first). Cells are parsed with the standard library's ``ast``.
"""

from __future__ import annotations

import ast
import builtins
import functools
import os
from collections import namedtuple

from nb2prod.lint.astutil import (
    MARKER_FIELDS,
    SCALAR_FIELDS,
    base_name,
    ipython_call,
    lean_fields,
    lean_walk,
)
from nb2prod.lint.config import LintConfig
from nb2prod.lint.lazyre import LazyPattern

# typing is for annotations only: importing it (and typing.NamedTuple) costs the hook ~3 ms of start-up
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from nb2prod.notebook import Cell, Notebook

BUILTINS = frozenset(dir(builtins))
#: names a Jupyter kernel defines before the first cell runs
KERNEL_NAMES = frozenset({"display", "get_ipython", "In", "Out", "exit", "quit", "_", "__", "___"})


def _may_have_magics(source: str) -> bool:
    """Cheap check: a line starting with ``%`` or ``!``, or a non-comment line ending with ``?``."""
    if "%" not in source and "!" not in source and "?" not in source:
        return False
    for line in source.splitlines():
        stripped = line.strip()
        if stripped[:1] in ("%", "!") or (stripped.endswith("?") and not stripped.startswith("#")):
            return True
    return False


def _load_inputtransformer2() -> Any:
    """IPython's ``inputtransformer2`` module, without running ``IPython/__init__.py``.

    ``from IPython.core.inputtransformer2 import TransformerManager`` costs about 75 ms, nearly all of it
    in ``IPython/__init__.py`` (the interactive shell, traitlets), which the transformer does not use:
    it needs only the standard library and ``IPython.utils.tokenutil``. So this runs IPython's own
    (byte-compiled) module code with that one import answered, in about 3 ms. If IPython is already
    imported, or its layout is not what this expects, it is the ordinary import.
    """
    import builtins
    import importlib.machinery
    import importlib.util
    import sys
    import types

    name = "IPython.core.inputtransformer2"
    if name in sys.modules or "IPython" in sys.modules:
        return importlib.import_module(name)
    try:
        spec = importlib.util.find_spec("IPython")  # locates the package without running it
        root = next(iter(spec.submodule_search_locations))  # type: ignore[union-attr]
        tokenutil_spec = importlib.util.spec_from_file_location("nb2prod_ipython_tokenutil", os.path.join(root, "utils", "tokenutil.py"))
        tokenutil = importlib.util.module_from_spec(tokenutil_spec)  # type: ignore[arg-type]
        tokenutil_spec.loader.exec_module(tokenutil)  # type: ignore[union-attr]
        utils = types.SimpleNamespace(tokenutil=tokenutil)

        def _import(module: str, globals: Any = None, locals: Any = None, fromlist: Any = (), level: int = 0) -> Any:
            if module == "IPython.utils" and tuple(fromlist or ()) == ("tokenutil",):
                return utils
            if module.split(".")[0] == "IPython":
                raise ImportError(module)  # anything else from IPython: fall back to the ordinary import
            return builtins.__import__(module, globals, locals, fromlist, level)

        path = os.path.join(root, "core", "inputtransformer2.py")
        code = importlib.machinery.SourceFileLoader(name, path).get_code(name)
        module = types.ModuleType(name)
        module.__file__ = path
        module.__dict__["__builtins__"] = {**vars(builtins), "__import__": _import}
        exec(code, module.__dict__)
        module.TransformerManager  # noqa: B018 - the class this is all for
        return module
    except Exception:
        return importlib.import_module(name)


@functools.cache
def _transformer() -> Any:
    """IPython's ``TransformerManager`` (loaded only when a cell looks like it has a magic)."""
    return _load_inputtransformer2().TransformerManager()


class SyntaxProblem(namedtuple("SyntaxProblem", ["line", "col", "message"])):
    __slots__ = ()

    line: int
    col: int
    message: str


class CodeCell:
    """A code cell as the rules see it.

    ``code`` is the source with magics rewritten by IPython (line numbers are kept, except that a
    magic continued over several lines with ``\\`` becomes one line); ``tree`` is None when the cell
    does not parse (``syntax_error`` says where). (A plain class, not a dataclass: importing
    ``dataclasses`` costs the hook more start-up than all the rules.)
    """

    __slots__ = ("cell", "code", "tree", "syntax_error", "lines", "number", "ascii")

    def __init__(
        self, cell: Cell, code: str, tree: ast.Module | None, syntax_error: SyntaxProblem | None = None,
        lines: list[str] | None = None,
    ) -> None:
        self.cell = cell
        self.code = code
        self.tree = tree
        self.syntax_error = syntax_error
        self.lines: list[str] = [] if lines is None else lines
        #: the cell's number (see :mod:`nb2prod.notebook`), as an attribute: the rules read it often
        self.number: int = cell.number
        #: columns are characters as ``ast`` gives them (UTF-8 bytes) when the code is all ASCII
        self.ascii = code.isascii()

    def __repr__(self) -> str:
        return (
            f"CodeCell(cell={self.cell!r}, code={self.code!r}, tree={self.tree!r}, "
            f"syntax_error={self.syntax_error!r}, lines={self.lines!r})"
        )

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return all(getattr(self, name) == getattr(other, name) for name in self.__slots__[:-2])  # number, ascii: derived

    __hash__ = None  # type: ignore[assignment]  # as a dataclass with eq

    @property
    def source(self) -> str:
        return self.cell.source

    def position(self, node: ast.AST) -> tuple[int, int]:
        """1-based (line, column in characters) of ``node``; ``ast`` columns count UTF-8 bytes."""
        line = getattr(node, "lineno", 1)
        col = getattr(node, "col_offset", 0)
        if col and not self.ascii and 0 < line <= len(self.lines):
            text = self.lines[line - 1]
            if not text.isascii():
                col = len(text.encode("utf-8")[:col].decode("utf-8", errors="replace"))
        return line, col + 1


def _plain_escapes(source: str) -> tuple[str, list[int]] | None:
    """IPython's rewrite of a cell whose only IPython syntax is plain ``%magic`` / ``!command`` lines,
    without its tokenizer; with the numbers of the lines rewritten. None for anything else.

    ``TransformerManager.transform_cell`` runs its clean-up and cell-magic steps (done here with
    IPython's own functions), then tokenizes the whole cell again for every piece of special syntax
    it rewrites, which is most of a magic cell's cost. A line that starts with ``%`` or ``!`` (not
    ``%%``, ``!!``, nor continued with a backslash) becomes exactly the call IPython's escaped-command
    step writes. Whether IPython would have found those lines and only those is settled by the caller:
    the result must parse as Python (any other IPython syntax does not) with a top-level statement
    starting at column 0 of every rewritten line (not inside a string or brackets).
    """
    if not source.endswith("\n"):
        source += "\n"
    lines = source.splitlines(keepends=True)
    if len(lines) != source.count("\n"):
        return None  # line breaks other than \n: Python's line numbers would not be these lines
    if not _cleanup_is_a_no_op(lines):
        manager = _transformer()
        for transform in manager.cleanup_transforms + manager.line_transforms:
            lines = transform(lines)
    rewritten = []
    for index, line in enumerate(lines):
        escape = line[:1]
        if escape == "%" or escape == "!":
            if line[1:2] == escape or line.endswith("\\\n"):
                return None
            content = line[1:].rstrip()
            if escape == "%":
                name, _, args = content.partition(" ")
                lines[index] = f"get_ipython().run_line_magic({name!r}, {args!r})\n"
            else:
                lines[index] = f"get_ipython().system({content!r})\n"
            rewritten.append(index + 1)
        elif line.rstrip().endswith("?"):
            return None  # help syntax, or a comment or string that ends with '?': IPython decides
    if len(rewritten) >= 400:  # IPython gives up after 500 rewrites (and the cell is then parsed as it is)
        return None
    return "".join(lines), rewritten


def _cleanup_is_a_no_op(lines: list[str]) -> bool:
    """Whether IPython's clean-up and cell-magic steps would leave ``lines`` as they are (then IPython need
    not be loaded at all): a first line that is not blank, indented or ``%%``; no line of only spaces and
    tabs (``textwrap.dedent`` empties those); no ``>>>`` prompt; no ``In [1]:`` or ``...:`` prompt on the
    first two lines."""
    first = lines[0]
    if not first.strip() or first[:1] in " \t" or first.startswith("%%"):
        return False
    for line in lines:
        body = line[:-1]  # each line ends with its \n here
        if body and not body.strip(" \t"):
            return False
        if ">>>" in line:
            return False
    return not any("In [" in line or "...:" in line for line in lines[:2])


def _parse_plain_escapes(source: str) -> tuple[str, ast.Module] | None:
    """The rewritten cell and its tree, if :func:`_plain_escapes` applies and its result is what IPython writes."""
    try:
        plain = _plain_escapes(source)
        if plain is None:
            return None
        code, rewritten = plain
        tree = ast.parse(code)
    except Exception:  # anything unusual, a syntax error included: IPython's own path decides
        return None
    starts = {statement.lineno for statement in tree.body if statement.col_offset == 0}
    if not all(line in starts for line in rewritten):
        return None
    return code, tree


def prepare_cell(cell: Cell) -> CodeCell:
    code = cell.source
    if _may_have_magics(code):
        plain = _parse_plain_escapes(code)
        if plain is not None:
            code, tree = plain
            return CodeCell(cell, code, tree, None, code.splitlines())
        try:
            code = _transformer().transform_cell(code)
        except Exception:  # IPython cannot make sense of it either: parse the text as it is
            code = cell.source
    try:
        tree = ast.parse(code)
    except SyntaxError as exc:
        problem = SyntaxProblem(exc.lineno or 1, exc.offset or 1, exc.msg)
        return CodeCell(cell, code, None, problem, code.splitlines())
    except (ValueError, RecursionError, MemoryError) as exc:  # null bytes, absurd nesting
        return CodeCell(cell, code, None, SyntaxProblem(1, 1, str(exc) or type(exc).__name__), code.splitlines())
    return CodeCell(cell, code, tree, None, code.splitlines())


class Binding(namedtuple("Binding", ["name", "cell", "line", "col", "kind", "seq"])):
    """A module-level name bound in a cell; ``kind`` is import, def, class, assign, augassign or other."""

    __slots__ = ()

    name: str
    cell: int
    line: int
    col: int
    kind: str
    seq: int


class Load(namedtuple("Load", ["name", "cell", "line", "col", "seq"])):
    """A module-level name read while a cell runs (not inside a function body)."""

    __slots__ = ()

    name: str
    cell: int
    line: int
    col: int
    seq: int


class ImportBinding(namedtuple("ImportBinding", ["name", "module", "cell", "node"])):
    __slots__ = ()

    name: str
    module: str
    cell: CodeCell
    node: ast.AST


_WORD = LazyPattern(r"[A-Za-z_]\w*")
#: ``_new(Load, (name, ...))`` is ``Load(name, ...)`` without the Python-level ``__new__`` of namedtuple
#: (thousands of loads and bindings per run)
_new = tuple.__new__
_LOAD, _STORE = ast.Load, ast.Store


class Names:
    """Module-level names across the notebook, in execution order (one pass over every cell).

    Attributes:
        bindings: every module-level binding, in order.
        loads: every module-level read executed when its cell runs, in order.
        used: every name read anywhere (any scope), plus identifiers in magic arguments.
        imports: alias -> qualified name, for resolving calls by meaning (``np`` -> ``numpy``).
        import_bindings: module-level imports, for unused-import.
        functions: (function node, cell) for every function definition.
        pandas_names: module-level names bound to something computed from pandas.
        nodes: cell number -> every node of the cell's tree (contexts and operators left out), each
            once, parents before children, in the order this pass met them: evaluation order at
            module level (an assignment's value before its targets), source order inside functions.
            The node rules run over these lists, so the notebook's trees are walked once.
    """

    def __init__(self, cells: list[CodeCell]) -> None:
        self.bindings: list[Binding] = []
        self.loads: list[Load] = []
        self.used: set[str] = set()
        self.imports: dict[str, str] = {}
        self.import_bindings: list[ImportBinding] = []
        self.functions: list[tuple[ast.FunctionDef | ast.AsyncFunctionDef, CodeCell]] = []
        self.pandas_names: set[str] = set()
        self.nodes: dict[int, list[ast.AST]] = {}
        self._seq = 0
        for cell in cells:
            if cell.tree is not None:
                _ModuleScan(self, cell).visit(cell.tree)

    @functools.cached_property
    def module_variables(self) -> frozenset[str]:
        """Names bound at module level by assignment (not only by def, class or import)."""
        return frozenset(b.name for b in self.bindings if b.kind not in ("import", "def", "class"))


_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)
_COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp)


#: node type -> its ``visit_`` method, or None for the generic visit (filled in as types are met)
_VISITORS: dict[type, Any] = {}
#: node type -> the fields that may hold child nodes, in order (contexts and operators left out: nothing visits them)
_CHILD_FIELDS: dict[type, tuple[str, ...]] = {}
_NOT_CHILDREN = SCALAR_FIELDS | MARKER_FIELDS


def _leaf(self: Any, node: ast.AST) -> None:
    """Constants: nothing below them to visit (``NodeVisitor.visit_Constant`` would only look for ``visit_Num``)."""


_UNKNOWN = object()


def _visitor(cls: type) -> Any:
    """The ``visit_`` method of :class:`_ModuleScan` for node type ``cls`` (None: the generic visit), remembered."""
    method = getattr(_ModuleScan, "visit_" + cls.__name__, None)
    if method is ast.NodeVisitor.visit_Constant:
        method = _leaf
    _VISITORS[cls] = method
    return method


class _ModuleScan(ast.NodeVisitor):
    """Module-level scope of one cell, visited in evaluation order."""

    def __init__(self, names: Names, cell: CodeCell) -> None:
        self.n = names
        self.cell = cell
        self.comprehension_locals: list[set[str]] = []
        #: whether the cell has IPython calls whose arguments may name variables (most cells do not)
        self.magics = "get_ipython" in cell.code
        #: every node met, in order (``Names.nodes``): each is added where it is met, by ``visit``,
        #: ``generic_visit`` or a ``visit_`` method that takes care of a child itself
        self.nodes: list[ast.AST] = names.nodes.setdefault(cell.number, [])

    # -- visiting (``NodeVisitor.visit`` and ``generic_visit`` with the method and fields looked up once per type)

    def visit(self, node: ast.AST) -> None:
        self.nodes.append(node)
        method = _VISITORS.get(node.__class__, _UNKNOWN)
        if method is _UNKNOWN:
            method = _visitor(node.__class__)
        if method is None:
            self.generic_visit(node)
        elif method is not _leaf:
            method(self, node)

    def generic_visit(self, node: ast.AST) -> None:
        """Visit the children (``visit`` inlined for each: one Python call per node instead of two)."""
        cls = node.__class__
        fields = _CHILD_FIELDS.get(cls)
        if fields is None:
            fields = _CHILD_FIELDS[cls] = tuple(f for f in cls._fields if f not in _NOT_CHILDREN)
        node_type = ast.AST
        visitors = _VISITORS
        met = self.nodes.append
        for name in fields:
            value = getattr(node, name, None)
            for item in value if value.__class__ is list else (value,):
                if isinstance(item, node_type):
                    met(item)
                    method = visitors.get(item.__class__, _UNKNOWN)
                    if method is _UNKNOWN:
                        method = _visitor(item.__class__)
                    if method is None:
                        self.generic_visit(item)
                    elif method is not _leaf:
                        method(self, item)

    # -- recording -------------------------------------------------------------------------------

    def bind(self, name: str, node: ast.AST, kind: str) -> None:
        cell, n = self.cell, self.n
        line, col = (node.lineno, node.col_offset + 1) if cell.ascii else cell.position(node)  # type: ignore[attr-defined]
        n._seq += 1
        n.bindings.append(_new(Binding, (name, cell.number, line, col, kind, n._seq)))

    def load(self, name: str, node: ast.AST) -> None:
        n = self.n
        n.used.add(name)
        if self.comprehension_locals and any(name in scope for scope in self.comprehension_locals):
            return
        cell = self.cell
        line, col = (node.lineno, node.col_offset + 1) if cell.ascii else cell.position(node)  # type: ignore[attr-defined]
        n._seq += 1
        n.loads.append(_new(Load, (name, cell.number, line, col, n._seq)))

    def deferred(self, node: ast.AST) -> None:
        """Code that runs later (function and lambda bodies): only note which names it reads.

        (``astutil.lean_walk`` inlined: function bodies are most of the nodes of a notebook that
        defines functions, and a generator step per node costs more than the rest of the loop.)
        Its nodes are met in source order.
        """
        used = self.n.used
        magics = self.magics
        met = self.nodes.append
        node_type, name_type, call_type, load_type = ast.AST, ast.Name, ast.Call, ast.Load
        stack = [node]
        pop, push = stack.pop, stack.append
        while stack:
            child = pop()
            met(child)
            cls = child.__class__
            if cls is name_type:
                if child.ctx.__class__ is load_type:  # type: ignore[attr-defined]
                    used.add(child.id)  # type: ignore[attr-defined]
                continue  # a Name holds nothing but its context
            if cls is call_type and magics:
                self._magic_words(child)  # type: ignore[arg-type]
            for field in lean_fields(cls):  # last field first: the stack gives them back in order
                value = getattr(child, field, None)
                if value.__class__ is list:
                    for item in reversed(value):
                        if isinstance(item, node_type):
                            push(item)
                elif isinstance(value, node_type):
                    push(value)

    def collect(self, node: ast.AST) -> None:
        """Add ``node`` and everything below it to the nodes met, with no effect on the names
        (comprehension targets, whose names are the comprehension's own)."""
        self.nodes.extend(lean_walk(node))

    def _magic_words(self, node: ast.Call) -> None:
        call = ipython_call(node)
        if call is not None:
            self.n.used.update(_WORD.findall(call.args))

    # -- names -----------------------------------------------------------------------------------

    def visit_Name(self, node: ast.Name) -> None:
        context = node.ctx.__class__
        if context is _LOAD:
            self.load(node.id, node)
        elif context is _STORE:
            if self.comprehension_locals:
                return
            self.bind(node.id, node, "other")

    def _only_child(self, node: ast.Attribute | ast.keyword | ast.Expr) -> None:
        """The generic visit of a node whose one child is ``value`` (the commonest shapes), without its loop."""
        self.visit(node.value)

    visit_Attribute = visit_keyword = visit_Expr = _only_child

    def visit_Call(self, node: ast.Call) -> None:
        if self.magics:
            self._magic_words(node)
        self.generic_visit(node)

    def visit_Assign(self, node: ast.Assign) -> None:
        self.visit(node.value)
        pandas = self._from_pandas(node.value)
        for target in node.targets:
            self._assign_target(target, "assign", pandas)

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        self.visit(node.annotation)
        if node.value is not None:
            self.visit(node.value)
            self._assign_target(node.target, "assign", self._from_pandas(node.value))
        elif isinstance(node.target, ast.Name):
            self.nodes.append(node.target)
        else:
            self.visit(node.target)

    def visit_AugAssign(self, node: ast.AugAssign) -> None:
        if isinstance(node.target, ast.Name):
            self.nodes.append(node.target)
            self.load(node.target.id, node.target)
            self.visit(node.value)
            self.bind(node.target.id, node.target, "augassign")
        else:
            self.visit(node.value)
            self.visit(node.target)

    def visit_NamedExpr(self, node: ast.NamedExpr) -> None:
        self.visit(node.value)
        # the walrus binds in the enclosing (module) scope, even inside a comprehension
        self.nodes.append(node.target)
        self.bind(node.target.id, node.target, "assign")

    def _assign_target(self, target: ast.AST, kind: str, pandas: bool) -> None:
        if isinstance(target, ast.Name):
            self.nodes.append(target)
            self.bind(target.id, target, kind)
            if pandas:
                self.n.pandas_names.add(target.id)
        elif isinstance(target, (ast.Tuple, ast.List)):
            self.nodes.append(target)
            for element in target.elts:
                self._assign_target(element, kind, pandas)
        elif isinstance(target, ast.Starred):
            self.nodes.append(target)
            self._assign_target(target.value, kind, pandas)
        else:  # attribute or subscript: reads its base
            self.visit(target)

    def _from_pandas(self, value: ast.AST) -> bool:
        base = base_name(value)
        if base is None:
            return False
        return self.n.imports.get(base.id, "").split(".")[0] == "pandas" or base.id in self.n.pandas_names

    # -- statements that bind --------------------------------------------------------------------

    def visit_Import(self, node: ast.Import) -> None:
        self.nodes.extend(node.names)
        for alias in node.names:
            bound = alias.asname or alias.name.split(".")[0]
            module = alias.name if alias.asname else bound
            self._import(bound, module, node)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        self.nodes.extend(node.names)
        prefix = "." * node.level + (node.module or "")
        for alias in node.names:
            if alias.name == "*":
                continue
            self._import(alias.asname or alias.name, f"{prefix}.{alias.name}" if node.module else prefix + alias.name, node)

    def _import(self, bound: str, module: str, node: ast.AST) -> None:
        self.n.imports[bound] = module
        self.bind(bound, node, "import")
        self.n.import_bindings.append(ImportBinding(bound, module, self.cell, node))

    def _function(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        for decorator in node.decorator_list:
            self.visit(decorator)
        self._arguments(node.args)
        self.bind(node.name, node, "def")
        self.n.functions.append((node, self.cell))
        for statement in node.body:
            self.deferred(statement)
        for arg in (*node.args.posonlyargs, *node.args.args, *node.args.kwonlyargs, node.args.vararg, node.args.kwarg):
            if arg is not None and arg.annotation is not None:
                self.deferred(arg.annotation)
        if node.returns is not None:  # read (for unused-import), like the parameters' annotations
            self.deferred(node.returns)
        self._rest(node, ("decorator_list", "args", "body", "returns"))

    def _arguments(self, args: ast.arguments) -> None:
        """Defaults are evaluated where the function is defined; the parameters bind nothing here."""
        self.nodes.append(args)
        self.nodes.extend(a for a in (*args.posonlyargs, *args.args, args.vararg, *args.kwonlyargs, args.kwarg) if a is not None)
        for default in (*args.defaults, *(d for d in args.kw_defaults if d is not None)):
            self.visit(default)

    def _rest(self, node: ast.AST, handled: tuple[str, ...]) -> None:
        """Collect the children of ``node`` in fields other than ``handled`` (fields newer Pythons add,
        such as ``type_params``)."""
        for field in lean_fields(node.__class__):
            if field not in handled:
                value = getattr(node, field, None)
                for item in value if value.__class__ is list else (value,):
                    if isinstance(item, ast.AST):
                        self.collect(item)

    visit_FunctionDef = _function
    visit_AsyncFunctionDef = _function

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        for expr in (*node.decorator_list, *node.bases, *node.keywords):
            self.visit(expr)  # a keyword: its value (the keyword itself binds nothing)
        self.bind(node.name, node, "class")
        for statement in node.body:
            self.deferred(statement)
            if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)):
                self.n.functions.append((statement, self.cell))
        self._rest(node, ("decorator_list", "bases", "keywords", "body"))

    def visit_Lambda(self, node: ast.Lambda) -> None:
        args = node.args
        self.nodes.append(args)
        self.nodes.extend(a for a in (*args.posonlyargs, *args.args, args.vararg, *args.kwonlyargs, args.kwarg) if a is not None)
        for default in (*args.defaults, *(d for d in args.kw_defaults if d is not None)):
            self.visit(default)  # evaluated where the lambda is, as a function's are
        self.deferred(node.body)

    def visit_For(self, node: ast.For | ast.AsyncFor) -> None:
        self.visit(node.iter)
        self._assign_target(node.target, "other", False)
        for statement in (*node.body, *node.orelse):
            self.visit(statement)

    visit_AsyncFor = visit_For

    def visit_With(self, node: ast.With | ast.AsyncWith) -> None:
        for item in node.items:
            self.nodes.append(item)
            self.visit(item.context_expr)
            if item.optional_vars is not None:
                self._assign_target(item.optional_vars, "other", False)
        for statement in node.body:
            self.visit(statement)

    visit_AsyncWith = visit_With

    def visit_ExceptHandler(self, node: ast.ExceptHandler) -> None:
        if node.type is not None:
            self.visit(node.type)
        if node.name:
            self.bind(node.name, node, "other")
        for statement in node.body:
            self.visit(statement)

    def visit_MatchAs(self, node: ast.MatchAs) -> None:
        self.generic_visit(node)
        if node.name:
            self.bind(node.name, node, "other")

    def visit_MatchStar(self, node: ast.MatchStar) -> None:
        if node.name:
            self.bind(node.name, node, "other")

    def visit_MatchMapping(self, node: ast.MatchMapping) -> None:
        self.generic_visit(node)
        if node.rest:
            self.bind(node.rest, node, "other")

    def _comprehension(self, node: ast.ListComp | ast.SetComp | ast.GeneratorExp | ast.DictComp) -> None:
        generators = node.generators
        self.nodes.append(generators[0])
        self.visit(generators[0].iter)  # evaluated in the enclosing scope
        scope: set[str] = set()
        self.comprehension_locals.append(scope)
        for index, generator in enumerate(generators):
            if index:
                self.nodes.append(generator)
                self.visit(generator.iter)
            for child in ast.walk(generator.target):
                if isinstance(child, ast.Name):
                    scope.add(child.id)
            self.collect(generator.target)
            for condition in generator.ifs:
                self.visit(condition)
        for part in (node.key, node.value) if isinstance(node, ast.DictComp) else (node.elt,):
            self.visit(part)
        self.comprehension_locals.pop()

    visit_ListComp = _comprehension
    visit_SetComp = _comprehension
    visit_GeneratorExp = _comprehension
    visit_DictComp = _comprehension


class LintNotebook:
    """What every rule receives: the loaded notebook, its parsed code cells, settings and shared analyses.

    ``scratch`` is a per-notebook dict where node rules keep state between calls (libcst's
    ``CodemodContext.scratch`` habit), keyed by rule code.
    """

    def __init__(self, notebook: Notebook, display_path: str, config: LintConfig) -> None:
        self.notebook = notebook
        #: the notebook's file as given (a string: the hook does not import pathlib)
        self.path: str = os.fspath(notebook.path)
        self.display_path = display_path
        self.config = config
        self.cells: tuple[Cell, ...] = notebook.cells
        self.code_cells: list[CodeCell] = [prepare_cell(c) for c in notebook.cells if c.cell_type == "code"]
        self.scratch: dict[str, Any] = {}

    @functools.cached_property
    def names(self) -> Names:
        return Names(self.code_cells)

    @property
    def imports(self) -> dict[str, str]:
        return self.names.imports
