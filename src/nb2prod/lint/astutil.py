"""Small AST helpers shared by several rules."""

from __future__ import annotations

import ast
from collections import namedtuple
from collections.abc import Iterator

#: fields that never hold AST nodes, in any node type (names, operators' strings, flags, comments)
SCALAR_FIELDS = frozenset(
    {"id", "attr", "name", "arg", "asname", "module", "level", "kind", "conversion", "is_async", "simple",
     "type_comment", "tag", "lineno", "rest", "kwd_attrs"}
)
#: fields holding only expression contexts and operators (``Load()``, ``Add()``, ``Eq()``): leaves nobody visits
MARKER_FIELDS = frozenset({"ctx", "op", "ops"})
_LEAN_SKIP = SCALAR_FIELDS | MARKER_FIELDS
_LEAN_FIELDS: dict[type, tuple[str, ...]] = {}


def lean_fields(cls: type) -> tuple[str, ...]:
    """The fields of node type ``cls`` that may hold child nodes other than contexts and operators, last first."""
    fields = _LEAN_FIELDS.get(cls)
    if fields is None:
        fields = _LEAN_FIELDS[cls] = tuple(f for f in reversed(cls._fields) if f not in _LEAN_SKIP)  # type: ignore[attr-defined]
    return fields


def lean_walk(tree: ast.AST) -> Iterator[ast.AST]:
    """Every node under ``tree`` (itself included) in source order, parents first, without the contexts
    and operators (:data:`MARKER_FIELDS`); order does not matter to callers that only collect."""
    node_type = ast.AST
    stack = [tree]
    pop, push = stack.pop, stack.append
    fields_of = _LEAN_FIELDS
    while stack:
        node = pop()
        yield node
        fields = fields_of.get(node.__class__)
        if fields is None:
            fields = lean_fields(node.__class__)
        for name in fields:
            value = getattr(node, name, None)
            if value.__class__ is list:
                for item in reversed(value):
                    if isinstance(item, node_type):
                        push(item)
            elif isinstance(value, node_type):
                push(value)


def dotted(node: ast.AST) -> str | None:
    """``a.b.c`` for a Name/Attribute chain, else None."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    parts.append(node.id)
    return ".".join(reversed(parts))


def qualified_name(node: ast.AST, imports: dict[str, str]) -> str | None:
    """What a Name/Attribute chain refers to, by meaning rather than spelling.

    With ``import numpy as np`` and ``from numpy import random as npr``, ``np.random.seed`` and
    ``npr.seed`` are both ``numpy.random.seed``; a name that was not imported stays as written
    (``print``, ``display``, ``df.head``).
    """
    name = dotted(node)
    if name is None:
        return None
    head, dot, rest = name.partition(".")
    if head in imports:
        return imports[head] + dot + rest
    return name


def base_name(node: ast.AST) -> ast.Name | None:
    """The Name at the root of ``a.b(...)[c].d`` chains, or None."""
    while True:
        if isinstance(node, ast.Name):
            return node
        if isinstance(node, (ast.Attribute, ast.Subscript)):
            node = node.value
        elif isinstance(node, ast.Call):
            node = node.func
        else:
            return None


def method_chain(node: ast.AST) -> list[str]:
    """The method names called along a receiver chain, innermost last: ``a.limit(1).b().c`` -> ["b", "limit"]."""
    names = []
    while True:
        if isinstance(node, ast.Call):
            if isinstance(node.func, ast.Attribute):
                names.append(node.func.attr)
            node = node.func
        elif isinstance(node, (ast.Attribute, ast.Subscript)):
            node = node.value
        else:
            return names


def keyword(call: ast.Call, name: str) -> ast.keyword | None:
    for kw in call.keywords:
        if kw.arg == name:
            return kw
    return None


def is_true(node: ast.AST | None) -> bool:
    return isinstance(node, ast.Constant) and node.value is True


def str_value(node: ast.AST | None) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def target_name(target: ast.AST) -> str | None:
    """The name a value is stored under: ``x``, ``obj.x``, ``d["x"]`` -> ``"x"``; None for anything else."""
    if isinstance(target, ast.Name):
        return target.id
    if isinstance(target, ast.Attribute):
        return target.attr
    if isinstance(target, ast.Subscript):
        return str_value(target.slice)
    return None


class IPythonCall(namedtuple("IPythonCall", ["kind", "name", "args"])):
    """A call into IPython, written by hand or produced by IPython's transformer from a magic.

    ``kind`` is ``line`` (``%name args``), ``cell`` (``%%name``), ``shell`` (``!cmd`` and ``x = !cmd``),
    ``help`` (``obj?``) or ``other`` (any other use of ``get_ipython()``).
    """

    __slots__ = ()

    kind: str
    name: str
    args: str


_HELP_MAGICS = frozenset({"pinfo", "pinfo2", "psearch"})


def ipython_call(node: ast.Call) -> IPythonCall | None:
    """Recognise ``get_ipython().run_line_magic(...)`` and friends; None for any other call."""
    func = node.func
    if func.__class__ is not ast.Attribute:
        return None
    inner = func.value  # get_ipython(), inlined: this runs for every call in every cell
    if not (inner.__class__ is ast.Call and inner.func.__class__ is ast.Name and inner.func.id == "get_ipython"):  # type: ignore[attr-defined]
        return None
    args = [a.value if isinstance(a, ast.Constant) and isinstance(a.value, str) else "" for a in node.args]
    args += [""] * (3 - len(args))
    if func.attr == "run_line_magic":
        return IPythonCall("help" if args[0] in _HELP_MAGICS else "line", args[0], args[1])
    if func.attr == "run_cell_magic":
        return IPythonCall("cell", args[0], args[1])
    if func.attr in ("system", "getoutput"):
        return IPythonCall("shell", args[0].split(" ", 1)[0], args[0])
    return IPythonCall("other", func.attr, "")


def is_get_ipython(node: ast.AST) -> bool:
    """``get_ipython()`` itself."""
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "get_ipython"
