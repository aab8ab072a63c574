"""PS118 value-counts."""

from nb2prod.convert.kinds import Column, Frame
from nb2prod.convert.rules._base import CallSite, NotConvertible, Rewrite, Rule, py_str, register


@register
class ValueCounts(Rule):
    """``s.value_counts()`` becomes a grouped count sorted by frequency.

    What it does:
        ``df["c"].value_counts()`` becomes
        ``df.dropna(subset=["c"]).groupBy("c").count().orderBy(F.desc("count"), "c")``
        (a DataFrame with columns ``c`` and ``count``: what ``reset_index()``
        gives in pandas 2). ``normalize=True`` adds the share as ``proportion``.

    Why:
        pandas drops missing values (``dropna=True``) and sorts by count;
        Spark's ``groupBy().count()`` keeps a null group and has no order.
        pandas counts every category of a categorical (a ``pd.cut`` column),
        empty ones as 0, which a ``groupBy`` cannot see: not converted.

    Example:
        Before: ``counts = flights["origin"].value_counts()``

        After: ``counts = flights.dropna(subset=["origin"]).groupBy("origin").count().orderBy(F.desc("count"), "origin")``
    """

    code = "PS118"
    name = "value-counts"
    receiver = "Series"
    methods = ("value_counts",)
    spark = 'df.groupBy(c).count().orderBy(F.desc("count"))'
    pandas_docs = "https://pandas.pydata.org/docs/reference/api/pandas.Series.value_counts.html"
    spark_docs = "https://spark.apache.org/docs/latest/api/python/reference/pyspark.sql/api/pyspark.sql.GroupedData.count.html"

    def convert(self, site: CallSite) -> Rewrite:
        column: Column = site.kind
        if column.name is None or column.frame is None:
            raise NotConvertible("value_counts of a computed Series; assign it to a column first")
        if column.categories:
            # pandas counts every category of a categorical, empty bins included (count 0)
            raise NotConvertible("value_counts of a categorical (pd.cut) also lists its empty bins")
        site.only("normalize", "dropna", "sort", "ascending")
        name = py_str(column.name)
        dropna = site.get(None, "dropna", None)
        code = column.frame
        if dropna is None or dropna.literal is True:
            code += f".dropna(subset=[{name}])"
        code += f".groupBy({name}).count()"
        normalize = site.get(None, "normalize", None)
        value_col = "count"
        if normalize is not None and normalize.literal is True:
            code += '.withColumn("proportion", F.col("count") / F.sum("count").over(Window.partitionBy())).drop("count")'
            value_col = "proportion"
        ascending = site.get(None, "ascending", None)
        order = "asc" if ascending is not None and ascending.literal is True else "desc"
        code += f'.orderBy(F.{order}("{value_col}"), {name})'
        kind = Frame(sorted=True, keys=(column.name,), series_col=value_col)
        uses = {"F", "Window"} if value_col == "proportion" else {"F"}
        return Rewrite(code, kind, uses=frozenset(uses))
