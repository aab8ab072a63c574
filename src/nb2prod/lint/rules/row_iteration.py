from __future__ import annotations

import ast

from nb2prod.lint.astutil import keyword
from nb2prod.lint.context import CodeCell, LintNotebook
from nb2prod.lint.rule import NO_FINDINGS, Finding, Rule
from nb2prod.lint.rules import register


def _row_wise(call: ast.Call) -> bool:
    axis = keyword(call, "axis")
    value = axis.value if axis is not None else (call.args[1] if len(call.args) > 1 else None)
    return isinstance(value, ast.Constant) and value.value in (1, "columns")


@register
class RowIteration(Rule):
    """Row-by-row iteration: `.iterrows()`, `.itertuples()`, `.apply(..., axis=1)`.

    ## What it does
    Flags calls to `.iterrows()` and `.itertuples()`, and `.apply` with `axis=1` (or
    `axis="columns"`, or `1` as the second positional argument).

    ## Why this matters in production
    Each row goes through the Python interpreter: hundreds of times slower than a column
    operation, fine on a thousand-row sample and hours on real data. None of it translates to
    Spark, where the same logic must be a column expression.

    ## Example
    ```python
    df["total"] = df.apply(lambda r: r["price"] * r["qty"], axis=1)
    for _, row in df.iterrows():
        check(row)
    ```

    ## Use instead
    ```python
    df["total"] = df["price"] * df["qty"]
    invalid = df[~valid(df)]
    ```

    Fixable by convert: no
    """

    code = "NB502"
    name = "row-iteration"
    node_types = (ast.Call,)
    requires = ("iterrows", "itertuples", "apply")

    def check_node(self, node: ast.Call, cell: CodeCell, nb: LintNotebook) -> list[Finding]:
        func = node.func
        if func.__class__ is not ast.Attribute:
            return NO_FINDINGS
        if func.attr in ("iterrows", "itertuples"):
            return [self.at(nb, cell, node, f"row-by-row iteration with .{func.attr}() (use column operations)")]
        if func.attr == "apply" and _row_wise(node):
            return [self.at(nb, cell, node, ".apply(axis=1) calls Python once per row (use column operations)")]
        return NO_FINDINGS
