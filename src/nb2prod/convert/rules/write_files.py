"""PS125 write-files."""

from nb2prod.convert.kinds import Frame
from nb2prod.convert.rules._base import CallSite, NotConvertible, Rewrite, Rule, register

FORMATS = {"to_csv": "csv", "to_parquet": "parquet", "to_json": "json"}
#: pandas compression name -> Spark codec name
CODECS = {None: "none", "gzip": "gzip", "bz2": "bzip2", "zstd": "zstd", "snappy": "snappy", "lz4": "lz4"}


@register
class WriteFiles(Rule):
    """``to_csv`` / ``to_parquet`` / ``to_json`` become ``DataFrame.write``.

    What it does:
        ``df.to_csv(path, index=False)`` becomes
        ``df.write.mode("overwrite").options(**compat.CSV_WRITE_OPTIONS).csv(path, header=True)``; likewise
        ``.parquet(path)`` and ``.json(path)`` (JSON Lines). ``compression``
        becomes Spark's codec of the same name (``bz2`` is ``bzip2``).

    Why:
        pandas overwrites a file; Spark's default mode fails when the path
        exists, so ``overwrite`` keeps re-runs working. Spark's CSV writer
        trims leading and trailing spaces from values by default; pandas keeps
        them, so ``compat.CSV_WRITE_OPTIONS`` turns trimming off. Spark writes a
        directory of part files at ``path``, not a single file: readers
        (Spark, pandas ``read_csv`` of each part, DuckDB globs) read it as one
        dataset. The pandas index is written only when it holds group keys,
        which the Spark DataFrame has as columns; otherwise an index that
        pandas would write is left out (partial). ``to_json`` matches only as
        ``orient="records", lines=True``; pandas' default writes one JSON
        document (partial).

    Example:
        Before: ``by_carrier.to_csv("out/by_carrier.csv", index=False)``

        After: ``by_carrier.write.mode("overwrite").options(**compat.CSV_WRITE_OPTIONS).csv("out/by_carrier.csv", header=True)``
    """

    code = "PS125"
    name = "write-files"
    receiver = "DataFrame"
    methods = tuple(FORMATS)
    spark = 'df.write.mode("overwrite").csv(path, header=True) / .parquet(path) / .json(path)'
    status = "partial"
    pandas_docs = "https://pandas.pydata.org/docs/reference/api/pandas.DataFrame.to_csv.html"
    spark_docs = "https://spark.apache.org/docs/latest/api/python/reference/pyspark.sql/api/pyspark.sql.DataFrameWriter.csv.html"

    def convert(self, site: CallSite) -> Rewrite:
        path = site.get(0, "path", None) or site.get(None, "path_or_buf", None)
        if path is None:
            raise NotConvertible("no path: writing to a string has no Spark equivalent")
        for key in ("path", "path_or_buf"):
            site.kwargs.pop(key, None)
        index = site.get(None, "index", None)
        site.kwargs.pop("index", None)
        site.only("sep", "header", "orient", "lines", "compression", "engine", positional=1)
        fmt = FORMATS[site.method]
        options = [path.code]
        compression = site.get(None, "compression", None)
        if compression is not None:
            codec = compression.literal
            if codec not in CODECS:
                raise NotConvertible(f"compression={compression.code} has no Spark codec")
            options.append(f'compression="{CODECS[codec]}"')
        if fmt == "csv":
            header = site.get(None, "header", None)
            options.append(f"header={header.code if header is not None else True}")
            sep = site.get(None, "sep", None)
            if sep is not None:
                options.append(f"sep={sep.code}")
        writer = f'{site.receiver}.write.mode("overwrite")'
        if fmt == "csv":
            writer += ".options(**compat.CSV_WRITE_OPTIONS)"
        code = f'{writer}.{fmt}({", ".join(options)})'
        uses = frozenset({"compat"}) if fmt == "csv" else frozenset()
        kind = site.kind if isinstance(site.kind, Frame) else Frame()
        if fmt == "json":
            orient, lines = site.get(None, "orient", None), site.get(None, "lines", None)
            if orient is None or orient.literal != "records" or lines is None or lines.literal is not True:
                return Rewrite(
                    code, None, outcome="partial", uses=uses,
                    note="Spark writes JSON Lines; pandas writes this as one JSON document (orient='records', lines=True matches)",
                )
            return Rewrite(code, None, uses=uses)  # records as JSON Lines: no index written
        writes_index = index is None or index.literal is not False
        if writes_index and not kind.keys and fmt != "parquet":
            return Rewrite(code, None, outcome="partial", note="pandas also writes the row index; Spark has none", uses=uses)
        return Rewrite(code, None, uses=uses)
