"""PS133 round-half-even."""

from nb2prod.convert.kinds import Column
from nb2prod.convert.rules._base import CallSite, NotConvertible, Rewrite, Rule, register


@register
class RoundHalfEven(Rule):
    """``round(n)`` becomes ``F.bround``, pandas' rounding of halves to even.

    What it does:
        ``df["c"].round(2)`` becomes ``F.bround(F.col("c"), 2)``.

    Why:
        pandas (NumPy) rounds halves to the nearest even digit (2.5 -> 2.0);
        ``F.round`` rounds halves up (2.5 -> 3.0). ``F.bround`` matches pandas.

    Example:
        Before: ``routes["mean_delay"] = routes["mean_delay"].round(1)``

        After: ``routes = routes.withColumn("mean_delay", F.bround(F.col("mean_delay"), 1))``
    """

    code = "PS133"
    name = "round-half-even"
    receiver = "Series"
    methods = ("round",)
    spark = "F.bround(col, n)"
    pandas_docs = "https://pandas.pydata.org/docs/reference/api/pandas.Series.round.html"
    spark_docs = "https://spark.apache.org/docs/latest/api/python/reference/pyspark.sql/api/pyspark.sql.functions.bround.html"

    def convert(self, site: CallSite) -> Rewrite:
        decimals = site.get(0, "decimals", None)
        site.kwargs.pop("decimals", None)
        site.only(positional=1)
        n = 0 if decimals is None else decimals.literal
        if not isinstance(n, int):
            raise NotConvertible("decimals must be a literal integer")
        return Rewrite(f"F.bround({site.receiver}, {n})", Column(site.kind.frame), uses=frozenset({"F"}))
