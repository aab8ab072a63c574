"""PS112 rename-columns."""

import libcst as cst

from nb2prod.convert.kinds import Frame
from nb2prod.convert.rules._base import CallSite, NotConvertible, Rewrite, Rule, register


@register
class RenameColumns(Rule):
    """``rename(columns=...)`` becomes ``withColumnsRenamed``.

    What it does:
        ``df.rename(columns={"a": "b"})`` becomes ``df.withColumnsRenamed({"a": "b"})``;
        ``df.rename(columns=str.lower)`` (a function of the name) becomes
        ``compat.rename_columns(df, str.lower)``, which calls it on every column
        name as pandas does.

    Why:
        The same operation; Spark ignores names that are not present, as
        pandas does by default (``errors="ignore"``).

    Example:
        Before: ``routes = routes.rename(columns={"arr_delay": "mean_delay"})``

        After: ``routes = routes.withColumnsRenamed({"arr_delay": "mean_delay"})``
    """

    code = "PS112"
    name = "rename-columns"
    receiver = "DataFrame"
    methods = ("rename",)
    spark = "df.withColumnsRenamed(mapping)"
    pandas_docs = "https://pandas.pydata.org/docs/reference/api/pandas.DataFrame.rename.html"
    spark_docs = "https://spark.apache.org/docs/latest/api/python/reference/pyspark.sql/api/pyspark.sql.DataFrame.withColumnsRenamed.html"

    def convert(self, site: CallSite) -> Rewrite:
        columns = site.get(None, "columns", None)
        if columns is None:
            raise NotConvertible("only rename(columns={...}) is supported (index labels have no Spark equivalent)")
        site.only("columns")
        if isinstance(columns.node, (cst.Name, cst.Attribute, cst.Lambda)):
            # a function of the column name (str.lower, lambda c: c.strip()), called on every name
            sorted_ = site.kind.sorted if isinstance(site.kind, Frame) else False
            return Rewrite(f"compat.rename_columns({site.receiver}, {columns.code})", Frame(sorted=sorted_), uses=frozenset({"compat"}))
        mapping = columns.literal
        if not isinstance(mapping, dict):
            raise NotConvertible("columns= is not a literal dict")
        kind = site.kind if isinstance(site.kind, Frame) else Frame()
        bools = frozenset(mapping.get(c, c) for c in kind.bools)
        order = tuple((mapping.get(c, c), up) for c, up in kind.order)
        categories = tuple((mapping.get(c, c), labels) for c, labels in kind.categories)
        result = Frame(sorted=kind.sorted, bools=bools, order=order, categories=categories)
        return Rewrite(f"{site.receiver}.withColumnsRenamed({columns.code})", result)
