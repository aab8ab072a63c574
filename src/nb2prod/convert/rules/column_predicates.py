"""PS124 column-predicates."""

from nb2prod.convert.kinds import Column
from nb2prod.convert.rules._base import CallSite, Rewrite, Rule, register

SPARK = {"isin": "isin", "between": "between", "isna": "isNull", "isnull": "isNull", "notna": "isNotNull", "notnull": "isNotNull"}


@register
class ColumnPredicates(Rule):
    """Series predicates become Column predicates.

    What it does:
        ``s.isin(values)`` becomes ``col.isin(values)``, ``s.between(a, b)``
        ``col.between(a, b)``, ``s.isna()`` / ``isnull()`` ``col.isNull()``,
        ``s.notna()`` / ``notnull()`` ``col.isNotNull()``.

    Why:
        Same meaning on null. Differences: ``isna`` in pandas is also true for
        NaN in float columns, which Spark keeps apart from null (data read from
        CSV has null, not NaN); ``None`` in an ``isin`` list never matches null.

    Example:
        Before: ``ny = flights[flights["origin"].isin(["JFK", "LGA"])]``

        After: ``ny = flights.filter(F.col("origin").isin(["JFK", "LGA"]))``
    """

    code = "PS124"
    name = "column-predicates"
    receiver = "Series"
    methods = tuple(SPARK)
    spark = "col.isin / between / isNull / isNotNull"
    pandas_docs = "https://pandas.pydata.org/docs/reference/api/pandas.Series.isin.html"
    spark_docs = "https://spark.apache.org/docs/latest/api/python/reference/pyspark.sql/api/pyspark.sql.Column.isin.html"

    def convert(self, site: CallSite) -> Rewrite:
        site.only("inclusive", positional=2)
        args = ", ".join(a.code for a in site.args)
        return Rewrite(f"{site.receiver}.{SPARK[site.method]}({args})", Column(site.kind.frame, dtype="bool"))
