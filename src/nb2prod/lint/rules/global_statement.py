from __future__ import annotations

import ast

from nb2prod.lint.context import CodeCell, LintNotebook
from nb2prod.lint.rule import Finding, Rule
from nb2prod.lint.rules import register


@register
class GlobalStatement(Rule):
    """A function declares `global` names.

    ## What it does
    Flags `global` statements.

    ## Why this matters in production
    A function that writes notebook variables has effects nobody sees at the call site; the result
    of a cell then depends on which other cells ran and how often. Pipelines pass values in and
    return results.

    ## Example
    ```python
    total = 0
    def add(amount):
        global total
        total += amount
    ```

    ## Use instead
    ```python
    def add(total, amount):
        return total + amount
    ```

    Fixable by convert: no
    """

    code = "NB204"
    name = "global-statement"
    node_types = (ast.Global,)

    def check_node(self, node: ast.Global, cell: CodeCell, nb: LintNotebook) -> list[Finding]:
        names = ", ".join(node.names)
        return [self.at(nb, cell, node, f"'global {names}' makes the function change notebook state (return the value instead)")]
