"""PS114 dropna."""

from nb2prod.convert.kinds import Frame
from nb2prod.convert.rules._base import CallSite, NotConvertible, Rewrite, Rule, name_ref, names_of, register


@register
class DropNa(Rule):
    """``dropna`` becomes Spark's ``dropna`` with the same arguments.

    What it does:
        ``df.dropna(subset=..., how=..., thresh=...)`` becomes
        ``df.dropna(how=..., thresh=..., subset=[...])`` (a name with a dot quoted, as Spark
        resolves ``a.b`` as a struct field); ``df.dropna()`` with no subset becomes
        ``compat.dropna(df)``, which quotes every column name of the frame the same way (Spark's
        own ``dropna()`` fails on a column named ``area (sq. mi)``).

    Why:
        Spark's ``dropna`` (``na.drop``) treats NaN as missing as pandas does.
        Only row-wise dropping (``axis=0``) exists in Spark.

    Example:
        Before: ``flights = flights.dropna(subset=["arr_delay"])``

        After: ``flights = flights.dropna(subset=["arr_delay"])``

        Before: ``final = final.dropna()``

        After: ``final = compat.dropna(final)``
    """

    code = "PS114"
    name = "dropna"
    receiver = "DataFrame"
    methods = ("dropna",)
    spark = "df.dropna(how, thresh, subset)"
    pandas_docs = "https://pandas.pydata.org/docs/reference/api/pandas.DataFrame.dropna.html"
    spark_docs = "https://spark.apache.org/docs/latest/api/python/reference/pyspark.sql/api/pyspark.sql.DataFrame.dropna.html"

    def convert(self, site: CallSite) -> Rewrite:
        axis = site.get(None, "axis", None)
        if axis is not None and axis.literal not in (0, "index"):
            raise NotConvertible("dropping columns with missing values needs a scan of every column")
        site.kwargs.pop("axis", None)
        site.only("subset", "how", "thresh", "ignore_index")
        parts = []
        for key in ("how", "thresh"):
            arg = site.get(None, key, None)
            if arg is not None:
                parts.append(f"{key}={arg.code}")
        subset = site.get(None, "subset", None)
        kind = site.kind if isinstance(site.kind, Frame) else Frame()
        if subset is None:
            return Rewrite(f"compat.dropna({', '.join([site.receiver, *parts])})", kind, uses=frozenset({"compat"}))
        parts.append(f"subset=[{', '.join(name_ref(n) for n in names_of(subset))}]")
        return Rewrite(f"{site.receiver}.dropna({', '.join(parts)})", kind)
