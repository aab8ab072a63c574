"""PS131 cut."""

from nb2prod.convert.kinds import Column
from nb2prod.convert.rules._base import CallSite, NotConvertible, Rewrite, Rule, lit, register


@register
class Cut(Rule):
    """``pd.cut(column, bins, labels)`` with explicit edges becomes a ``F.when`` chain.

    What it does:
        ``pd.cut(df["c"], bins=[0, 10, 20], labels=["low", "high"])`` becomes
        ``F.when((c > 0) & (c <= 10), "low").when((c > 10) & (c <= 20), "high")``;
        without ``labels`` the label is pandas' interval text ``"(0, 10]"``.

    The result is an ordered categorical in pandas: a later sort or ``groupby``
    on the column puts the labels in bin order (``"short"`` before ``"long"``),
    so the column's kind carries the labels and those rules sort by the label's
    position (``F.array_position``), not alphabetically.

    Why:
        pandas bins are closed on the right, ``(a, b]`` (``right=False`` gives
        ``[a, b)``); Spark's ``Bucketizer`` uses ``[a, b)``. Values outside the
        bins and missing values are missing in both. An integer ``bins`` (equal
        widths computed from the data) needs the column's minimum and maximum:
        not converted.

    Example:
        Before: ``flights["delay_band"] = pd.cut(flights["arr_delay"], bins=[-100, 0, 30, 1500], labels=["early", "small", "large"])``

        After: ``flights = flights.withColumn("delay_band", F.when((F.col("arr_delay") > -100) & (F.col("arr_delay") <= 0), F.lit("early")).when(...))``
    """

    code = "PS131"
    name = "cut"
    receiver = "pandas"
    methods = ("cut",)
    spark = "F.when((c > a) & (c <= b), label)..."
    pandas_docs = "https://pandas.pydata.org/docs/reference/api/pandas.cut.html"
    spark_docs = "https://spark.apache.org/docs/latest/api/python/reference/pyspark.sql/api/pyspark.sql.functions.when.html"

    def convert(self, site: CallSite) -> Rewrite:
        column = site.get(0, "x", None)
        bins = site.get(1, "bins", None)
        for key in ("x", "bins"):
            site.kwargs.pop(key, None)
        site.only("labels", "right", "include_lowest", positional=2)
        if column is None or not isinstance(column.kind, Column):
            raise NotConvertible("cut of something other than a column")
        edges = bins.literal if bins is not None else None
        if not isinstance(edges, (list, tuple)) or len(edges) < 2:
            raise NotConvertible("bins must be a literal list of edges (equal-width bins need the data's range)")
        labels_arg = site.get(None, "labels", None)
        right_arg = site.get(None, "right", None)
        lowest_arg = site.get(None, "include_lowest", None)
        right = True if right_arg is None else bool(right_arg.literal)
        include_lowest = False if lowest_arg is None else bool(lowest_arg.literal)
        pairs = list(zip(edges[:-1], edges[1:]))
        if labels_arg is None:
            labels = [f"({a}, {b}]" if right else f"[{a}, {b})" for a, b in pairs]
        else:
            labels = labels_arg.literal
            if labels is False or not isinstance(labels, (list, tuple)) or len(labels) != len(pairs):
                raise NotConvertible("labels must be a list with one label per bin")
        c = column.code
        branches = []
        for i, ((a, b), label) in enumerate(zip(pairs, labels)):
            if right:
                low = ">=" if include_lowest and i == 0 else ">"
                cond = f"({c} {low} {a!r}) & ({c} <= {b!r})"
            else:
                cond = f"({c} >= {a!r}) & ({c} < {b!r})"
            branches.append(f"{'F.when' if i == 0 else '.when'}({cond}, {lit(label)})")
        kind = Column(column.kind.frame, dtype="str", categories=tuple(labels))
        return Rewrite("".join(branches), kind, uses=frozenset({"F"}))
