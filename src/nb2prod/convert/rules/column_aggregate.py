"""PS122 column-aggregate."""

from nb2prod.convert.kinds import Column, Scalar
from nb2prod.convert.rules._base import CallSite, NotConvertible, Rewrite, Rule, register
from nb2prod.convert.rules.groupby_agg import aggregate


@register
class ColumnAggregate(Rule):
    """An aggregate of one column becomes a Spark aggregation and a Python value.

    What it does:
        ``df["x"].mean()`` (and ``sum``, ``count``, ``min``, ``max``,
        ``median``, ``std``, ``var``, ``nunique``) becomes
        ``df.agg(F.avg("x")).first()[0]``.

    Why:
        The notebook uses the result as a number (in a threshold, a print);
        Spark computes it as a one-row DataFrame that the driver then reads.
        ``sum`` of no values is 0 as in pandas.

    Example:
        Before: ``mean_delay = flights["arr_delay"].mean()``

        After: ``mean_delay = flights.agg(F.avg("arr_delay")).first()[0]``
    """

    code = "PS122"
    name = "column-aggregate"
    receiver = "Series"
    methods = ("sum", "mean", "count", "min", "max", "median", "std", "var", "nunique")
    spark = "df.agg(F.f(col)).first()[0]"
    pandas_docs = "https://pandas.pydata.org/docs/reference/api/pandas.Series.mean.html"
    spark_docs = "https://spark.apache.org/docs/latest/api/python/reference/pyspark.sql/api/pyspark.sql.DataFrame.agg.html"

    def convert(self, site: CallSite) -> Rewrite:
        column: Column = site.kind
        if column.name is None or column.frame is None:
            raise NotConvertible("aggregate of a computed Series; assign it to a column first")
        site.only("skipna", "numeric_only")
        bools = frozenset({column.name}) if column.dtype == "bool" else frozenset()
        expr = aggregate(site.method, column.name, bools)
        return Rewrite(f"{column.frame}.agg({expr}).first()[0]", Scalar(), uses=frozenset({"F"}))
