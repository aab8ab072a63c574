"""PS153 resample."""

from __future__ import annotations

from nb2prod.convert.kinds import Frame, Grouped
from nb2prod.convert.rules._base import CallSite, NotConvertible, Rewrite, Rule, py_str, register

#: pandas offset alias -> Spark date_trunc unit, for bins labelled by their start (pandas' default for these)
UNITS = {
    "D": "day",
    "h": "hour",
    "H": "hour",
    "min": "minute",
    "T": "minute",
    "s": "second",
    "S": "second",
    "MS": "month",
    "QS": "quarter",
    "QS-JAN": "quarter",
    "YS": "year",
    "AS": "year",
    "YS-JAN": "year",
    "AS-JAN": "year",
}


@register
class Resample(Rule):
    """``df.resample(rule, on="ts")`` becomes a grouping by ``F.date_trunc(unit, ts)``; the aggregation after it is PS109's.

    What it does:
        ``df.resample("D", on="ts")["v"].sum()`` becomes
        ``df.withColumn("ts", F.date_trunc("day", F.col("ts"))).dropna(subset=["ts"]).groupBy("ts").agg(...).orderBy("ts")``:
        the resample records a grouping of the truncated timestamp (as ``groupby``
        does) and the aggregation that follows (``sum``, ``mean``, ``agg``, ``size``...)
        is written by PS109. Rules ``D``, ``h``, ``min``, ``s``, ``MS``, ``QS``, ``YS``
        (bins labelled by their start, pandas' default for these).

    Why:
        A resample bin is the set of rows whose timestamp truncates to the bin's
        start, which is what ``date_trunc`` computes (in the session time zone);
        pandas sorts the bins and drops missing timestamps, as PS109 does for keys.
        pandas also creates every empty bin between the first and the last one
        (``sum``/``count``/``size`` 0, ``mean`` NaN); Spark only has bins that hold
        rows: partial. Multiples (``"2D"``), week and end-labelled rules (``W``,
        ``M``/``ME``, ``Q``, ``Y``), ``closed``/``label``/``origin``/``offset``, and
        resampling on an index nb2prod does not know as one column are not converted;
        on an index set from a column (``set_index("ts").resample("D")``, PS159) the
        bins are that column's.

    Example:
        Before: ``daily = flights.resample("D", on="time_hour")["dep_delay"].mean().reset_index()``

        After: ``daily = flights.withColumn("time_hour", F.date_trunc("day", F.col("time_hour"))).dropna(subset=["time_hour"]).groupBy("time_hour").agg(F.avg("dep_delay").alias("dep_delay")).orderBy("time_hour")``
    """

    code = "PS153"
    name = "resample"
    receiver = "DataFrame"
    methods = ("resample",)
    spark = 'df.withColumn(ts, F.date_trunc(unit, ts)).groupBy(ts).agg(...)'
    status = "partial"
    pandas_docs = "https://pandas.pydata.org/docs/reference/api/pandas.DataFrame.resample.html"
    spark_docs = "https://spark.apache.org/docs/latest/api/python/reference/pyspark.sql/api/pyspark.sql.functions.date_trunc.html"

    def convert(self, site: CallSite) -> Rewrite:
        rule = site.get(0, "rule", None)
        site.kwargs.pop("rule", None)
        on = site.get(None, "on", None)
        site.kwargs.pop("on", None)
        site.only(positional=1)
        kind = site.kind if isinstance(site.kind, Frame) else Frame()
        if on is None:
            if len(kind.keys) != 1:
                raise NotConvertible("resample on the index: Spark has no index; use resample(rule, on=column)")
            column = kind.keys[0]  # set_index("time_hour").resample("D"): the index is that column
        else:
            column = on.literal_or(None)
        if not isinstance(column, str):
            raise NotConvertible(f"on={on.code} is not a column name")
        alias = rule.literal_or(None) if rule is not None else None
        if alias not in UNITS:
            raise NotConvertible(f"rule {rule.code if rule else None}: only D, h, min, s, MS, QS, YS map to date_trunc")
        col = py_str(column)
        frame = f"{site.receiver}.withColumn({col}, F.date_trunc({py_str(UNITS[alias])}, F.col({col})))"
        grouped = Grouped(frame=frame, keys=(column,), bools=kind.bools)
        note = "pandas also makes the empty bins between the first and last (0 for sum/count/size, NaN for mean); Spark only has bins with rows"
        return Rewrite(frame, grouped, outcome="partial", note=note, uses=frozenset({"F"}))
