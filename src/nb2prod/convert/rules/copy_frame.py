"""PS158 copy-frame."""

from nb2prod.convert.kinds import Frame
from nb2prod.convert.rules._base import CallSite, Rewrite, Rule, register


@register
class CopyFrame(Rule):
    """``df.copy()`` is the DataFrame itself.

    What it does:
        ``df.copy()`` (deep or not) becomes ``df``.

    Why:
        pandas copies so that later in-place changes do not reach the
        original. A Spark DataFrame is immutable: every change makes a new
        DataFrame, so the original is never changed and no copy is needed (no
        data is copied, no job runs).

    Example:
        Before: ``clean = flights.copy()``

        After: ``clean = flights``
    """

    code = "PS158"
    name = "copy-frame"
    receiver = "DataFrame"
    methods = ("copy",)
    spark = "df (immutable)"
    pandas_docs = "https://pandas.pydata.org/docs/reference/api/pandas.DataFrame.copy.html"
    spark_docs = "https://spark.apache.org/docs/latest/api/python/reference/pyspark.sql/dataframe.html"

    def convert(self, site: CallSite) -> Rewrite:
        site.only("deep")
        kind = site.kind if isinstance(site.kind, Frame) else Frame()
        return Rewrite(site.receiver, kind)
