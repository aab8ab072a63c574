"""PS103 read-json."""

from nb2prod.convert.kinds import Frame
from nb2prod.convert.rules._base import CallSite, NotConvertible, Rewrite, Rule, register


@register
class ReadJson(Rule):
    """Read JSON with Spark, in the layout pandas expects.

    What it does:
        ``pd.read_json(path, lines=True)`` becomes ``spark.read.json(path)``;
        without ``lines=True`` it becomes ``spark.read.json(path, multiLine=True)``.

    Why:
        Spark reads JSON Lines (one object per line) by default, while pandas
        by default reads one JSON document holding an array of records.

    Example:
        Before: ``events = pd.read_json("events.json")``

        After: ``events = spark.read.json("events.json", multiLine=True)``
    """

    code = "PS103"
    name = "read-json"
    receiver = "pandas"
    methods = ("read_json",)
    spark = "spark.read.json(path[, multiLine=True])"
    pandas_docs = "https://pandas.pydata.org/docs/reference/api/pandas.read_json.html"
    spark_docs = "https://spark.apache.org/docs/latest/sql-data-sources-json.html"

    def convert(self, site: CallSite) -> Rewrite:
        path = site.get(0, "path_or_buf", None)
        if path is None:
            raise NotConvertible("no path given")
        site.kwargs.pop("path_or_buf", None)
        site.only("lines", "orient", positional=1)
        orient = site.get(None, "orient", None)
        if orient is not None and orient.literal not in ("records",):
            raise NotConvertible(f"orient={orient.code} has no Spark reader")
        lines = site.get(None, "lines", None)
        if lines is not None and lines.literal is True:
            return Rewrite(f"spark.read.json({path.code})", Frame())
        return Rewrite(f"spark.read.json({path.code}, multiLine=True)", Frame())
