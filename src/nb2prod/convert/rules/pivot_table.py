"""PS140 pivot-table."""

from __future__ import annotations

from nb2prod.convert.kinds import Frame
from nb2prod.convert.rules._base import CallSite, NotConvertible, Rewrite, Rule, names_of, py_str, register, str_list
from nb2prod.convert.rules.groupby_agg import aggregate

#: numpy / builtin spellings of an aggregation pandas maps to its own name
FUNCTION_NAMES = {
    **{f"{m}.{f}": f for m in ("np", "numpy") for f in ("sum", "mean", "min", "max", "median", "std", "var")},
    "len": "size",
    "sum": "sum",
    "min": "min",
    "max": "max",
}
#: aggregations whose result over only missing values is missing: pandas drops those groups
#: (``dropna(how="all")`` on the grouped result), so their rows with a missing value are dropped first
MISSING_WHEN_EMPTY = frozenset({"mean", "min", "max", "median", "std", "var"})
#: aggregations missing for a group of one value (ddof=1): pandas drops such cells and then
#: index rows and pivot columns left with no value at all, Spark keeps them as nulls
MISSING_FOR_ONE = frozenset({"std", "var"})


@register
class PivotTable(Rule):
    """``pivot_table`` with one values column becomes ``groupBy().pivot().agg()``, sorted like pandas.

    What it does:
        ``df.pivot_table(index=i, columns=c, values=v, aggfunc=f, fill_value=x)`` becomes
        ``df.dropna(subset=[i, c]).groupBy(i).pivot(c).agg(F.f(v)).na.fill(x).orderBy(i)``.
        The output columns are the index columns then one column per pivot value,
        named by the value, as pandas gives them for a single ``values`` column
        after ``reset_index()`` (which then needs no Spark code).

    Why:
        pandas drops rows whose index or columns key is missing; Spark's pivot
        makes a ``null`` column and groups a ``null`` key (hence ``dropna``).
        pandas sorts the index (hence ``orderBy``) and the pivot values (Spark
        sorts the distinct values it computes as well). pandas' default
        ``aggfunc`` is ``mean``; ``sum`` of an all-missing group is 0 in pandas
        and null in Spark (hence ``coalesce``). For ``mean``, ``min``, ``max``
        and ``median`` pandas drops groups whose result is missing, so an index
        value or pivot value with only missing values disappears: rows with a
        missing value are dropped before grouping. ``std``/``var`` of a single
        value is missing in pandas, and an index row or pivot column left with
        no value at all is dropped; Spark keeps it as nulls (partial).
        An integer pivot column with missing values is a float column in
        pandas, so its output columns are named ``2013.0`` where Spark's are
        ``2013`` (cast the column first to match).
        Spark finds the pivot values with an extra job (pandas has no way to
        name them in advance); at most ``spark.sql.pivotMaxValues`` (10,000).
        A list of ``values``, no ``values`` (all other columns), a list of
        functions or ``margins`` give pandas MultiIndex columns or totals rows:
        not converted.

    Example:
        Before: ``table = flights.pivot_table(index="origin", columns="carrier", values="dep_delay", aggfunc="mean").reset_index()``

        After: ``table = flights.dropna(subset=["origin", "carrier", "dep_delay"]).groupBy("origin").pivot("carrier").agg(F.avg("dep_delay")).orderBy("origin")``
    """

    code = "PS140"
    name = "pivot-table"
    receiver = ("DataFrame", "pandas")
    methods = ("pivot_table",)
    spark = "df.dropna(subset=keys).groupBy(index).pivot(columns).agg(F.f(values)).orderBy(index)"
    status = "partial"
    pandas_docs = "https://pandas.pydata.org/docs/reference/api/pandas.DataFrame.pivot_table.html"
    spark_docs = "https://spark.apache.org/docs/latest/api/python/reference/pyspark.sql/api/pyspark.sql.GroupedData.pivot.html"

    def convert(self, site: CallSite) -> Rewrite:
        args = list(site.args)
        receiver, kind = site.receiver, site.kind
        if receiver is None:  # pd.pivot_table(df, values=..., index=..., columns=...)
            data = args.pop(0) if args else site.kwargs.pop("data", None)
            if data is None or not isinstance(data.kind, Frame):
                raise NotConvertible("pd.pivot_table of something other than a DataFrame")
            receiver, kind = data.code, data.kind
        names = ("values", "index", "columns", "aggfunc", "fill_value")
        for position, arg in enumerate(args):  # pandas' positional order
            if position >= len(names) or names[position] in site.kwargs:
                raise NotConvertible("unexpected positional arguments")
            site.kwargs[names[position]] = arg
        site.args = []
        site.only(*names, "dropna", "sort", "observed")
        for flag in ("dropna", "sort"):
            arg = site.get(None, flag, None)
            if arg is not None and arg.literal is not True:
                raise NotConvertible(f"{flag}={arg.code} is not supported (pandas' default True is)")
        values_arg = site.get(None, "values", None)
        index_arg = site.get(None, "index", None)
        columns_arg = site.get(None, "columns", None)
        if values_arg is None:
            raise NotConvertible("without values= pandas pivots every other column into MultiIndex columns; name one values column")
        values = values_arg.literal
        if not isinstance(values, str):
            raise NotConvertible("a list of values columns gives MultiIndex columns")
        if index_arg is None or columns_arg is None:
            raise NotConvertible("index= and columns= are both needed")
        index, columns = names_of(index_arg), names_of(columns_arg)
        if len(columns) != 1:
            raise NotConvertible("several columns= keys give MultiIndex columns")
        func = self._function(site.get(None, "aggfunc", None))
        bools = getattr(kind, "bools", frozenset())
        expr = aggregate(func, values, bools)
        drop = [*index, *columns, *([values] if func in MISSING_WHEN_EMPTY else [])]
        code = (
            f"{receiver}.dropna(subset=[{str_list(drop)}]).groupBy({str_list(index)})"
            f".pivot({py_str(columns[0])}).agg({expr})"
        )
        outcome, note = "converted", None
        fill = site.get(None, "fill_value", None)
        if fill is not None:
            value = fill.literal
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise NotConvertible(f"fill_value={fill.code}: only a number fills Spark's numeric pivot columns")
            code += f".na.fill({value!r})"
            if isinstance(value, float) and not value.is_integer():
                outcome, note = "partial", "Spark casts a fractional fill_value to integer result columns (counts, sums of integers)"
        if func in MISSING_FOR_ONE:
            outcome = "partial"
            note = f"{func} of a single value is missing: pandas drops index rows and pivot columns left with no value, Spark keeps them as nulls"
        code += f".orderBy({str_list(index)})"
        return Rewrite(code, Frame(sorted=True, keys=tuple(index)), outcome=outcome, note=note, uses=frozenset({"F"}))

    @staticmethod
    def _function(arg) -> str:
        if arg is None:
            return "mean"
        if arg.code in FUNCTION_NAMES:
            return FUNCTION_NAMES[arg.code]
        value = arg.literal_or(None)
        if isinstance(value, str):
            return value
        raise NotConvertible(f"aggfunc={arg.code}: one aggregation name is supported (a list or dict gives MultiIndex columns)")
