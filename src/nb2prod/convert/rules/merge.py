"""PS110 merge."""

from nb2prod.convert.kinds import Frame
from nb2prod.convert.rules._base import CallSite, NotConvertible, Rewrite, Rule, names_of, py_str, register, str_list

HOW = {"inner": "inner", "left": "left", "right": "right", "outer": "full", "cross": "cross"}


@register
class Merge(Rule):
    """``merge`` becomes a Spark join that keeps pandas' key matching and column suffixes.

    What it does:
        ``a.merge(b, on=..., how=..., suffixes=...)`` and ``pd.merge(a, b, ...)``
        become ``compat.merge(a, b, on=..., how=..., suffixes=...)``, a short
        function in the generated package built from ``DataFrame.join``. With no
        ``on``/``left_on``/``right_on``, ``compat.merge`` joins on the columns
        both frames have, as pandas does, found from the frames' schemas when
        the pipeline runs (no Spark job).

    Why:
        A plain Spark join differs from ``merge`` in three ways users notice:
        null keys never match (pandas matches missing keys with each other),
        overlapping non-key columns are duplicated instead of suffixed
        ``_x``/``_y`` (later selection then fails as ambiguous), and ``outer``
        is called ``full``. ``compat.merge`` joins with ``eqNullSafe`` on the
        keys, coalesces the key columns and applies the suffixes. ``sort=True``
        adds an ``orderBy`` of the keys, missing keys last as in pandas.

    Example:
        Before: ``by_carrier = by_carrier.merge(airlines, on="carrier", how="left")``

        After: ``by_carrier = compat.merge(by_carrier, airlines, on=["carrier"], how="left")``

        Before: ``merged = pd.merge(pop, areas, how="outer")``

        After: ``merged = compat.merge(pop, areas, how="full")``
    """

    code = "PS110"
    name = "merge"
    receiver = ("DataFrame", "pandas")
    methods = ("merge",)
    spark = "DataFrame.join(other, on=eqNullSafe(keys), how) + suffixes (compat.merge)"
    pandas_docs = "https://pandas.pydata.org/docs/reference/api/pandas.merge.html"
    spark_docs = "https://spark.apache.org/docs/latest/api/python/reference/pyspark.sql/api/pyspark.sql.DataFrame.join.html"

    def convert(self, site: CallSite) -> Rewrite:
        args = list(site.args)
        if site.receiver is None:
            if len(args) < 2:
                raise NotConvertible("pd.merge needs two DataFrames")
            left, right = args[0], args[1]
            args = args[2:]
        else:
            left = None
            right = args.pop(0) if args else site.kwargs.pop("right", None)
        if right is None:
            raise NotConvertible("no right DataFrame")
        if args:
            raise NotConvertible("positional how/on arguments")
        site.args = []
        site.only("on", "how", "left_on", "right_on", "suffixes", "sort")
        left_code = site.receiver if left is None else left.code
        parts = [left_code, right.code]
        for key in ("on", "left_on", "right_on"):
            arg = site.get(None, key, None)
            if arg is not None:
                parts.append(f"{key}=[{str_list(names_of(arg))}]")
        how = site.get(None, "how", None)
        if how is not None:
            if how.literal not in HOW:
                raise NotConvertible(f"how={how.code}")
            parts.append(f'how="{HOW[how.literal]}"')
        suffixes = site.get(None, "suffixes", None)
        if suffixes is not None:
            parts.append(f"suffixes={suffixes.code}")
        keys = site.get(None, "on", None) or site.get(None, "left_on", None)
        if keys is None and (site.get(None, "right_on", None) is not None or (how is not None and how.literal == "cross")):
            raise NotConvertible("merge with right_on= alone, or how='cross', has no Spark form yet")
        code = f"compat.merge({', '.join(parts)})"
        sort = site.get(None, "sort", None)
        if sort is not None and sort.literal is True:  # pandas sorts the result by the join keys
            if keys is None:
                raise NotConvertible("merge(sort=True) on common columns: the sort keys are known only at run time")
            order = ", ".join(f"F.asc_nulls_last({py_str(k)})" for k in names_of(keys))
            return Rewrite(f"{code}.orderBy({order})", Frame(sorted=True), uses=frozenset({"compat", "F"}))
        return Rewrite(code, Frame(), uses=frozenset({"compat"}))
