"""Qualified names of flat code, with Python's ``ast``, as libcst's scopes give them.

The logging and pandas passes ask few nodes for their qualified names (``pd.read_csv`` ->
``pandas.read_csv``, ``print`` -> ``builtins.print``), but libcst's ``ScopeProvider`` analyses every
node of the module to answer them: for a long notebook the largest cost of those passes. For *flat*
code (see :mod:`nb2prod.convert.flat_scopes`: no ``def``, ``class``, ``global``, ``nonlocal``,
walrus or ``match``; here also no annotated assignment, no ``import a.b`` without ``as`` and no
``import *``) the answer follows from the module's bindings, which the C parser finds in a fraction
of the time, with the rules of libcst's ``Scope.get_qualified_names_for``:

* a node is named after its dotted name (``get_full_name_for_node``: ``df.groupby("a").mean`` is
  ``df.groupby.mean``), through every module-scope binding of its first name: an import gives the
  imported name (``pandas.read_csv``), any other binding the dotted name itself (a local);
* a name the module never binds is the builtin of that name (``builtins.print``) or nothing; libcst
  knows a builtin through a read of it only, so a builtin the module never reads is left to libcst;
* a name node (rather than an attribute or a call) bound only in earlier top-level statements is
  named through those bindings: whether it is a read (which sees the earlier bindings only) or an
  attribute's or a keyword's name (which sees all of them) makes no difference then.

What these rules cannot settle is left to libcst (:meth:`QualifiedNames.names_for` returns None): a
name that a lambda or comprehension binds anywhere in the module, a name node bound in its own or
a later top-level statement, a builtin never read. ``tests/convert/test_qualified_names.py`` holds
the answers to libcst's on hand-written cases and on every query the passes make on the golden
cases (``NB2PROD_CHECK_QUALIFIED_NAMES=1`` compares them on every query of a conversion).
"""

from __future__ import annotations

import ast
import bisect
import builtins
from collections import Counter
from collections.abc import Collection

import libcst as cst
from libcst.helpers import get_full_name_for_node
from libcst.metadata import QualifiedName, QualifiedNameSource
from libcst.metadata.scope_provider import ImportAssignment

#: statements and expressions that need libcst's whole analysis
_NOT_FLAT = (
    ast.FunctionDef,
    ast.AsyncFunctionDef,
    ast.ClassDef,
    ast.Global,
    ast.Nonlocal,
    ast.NamedExpr,
    ast.Match,
    ast.AnnAssign,
)
_LOCAL_SCOPES = (ast.Lambda, ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)


class QualifiedNames:
    """The qualified names of the nodes of one flat module.

    Build with :meth:`of`; ask :meth:`names_for`.
    """

    def __init__(
        self, units: list[int], binds: dict[str, list[tuple[int, ast.stmt | None]]], local: set[str], read: set[str], counts: Counter[str]
    ) -> None:
        self._units = units  # first line of each unit (top-level statements sharing a line are one unit)
        self._binds = binds  # name -> (unit, the import binding it or None), in order
        self.local = frozenset(local)  #: names a lambda or comprehension binds (in its own scope)
        self._read = read  # names read anywhere
        self._counts = counts
        self._imports: dict[int, cst.Import | cst.ImportFrom] = {}

    def assignments(self, name: str) -> int:
        """How many module-scope assignments libcst's scopes record for ``name``: each name node
        bound (``x = ...``, ``x += ...``, a ``for`` or ``with`` target, ``except ... as x``) and each
        import binding it."""
        return self._counts[name]

    def imported(self, name: str) -> bool:
        """Whether an import binds ``name`` at module scope."""
        return any(i is not None for _, i in self._binds.get(name, ()))

    @classmethod
    def of(cls, code: str) -> QualifiedNames | None:
        """The names of the module ``code``; None where it is not flat or does not parse.

        Args:
            code: the module's source text (the libcst module's ``code``: its lines are those of
                libcst's positions).
        """
        try:
            tree = ast.parse(code)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            return None
        units: list[int] = []
        unit_of: list[int] = []
        for statement in tree.body:
            if not units or statement.lineno > _last_line(tree.body[len(unit_of) - 1]):
                units.append(statement.lineno)
            unit_of.append(len(units) - 1)
        binds: dict[str, list[tuple[int, ast.stmt | None]]] = {}
        local: set[str] = set()
        read: set[str] = set()
        counts: Counter[str] = Counter()
        for statement, unit in zip(tree.body, unit_of):
            for node in ast.walk(statement):
                if isinstance(node, ast.Name):
                    if not isinstance(node.ctx, ast.Store):
                        read.add(node.id)
                elif isinstance(node, _NOT_FLAT):
                    return None
                if isinstance(node, (ast.Import, ast.ImportFrom)):
                    for alias in node.names:
                        if alias.name == "*" or (isinstance(node, ast.Import) and "." in alias.name and alias.asname is None):
                            return None
                        binds.setdefault(alias.asname or alias.name, []).append((unit, node))
                        counts[alias.asname or alias.name] += 1
                elif isinstance(node, _LOCAL_SCOPES):
                    local |= _bound_inside(node)
            for name in _module_binds(statement, counts):
                binds.setdefault(name, []).append((unit, None))
        return cls(units, binds, local, read, counts)

    def names_for(self, node: cst.CSTNode, line: int) -> set[QualifiedName] | None:
        """libcst's qualified names of ``node``, or None where libcst must be asked.

        Args:
            node: a node of the module.
            line: the 1-based line where ``node`` starts (libcst's ``PositionProvider``).
        """
        full = get_full_name_for_node(node)
        if full is None:
            return set()
        head = full.split(".", 1)[0]
        if head in self.local:
            return None
        binds = self._binds.get(head, ())
        if not binds:
            return self._builtin(head)
        if isinstance(node, cst.Name):
            unit = bisect.bisect_right(self._units, line) - 1
            if any(u >= unit for u, _ in binds):
                return None  # a read sees the earlier bindings only, other names all: only libcst knows which this is
        return self._through(binds, full)

    def _builtin(self, name: str) -> set[QualifiedName] | None:
        """A name the module never binds: the builtin (libcst knows a builtin through its reads only)."""
        if not hasattr(builtins, name):
            return set()
        if name in self._read:
            return {QualifiedName(f"builtins.{name}", QualifiedNameSource.BUILTIN)}
        return None

    def _through(self, binds: Collection[tuple[int, ast.stmt | None]], full: str) -> set[QualifiedName]:
        out: set[QualifiedName] = set()
        for _, statement in binds:
            if statement is None:
                out.add(QualifiedName(full, QualifiedNameSource.LOCAL))
            else:
                out |= ImportAssignment(full, None, self._import(statement), 0, None).get_qualified_names_for(full)  # type: ignore[arg-type]
        return out

    def _import(self, statement: ast.stmt) -> cst.Import | cst.ImportFrom:
        node = self._imports.get(id(statement))
        if node is None:
            line = cst.parse_statement(ast.unparse(statement))
            node = self._imports[id(statement)] = line.body[0]  # type: ignore[attr-defined]
        return node


def _last_line(statement: ast.stmt) -> int:
    return statement.end_lineno or statement.lineno


def _targets(node: ast.AST) -> set[str]:
    """Names bound by an assignment target (``a``, ``a, (b, *c)``; not ``a.b`` or ``a[0]``)."""
    if isinstance(node, ast.Name):
        return {node.id}
    if isinstance(node, (ast.Tuple, ast.List)):
        return set().union(*(_targets(e) for e in node.elts)) if node.elts else set()
    if isinstance(node, ast.Starred):
        return _targets(node.value)
    return set()


def _module_binds(statement: ast.stmt, counts: Counter[str]) -> set[str]:
    """Names ``statement`` binds at module scope other than by import (lambdas and comprehensions
    bind in their own scopes); each name node bound, and each ``except ... as``, counted in ``counts``."""
    found: set[str] = set()
    stack: list[ast.AST] = [statement]
    while stack:
        node = stack.pop()
        if isinstance(node, _LOCAL_SCOPES):
            continue
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            counts[node.id] += 1
        elif isinstance(node, ast.ExceptHandler) and node.name:
            counts[node.name] += 1
        if isinstance(node, ast.Assign):
            for target in node.targets:
                found |= _targets(target)
        elif isinstance(node, (ast.AugAssign, ast.For, ast.AsyncFor)):
            found |= _targets(node.target)
        elif isinstance(node, ast.withitem) and node.optional_vars is not None:
            found |= _targets(node.optional_vars)
        elif isinstance(node, ast.ExceptHandler) and node.name:
            found.add(node.name)
        stack.extend(ast.iter_child_nodes(node))
    return found


def _bound_inside(node: ast.AST) -> set[str]:
    """Names a lambda (its parameters) or comprehension (its targets) binds."""
    if isinstance(node, ast.Lambda):
        a = node.args
        params = [*a.posonlyargs, *a.args, *a.kwonlyargs, *(x for x in (a.vararg, a.kwarg) if x is not None)]
        return {p.arg for p in params}
    return set().union(*(_targets(g.target) for g in node.generators))  # type: ignore[attr-defined]
