"""Reads and binds of top-level statements that hold no function or class, with Python's ``ast``.

:func:`nb2prod.convert.steps` infers each step's inputs and outputs from which names its top-level
statements read and bind at module scope. libcst's ``ScopeProvider`` answers that for any code, but
in pure Python: about 4 ms a line, the largest single cost of converting a long cell. Most cells
have a simpler shape, *flat* code: no ``def``, ``class``, ``global``, ``nonlocal``, walrus or
``match``, so that the only scopes below the module are lambdas and comprehensions. For flat code the
answer follows from the parse that the C parser makes in a fraction of the time, with the rules
libcst's scopes apply:

* a name is **bound** at module scope by an assignment, augmented or annotated assignment (with or
  without a value), a ``for`` or ``with ... as`` target, ``except ... as``, or an import
  (``import a.b`` binds ``a`` and ``a.b``; ``from m import *`` binds nothing);
* a name is **read** by a load or a ``del`` of it outside a lambda or comprehension that binds it
  (its parameters, its ``for`` targets; a comprehension's first iterable is read in the enclosing
  scope), and so is the target of an augmented assignment (``x += 1`` needs the value of ``x``:
  libcst's scopes record no access there, :func:`nb2prod.convert.steps._scoped_reads_binds` adds
  it); ``True``, ``False`` and ``None`` are read names, as in libcst;
* a read counts from the first statement that reads the name, unless an earlier statement bound it
  (a read in the statement that first binds the name counts: ``for i in r: f(i)``).

:func:`flat_flow` returns None for code that is not flat (or does not parse): the caller asks libcst.
``tests/convert/test_flat_scopes.py`` holds it to libcst's answer on every golden case's cells.
"""

from __future__ import annotations

import ast
import bisect
from collections.abc import Sequence

import libcst as cst

_EMPTY = cst.Module(body=[])

#: statements and expressions outside flat code: their scopes need libcst's full analysis
_NOT_FLAT = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Global, ast.Nonlocal, ast.NamedExpr, ast.Match)
_COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)


def flat_flow(statements: Sequence[cst.BaseStatement]) -> tuple[dict[str, int], dict[str, int]] | None:
    """Module-scope reads and binds of ``statements``, or None where the code is not flat.

    Args:
        statements: top-level libcst statements, in order.

    Returns:
        (reads, first_binds): name -> index in ``statements`` of the first statement reading it
        (reads after an earlier statement bound the name left out), and name -> index of the first
        statement binding it at module scope; None when the code holds a ``def``, ``class``,
        ``global``, ``nonlocal``, walrus or ``match``, or does not parse as one module.
    """
    codes = [_EMPTY.code_for_node(s) for s in statements]
    starts: list[int] = []
    line = 1
    for code in codes:
        starts.append(line)
        line += code.count("\n")
    try:
        tree = ast.parse("".join(codes))
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    if any(isinstance(node, _NOT_FLAT) for node in ast.walk(tree)):
        return None
    visitor = _Visitor()
    for top in tree.body:
        visitor.index = bisect.bisect_right(starts, top.lineno) - 1
        visitor.visit(top)
    reads = {n: i for n, i in visitor.reads.items() if not (n in visitor.binds and visitor.binds[n] < i)}
    return reads, visitor.binds


class _Visitor(ast.NodeVisitor):
    """Collects module-scope binds and reads; ``local`` is the stack of names the enclosing lambdas
    and comprehensions bind."""

    def __init__(self) -> None:
        self.index = 0
        self.reads: dict[str, int] = {}
        self.binds: dict[str, int] = {}
        self.local: list[set[str]] = []

    def _bind(self, name: str) -> None:
        if not self.local:
            self.binds.setdefault(name, self.index)

    def _read(self, name: str) -> None:
        if not any(name in scope for scope in self.local):
            self.reads.setdefault(name, self.index)

    def visit_Name(self, node: ast.Name) -> None:
        if isinstance(node.ctx, ast.Store):
            self._bind(node.id)
        else:  # Load, Del
            self._read(node.id)

    def visit_Constant(self, node: ast.Constant) -> None:
        if node.value is True or node.value is False or node.value is None:
            self._read(repr(node.value))  # libcst's scopes see the keywords True, False, None as names read

    def visit_AugAssign(self, node: ast.AugAssign) -> None:
        if isinstance(node.target, ast.Name):
            self._read(node.target.id)  # x += 1 reads x first (libcst's scopes record no access: steps add it)
            self._bind(node.target.id)
        else:
            self.visit(node.target)
        self.visit(node.value)

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            if alias.asname:
                self._bind(alias.asname)
                continue
            parts = alias.name.split(".")
            for i in range(1, len(parts) + 1):
                self._bind(".".join(parts[:i]))

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        for alias in node.names:
            if alias.name != "*":
                self._bind(alias.asname or alias.name)

    def visit_ExceptHandler(self, node: ast.ExceptHandler) -> None:
        if node.type is not None:
            self.visit(node.type)
        if node.name:
            self._bind(node.name)
        for statement in node.body:
            self.visit(statement)

    def visit_Lambda(self, node: ast.Lambda) -> None:
        arguments = node.args
        for default in [*arguments.defaults, *(d for d in arguments.kw_defaults if d is not None)]:
            self.visit(default)
        params = [*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs]
        params += [a for a in (arguments.vararg, arguments.kwarg) if a is not None]
        self.local.append({a.arg for a in params})
        self.visit(node.body)
        self.local.pop()

    def _comprehension(self, node: ast.ListComp | ast.SetComp | ast.DictComp | ast.GeneratorExp, results: list[ast.expr]) -> None:
        first = node.generators[0]
        self.visit(first.iter)  # evaluated in the enclosing scope
        scope: set[str] = set()
        for generator in node.generators:
            scope |= {n.id for n in ast.walk(generator.target) if isinstance(n, ast.Name)}
        self.local.append(scope)
        for generator in node.generators:
            if generator is not first:
                self.visit(generator.iter)
            for condition in generator.ifs:
                self.visit(condition)
        for result in results:
            self.visit(result)
        self.local.pop()

    def visit_ListComp(self, node: ast.ListComp) -> None:
        self._comprehension(node, [node.elt])

    visit_SetComp = visit_GeneratorExp = visit_ListComp

    def visit_DictComp(self, node: ast.DictComp) -> None:
        self._comprehension(node, [node.key, node.value])
