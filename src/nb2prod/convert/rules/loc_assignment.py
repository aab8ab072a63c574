"""PS134 loc-assignment."""

from nb2prod.convert.rules._base import Rule, register


@register
class LocAssignment(Rule):
    """``df.loc[mask, "c"] = v`` becomes a conditional ``withColumn``.

    What it does:
        ``df.loc[mask, "c"] = v`` becomes
        ``df = df.withColumn("c", F.when(mask, v).otherwise(F.col("c")))``; so does
        the chained assignment ``df["c"][mask] = v``, which pandas' copy-on-write
        turns into a silent no-op, written as the update it was meant to be.

    Why:
        Spark DataFrames are immutable and have no row labels; a conditional
        expression rewrites the column. Rows where the mask is missing keep
        their value, as in pandas (a missing comparison is False).

    Example:
        Before: ``flights.loc[flights["dep_delay"] < 0, "dep_delay"] = 0``

        After: ``flights = flights.withColumn("dep_delay", F.when(F.col("dep_delay") < 0, F.lit(0)).otherwise(F.col("dep_delay")))``
    """

    code = "PS134"
    name = "loc-assignment"
    receiver = "expression"
    methods = ("DataFrame.loc.__setitem__",)
    spark = 'df.withColumn(c, F.when(mask, v).otherwise(F.col(c)))'
    pandas_docs = "https://pandas.pydata.org/docs/user_guide/indexing.html#boolean-indexing"
    spark_docs = "https://spark.apache.org/docs/latest/api/python/reference/pyspark.sql/api/pyspark.sql.functions.when.html"
