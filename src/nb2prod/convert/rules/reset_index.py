"""PS121 reset-index."""

from nb2prod.convert.kinds import Frame
from nb2prod.convert.rules._base import CallSite, NotConvertible, Rewrite, Rule, py_str, register, str_list


@register
class ResetIndex(Rule):
    """``reset_index()`` after an aggregation needs no Spark code.

    What it does:
        After ``groupby(...).agg(...)`` or ``value_counts()`` the group keys are
        already columns in Spark, so ``reset_index()`` disappears;
        ``reset_index(name="n")`` on a Series renames its value column;
        ``reset_index(drop=True)`` drops the key columns.

    Why:
        Spark DataFrames have no index. Where pandas holds group keys in the
        index, the converted code holds them as columns from the start.
        ``reset_index()`` elsewhere would add a row-number column, which
        depends on row order: not converted.

    Example:
        Before: ``sizes = flights.groupby("carrier").size().reset_index(name="n")``

        After: ``sizes = flights.dropna(subset=["carrier"]).groupBy("carrier").agg(F.count(F.lit(1)).alias("0")).orderBy("carrier").withColumnRenamed("0", "n")``
    """

    code = "PS121"
    name = "reset-index"
    receiver = "DataFrame"
    methods = ("reset_index",)
    spark = "(nothing: keys are columns) / withColumnRenamed"
    pandas_docs = "https://pandas.pydata.org/docs/reference/api/pandas.Series.reset_index.html"
    spark_docs = "https://spark.apache.org/docs/latest/api/python/reference/pyspark.sql/api/pyspark.sql.DataFrame.withColumnRenamed.html"

    def convert(self, site: CallSite) -> Rewrite:
        kind = site.kind
        if not isinstance(kind, Frame) or not kind.keys:
            raise NotConvertible("reset_index() outside an aggregation adds a row-order column")
        site.only("name", "drop")
        drop = site.get(None, "drop", None)
        result = Frame(sorted=kind.sorted, bools=kind.bools, order=kind.order, categories=kind.categories)
        if drop is not None and drop.literal is True:
            if site.get(None, "name", None) is not None:
                raise NotConvertible("reset_index(drop=True, name=...)")
            # pandas throws the keys (the index) away; in Spark they are columns
            return Rewrite(f"{site.receiver}.drop({str_list(list(kind.keys))})", result)
        name = site.get(None, "name", None)
        if name is not None:
            if kind.series_col is None:
                raise NotConvertible("name= applies to a Series only")
            return Rewrite(f"{site.receiver}.withColumnRenamed({py_str(kind.series_col)}, {name.code})", result)
        return Rewrite(site.receiver, result)
