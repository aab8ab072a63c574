"""PS141 melt."""

from __future__ import annotations

from nb2prod.convert.kinds import Frame
from nb2prod.convert.rules._base import CallSite, NotConvertible, Rewrite, Rule, names_of, py_str, register, str_list


@register
class Melt(Rule):
    """``melt`` becomes ``unpivot`` with pandas' default column names.

    What it does:
        ``df.melt(id_vars=ids, value_vars=vals, var_name=v, value_name=x)`` and
        ``pd.melt(df, ...)`` become ``df.unpivot([ids], [vals], v, x)``. Without
        ``value_vars`` every column not in ``id_vars`` is unpivoted (Spark's
        ``values=None`` means the same); ``var_name`` defaults to
        ``"variable"`` and ``value_name`` to ``"value"`` as in pandas.

    Why:
        Spark has the same operation under another name, with the names of the
        two new columns required. Two differences remain, neither silent:
        pandas returns the rows value column by value column, Spark row by row
        (the result has no order either way until sorted); and pandas puts
        values of different types into one object column, where Spark widens
        numbers (``int`` and ``double`` give ``double``, as in pandas) and
        stops with ``UNPIVOT_VALUE_DATA_TYPE_MISMATCH`` for mixes such as
        numbers and text: cast the columns to one type first. ``col_level``
        and ``ignore_index=False`` concern the index: not converted.

    Example:
        Before: ``long = delays.melt(id_vars=["carrier"], value_vars=["dep_delay", "arr_delay"], var_name="kind")``

        After: ``long = delays.unpivot(["carrier"], ["dep_delay", "arr_delay"], "kind", "value")``
    """

    code = "PS141"
    name = "melt"
    receiver = ("DataFrame", "pandas")
    methods = ("melt",)
    spark = 'df.unpivot(ids, values, "variable", "value")'
    pandas_docs = "https://pandas.pydata.org/docs/reference/api/pandas.DataFrame.melt.html"
    spark_docs = "https://spark.apache.org/docs/latest/api/python/reference/pyspark.sql/api/pyspark.sql.DataFrame.unpivot.html"

    def convert(self, site: CallSite) -> Rewrite:
        args = list(site.args)
        receiver = site.receiver
        if receiver is None:  # pd.melt(frame, id_vars, ...)
            frame = args.pop(0) if args else site.kwargs.pop("frame", None)
            if frame is None or not isinstance(frame.kind, Frame):
                raise NotConvertible("pd.melt of something other than a DataFrame")
            receiver = frame.code
        names = ("id_vars", "value_vars", "var_name", "value_name")
        for position, arg in enumerate(args):
            if position >= len(names) or names[position] in site.kwargs:
                raise NotConvertible("unexpected positional arguments")
            site.kwargs[names[position]] = arg
        site.args = []
        ignore = site.kwargs.pop("ignore_index", None)
        if ignore is not None and ignore.literal is not True:
            raise NotConvertible("ignore_index=False keeps the index, which Spark has not")
        site.only(*names)
        ids = self._names(site.get(None, "id_vars", None))
        values = self._names(site.get(None, "value_vars", None))
        if values == []:
            raise NotConvertible("an empty value_vars list gives an empty frame")
        var_name = self._name(site.get(None, "var_name", None), "variable")
        value_name = self._name(site.get(None, "value_name", None), "value")
        values_code = "None" if values is None else f"[{str_list(values)}]"
        code = f"{receiver}.unpivot([{str_list(ids or [])}], {values_code}, {var_name}, {value_name})"
        return Rewrite(code, Frame())

    @staticmethod
    def _names(arg) -> list[str] | None:
        if arg is None or arg.code == "None":
            return None
        return names_of(arg)

    @staticmethod
    def _name(arg, default: str) -> str:
        if arg is None or arg.code == "None":
            return py_str(default)
        value = arg.literal_or(None)
        if isinstance(value, str):
            return py_str(value)
        raise NotConvertible(f"`{arg.code}` is not a literal column name")
