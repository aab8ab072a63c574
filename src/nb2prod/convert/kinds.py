"""What the pandas pass knows a name or expression holds, across cells.

Kinds are tracked by meaning, not spelling: a name is a :class:`Frame` because
it was bound to the result of ``pandas.read_csv`` (however imported) or of a
converted DataFrame operation; a name bound to anything else is never
rewritten.
"""

from __future__ import annotations

from dataclasses import dataclass


class Kind:
    """Base class of tracked kinds."""


@dataclass(frozen=True)
class Frame(Kind):
    """A pandas DataFrame, now a Spark DataFrame.

    Attributes:
        sorted: rows have a defined order (after ``orderBy``).
        keys: pandas would hold these group keys in the index; Spark has them as columns.
        series_col: pandas has a Series here (``gb["v"].sum()``, ``value_counts()``);
            the Spark column holding its values.
        bools: columns known to be boolean (built from comparisons).
        order: the sort the rows are in, as (column, ascending) pairs with missing
            values last (``sort_values``' default); window forms need it.
        categories: columns pandas holds as ordered categoricals (``pd.cut`` labels),
            as (column, labels in category order) pairs: pandas sorts and groups
            them in that order, Spark's strings sort alphabetically.
    """

    sorted: bool = False
    keys: tuple[str, ...] = ()
    series_col: str | None = None
    bools: frozenset[str] = frozenset()
    order: tuple[tuple[str, bool], ...] = ()
    categories: tuple[tuple[str, tuple], ...] = ()


@dataclass(frozen=True)
class Grouped(Kind):
    """``df.groupby(keys)``, optionally with selected columns; Spark code is emitted at the aggregation."""

    frame: str
    keys: tuple[str, ...]
    selection: tuple[str, ...] | None = None
    single: bool = False
    dropna: bool = True
    sort: bool = True
    bools: frozenset[str] = frozenset()
    as_index: bool = True
    order: tuple[tuple[str, bool], ...] = ()
    categories: tuple[tuple[str, tuple], ...] = ()


@dataclass(frozen=True)
class Column(Kind):
    """A pandas Series expression, now a Spark Column expression.

    Attributes:
        frame: Spark code of the DataFrame the column comes from, when known.
        name: the column name when this is a plain column reference.
        dtype: ``"bool"`` or ``"str"`` when known.
        categories: the labels in category order when pandas holds an ordered
            categorical here (``pd.cut``).
    """

    frame: str | None = None
    name: str | None = None
    dtype: str | None = None
    order: tuple[tuple[str, bool], ...] = ()
    categories: tuple | None = None


def categories_of(kind: Kind | None, columns=None) -> tuple[tuple[str, tuple], ...]:
    """The ``(column, labels)`` pairs of ``kind`` (a Frame or Grouped; ``()`` for other kinds), only
    those of ``columns`` (an iterable of names) when given."""
    if not isinstance(kind, (Frame, Grouped)):
        return ()
    pairs = kind.categories
    if columns is None:
        return pairs
    wanted = set(columns)
    return tuple(pair for pair in pairs if pair[0] in wanted)


def categories_without(kind: Kind | None, columns) -> tuple[tuple[str, tuple], ...]:
    """The ``(column, labels)`` pairs of ``kind`` but those of ``columns`` (names replaced or dropped)."""
    gone = set(columns)
    return tuple(pair for pair in categories_of(kind) if pair[0] not in gone)


def category_labels(kind: Kind | None, column: str) -> tuple | None:
    """The labels of ``column`` in category order when ``kind`` (a Frame or Grouped) holds it as an
    ordered categorical, else None."""
    return dict(categories_of(kind)).get(column)


@dataclass(frozen=True)
class Frames(Kind):
    """A list literal of DataFrames (``[a, b]``), as ``pd.concat`` takes; ``codes`` is each one's Spark code."""

    codes: tuple[str, ...]


@dataclass(frozen=True)
class Accessor(Kind):
    """``series.str`` or ``series.dt``: the methods after it act on ``column``."""

    name: str
    column: Column


@dataclass(frozen=True)
class Rolling(Kind):
    """``series.rolling(window, min_periods)``: the aggregation after it is a window over ``column``'s frame order."""

    column: Column
    window: int
    min_periods: int


@dataclass(frozen=True)
class Scalar(Kind):
    """A Python value computed from Spark (a count, a mean)."""


#: spellings of a missing value; in a Spark column they are null (NaN would be written out as "NaN")
MISSING_VALUES = frozenset({"np.nan", "numpy.nan", "np.NaN", "pd.NA", "pandas.NA", "None", 'float("nan")', "float('nan')"})


def column_code(code: str, kind: Kind | None) -> str:
    """Spark code usable where a Column is needed: Columns as they are, anything else in ``F.lit``.

    A missing value (``np.nan``, ``pd.NA``, ``None``) becomes ``F.lit(None)``: pandas treats NaN as
    missing, Spark keeps NaN and null apart.
    """
    if isinstance(kind, Column):
        return code
    return "F.lit(None)" if code in MISSING_VALUES else f"F.lit({code})"


@dataclass(frozen=True)
class Driver(Kind):
    """A pandas object on the driver: bound by a statement that runs in the driver tier.

    Operations on it stay pandas code and are counted as ``driver`` call sites.
    """


@dataclass(frozen=True)
class Unknown(Kind):
    """A value that may hold a pandas object, of a kind the pass could not decide.

    Operations on it are counted as ``unresolved`` call sites, never left out.
    """


#: kinds whose values are Spark objects in the generated code
SPARK_KINDS = (Frame, Grouped, Column, Frames, Accessor, Rolling)
