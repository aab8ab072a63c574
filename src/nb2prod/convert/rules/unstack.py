"""PS163 unstack."""

from nb2prod.convert.kinds import Frame
from nb2prod.convert.rules._base import CallSite, NotConvertible, Rewrite, Rule, py_str, register, str_list


@register
class Unstack(Rule):
    """``unstack()`` of a grouped result becomes ``pivot`` of the unstacked key.

    What it does:
        On a Series that a ``groupby`` of several keys computed (``df.groupby(["sex", "pclass"])
        ["survived"].mean()``, ``size()``, ``value_counts()`` of several columns: one value per key
        combination), ``.unstack(level)`` becomes
        ``result.groupBy(<other keys>).pivot(<level>).agg(F.first(<value>)).orderBy(<other keys>)``:
        one row per combination of the other keys, one column per value of the unstacked one,
        null where a combination has no value (pandas: NaN). ``level`` is the last key by default,
        a position (``0``, ``-1``) or a key's name. ``F.first`` picks the one value there is: the
        keys of an aggregation are unique.

    Why:
        pandas moves the index level into the column labels; Spark's ``pivot`` makes a column of
        each distinct value of a column, sorted, as pandas sorts them. Differences, reported
        (partial): the new columns are named by the values as strings (pandas keeps their type:
        ``1``, not ``"1"``), and Spark runs a job to find the distinct values first. Not converted:
        ``fill_value`` (follow it with ``fillna``), a frame of several value columns (pandas gives
        two-level column labels), a frame whose index nb2prod does not know.

    Example:
        Before: ``rates = titanic.groupby(["Sex", "Pclass"])["Survived"].mean().unstack()``

        After: ``rates = titanic.dropna(subset=["Sex", "Pclass"]).groupBy("Sex", "Pclass").agg(F.avg("Survived").alias("Survived")).orderBy("Sex", "Pclass").groupBy("Sex").pivot("Pclass").agg(F.first("Survived")).orderBy("Sex")``
    """

    code = "PS163"
    name = "unstack"
    receiver = "DataFrame"
    methods = ("unstack",)
    spark = "df.groupBy(others).pivot(level).agg(F.first(value))"
    status = "partial"
    pandas_docs = "https://pandas.pydata.org/docs/reference/api/pandas.Series.unstack.html"
    spark_docs = "https://spark.apache.org/docs/latest/api/python/reference/pyspark.sql/api/pyspark.sql.GroupedData.pivot.html"

    def convert(self, site: CallSite) -> Rewrite:
        kind = site.kind
        if not isinstance(kind, Frame) or kind.series_col is None or len(kind.keys) < 2:
            raise NotConvertible("unstack of something other than a grouped Series with several keys (pandas' index levels Spark has as columns)")
        site.only("level", positional=1)
        level = site.get(0, "level", None)
        value = -1 if level is None else level.literal
        if isinstance(value, bool) or not isinstance(value, (int, str)):
            raise NotConvertible("level is one index level, by position or name")
        if isinstance(value, int):
            if not -len(kind.keys) <= value < len(kind.keys):
                raise NotConvertible(f"level {value} is not one of the {len(kind.keys)} index levels")
            column = kind.keys[value]
        elif value in kind.keys:
            column = value
        else:
            raise NotConvertible(f"level {value!r} is not one of the index levels {list(kind.keys)}")
        rows = [k for k in kind.keys if k != column]
        code = (
            f"{site.receiver}.groupBy({str_list(rows)}).pivot({py_str(column)})"
            f".agg(F.first({py_str(kind.series_col)})).orderBy({str_list(rows)})"
        )
        note = "the new columns are named by the values as strings (pandas keeps their type); Spark finds the distinct values with a job of its own"
        return Rewrite(code, Frame(sorted=True, keys=tuple(rows), order=tuple((k, True) for k in rows)), outcome="partial", note=note, uses=frozenset({"F"}))
