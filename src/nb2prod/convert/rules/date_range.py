"""PS164 date-range."""

from nb2prod.convert.kinds import SPARK_KINDS
from nb2prod.convert.rules._base import CallSite, NotConvertible, Rewrite, Rule, register


@register
class DateRange(Rule):
    """``pd.date_range(...)`` is the notebook's own data: it stays pandas on the driver, said so.

    What it does:
        Nothing is rewritten: the call runs with its statement on the driver (the ``driver``
        tier, counted against readiness) with the reason "driver-side data", so that the report
        says it is by design, not a rule still to write.

    Why:
        ``pd.date_range`` makes a ``DatetimeIndex``: row labels for a Series or DataFrame the
        notebook builds (``index=pd.date_range(...)``, every such use in the development corpus)
        or example values. Spark has no index, and its nearest form,
        ``F.explode(F.sequence(start, stop, F.expr("INTERVAL 3 HOURS")))``, is a column of a
        DataFrame, with none of pandas' calendar frequencies (``"M"`` month ends, ``"B"``
        business days, ``"WOM-3FRI"``) and ``periods=`` only through the stop it implies. Small
        literal data may stay on the driver; it is then pandas code, reported so, never counted
        as converted.

    Example:
        Before: ``ts = pd.Series(values, index=pd.date_range("2000-01-01", periods=4, freq="M"))``

        After: the same statement, on the driver, marked ``# nb2prod: PS164 not converted, runs on the driver``
    """

    code = "PS164"
    name = "date-range"
    receiver = "pandas"
    methods = ("date_range", "bdate_range")
    spark = "none: the driver tier (F.sequence makes a column, not an index)"
    status = "fallback"
    pandas_docs = "https://pandas.pydata.org/docs/reference/api/pandas.date_range.html"
    spark_docs = "https://spark.apache.org/docs/latest/api/python/reference/pyspark.sql/api/pyspark.sql.functions.sequence.html"

    def convert(self, site: CallSite) -> Rewrite:
        if any(isinstance(a.kind, SPARK_KINDS) for a in (*site.args, *site.kwargs.values())):
            raise NotConvertible("dates from a Spark value make a pandas index, which Spark has not")
        raise NotConvertible("driver-side data: a range of dates the notebook makes stays a pandas index (Spark has no index)")
