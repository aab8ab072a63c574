"""Column pruning before a cache: a cached DataFrame keeps only the columns its later uses read.

Runs after the cache pass, on the generated code. For each top-level ``name = <chain>.cache()``
the cache pass wrote, it reads every later statement that uses ``name`` (profiling calls
included: they may run) and collects the columns each use reads. When every use is one it can
follow, the cached assignment is split in two::

    flights = flights.withColumn("speed_mph", ...)                    # the full frame, not cached
    flights_pruned = flights.select("carrier", "arr_delay", ...).cache()

and the later uses read ``flights_pruned``. Spark's optimizer pushes the projection down to the
scan (``ColumnPruning``), so a CSV reader parses only those columns and the cache holds only them
(`Spark SQL performance tuning <https://spark.apache.org/docs/latest/sql-performance-tuning.html>`_:
caching stores the columns of the cached plan's output; the CSV source reads the required schema
only). The full frame keeps its name: what ``run()`` returns under it, and what ``nb2prod verify``
compares against the notebook's frame, is every column as before (lazily: no job unless something
evaluates it).

A use it can follow is a chain of DataFrame methods on ``name`` that ends in a result made only
of the columns it names, with every column a string literal:

- ``dropna(subset=[...])``, ``filter``/``where`` of a Column expression, ``orderBy``/``sort``,
  ``limit``, ``distinct``, ``dropDuplicates([...])``, ``withColumn("new", expr)`` along the way;
- ending in ``groupBy(...)`` followed by ``agg(...)``/``count()``/``avg(...)``..., in ``agg(...)``,
  in ``select(...)`` of columns, or in ``count()``.

Column expressions are ``F.col("x")``, aggregate and scalar functions of ``pyspark.sql.functions``
given column names (``F.avg("x")``), ``F.lit`` of a literal, Column methods (``cast``, ``alias``,
``isNull``...) and operators with literals. Anything else keeps every column: the frame itself
handed on, written, collected or returned (``first()``, ``toPandas()``), ``df.columns``,
``df[...]``, a column name held in a variable, ``select("*")``, a SQL string, a ``dropna()`` without
``subset``, a function the analysis does not know, the name rebound later. The conversion report
says, for each pruned frame (code CP101), which columns the cache keeps.
"""

from __future__ import annotations

import libcst as cst

from nb2prod.convert.cells import sentinel_cell
from nb2prod.convert.passes.base import CellPass
from nb2prod.convert.passes.cache_pass import statement_binds, statement_reads
from nb2prod.convert.report import Event

#: codes this pass reports: code -> (kebab-case name, what it means for the user)
CODES = {
    "CP101": (
        "prune-before-cache",
        "A cached DataFrame whose later uses all read named columns is cached with only those columns (a select before "
        ".cache()), so Spark parses and keeps only them; the full frame keeps its name for what run() returns.",
    ),
}

#: functions of pyspark.sql.functions whose positional arguments are columns (a string is a column name)
_COLUMN_FUNCTIONS = frozenset({
    "col", "column", "avg", "mean", "sum", "count", "min", "max", "first", "last", "countDistinct", "count_distinct",
    "sum_distinct", "approx_count_distinct", "stddev", "stddev_samp", "stddev_pop", "std", "variance", "var_samp",
    "var_pop", "median", "collect_list", "collect_set", "asc", "desc", "asc_nulls_first", "asc_nulls_last",
    "desc_nulls_first", "desc_nulls_last", "isnull", "isnan", "try_divide", "coalesce", "greatest", "least", "abs",
    "sqrt", "round", "upper", "lower", "length", "trim", "year", "month", "dayofmonth", "hour", "minute",
})  # fmt: skip
#: Column methods taking no column (their string arguments are types, names or literals)
_COLUMN_METHODS = frozenset({
    "cast", "astype", "alias", "name", "isNull", "isNotNull", "isNaN", "asc", "desc", "asc_nulls_first",
    "asc_nulls_last", "desc_nulls_first", "desc_nulls_last", "between", "isin", "eqNullSafe", "startswith",
    "endswith", "contains", "like", "rlike", "ilike", "otherwise", "bitwiseAND", "bitwiseOR",
})  # fmt: skip
#: aggregations of GroupedData given column names
_GROUPED = frozenset({"agg", "count", "avg", "mean", "sum", "min", "max"})
_FRAME_KEEPS = frozenset({"limit", "distinct"})
_SUFFIX = "_pruned"


class _Unknown(Exception):
    """A use the analysis cannot follow: the frame keeps every column."""


def _column_name(node: cst.BaseExpression) -> str:
    if not isinstance(node, cst.SimpleString):
        raise _Unknown
    value = node.evaluated_value
    if not isinstance(value, str) or not value or value == "*" or "." in value or "`" in value:
        raise _Unknown
    return value


def _literal(node: cst.BaseExpression) -> bool:
    return isinstance(node, cst.SimpleString | cst.Integer | cst.Float) or (
        isinstance(node, cst.Name) and node.value in ("True", "False", "None")
    )


def _expression(node: cst.BaseExpression, strings_are_columns: bool) -> list[str]:
    """The columns a Column expression reads, in order; raise :class:`_Unknown` if it cannot tell."""
    if isinstance(node, cst.SimpleString):
        return [_column_name(node)] if strings_are_columns else []
    if _literal(node):
        return []
    if isinstance(node, cst.UnaryOperation):
        return _expression(node.expression, False)
    if isinstance(node, cst.BinaryOperation | cst.BooleanOperation):
        return _expression(node.left, False) + _expression(node.right, False)
    if isinstance(node, cst.Comparison):
        out = _expression(node.left, False)
        for target in node.comparisons:
            out += _expression(target.comparator, False)
        return out
    if isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute):
        func = node.func
        if any(a.star or a.keyword is not None for a in node.args):
            raise _Unknown
        if isinstance(func.value, cst.Name) and func.value.value == "F":
            if func.attr.value == "lit" and all(_literal(a.value) for a in node.args):
                return []
            if func.attr.value in _COLUMN_FUNCTIONS:
                return [c for a in node.args for c in _expression(a.value, True)]
            raise _Unknown
        if func.attr.value in _COLUMN_METHODS:
            return _expression(func.value, False) + [c for a in node.args for c in _expression(a.value, False)]
    raise _Unknown


def _arguments(call: cst.Call, strings_are_columns: bool) -> list[str]:
    if any(a.star or a.keyword is not None for a in call.args):
        raise _Unknown
    out: list[str] = []
    for arg in call.args:
        value = arg.value
        if isinstance(value, cst.List | cst.Tuple):
            for element in value.elements:
                if isinstance(element, cst.StarredElement):
                    raise _Unknown
                out += _expression(element.value, strings_are_columns)
        else:
            out += _expression(value, strings_are_columns)
    return out


def _segments(node: cst.BaseExpression, name: str) -> list[tuple[str, cst.Call | None]] | None:
    """``[(attribute, its call or None), ...]`` from the root outwards of a chain on ``name``, else None."""
    out: list[tuple[str, cst.Call | None]] = []
    call: cst.Call | None = None
    while True:
        if isinstance(node, cst.Call) and call is None:
            call, node = node, node.func
        elif isinstance(node, cst.Attribute):
            out.append((node.attr.value, call))
            call, node = None, node.value
        elif isinstance(node, cst.Name) and call is None:
            return out[::-1] if node.value == name and out else None
        else:
            return None


def _chain_columns(segments: list[tuple[str, cst.Call | None]]) -> list[str]:
    """The columns of the frame a chain of methods on it reads; raise :class:`_Unknown` unless the chain
    ends in a result made only of the columns it names (see the module docstring)."""
    out: list[str] = []
    defined: set[str] = set()  # columns the chain adds (withColumn): not the cached frame's

    def own(columns: list[str]) -> list[str]:
        return [c for c in columns if c not in defined]

    grouped = False
    for attr, call in segments:
        if call is None:
            raise _Unknown  # write, columns, schema, na, ...: the frame as a whole
        if grouped:
            if attr not in _GROUPED:
                raise _Unknown
            return out + own(_arguments(call, True))
        if attr == "dropna":
            subset = [a for a in call.args if a.keyword is not None and a.keyword.value == "subset"]
            others = [a for a in call.args if a not in subset]
            if not subset or any(a.keyword is None or a.keyword.value not in ("how", "thresh") or not _literal(a.value) for a in others):
                raise _Unknown
            out += own(_arguments(call.with_changes(args=[subset[0].with_changes(keyword=None, equal=cst.MaybeSentinel.DEFAULT)]), True))
        elif attr in ("filter", "where"):
            if len(call.args) != 1 or isinstance(call.args[0].value, cst.SimpleString):
                raise _Unknown  # a SQL string names columns the analysis cannot read
            out += own(_arguments(call, False))
        elif attr in ("orderBy", "sort", "dropDuplicates", "drop_duplicates"):
            if attr != "orderBy" and attr != "sort" and not call.args:
                continue
            out += own(_arguments(call, True))
        elif attr in _FRAME_KEEPS:
            if not all(_literal(a.value) and a.keyword is None for a in call.args):
                raise _Unknown
        elif attr == "withColumn":
            if len(call.args) != 2 or call.args[0].keyword is not None:
                raise _Unknown
            new = _column_name(call.args[0].value)
            out += own(_expression(call.args[1].value, True))
            defined.add(new)
        elif attr in ("groupBy", "groupby"):
            out += own(_arguments(call, True))
            grouped = True
        elif attr == "agg":
            return out + own(_arguments(call, False))
        elif attr == "select":
            return out + own(_arguments(call, True))
        elif attr == "count" and not call.args:
            return out
        else:
            raise _Unknown
    raise _Unknown  # the frame itself, with every column, is the result


def columns_read(statement: cst.CSTNode, name: str) -> list[str] | None:
    """The columns of frame ``name`` that ``statement`` reads, in order of first use.

    Args:
        statement: a statement of the generated code.
        name: the name of a Spark DataFrame.

    Returns:
        The column names (``[]``: the statement reads no column of it, or does not use it), or None
        when some use of ``name`` in it cannot be followed (it may read every column).
    """
    found: list[str] = []

    class _Uses(cst.CSTVisitor):
        unknown = False

        def _chain(self, node: cst.BaseExpression) -> bool:
            segments = _segments(node, name)
            if segments is None:
                return True
            try:
                found.extend(_chain_columns(segments))
            except _Unknown:
                self.unknown = True
            return False

        def visit_Call(self, node: cst.Call) -> bool:
            return self._chain(node)

        def visit_Attribute(self, node: cst.Attribute) -> bool:
            if self._chain(node):
                node.value.visit(self)  # ``x.flights`` is an attribute, not the name flights
            return False

        def visit_Arg(self, node: cst.Arg) -> bool:
            node.value.visit(self)  # a keyword is no use of a name
            return False

        def visit_Param(self, node: cst.Param) -> None:
            if node.name.value == name:
                self.unknown = True

        def visit_Name(self, node: cst.Name) -> None:
            if node.value == name:
                self.unknown = True  # the frame itself, handed on

    uses = _Uses()
    statement.visit(uses)
    if uses.unknown:
        return None
    return list(dict.fromkeys(found))


class _Rename(cst.CSTTransformer):
    def __init__(self, old: str, new: str) -> None:
        super().__init__()
        self.old, self.new = old, new

    def visit_Arg(self, node: cst.Arg) -> bool:
        return True

    def leave_Arg(self, original_node: cst.Arg, updated_node: cst.Arg) -> cst.Arg:
        return updated_node.with_changes(keyword=original_node.keyword)  # keywords are no uses

    def visit_Attribute(self, node: cst.Attribute) -> bool:
        return True

    def leave_Attribute(self, original_node: cst.Attribute, updated_node: cst.Attribute) -> cst.Attribute:
        return updated_node.with_changes(attr=original_node.attr)

    def leave_Name(self, original_node: cst.Name, updated_node: cst.Name) -> cst.Name:
        return updated_node.with_changes(value=self.new) if original_node.value == self.old else updated_node


def _cached_assignment(statement: cst.BaseStatement) -> tuple[str, cst.BaseExpression] | None:
    """(name, the value before ``.cache()``) of a top-level ``name = <value>.cache()``, else None."""
    if not isinstance(statement, cst.SimpleStatementLine) or len(statement.body) != 1:
        return None
    assign = statement.body[0]
    if not isinstance(assign, cst.Assign) or len(assign.targets) != 1 or not isinstance(assign.targets[0].target, cst.Name):
        return None
    value = assign.value
    if not (isinstance(value, cst.Call) and not value.args and isinstance(value.func, cst.Attribute) and value.func.attr.value == "cache"):
        return None
    return assign.targets[0].target.value, value.func.value


class PrunePass(CellPass):
    """Cache only the columns a cached frame's later uses read (see the module docstring)."""

    READS_METADATA = False  # its own walk of the top-level statements; events without a line

    def transform_module_impl(self, tree: cst.Module) -> cst.Module:
        body = list(tree.body)
        taken = {n for statement in body for n in statement_reads(self.state, statement)}
        cells: list[int] = []
        cell = 0
        for statement in body:
            cell = sentinel_cell(statement) or cell
            cells.append(cell)
        replaced: dict[int, list[cst.BaseStatement]] = {}
        renames: dict[int, list[tuple[str, str]]] = {}
        for index, statement in enumerate(body):
            found = _cached_assignment(statement)
            if found is None:
                continue
            name, value = found
            columns: list[str] = []
            later = list(range(index + 1, len(body)))
            for j in later:
                if name in statement_binds(self.state, body[j]):
                    columns = None
                    break
                if _unpersist(body[j]) == name:
                    continue
                read = columns_read(body[j], name)
                if read is None:
                    columns = None
                    break
                columns += [c for c in read if c not in columns]
            if not columns:
                continue  # a use it cannot follow, or no column read at all (nothing worth a select)
            new = name + _SUFFIX
            while new in taken:
                new += "_"
            taken.add(new)
            select = ", ".join(f'"{c}"' for c in columns)
            assign = statement.body[0]
            full = statement.with_changes(body=[assign.with_changes(value=value)])
            pruned = cst.parse_statement(f"{new} = {name}.select({select}).cache()\n")
            replaced[index] = [full, pruned]
            for j in later:
                renames.setdefault(j, []).append((name, new))
            self.state.events.append(
                Event(cells[index], "CP101", "info", f"`{name}` is cached with the {len(columns)} columns its later uses read "
                      f"({', '.join(columns)}) as `{new}`: no other column is cached, and Spark parses only the input columns "
                      f"these are computed from. `{name}` itself (what run() returns) keeps all its columns.")
            )  # fmt: skip
        if not replaced:
            return tree
        out: list[cst.BaseStatement] = []
        for index, statement in enumerate(body):
            for old, new in renames.get(index, []):
                statement = statement.visit(_Rename(old, new))
            out.extend(replaced.get(index, [statement]))
        return tree.with_changes(body=out)


def _unpersist(statement: cst.BaseStatement) -> str | None:
    """``flights`` for ``flights.unpersist()``, else None."""
    if not isinstance(statement, cst.SimpleStatementLine) or len(statement.body) != 1 or not isinstance(statement.body[0], cst.Expr):
        return None
    call = statement.body[0].value
    if isinstance(call, cst.Call) and not call.args and isinstance(call.func, cst.Attribute) and call.func.attr.value == "unpersist":
        if isinstance(call.func.value, cst.Name):
            return call.func.value.value
    return None
