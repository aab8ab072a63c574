"""PS104 select-columns."""

from nb2prod.convert.rules._base import Rule, register


@register
class SelectColumns(Rule):
    """Column selection becomes ``select`` and column references ``F.col``.

    What it does:
        ``df[["a", "b"]]`` becomes ``df.select("a", "b")``; ``df["a"]`` inside
        an expression becomes ``F.col("a")``.

    Why:
        Spark DataFrames have no item access by list; ``select`` is the native
        form. Spark column names are case-insensitive by default, pandas' are not.

    Example:
        Before: ``small = flights[["carrier", "arr_delay"]]``

        After: ``small = flights.select("carrier", "arr_delay")``
    """

    code = "PS104"
    name = "select-columns"
    receiver = "expression"
    methods = ("DataFrame.__getitem__",)
    spark = 'df.select("a", "b"), F.col("a")'
    pandas_docs = "https://pandas.pydata.org/docs/user_guide/indexing.html#basics"
    spark_docs = "https://spark.apache.org/docs/latest/api/python/reference/pyspark.sql/api/pyspark.sql.DataFrame.select.html"
