"""PS138 apply-as-pandas-udf."""

from nb2prod.convert.kinds import Column
from nb2prod.convert.rules._base import CallSite, NotApplicable, NotConvertible, Rewrite, Rule, py_str, register


@register
class ApplyAsPandasUdf(Rule):
    """``apply`` with a Python function runs the same function in a pandas UDF (fallback tier).

    What it does:
        ``df["c"].apply(f)`` and ``df["c"].map(f)`` (``f`` a function, not a dict) become
        ``compat.apply_column(df, "c", f)``; ``df.apply(f, axis=1)`` becomes
        ``compat.apply_rows(df, f)``. Both are Spark pandas UDFs that call ``f`` on
        pandas batches in the executors.

    Why:
        An arbitrary Python function has no Spark expression, but its meaning is
        kept exactly by running it on pandas data where the data lives: the most
        distributed faithful fallback. Its result type is learnt by running it on
        a small sample on the driver. Slower than a native expression (data
        crosses to Python through Arrow): marked in the code and counted in
        ``conversion.json`` under the ``pandas_udf`` tier.

    Example:
        Before: ``flights["route"] = flights.apply(lambda r: r["origin"] + "-" + r["dest"], axis=1)``

        After: ``flights = flights.withColumn("route", compat.apply_rows(flights, lambda r: r["origin"] + "-" + r["dest"]))``
    """

    code = "PS138"
    name = "apply-as-pandas-udf"
    receiver = ("Series", "DataFrame")
    methods = ("apply", "map")
    spark = "pandas_udf calling the function on pandas batches"
    status = "fallback"
    pandas_docs = "https://pandas.pydata.org/docs/reference/api/pandas.DataFrame.apply.html"
    spark_docs = "https://spark.apache.org/docs/latest/api/python/reference/pyspark.sql/api/pyspark.sql.functions.pandas_udf.html"

    def convert(self, site: CallSite) -> Rewrite:
        func = site.get(0, "func", None) or site.get(None, "arg", None)
        for key in ("func", "arg"):
            site.kwargs.pop(key, None)
        note = "runs the function on pandas batches in the executors"
        if isinstance(site.kind, Column):
            if site.method == "map" and isinstance(func.literal_or(None) if func else None, dict):
                raise NotApplicable("map of a dict: PS132")
            site.only("convert_dtype", positional=1)
            if func is None or site.kind.name is None or site.kind.frame is None:
                raise NotConvertible("apply on a computed Series; assign it to a column first")
            code = f"compat.apply_column({site.kind.frame}, {py_str(site.kind.name)}, {func.code})"
            return Rewrite(code, Column(site.kind.frame), note=note, uses=frozenset({"compat"}), tier="pandas_udf")
        if site.method != "apply" or func is None:
            raise NotConvertible("DataFrame.map applies elementwise to every column; no rule yet")
        axis = site.get(None, "axis", None)
        site.kwargs.pop("axis", None)
        site.only(positional=1)
        if axis is None or axis.literal not in (1, "columns"):
            raise NotConvertible("apply over columns (axis=0) gives one value per column; no rule yet")
        return Rewrite(f"compat.apply_rows({site.receiver}, {func.code})", Column(site.receiver), note=note, uses=frozenset({"compat"}), tier="pandas_udf")
