"""PS107 column-operators."""

from nb2prod.convert.rules._base import Rule, register


@register
class ColumnOperators(Rule):
    """Arithmetic and comparisons on columns, without ANSI-mode errors pandas would not raise.

    What it does:
        ``+ - * & |`` and ``< <= > >= ==`` stay as Column operators. ``a / b``
        becomes ``F.try_divide(a, b)``, ``a // b`` ``F.floor(F.try_divide(a, b))``,
        ``a % b`` ``F.pmod(a, b)``, ``a ** b`` ``F.pow(a, b)``, and ``+`` with a
        string operand ``F.concat``. A column divided by a non-zero number
        literal (``/ 60``, ``/ -2.5``) keeps the plain ``/``: it can neither
        raise nor give inf/NaN, so ``try_divide`` would only add an expression.

    Why:
        Spark 4 runs in ANSI mode: division by zero raises where pandas gives
        inf or NaN (``try_divide`` gives null, read as missing), ``+`` on
        strings raises, and ``%`` keeps the dividend's sign where pandas keeps
        the divisor's (``pmod`` matches pandas).

    Example:
        Before: ``flights["speed"] = flights["distance"] / (flights["air_time"] / 60)``

        After: ``flights = flights.withColumn("speed", F.try_divide(F.col("distance"), (F.col("air_time") / F.lit(60))))``
    """

    code = "PS107"
    name = "column-operators"
    receiver = "expression"
    methods = ("Series.__truediv__", "Series.__add__", "Series.__mod__", "Series.__ne__", "Series.__invert__")
    spark = "F.try_divide, F.pmod, F.concat, Column operators"
    pandas_docs = "https://pandas.pydata.org/docs/user_guide/basics.html#flexible-binary-operations"
    spark_docs = "https://spark.apache.org/docs/latest/sql-ref-ansi-compliance.html"
