"""PS151 crosstab."""

from __future__ import annotations

from nb2prod.convert.kinds import Column, Frame
from nb2prod.convert.rules._base import Arg, CallSite, NotConvertible, Rewrite, Rule, py_str, register


def _column(arg: Arg | None, what: str) -> Column:
    kind = arg.kind if arg is not None else None
    if not isinstance(kind, Column) or kind.name is None or kind.frame is None:
        raise NotConvertible(f"{what} must be a column of a DataFrame (df[\"a\"])")
    return kind


@register
class Crosstab(Rule):
    """``pd.crosstab(df["a"], df["b"])`` becomes a pivot of counts, laid out and sorted as pandas lays it out.

    What it does:
        ``pd.crosstab(df["a"], df["b"])`` becomes
        ``df.dropna(subset=["a", "b"]).groupBy("a").pivot("b").count().na.fill(0).orderBy("a")``:
        a column ``a`` (pandas' index, a column after ``reset_index()``, which then
        needs no Spark code) and one count column per value of ``b``, sorted.

    Why:
        ``df.stat.crosstab("a", "b")`` names its first column ``a_b``, turns every
        value into text (so ``10`` sorts before ``2``) and counts missing values
        under a ``null`` label; pandas drops rows where either value is missing,
        keeps the index type and sorts values by their type. ``groupBy().pivot()``
        keeps the types and sorts the pivot values (an extra Spark job finds them,
        at most ``spark.sql.pivotMaxValues``); pairs never seen count 0 in both.
        Column labels are text in Spark: an integer ``b`` with missing values is
        a float column in pandas, labelled ``2013.0`` where Spark writes ``2013``,
        and booleans are ``True`` in pandas, ``true`` in Spark (cast first).
        ``values``/``aggfunc``, ``normalize``, ``margins``, ``dropna=False``,
        ``rownames``/``colnames``, lists of columns (MultiIndex) and columns of
        two DataFrames (aligned on the index) are not converted.

    Example:
        Before: ``table = pd.crosstab(flights["origin"], flights["carrier"]).reset_index()``

        After: ``table = flights.dropna(subset=["origin", "carrier"]).groupBy("origin").pivot("carrier").count().na.fill(0).orderBy("origin")``
    """

    code = "PS151"
    name = "crosstab"
    receiver = "pandas"
    methods = ("crosstab",)
    spark = "df.dropna(subset=[a, b]).groupBy(a).pivot(b).count().na.fill(0).orderBy(a)"
    pandas_docs = "https://pandas.pydata.org/docs/reference/api/pandas.crosstab.html"
    spark_docs = "https://spark.apache.org/docs/latest/api/python/reference/pyspark.sql/api/pyspark.sql.GroupedData.pivot.html"

    def convert(self, site: CallSite) -> Rewrite:
        index = site.get(0, "index", None)
        columns = site.get(1, "columns", None)
        for key in ("index", "columns"):
            site.kwargs.pop(key, None)
        dropna = site.get(None, "dropna", None)
        if dropna is not None and dropna.literal is not True:
            raise NotConvertible("dropna=False keeps all-zero rows and columns; no rule yet")
        site.kwargs.pop("dropna", None)
        site.only(positional=2)
        a, b = _column(index, "index"), _column(columns, "columns")
        if a.frame != b.frame:
            raise NotConvertible("columns of two DataFrames: pandas aligns them on the index")
        if a.name == b.name:
            raise NotConvertible("a column crossed with itself")
        frame, ka, kb = a.frame, py_str(a.name), py_str(b.name)
        code = f"{frame}.dropna(subset=[{ka}, {kb}]).groupBy({ka}).pivot({kb}).count().na.fill(0).orderBy({ka})"
        return Rewrite(code, Frame(sorted=True, keys=(a.name,)))
