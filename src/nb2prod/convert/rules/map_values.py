"""PS132 map-values."""

from nb2prod.convert.kinds import Column
from nb2prod.convert.rules._base import CallSite, NotApplicable, NotConvertible, Rewrite, Rule, register


@register
class MapValues(Rule):
    """``s.map(dict)`` becomes a lookup in a literal Spark map.

    What it does:
        ``df["c"].map({"a": 1, "b": 2})`` becomes
        ``F.try_element_at(F.create_map(F.lit("a"), F.lit(1), ...), F.col("c"))``.

    Why:
        A value missing from the dict gives NaN in pandas; ``try_element_at``
        gives null (plain ``element_at`` raises in ANSI mode). ``map`` with a
        function runs the function in a pandas UDF (PS138).

    Example:
        Before: ``flights["origin_name"] = flights["origin"].map({"JFK": "Kennedy", "LGA": "LaGuardia", "EWR": "Newark"})``

        After: ``flights = flights.withColumn("origin_name", F.try_element_at(F.create_map(F.lit("JFK"), F.lit("Kennedy"), ...), F.col("origin")))``
    """

    code = "PS132"
    name = "map-values"
    receiver = "Series"
    methods = ("map", "replace")
    spark = "F.try_element_at(F.create_map(...), col)"
    pandas_docs = "https://pandas.pydata.org/docs/reference/api/pandas.Series.map.html"
    spark_docs = "https://spark.apache.org/docs/latest/api/python/reference/pyspark.sql/api/pyspark.sql.functions.create_map.html"

    def convert(self, site: CallSite) -> Rewrite:
        mapping = site.get(0, "arg", None)
        site.kwargs.pop("arg", None)
        site.only(positional=1)
        value = mapping.literal_or(None) if mapping is not None else None
        if site.method == "map" and not isinstance(value, dict):
            raise NotApplicable("map of a function: PS138")
        if not isinstance(value, dict) or not value:
            raise NotConvertible("only a literal dict is converted")
        pairs = ", ".join(f"F.lit({k!r}), F.lit({v!r})" for k, v in value.items())
        lookup = f"F.try_element_at(F.create_map({pairs}), {site.receiver})"
        if site.method == "replace":  # replace keeps values that are not in the dict
            lookup = f"F.coalesce({lookup}, {site.receiver})"
        return Rewrite(lookup, Column(site.kind.frame), uses=frozenset({"F"}))
