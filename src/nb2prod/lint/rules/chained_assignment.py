from __future__ import annotations

import ast
import re

from nb2prod.lint.astutil import base_name
from nb2prod.lint.context import CodeCell, LintNotebook
from nb2prod.lint.lazyre import LazyPattern
from nb2prod.lint.rule import Finding, Rule
from nb2prod.lint.rules import register

_INDEXERS = frozenset({"loc", "iloc", "at", "iat"})
_DF_NAME = LazyPattern(r"(?:^|_)df(?:\d*$|_)", re.IGNORECASE)


def _chained(target: ast.AST) -> bool:
    if not isinstance(target, ast.Subscript):
        return False
    inner = target.value
    if isinstance(inner, ast.Attribute) and inner.attr in _INDEXERS:
        inner = inner.value
    return isinstance(inner, (ast.Subscript, ast.Attribute))


@register
class ChainedAssignment(Rule):
    """Chained assignment `df[col][row] = value`, which does nothing under copy-on-write.

    ## What it does
    Flags assignments (and augmented assignments) to an item of a selection, such as
    `df["a"][0] = v`, `df.loc[mask]["a"] = v` or `df.a[0] = v`, when `df` is a pandas object:
    a name bound to something computed from `pandas` in the notebook, or a name like `df`,
    `sales_df`, `df2`. Nested dicts and lists (`config["a"]["b"] = 1`) are not pandas and
    are not flagged.

    ## Why this matters in production
    The first indexing step may return a copy; the assignment then changes the copy and is lost.
    With pandas 3's copy-on-write it is always lost, silently: the pipeline runs and the data is
    wrong.

    ## Example
    ```python
    import pandas as pd
    orders = pd.read_csv("orders.csv")
    orders["status"][orders.amount < 0] = "refund"
    ```

    ## Use instead
    ```python
    import pandas as pd
    orders = pd.read_csv("orders.csv")
    orders.loc[orders.amount < 0, "status"] = "refund"
    ```

    Fixable by convert: yes
    """

    code = "NB503"
    name = "chained-assignment"
    node_types = (ast.Assign, ast.AugAssign)

    def check_node(self, node: ast.Assign | ast.AugAssign, cell: CodeCell, nb: LintNotebook) -> list[Finding]:
        targets = node.targets if node.__class__ is ast.Assign else [node.target]
        found = []
        for target in targets:
            if target.__class__ is not ast.Subscript or not _chained(target):
                continue
            base = base_name(target)
            if base is not None and (base.id in nb.names.pandas_names or _DF_NAME.search(base.id)):
                found.append(self.at(
                    nb, cell, target,
                    f"chained assignment to {base.id}[...][...] is lost under copy-on-write (use {base.id}.loc[rows, column] = value)",
                ))
        return found
