"""PS150 quantile-corr."""

from __future__ import annotations

from nb2prod.convert.kinds import Column, Frame, Grouped, Scalar
from nb2prod.convert.rules._base import CallSite, NotApplicable, NotConvertible, Rewrite, Rule, col_ref, py_str, register
from nb2prod.convert.rules.groupby_agg import grouped_aggregation


def _q(site: CallSite) -> float:
    q = site.get(0, "q", None)
    site.kwargs.pop("q", None)
    interpolation = site.get(None, "interpolation", None)
    if interpolation is not None and interpolation.literal != "linear":
        raise NotConvertible(f"interpolation={interpolation.code}: Spark's percentile interpolates linearly only")
    site.kwargs.pop("interpolation", None)
    site.only("numeric_only", positional=1)
    value = 0.5 if q is None else q.literal_or(None)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1:
        raise NotConvertible("one literal quantile between 0 and 1 is supported (a list gives a Series)")
    return float(value)


def _column_expr(name: str, bools: frozenset[str]) -> str:
    if name in bools:
        return f'{col_ref(name)}.cast("double")'
    return py_str(name)


@register
class QuantileCorr(Rule):
    """``quantile`` and ``corr`` of columns become Spark's exact ``percentile`` and ``corr`` aggregates.

    What it does:
        ``df["x"].quantile(q)`` becomes ``df.agg(F.percentile("x", q)).first()[0]`` (a
        Python value, as PS122 does); ``df["x"].corr(df["y"])`` becomes
        ``df.agg(F.corr("x", "y")).first()[0]``; ``df.groupby(k)["x"].quantile(q)``
        becomes ``df.dropna(subset=[k]).groupBy(k).agg(F.percentile("x", q).alias("x")).orderBy(k)``
        with PS109's key handling.

    Why:
        pandas' default quantile interpolates linearly between the two nearest
        values; Spark's ``percentile`` is exact and interpolates the same way, where
        ``percentile_approx`` (and ``approxQuantile``, ``describe``) return an
        observed value from a sketch. Both skip missing values. pandas' ``corr``
        (Pearson) drops pairs where either value is missing, as Spark's ``corr``
        aggregate does (``df.stat.corr`` computes the same aggregate). Fewer than
        two pairs, or a constant column, give NaN in pandas and null or NaN in
        Spark (both missing). A list of quantiles (a Series), another
        ``interpolation``, ``method="spearman"``/``"kendall"``, ``min_periods``, and
        columns of two different DataFrames (aligned on the index in pandas) are
        not converted.

    Example:
        Before: ``p90 = flights["dep_delay"].quantile(0.9)``

        After: ``p90 = flights.agg(F.percentile("dep_delay", 0.9)).first()[0]``
    """

    code = "PS150"
    name = "quantile-corr"
    receiver = ("Series", "GroupBy")
    methods = ("quantile", "corr")
    spark = "df.agg(F.percentile(col, q)).first()[0], df.agg(F.corr(a, b)).first()[0]"
    pandas_docs = "https://pandas.pydata.org/docs/reference/api/pandas.Series.quantile.html"
    spark_docs = "https://spark.apache.org/docs/latest/api/python/reference/pyspark.sql/api/pyspark.sql.functions.percentile.html"

    def convert(self, site: CallSite) -> Rewrite:
        if isinstance(site.kind, Grouped):
            if site.method != "quantile":
                raise NotApplicable("GroupBy.corr gives a matrix per group")
            return self._grouped(site, site.kind)
        column: Column = site.kind
        if column.name is None or column.frame is None:
            raise NotConvertible(f"{site.method} of a computed Series; assign it to a column first")
        bools = frozenset({column.name}) if column.dtype == "bool" else frozenset()
        if site.method == "quantile":
            q = _q(site)
            expr = f"F.percentile({_column_expr(column.name, bools)}, {q!r})"
            return Rewrite(f"{column.frame}.agg({expr}).first()[0]", Scalar(), uses=frozenset({"F"}))
        other = site.get(0, "other", None)
        site.kwargs.pop("other", None)
        method = site.get(None, "method", None)
        if method is not None and method.literal != "pearson":
            raise NotConvertible(f"method={method.code}: Spark's corr is Pearson only")
        site.kwargs.pop("method", None)
        site.only(positional=1)
        kind = other.kind if other is not None else None
        if not isinstance(kind, Column) or kind.name is None or kind.frame != column.frame:
            raise NotConvertible("corr with a column of another DataFrame (pandas aligns them on the index)")
        if kind.dtype == "bool":
            bools |= {kind.name}
        expr = f"F.corr({_column_expr(column.name, bools)}, {_column_expr(kind.name, bools)})"
        return Rewrite(f"{column.frame}.agg({expr}).first()[0]", Scalar(), uses=frozenset({"F"}))

    def _grouped(self, site: CallSite, grouped: Grouped) -> Rewrite:
        q = _q(site)
        if grouped.selection is None:
            raise NotConvertible(".quantile() over all columns needs the schema; select the columns first")
        exprs = [f"F.percentile({_column_expr(c, grouped.bools)}, {q!r}).alias({py_str(c)})" for c in grouped.selection]
        code = grouped_aggregation(grouped, exprs)
        series_col = grouped.selection[0] if grouped.single else None
        return Rewrite(code, Frame(sorted=grouped.sort, keys=grouped.keys, series_col=series_col), uses=frozenset({"F"}))
