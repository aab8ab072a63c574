"""PS130 dt-accessor."""

from nb2prod.convert.kinds import Accessor, Column
from nb2prod.convert.rules._base import CallSite, NotConvertible, Rewrite, Rule, register
from nb2prod.convert.rules.to_datetime import java_pattern

PARTS = {
    "year": "F.year({c})",
    "month": "F.month({c})",
    "day": "F.dayofmonth({c})",
    "hour": "F.hour({c})",
    "minute": "F.minute({c})",
    "second": "F.second({c})",
    "quarter": "F.quarter({c})",
    "dayofweek": "F.weekday({c})",
    "weekday": "F.weekday({c})",
    "dayofyear": "F.dayofyear({c})",
    "date": "F.to_date({c})",
}


@register
class DtAccessor(Rule):
    """``Series.dt`` fields become Spark date functions.

    What it does:
        ``s.dt.year`` / ``month`` / ``day`` / ``hour`` / ``minute`` / ``second``
        / ``quarter`` / ``dayofyear`` / ``date`` become ``F.year`` ... ``F.to_date``;
        ``s.dt.dayofweek`` (and ``weekday``) becomes ``F.weekday`` (Monday=0);
        ``s.dt.strftime(fmt)`` becomes ``F.date_format(c, pattern)``.

    Why:
        ``F.dayofweek`` counts Sunday=1..Saturday=7, pandas Monday=0..Sunday=6:
        ``F.weekday`` matches pandas. ``strftime`` directives become Java
        patterns.

    Example:
        Before: ``weather["month"] = weather["time_hour"].dt.month``

        After: ``weather = weather.withColumn("month", F.month(F.col("time_hour")))``
    """

    code = "PS130"
    name = "dt-accessor"
    receiver = "Series.dt"
    methods = ("strftime",)
    properties = tuple(PARTS)
    spark = "F.year, F.month, F.dayofmonth, F.hour, F.weekday, F.to_date, F.date_format"
    pandas_docs = "https://pandas.pydata.org/docs/reference/series.html#datetimelike-properties"
    spark_docs = "https://spark.apache.org/docs/latest/api/python/reference/pyspark.sql/functions.html#date-and-timestamp-functions"

    def convert(self, site: CallSite) -> Rewrite:
        accessor: Accessor = site.kind
        column = site.receiver.rsplit(".dt", 1)[0]
        frame = accessor.column.frame
        if site.method == "strftime":
            fmt = site.get(0, "date_format", None)
            site.kwargs.pop("date_format", None)
            site.only(positional=1)
            if fmt is None:
                raise NotConvertible("no format")
            pattern = java_pattern(fmt.literal)
            return Rewrite(f'F.date_format({column}, "{pattern}")', Column(frame, dtype="str"), uses=frozenset({"F"}))
        return Rewrite(PARTS[site.method].format(c=column), Column(frame), uses=frozenset({"F"}))
