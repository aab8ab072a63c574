"""PS109 groupby-aggregate."""

from __future__ import annotations

from nb2prod.convert.kinds import Frame, Grouped, categories_of, category_labels
from nb2prod.convert.rules._base import CallSite, NotConvertible, Rewrite, Rule, category_rank, py_str, register, str_list

#: pandas aggregation name -> Spark function; "{c}" is the column expression
AGGREGATIONS = {
    "sum": "F.coalesce(F.sum({c}), F.lit(0))",
    "mean": "F.avg({c})",
    "count": "F.count({c})",
    "size": "F.count(F.lit(1))",
    "min": "F.min({c})",
    "max": "F.max({c})",
    "median": "F.median({c})",
    "std": "F.stddev({c})",
    "var": "F.variance({c})",
    "nunique": "F.count_distinct({c})",
}


def aggregate(func: str, column: str, bools: frozenset[str]) -> str:
    """Spark aggregate expression for pandas aggregation ``func`` over ``column``.

    Boolean columns are cast first: pandas sums and averages booleans as 0/1,
    Spark's ``sum``/``avg`` reject them.
    """
    if func not in AGGREGATIONS:
        raise NotConvertible(f"aggregation {func!r} has no Spark rule yet")
    col = py_str(column)
    if column in bools and func in ("sum", "mean", "median", "std", "var"):
        target = "int" if func == "sum" else "double"
        col = f'F.col({col}).cast("{target}")'
    return AGGREGATIONS[func].format(c=col)


def grouped_aggregation(grouped: Grouped, exprs: list[str]) -> str:
    """``frame.dropna(subset=keys).groupBy(keys).agg(exprs).orderBy(keys)`` with pandas' key handling.

    pandas drops rows whose key is missing unless ``dropna=False``, and sorts the keys unless
    ``sort=False``, with a missing key last (Spark's ascending sort puts null first).
    """
    keys = str_list(list(grouped.keys))
    code = grouped.frame
    if grouped.dropna:
        code += f".dropna(subset=[{keys}])"
    code += f".groupBy({keys}).agg({', '.join(exprs)})"
    if grouped.sort:
        code += f".orderBy({', '.join(group_sort_key(grouped, k) for k in grouped.keys)})"
    return code


def group_sort_key(grouped: Grouped, key: str) -> str:
    """The ``orderBy`` argument that sorts group key ``key`` as pandas sorts it: by name, missing last
    where missing keys are kept (``dropna=False``), an ordered categorical (``pd.cut`` labels) in
    category order."""
    labels = category_labels(grouped, key)
    column = category_rank(key, labels) if labels else py_str(key)
    if grouped.dropna:
        return column
    return f"F.asc_nulls_last({column})"


@register
class GroupByAggregate(Rule):
    """An aggregation after ``groupby`` becomes ``groupBy().agg()`` with pandas' key handling.

    What it does:
        ``gb[v].sum()``, ``gb[v].agg([...])``, ``gb.agg({v: f})`` and named
        aggregation ``gb.agg(out=(v, f))``, and ``gb.size()``, become
        ``df.dropna(subset=keys).groupBy(keys).agg(F.f(v).alias(out)).orderBy(keys)``.

    Why:
        pandas drops rows whose group key is missing (``dropna=True``) and sorts
        the keys (``sort=True``); Spark keeps a null group and returns groups
        in any order. With ``dropna=False`` pandas keeps the missing key and
        sorts it last, where Spark's ascending sort puts null first (hence
        ``F.asc_nulls_last``). A key pandas holds as an ordered categorical
        (made by ``pd.cut``) sorts in bin order, by its label's position
        (``F.array_position``), not alphabetically. pandas' ``sum`` of an all-missing group is 0, Spark's is
        null (hence ``F.coalesce(..., 0)``); pandas averages booleans, Spark
        needs a cast. Output columns get the names pandas would give, with
        the keys as columns (what ``reset_index()`` gives in pandas).

    Example:
        Before: ``delays = flights.groupby("carrier")["arr_delay"].mean().reset_index()``

        After: ``delays = flights.dropna(subset=["carrier"]).groupBy("carrier").agg(F.avg("arr_delay").alias("arr_delay")).orderBy("carrier")``
    """

    code = "PS109"
    name = "groupby-aggregate"
    receiver = "GroupBy"
    methods = ("agg", "aggregate", *AGGREGATIONS)
    spark = "df.groupBy(keys).agg(F.f(col).alias(name))"
    status = "partial"
    pandas_docs = "https://pandas.pydata.org/docs/user_guide/groupby.html#aggregation"
    spark_docs = "https://spark.apache.org/docs/latest/api/python/reference/pyspark.sql/api/pyspark.sql.GroupedData.agg.html"

    def convert(self, site: CallSite) -> Rewrite:
        grouped: Grouped = site.kind
        exprs, series_col = self._exprs(site, grouped)
        code = grouped_aggregation(grouped, exprs)
        kind = Frame(sorted=grouped.sort, keys=grouped.keys, series_col=series_col, categories=categories_of(grouped, grouped.keys))
        return Rewrite(code, kind, uses=frozenset({"F"}))

    def _exprs(self, site: CallSite, grouped: Grouped) -> tuple[list[str], str | None]:
        bools = grouped.bools
        if site.method == "size":
            # pandas names the counts 0 in the Series (a column "0" after reset_index()), or "size" with as_index=False
            site.only()
            name = "size" if not grouped.as_index else "0"
            return [f"{AGGREGATIONS['size']}.alias(\"{name}\")"], name
        if site.method not in ("agg", "aggregate"):
            site.only("numeric_only", "dropna")
            if grouped.selection is None:
                raise NotConvertible(f".{site.method}() over all columns needs the schema; select the columns first")
            exprs = [f"{aggregate(site.method, c, bools)}.alias({py_str(c)})" for c in grouped.selection]
            return exprs, grouped.selection[0] if grouped.single else None
        if site.kwargs and not site.args:  # named aggregation
            exprs = []
            for out, spec in site.kwargs.items():
                pair = spec.literal
                if not (isinstance(pair, tuple) and len(pair) == 2):
                    raise NotConvertible(f"named aggregation {out}={spec.code} is not (column, function)")
                exprs.append(f"{aggregate(pair[1], pair[0], bools)}.alias({py_str(out)})")
            return exprs, None
        site.only(positional=1)
        spec = site.args[0].literal
        if isinstance(spec, str) and grouped.single and grouped.selection:
            # gb["v"].agg("sum") is gb["v"].sum(): a Series named v, not a column named "sum"
            column = grouped.selection[0]
            return [f"{aggregate(spec, column, bools)}.alias({py_str(column)})"], column
        if isinstance(spec, dict):
            exprs = []
            for column, func in spec.items():
                if not isinstance(func, str):
                    raise NotConvertible("a list of functions per column gives MultiIndex columns")
                exprs.append(f"{aggregate(func, column, bools)}.alias({py_str(column)})")
            return exprs, None
        if isinstance(spec, list) and grouped.single and grouped.selection:
            column = grouped.selection[0]
            return [f"{aggregate(f, column, bools)}.alias({py_str(f)})" for f in spec], None
        if isinstance(spec, str) and grouped.selection:
            return [f"{aggregate(spec, c, bools)}.alias({py_str(c)})" for c in grouped.selection], None
        raise NotConvertible(f"agg({site.args[0].code}) gives MultiIndex columns or needs the schema")
