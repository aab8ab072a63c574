"""PS143 query."""

from __future__ import annotations

import ast
import math
import re
from dataclasses import dataclass

from nb2prod.convert.kinds import Frame
from nb2prod.convert.rules._base import CallSite, NotConvertible, Rewrite, Rule, register

_BACKTICK = "__nb2prod_bt_"
_AT = "__nb2prod_at_"
_IDENT = re.compile(r"[A-Za-z_]\w*")
_ARITH = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*"}
_COMPARE = {ast.Lt: "<", ast.Gt: ">", ast.LtE: "<=", ast.GtE: ">="}
_NULL_TESTS = {"isna": "IS NULL", "isnull": "IS NULL", "notna": "IS NOT NULL", "notnull": "IS NOT NULL"}


@dataclass(frozen=True)
class Py:
    """Python code whose value is inlined into the SQL at run time."""

    code: str


Sql = list  # of str (SQL text) and Py (run-time values)


def sql_string(text: str) -> str:
    """A Spark SQL string literal (backslash escapes, Spark's default)."""
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _prepare(expr: str) -> tuple[str, list[str]]:
    """pandas' query syntax as Python: backticked names and ``@var`` become identifiers,
    ``&``/``|`` become ``and``/``or`` (pandas gives them the boolean operators' precedence)."""
    out, names, i, quote = [], [], 0, None
    while i < len(expr):
        ch = expr[i]
        if quote:
            out.append(ch)
            if ch == "\\" and i + 1 < len(expr):
                out.append(expr[i + 1])
                i += 1
            elif ch == quote:
                quote = None
        elif ch in "'\"":
            quote = ch
            out.append(ch)
        elif ch == "`":
            end = expr.find("`", i + 1)
            if end < 0:
                raise NotConvertible("unbalanced backtick in the query")
            names.append(expr[i + 1 : end])
            out.append(f" {_BACKTICK}{len(names) - 1} ")
            i = end
        elif ch == "@":
            match = _IDENT.match(expr, i + 1)
            if not match:
                raise NotConvertible("`@` not followed by a name")
            out.append(f"{_AT}{match.group()}")
            i = match.end() - 1
        elif ch == "&":
            out.append(" and ")
        elif ch == "|":
            out.append(" or ")
        else:
            out.append(ch)
        i += 1
    if quote:
        raise NotConvertible("unterminated string in the query")
    return "".join(out), names


class _Translator:
    def __init__(self, backticked: list[str]) -> None:
        self.backticked = backticked

    # -- values computed in Python: @var, @var.attr, @var[0] -----------------------------------
    def python(self, node: ast.AST) -> str | None:
        """The Python code of ``node`` if it only involves ``@`` variables, else None."""
        names = [n for n in ast.walk(node) if isinstance(n, ast.Name)]
        if not names or not all(n.id.startswith(_AT) for n in names):
            return None
        if not isinstance(node, (ast.Name, ast.Attribute, ast.Subscript)):
            return None

        class Restore(ast.NodeTransformer):
            def visit_Name(self, n):
                return ast.copy_location(ast.Name(n.id[len(_AT) :], n.ctx), n)

        code = ast.unparse(Restore().visit(ast.parse(ast.unparse(node), mode="eval")).body)
        if '"' in code or "\\" in code or "{" in code or "}" in code:
            raise NotConvertible(f"`@{code}` cannot be inlined into the filter string")
        return code

    def column(self, node: ast.AST) -> str | None:
        if not isinstance(node, ast.Name) or node.id.startswith(_AT):
            return None
        name = self.backticked[int(node.id[len(_BACKTICK) :])] if node.id.startswith(_BACKTICK) else node.id
        if name == "index":
            raise NotConvertible("the query uses the index, which Spark has not")
        return "`" + name.replace("`", "``") + "`"

    # -- expressions ------------------------------------------------------------------------------
    def sql(self, node: ast.AST) -> Sql:
        if isinstance(node, ast.BoolOp):
            op = " AND " if isinstance(node.op, ast.And) else " OR "
            parts: Sql = ["("]
            for i, value in enumerate(node.values):
                parts += ([op] if i else []) + self.sql(value)
            return parts + [")"]
        if isinstance(node, ast.UnaryOp):
            if isinstance(node.op, (ast.Not, ast.Invert)):
                # pandas' missing comparison is False, so its negation is True; Spark's NOT null is null
                return ["NOT coalesce(", *self.sql(node.operand), ", false)"]
            if isinstance(node.op, ast.USub):
                return ["(-", *self.sql(node.operand), ")"]
            if isinstance(node.op, ast.UAdd):
                return self.sql(node.operand)
        if isinstance(node, ast.Compare):
            left, preds = node.left, []
            for op, right in zip(node.ops, node.comparators):
                preds.append(self.compare(left, op, right))
                left = right
            if len(preds) == 1:
                return preds[0]
            out: Sql = ["("]
            for i, pred in enumerate(preds):
                out += ([" AND "] if i else []) + pred
            return out + [")"]
        if isinstance(node, ast.BinOp):
            return self.arithmetic(node)
        if isinstance(node, ast.Call):
            return self.call(node)
        if isinstance(node, ast.Constant):
            return [self.constant(node.value)]
        column = self.column(node)
        if column is not None:
            return [column]
        python = self.python(node)
        if python is not None:
            return [Py(f"compat.sql_literal({python})")]
        raise NotConvertible(f"`{ast.unparse(node)}` has no Spark SQL translation here")

    def constant(self, value) -> str:
        if value is None:
            return "NULL"
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, int):
            return str(value)
        if isinstance(value, float):
            if not math.isfinite(value):
                raise NotConvertible("a NaN or infinite literal in the query")
            return repr(value)
        if isinstance(value, str):
            return sql_string(value)
        raise NotConvertible(f"literal {value!r} in the query")

    def values(self, node: ast.AST) -> list | None:
        """The literal items of a list/tuple/set, or None if ``node`` is not one."""
        if not isinstance(node, (ast.List, ast.Tuple, ast.Set)):
            return None
        try:
            return list(ast.literal_eval(node))
        except ValueError:
            raise NotConvertible(f"`{ast.unparse(node)}`: only literal values in a list") from None

    def isin(self, left: ast.AST, right: ast.AST) -> Sql:
        column = self.sql(left)
        items = self.values(right)
        if items is not None:
            # pandas' isin matches NaN only with NaN, which a query string cannot spell; None never
            # matches the NaN read_csv gives for a missing value, and NULL never matches in Spark's IN
            present = [v for v in items if v is not None]
            return [*column, f" IN ({', '.join(self.constant(v) for v in present)})"] if present else ["false"]
        python = self.python(right)
        if python is None:
            raise NotConvertible(f"`in {ast.unparse(right)}`: a list or an @variable is needed")
        if len(column) != 1 or not isinstance(column[0], str) or re.search(r"['\"\\{}]", column[0]):
            raise NotConvertible("`in @var` needs a plain column on the left")
        return [Py(f"compat.sql_isin({column[0]!r}, {python})")]

    def compare(self, left: ast.AST, op: ast.cmpop, right: ast.AST) -> Sql:
        if isinstance(op, (ast.In, ast.Eq)) and (isinstance(op, ast.In) or self.values(right) is not None):
            return self.isin(left, right)  # pandas: `a == [1, 2]` is `a in [1, 2]`
        if isinstance(op, (ast.NotIn, ast.NotEq)) and (isinstance(op, ast.NotIn) or self.values(right) is not None):
            return ["NOT coalesce(", *self.isin(left, right), ", false)"]
        a, b = self.sql(left), self.sql(right)
        if isinstance(op, ast.Eq):
            return ["(", *a, " = ", *b, ")"]
        if isinstance(op, ast.NotEq):  # pandas keeps rows where the value is missing; null-safe equality does too
            return ["NOT (", *a, " <=> ", *b, ")"]
        if type(op) in _COMPARE:
            return ["(", *a, f" {_COMPARE[type(op)]} ", *b, ")"]
        raise NotConvertible(f"operator {type(op).__name__} in the query")

    def arithmetic(self, node: ast.BinOp) -> Sql:
        a, b = self.sql(node.left), self.sql(node.right)
        op = type(node.op)
        texts = [n for n in (node.left, node.right) if isinstance(n, ast.Constant) and isinstance(n.value, str)]
        if op is ast.Add and texts:
            return ["concat(", *a, ", ", *b, ")"]
        if op in _ARITH:
            return ["(", *a, f" {_ARITH[op]} ", *b, ")"]
        if op is ast.Div:  # pandas gives inf for x / 0; Spark's ANSI mode raises
            return ["try_divide(", *a, ", ", *b, ")"]
        if op is ast.FloorDiv:
            return ["floor(try_divide(", *a, ", ", *b, "))"]
        if op is ast.Mod:  # pandas' % takes the divisor's sign
            return ["pmod(", *a, ", ", *b, ")"]
        if op is ast.Pow:
            return ["power(", *a, ", ", *b, ")"]
        raise NotConvertible(f"operator {op.__name__} in the query")

    def call(self, node: ast.Call) -> Sql:
        func = node.func
        if isinstance(func, ast.Attribute) and func.attr in _NULL_TESTS and not node.args and not node.keywords:
            return ["(", *self.sql(func.value), f" {_NULL_TESTS[func.attr]})"]
        raise NotConvertible(f"`{ast.unparse(node)}`: calls other than isna()/notna() in a query")


def translate(expr: str) -> Sql:
    """pandas query text as Spark SQL parts (text, and Python values inlined at run time)."""
    text, backticked = _prepare(expr)
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError:
        raise NotConvertible("the query is not a single expression nb2prod can read") from None
    return _Translator(backticked).sql(tree.body)


def python_string(parts: Sql) -> str:
    """A Python string literal for the SQL: an f-string when a value is inlined at run time."""
    dynamic = any(isinstance(p, Py) for p in parts)
    out = []
    for part in parts:
        if isinstance(part, Py):
            out.append("{" + part.code + "}")
        else:
            text = part.replace("\\", "\\\\").replace('"', '\\"')
            out.append(text.replace("{", "{{").replace("}", "}}") if dynamic else text)
    return ("f" if dynamic else "") + '"' + "".join(out) + '"'


@register
class Query(Rule):
    """``query("...")`` becomes ``filter("...")`` with the expression in Spark SQL and pandas' handling of missing values.

    What it does:
        ``df.query("a > 1 and b != 'x' and c in ['p', 'q']")`` becomes
        ``df.filter("((`a` > 1) AND NOT (`b` <=> 'x') AND `c` IN ('p', 'q'))")``:
        ``and``/``or``/``not`` and ``&``/``|``/``~``, comparisons (chained too),
        ``in``/``not in`` and ``== [..]``, arithmetic, ``isna()``/``notna()``,
        backticked names. ``@var`` is inlined at run time as a quoted Spark SQL
        literal (``compat.sql_literal``), so text cannot break out of the
        string; ``in @values`` becomes ``compat.sql_isin``.

    Why:
        In pandas a comparison with a missing value is False, so ``a != x``
        keeps rows where ``a`` is missing and ``not (...)`` keeps rows where
        the inner comparison was missing; in Spark both are null and drop the
        row. ``!=`` becomes ``NOT (a <=> x)`` (null-safe) and ``not`` becomes
        ``NOT coalesce(..., false)``. pandas' ``isin`` matches a missing value
        NaN in the list with missing values (``read_csv`` gives NaN for every
        missing value), Spark's ``IN`` never matches null: an ``@list``
        holding NaN adds ``OR a IS NULL``; ``None`` in a list matches nothing
        in both (pandas matches it only in object columns holding ``None``,
        as Parquet gives: a difference). An empty list is ``false``. ``&`` and ``|``
        have the precedence of ``and``/``or`` in pandas queries, as in SQL.
        ``/`` becomes ``try_divide`` (ANSI mode raises on division by zero).
        A query string that is not a literal, uses the index, or calls other
        methods (``.str.contains``) is not converted.

    Example:
        Before: ``late = flights.query("dep_delay > @limit and carrier != 'UA'")``

        After: ``late = flights.filter(f"((`dep_delay` > {compat.sql_literal(limit)}) AND NOT (`carrier` <=> 'UA'))")``
    """

    code = "PS143"
    name = "query"
    receiver = "DataFrame"
    methods = ("query",)
    spark = 'df.filter("<Spark SQL>")'
    pandas_docs = "https://pandas.pydata.org/docs/reference/api/pandas.DataFrame.query.html"
    spark_docs = "https://spark.apache.org/docs/latest/api/python/reference/pyspark.sql/api/pyspark.sql.DataFrame.filter.html"

    def convert(self, site: CallSite) -> Rewrite:
        expr = site.get(0, "expr", None)
        site.kwargs.pop("expr", None)
        site.only(positional=1)
        if expr is None:
            raise NotConvertible("no query expression")
        text = expr.literal_or(None)
        if not isinstance(text, str):
            raise NotConvertible(f"the query `{expr.code}` is not a literal string")
        parts = translate(text)
        uses = frozenset({"compat"}) if any(isinstance(p, Py) for p in parts) else frozenset()
        kind = site.kind if isinstance(site.kind, Frame) else Frame()
        return Rewrite(f"{site.receiver}.filter({python_string(parts)})", kind, uses=uses)
