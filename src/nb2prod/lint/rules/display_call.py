from __future__ import annotations

import ast

from nb2prod.lint.astutil import qualified_name
from nb2prod.lint.context import CodeCell, LintNotebook
from nb2prod.lint.rule import NO_FINDINGS, Finding, Rule
from nb2prod.lint.rules import register

_DISPLAYS = frozenset({"display", "IPython.display.display", "IPython.core.display.display", "IPython.core.display_functions.display"})


@register
class DisplayCall(Rule):
    """`display()` renders only in a notebook.

    ## What it does
    Flags calls to IPython's `display` (the kernel's built-in one or `IPython.display.display`).

    ## Why this matters in production
    Outside Jupyter there is nothing to render into: the call does nothing useful, and importing
    IPython makes the pipeline depend on a notebook front end.

    ## Example
    ```python
    display(df.head())
    ```

    ## Use instead
    ```python
    log.info("sample rows:\\n%s", df.head())
    ```

    Fixable by convert: yes
    """

    code = "NB302"
    name = "display-call"
    node_types = (ast.Call,)
    requires = ("display",)  # the name called, or the module it is imported from

    def check_node(self, node: ast.Call, cell: CodeCell, nb: LintNotebook) -> list[Finding]:
        func = node.func
        if func.__class__ is ast.Attribute and func.attr != "display":
            return NO_FINDINGS  # the qualified name ends with the attribute: no display()
        if qualified_name(func, nb.imports) in _DISPLAYS:
            return [self.at(nb, cell, node, "display() renders only in a notebook (log or save the result)")]
        return NO_FINDINGS
