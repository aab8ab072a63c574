"""PS102 read-parquet."""

from nb2prod.convert.kinds import Frame
from nb2prod.convert.rules._base import CallSite, NotConvertible, Rewrite, Rule, names_of, register, str_list


@register
class ReadParquet(Rule):
    """Read Parquet with Spark.

    What it does:
        ``pd.read_parquet(path, columns=[...])`` becomes
        ``spark.read.parquet(path).select(...)``.

    Why:
        Parquet carries its schema, so Spark reads the same columns and types.
        A pandas index saved by ``to_parquet`` shows up in Spark as an ordinary
        ``__index_level_0__`` column.

    Example:
        Before: ``df = pd.read_parquet("events.parquet")``

        After: ``df = spark.read.parquet("events.parquet")``
    """

    code = "PS102"
    name = "read-parquet"
    receiver = "pandas"
    methods = ("read_parquet",)
    spark = "spark.read.parquet(path)"
    pandas_docs = "https://pandas.pydata.org/docs/reference/api/pandas.read_parquet.html"
    spark_docs = "https://spark.apache.org/docs/latest/sql-data-sources-parquet.html"

    def convert(self, site: CallSite) -> Rewrite:
        path = site.get(0, "path", None)
        if path is None:
            raise NotConvertible("no path given")
        site.kwargs.pop("path", None)
        site.only("columns", "engine", positional=1)
        code = f"spark.read.parquet({path.code})"
        columns = site.get(None, "columns", None)
        if columns is not None:
            code += f".select({str_list(names_of(columns))})"
        return Rewrite(code, Frame())
