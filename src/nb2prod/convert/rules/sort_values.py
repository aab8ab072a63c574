"""PS111 sort-values."""

from nb2prod.convert.kinds import Frame, categories_of, category_labels
from nb2prod.convert.rules._base import CallSite, NotConvertible, Rewrite, Rule, category_rank, names_of, py_str, register


@register
class SortValues(Rule):
    """``sort_values`` becomes ``orderBy`` with pandas' placement of missing values.

    What it does:
        ``df.sort_values(by, ascending=..., na_position=...)`` becomes
        ``df.orderBy(F.asc_nulls_last(c), F.desc_nulls_last(d), ...)``.

    Why:
        pandas puts missing values last in both directions by default; Spark's
        ascending sort puts nulls first. A column pandas holds as an ordered
        categorical (made by ``pd.cut``) sorts in bin order, by its label's
        position (``F.array_position``), where Spark would sort the labels
        alphabetically.

    Example:
        Before: ``top = by_carrier.sort_values("mean_delay", ascending=False)``

        After: ``top = by_carrier.orderBy(F.desc_nulls_last("mean_delay"))``
    """

    code = "PS111"
    name = "sort-values"
    receiver = "DataFrame"
    methods = ("sort_values",)
    spark = "df.orderBy(F.asc_nulls_last(c), F.desc_nulls_last(d))"
    pandas_docs = "https://pandas.pydata.org/docs/reference/api/pandas.DataFrame.sort_values.html"
    spark_docs = "https://spark.apache.org/docs/latest/api/python/reference/pyspark.sql/api/pyspark.sql.DataFrame.orderBy.html"

    def convert(self, site: CallSite) -> Rewrite:
        by = site.get(0, "by", None)
        if by is None:
            raise NotConvertible("no sort columns")
        site.kwargs.pop("by", None)
        site.only("ascending", "na_position", "kind", "ignore_index", positional=1)
        columns = names_of(by)
        ascending = site.get(None, "ascending", None)
        flags = True if ascending is None else ascending.literal
        flags = [flags] * len(columns) if isinstance(flags, bool) else list(flags)
        if len(flags) != len(columns):
            raise NotConvertible("ascending and by differ in length")
        na = site.get(None, "na_position", None)
        nulls = "last" if na is None else na.literal
        keys = []
        for c, up in zip(columns, flags):
            labels = category_labels(site.kind, c)
            column = category_rank(c, labels) if labels else py_str(c)
            keys.append(f"F.{'asc' if up else 'desc'}_nulls_{nulls}({column})")
        bools = getattr(site.kind, "bools", frozenset())
        categories = categories_of(site.kind)
        # window forms read `order` as plain column sorts: a categorical sort is not one
        order = tuple(zip(columns, flags)) if nulls == "last" and not categories_of(site.kind, columns) else ()
        result = Frame(sorted=True, bools=bools, order=order, categories=categories)
        return Rewrite(f"{site.receiver}.orderBy({', '.join(keys)})", result, uses=frozenset({"F"}))
