"""PS157 dataframe-constructor."""

from nb2prod.convert.kinds import SPARK_KINDS, Driver, Frame, Unknown
from nb2prod.convert.rules._base import CallSite, NotConvertible, Rewrite, Rule, register


@register
class DataFrameConstructor(Rule):
    """A DataFrame built from Python data becomes a Spark DataFrame where it is built.

    What it does:
        ``pd.DataFrame(data, columns=...)`` becomes
        ``compat.from_pandas(spark, pd.DataFrame(data, columns=...))``: pandas
        builds the frame from the notebook's literal data on the driver, and
        Spark takes it from there, so later operations on it convert.

    Why:
        Notebooks build small lookup tables and examples by hand. Left as pandas,
        every later operation on them would run on the driver, and a join with a
        Spark DataFrame would need a collect. ``compat.from_pandas`` keeps
        pandas' meaning (missing values become null, categoricals their values).
        Not converted: an empty frame (Spark cannot infer a schema from no
        rows), an ``index=`` (labels Spark has not), and a frame built from
        another DataFrame or Series the pipeline holds.

    Example:
        Before: ``lookup = pd.DataFrame({"carrier": ["UA", "AA"], "name": ["United", "American"]})``

        After: ``lookup = compat.from_pandas(spark, pd.DataFrame({"carrier": ["UA", "AA"], "name": ["United", "American"]}))``
    """

    code = "PS157"
    name = "dataframe-constructor"
    receiver = "pandas"
    methods = ("DataFrame",)
    spark = "spark.createDataFrame(pandas_df)"
    pandas_docs = "https://pandas.pydata.org/docs/reference/api/pandas.DataFrame.html"
    spark_docs = "https://spark.apache.org/docs/latest/api/python/reference/pyspark.sql/api/pyspark.sql.SparkSession.createDataFrame.html"

    def convert(self, site: CallSite) -> Rewrite:
        if not site.args and "data" not in site.kwargs:
            raise NotConvertible("an empty DataFrame has no schema for Spark to take")
        if "index" in site.kwargs:
            raise NotConvertible("index= gives row labels, which Spark has not")
        if any(isinstance(a.kind, (*SPARK_KINDS, Driver, Unknown)) for a in (*site.args, *site.kwargs.values())):
            raise NotConvertible("built from a DataFrame or Series the pipeline holds")
        arguments = ", ".join([*(a.code for a in site.args), *(f"{k}={a.code}" for k, a in site.kwargs.items())])
        return Rewrite(f"compat.from_pandas(spark, {site.function}({arguments}))", Frame(), uses=frozenset({"compat", "from_pandas"}))
