from __future__ import annotations

import ast

from nb2prod.lint.context import CodeCell, LintNotebook
from nb2prod.lint.rule import NO_FINDINGS, Finding, Rule
from nb2prod.lint.rules import register


@register
class StarImport(Rule):
    """`from module import *`.

    ## What it does
    Flags star imports.

    ## Why this matters in production
    Nobody can tell where a name comes from, a new release of the module can silently shadow your
    names (`from pyspark.sql.functions import *` replaces `sum`, `min`, `max` and `round`),
    and tools cannot check the names you use.

    ## Example
    ```python
    from pyspark.sql.functions import *
    total = sum("amount")
    ```

    ## Use instead
    ```python
    from pyspark.sql import functions as F
    total = F.sum("amount")
    ```

    Fixable by convert: no
    """

    code = "NB202"
    name = "star-import"
    node_types = (ast.ImportFrom,)

    def check_node(self, node: ast.ImportFrom, cell: CodeCell, nb: LintNotebook) -> list[Finding]:
        if any(alias.name == "*" for alias in node.names):
            module = "." * node.level + (node.module or "")
            return [self.at(nb, cell, node, f"star import from {module!r} (import the names you use)")]
        return NO_FINDINGS
