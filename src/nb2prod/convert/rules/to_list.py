"""PS137 collect-column."""

from nb2prod.convert.kinds import Column, Scalar
from nb2prod.convert.rules._base import CallSite, NotConvertible, Rewrite, Rule, py_str, register


@register
class CollectColumn(Rule):
    """``s.tolist()`` / ``s.to_list()`` / ``s.unique()`` collect the column's values to the driver.

    What it does:
        ``df["c"].tolist()`` becomes ``[row[0] for row in df.select("c").collect()]``;
        ``df["c"].unique()`` collects ``df.select("c").distinct()``.

    Why:
        The notebook wants a Python list (to print, loop over, or pass on).
        Spark must bring the values to the driver: fine after a filter or an
        aggregation, a memory risk on a large table. Reported as partial so the
        call site is reviewed; pandas' ``unique`` keeps first-seen order, the
        Spark list has no particular order.

    Example:
        Before: ``missing = unknown["dest"].tolist()``

        After: ``missing = [row[0] for row in unknown.select("dest").collect()]``
    """

    code = "PS137"
    name = "collect-column"
    receiver = "Series"
    methods = ("tolist", "to_list", "unique")
    spark = "[row[0] for row in df.select(c).collect()]"
    status = "fallback"
    pandas_docs = "https://pandas.pydata.org/docs/reference/api/pandas.Series.tolist.html"
    spark_docs = "https://spark.apache.org/docs/latest/api/python/reference/pyspark.sql/api/pyspark.sql.DataFrame.collect.html"

    def convert(self, site: CallSite) -> Rewrite:
        column: Column = site.kind
        if column.name is None or column.frame is None:
            raise NotConvertible("a computed Series; assign it to a column first")
        site.only()
        selected = f"{column.frame}.select({py_str(column.name)})"
        if site.method == "unique":
            selected += ".distinct()"
        return Rewrite(
            f"[row[0] for row in {selected}.collect()]",
            Scalar(),
            outcome="partial",
            note="collects the column's values to the driver: keep it to small results",
            tier="collect",
        )
