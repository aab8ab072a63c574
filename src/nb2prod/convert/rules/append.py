"""PS145 append."""

from __future__ import annotations

from nb2prod.convert.kinds import Frame, Frames
from nb2prod.convert.rules._base import CallSite, NotConvertible, Rewrite, Rule, register


@register
class Append(Rule):
    """``df.append(other)`` (pandas < 2) becomes ``unionByName(other, allowMissingColumns=True)``.

    What it does:
        ``df.append(other, ignore_index=True)`` and ``df.append([b, c])`` stack
        DataFrames by column name; columns missing on one side are null, as
        pandas fills them with NaN, and the other frame's extra columns come
        after the receiver's, as in pandas.

    Why:
        ``DataFrame.append`` was removed in pandas 2.0 (``pd.concat`` replaces
        it) but is among the most frequent calls in older notebooks. Spark's
        ``union`` matches columns by position, not name: a different column
        order silently mixes columns; ``unionByName`` with
        ``allowMissingColumns`` is pandas' behaviour. ``ignore_index`` only
        concerns the index, which Spark has not. Appending a row (a dict or a
        Series) and ``verify_integrity=True`` are not converted.

    Example:
        Before: ``both = jan.append(feb, ignore_index=True)``

        After: ``both = jan.unionByName(feb, allowMissingColumns=True)``
    """

    code = "PS145"
    name = "append"
    receiver = "DataFrame"
    methods = ("append",)
    spark = "df.unionByName(other, allowMissingColumns=True)"
    pandas_docs = "https://pandas.pydata.org/pandas-docs/version/1.5/reference/api/pandas.DataFrame.append.html"
    spark_docs = "https://spark.apache.org/docs/latest/api/python/reference/pyspark.sql/api/pyspark.sql.DataFrame.unionByName.html"

    def convert(self, site: CallSite) -> Rewrite:
        other = site.get(0, "other", None)
        site.kwargs.pop("other", None)
        for flag, allowed in (("ignore_index", (True, False)), ("verify_integrity", (False,)), ("sort", (False,))):
            arg = site.kwargs.pop(flag, None)
            if arg is not None and arg.literal not in allowed:
                raise NotConvertible(f"{flag}={arg.code} is not supported")
        site.only(positional=1)
        if other is None:
            raise NotConvertible("nothing to append")
        if isinstance(other.kind, Frame):
            others = [other.code]
        elif isinstance(other.kind, Frames):
            others = list(other.kind.codes)
        else:
            raise NotConvertible("appending something other than a DataFrame (a row as a dict or Series)")
        code = site.receiver + "".join(f".unionByName({o}, allowMissingColumns=True)" for o in others)
        return Rewrite(code, Frame())
