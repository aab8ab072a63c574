"""PS162 series-constructor."""

from nb2prod.convert.kinds import SPARK_KINDS, Column, Driver, Frame, Scalar, Unknown
from nb2prod.convert.rules._base import CallSite, NotConvertible, Rewrite, Rule, register


@register
class SeriesConstructor(Rule):
    """``pd.Series(column)`` is the column; a Series of the notebook's own data stays on the driver, said so.

    What it does:
        ``pd.Series(df["c"])``, a Series of a column the pipeline holds and no other
        argument, is that column: pandas gives back the same values under the same
        index and name, so the rule gives back the Spark column and later operations
        on it convert. Every other ``pd.Series(...)`` is not converted and runs with
        its statement on the driver (the ``driver`` tier, counted against readiness),
        with a reason that says which case it is:

        * the notebook's own data (a list, a dict, a numpy array, a ``range``, a
          comprehension over Python values): driver-side data, by design;
        * values already on the driver: taken from the pipeline's frames (``df.c.unique()``,
          ``df.c.values``, an index), from objects the driver holds (a model fitted there:
          ``pd.Series(model.feature_importances_, index=features)``) or from earlier driver
          statements (``index=dates`` after ``dates = pd.date_range(...)``);
        * a Spark column with ``index=``, ``name=`` or ``dtype=``: not supported.

    Why:
        A pandas Series is a one-dimensional array with axis labels (its index).
        Spark has no standalone equivalent: a ``Column`` is an expression over a
        DataFrame's rows, and a DataFrame has no row labels, so ``s1 + s2`` (aligned
        on labels), ``s["a"]`` or ``s.index`` have no faithful Spark form. Small
        literal data may legitimately stay on the driver, but it is then pandas
        code: it is reported as driver-side, never as converted. (A DataFrame built
        from literal data does convert, by ``createDataFrame``: see PS157.)

    Example:
        Before: ``delays = pd.Series(flights["dep_delay"])``

        After: ``delays = F.col("dep_delay")``

        Left as written, on the driver: ``s = pd.Series([0.1, 0.2, 0.3])``
    """

    code = "PS162"
    name = "series-constructor"
    receiver = "pandas"
    methods = ("Series",)
    spark = "the Column itself; else the driver tier"
    status = "fallback"
    pandas_docs = "https://pandas.pydata.org/docs/reference/api/pandas.Series.html"
    spark_docs = "https://spark.apache.org/docs/latest/api/python/reference/pyspark.sql/column.html"

    def convert(self, site: CallSite) -> Rewrite:
        values = [*site.args, *site.kwargs.values()]
        data = site.get(0, "data", None)
        if data is None:
            raise NotConvertible("driver-side data: an empty Series stays pandas (Spark has no standalone Series)")
        spark = [a for a in values if isinstance(a.kind, SPARK_KINDS)]
        if spark:
            if data in spark and len(values) == 1 and (isinstance(data.kind, Column) or (isinstance(data.kind, Frame) and data.kind.series_col)):
                return Rewrite(data.code, data.kind)
            if len(values) > 1:
                raise NotConvertible(f"a Series of a Spark column with {', '.join(sorted(site.kwargs)) or 'more arguments'} is not supported")
            raise NotConvertible("a Series of a whole Spark DataFrame or grouping has no Spark form")
        if any(isinstance(a.kind, (Driver, Unknown, Scalar)) for a in values):
            raise NotConvertible("built from values already on the driver, which stay pandas there")
        raise NotConvertible(
            "driver-side data: a Series of the notebook's own values stays pandas (Spark has no standalone Series)"
        )
