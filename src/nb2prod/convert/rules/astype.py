"""PS119 astype."""

from nb2prod.convert.kinds import Column, Frame
from nb2prod.convert.rules._base import CallSite, NotConvertible, Rewrite, Rule, col_ref, py_str, register

#: pandas dtype spelling -> Spark SQL type
TYPES = {
    "int": "bigint", "int64": "bigint", "Int64": "bigint", "int32": "int", "Int32": "int",
    "float": "double", "float64": "double", "Float64": "double", "float32": "float",
    "str": "string", "string": "string", "object": "string",
    "bool": "boolean", "boolean": "boolean",
    "datetime64[ns]": "timestamp", "datetime64": "timestamp",
}  # fmt: skip


def spark_type(value) -> str:
    name = value.__name__ if isinstance(value, type) else value
    if name not in TYPES:
        raise NotConvertible(f"dtype {name!r} has no Spark rule yet")
    return TYPES[name]


@register
class AsType(Rule):
    """``astype`` becomes ``cast``.

    What it does:
        ``df["a"].astype(int)`` becomes ``F.col("a").cast("bigint")``;
        ``df.astype({"a": "float"})`` becomes
        ``df.withColumns({"a": F.col("a").cast("double")})``.

    Why:
        pandas' int is 64-bit (Spark ``bigint``), float is ``double``. Both
        raise on text that is not a number (Spark 4 in ANSI mode). A float cast
        to int truncates in both.

    Example:
        Before: ``flights["dep_delay"] = flights["dep_delay"].astype(float)``

        After: ``flights = flights.withColumn("dep_delay", F.col("dep_delay").cast("double"))``
    """

    code = "PS119"
    name = "astype"
    receiver = ("Series", "DataFrame")
    methods = ("astype",)
    spark = 'col.cast("type")'
    pandas_docs = "https://pandas.pydata.org/docs/reference/api/pandas.DataFrame.astype.html"
    spark_docs = "https://spark.apache.org/docs/latest/api/python/reference/pyspark.sql/api/pyspark.sql.Column.cast.html"

    def convert(self, site: CallSite) -> Rewrite:
        dtype = site.get(0, "dtype", None)
        if dtype is None:
            raise NotConvertible("no dtype")
        site.kwargs.pop("dtype", None)
        site.only(positional=1)
        value = dtype.literal_or(None)
        if value is None and dtype.code in ("int", "float", "str", "bool"):
            value = dtype.code
        if isinstance(site.kind, Column):
            target = spark_type(value)
            kind = Column(site.kind.frame, dtype={"boolean": "bool", "string": "str"}.get(target))
            return Rewrite(f'{site.receiver}.cast("{target}")', kind)
        if not isinstance(value, dict):
            raise NotConvertible("astype on a whole DataFrame needs a {column: dtype} dict")
        pairs = ", ".join(f'{py_str(c)}: {col_ref(c)}.cast("{spark_type(t)}")' for c, t in value.items())
        kind = site.kind if isinstance(site.kind, Frame) else Frame()
        return Rewrite(f"{site.receiver}.withColumns({{{pairs}}})", kind, uses=frozenset({"F"}))
