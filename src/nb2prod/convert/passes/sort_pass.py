"""Re-sorts: a sort whose frame is sorted again later is folded into the later sort as its tie-breaker.

Runs after the pandas pass and before the cache pass, on the generated code. pandas sorts a
``groupby`` result by its keys (``sort=True``) and the notebook often sorts it again by a value
(``sort_values``): the conversion writes ``.orderBy(keys)`` then, later, ``.orderBy(value)``. Spark's
``orderBy`` is a total sort of its input (range-partitioned, then sorted in each partition): the
order of its result is defined by its own keys only, and Spark defines no order between rows its
keys tie (https://spark.apache.org/docs/latest/api/python/reference/pyspark.sql/api/pyspark.sql.DataFrame.orderBy.html).
Spark's optimizer drops the earlier sort itself through projections and filters (``EliminateSorts``)
but not through a join, and each sort it keeps is a range-partitioning job and a shuffle.

The notebook's two sorts give the rows the later sort ties in the order the earlier one left them
when the later sort is stable: pandas' ``sort_values`` is stable with ``kind="stable"``/``"mergesort"``
and when it sorts by several columns (lexsort); its default single-column ``quicksort`` is documented
unstable (https://pandas.pydata.org/docs/reference/api/pandas.DataFrame.sort_values.html), and is
so in practice even on a few rows (numpy 2.4 with AVX2 sorts 8 tied rows out of their earlier
order in most trials): there pandas defines no order among ties. So the earlier sort is not dropped
but folded: its keys are appended to the later ``orderBy`` (the later keys first, then the earlier
ones) and the earlier ``orderBy`` is removed. The one sort gives exactly the order a stable second
sort gives (and, for a default single-column sort, one of the orders pandas allows, the same on
every run), with one shuffle instead of two::

    by_carrier = flights.groupBy("carrier").agg(...).orderBy("carrier")   ->  ....agg(...)
    by_carrier = compat.merge(by_carrier, airlines, on=["carrier"])      ->  (unchanged)
    by_carrier = by_carrier.orderBy(F.desc_nulls_last("mean"))           ->  ....orderBy(F.desc_nulls_last("mean"), "carrier")

Following the same dataflow as the cache pass (versions of names across cells), the trailing
``.orderBy(...)`` / ``.sort(...)`` of a top-level assignment ``name = <chain>.orderBy(...)`` is
folded when:

- its keys are columns by name (``"x"``, ``F.col("x")``, ``F.asc("x")``, ``F.desc_nulls_last("x")``...)
  or the category position of one column (``F.array_position(F.array(F.lit("low"), ...), F.col("x"))``,
  how an ordered categorical is sorted), and it has no keyword argument;
- that version is read by nothing but the next version of the same name (no action, no profiling
  display, no other frame built from it) and is rebound (it is not a value the notebook ends with);
- every version on the way to the re-sort is of that name, has no other reader, and is built from
  the previous one by operations that do not read row order and keep the key columns as they are:
  ``filter``/``where``, ``dropna``, ``withColumn(s)`` / ``withColumn(s)Renamed`` / ``drop`` not touching
  a key, ``select`` of plain names including the keys, an inner or left ``join`` / ``compat.merge``
  on the keys (pandas keeps the left frame's order there; an outer merge sorts the keys, a right one
  keeps the right frame's order), with no order-dependent function in their arguments (windows, ``monotonically_increasing_id``,
  ``first``/``last``, ``collect_list``, random numbers, UDFs...);
- the re-sort is ``orderBy``/``sort`` without keyword arguments, reached through those operations
  only (a ``limit`` or ``head`` before it reads the order: nothing is changed).

Anything else (statements inside ``if``/``for``/functions, other helpers) leaves the sort alone.
"""

from __future__ import annotations

import libcst as cst

from nb2prod.convert.audit import _chain
from nb2prod.convert.cells import sentinel_cell
from nb2prod.convert.passes.base import CellPass
from nb2prod.convert.passes.cache_pass import _names, frame_value, statement_binds, statement_reads

_SORTS = frozenset({"orderBy", "sort"})
#: DataFrame methods whose result does not depend on the order of their input's rows
_ORDER_FREE = frozenset({
    "filter", "where", "select", "withColumn", "withColumns", "withColumnRenamed", "withColumnsRenamed", "drop",
    "dropna", "fillna", "join",
})  # fmt: skip
#: names whose presence in an argument makes an operation order-dependent (or unknown)
_ORDER_DEPENDENT = frozenset({
    "monotonically_increasing_id", "rand", "randn", "uuid", "shuffle", "first", "last", "first_value", "last_value",
    "collect_list", "collect_set", "array_agg", "row_number", "spark_partition_id", "input_file_name", "any_value",
    "Window", "over", "udf", "pandas_udf", "compat", "nth_value", "lag", "lead",
})  # fmt: skip


def _calls(node: cst.BaseExpression) -> list[tuple[str, cst.Call]] | None:
    """The method calls of a chain ``root.m1(...).m2(...)``, innermost first, as (name, call); None if the
    chain has anything else (a subscript, an attribute that is not called)."""
    out: list[tuple[str, cst.Call]] = []
    while not isinstance(node, cst.Name):
        if not (isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute)):
            return None
        out.append((node.func.attr.value, node))
        node = node.func.value
    return out[::-1]


def _order_free_args(call: cst.Call) -> bool:
    return not any(_names(a.value) & _ORDER_DEPENDENT or _attrs(a.value) & _ORDER_DEPENDENT for a in call.args)


def _attrs(node: cst.CSTNode) -> set[str]:
    found: set[str] = set()

    class _Collect(cst.CSTVisitor):
        def visit_Attribute(self, n: cst.Attribute) -> None:
            found.add(n.attr.value)

    node.visit(_Collect())
    return found


#: functions of pyspark.sql.functions that name one sort key: F.asc("x"), F.desc_nulls_last("x"), F.col("x")
_KEY_FUNCTIONS = frozenset({"col", "column", "asc", "desc", "asc_nulls_first", "asc_nulls_last", "desc_nulls_first", "desc_nulls_last"})


def _string(node: cst.BaseExpression) -> str | None:
    if isinstance(node, cst.SimpleString):
        value = node.evaluated_value
        return value if isinstance(value, str) else None
    return None


def _f_call(node: cst.BaseExpression, names: frozenset[str] | set[str]) -> bool:
    """Whether ``node`` is ``F.<one of names>(...)`` with positional arguments only."""
    return (
        isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute) and isinstance(node.func.value, cst.Name)
        and node.func.value.value == "F" and node.func.attr.value in names
        and all(a.keyword is None and not a.star for a in node.args)
    )  # fmt: skip


def _key_column(node: cst.BaseExpression) -> str | None:
    """The one column a sort key is a function of, else None: ``"x"``, ``F.desc_nulls_last("x")``, or the
    category position ``F.array_position(F.array(F.lit(...), ...), F.col("x"))`` that sorts an ordered
    categorical (``rules._base.category_rank``), bare or in ``F.asc_nulls_last(...)`` and friends."""
    if isinstance(node, cst.SimpleString):
        return _string(node)
    if _f_call(node, _KEY_FUNCTIONS) and len(node.args) == 1:
        inner = node.args[0].value
        if node.func.attr.value not in ("col", "column") and isinstance(inner, cst.Call):
            return _key_column(inner)
        return _string(inner)
    if _f_call(node, {"array_position"}) and len(node.args) == 2:
        labels, column = node.args[0].value, node.args[1].value
        literals = _f_call(labels, {"array"}) and all(
            _f_call(a.value, {"lit"}) and len(a.value.args) == 1
            and isinstance(a.value.args[0].value, cst.SimpleString | cst.Integer | cst.Float)
            for a in labels.args
        )  # fmt: skip
        if literals and _f_call(column, {"col", "column"}) and len(column.args) == 1:
            return _string(column.args[0].value)
    return None


def _sort_keys(call: cst.Call) -> list[str] | None:
    """The columns of a sort call's keys, in order; None if a key is not a column by name or it has keywords."""
    if not call.args or any(a.keyword is not None or a.star for a in call.args):
        return None
    keys = [_key_column(a.value) for a in call.args]
    return None if None in keys else keys


def _literal_strings(node: cst.BaseExpression) -> list[str] | None:
    """``"x"`` or ``["x", "y"]`` / ``("x", "y")`` as a list of strings, else None."""
    if isinstance(node, cst.List | cst.Tuple):
        out = [_string(e.value) if isinstance(e, cst.Element) else None for e in node.elements]
        return None if None in out else out
    one = _string(node)
    return None if one is None else [one]


def _dict_keys(node: cst.BaseExpression) -> list[str] | None:
    if not isinstance(node, cst.Dict):
        return None
    out = [_string(e.key) if isinstance(e, cst.DictElement) else None for e in node.elements]
    return None if None in out else out


def _keeps_keys(method: str, call: cst.Call, keys: set[str]) -> bool:
    """Whether the operation ``method(call's arguments)`` leaves every column of ``keys`` in place, unchanged."""
    args = call.args
    positional = [a.value for a in args if a.keyword is None]
    keyword = {a.keyword.value: a.value for a in args if a.keyword is not None}
    if any(a.star for a in args):
        return False
    if method in ("filter", "where", "dropna"):
        return True
    if method == "withColumn":
        new = _string(positional[0]) if positional else None
        return new is not None and new not in keys
    if method in ("withColumns", "withColumnsRenamed"):
        names = _dict_keys(positional[0]) if len(positional) == 1 else None
        if method == "withColumnsRenamed" and names is not None:
            targets = [_string(e.value) for e in positional[0].elements]
            names = None if None in targets else names + targets
        return names is not None and not keys & set(names)
    if method == "withColumnRenamed":
        names = [_string(p) for p in positional]
        return len(names) == 2 and None not in names and not keys & set(names)
    if method == "drop":
        names = [_string(p) for p in positional]
        return bool(names) and None not in names and not keys & set(names) and not keyword
    if method == "select":
        names = [_string(p) for p in positional]
        return None not in names and keys <= set(names) and not keyword
    if method == "join":
        on = keyword.get("on", positional[1] if len(positional) > 1 else None)
        names = _literal_strings(on) if on is not None else None
        how = keyword.get("how", positional[2] if len(positional) > 2 else None)
        # pandas' inner and left merges keep the left frame's order; outer sorts the keys, right keeps the right's
        kept_order = how is None or _string(how) in ("inner", "left", "left_outer", "leftouter")
        return names is not None and keys <= set(names) and kept_order
    return False


class SortPass(CellPass):
    """Fold a sort into the later sort of the same frame that replaces it (see the module docstring)."""

    READS_METADATA = False  # its own walk of the top-level statements; events without a line

    def transform_module_impl(self, tree: cst.Module) -> cst.Module:
        body = list(tree.body)
        # for each top-level statement: the name a frame assignment binds (else None), the names it reads
        binds: list[str | None] = []
        reads: list[set[str]] = []
        current: set[str] = set()
        for statement in body:
            if sentinel_cell(statement) is not None:
                binds.append(None)
                reads.append(set())
                continue
            target = self._frame_assignment(statement, current)
            binds.append(target)
            reads.append(statement_reads(self.state, statement))
            if target is not None:
                current.add(target)
            else:
                current -= statement_binds(self.state, statement)
        changed = False
        for index, name in enumerate(binds):
            if name is None:
                continue
            found = self._replaced(body, binds, reads, index)
            if found is None:
                continue
            later, resort = found
            earlier = body[index].body[0].value
            keys = [a for a in earlier.args if _key_column(a.value) not in (_sort_keys(resort) or [])]
            folded = resort.with_changes(args=[*resort.args[:-1], resort.args[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT), *keys])
            body[index] = self._unsorted(body[index])
            body[later] = body[later].visit(_Replace(resort, folded))
            changed = True
        return tree.with_changes(body=body) if changed else tree

    def _replaced(self, body, binds, reads, index: int) -> tuple[int, cst.Call] | None:
        """(statement, call) of the later sort that replaces the trailing sort of the assignment at ``index``, else None."""
        name = binds[index]
        calls = _calls(body[index].body[0].value)
        if not calls or calls[-1][0] not in _SORTS:
            return None
        keys = _sort_keys(calls[-1][1])
        if keys is None:
            return None
        for later in range(index + 1, len(body)):
            if sentinel_cell(body[later]) is not None:
                continue
            if name not in reads[later]:
                if name in statement_binds(self.state, body[later]):
                    return None  # rebound by something this pass does not follow
                continue
            # the one reader of this version: the next version of the name, built from it
            if binds[later] != name:
                return None
            value = body[later].body[0].value
            steps = self._steps_from(value, name)
            if steps is None:
                return None
            for method, call in steps:
                if method in _SORTS:
                    return (later, call) if _sort_keys(call) is not None else None
                if method not in _ORDER_FREE or not _order_free_args(call) or not _keeps_keys(method, call, set(keys)):
                    return None
            # no re-sort yet: the new version must itself pass on to one (the loop follows it)
        return None

    @staticmethod
    def _steps_from(value: cst.BaseExpression, name: str) -> list[tuple[str, cst.Call]] | None:
        """The operations a new version applies to ``name``: a method chain on it, or ``compat.merge(name, other,
        ...)`` (a join); None for anything else or when ``name`` is read elsewhere in the statement."""
        if isinstance(value, cst.Call) and _chain(value) == ("compat", ["merge"]):
            if not value.args or not (isinstance(value.args[0].value, cst.Name) and value.args[0].value.value == name):
                return None
            if any(name in _names(a.value) for a in value.args[1:]):
                return None
            return [("join", cst.Call(func=cst.Name("merge"), args=value.args[1:]))]
        calls = _calls(value)
        if not calls:
            return None  # not a method chain (a name alone, `b = a`, is no operation on it)
        root = calls[0][1].func
        while isinstance(root, (cst.Call, cst.Attribute)):
            root = root.func if isinstance(root, cst.Call) else root.value
        if not (isinstance(root, cst.Name) and root.value == name):
            return None
        if any(name in _names(a.value) for _, call in calls for a in call.args):
            return None  # a self-join or a column of the frame by reference: keep it simple
        return calls

    def _frame_assignment(self, statement: cst.BaseStatement, current: set[str]) -> str | None:
        if not isinstance(statement, cst.SimpleStatementLine) or len(statement.body) != 1:
            return None
        assign = statement.body[0]
        if not isinstance(assign, cst.Assign) or len(assign.targets) != 1 or not isinstance(assign.targets[0].target, cst.Name):
            return None
        if not frame_value(assign.value, current | {"spark"}):
            return None
        return assign.targets[0].target.value

    @staticmethod
    def _unsorted(statement: cst.SimpleStatementLine) -> cst.SimpleStatementLine:
        assign = statement.body[0]
        call = assign.value
        inner = call.func.value.with_changes(lpar=call.lpar, rpar=call.rpar)
        return statement.with_changes(body=[assign.with_changes(value=inner)])


class _Replace(cst.CSTTransformer):
    """Put ``new`` where ``old`` (one node of the tree) stands."""

    def __init__(self, old: cst.CSTNode, new: cst.CSTNode) -> None:
        super().__init__()
        self.old, self.new = old, new

    def on_leave(self, original_node, updated_node):
        return self.new if original_node is self.old else updated_node
