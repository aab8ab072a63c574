"""PS101 read-csv-with-pandas-defaults."""

import re

from nb2prod.convert.kinds import Frame
from nb2prod.convert.rules._base import MISSING, Arg, CallSite, NotConvertible, Rewrite, Rule, names_of, py_str, register, str_list
from nb2prod.convert.schemas import csv_header

_SETTING = re.compile(r"""config\[(["'])(.+?)\1\]""")


def _named_positions(site: CallSite, path: Arg, value: int | list | tuple) -> list[str]:
    """The column names that ``index_col=<position(s)>`` picks, from the file's header at convert time.

    Raises:
        NotConvertible: the file is not found at convert time (a path computed at run time, a URL,
            a file not beside the notebook) or its header is not plain (empty or repeated names).
    """
    positions = [value] if isinstance(value, int) else list(value)
    text = path.literal_or(None)
    found = _SETTING.fullmatch(path.code)
    if not isinstance(text, str) and found:
        text = site.settings.get(found.group(2))
    sep_arg = site.get(None, "sep", None) or site.get(None, "delimiter", None)
    sep = "\t" if sep_arg is None and site.method == "read_table" else "," if sep_arg is None else sep_arg.literal_or(None)
    encoding = site.get(None, "encoding", None)
    header = csv_header(text, sep, None if encoding is None else encoding.literal_or(None)) if isinstance(text, str) and isinstance(sep, str) else None
    if header is None or not all(isinstance(p, int) and not isinstance(p, bool) and -len(header) <= p < len(header) for p in positions):
        raise NotConvertible(
            "read_csv(index_col=<position>): the file's header was not found at convert time; name the column "
            "(index_col=\"Date\") so that nb2prod knows the index"
        )
    return [header[p] for p in positions]


@register
class ReadCsv(Rule):
    """Read a CSV file with Spark the way pandas reads it.

    What it does:
        ``pd.read_csv(path)`` becomes ``schemas.read_csv(spark, path)``, which reads with
        ``compat.CSV_READ_OPTIONS`` and, when nb2prod found the file at convert time, with the
        explicit schema it inferred then by pandas' type rules (the package's ``schemas.py``,
        a DDL string per file name: no ``inferSchema`` pass over the data; a header or a value
        that no longer matches fails the step naming the file). ``sep``, ``usecols`` and
        ``parse_dates`` are carried over; ``index_col="Date"`` (a name or a list of names) keeps
        the column as a column, first, known as the index, as ``set_index`` does (PS159), and
        ``parse_dates=True`` then parses it; ``index_col=0`` (a position, or a list of them) is
        the same with the name the file's header gives that column, read at convert time (the
        file the notebook names, beside it; not converted when the file is not found then, or its
        header has empty or repeated names, which pandas renames). ``names=cols`` (a file without a header row) reads
        with ``header`` off and Spark's inference, and names the columns with ``.toDF(*cols)``;
        with ``header=0`` too, the file's header row is replaced by ``cols``, as pandas does.

    Why:
        Spark's CSV defaults differ from pandas: no header row (columns named
        ``_c0``...), every column a string, only the empty string read as null,
        and date-like text silently turned into timestamps by ``inferSchema``.
        ``compat.CSV_READ_OPTIONS`` sets ``header``, ``inferSchema``,
        ``nullValue="NA"`` (with the empty string also null, as in pandas) and
        keeps date-like text as strings unless ``parse_dates`` names the column.

    Example:
        Before: ``flights = pd.read_csv("flights.csv", usecols=["carrier", "dep_delay"])``

        After: ``flights = schemas.read_csv(spark, "flights.csv").select("carrier", "dep_delay")``

        Before: ``df = pd.read_csv("magic04.data", names=cols)``

        After: ``df = spark.read.options(**compat.CSV_READ_OPTIONS).option("header", False).csv("magic04.data").toDF(*cols)``
    """

    code = "PS101"
    name = "read-csv-with-pandas-defaults"
    receiver = "pandas"
    methods = ("read_csv", "read_table")
    spark = 'spark.read.schema(ddl).options(header=True, nullValue="NA", mode="FAILFAST", ...).csv(path) (inferSchema=True without a schema)'
    pandas_docs = "https://pandas.pydata.org/docs/reference/api/pandas.read_csv.html"
    spark_docs = "https://spark.apache.org/docs/latest/sql-data-sources-csv.html"

    def convert(self, site: CallSite) -> Rewrite:
        path = site.get(0, "filepath_or_buffer", None)
        if path is None:
            raise NotConvertible("no path given")
        site.kwargs.pop("filepath_or_buffer", None)
        site.only("sep", "delimiter", "usecols", "parse_dates", "low_memory", "encoding", "names", "header", "index_col", positional=1)
        index_col = site.get(None, "index_col", None)
        index: list[str] = []
        value = MISSING if index_col is None else index_col.literal_or(MISSING)
        if index_col is not None and value is not None and value is not False:  # index_col=0 is a position
            if isinstance(value, int) or (isinstance(value, (list, tuple)) and any(isinstance(v, int) for v in value)):
                index = _named_positions(site, path, value)
            else:
                index = names_of(index_col)
        options = []
        names = site.get(None, "names", None)
        header = site.get(None, "header", None)
        header_value = "infer" if header is None else header.literal_or(MISSING)
        if names is None and header_value not in ("infer", 0):
            raise NotConvertible("read_csv() header other than the first row (or none) needs names=: Spark names columns _c0, _c1, ...")
        if names is not None and header_value not in ("infer", None, 0):
            raise NotConvertible("read_csv() names= with a header row other than the first is not supported")
        sep = site.get(None, "sep", None) or site.get(None, "delimiter", None)
        if sep is None and site.method == "read_table":
            options.append('sep="\\t"')
        elif sep is not None:
            options.append(f"sep={sep.code}")
        encoding = site.get(None, "encoding", None)
        if encoding is not None:
            options.append(f"encoding={encoding.code}")
        if names is None:
            code = f"schemas.read_csv(spark, {', '.join([path.code, *options])})"
            uses = {"schemas"}
        else:  # the schemas are inferred from files with a header row: a file named by names= is read as before
            code = f"spark.read.options({', '.join(['**compat.CSV_READ_OPTIONS', *options])})"
            if header_value != 0:  # names= alone: the file has no header row
                code += '.option("header", False)'
            literal = names.literal_or(None)
            literal_names = isinstance(literal, (list, tuple)) and all(isinstance(n, str) for n in literal)
            code += f".csv({path.code}).toDF({str_list(list(literal)) if literal_names else '*' + names.code})"
            uses = {"compat"}
        usecols = site.get(None, "usecols", None)
        if usecols is not None:
            code += f".select({str_list(names_of(usecols))})"
        parse_dates = site.get(None, "parse_dates", None)
        if parse_dates is not None and parse_dates.literal_or(MISSING) is False:
            parse_dates = None
        if parse_dates is not None:
            columns = index if parse_dates.literal_or(MISSING) is True else names_of(parse_dates)
            if not columns:
                raise NotConvertible("read_csv(parse_dates=True) parses the index, and there is none")
            pairs = ", ".join(f"{py_str(c)}: F.to_timestamp({py_str(c)})" for c in columns)
            code += f".withColumns({{{pairs}}})"
        if index:  # as set_index (PS159): the columns stay columns, first, known as the index
            code = f"compat.index_first({code}, [{str_list(index)}])"
            uses = uses | {"compat"}
        return Rewrite(code, Frame(keys=tuple(index)), uses=frozenset(uses | ({"F"} if parse_dates is not None else set())))
