"""PS156 load-dataset-from-pandas."""

from nb2prod.convert.kinds import Frame
from nb2prod.convert.rules._base import CallSite, Rewrite, Rule, register


@register
class LoadDataset(Rule):
    """Data that a library loads as pandas becomes a Spark DataFrame where it is loaded.

    What it does:
        ``sns.load_dataset(name)`` becomes
        ``compat.from_pandas(spark, sns.load_dataset(name))``, and later pandas
        code on it is converted like code on a ``read_csv`` result.

    Why:
        seaborn's example datasets (and data loaders like it) return a pandas
        DataFrame; left as it is, every later operation on it would be pandas on
        the driver. ``compat.from_pandas`` keeps pandas' meaning on the way in: a
        named index becomes columns, categorical columns their values, and
        missing values (NaN, None, NaT) null. It is still loaded on the driver, so
        it suits small reference data; for large data read a file. One
        difference: a categorical's own order is not kept (Spark sorts the
        values, so seaborn's ``day`` sorts Fri, Sat, Sun, Thur, not Thur first).

    Example:
        Before: ``tips = sns.load_dataset("tips")``

        After: ``tips = compat.from_pandas(spark, sns.load_dataset("tips"))``
    """

    code = "PS156"
    name = "load-dataset-from-pandas"
    receiver = "seaborn"
    methods = ("load_dataset",)
    spark = "spark.createDataFrame(pandas_df)"
    pandas_docs = "https://seaborn.pydata.org/generated/seaborn.load_dataset.html"
    spark_docs = "https://spark.apache.org/docs/latest/api/python/reference/pyspark.sql/api/pyspark.sql.SparkSession.createDataFrame.html"

    def convert(self, site: CallSite) -> Rewrite:
        arguments = ", ".join([*(a.code for a in site.args), *(f"{k}={a.code}" for k, a in site.kwargs.items())])
        return Rewrite(f"compat.from_pandas(spark, {site.function}({arguments}))", Frame(), uses=frozenset({"compat", "from_pandas"}))
