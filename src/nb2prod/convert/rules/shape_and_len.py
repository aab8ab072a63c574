"""PS120 shape-and-len."""

from nb2prod.convert.rules._base import Rule, register


@register
class ShapeAndLen(Rule):
    """``df.shape`` and ``len(df)`` become counts.

    What it does:
        ``len(df)`` becomes ``df.count()``; ``df.shape`` becomes
        ``(df.count(), len(df.columns))``.

    Why:
        A Spark DataFrame does not know its row count until it is computed:
        ``count()`` runs a job over all the data, so keep these out of loops.

    Example:
        Before: ``print(flights.shape)``

        After: ``log.info("%s", (flights.count(), len(flights.columns)))``
    """

    code = "PS120"
    name = "shape-and-len"
    receiver = "expression"
    methods = ("DataFrame.shape", "len(DataFrame)")
    spark = "df.count(), len(df.columns)"
    pandas_docs = "https://pandas.pydata.org/docs/reference/api/pandas.DataFrame.shape.html"
    spark_docs = "https://spark.apache.org/docs/latest/api/python/reference/pyspark.sql/api/pyspark.sql.DataFrame.count.html"
