"""A static audit of the generated pipeline: no pandas-only API on a value that flows from Spark code.

The audit is independent of the pandas pass's kind tracking: it reads the
generated ``run()`` function as a data engineer would, follows which names hold
Spark values (bound from ``spark.read``, or from a chain of Spark DataFrame,
Column or GroupedData methods on such a name), and reports every attribute of
such a value that PySpark does not have (``iloc``, ``pivot_table``, ``to_csv``).
Code in the driver tier (statements marked ``# nb2prod: ... runs on the driver``
and names rebound with ``driver.pandas(...)``) is pandas on purpose and is not
audited. A finding means the converter's accounting missed a pandas operation:
tests hold the count at zero.
"""

from __future__ import annotations

from dataclasses import dataclass

import libcst as cst

from nb2prod.convert import api_names
from nb2prod.convert.passes.logging_pass import chain_attrs, chain_root

#: attributes a Spark value may have in generated code
SPARK_NAMES = (
    api_names.SPARK_DATAFRAME | api_names.SPARK_COLUMN | api_names.SPARK_GROUPED | api_names.SPARK_WRITER | api_names.SPARK_NA_STAT
) | {"write", "na", "stat", "rdd", "columns", "dtypes", "schema"}
#: methods whose result is a local Python value (a Row, a list, a number), not a Spark value
LOCAL_RESULTS = frozenset({"collect", "first", "head", "take", "tail", "count", "toPandas", "toLocalIterator", "isEmpty", "columns", "dtypes", "schema"})
_DRIVER_MARK = "runs on the driver"
#: methods whose result is GroupedData: its count() is a DataFrame, not a number
_GROUPING = frozenset({"groupBy", "groupby", "rollup", "cube", "pivot", "groupingSets"})


@dataclass(frozen=True)
class Finding:
    """One pandas-only attribute on a Spark value: ``step`` (its step function's name, or its ``with step(...)`` label), ``line`` (1-based, in pipeline.py), ``code``."""

    step: str
    line: int
    attribute: str
    code: str

    def as_dict(self) -> dict[str, object]:
        return {"step": self.step, "line": self.line, "attribute": self.attribute, "code": self.code}


def _chain(node: cst.BaseExpression) -> tuple[str | None, list[str]]:
    """(root name, attribute names from the root outwards) of ``a.b(...).c[...]``."""
    root = chain_root(node)
    return (root.value if isinstance(root, cst.Name) else None), chain_attrs(node)[::-1]


class _Audit(cst.CSTVisitor):
    """Collects ``(step, node, attribute, code)`` of each finding; lines are looked up after the visit,
    only when there is a finding (positions cost a pass over the whole module)."""

    def __init__(self) -> None:
        self.spark: set[str] = {"spark"}
        self.findings: list[tuple[str, cst.CSTNode, str, str]] = []
        self.step = ""
        self.driver = False

    def _is_spark(self, node: cst.BaseExpression) -> bool:
        root, attrs = _chain(node)
        if root == "schemas" and attrs[:1] == ["read_csv"]:  # PS101's reader: a Spark DataFrame
            root, attrs = "spark", ["read", *attrs[1:]]
        if root not in self.spark:
            return False
        if root == "spark":
            return bool(attrs) and attrs[0] in ("read", "createDataFrame", "table", "sql", "range")
        return not any(a in LOCAL_RESULTS and not (a == "count" and p in _GROUPING) for p, a in zip([None, *attrs], attrs))

    def visit_With(self, node: cst.With) -> None:
        call = node.items[0].item
        if isinstance(call, cst.Call) and isinstance(call.func, cst.Name) and call.func.value == "step" and call.args:
            self.step = getattr(call.args[0].value, "evaluated_value", "") or ""

    def visit_SimpleStatementLine(self, node: cst.SimpleStatementLine) -> None:
        self.driver = any(_DRIVER_MARK in (line.comment.value if line.comment else "") for line in node.leading_lines)

    def visit_For(self, node: cst.For) -> bool:
        if any(_DRIVER_MARK in (line.comment.value if line.comment else "") for line in node.leading_lines):
            return False  # a driver-tier loop: pandas on purpose
        return True

    def visit_If(self, node: cst.If) -> bool:
        return not any(_DRIVER_MARK in (line.comment.value if line.comment else "") for line in node.leading_lines)

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        if node.name.value.startswith("_figure_cell_"):
            return False  # a drawing function of the logging pass (LG106): profiling hands it pandas frames
        if any(isinstance(d.decorator, cst.Call) and getattr(d.decorator.func, "value", None) == "step" for d in node.decorators):
            self.step = node.name.value  # a step function (@step(cells=...))
        return node.name.value == "run" or not any(_DRIVER_MARK in (line.comment.value if line.comment else "") for line in node.leading_lines)

    def leave_Assign(self, node: cst.Assign) -> None:
        spark = not self.driver and self._is_spark(node.value)
        for target in node.targets:
            if isinstance(target.target, cst.Name):
                if spark:
                    self.spark.add(target.target.value)
                else:
                    self.spark.discard(target.target.value)

    def visit_Attribute(self, node: cst.Attribute) -> None:
        if self.driver:
            return
        root, attrs = _chain(node)
        if root not in self.spark or root == "spark":
            return
        for previous, attr in zip([None, *attrs], attrs):
            if attr in LOCAL_RESULTS and not (attr == "count" and previous in _GROUPING):
                return
            if attr not in SPARK_NAMES:
                code = " ".join(cst.Module(body=[]).code_for_node(node).split())
                self.findings.append((self.step, node, attr, code[:80]))
                return


def audit_pipeline(code: str) -> list[Finding]:
    """Audit ``pipeline.py`` source.

    Args:
        code: the generated module's text.

    Returns:
        The findings, in source order (each attribute chain reported once); an
        empty list for a clean pipeline or one that does not parse.
    """
    try:
        module = cst.metadata.MetadataWrapper(cst.parse_module(code), unsafe_skip_copy=True)  # fresh: no copy needed
    except (cst.ParserSyntaxError, RecursionError):
        return []
    audit = _Audit()
    module.visit(audit)
    if not audit.findings:
        return []
    positions = module.resolve(cst.metadata.PositionProvider)
    unique: dict[tuple[int, str], Finding] = {}
    for step, node, attr, code in audit.findings:
        line = positions[node].start.line
        unique.setdefault((line, code.split(".")[0]), Finding(step, line, attr, code))
    return list(unique.values())
