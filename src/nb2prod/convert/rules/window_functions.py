"""PS139 ordered-window-functions."""

from nb2prod.convert.kinds import Column, Grouped
from nb2prod.convert.rules._base import CallSite, NotConvertible, Rewrite, Rule, col_ref, register
from nb2prod.convert.rules._window import window

RUNNING = {"cumsum": "F.sum", "cummax": "F.max", "cummin": "F.min"}


@register
class OrderedWindowFunctions(Rule):
    """Running totals, shifts and differences become window functions over the frame's sort order.

    What it does:
        On a DataFrame sorted with ``sort_values``: ``df["c"].cumsum()`` (and
        ``cummax``, ``cummin``) becomes
        ``F.sum("c").over(Window.orderBy(...).rowsBetween(Window.unboundedPreceding, Window.currentRow))``,
        ``shift(n)`` ``F.lag("c", n)`` (``F.lead`` for negative n), ``diff(n)``
        ``c - F.lag(c, n)``; after ``groupby(k)[c]`` the window is
        partitioned by ``k``; ``groupby(k).cumcount()`` is ``F.row_number() - 1``.

    Why:
        pandas follows row order; Spark rows have none until sorted, so only a
        sorted DataFrame converts (otherwise: not converted, "sort first"). A
        ROWS frame is used because Spark's default RANGE frame gives tied rows
        the same running total. pandas leaves a missing value missing in a
        cumulative sum (and skips it); the rule keeps that. Rows that tie on
        the sort keys have no defined order in either. A window with no
        partition moves all rows to one task: fine for summaries, slow on
        large data.

    Example:
        Before: ``daily["running_total"] = daily["flights"].cumsum()``

        After: ``daily = daily.withColumn("running_total", F.when(F.col("flights").isNotNull(), F.sum(F.col("flights")).over(Window.orderBy(F.asc_nulls_last("day")).rowsBetween(Window.unboundedPreceding, Window.currentRow))))``
    """

    code = "PS139"
    name = "ordered-window-functions"
    receiver = ("Series", "GroupBy")
    methods = ("cumsum", "cummax", "cummin", "shift", "diff", "cumcount")
    spark = "F.sum(c).over(Window.orderBy(...).rowsBetween(...)), F.lag, F.lead, F.row_number"
    pandas_docs = "https://pandas.pydata.org/docs/reference/api/pandas.Series.cumsum.html"
    spark_docs = "https://spark.apache.org/docs/latest/api/python/reference/pyspark.sql/api/pyspark.sql.Window.html"

    def convert(self, site: CallSite) -> Rewrite:
        if isinstance(site.kind, Grouped):
            grouped: Grouped = site.kind
            keys = grouped.keys
            spec = window(grouped.order, keys)
            if site.method == "cumcount":
                site.only()
                return Rewrite(f"F.row_number().over({spec}) - 1", Column(grouped.frame), uses=frozenset({"F", "Window"}))
            if not grouped.single or not grouped.selection:
                raise NotConvertible("select one column after groupby")
            column, frame = col_ref(grouped.selection[0]), grouped.frame
        else:
            if site.method == "cumcount":
                raise NotConvertible("cumcount is a GroupBy method")
            column, frame, spec = site.receiver, site.kind.frame, window(site.kind.order)
        uses = frozenset({"F", "Window"})
        if site.method in RUNNING:
            site.only("skipna")
            frame_spec = f"{spec}.rowsBetween(Window.unboundedPreceding, Window.currentRow)"
            code = f"F.when({column}.isNotNull(), {RUNNING[site.method]}({column}).over({frame_spec}))"
            return Rewrite(code, Column(frame), uses=uses)
        periods = site.get(0, "periods", None)
        site.kwargs.pop("periods", None)
        site.only(positional=1)
        n = 1 if periods is None else periods.literal
        if not isinstance(n, int):
            raise NotConvertible("periods must be a literal integer")
        shifted = f"F.lag({column}, {n}).over({spec})" if n >= 0 else f"F.lead({column}, {-n}).over({spec})"
        if site.method == "shift":
            return Rewrite(shifted, Column(frame), uses=uses)
        return Rewrite(f"{column} - {shifted}", Column(frame), uses=uses)
