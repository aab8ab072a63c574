"""PS116 drop-duplicates."""

from nb2prod.convert.kinds import Frame
from nb2prod.convert.rules._base import CallSite, NotConvertible, Rewrite, Rule, names_of, register, str_list


@register
class DropDuplicates(Rule):
    """``drop_duplicates`` becomes ``dropDuplicates``, or a window that keeps pandas' row.

    What it does:
        ``df.drop_duplicates()`` becomes ``df.dropDuplicates()``;
        ``df.drop_duplicates(subset=[...])`` (``keep="first"``/``"last"``) becomes
        ``compat.drop_duplicates(df, [...])``, which numbers the rows in the order Spark holds
        them and keeps the first (last) of each key with one window; ``keep=False`` becomes
        ``compat.drop_duplicates(df, [...], keep=False)``, the rows whose key appears once.

    Why:
        Without ``subset`` whole rows are compared and the result is the same set of rows.
        With ``subset``, pandas keeps the first row of each key in row order; Spark's
        ``dropDuplicates`` keeps any one of them. Spark's order of rows is the file's after a
        read (and filters, selects, new columns) and the sort's after ``orderBy``, so the
        window keeps pandas' row there; after a join or an aggregation without a sort the
        order is Spark's own: reported as partial. ``keep=False`` keeps exactly pandas' rows.
        Each form shuffles the rows, so an earlier sort no longer holds afterwards.

    Example:
        Before: ``planes = planes.drop_duplicates()``

        After: ``planes = planes.dropDuplicates()``

        Before: ``first_orders = orders.drop_duplicates(subset=["order_id"])``

        After: ``first_orders = compat.drop_duplicates(orders, ["order_id"])``
    """

    code = "PS116"
    name = "drop-duplicates"
    receiver = "DataFrame"
    methods = ("drop_duplicates",)
    spark = "df.dropDuplicates(); row_number() over Window.partitionBy(subset).orderBy(monotonically_increasing_id())"
    status = "partial"
    pandas_docs = "https://pandas.pydata.org/docs/reference/api/pandas.DataFrame.drop_duplicates.html"
    spark_docs = "https://spark.apache.org/docs/latest/api/python/reference/pyspark.sql/api/pyspark.sql.DataFrame.dropDuplicates.html"

    def convert(self, site: CallSite) -> Rewrite:
        subset = site.get(0, "subset", None)
        site.kwargs.pop("subset", None)
        keep = site.get(None, "keep", None)
        which = "first" if keep is None else keep.literal
        if which not in ("first", "last", False):
            raise NotConvertible(f"keep={keep.code}")
        site.kwargs.pop("keep", None)
        site.only("ignore_index", positional=1 if subset is not None and site.args else 0)
        # every form shuffles: rows sorted before are in no particular order after
        kind = Frame(bools=site.kind.bools, categories=site.kind.categories) if isinstance(site.kind, Frame) else Frame()
        uses = frozenset({"compat"})
        if which is False:
            columns = "" if subset is None else f", [{str_list(names_of(subset))}]"
            return Rewrite(f"compat.drop_duplicates({site.receiver}{columns}, keep=False)", kind, uses=uses)
        if subset is None:
            return Rewrite(f"{site.receiver}.dropDuplicates()", kind)
        keep_arg = ', keep="last"' if which == "last" else ""
        return Rewrite(
            f"compat.drop_duplicates({site.receiver}, [{str_list(names_of(subset))}]{keep_arg})",
            kind,
            outcome="partial",
            note=f"the {which} row per key in the order Spark holds the rows: pandas' order after a read or a sort, Spark's own after a join or an aggregation",
            uses=uses,
        )
