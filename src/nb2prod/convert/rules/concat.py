"""PS128 concat."""

from nb2prod.convert.kinds import Frame, Frames
from nb2prod.convert.rules._base import CallSite, NotConvertible, Rewrite, Rule, register


@register
class Concat(Rule):
    """``pd.concat([a, b, ...])`` becomes ``a.unionByName(b, allowMissingColumns=True)...``.

    What it does:
        Stacks DataFrames by column name; columns missing on one side are null,
        as pandas fills them with NaN.

    Why:
        Spark's ``union`` matches columns by position, not name: a different
        column order silently mixes columns. ``unionByName`` with
        ``allowMissingColumns`` is pandas' ``concat`` (axis 0). ``axis=1`` aligns
        on the index, which Spark has not: not converted.

    Example:
        Before: ``both = pd.concat([jan, feb])``

        After: ``both = jan.unionByName(feb, allowMissingColumns=True)``
    """

    code = "PS128"
    name = "concat"
    receiver = "pandas"
    methods = ("concat",)
    spark = "a.unionByName(b, allowMissingColumns=True)"
    pandas_docs = "https://pandas.pydata.org/docs/reference/api/pandas.concat.html"
    spark_docs = "https://spark.apache.org/docs/latest/api/python/reference/pyspark.sql/api/pyspark.sql.DataFrame.unionByName.html"

    def convert(self, site: CallSite) -> Rewrite:
        frames = site.get(0, "objs", None)
        site.kwargs.pop("objs", None)
        axis = site.get(None, "axis", None)
        if axis is not None and axis.literal not in (0, "index"):
            raise NotConvertible("concat along columns aligns on the index, which Spark has not")
        site.kwargs.pop("axis", None)
        site.only("ignore_index", positional=1)
        if frames is None or not isinstance(frames.kind, Frames) or len(frames.kind.codes) < 1:
            raise NotConvertible("concat of something other than a list of DataFrames")
        first, *rest = frames.kind.codes
        code = first + "".join(f".unionByName({other}, allowMissingColumns=True)" for other in rest)
        return Rewrite(code, Frame())
