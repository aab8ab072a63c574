"""PS127 str-methods."""

from nb2prod.convert.kinds import Accessor, Column
from nb2prod.convert.rules._base import CallSite, NotConvertible, Rewrite, Rule, py_str, register

SIMPLE = {"lower": "F.lower({c})", "upper": "F.upper({c})", "len": "F.length({c})"}


@register
class StrMethods(Rule):
    """``Series.str`` methods become Spark string functions, with pandas' regex defaults.

    What it does:
        ``s.str.lower()`` / ``upper()`` / ``len()`` become ``F.lower`` /
        ``F.upper`` / ``F.length`` (``F.size`` on the lists ``str.split`` gives); ``strip()`` becomes
        ``F.regexp_replace(c, r"^\\s+|\\s+$", "")``; ``startswith`` / ``endswith``
        the Column methods; ``contains(p)`` ``c.rlike(p)`` (``regex=False``:
        ``c.contains(p)``); ``replace(a, b)`` ``F.replace(c, a, b)``
        (``regex=True``: ``F.regexp_replace``); ``slice(start, stop)``
        ``F.substring(c, start + 1, stop - start)``.

    Why:
        ``F.trim`` removes spaces only, pandas' ``strip`` all whitespace;
        ``str.contains`` is a regex by default while ``Column.contains`` is
        literal; ``str.replace`` is literal by default since pandas 2.0 while
        ``regexp_replace`` is a regex; Spark's ``substring`` is 1-based.

    Example:
        Before: ``flights["carrier"] = flights["carrier"].str.lower()``

        After: ``flights = flights.withColumn("carrier", F.lower(F.col("carrier")))``
    """

    code = "PS127"
    name = "str-methods"
    receiver = "Series.str"
    methods = ("lower", "upper", "len", "strip", "startswith", "endswith", "contains", "replace", "slice")
    spark = "F.lower, F.upper, F.length, F.regexp_replace, rlike, F.replace, F.substring"
    pandas_docs = "https://pandas.pydata.org/docs/user_guide/text.html"
    spark_docs = "https://spark.apache.org/docs/latest/api/python/reference/pyspark.sql/functions.html#string-functions"

    def convert(self, site: CallSite) -> Rewrite:
        accessor: Accessor = site.kind
        column = site.receiver.rsplit(".str", 1)[0]
        frame = accessor.column.frame
        method = site.method
        if method == "len" and accessor.column.dtype == "array":
            site.only()  # the length of each list (a split result), not of text
            return Rewrite(f"F.size({column})", Column(frame), uses=frozenset({"F"}))
        if method in SIMPLE:
            site.only()
            dtype = None if method == "len" else "str"
            return Rewrite(SIMPLE[method].format(c=column), Column(frame, dtype=dtype), uses=frozenset({"F"}))
        if method == "strip":
            site.only()
            return Rewrite(f'F.regexp_replace({column}, r"^\\s+|\\s+$", "")', Column(frame, dtype="str"), uses=frozenset({"F"}))
        if method in ("startswith", "endswith"):
            site.only(positional=1)
            if not isinstance(site.args[0].literal, str):
                raise NotConvertible("a tuple of prefixes has no single Spark call")
            return Rewrite(f"{column}.{method}({site.args[0].code})", Column(frame, dtype="bool"))
        if method == "contains":
            pattern = site.get(0, "pat", None)
            if pattern is None:
                raise NotConvertible("no pattern")
            site.kwargs.pop("pat", None)
            site.only("regex", "na", "case", positional=1)
            case = site.get(None, "case", None)
            regex = site.get(None, "regex", None)
            if site.get(None, "na", None) is not None:
                raise NotConvertible("na= has no Spark rule yet")
            text = pattern.literal
            if case is not None and case.literal is False:
                text = "(?i)" + (text if regex is None or regex.literal else __import__("re").escape(text))
                return Rewrite(f"{column}.rlike({py_str(text)})", Column(frame, dtype="bool"))
            if regex is not None and regex.literal is False:
                return Rewrite(f"{column}.contains({pattern.code})", Column(frame, dtype="bool"))
            return Rewrite(f"{column}.rlike({pattern.code})", Column(frame, dtype="bool"))
        if method == "replace":
            if len(site.args) < 2:
                raise NotConvertible("replace needs a pattern and a replacement")
            site.only("regex", positional=2)
            regex = site.get(None, "regex", None)
            pattern, repl = site.args[0], site.args[1]
            if regex is not None and regex.literal is True:
                return Rewrite(f"F.regexp_replace({column}, {pattern.code}, {repl.code})", Column(frame, dtype="str"), uses=frozenset({"F"}))
            return Rewrite(f"F.replace({column}, F.lit({pattern.code}), F.lit({repl.code}))", Column(frame, dtype="str"), uses=frozenset({"F"}))
        # slice
        start = site.get(0, "start", None)
        stop = site.get(1, "stop", None)
        site.kwargs.pop("start", None)
        site.kwargs.pop("stop", None)
        site.only(positional=2)
        first = 0 if start is None else start.literal
        if stop is None or not isinstance(first, int) or not isinstance(stop.literal, int) or first < 0 or stop.literal < first:
            raise NotConvertible("slice with a negative, open or non-literal bound")
        return Rewrite(f"F.substring({column}, {first + 1}, {stop.literal - first})", Column(frame, dtype="str"), uses=frozenset({"F"}))
