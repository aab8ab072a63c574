"""PS148 loc-select."""

from nb2prod.convert.rules._base import Rule, register


@register
class LocSelect(Rule):
    """Reading with ``.loc`` and a boolean mask becomes ``filter`` and ``select``.

    What it does:
        ``df.loc[mask]`` becomes ``df.filter(mask)``; ``df.loc[mask, ["a", "b"]]``
        ``df.filter(mask).select("a", "b")``; ``df.loc[:, ["a", "b"]]``
        ``df.select("a", "b")``; ``df.loc[mask, "a"]`` a column of the filtered
        frame (so ``df.loc[mask, "a"].mean()`` aggregates the filtered rows).

    Why:
        Spark has no row labels: ``.loc`` with labels or label slices has no
        equivalent and is not converted; with a boolean mask it is a filter,
        with pandas' treatment of missing values (see PS105).

    Example:
        Before: ``late = flights.loc[flights["arr_delay"] > 60, ["carrier", "arr_delay"]]``

        After: ``late = flights.filter(F.col("arr_delay") > 60).select("carrier", "arr_delay")``
    """

    code = "PS148"
    name = "loc-select"
    receiver = "expression"
    methods = ("DataFrame.loc.__getitem__",)
    spark = "df.filter(mask).select(cols)"
    pandas_docs = "https://pandas.pydata.org/docs/reference/api/pandas.DataFrame.loc.html"
    spark_docs = "https://spark.apache.org/docs/latest/api/python/reference/pyspark.sql/api/pyspark.sql.DataFrame.filter.html"
