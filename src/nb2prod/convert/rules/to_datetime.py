"""PS129 to-datetime."""

import re

from nb2prod.convert.kinds import Column
from nb2prod.convert.rules._base import CallSite, NotConvertible, Rewrite, Rule, py_str, register

#: strftime directive -> Java DateTimeFormatter pattern (the common ones)
DIRECTIVES = {"%Y": "yyyy", "%m": "MM", "%d": "dd", "%H": "HH", "%M": "mm", "%S": "ss", "%y": "yy", "%b": "MMM", "%f": "SSSSSS", "%z": "Z"}


def java_pattern(fmt: str) -> str:
    """A Spark datetime pattern for a strftime format, or raise NotConvertible."""
    out, i = [], 0
    while i < len(fmt):
        if fmt[i] == "%":
            directive = fmt[i : i + 2]
            if directive not in DIRECTIVES:
                raise NotConvertible(f"format directive {directive} has no rule yet")
            out.append(DIRECTIVES[directive])
            i += 2
        else:
            j = i
            while j < len(fmt) and fmt[j] != "%":
                j += 1
            literal = fmt[i:j]
            out.append(re.sub(r"[A-Za-z]+", lambda m: f"'{m.group(0)}'", literal))
            i = j
    return "".join(out)


@register
class ToDatetime(Rule):
    """``pd.to_datetime(column)`` becomes ``F.to_timestamp`` / ``F.try_to_timestamp``.

    What it does:
        ``pd.to_datetime(df["c"])`` becomes ``F.to_timestamp(F.col("c"))``;
        ``format="%Y-%m-%d"`` becomes the Java pattern ``"yyyy-MM-dd"``;
        ``errors="coerce"`` becomes ``F.try_to_timestamp(...)`` (missing where
        the text does not parse, as pandas gives NaT).

    Why:
        Spark 4 in ANSI mode raises on text that does not parse, where pandas
        with ``errors="coerce"`` gives NaT. Spark patterns are Java's, not
        strftime's. Times are read in the session time zone (UTC in the
        generated configuration). ``pd.to_datetime("2016-12-09")`` of a
        literal string is one ``pd.Timestamp`` (a ``datetime``), no DataFrame
        operation: the pandas pass leaves it as it is (a scalar, like
        ``pd.Timestamp``), and Spark compares columns with it as with any
        datetime literal.

    Example:
        Before: ``weather["time_hour"] = pd.to_datetime(weather["time_hour"])``

        After: ``weather = weather.withColumn("time_hour", F.to_timestamp(F.col("time_hour")))``
    """

    code = "PS129"
    name = "to-datetime"
    receiver = "pandas"
    methods = ("to_datetime",)
    spark = "F.to_timestamp(col[, fmt]), F.try_to_timestamp(col, fmt)"
    pandas_docs = "https://pandas.pydata.org/docs/reference/api/pandas.to_datetime.html"
    spark_docs = "https://spark.apache.org/docs/latest/sql-ref-datetime-pattern.html"

    def convert(self, site: CallSite) -> Rewrite:
        column = site.get(0, "arg", None)
        site.kwargs.pop("arg", None)
        site.only("format", "errors", "utc", "dayfirst", positional=1)
        if site.get(None, "dayfirst", None) is not None:
            raise NotConvertible("dayfirst= has no Spark pattern; give format=")
        if column is None or not isinstance(column.kind, Column):
            raise NotConvertible("to_datetime of something other than a column")
        fmt = site.get(None, "format", None)
        errors = site.get(None, "errors", None)
        pattern = py_str(java_pattern(fmt.literal)) if fmt is not None else None
        if errors is not None and errors.literal == "coerce":
            target = f'F.lit({pattern or py_str("yyyy-MM-dd HH:mm:ss")})'
            if pattern is None:
                # without a format pandas accepts "2013-01-01 10:00:00", ISO 8601 with a zone, and plain dates
                code = f'F.coalesce(F.try_to_timestamp({column.code}, {target}), F.try_to_timestamp({column.code}, F.lit("yyyy-MM-dd\'T\'HH:mm:ssXXX")), F.try_to_timestamp({column.code}, F.lit("yyyy-MM-dd")))'
            else:
                code = f"F.try_to_timestamp({column.code}, {target})"
        elif pattern is not None:
            code = f"F.to_timestamp({column.code}, {pattern})"
        else:
            code = f"F.to_timestamp({column.code})"
        return Rewrite(code, Column(column.kind.frame, dtype="datetime"), uses=frozenset({"F"}))
