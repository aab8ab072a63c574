"""PS149 str-split-extract."""

from __future__ import annotations

import re

from nb2prod.convert.kinds import Accessor, Column
from nb2prod.convert.rules._base import Arg, CallSite, NotConvertible, Rewrite, Rule, py_str, register

try:  # Python 3.11+
    from re import _parser as _sre_parse  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover
    import sre_parse as _sre_parse  # type: ignore[no-redef]


_MISSING = object()


def _literal(arg: Arg | None, what: str):
    if arg is None:
        return None
    value = arg.literal_or(_MISSING)
    if value is _MISSING:
        raise NotConvertible(f"{what}={arg.code} is not a literal")
    return value


def _group_can_be_empty(pattern: str) -> bool:
    """Whether capture group 1 of ``pattern`` can match the empty string (then pandas gives '', Spark null)."""
    try:
        parsed = _sre_parse.parse(pattern)
    except re.error:
        return True

    def walk(items) -> bool | None:
        for op, av in items:
            if op is _sre_parse.SUBPATTERN and av[0] == 1:
                return av[-1].getwidth()[0] == 0
            for sub in av if isinstance(av, (list, tuple)) else ():
                if isinstance(sub, _sre_parse.SubPattern):
                    found = walk(sub)
                    if found is not None:
                        return found
                elif isinstance(sub, (list, tuple)):
                    for inner in sub:
                        if isinstance(inner, _sre_parse.SubPattern):
                            found = walk(inner)
                            if found is not None:
                                return found
        return None

    found = walk(parsed)
    return True if found is None else found


@register
class StrSplitExtract(Rule):
    """``str.split``, ``str.get`` and ``str.extract`` become ``F.split``, ``F.get`` and ``F.regexp_extract``.

    What it does:
        ``s.str.split(sep)`` becomes ``F.split(c, <pattern>)``: a one-character
        ``sep`` (or ``regex=False``) is escaped so Spark reads it literally, a longer
        ``sep`` (or ``regex=True``) is a regex, as pandas 2 reads it; ``n=k``
        becomes ``limit=k + 1``. ``.str.get(i)`` on the split result becomes
        ``F.get(arr, i)`` (``F.try_element_at(arr, i + 1)`` for a negative ``i``),
        on text ``F.nullif(F.substring(c, i + 1, 1), F.lit(""))``.
        ``s.str.extract(r"...(group)...")`` with one capture group becomes
        ``F.nullif(F.regexp_extract(c, pattern, 1), F.lit(""))``; a Python named
        group ``(?P<name>...)`` is written ``(?<name>...)`` for Java.

    Why:
        Spark's split pattern is always a Java regex, where ``.`` or ``|`` match
        far more than the literal character pandas splits on. ``arr[i]`` raises
        under ANSI mode when a row has fewer parts, where pandas gives NaN:
        ``F.get`` gives null. ``regexp_extract`` gives ``''`` when the pattern does
        not match, pandas NaN (hence ``nullif``); a group that can legitimately
        match the empty string then gives null where pandas gives ``''``: marked
        partial. Java and Python regexes differ in details (``\\d`` is ASCII only
        in Java). ``split()`` without a separator (runs of whitespace),
        ``expand=True`` (one column per part), a separator regex with capture
        groups (Python keeps the separators) and ``extract`` with several groups
        (a DataFrame) are not converted. ``s.str.split(sep).str[0]`` (indexing
        the accessor) is not dispatched by the engine yet: write ``.str.get(0)``.

    Example:
        Before: ``planes["maker"] = planes["model"].str.split("-").str.get(0)``

        After: ``planes = planes.withColumn("maker", F.get(F.split(F.col("model"), "\\\\-"), 0))``
    """

    code = "PS149"
    name = "str-split-extract"
    receiver = "Series.str"
    methods = ("split", "get", "extract")
    spark = "F.split, F.get, F.nullif(F.regexp_extract(c, p, 1), F.lit(''))"
    status = "partial"
    pandas_docs = "https://pandas.pydata.org/docs/reference/api/pandas.Series.str.split.html"
    spark_docs = "https://spark.apache.org/docs/latest/api/python/reference/pyspark.sql/api/pyspark.sql.functions.split.html"

    def convert(self, site: CallSite) -> Rewrite:
        accessor: Accessor = site.kind
        column = site.receiver.rsplit(".str", 1)[0]
        frame = accessor.column.frame
        if site.method == "split":
            return self._split(site, column, frame)
        if site.method == "get":
            return self._get(site, column, accessor.column, frame)
        return self._extract(site, column, frame)

    def _split(self, site: CallSite, column: str, frame: str | None) -> Rewrite:
        pat = site.get(0, "pat", None)
        n = site.get(1, "n", None)
        for key in ("pat", "n"):
            site.kwargs.pop(key, None)
        site.only("expand", "regex", positional=2)
        if _literal(site.get(None, "expand", None), "expand"):
            raise NotConvertible("expand=True gives one column per part (a DataFrame)")
        sep = _literal(pat, "pat")
        if not isinstance(sep, str) or not sep:
            raise NotConvertible("split() without a literal separator splits on runs of whitespace; no rule yet")
        regex = _literal(site.get(None, "regex", None), "regex")
        is_regex = regex is True or (regex is None and len(sep) > 1)
        if is_regex:
            try:
                groups = re.compile(sep).groups
            except re.error as exc:
                raise NotConvertible(f"the separator is not a valid regex: {exc}") from None
            if groups:
                raise NotConvertible("a separator regex with capture groups: pandas keeps the separators in the result")
            pattern = sep
        else:
            pattern = re.escape(sep)
        limit = _literal(n, "n")
        if limit is not None and not isinstance(limit, int):
            raise NotConvertible(f"n={n.code} is not an integer")
        code = f"F.split({column}, {py_str(pattern)}"
        code += f", {limit + 1})" if limit is not None and limit > 0 else ")"
        return Rewrite(code, Column(frame, dtype="array"), uses=frozenset({"F"}))

    def _get(self, site: CallSite, column: str, kind: Column, frame: str | None) -> Rewrite:
        i = site.get(0, "i", None)
        site.kwargs.pop("i", None)
        site.only(positional=1)
        index = _literal(i, "i")
        if not isinstance(index, int) or isinstance(index, bool):
            raise NotConvertible("get() needs a literal integer position")
        if kind.dtype == "array":
            if index >= 0:
                return Rewrite(f"F.get({column}, {index})", Column(frame), uses=frozenset({"F"}))
            return Rewrite(f"F.try_element_at({column}, F.lit({index}))", Column(frame), uses=frozenset({"F"}))
        if kind.dtype not in (None, "str"):
            raise NotConvertible(f"get() on a {kind.dtype} column")
        # one character of the text: substring gives '' out of range, pandas NaN
        start = index + 1 if index >= 0 else index
        code = f'F.nullif(F.substring({column}, {start}, 1), F.lit(""))'
        return Rewrite(code, Column(frame, dtype="str"), uses=frozenset({"F"}))

    def _extract(self, site: CallSite, column: str, frame: str | None) -> Rewrite:
        pat = site.get(0, "pat", None)
        site.kwargs.pop("pat", None)
        site.only("expand", positional=1)
        pattern = _literal(pat, "pat")
        if not isinstance(pattern, str):
            raise NotConvertible("extract() needs a literal pattern")
        try:
            groups = re.compile(pattern).groups
        except re.error as exc:
            raise NotConvertible(f"the pattern is not a valid regex: {exc}") from None
        if groups != 1:
            raise NotConvertible(f"a pattern with {groups} capture groups gives a DataFrame of {groups} columns")
        java = pattern.replace("(?P<", "(?<")
        if "(?P" in java:
            raise NotConvertible("Python-only regex syntax (?P=name) / (?P>...)")
        code = f'F.nullif(F.regexp_extract({column}, {py_str(java)}, 1), F.lit(""))'
        outcome, note = "converted", None
        if _group_can_be_empty(pattern):
            outcome = "partial"
            note = "the group can match the empty string: pandas gives '', Spark null (no match and empty match look alike)"
        return Rewrite(code, Column(frame, dtype="str"), outcome=outcome, note=note, uses=frozenset({"F"}))
