"""The contract between the pandas pass and the rule modules."""

from __future__ import annotations

import ast
import inspect
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, Literal

import libcst as cst

if TYPE_CHECKING:
    from nb2prod.convert.passes.pandas_pass import Kind

MISSING = object()


class NotConvertible(Exception):
    """A rule cannot convert this call site; the message is the reason shown to users."""


class NotApplicable(NotConvertible):
    """The call is not a pandas operation after all (``np.where`` on plain arrays): leave it, report nothing."""


@dataclass
class Arg:
    """One argument of a call site: its Spark code, its tracked kind, its literal value if any."""

    code: str
    kind: Kind | None = None
    node: cst.BaseExpression | None = None

    @property
    def literal(self) -> Any:
        """The argument's Python value if it is a literal, else raise :class:`NotConvertible`."""
        try:
            return ast.literal_eval(self.code)
        except (ValueError, SyntaxError):
            raise NotConvertible(f"argument `{self.code}` is not a literal") from None

    def literal_or(self, default: Any) -> Any:
        try:
            return self.literal
        except NotConvertible:
            return default


@dataclass
class CallSite:
    """A pandas call, with its receiver and arguments already in Spark form.

    Attributes:
        method: the pandas name called (``sort_values``, ``read_csv``).
        receiver: Spark code of the object the method is called on; None for
            module functions such as ``pd.read_csv``.
        kind: the tracked kind of the receiver (see :mod:`..passes.pandas_pass`).
        args: positional arguments.
        kwargs: keyword arguments by name.
        function: for module functions, the function as the notebook spells it
            (``pd.DataFrame``, ``DataFrame`` after ``from pandas import DataFrame``).
        settings: the settings the config pass collected (it runs first): key -> value, so that a
            rule can see the value an argument ``config["input_flights"]`` stands for.
    """

    method: str
    receiver: str | None
    kind: Kind | None
    args: list[Arg]
    kwargs: dict[str, Arg]
    function: str | None = None
    settings: dict[str, Any] = field(default_factory=dict)

    def get(self, position: int | None, name: str, default: Any = MISSING) -> Arg | Any:
        """The argument at ``position`` or keyword ``name``, else ``default``."""
        if name in self.kwargs:
            return self.kwargs[name]
        if position is not None and position < len(self.args):
            return self.args[position]
        return default

    def only(self, *allowed: str, positional: int = 0) -> None:
        """Raise :class:`NotConvertible` if the call uses arguments the rule does not handle."""
        extra = sorted(set(self.kwargs) - set(allowed))
        if extra:
            raise NotConvertible(f"{self.method}() argument {', '.join(extra)} is not supported")
        if len(self.args) > positional:
            raise NotConvertible(f"{self.method}() takes at most {positional} positional argument(s) here")


@dataclass
class Rewrite:
    """A rule's result: Spark code, the kind it evaluates to, and how faithful it is."""

    code: str
    kind: Kind | None = None
    outcome: Literal["converted", "partial"] = "converted"
    note: str | None = None
    uses: frozenset[str] = field(default_factory=frozenset)
    #: how the call runs on Spark: "native" (Spark functions), or a fallback tier, most distributed
    #: first: "pandas_udf", "applyInPandas", "mapInPandas", "collect" (a small result collected by Spark).
    #: (The "driver" tier, the notebook's pandas code on the driver, is not a rule's: see nb2prod.convert.driver.)
    tier: str = "native"


class Rule:
    """Base class of a conversion rule. Subclasses set the class attributes and ``convert``.

    Attributes:
        code: stable code, ``PS1xx``; never reused.
        name: kebab-case name.
        receiver: ``"pandas"`` (module function), ``"DataFrame"``, ``"Series"`` or ``"GroupBy"``
            (or a tuple of them); ``"expression"`` for rules the pass applies to operators.
        methods: pandas names handled (called).
        properties: pandas attributes handled without a call (``s.dt.year``).
        spark: the Spark form, for the docs table.
        status: ``native``, ``partial`` (a difference from pandas remains in some uses) or
            ``fallback`` (runs through a fallback tier: pandas UDF, applyInPandas, driver).
        pandas_docs, spark_docs: the documentation pages the rule follows.
    """

    code: ClassVar[str]
    name: ClassVar[str]
    receiver: ClassVar[str | tuple[str, ...]]
    methods: ClassVar[tuple[str, ...]]
    spark: ClassVar[str]
    status: ClassVar[str] = "native"
    properties: ClassVar[tuple[str, ...]] = ()
    pandas_docs: ClassVar[str] = ""
    spark_docs: ClassVar[str] = ""

    def convert(self, site: CallSite) -> Rewrite:  # pragma: no cover - abstract
        raise NotImplementedError


REGISTRY: dict[str, Rule] = {}
#: (receiver, method) -> the rules that may convert it, tried in order; a rule raises
#: NotApplicable for calls that are not its own (Series.map of a dict vs of a function)
DISPATCH: dict[tuple[str, str], list[Rule]] = {}
#: (receiver, attribute) -> rule, for attributes read without a call (``s.dt.year``)
PROPERTIES: dict[tuple[str, str], Rule] = {}


def register(cls: type[Rule]) -> type[Rule]:
    """Class decorator: add a rule to the registry and dispatch table."""
    rule = cls()
    if cls.code in REGISTRY:
        raise RuntimeError(f"duplicate rule code {cls.code}")
    REGISTRY[cls.code] = rule
    receivers = (cls.receiver,) if isinstance(cls.receiver, str) else cls.receiver
    for receiver in receivers:
        for method in cls.methods:
            DISPATCH.setdefault((receiver, method), []).append(rule)
        for attribute in cls.properties:
            PROPERTIES[(receiver, attribute)] = rule
    return cls


def explain_rule(registry: dict[str, Rule], code: str) -> str | None:
    rule = registry.get(code.upper())
    if rule is None:
        return None
    doc = inspect.cleandoc(type(rule).__doc__ or "")
    head = f"{rule.code} {rule.name} ({rule.status})"
    links = "\n".join(f"- {u}" for u in (rule.pandas_docs, rule.spark_docs) if u)
    return f"{head}\n\n{doc}\n\npandas: {', '.join(rule.methods)}\nSpark: {rule.spark}\n\nDocumentation followed:\n{links}\n"


def py_str(text: str) -> str:
    """A double-quoted Python literal for ``text``."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def name_ref(name: str) -> str:
    """A string literal naming column ``name`` where Spark resolves names (``select``, ``F.col``):
    a name with a dot or a backtick is quoted (``"`area (sq. mi)`"``), since Spark reads ``a.b``
    as field ``b`` of struct ``a``; any other name as ``py_str`` gives it."""
    if "." in name or "`" in name:
        name = "`" + name.replace("`", "``") + "`"
    return py_str(name)


def col_ref(name: str) -> str:
    """``F.col("name")`` for a column by its exact name (quoted as ``name_ref`` says)."""
    return f"F.col({name_ref(name)})"


def lit(value) -> str:
    """``F.lit(value)`` for a literal label: a string as ``py_str`` gives it, anything else by ``repr``."""
    return f"F.lit({py_str(value) if isinstance(value, str) else repr(value)})"


def category_rank(name: str, labels: tuple) -> str:
    """Spark code of the 1-based position of column ``name``'s value among ``labels``.

    Sorting by it sorts an ordered categorical (``pd.cut`` labels) in category order, as pandas does,
    where the Spark strings would sort alphabetically; a null value stays null, so ``F.asc_nulls_last``
    and friends place it as they place a null column value. Follows
    https://spark.apache.org/docs/latest/api/python/reference/pyspark.sql/api/pyspark.sql.functions.array_position.html
    """
    return f"F.array_position(F.array({', '.join(lit(v) for v in labels)}), {col_ref(name)})"


def names_of(arg: Arg) -> list[str]:
    """Column names from a literal ``"a"`` or ``["a", "b"]``."""
    value = arg.literal
    if isinstance(value, str):
        return [value]
    if isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value):
        return list(value)
    raise NotConvertible(f"`{arg.code}` is not a column name or list of names")


def str_list(names: list[str]) -> str:
    return ", ".join(py_str(n) for n in names)
