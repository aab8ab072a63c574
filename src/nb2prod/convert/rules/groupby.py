"""PS108 groupby."""

from nb2prod.convert.kinds import Grouped
from nb2prod.convert.rules._base import CallSite, NotConvertible, Rewrite, Rule, names_of, register


@register
class GroupBy(Rule):
    """Record a ``groupby``; the Spark code is written by the aggregation that follows (PS109).

    What it does:
        ``df.groupby(keys, as_index=..., dropna=..., sort=...)`` is remembered
        with its keys and options. On its own it produces no Spark code.

    Why:
        A pandas GroupBy is lazy and so is Spark's ``groupBy``, but the
        pandas options (drop missing keys, sort keys) have to be applied
        around the aggregation.

    Example:
        Before: ``by_carrier = flights.groupby("carrier")["arr_delay"].mean()``

        After: see PS109.
    """

    code = "PS108"
    name = "groupby"
    receiver = "DataFrame"
    methods = ("groupby",)
    spark = "df.groupBy(keys)"
    pandas_docs = "https://pandas.pydata.org/docs/reference/api/pandas.DataFrame.groupby.html"
    spark_docs = "https://spark.apache.org/docs/latest/api/python/reference/pyspark.sql/api/pyspark.sql.DataFrame.groupBy.html"

    def convert(self, site: CallSite) -> Rewrite:
        keys = site.get(0, "by", None)
        if keys is None:
            raise NotConvertible("grouping by index level has no Spark equivalent")
        site.kwargs.pop("by", None)
        site.only("as_index", "dropna", "sort", "observed", positional=1)
        dropna = site.get(None, "dropna", None)
        sort = site.get(None, "sort", None)
        kind = Grouped(
            frame=site.receiver,
            keys=tuple(names_of(keys)),
            dropna=True if dropna is None else bool(dropna.literal),
            sort=True if sort is None else bool(sort.literal),
            bools=getattr(site.kind, "bools", frozenset()),
        )
        return Rewrite("", kind)
