"""PS147 rolling."""

from nb2prod.convert.kinds import Column, Rolling
from nb2prod.convert.rules._base import CallSite, NotConvertible, Rewrite, Rule, register
from nb2prod.convert.rules._window import window

AGGREGATES = {"mean": "F.avg", "sum": "F.sum", "min": "F.min", "max": "F.max"}


@register
class RollingWindow(Rule):
    """``rolling(n).mean()`` (and ``sum``, ``min``, ``max``) becomes a ROWS window over the sort order.

    What it does:
        On a DataFrame sorted with ``sort_values``, ``df["c"].rolling(n).mean()`` becomes
        ``F.when(F.count(c).over(w) >= n, F.avg(c).over(w))`` with
        ``w = Window.orderBy(...).rowsBetween(-(n - 1), Window.currentRow)``.

    Why:
        pandas gives a missing value until the window holds ``min_periods``
        (default ``n``) values that are not missing; the ``F.count`` guard does
        the same. Rows need an order: an unsorted DataFrame is not converted.

    Example:
        Before: ``daily["avg7"] = daily["flights"].rolling(7).mean()``

        After: ``daily = daily.withColumn("avg7", F.when(F.count(F.col("flights")).over(Window.orderBy(F.asc_nulls_last("day")).rowsBetween(-6, Window.currentRow)) >= 7, F.avg(F.col("flights")).over(Window.orderBy(F.asc_nulls_last("day")).rowsBetween(-6, Window.currentRow))))``
    """

    code = "PS147"
    name = "rolling"
    receiver = ("Series", "Rolling")
    methods = ("rolling", *AGGREGATES)
    spark = "F.avg(c).over(Window.orderBy(...).rowsBetween(-(n-1), 0)) with a count guard"
    pandas_docs = "https://pandas.pydata.org/docs/reference/api/pandas.Series.rolling.html"
    spark_docs = "https://spark.apache.org/docs/latest/api/python/reference/pyspark.sql/api/pyspark.sql.WindowSpec.rowsBetween.html"

    def convert(self, site: CallSite) -> Rewrite:
        if site.method == "rolling":
            if not isinstance(site.kind, Column):
                raise NotConvertible("rolling on a DataFrame has no rule yet")
            size = site.get(0, "window", None)
            site.kwargs.pop("window", None)
            site.only("min_periods", positional=1)
            n = size.literal if size is not None else None
            if not isinstance(n, int) or n < 1:
                raise NotConvertible("window must be a literal number of rows (time windows have no rule yet)")
            periods = site.get(None, "min_periods", None)
            kind = Rolling(site.kind, n, n if periods is None else periods.literal)
            return Rewrite("", kind)  # the aggregation that follows writes the Spark code
        if not isinstance(site.kind, Rolling):
            return None  # pragma: no cover - dispatch only sends Rolling here
        site.only()
        rolling: Rolling = site.kind
        column = site.receiver.rsplit(".rolling(", 1)[0]
        spec = f"{window(rolling.column.order)}.rowsBetween({-(rolling.window - 1)}, Window.currentRow)"
        code = f"F.when(F.count({column}).over({spec}) >= {rolling.min_periods}, {AGGREGATES[site.method]}({column}).over({spec}))"
        return Rewrite(code, Column(rolling.column.frame), uses=frozenset({"F", "Window"}))
