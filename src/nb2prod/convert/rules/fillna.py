"""PS115 fillna."""

from nb2prod.convert.kinds import Column, Frame
from nb2prod.convert.rules._base import CallSite, NotConvertible, Rewrite, Rule, register


@register
class FillNa(Rule):
    """``fillna`` becomes Spark's ``fillna`` or ``F.coalesce``.

    What it does:
        ``df.fillna(value)`` and ``df.fillna({"a": 0})`` become ``df.fillna(...)``;
        ``df["a"].fillna(v)`` becomes ``F.coalesce(F.col("a"), F.lit(v))``.

    Why:
        Spark's ``fillna`` only fills columns whose type matches the value
        (a number fills numeric columns, a string fills string columns);
        pandas would also put the value into columns of other types. With a
        per-column dict, as notebooks usually write it, both agree.
        ``method="ffill"`` needs row order and is not converted.

    Example:
        Before: ``flights = flights.fillna({"dep_delay": 0})``

        After: ``flights = flights.fillna({"dep_delay": 0})``
    """

    code = "PS115"
    name = "fillna"
    receiver = ("DataFrame", "Series")
    methods = ("fillna",)
    spark = "df.fillna(value | dict), F.coalesce(col, F.lit(value))"
    status = "partial"
    pandas_docs = "https://pandas.pydata.org/docs/reference/api/pandas.DataFrame.fillna.html"
    spark_docs = "https://spark.apache.org/docs/latest/api/python/reference/pyspark.sql/api/pyspark.sql.DataFrame.fillna.html"

    def convert(self, site: CallSite) -> Rewrite:
        value = site.get(0, "value", None)
        if value is None:
            raise NotConvertible("fillna without a value (method=...) needs row order")
        site.kwargs.pop("value", None)
        site.only(positional=1)
        if isinstance(site.kind, Column):
            inner = value.code if isinstance(value.kind, Column) else f"F.lit({value.code})"
            return Rewrite(f"F.coalesce({site.receiver}, {inner})", Column(site.kind.frame), uses=frozenset({"F"}))
        literal = value.literal
        kind = site.kind if isinstance(site.kind, Frame) else Frame()
        if isinstance(literal, dict):
            return Rewrite(f"{site.receiver}.fillna({value.code})", kind)
        return Rewrite(
            f"{site.receiver}.fillna({value.code})",
            kind,
            outcome="partial",
            note="Spark fills only the columns whose type matches the value",
        )
