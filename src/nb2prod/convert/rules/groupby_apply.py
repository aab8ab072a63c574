"""PS154 groupby-apply."""

from __future__ import annotations

import libcst as cst

from nb2prod.convert.kinds import Frame, Grouped
from nb2prod.convert.rules._base import CallSite, NotConvertible, Rewrite, Rule, register, str_list

#: Series methods giving one value: ``g["x"].sum()`` is a scalar per group
SCALAR_METHODS = frozenset({"sum", "mean", "median", "min", "max", "count", "nunique", "std", "var", "prod", "quantile", "corr"})
#: DataFrame methods giving a DataFrame of some of the group's rows
FRAME_METHODS = frozenset({"head", "tail", "nlargest", "nsmallest", "sort_values", "drop_duplicates", "query", "assign", "dropna", "fillna"})
#: of those, the ones whose result depends on the rows' order within the group
ORDER_DEPENDENT = frozenset({"head", "tail", "nlargest", "nsmallest", "drop_duplicates"})


def _is_param(node: cst.BaseExpression, param: str) -> bool:
    return isinstance(node, cst.Name) and node.value == param


def _is_column_of(node: cst.BaseExpression, param: str) -> bool:
    """``g["x"]`` or ``g.x``: a Series of the group."""
    if isinstance(node, cst.Attribute):
        return _is_param(node.value, param)
    return (
        isinstance(node, cst.Subscript)
        and _is_param(node.value, param)
        and len(node.slice) == 1
        and isinstance(node.slice[0].slice, cst.Index)
        and isinstance(node.slice[0].slice.value, cst.SimpleString)
    )


def _scalar(node: cst.BaseExpression, param: str) -> bool:
    if isinstance(node, (cst.Integer, cst.Float)):
        return True
    if isinstance(node, cst.BinaryOperation):
        return _scalar(node.left, param) and _scalar(node.right, param)
    if isinstance(node, cst.Call) and isinstance(node.func, cst.Name) and node.func.value == "len":
        return len(node.args) == 1 and (_is_param(node.args[0].value, param) or _is_column_of(node.args[0].value, param))
    if isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute):
        return node.func.attr.value in SCALAR_METHODS and _is_column_of(node.func.value, param)
    return False


def shape_of(lam: cst.Lambda) -> tuple[str, str | None]:
    """(``"scalar"`` or ``"frame"``, the frame method) of ``lambda g: ...``, else raise NotConvertible."""
    params = lam.params.params
    if len(params) != 1 or isinstance(lam.params.star_arg, cst.Param) or lam.params.kwonly_params or lam.params.star_kwarg:
        raise NotConvertible("the function must take the group only")
    param = params[0].name.value
    body = lam.body
    if _scalar(body, param):
        return "scalar", None
    if isinstance(body, cst.Call) and isinstance(body.func, cst.Attribute) and _is_param(body.func.value, param):
        if body.func.attr.value in FRAME_METHODS:
            return "frame", body.func.attr.value
    if isinstance(body, cst.Subscript) and _is_param(body.value, param) and len(body.slice) == 1:
        index = body.slice[0].slice
        if isinstance(index, cst.Index) and isinstance(index.value, (cst.Comparison, cst.BinaryOperation, cst.UnaryOperation)):
            return "frame", None  # g[g["x"] > 1]: a filter of the group's rows
    raise NotConvertible(
        "the result shape of this function is not known (one value, or a DataFrame of the group's rows, are converted)"
    )


@register
class GroupByApply(Rule):
    """``groupby(k).apply(f)`` runs ``f`` on each group with ``applyInPandas`` (fallback tier).

    What it does:
        ``df.groupby(k).apply(lambda g: ...)`` becomes
        ``compat.group_apply(df, ["k"], lambda g: ..., shape=...)``, which runs the
        function unchanged on each group as a pandas DataFrame in the executors
        (``groupBy(k).applyInPandas``), its output schema learnt by running it on one
        group on the driver. Two result shapes are converted, recognised from the
        lambda's body: one value per group (``g["x"].sum()``, ``len(g)``, arithmetic
        of those): the key columns and a column ``0``, sorted by key, as
        ``reset_index()`` gives in pandas (which then needs no Spark code); a
        DataFrame of the group's rows (``g.nlargest(2, "x")``, ``g.sort_values(...)``,
        ``g.head(n)``, ``g[g["x"] > m]``): those rows, one group after the other.

    Why:
        An arbitrary function of a group has no Spark expression; ``applyInPandas``
        keeps its meaning where the data lives (each group must fit in an executor's
        memory): counted under the ``applyInPandas`` tier. As in pandas 2.3 the group
        holds the key columns (pandas warns that this will change) unless
        ``include_groups=False``; missing keys are dropped unless ``dropna=False``.
        pandas keeps the keys and the function's index in the result's index; Spark
        has no index, so a DataFrame result is its rows and columns only (a later
        ``reset_index()`` is not converted). Within a group Spark does not keep the
        notebook's row order and the index starts at 0: ``head``, ``tail``,
        ``nlargest``/``nsmallest`` ties and ``drop_duplicates`` may pick other rows
        (partial). A function whose result shape cannot be read from a lambda
        (a named function, ``g.mean()`` giving a Series), ``group_keys``, and
        ``apply`` on selected columns are not converted.

    Example:
        Before: ``spread = flights.groupby("carrier").apply(lambda g: g["dep_delay"].max() - g["dep_delay"].min()).reset_index()``

        After: ``spread = compat.group_apply(flights, ["carrier"], lambda g: g["dep_delay"].max() - g["dep_delay"].min(), shape="scalar")``
    """

    code = "PS154"
    name = "groupby-apply"
    receiver = "GroupBy"
    methods = ("apply",)
    spark = "df.groupBy(keys).applyInPandas(f, schema) (compat.group_apply)"
    status = "fallback"
    pandas_docs = "https://pandas.pydata.org/docs/reference/api/pandas.core.groupby.DataFrameGroupBy.apply.html"
    spark_docs = "https://spark.apache.org/docs/latest/api/python/reference/pyspark.sql/api/pyspark.sql.GroupedData.applyInPandas.html"

    def convert(self, site: CallSite) -> Rewrite:
        grouped: Grouped = site.kind
        func = site.get(0, "func", None)
        site.kwargs.pop("func", None)
        include = site.get(None, "include_groups", None)
        site.kwargs.pop("include_groups", None)
        site.only(positional=1)
        if grouped.selection is not None:
            raise NotConvertible("apply on selected columns (a SeriesGroupBy); no rule yet")
        if not grouped.as_index:
            raise NotConvertible("apply with as_index=False; no rule yet")
        if func is None or not isinstance(func.node, cst.Lambda):
            raise NotConvertible("the result shape of a named function is not known; write it as a lambda")
        shape, method = shape_of(func.node)
        include_groups = True if include is None else include.literal
        if not isinstance(include_groups, bool):
            raise NotConvertible(f"include_groups={include.code} is not a literal")
        args = [grouped.frame, f"[{str_list(list(grouped.keys))}]", func.code, f'shape="{shape}"']
        if not grouped.dropna:
            args.append("dropna=False")
        if not grouped.sort:
            args.append("sort=False")
        if not include_groups:
            args.append("include_groups=False")
        code = f"compat.group_apply({', '.join(args)})"
        note = "runs the function on each group as a pandas DataFrame in the executors"
        outcome = "converted"
        if method in ORDER_DEPENDENT:
            outcome = "partial"
            note += f"; {method}() depends on the rows' order within the group, which Spark does not keep"
        if shape == "scalar":
            kind = Frame(sorted=grouped.sort, keys=grouped.keys, series_col="0")
        else:
            kind = Frame()
        return Rewrite(code, kind, outcome=outcome, note=note, uses=frozenset({"compat"}), tier="applyInPandas")
