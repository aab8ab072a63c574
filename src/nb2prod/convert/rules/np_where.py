"""PS126 np-where."""

from nb2prod.convert.kinds import Column, column_code
from nb2prod.convert.rules._base import CallSite, NotApplicable, NotConvertible, Rewrite, Rule, register


@register
class NpWhere(Rule):
    """``np.where(condition, a, b)`` on columns becomes ``F.when(condition, a).otherwise(b)``.

    What it does:
        When the condition is a column expression, ``np.where(cond, a, b)``
        becomes ``F.when(cond, a).otherwise(b)``; plain values become ``F.lit``.

    Why:
        ``np.where`` evaluates on the driver's arrays; Spark needs a column
        expression. A missing value in the condition is False in pandas and
        null in Spark; both pick ``b``.

    Example:
        Before: ``flights["status"] = np.where(flights["arr_delay"] > 15, "late", "on time")``

        After: ``flights = flights.withColumn("status", F.when(F.col("arr_delay") > 15, F.lit("late")).otherwise(F.lit("on time")))``
    """

    code = "PS126"
    name = "np-where"
    receiver = "numpy"
    methods = ("where",)
    spark = "F.when(cond, a).otherwise(b)"
    pandas_docs = "https://numpy.org/doc/stable/reference/generated/numpy.where.html"
    spark_docs = "https://spark.apache.org/docs/latest/api/python/reference/pyspark.sql/api/pyspark.sql.functions.when.html"

    def convert(self, site: CallSite) -> Rewrite:
        if len(site.args) != 3 or site.kwargs:
            raise NotConvertible("np.where needs (condition, a, b)")
        condition, a, b = site.args
        if not isinstance(condition.kind, Column):
            raise NotApplicable("the condition is not a column expression")
        frame = condition.kind.frame
        code = f"F.when({condition.code}, {column_code(a.code, a.kind)}).otherwise({column_code(b.code, b.kind)})"
        return Rewrite(code, Column(frame), uses=frozenset({"F"}))
