"""PS146 rank."""

from nb2prod.convert.kinds import Column, Grouped
from nb2prod.convert.rules._base import CallSite, NotConvertible, Rewrite, Rule, col_ref, py_str, register, str_list


@register
class Rank(Rule):
    """``rank()`` becomes Spark ranking functions computing pandas' tie rule.

    What it does:
        ``df["c"].rank()`` (``method="average"``, the default) becomes
        ``F.rank()`` plus half the number of ties minus one, over
        ``Window.orderBy(F.asc_nulls_last("c"))``; ``method="min"`` ``F.rank()``,
        ``"max"`` ``F.rank()`` plus ties minus one, ``"dense"`` ``F.dense_rank()``.
        After ``groupby(k)[c]`` the windows are partitioned by ``k``. Missing
        values stay missing (``na_option="keep"``).

    Why:
        pandas gives tied values the average of their positions (1.5, 1.5, 3);
        Spark's ``rank`` gives the lowest (1, 1, 3). Spark puts nulls first in
        ascending order, which would shift every rank: nulls go last and get
        no rank. ``method="first"`` breaks ties by row order, which Spark lacks:
        not converted. Without a partition all rows move to one task.

    Example:
        Before: ``routes["delay_rank"] = routes["mean_delay"].rank(ascending=False)``

        After: ``routes = routes.withColumn("delay_rank", F.when(F.col("mean_delay").isNotNull(), F.rank().over(Window.orderBy(F.desc_nulls_last(F.col("mean_delay")))) + (F.count(F.lit(1)).over(Window.partitionBy(F.col("mean_delay"))) - 1) / 2))``
    """

    code = "PS146"
    name = "rank"
    receiver = ("Series", "GroupBy")
    methods = ("rank",)
    spark = "F.rank / F.dense_rank over Window.orderBy(c), ties averaged"
    pandas_docs = "https://pandas.pydata.org/docs/reference/api/pandas.Series.rank.html"
    spark_docs = "https://spark.apache.org/docs/latest/api/python/reference/pyspark.sql/api/pyspark.sql.functions.rank.html"

    def convert(self, site: CallSite) -> Rewrite:
        site.only("method", "ascending", "na_option", "pct")
        method = site.get(None, "method", None)
        method = "average" if method is None else method.literal
        ascending = site.get(None, "ascending", None)
        up = True if ascending is None else bool(ascending.literal)
        na = site.get(None, "na_option", None)
        if na is not None and na.literal != "keep":
            raise NotConvertible(f"na_option={na.code}")
        pct = site.get(None, "pct", None)
        if pct is not None and pct.literal:
            raise NotConvertible("pct=True has no rule yet")
        if isinstance(site.kind, Grouped):
            if not site.kind.single or not site.kind.selection:
                raise NotConvertible("select one column after groupby")
            keys, column, frame = list(site.kind.keys), col_ref(site.kind.selection[0]), site.kind.frame
        else:
            keys, column, frame = [], site.receiver, site.kind.frame
        partition = f"Window.partitionBy({str_list(keys)})" if keys else "Window"
        ordered = f"{partition}.orderBy(F.{'asc' if up else 'desc'}_nulls_last({column}))"
        ties = f"F.count(F.lit(1)).over(Window.partitionBy({', '.join([*(py_str(k) for k in keys), column])}))"
        forms = {
            "average": f"F.rank().over({ordered}) + ({ties} - 1) / 2",
            "min": f"F.rank().over({ordered})",
            "max": f"F.rank().over({ordered}) + {ties} - 1",
            "dense": f"F.dense_rank().over({ordered})",
        }
        if method not in forms:
            raise NotConvertible(f"method={method!r} breaks ties by row order, which Spark rows lack")
        code = f"F.when({column}.isNotNull(), {forms[method]})"
        return Rewrite(code, Column(frame), uses=frozenset({"F", "Window"}))
