from __future__ import annotations

import ast

from nb2prod.lint.astutil import method_chain
from nb2prod.lint.context import CodeCell, LintNotebook
from nb2prod.lint.rule import NO_FINDINGS, Finding, Rule
from nb2prod.lint.rules import register

_BOUNDED = frozenset({"limit", "head", "take", "tail", "sample", "first"})
_ONE_ROW = frozenset({"agg", "summary", "describe"})
_GROUPED = frozenset({"groupBy", "groupby", "rollup", "cube", "pivot"})


@register
class CollectWithoutLimit(Rule):
    """`.collect()` or `.toPandas()` on a DataFrame that was not limited first.

    ## What it does
    Flags `.collect()` and `.toPandas()` calls whose receiver chain has no `.limit()` (or
    `.sample()`) before them. An ungrouped `.agg(...)` (one row) is allowed. `.collect()` is
    not flagged in notebooks that import polars and not PySpark (polars' `LazyFrame.collect()` is
    how it runs a query).

    ## Why this matters in production
    Both bring every row to the driver. On the sample a notebook was written against, that is
    instant; on production data it is an out-of-memory error or a driver stuck for hours.

    ## Example
    ```python
    rows = spark.table("events").filter("country = 'NL'").collect()
    ```

    ## Use instead
    ```python
    preview = spark.table("events").filter("country = 'NL'").limit(20).collect()
    ```
    or keep the work in Spark and write the result out.

    Fixable by convert: no
    """

    code = "NB501"
    name = "collect-without-limit"
    node_types = (ast.Call,)
    requires = ("collect", "toPandas")

    def check_node(self, node: ast.Call, cell: CodeCell, nb: LintNotebook) -> list[Finding]:
        func = node.func
        if func.__class__ is not ast.Attribute or func.attr not in ("collect", "toPandas") or node.args:
            return NO_FINDINGS
        chain = set(method_chain(func.value))
        if chain & _BOUNDED or (chain & _ONE_ROW and not chain & _GROUPED):
            return NO_FINDINGS
        if func.attr == "collect" and self._polars_only(nb):
            return NO_FINDINGS
        return [self.at(nb, cell, node, f".{func.attr}() brings every row to the driver (add .limit(n) or keep the work in Spark)")]

    @staticmethod
    def _polars_only(nb: LintNotebook) -> bool:
        roots = {module.split(".")[0] for module in nb.imports.values()}
        return "polars" in roots and "pyspark" not in roots
