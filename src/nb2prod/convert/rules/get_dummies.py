"""PS142 get-dummies."""

from __future__ import annotations

from typing import Any

from nb2prod.convert.kinds import Column, Frame
from nb2prod.convert.rules._base import CallSite, NotConvertible, Rewrite, Rule, names_of, py_str, register, str_list

#: pandas dtype spellings -> Spark type name of the indicator columns
DTYPES = {
    **dict.fromkeys(("bool", "np.bool_", "numpy.bool_"), "boolean"),
    **dict.fromkeys(("int", "np.int64", "numpy.int64", "np.int_", "numpy.int_"), "bigint"),
    **dict.fromkeys(("np.int32", "numpy.int32"), "int"),
    **dict.fromkeys(("np.int16", "numpy.int16", "np.int8", "numpy.int8", "np.uint8", "numpy.uint8"), "smallint"),
    **dict.fromkeys(("float", "np.float64", "numpy.float64"), "double"),
    **dict.fromkeys(("np.float32", "numpy.float32"), "float"),
}
DTYPE_NAMES = {
    "bool": "boolean",
    "int": "bigint",
    "int64": "bigint",
    "int32": "int",
    "int16": "smallint",
    "int8": "smallint",
    "uint8": "smallint",
    "float": "double",
    "float64": "double",
    "float32": "float",
}
POSITIONS = ("prefix", "prefix_sep", "dummy_na", "columns", "sparse", "drop_first", "dtype")


def _literal_code(value: Any) -> str:
    if isinstance(value, str):
        return py_str(value)
    if isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value):
        return f"[{str_list(list(value))}]"
    if isinstance(value, dict) and all(isinstance(k, str) and isinstance(v, str) for k, v in value.items()):
        return "{" + ", ".join(f"{py_str(k)}: {py_str(v)}" for k, v in value.items()) + "}"
    raise NotConvertible(f"prefix {value!r} is not a string, list or dict of strings")


@register
class GetDummies(Rule):
    """``pd.get_dummies`` becomes ``compat.get_dummies``: one indicator column per distinct value.

    What it does:
        ``pd.get_dummies(df, columns=[...], prefix=..., prefix_sep=..., dummy_na=..., drop_first=..., dtype=...)``
        becomes ``compat.get_dummies(df, columns=[...], ...)``, a function in the
        generated package that collects the distinct values of the encoded
        columns in one Spark job, then adds ``F.col(c).eqNullSafe(value)`` per
        value, named ``{prefix}_{value}``, and drops the encoded columns.

    Why:
        Spark has no ``get_dummies``: the output columns depend on the data, so
        the values must be collected first (an extra Spark job, noted on the
        call site). The helper keeps pandas' output exactly: the columns that
        are not encoded first, then the indicators column by column, values
        sorted; missing values are 0 everywhere (or get a ``_nan`` column with
        ``dummy_na=True``); ``columns=None`` encodes the text columns; the
        indicators are booleans as in pandas 2 (``dtype=int`` gives integers);
        an integer column with missing values is a float column in pandas, so
        its labels read ``a_1.0``. A Series argument is usually joined back on
        the index (``concat(axis=1)``): not converted; pass the DataFrame and
        ``columns=[...]``. ``sparse=True`` has no Spark equivalent.

    Example:
        Before: ``features = pd.get_dummies(planes, columns=["engine"], prefix="eng", dtype=int)``

        After: ``features = compat.get_dummies(planes, columns=["engine"], prefix="eng", dtype="bigint")``
    """

    code = "PS142"
    name = "get-dummies"
    receiver = "pandas"
    methods = ("get_dummies",)
    spark = "compat.get_dummies(df, columns, prefix): F.col(c).eqNullSafe(v) per distinct value"
    pandas_docs = "https://pandas.pydata.org/docs/reference/api/pandas.get_dummies.html"
    spark_docs = "https://spark.apache.org/docs/latest/api/python/reference/pyspark.sql/api/pyspark.sql.functions.collect_set.html"

    def convert(self, site: CallSite) -> Rewrite:
        args = list(site.args)
        data = args.pop(0) if args else site.kwargs.pop("data", None)
        for position, arg in enumerate(args):
            if position >= len(POSITIONS) or POSITIONS[position] in site.kwargs:
                raise NotConvertible("unexpected positional arguments")
            site.kwargs[POSITIONS[position]] = arg
        site.args = []
        if data is None or isinstance(data.kind, Column):
            raise NotConvertible(
                "get_dummies of a Series is joined back on the index (concat axis=1); pass the DataFrame and columns=[...]"
            )
        if not isinstance(data.kind, Frame):
            raise NotConvertible("get_dummies of something other than a DataFrame")
        site.only(*POSITIONS)
        sparse = site.get(None, "sparse", None)
        if sparse is not None and sparse.literal is not False:
            raise NotConvertible("sparse=True has no Spark equivalent")
        parts = [data.code]
        columns = site.get(None, "columns", None)
        if columns is not None and columns.code != "None":
            parts.append(f"columns=[{str_list(names_of(columns))}]")
        prefix = site.get(None, "prefix", None)
        if prefix is not None and prefix.code != "None":
            parts.append(f"prefix={_literal_code(prefix.literal)}")
        sep = site.get(None, "prefix_sep", None)
        if sep is not None:
            if not isinstance(sep.literal, str):
                raise NotConvertible("prefix_sep must be one string")
            parts.append(f"prefix_sep={py_str(sep.literal)}")
        for flag in ("dummy_na", "drop_first"):
            arg = site.get(None, flag, None)
            if arg is not None and arg.literal:
                parts.append(f"{flag}=True")
        dtype = site.get(None, "dtype", None)
        if dtype is not None and dtype.code != "None":
            spark_type = DTYPES.get(dtype.code) or DTYPE_NAMES.get(str(dtype.literal_or("")))
            if spark_type is None:
                raise NotConvertible(f"dtype={dtype.code} is not a bool, integer or float type")
            if spark_type != "boolean":
                parts.append(f"dtype={py_str(spark_type)}")
        note = "an extra Spark job collects the distinct values of the encoded columns"
        return Rewrite(f"compat.get_dummies({', '.join(parts)})", Frame(), note=note, uses=frozenset({"compat"}))
