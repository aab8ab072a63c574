"""PS152 sample."""

from __future__ import annotations

from nb2prod.convert.kinds import Frame
from nb2prod.convert.rules._base import CallSite, NotConvertible, Rewrite, Rule, register


@register
class Sample(Rule):
    """``sample`` becomes Spark's ``sample`` (or a random order and ``limit``): always partial.

    What it does:
        ``df.sample(frac=f, random_state=s)`` becomes ``df.sample(fraction=f, seed=s)``
        (``replace=True``: ``withReplacement=True``); ``df.sample(frac=1, random_state=s)``,
        the shuffle idiom, becomes ``df.orderBy(F.rand(s))``; ``df.sample(n=k, random_state=s)``
        becomes ``df.orderBy(F.rand(s)).limit(k)``.

    Why:
        pandas draws exactly ``round(frac * len(df))`` rows with NumPy's generator;
        Spark keeps each row with probability ``f`` (Bernoulli sampling), so the count
        is only close to ``f * count`` and the rows differ from pandas' even with the
        same seed. ``orderBy(F.rand(s)).limit(k)`` gives exactly ``k`` rows (all rows
        for ``frac=1``), still not pandas' rows or order. Results that depend on which
        rows were drawn cannot match the notebook: partial. ``weights``, ``axis`` and
        ``n`` with ``replace=True`` are not converted.

    Example:
        Before: ``train = flights.sample(frac=0.8, random_state=42)``

        After: ``train = flights.sample(fraction=0.8, seed=42)``
    """

    code = "PS152"
    name = "sample"
    receiver = "DataFrame"
    methods = ("sample",)
    spark = "df.sample(fraction=f, seed=s); df.orderBy(F.rand(s)).limit(n)"
    status = "partial"
    pandas_docs = "https://pandas.pydata.org/docs/reference/api/pandas.DataFrame.sample.html"
    spark_docs = "https://spark.apache.org/docs/latest/api/python/reference/pyspark.sql/api/pyspark.sql.DataFrame.sample.html"

    def convert(self, site: CallSite) -> Rewrite:
        n = site.get(0, "n", None)
        frac = site.get(1, "frac", None)
        replace = site.get(2, "replace", None)
        for key in ("n", "frac", "replace"):
            site.kwargs.pop(key, None)
        seed = site.get(None, "random_state", None)
        site.kwargs.pop("random_state", None)
        site.only(positional=3)
        with_replacement = replace is not None and replace.literal is True
        kind = site.kind if isinstance(site.kind, Frame) else Frame()
        result = Frame(bools=kind.bools, categories=kind.categories)
        rand = f"F.rand({seed.code})" if seed is not None else "F.rand()"
        if frac is not None and n is not None:
            raise NotConvertible("n and frac together (pandas raises)")
        if frac is None:
            count = 1 if n is None else n.literal_or(None)
            if not isinstance(count, int) or isinstance(count, bool) or count < 0:
                raise NotConvertible(f"n={n.code if n else None} is not a literal row count")
            if with_replacement:
                raise NotConvertible("n= with replace=True draws rows more than once; no Spark form")
            note = "a random choice of exactly n rows, not the rows pandas draws"
            code = f"{site.receiver}.orderBy({rand}).limit({count})"
            return Rewrite(code, result, outcome="partial", note=note, uses=frozenset({"F"}))
        fraction = frac.literal_or(None)
        if isinstance(fraction, bool) or not isinstance(fraction, (int, float)) or fraction < 0:
            raise NotConvertible(f"frac={frac.code} is not a literal fraction")
        if fraction > 1 and not with_replacement:
            raise NotConvertible("frac > 1 without replace=True (pandas raises)")
        if fraction == 1 and not with_replacement:
            note = "every row in a random order, not pandas' order"
            return Rewrite(f"{site.receiver}.orderBy({rand})", result, outcome="partial", note=note, uses=frozenset({"F"}))
        args = ["withReplacement=True"] if with_replacement else []
        args.append(f"fraction={float(fraction)!r}")
        if seed is not None:
            args.append(f"seed={seed.code}")
        note = "Spark keeps each row with probability frac: about frac * count rows, not the rows pandas draws"
        return Rewrite(f"{site.receiver}.sample({', '.join(args)})", result, outcome="partial", note=note)
