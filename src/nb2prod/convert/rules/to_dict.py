"""PS161 labelled-series-to-dict."""

from nb2prod.convert.kinds import Frame, Scalar
from nb2prod.convert.rules._base import CallSite, NotConvertible, Rewrite, Rule, register, str_list


@register
class LabelledSeriesToDict(Rule):
    """``to_dict()`` of a Series whose labels Spark holds collects label -> value to the driver.

    What it does:
        A Series whose index is columns Spark has (``df["c"].value_counts()``,
        ``df.groupby("k")["v"].sum()``) becomes ``{row[0]: row[1] for row in
        counts.select("c", "count").collect()}``; with several index levels the key is the tuple
        of them, as pandas makes it. The rows come in the frame's order (``value_counts``' most
        frequent first), as pandas' dict keeps its order. Other ``to_dict`` calls (a DataFrame's,
        or a Series with pandas' row numbers as its index, which Spark has not) are not converted.

    Why:
        The notebook wants a Python dict (to print, or to look values up); Spark must bring the
        rows to the driver: fine for counts and group results, a memory risk on a large one.
        Reported as partial so the call site is reviewed.

    Example:
        Before: ``shares = df["gender"].value_counts().to_dict()``

        After: ``shares = {row[0]: row[1] for row in df.dropna(subset=["gender"]).groupBy("gender").count().orderBy(F.desc("count"), "gender").select("gender", "count").collect()}``
    """

    code = "PS161"
    name = "labelled-series-to-dict"
    receiver = "DataFrame"
    methods = ("to_dict",)
    spark = "{row[0]: row[1] for row in df.select(key, value).collect()}"
    status = "fallback"
    pandas_docs = "https://pandas.pydata.org/docs/reference/api/pandas.Series.to_dict.html"
    spark_docs = "https://spark.apache.org/docs/latest/api/python/reference/pyspark.sql/api/pyspark.sql.DataFrame.collect.html"

    def convert(self, site: CallSite) -> Rewrite:
        kind = site.kind
        if not isinstance(kind, Frame) or kind.series_col is None or not kind.keys:
            raise NotConvertible("to_dict() of a DataFrame, or of a Series without labels Spark holds (pandas' row numbers)")
        site.only()
        n = len(kind.keys)
        key = "row[0]" if n == 1 else f"tuple(row[:{n}])"
        selected = f"{site.receiver}.select({str_list([*kind.keys, kind.series_col])})"
        return Rewrite(
            f"{{{key}: row[{n}] for row in {selected}.collect()}}",
            Scalar(),
            outcome="partial",
            note="collects the series' labels and values to the driver: keep it to small results",
            tier="collect",
        )
