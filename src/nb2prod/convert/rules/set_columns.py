"""PS155 set-columns."""

from nb2prod.convert.rules._base import Rule, register


@register
class SetColumns(Rule):
    """``df.columns = [...]`` renames every column by position.

    What it does:
        ``df.columns = names`` becomes ``df = df.toDF(*names)``.

    Why:
        pandas renames the columns in place, by position; a Spark DataFrame is
        immutable, and ``toDF`` returns a new one whose columns are renamed by
        position, the same meaning. Like pandas, Spark fails when the number of
        names differs from the number of columns.

    Example:
        Before: ``summary.columns = ["carrier", "mean_delay"]``

        After: ``summary = summary.toDF(*["carrier", "mean_delay"])``
    """

    code = "PS155"
    name = "set-columns"
    receiver = "expression"
    methods = ("DataFrame.columns = ...",)
    spark = "df.toDF(*names)"
    pandas_docs = "https://pandas.pydata.org/docs/reference/api/pandas.DataFrame.columns.html"
    spark_docs = "https://spark.apache.org/docs/latest/api/python/reference/pyspark.sql/api/pyspark.sql.DataFrame.toDF.html"
