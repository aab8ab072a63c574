"""PS160 sort-index."""

from dataclasses import replace

from nb2prod.convert.kinds import Frame
from nb2prod.convert.rules._base import CallSite, NotConvertible, Rewrite, Rule, py_str, register


@register
class SortIndex(Rule):
    """``sort_index`` on a frame whose index nb2prod knows becomes ``orderBy`` of those columns.

    What it does:
        When pandas' index is columns that Spark holds (after ``set_index("Date")`` (PS159),
        ``read_csv(index_col=...)`` (PS101), ``value_counts()`` or a ``groupby`` aggregation),
        ``df.sort_index(ascending=..., na_position=...)`` becomes
        ``df.orderBy(F.asc_nulls_last("Date"))``, a key per index level; the index stays known.
        ``ignore_index=True`` (pandas then numbers the rows 0, 1, ...) forgets it. A frame whose
        index nb2prod does not know (pandas' default row numbers: Spark has no row order to sort
        by) is not converted.

    Why:
        pandas sorts by the index labels with missing values last in both directions by default;
        Spark sorts by columns, and its ascending sort puts nulls first.

    Example:
        Before: ``counts = df["city"].value_counts().sort_index()``

        After: ``counts = df.groupBy("city").count().orderBy(F.asc_nulls_last("city"))``
    """

    code = "PS160"
    name = "sort-index"
    receiver = "DataFrame"
    methods = ("sort_index",)
    spark = "df.orderBy(F.asc_nulls_last(key), ...)"
    pandas_docs = "https://pandas.pydata.org/docs/reference/api/pandas.DataFrame.sort_index.html"
    spark_docs = "https://spark.apache.org/docs/latest/api/python/reference/pyspark.sql/api/pyspark.sql.DataFrame.orderBy.html"

    def convert(self, site: CallSite) -> Rewrite:
        kind = site.kind
        if not isinstance(kind, Frame) or not kind.keys:
            raise NotConvertible("sort_index of a frame whose index nb2prod does not know (pandas' row numbers: Spark has no row order)")
        site.only("axis", "ascending", "na_position", "kind", "ignore_index")
        axis = site.get(None, "axis", None)
        if axis is not None and axis.literal_or(None) not in (0, "index", "rows"):
            raise NotConvertible("sort_index(axis=1) sorts the columns")
        ascending = site.get(None, "ascending", None)
        flags = True if ascending is None else ascending.literal
        flags = [flags] * len(kind.keys) if isinstance(flags, bool) else list(flags)
        if len(flags) != len(kind.keys) or not all(isinstance(f, bool) for f in flags):
            raise NotConvertible("ascending and the index levels differ in length")
        na = site.get(None, "na_position", None)
        nulls = "last" if na is None else na.literal
        if nulls not in ("first", "last"):
            raise NotConvertible("na_position is 'first' or 'last'")
        order = [f"F.{'asc' if up else 'desc'}_nulls_{nulls}({py_str(k)})" for k, up in zip(kind.keys, flags)]
        ignore = site.get(None, "ignore_index", None)
        keys = () if ignore is not None and ignore.literal is True else kind.keys
        sorted_by = tuple(zip(kind.keys, flags)) if nulls == "last" else ()
        return Rewrite(
            f"{site.receiver}.orderBy({', '.join(order)})", replace(kind, sorted=True, keys=keys, order=sorted_by), uses=frozenset({"F"})
        )
