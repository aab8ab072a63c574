"""PS159 set-index."""

from nb2prod.convert.kinds import Frame
from nb2prod.convert.rules._base import CallSite, NotConvertible, Rewrite, Rule, names_of, register, str_list


@register
class SetIndex(Rule):
    """``set_index(columns)`` keeps the columns as columns, first, known as the index.

    What it does:
        ``df.set_index("Date")`` (or a list of names) becomes ``compat.index_first(df, ["Date"])``
        (the same columns, those first), tracked as a frame whose index is those columns,
        exactly as the keys of a ``groupby`` aggregation are: ``reset_index()`` then needs no
        code and ``reset_index(drop=True)`` drops them, ``to_csv`` writes them first as pandas
        writes the index, and a statement that goes to the driver gets the pandas
        frame with that index set again (``driver.pandas(df, 'df', index=['Date'])``), so
        label lookups (``.loc['2010']``), ``.index`` and index joins keep pandas' meaning.

    Why:
        Spark DataFrames have no index. Moving a column into pandas' index changes no value; what
        the notebook does with the index afterwards is what needs converting, and each rule that
        knows a frame's keys handles them.

        ``drop=False`` (the column both in the index and among the columns), ``append=True``
        (a MultiIndex over the existing index), ``verify_integrity=True``, keys that are arrays
        rather than column names, and a frame already indexed by group keys are not converted.

    Example:
        Before: ``stocks = stocks.set_index("Date")``

        After: ``stocks = compat.index_first(stocks, ["Date"])``
    """

    code = "PS159"
    name = "set-index"
    receiver = "DataFrame"
    methods = ("set_index",)
    spark = "df.select(*keys, *others) (compat.index_first)"
    pandas_docs = "https://pandas.pydata.org/docs/reference/api/pandas.DataFrame.set_index.html"
    spark_docs = "https://spark.apache.org/docs/latest/api/python/reference/pyspark.sql/dataframe.html"

    def convert(self, site: CallSite) -> Rewrite:
        keys = site.get(0, "keys", None)
        if keys is None:
            raise NotConvertible("no index columns given")
        site.only("keys", "drop", "append", "verify_integrity", positional=1)
        for option, default in (("drop", True), ("append", False), ("verify_integrity", False)):
            arg = site.get(None, option, None)
            if arg is not None and arg.literal is not default:
                raise NotConvertible(f"set_index({option}={arg.code}) keeps pandas' index and columns apart")
        kind = site.kind if isinstance(site.kind, Frame) else Frame()
        if kind.keys:
            raise NotConvertible("set_index() replaces an index of group keys: the old keys would be dropped")
        names = names_of(keys)
        return Rewrite(
            f"compat.index_first({site.receiver}, [{str_list(names)}])",
            Frame(sorted=kind.sorted, keys=tuple(names), bools=kind.bools, order=kind.order, categories=kind.categories),
            uses=frozenset({"compat"}),
        )
