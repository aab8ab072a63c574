"""PS144 assign."""

from __future__ import annotations

import re

from nb2prod.convert.kinds import MISSING_VALUES, Column, Frame, Scalar, column_code
from nb2prod.convert.rules._base import CallSite, NotConvertible, Rewrite, Rule, py_str, register

_ROOT = re.compile(r"[A-Za-z_]\w*")


def _root(code: str | None) -> str | None:
    """The name a frame expression starts from (``df`` for ``df.dropna()``)."""
    match = _ROOT.match(code or "")
    return match.group() if match else None


@register
class Assign(Rule):
    """``assign`` becomes ``withColumns``: every new column computed from the frame as it was.

    What it does:
        ``df.assign(c=df["a"] * 2, d="x")`` becomes
        ``df.withColumns({"c": F.col("a") * 2, "d": F.lit("x")})``: column
        expressions as they are, literals and scalars in ``F.lit``, a missing
        value as a typed null (``double`` for NaN, ``string`` for None).

    Why:
        pandas evaluates the arguments before ``assign`` runs, so
        ``df.assign(a=df["a"] * 2, b=df["a"] + 1)`` computes ``b`` from the
        old ``a``. ``withColumns`` resolves every expression against the input
        frame, which is the same; a chain of ``withColumn`` calls would compute
        ``b`` from the new ``a``. Existing columns are replaced in place and new
        ones added at the end, in argument order, in both. A callable
        (``assign(c=lambda d: d.a * 2)``) is called on the frame with the
        earlier new columns already added; nb2prod does not translate lambda
        bodies, so the call is not converted (write ``df["c"] = ...`` or a
        column expression). A column of another DataFrame aligns on the index
        in pandas: not converted. A value nb2prod cannot type (a list, an
        array, a plain variable) is not converted either: pandas would make a
        column of its items.

    Example:
        Before: ``flights = flights.assign(gain=flights["dep_delay"] - flights["arr_delay"], source="nycflights13")``

        After: ``flights = flights.withColumns({"gain": F.col("dep_delay") - F.col("arr_delay"), "source": F.lit("nycflights13")})``
    """

    code = "PS144"
    name = "assign"
    receiver = "DataFrame"
    methods = ("assign",)
    spark = 'df.withColumns({"c": expr, ...})'
    pandas_docs = "https://pandas.pydata.org/docs/reference/api/pandas.DataFrame.assign.html"
    spark_docs = "https://spark.apache.org/docs/latest/api/python/reference/pyspark.sql/api/pyspark.sql.DataFrame.withColumns.html"

    def convert(self, site: CallSite) -> Rewrite:
        site.only(*site.kwargs)
        if not site.kwargs:
            raise NotConvertible("assign() without columns")
        kind = site.kind if isinstance(site.kind, Frame) else Frame()
        bools = set(kind.bools)
        categories = dict(kind.categories)
        items = []
        for name, arg in site.kwargs.items():
            value = self._value(site, name, arg)
            items.append(f"{py_str(name)}: {value}")
            categories.pop(name, None)
            if isinstance(arg.kind, Column) and arg.kind.categories:
                categories[name] = arg.kind.categories
            if isinstance(arg.kind, Column) and arg.kind.dtype == "bool" or isinstance(arg.literal_or(None), bool):
                bools.add(name)
            else:
                bools.discard(name)
        result = Frame(sorted=kind.sorted, keys=kind.keys, bools=frozenset(bools), categories=tuple(categories.items()))
        return Rewrite(f"{site.receiver}.withColumns({{{', '.join(items)}}})", result, uses=frozenset({"F"}))

    @staticmethod
    def _value(site: CallSite, name: str, arg) -> str:
        if arg.code.lstrip("(").startswith("lambda") or arg.node is not None and type(arg.node).__name__ == "Lambda":
            raise NotConvertible(
                f"{name}=lambda: the callable gets the frame with earlier new columns added; "
                "nb2prod does not translate lambda bodies (use a column expression)"
            )
        if isinstance(arg.kind, Column):
            frame, receiver = _root(arg.kind.frame), _root(site.receiver)
            if frame is not None and receiver is not None and frame != receiver:
                raise NotConvertible(f"{name}= is a column of `{arg.kind.frame}`: pandas aligns it on the index")
            return arg.code
        if arg.code in MISSING_VALUES:  # a typed null: pandas makes a float (NaN) or object (None) column
            return f'F.lit(None).cast("{"string" if arg.code in ("None", "pd.NA", "pandas.NA") else "double"}")'
        if isinstance(arg.kind, Scalar):
            return column_code(arg.code, arg.kind)
        value = arg.literal_or(arg)
        if value is arg or isinstance(value, (list, tuple, dict, set)):
            raise NotConvertible(f"{name}={arg.code}: not a column expression or a literal value")
        return column_code(arg.code, arg.kind)
