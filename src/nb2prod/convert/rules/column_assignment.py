"""PS106 column-assignment."""

from nb2prod.convert.rules._base import Rule, register


@register
class ColumnAssignment(Rule):
    """Assigning a column becomes ``withColumn`` and a reassignment.

    What it does:
        ``df["c"] = expr`` becomes ``df = df.withColumn("c", expr)``; a plain
        value becomes ``F.lit(value)``.

    Why:
        Spark DataFrames are immutable: every change returns a new DataFrame,
        so the name has to be bound again.

    Example:
        Before: ``flights["delayed"] = flights["arr_delay"] > 15``

        After: ``flights = flights.withColumn("delayed", F.col("arr_delay") > 15)``
    """

    code = "PS106"
    name = "column-assignment"
    receiver = "expression"
    methods = ("DataFrame.__setitem__",)
    spark = 'df = df.withColumn("c", expr)'
    pandas_docs = "https://pandas.pydata.org/docs/user_guide/indexing.html#basics"
    spark_docs = "https://spark.apache.org/docs/latest/api/python/reference/pyspark.sql/api/pyspark.sql.DataFrame.withColumn.html"
