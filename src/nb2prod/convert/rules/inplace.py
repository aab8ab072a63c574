"""PS123 inplace-to-reassignment."""

from nb2prod.convert.rules._base import Rule, register


@register
class InplaceToReassignment(Rule):
    """``inplace=True`` becomes a reassignment.

    What it does:
        ``df.dropna(inplace=True)`` becomes ``df = df.dropna()`` (for any
        converted method called with ``inplace=True`` on a name).

    Why:
        Spark DataFrames are immutable; pandas itself is deprecating
        ``inplace``. The name is bound again to the new DataFrame.

    Example:
        Before: ``flights.dropna(subset=["arr_delay"], inplace=True)``

        After: ``flights = flights.dropna(subset=["arr_delay"])``
    """

    code = "PS123"
    name = "inplace-to-reassignment"
    receiver = "expression"
    methods = ("inplace=True",)
    spark = "df = df.method(...)"
    pandas_docs = "https://pandas.pydata.org/docs/user_guide/copy_on_write.html"
    spark_docs = "https://spark.apache.org/docs/latest/api/python/reference/pyspark.sql/dataframe.html"
