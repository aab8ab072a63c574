"""PS108 groupby."""

from nb2prod.convert.kinds import Column, Grouped, categories_of, category_labels
from nb2prod.convert.rules._base import Arg, CallSite, NotConvertible, Rewrite, Rule, names_of, register


def key_names(keys: Arg, frame: str | None) -> list[str]:
    """Group keys as column names: literal names, or a column of the grouped DataFrame itself."""
    kind = keys.kind
    if isinstance(kind, Column) and kind.name is not None and kind.frame == frame:
        return [kind.name]  # df.groupby(df["k"]) groups by the column k, named k
    return names_of(keys)


@register
class GroupBy(Rule):
    """Record a ``groupby``; the Spark code is written by the aggregation that follows (PS109).

    What it does:
        ``df.groupby(keys, as_index=..., dropna=..., sort=...)`` is remembered
        with its keys and options. On its own it produces no Spark code. A key
        given as a column of the same DataFrame (``df.groupby(df["k"])``) is
        the column name ``k``.

    Why:
        A pandas GroupBy is lazy and so is Spark's ``groupBy``, but the
        pandas options (drop missing keys, sort keys) have to be applied
        around the aggregation. Grouping by an ordered categorical (a
        ``pd.cut`` column) lists every category, empty bins included, unless
        ``observed=True`` (pandas 2's default is ``False``); Spark's ``groupBy``
        lists only the keys it sees, so only ``observed=True`` is converted.

    Example:
        Before: ``by_carrier = flights.groupby("carrier")["arr_delay"].mean()``

        After: see PS109.
    """

    code = "PS108"
    name = "groupby"
    receiver = "DataFrame"
    methods = ("groupby",)
    spark = "df.groupBy(keys)"
    pandas_docs = "https://pandas.pydata.org/docs/reference/api/pandas.DataFrame.groupby.html"
    spark_docs = "https://spark.apache.org/docs/latest/api/python/reference/pyspark.sql/api/pyspark.sql.DataFrame.groupBy.html"

    def convert(self, site: CallSite) -> Rewrite:
        keys = site.get(0, "by", None)
        if keys is None:
            raise NotConvertible("grouping by index level has no Spark equivalent")
        site.kwargs.pop("by", None)
        site.only("as_index", "dropna", "sort", "observed", positional=1)
        as_index = site.get(None, "as_index", None)
        dropna = site.get(None, "dropna", None)
        sort = site.get(None, "sort", None)
        observed = site.get(None, "observed", None)
        names = key_names(keys, site.receiver)
        categorical = [k for k in names if category_labels(site.kind, k)]
        if categorical and (observed is None or observed.literal_or(None) is not True):
            # pandas 2's default observed=False lists every category, empty bins included (count 0, mean NaN)
            raise NotConvertible(f"grouping by the categorical {categorical[0]!r} (pd.cut) without observed=True also lists its empty bins")
        kind = Grouped(
            frame=site.receiver,
            keys=tuple(names),
            dropna=True if dropna is None else bool(dropna.literal),
            sort=True if sort is None else bool(sort.literal),
            bools=getattr(site.kind, "bools", frozenset()),
            as_index=True if as_index is None else bool(as_index.literal),
            order=getattr(site.kind, "order", ()),
            categories=categories_of(site.kind),
        )
        return Rewrite("", kind)
