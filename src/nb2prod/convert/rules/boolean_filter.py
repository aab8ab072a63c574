"""PS105 boolean-filter."""

from nb2prod.convert.rules._base import Rule, register


@register
class BooleanFilter(Rule):
    """A boolean mask becomes ``filter``, keeping pandas' treatment of missing values.

    What it does:
        ``df[mask]`` becomes ``df.filter(mask)``. Inside the mask, ``a != b``
        becomes ``~(a).eqNullSafe(b)`` and ``~m`` becomes
        ``~F.coalesce(m, F.lit(False))``.

    Why:
        In pandas a comparison with a missing value is False, so
        ``df[df.c != "x"]`` keeps rows where ``c`` is missing and ``~(df.a > 1)``
        keeps rows where ``a`` is missing. In Spark both comparisons are null
        and ``filter`` drops the row. ``<``, ``>``, ``==``, ``&`` and ``|`` already
        agree once null is read as False.

    Example:
        Before: ``late = flights[flights["carrier"] != "UA"]``

        After: ``late = flights.filter(~(F.col("carrier")).eqNullSafe("UA"))``
    """

    code = "PS105"
    name = "boolean-filter"
    receiver = "expression"
    methods = ("DataFrame.__getitem__(mask)",)
    spark = "df.filter(condition)"
    pandas_docs = "https://pandas.pydata.org/docs/user_guide/indexing.html#boolean-indexing"
    spark_docs = "https://spark.apache.org/docs/latest/api/python/reference/pyspark.sql/api/pyspark.sql.DataFrame.filter.html"
