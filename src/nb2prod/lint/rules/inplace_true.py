from __future__ import annotations

import ast

from nb2prod.lint.astutil import is_true
from nb2prod.lint.context import CodeCell, LintNotebook
from nb2prod.lint.rule import NO_FINDINGS, Finding, Rule
from nb2prod.lint.rules import register


@register
class InplaceTrue(Rule):
    """A pandas method is called with `inplace=True`.

    ## What it does
    Flags any call with the keyword argument `inplace=True`.

    ## Why this matters in production
    `inplace=True` rarely saves memory (pandas usually copies anyway), returns None so the step
    cannot be chained or tested as a function of its input, and mutates an object other cells may
    share, which is exactly the hidden state a pipeline must not have. Spark DataFrames have no
    in-place operations at all.

    ## Example
    ```python
    df.dropna(subset=["amount"], inplace=True)
    ```

    ## Use instead
    ```python
    df = df.dropna(subset=["amount"])
    ```

    Fixable by convert: yes
    """

    code = "NB504"
    name = "inplace-true"
    node_types = (ast.Call,)
    requires = ("inplace",)

    def check_node(self, node: ast.Call, cell: CodeCell, nb: LintNotebook) -> list[Finding]:
        if not node.keywords:
            return NO_FINDINGS
        found = []
        for kw in node.keywords:
            if kw.arg == "inplace" and is_true(kw.value):
                method = f".{node.func.attr}()" if isinstance(node.func, ast.Attribute) else "call"
                found.append(self.at(nb, cell, kw, f"inplace=True in {method} (assign the result instead)"))
        return found
