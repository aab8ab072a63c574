"""PS124 column-predicates."""

from nb2prod.convert.kinds import Column
from nb2prod.convert.rules._base import CallSite, NotConvertible, Rewrite, Rule, register

SPARK = {"isin": "isin", "between": "between", "isna": "isNull", "isnull": "isNull", "notna": "isNotNull", "notnull": "isNotNull"}


@register
class ColumnPredicates(Rule):
    """Series predicates become Column predicates.

    What it does:
        ``s.isin(values)`` becomes ``col.isin(values)``, ``s.between(a, b)``
        ``col.between(a, b)`` (``inclusive="neither"``, ``"left"``, ``"right"``
        become ``(col > a) & (col < b)`` and the like), ``s.isna()`` / ``isnull()`` ``col.isNull()``,
        ``s.notna()`` / ``notnull()`` ``col.isNotNull()``.

    Why:
        Same meaning on null. Differences: ``isna`` in pandas is also true for
        NaN in float columns, which Spark keeps apart from null (data read from
        CSV has null, not NaN); ``None`` in an ``isin`` list never matches null.
        Spark's ``between`` always includes both ends, pandas' only by default.

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
        kind = Column(site.kind.frame, dtype="bool")
        if site.method == "between":
            return Rewrite(self._between(site), kind)
        site.only(positional=1 if site.method == "isin" else 0)
        args = ", ".join(a.code for a in site.args)
        return Rewrite(f"{site.receiver}.{SPARK[site.method]}({args})", kind)

    @staticmethod
    def _between(site: CallSite) -> str:
        low, high = site.get(0, "left", None), site.get(1, "right", None)
        if low is None or high is None:
            raise NotConvertible("between() needs both bounds")
        inclusive = site.get(2, "inclusive", None)
        for key in ("left", "right", "inclusive"):
            site.kwargs.pop(key, None)
        site.only(positional=3)
        how = "both" if inclusive is None else inclusive.literal
        if how == "both":
            return f"{site.receiver}.between({low.code}, {high.code})"
        ops = {"neither": (">", "<"), "left": (">=", "<"), "right": (">", "<=")}
        if how not in ops:
            raise NotConvertible(f"inclusive={inclusive.code}")
        lo, hi = ops[how]
        return f"({site.receiver} {lo} {low.code}) & ({site.receiver} {hi} {high.code})"
