"""PS116 drop-duplicates."""

from nb2prod.convert.kinds import Frame
from nb2prod.convert.rules._base import CallSite, NotConvertible, Rewrite, Rule, names_of, register, str_list


@register
class DropDuplicates(Rule):
    """``drop_duplicates`` becomes ``dropDuplicates``.

    What it does:
        ``df.drop_duplicates()`` becomes ``df.dropDuplicates()``;
        ``df.drop_duplicates(subset=[...])`` becomes ``df.dropDuplicates([...])``.

    Why:
        Without ``subset`` whole rows are compared and the result is the same
        set of rows. With ``subset``, pandas keeps the first row of each key in
        row order (``keep="first"``); Spark keeps any one of them: reported as
        partial (likewise ``keep="last"``). ``keep=False`` (drop every
        duplicate) is not converted. ``dropDuplicates`` shuffles the rows, so
        an earlier sort no longer holds afterwards.

    Example:
        Before: ``planes = planes.drop_duplicates()``

        After: ``planes = planes.dropDuplicates()``
    """

    code = "PS116"
    name = "drop-duplicates"
    receiver = "DataFrame"
    methods = ("drop_duplicates",)
    spark = "df.dropDuplicates([subset])"
    status = "partial"
    pandas_docs = "https://pandas.pydata.org/docs/reference/api/pandas.DataFrame.drop_duplicates.html"
    spark_docs = "https://spark.apache.org/docs/latest/api/python/reference/pyspark.sql/api/pyspark.sql.DataFrame.dropDuplicates.html"

    def convert(self, site: CallSite) -> Rewrite:
        subset = site.get(0, "subset", None)
        site.kwargs.pop("subset", None)
        keep = site.get(None, "keep", None)
        if keep is not None and keep.literal is False:
            raise NotConvertible("keep=False drops every duplicated row; no Spark rule yet")
        which = "first" if keep is None else keep.literal
        site.kwargs.pop("keep", None)
        site.only("ignore_index", positional=1 if subset is not None and site.args else 0)
        # dropDuplicates shuffles: rows sorted before are in no particular order after
        kind = Frame(bools=site.kind.bools) if isinstance(site.kind, Frame) else Frame()
        if subset is None:
            return Rewrite(f"{site.receiver}.dropDuplicates()", kind)
        return Rewrite(
            f"{site.receiver}.dropDuplicates([{str_list(names_of(subset))}])",
            kind,
            outcome="partial",
            note=f"Spark keeps any one row per key, pandas the {which} in row order",
        )
