from __future__ import annotations

import ast
from collections.abc import Iterator

from nb2prod.lint.astutil import lean_fields
from nb2prod.lint.context import LintNotebook
from nb2prod.lint.rule import Finding, Rule
from nb2prod.lint.rules import register

_FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef)


_SCOPES = (*_FUNCTIONS, ast.Lambda, ast.ClassDef)


def _scope_nodes(body: list[ast.stmt] | list[ast.expr]) -> Iterator[ast.AST]:
    """The nodes of one function scope in source order, not descending into nested functions, lambdas
    and classes (nor into expression contexts and operators, which no caller looks at)."""
    stack: list[ast.AST] = list(reversed(body))
    pop, push = stack.pop, stack.append
    node_type = ast.AST
    while stack:
        node = pop()
        yield node
        if isinstance(node, _SCOPES):
            continue
        for name in lean_fields(node.__class__):  # last field first, as the stack pops them in order
            value = getattr(node, name, None)
            if value.__class__ is list:
                for item in reversed(value):
                    if isinstance(item, node_type):
                        push(item)
            elif isinstance(value, node_type):
                push(value)


def _parameters(args: ast.arguments) -> set[str]:
    every = (*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg)
    return {a.arg for a in every if a is not None}


def _locals(function: ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda) -> tuple[set[str], set[str]]:
    """(names local to the function, names it declares global or nonlocal)."""
    local = _parameters(function.args)
    declared: set[str] = set()
    body = function.body if isinstance(function.body, list) else [function.body]
    for node in _scope_nodes(body):
        if isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load):
            local.add(node.id)
        elif isinstance(node, (*_FUNCTIONS, ast.ClassDef)):
            local.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            local.update((a.asname or a.name).split(".")[0] for a in node.names)
        elif isinstance(node, ast.ExceptHandler) and node.name:
            local.add(node.name)
        elif isinstance(node, (ast.Global, ast.Nonlocal)):
            declared.update(node.names)
        elif isinstance(node, (ast.MatchAs, ast.MatchStar)) and node.name:
            local.add(node.name)
        elif isinstance(node, ast.comprehension):
            local.update(n.id for n in ast.walk(node.target) if isinstance(n, ast.Name))
    return local - declared, declared


def _reads(
    function: ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda, enclosing: frozenset[str], module: frozenset[str]
) -> Iterator[ast.Name]:
    """Reads of module-level variables in `function` and the functions nested in it."""
    local, declared = _locals(function)
    hidden = enclosing | local | declared
    body = function.body if isinstance(function.body, list) else [function.body]
    for node in _scope_nodes(body):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
            if node.id in module and node.id not in hidden:
                yield node
        elif isinstance(node, (*_FUNCTIONS, ast.Lambda)):
            yield from _reads(node, hidden, module)


@register
class FunctionReadsGlobal(Rule):
    """A function reads a notebook variable instead of taking it as a parameter.

    ## What it does
    Flags a read, inside a function, of a name that the notebook assigns at module level (not
    functions, classes or imports), when the function does not define that name itself. Names in
    `UPPER_CASE` are treated as constants and allowed. Each name is reported once per function.

    ## Why this matters in production
    The function's result depends on whatever the variable held in the kernel when it was called,
    not on its arguments: it cannot be tested alone, reused in a pipeline step, or trusted after
    cells run out of order.

    ## Example
    ```python
    rate = 0.2
    def with_tax(amount):
        return amount * (1 + rate)
    ```

    ## Use instead
    ```python
    TAX_RATE = 0.2
    def with_tax(amount, rate=TAX_RATE):
        return amount * (1 + rate)
    ```

    Fixable by convert: no
    """

    code = "NB203"
    name = "function-reads-global"

    def check_notebook(self, nb: LintNotebook) -> Iterator[Finding]:
        module = frozenset(n for n in nb.names.module_variables if not n.isupper())
        if not module:
            return
        for function, cell in nb.names.functions:
            seen: set[str] = set()
            for node in _reads(function, frozenset(), module):
                if node.id not in seen:
                    seen.add(node.id)
                    yield self.at(
                        nb, cell, node,
                        f"function {function.name!r} reads notebook variable {node.id!r} (pass it as a parameter)",
                    )
