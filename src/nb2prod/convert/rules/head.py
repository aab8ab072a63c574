"""PS117 head."""

from nb2prod.convert.kinds import Frame
from nb2prod.convert.rules._base import CallSite, Rewrite, Rule, register


@register
class Head(Rule):
    """``head(n)`` becomes ``limit(n)``.

    What it does:
        ``df.head(n)`` (in code that keeps its result) becomes ``df.limit(n)``.

    Why:
        pandas returns the first n rows in row order. Spark rows have no order
        unless sorted: after ``orderBy`` (``sort_values``) ``limit`` gives the
        same rows; otherwise any n rows, reported as partial.

    Example:
        Before: ``top10 = by_carrier.sort_values("delay", ascending=False).head(10)``

        After: ``top10 = by_carrier.orderBy(F.desc_nulls_last("delay")).limit(10)``
    """

    code = "PS117"
    name = "head"
    receiver = "DataFrame"
    methods = ("head",)
    spark = "df.limit(n)"
    status = "partial"
    pandas_docs = "https://pandas.pydata.org/docs/reference/api/pandas.DataFrame.head.html"
    spark_docs = "https://spark.apache.org/docs/latest/api/python/reference/pyspark.sql/api/pyspark.sql.DataFrame.limit.html"

    def convert(self, site: CallSite) -> Rewrite:
        n = site.get(0, "n", None)
        site.kwargs.pop("n", None)
        site.only(positional=1)
        kind = site.kind if isinstance(site.kind, Frame) else Frame()
        code = f"{site.receiver}.limit({n.code if n is not None else 5})"
        if kind.sorted:
            return Rewrite(code, kind)
        return Rewrite(code, kind, outcome="partial", note="rows are not sorted: Spark returns any n rows")
