"""PS113 drop-columns."""

from nb2prod.convert.kinds import Frame, categories_without
from nb2prod.convert.rules._base import CallSite, NotConvertible, Rewrite, Rule, names_of, register, str_list


@register
class DropColumns(Rule):
    """Dropping columns becomes ``drop``.

    What it does:
        ``df.drop(columns=[...])``, ``df.drop([...], axis=1)`` and
        ``df.drop("a", axis="columns")`` become ``df.drop("a", ...)``.

    Why:
        Same operation. Difference: pandas raises KeyError for a missing column,
        Spark ignores it (``errors="ignore"`` in pandas terms).

    Example:
        Before: ``flights = flights.drop(columns=["year", "time_hour"])``

        After: ``flights = flights.drop("year", "time_hour")``
    """

    code = "PS113"
    name = "drop-columns"
    receiver = "DataFrame"
    methods = ("drop",)
    spark = "df.drop(*cols)"
    pandas_docs = "https://pandas.pydata.org/docs/reference/api/pandas.DataFrame.drop.html"
    spark_docs = "https://spark.apache.org/docs/latest/api/python/reference/pyspark.sql/api/pyspark.sql.DataFrame.drop.html"

    def convert(self, site: CallSite) -> Rewrite:
        columns = site.get(None, "columns", None)
        if columns is None:
            axis = site.get(1, "axis", None)
            if axis is None or axis.literal not in (1, "columns"):
                raise NotConvertible("dropping rows by index label has no Spark equivalent")
            columns = site.get(0, "labels", None)
            site.kwargs.pop("labels", None)
            site.kwargs.pop("axis", None)
            if len(site.args) > 1:
                site.args.pop(1)
        if columns is None:
            raise NotConvertible("no columns named")
        site.kwargs.pop("columns", None)
        site.only("errors", positional=1 if site.args else 0)
        names = names_of(columns)
        kind = site.kind if isinstance(site.kind, Frame) else Frame()
        order = () if any(c in names for c, _ in kind.order) else kind.order
        result = Frame(sorted=kind.sorted, bools=kind.bools - set(names), order=order, categories=categories_without(kind, names))
        return Rewrite(f"{site.receiver}.drop({str_list(names)})", result)
