"""PS136 groupby-transform."""

from nb2prod.convert.kinds import Column, Grouped
from nb2prod.convert.rules._base import CallSite, NotConvertible, Rewrite, Rule, str_list, register
from nb2prod.convert.rules.groupby_agg import aggregate


@register
class GroupByTransform(Rule):
    """``groupby(k)[v].transform("mean")`` becomes a window aggregate over the group.

    What it does:
        ``df.groupby("k")["v"].transform("mean")`` becomes
        ``F.avg("v").over(Window.partitionBy("k"))``, one value per row.

    Why:
        A grouped transform keeps every row; a Spark window partitioned by the
        keys computes the group's aggregate on each row without a join. pandas
        gives NaN for rows whose key is missing (``dropna=True``); Spark
        computes a null-key group: rows with a missing key get a value
        (partial).

    Example:
        Before: ``flights["carrier_mean"] = flights.groupby("carrier")["arr_delay"].transform("mean")``

        After: ``flights = flights.withColumn("carrier_mean", F.avg("arr_delay").over(Window.partitionBy("carrier")))``
    """

    code = "PS136"
    name = "groupby-transform"
    receiver = "GroupBy"
    methods = ("transform",)
    spark = "F.f(v).over(Window.partitionBy(keys))"
    status = "partial"
    pandas_docs = "https://pandas.pydata.org/docs/reference/api/pandas.core.groupby.DataFrameGroupBy.transform.html"
    spark_docs = "https://spark.apache.org/docs/latest/api/python/reference/pyspark.sql/api/pyspark.sql.Window.partitionBy.html"

    def convert(self, site: CallSite) -> Rewrite:
        grouped: Grouped = site.kind
        func = site.get(0, "func", None)
        site.kwargs.pop("func", None)
        site.only(positional=1)
        name = func.literal_or(None) if func is not None else None
        if not isinstance(name, str):
            raise NotConvertible("transform with a function needs a pandas UDF")
        if not grouped.single or not grouped.selection:
            raise NotConvertible("transform over several columns gives several columns")
        expr = aggregate(name, grouped.selection[0], grouped.bools)
        keys = str_list(list(grouped.keys))
        code = f"{expr}.over(Window.partitionBy({keys}))"
        kind = Column(grouped.frame)
        if grouped.dropna:
            return Rewrite(
                f"F.when({' & '.join(f'F.col({k!r}).isNotNull()'.replace(chr(39), chr(34)) for k in grouped.keys)}, {code})",
                kind, uses=frozenset({"F", "Window"}),
            )
        return Rewrite(code, kind, uses=frozenset({"F", "Window"}))
