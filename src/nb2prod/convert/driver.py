"""The driver tier: notebook statements that have no faithful Spark form run as pandas on the driver.

A top-level statement is moved to the driver tier when the pandas pass could not
convert one of its pandas operations, when an operation in it is on a value of a
kind the pass could not decide, or when its rewritten form would not compile.
Its code is then the notebook's own (after the logging, config and magics
passes), and the boundary between Spark and pandas is crossed only where a
value passes it:

* a Spark DataFrame the statement only reads is read through
  ``driver.pandas(df, "df")`` in place (``compat.Driver`` collects it with Arrow,
  at most ``driver.max_rows`` rows, once per DataFrame: consecutive driver
  statements share one collection);
* a Spark DataFrame (or column) the statement changes in place (``df["c"] = ...``,
  ``df.loc[...] = ...``, ``inplace=True``, ``del df["c"]``, a loop over frames
  that changes the loop variable) is rebound first, ``df = driver.pandas(df, "df")``;
  from then on it is a pandas object on the driver;
* a Spark DataFrame named inside a ``pd.eval("df1 + df2")`` string is rebound
  first too: ``pd.eval`` looks the names up in the caller's namespace;
* every name the statement binds holds a pandas object (or a plain value) on
  the driver; operations on it are counted as ``driver`` call sites.

pandas: https://pandas.pydata.org/docs/reference/frame.html;
Spark: https://spark.apache.org/docs/latest/api/python/reference/pyspark.sql/api/pyspark.sql.DataFrame.toPandas.html
(Arrow: https://spark.apache.org/docs/latest/api/python/tutorial/sql/arrow_pandas.html).
"""

from __future__ import annotations

import ast
import re
from collections.abc import Mapping

import libcst as cst

from nb2prod.convert.kinds import Column, Frame, Frames, Grouped, Kind, Unknown, categories_of

#: pandas methods that change their receiver without ``inplace=True``
MUTATING_METHODS = frozenset({"insert", "pop", "update"})

#: module names under which ``eval(expr)`` is pandas' top-level ``pandas.eval``
PANDAS_MODULES = frozenset({"pd", "pandas"})


def eval_names(expression: str) -> set[str]:
    """The names a ``pd.eval`` expression string reads (``"df1 + df2.a"`` -> ``{"df1", "df2"}``).

    pandas' expression syntax is Python's (``&``/``|`` and ``and``/``or`` alike), so
    :mod:`ast` reads it; a string it cannot parse gives its identifiers (an over-approximation).
    """
    try:
        tree = ast.parse(expression.strip(), mode="eval")
    except SyntaxError:
        return set(re.findall(r"[A-Za-z_]\w*", expression))
    return {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)}


def _root_name(node: cst.BaseExpression) -> str | None:
    """``df`` for ``df``, ``df["c"]``, ``df.loc[m, "c"]``, ``df.a.b``; None otherwise."""
    while isinstance(node, (cst.Subscript, cst.Attribute)):
        node = node.value
    return node.value if isinstance(node, cst.Name) else None


def target_names(node: cst.BaseExpression) -> list[str]:
    """The names an assignment or loop target binds (``a``, ``a, (b, *c)``); none for ``df["c"]``."""
    return [name.value for name in _iter_targets(node)]


class _Names(cst.CSTVisitor):
    """Names a statement reads, binds and changes in place (a syntactic over-approximation)."""

    def __init__(self) -> None:
        self.reads: list[str] = []
        self.bound: set[str] = set()
        self.mutated: set[str] = set()
        self.loops: list[tuple[str, cst.BaseExpression]] = []  # (loop variable, iterable)
        self.eval_reads: set[str] = set()  # names read inside pd.eval("...") strings
        self._skip: set[int] = set()

    def _target(self, target: cst.BaseExpression) -> None:
        names = target_names(target)
        if names:
            self.bound.update(names)
            for t in _iter_targets(target):
                self._skip.add(id(t))
        else:
            root = _root_name(target)
            if root is not None:
                self.mutated.add(root)
                self.reads.append(root)

    def visit_Assign(self, node: cst.Assign) -> None:
        for t in node.targets:
            self._target(t.target)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        self._target(node.target)

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        root = _root_name(node.target)
        if root is not None:
            self.mutated.add(root)
            if isinstance(node.target, cst.Name):
                self.bound.add(root)

    def visit_Del(self, node: cst.Del) -> None:
        targets = [e.value for e in node.target.elements] if isinstance(node.target, (cst.Tuple, cst.List)) else [node.target]
        for target in targets:
            root = _root_name(target)
            if root is not None and not isinstance(target, cst.Name):
                self.mutated.add(root)

    def visit_For(self, node: cst.For) -> None:
        self._target(node.target)
        for name in target_names(node.target):
            self.loops.append((name, node.iter))

    def visit_CompFor(self, node: cst.CompFor) -> None:
        for t in _iter_targets(node.target):
            self._skip.add(id(t))

    def visit_WithItem(self, node: cst.WithItem) -> None:
        if node.asname is not None:
            self._target(node.asname.name)

    def visit_ExceptHandler(self, node: cst.ExceptHandler) -> None:
        if node.name is not None:
            self._target(node.name.name)

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self.bound.add(node.name.value)
        self._skip.add(id(node.name))
        for p in (*node.params.params, *node.params.kwonly_params, *node.params.posonly_params):
            self._skip.add(id(p.name))
        for p in (node.params.star_arg, node.params.star_kwarg):
            if isinstance(p, cst.Param):
                self._skip.add(id(p.name))

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self.bound.add(node.name.value)
        self._skip.add(id(node.name))

    def visit_Lambda(self, node: cst.Lambda) -> None:
        for p in node.params.params:
            self._skip.add(id(p.name))

    def visit_ImportAlias(self, node: cst.ImportAlias) -> bool:
        name = node.asname.name if node.asname is not None else node.name
        if isinstance(name, cst.Name):
            self.bound.add(name.value)
        elif isinstance(name, cst.Attribute):
            self.bound.add(_root_name(name) or "")
        return False

    def visit_Attribute(self, node: cst.Attribute) -> None:
        self._skip.add(id(node.attr))

    def visit_Arg(self, node: cst.Arg) -> None:
        if node.keyword is not None:
            self._skip.add(id(node.keyword))

    def visit_Call(self, node: cst.Call) -> None:
        func = node.func
        if not isinstance(func, cst.Attribute):
            return
        if (
            func.attr.value == "eval"
            and isinstance(func.value, cst.Name)
            and func.value.value in PANDAS_MODULES
            and node.args
            and isinstance(node.args[0].value, cst.SimpleString)
        ):
            expression = node.args[0].value.evaluated_value
            if isinstance(expression, str):
                self.eval_reads |= eval_names(expression)
        root = _root_name(func.value)
        if root is None:
            return
        inplace = any(
            a.keyword is not None and a.keyword.value == "inplace" and not (isinstance(a.value, cst.Name) and a.value.value == "False")
            for a in node.args
        )
        if inplace or func.attr.value in MUTATING_METHODS:
            self.mutated.add(root)

    def visit_Name(self, node: cst.Name) -> None:
        if id(node) not in self._skip:
            self.reads.append(node.value)


def _iter_targets(node: cst.BaseExpression):
    if isinstance(node, cst.Name):
        yield node
    elif isinstance(node, (cst.Tuple, cst.List)):
        for el in node.elements:
            yield from _iter_targets(el.value)
    elif isinstance(node, cst.StarredElement):
        yield from _iter_targets(node.value)


def statement_names(statement: cst.CSTNode) -> _Names:
    """What a top-level statement reads, binds and changes in place.

    Returns:
        An object with ``reads`` (names read, in order, repeats kept), ``bound``
        (names bound), ``mutated`` (names changed in place through a subscript,
        attribute, ``inplace=True`` or a mutating method) and ``loops``
        ((loop variable, iterable) pairs).
    """
    names = _Names()
    statement.visit(names)
    return names


def _pandas_code(name: str, kind: Kind, env: Mapping[str, Kind] | None = None) -> str | None:
    """The pandas value of a Spark-side name, as code for a driver statement; None if it has none.

    A frame with an index (group keys, ``set_index``) gets it back (``index=[...]``), as does a
    column of such a frame, looked up in ``env``; columns pandas holds as ordered categoricals
    (``pd.cut``) become categoricals again (``categories={...}``).
    """
    if isinstance(kind, Frame):
        extra = f", index={list(kind.keys)!r}" if kind.keys else ""
        if kind.series_col is not None:
            extra += f", series={kind.series_col!r}"
        return f"driver.pandas({name}, {name!r}{extra}{_categories_arg(kind)})"
    if isinstance(kind, Column) and kind.frame is not None and kind.frame.isidentifier():
        frame = (env or {}).get(kind.frame)
        keys = list(frame.keys) if isinstance(frame, Frame) else []
        if kind.name is not None:
            extra = f"{f', index={keys!r}' if keys else ''}{_categories_arg(frame, [kind.name])}"
            return f"driver.pandas({kind.frame}, {kind.frame!r}{extra})[{kind.name!r}]"
        return f"driver.series({kind.frame}, {name}, {name!r}{f', index={keys!r}' if keys else ''})"
    if isinstance(kind, Grouped) and kind.frame.isidentifier() and not kind.keys == ():
        keys = ", ".join(repr(k) for k in kind.keys)
        frame_code = f"driver.pandas({kind.frame}, {kind.frame!r}{_categories_arg(kind)})"
        code = f"{frame_code}.groupby([{keys}], sort={kind.sort}, dropna={kind.dropna})"
        if kind.selection is not None:
            selection = repr(kind.selection[0]) if kind.single else repr(list(kind.selection))
            code += f"[{selection}]"
        return code
    return None


def _categories_arg(kind: Kind | None, columns=None) -> str:
    """``, categories={...}`` for ``driver.pandas`` when ``kind`` holds ordered categoricals (of ``columns``), else ``""``."""
    pairs = categories_of(kind, columns)
    return f", categories={ {c: list(labels) for c, labels in pairs}!r}" if pairs else ""


class _Replace(cst.CSTTransformer):
    """Replace reads of the given names by their pandas code."""

    def __init__(self, codes: dict[str, str], skip: set[int]) -> None:
        self.codes = codes
        self.skip = skip

    def leave_Name(self, original_node: cst.Name, updated_node: cst.Name):
        if original_node.value in self.codes and id(original_node) not in self.skip:
            return cst.parse_expression(self.codes[original_node.value])
        return updated_node


def driver_statement(
    statement: cst.BaseStatement, env: dict[str, Kind]
) -> tuple[list[cst.BaseStatement], set[str], list[str]]:
    """The driver-tier form of a notebook statement.

    Args:
        statement: the statement as the notebook wrote it (after the passes before pandas).
        env: the pandas pass's kinds of names just before the statement.

    Returns:
        (statements to emit: the rebinds of Spark names it changes, then the
        statement with Spark names it reads replaced by their pandas values;
        the names that hold pandas objects on the driver afterwards; the Spark
        names it reads that have no pandas form, which the caller reports as
        unresolved).
    """
    names = _Names()
    statement.visit(names)
    # an Unknown value may be a Spark DataFrame: driver.pandas() collects one and passes anything else through
    spark = {n: (Frame() if isinstance(k, Unknown) else k) for n, k in env.items() if isinstance(k, (Frame, Column, Grouped, Frames, Unknown))}
    mutated = set(names.mutated)
    # a loop over frames that changes its loop variable changes every frame in the list
    for variable, iterable in names.loops:
        if variable not in mutated:
            continue
        elements = []
        if isinstance(iterable, (cst.List, cst.Tuple)):
            elements = [e.value.value for e in iterable.elements if isinstance(e.value, cst.Name)]
        elif isinstance(iterable, cst.Name) and isinstance(spark.get(iterable.value), Frames):
            elements = [c for c in spark[iterable.value].codes if c.isidentifier()]
            mutated.add(iterable.value)
        mutated.update(elements)
    rebinds: list[cst.BaseStatement] = []
    replace: dict[str, str] = {}
    missing: list[str] = []
    now_pandas: set[str] = set()
    # pd.eval("df1 + df2") finds df1 and df2 in the namespace: they must be pandas there
    for name in sorted(names.eval_reads):
        if isinstance(spark.get(name), Frame):
            mutated.add(name)
            names.reads.append(name)
    for name in dict.fromkeys(names.reads):
        kind = spark.get(name)
        if kind is None:
            continue
        if isinstance(kind, Frames):
            if name in mutated:
                members = [c for c in kind.codes if c.isidentifier()]
                for member in members:
                    if isinstance(spark.get(member), Frame):
                        rebinds.append(cst.parse_statement(f"{member} = driver.pandas({member}, {member!r})\n"))
                        now_pandas.add(member)
                rebinds.append(cst.parse_statement(f"{name} = [{', '.join(kind.codes)}]\n"))
                now_pandas.add(name)
            else:
                replace[name] = f"[{', '.join(_pandas_code(c, spark.get(c) if isinstance(spark.get(c), Frame) else Frame()) if c.isidentifier() else c for c in kind.codes)}]"
            continue
        code = _pandas_code(name, kind, spark)
        if code is None:
            missing.append(name)
            continue
        if name in mutated and isinstance(kind, (Frame, Column)):  # decade.name = "decade": a Series from here on
            rebinds.append(cst.parse_statement(f"{name} = {code}\n"))
            now_pandas.add(name)
        else:
            replace[name] = code
    # loop elements changed in place that the statement does not name directly (a list bound earlier)
    for name in mutated - now_pandas:
        if isinstance(spark.get(name), Frame) and name not in replace:
            rebinds.append(cst.parse_statement(f"{name} = driver.pandas({name}, {name!r})\n"))
            now_pandas.add(name)
    body = statement.visit(_Replace(replace, names._skip)) if replace else statement
    now_pandas |= names.bound | (mutated & set(env))
    return [*rebinds, body], now_pandas, missing


def compiles(code: str) -> bool:
    """Whether ``code`` compiles as the body of a function (where pipeline statements run)."""
    body = "\n".join("    " + line if line.strip() else line for line in code.splitlines())
    try:
        compile(f"def _nb2prod_check():\n{body}\n", "<generated>", "exec", dont_inherit=True)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    return True
