"""PS135 nlargest."""

from nb2prod.convert.kinds import Frame
from nb2prod.convert.rules._base import CallSite, NotConvertible, Rewrite, Rule, names_of, py_str, register


@register
class NLargest(Rule):
    """``nlargest(n, columns)`` / ``nsmallest`` become ``orderBy(...).limit(n)``.

    What it does:
        ``df.nlargest(10, "c")`` becomes ``df.orderBy(F.desc_nulls_last("c")).limit(10)``.

    Why:
        Spark has no top-n method; sorting then limiting is planned as a
        top-k without a full sort. pandas leaves missing values out of the
        ranking; with nulls last they are taken only if fewer than n values
        exist (partial difference, rarely seen). Ties at the boundary: pandas
        keeps the first in row order (``keep="first"``), Spark any of them.

    Example:
        Before: ``top = routes.nlargest(10, "mean_arr_delay")``

        After: ``top = routes.orderBy(F.desc_nulls_last("mean_arr_delay")).limit(10)``
    """

    code = "PS135"
    name = "nlargest"
    receiver = "DataFrame"
    methods = ("nlargest", "nsmallest")
    spark = "df.orderBy(F.desc_nulls_last(c)).limit(n)"
    pandas_docs = "https://pandas.pydata.org/docs/reference/api/pandas.DataFrame.nlargest.html"
    spark_docs = "https://spark.apache.org/docs/latest/api/python/reference/pyspark.sql/api/pyspark.sql.DataFrame.limit.html"

    def convert(self, site: CallSite) -> Rewrite:
        n = site.get(0, "n", None)
        columns = site.get(1, "columns", None)
        for key in ("n", "columns"):
            site.kwargs.pop(key, None)
        site.only(positional=2)
        if n is None or columns is None:
            raise NotConvertible("needs n and columns")
        order = "desc" if site.method == "nlargest" else "asc"
        keys = ", ".join(f"F.{order}_nulls_last({py_str(c)})" for c in names_of(columns))
        kind = site.kind if isinstance(site.kind, Frame) else Frame()
        return Rewrite(f"{site.receiver}.orderBy({keys}).limit({n.code})", Frame(sorted=True, bools=kind.bools), uses=frozenset({"F"}))
