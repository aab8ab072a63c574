"""Reuse: a Spark DataFrame that feeds more than one action is cached once, and unpersisted after its last use.

Runs after the pandas pass, on the generated code. It follows the dataflow across cells (not cell
positions): every top-level assignment of a Spark value (``spark.read``, ``schemas.read_csv``, a
chain of DataFrame methods on a Spark name, a ``compat`` helper given a Spark name) makes a new
*version* of its name; every other statement that reads a version is an *action* on it (a
``count()``, a ``first()``, a write, a value handed to the driver...), and a version assigned from
another *feeds* it. The actions that evaluate a version are its own and those of every version it
feeds. A version evaluated by two actions or more is cached, with ``.cache()`` appended to its
assignment, and ``<name>.unpersist()`` follows the statement of the last of those actions, when:

- its name is not rebound afterwards (the cache is released through that name);
- it does not merely pass everything on to one other version (``flights = flights.dropna(...)``
  followed by ``flights = flights.withColumn(...)``: the later one is cached, once).

Caching never changes a result: at worst a cached frame is not reused and costs memory until
unpersisted. Statements inside ``if``/``for``/``with``/functions are actions on the names they read,
and the names they bind are no longer followed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import libcst as cst

from nb2prod.convert.audit import LOCAL_RESULTS, _GROUPING, _chain
from nb2prod.convert.cells import sentinel_cell
from nb2prod.convert.passes.base import CellPass, ConversionState, memoised

#: attributes of a Spark DataFrame whose use evaluates it (besides LOCAL_RESULTS), or whose result is not a DataFrame
_ACTIONS = LOCAL_RESULTS | _GROUPING | {
    "write", "show", "foreach", "foreachPartition", "toJSON", "rdd", "cache", "persist", "checkpoint", "localCheckpoint",
    "randomSplit", "approxQuantile", "corr", "cov", "explain", "printSchema", "createOrReplaceTempView", "createTempView",
    "createGlobalTempView", "createOrReplaceGlobalTempView", "registerTempTable", "colRegex", "inputFiles", "isLocal",
    "isStreaming", "storageLevel", "sameSemantics", "semanticHash", "writeTo", "writeStream", "na", "stat", "alias",
}  # fmt: skip


def _plain_chain(node: cst.BaseExpression) -> bool:
    """Whether ``node`` is a chain of calls and attributes on a name (no subscript: ``df["x"]`` is a Column)."""
    while True:
        if isinstance(node, cst.Call):
            node = node.func
        elif isinstance(node, cst.Attribute):
            node = node.value
        else:
            return isinstance(node, cst.Name)


@dataclass
class _Version:
    name: str
    statement: int
    actions: set[int] = field(default_factory=set)
    feeds: list[int] = field(default_factory=list)
    rebound: bool = False


def _names(node: cst.CSTNode) -> set[str]:
    found: set[str] = set()

    class _Collect(cst.CSTVisitor):
        def visit_Name(self, n: cst.Name) -> None:
            found.add(n.value)

        def visit_Attribute(self, n: cst.Attribute) -> bool:
            n.value.visit(self)
            return False  # ``x.flights`` is an attribute, not the name flights

    node.visit(_Collect())
    return found


def _assigned(node: cst.CSTNode) -> set[str]:
    found: set[str] = set()

    class _Targets(cst.CSTVisitor):
        def visit_AssignTarget(self, n: cst.AssignTarget) -> None:
            found.update(_names(n.target))

        def visit_AugAssign(self, n: cst.AugAssign) -> None:
            found.update(_names(n.target))

        def visit_AnnAssign(self, n: cst.AnnAssign) -> None:
            found.update(_names(n.target))

        def visit_For(self, n: cst.For) -> None:
            found.update(_names(n.target))

        def visit_WithItem(self, n: cst.WithItem) -> None:
            if n.asname is not None:
                found.update(_names(n.asname.name))

        def visit_NamedExpr(self, n: cst.NamedExpr) -> None:
            found.update(_names(n.target))

    node.visit(_Targets())
    return found


def statement_reads(state: ConversionState, statement: cst.CSTNode) -> frozenset[str]:
    """The names a top-level statement reads or binds (:func:`_names`), computed once per statement object."""
    return memoised(state, "names", statement, lambda node: frozenset(_names(node)))


def statement_binds(state: ConversionState, statement: cst.CSTNode) -> frozenset[str]:
    """The names a top-level statement binds (:func:`_assigned`), computed once per statement object."""
    return memoised(state, "assigned", statement, lambda node: frozenset(_assigned(node)))


def _profiling_only(statement: cst.CSTNode) -> bool:
    """A profiling call that computes nothing unless profiling is on (``profiling.table(...)``, the
    logging pass's LG105/LG106), or the drawing function of a figure: no action on what it reads.
    ``profiling.output_figure(...)`` (a saved figure, LG107) runs on every run: it is an action."""
    if isinstance(statement, cst.FunctionDef):
        return statement.name.value.startswith("_figure_cell_")
    if not (isinstance(statement, cst.SimpleStatementLine) and len(statement.body) == 1 and isinstance(statement.body[0], cst.Expr)):
        return False
    call = statement.body[0].value
    return (
        isinstance(call, cst.Call)
        and isinstance(call.func, cst.Attribute)
        and isinstance(call.func.value, cst.Name)
        and call.func.value.value == "profiling"
        and call.func.attr.value != "output_figure"
    )


class CachePass(CellPass):
    """Cache DataFrames evaluated by more than one action (see the module docstring)."""

    READS_METADATA = False  # its own walk of the top-level statements; events without a line

    def transform_module_impl(self, tree: cst.Module) -> cst.Module:
        body = list(tree.body)
        versions: list[_Version] = []
        current: dict[str, int] = {}
        for index, statement in enumerate(body):
            if sentinel_cell(statement) is not None or _profiling_only(statement):
                continue
            reads = [current[n] for n in sorted(statement_reads(self.state, statement)) if n in current]
            target = self._frame_assignment(statement, current)
            if target is not None:
                if target in current:
                    versions[current[target]].rebound = True
                versions.append(_Version(target, index))
                for v in reads:
                    versions[v].feeds.append(len(versions) - 1)
                current[target] = len(versions) - 1
                continue
            for v in reads:
                versions[v].actions.add(index)
            for name in statement_binds(self.state, statement):
                if name in current:
                    versions[current.pop(name)].rebound = True

        def evaluated(v: int) -> set[int]:
            out = set(versions[v].actions)
            for w in versions[v].feeds:
                out |= evaluated(w)
            return out

        cache: dict[int, int] = {}  # statement of the assignment -> statement after which to unpersist
        unpersist: dict[int, list[str]] = {}
        for v, version in enumerate(versions):
            actions = evaluated(v)
            if len(actions) < 2 or version.rebound:
                continue
            if not version.actions and len(version.feeds) == 1 and evaluated(version.feeds[0]) == actions:
                continue
            cache[version.statement] = max(actions)
            unpersist.setdefault(max(actions), []).append(version.name)
        if not cache:
            return tree
        out: list[cst.BaseStatement] = []
        for index, statement in enumerate(body):
            if index in cache:
                statement = self._cached(statement)
            out.append(statement)
            for name in unpersist.get(index, []):
                out.append(cst.parse_statement(f"{name}.unpersist()\n"))
        return tree.with_changes(body=out)

    def _frame_assignment(self, statement: cst.BaseStatement, current: dict[str, int]) -> str | None:
        """The name a top-level ``name = <Spark DataFrame>`` binds, else None."""
        if not isinstance(statement, cst.SimpleStatementLine) or len(statement.body) != 1:
            return None
        assign = statement.body[0]
        if not isinstance(assign, cst.Assign) or len(assign.targets) != 1 or not isinstance(assign.targets[0].target, cst.Name):
            return None
        if not frame_value(assign.value, current):
            return None
        return assign.targets[0].target.value

    @staticmethod
    def _cached(statement: cst.SimpleStatementLine) -> cst.SimpleStatementLine:
        assign = statement.body[0]
        value = cst.Call(func=cst.Attribute(value=assign.value, attr=cst.Name("cache")))
        return statement.with_changes(body=[assign.with_changes(value=value)])


def frame_value(value: cst.BaseExpression, frames) -> bool:
    """Whether ``value`` is a Spark DataFrame: ``spark.read...``, ``schemas.read_csv(...)``, a ``compat``
    helper given one of ``frames``, or a chain of DataFrame methods on one of ``frames`` (no action,
    no GroupedData result).

    Args:
        value: an expression of the generated code.
        frames: names known to hold Spark DataFrames at that point (a set or a mapping).
    """
    current = frames
    root, attrs = _chain(value)
    if root == "spark":
        ok = bool(attrs) and attrs[0] in ("read", "createDataFrame", "table", "sql", "range")
    elif root == "schemas":
        ok = attrs[:1] == ["read_csv"]
    elif root == "compat":
        call = value
        ok = (
            len(attrs) == 1 and isinstance(call, cst.Call) and bool(call.args)
            and isinstance(call.args[0].value, cst.Name) and call.args[0].value.value in current
        )  # fmt: skip
    else:
        ok = root in current
    if not ok:
        return False
    if attrs and attrs[-1] in _GROUPING:
        return False  # GroupedData, not a DataFrame
    for before, attr in zip([None, *attrs], attrs):
        if attr in _GROUPING or (attr == "count" and before in _GROUPING):
            continue  # groupBy(...).count() is a DataFrame
        if attr in _ACTIONS:
            return False
    return isinstance(value, cst.Call | cst.Name) and _plain_chain(value)
