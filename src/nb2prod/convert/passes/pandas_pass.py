"""Pass: pandas becomes native PySpark.

The pass walks the one module that holds all cells, in notebook order, and
tracks which names hold a pandas DataFrame, Series or GroupBy (see
:mod:`nb2prod.convert.kinds`). pandas is recognised by qualified name
(``import pandas as pd``, ``import pandas``, ``from pandas import read_csv``
all count; another module imported as ``pd`` does not).

Calls are handed to the rule registered for (receiver, method) in
:mod:`nb2prod.convert.rules`. Operators on columns, column selection,
filtering and column assignment are handled here, documented by their rule
modules (PS104-PS107). Every pandas call site is reported: converted, partial
(converted with a named difference) or not converted (left as it was, marked
with a ``# nb2prod: CODE`` comment, and counted against readiness).
"""

from __future__ import annotations

import dataclasses
import re

import libcst as cst
from libcst.metadata import QualifiedNameProvider

from nb2prod.convert import api_names
from nb2prod.convert.driver import MUTATING_METHODS, compiles, driver_statement, target_names
from nb2prod.convert.kinds import (
    MISSING_VALUES,
    SPARK_KINDS,
    Accessor,
    Column,
    Driver,
    Frame,
    Frames,
    Grouped,
    Kind,
    Rolling,
    Scalar,
    Unknown,
    categories_of,
    categories_without,
    category_labels,
    column_code,
)
from nb2prod.convert.passes.base import CellPass
from nb2prod.convert.quotes import fit_quotes
from nb2prod.convert.rules import load_rules
from nb2prod.convert.rules._base import DISPATCH, PROPERTIES, Arg, CallSite, NotApplicable, NotConvertible, Rewrite, col_ref, name_ref, py_str

#: codes this pass reports besides the PS1xx rules: code -> (kebab-case name, what it means for the user)
CODES = {
    "PS001": ("no-rule-yet", "A pandas call no rule converts yet; the code stays as the notebook wrote it, marked, and counts against readiness."),
    "PS002": ("star-arguments", "A pandas call with *args or **kwargs; the arguments are unknown until run time, so it is not converted."),
    "PS003": (
        "unresolved",
        "An operation on a value that may hold a pandas object, of a kind nb2prod could not decide; its statement runs as "
        "written on the driver and the site counts against readiness as unresolved.",
    ),
    "PS004": (
        "driver-operation",
        "A pandas operation on a value that is a pandas object on the driver (bound by a driver-tier statement); it runs "
        "as written and counts against readiness.",
    ),
    "PS005": (
        "driver-tier",
        "A statement with a pandas operation that has no faithful Spark form runs as the notebook's own pandas code on the "
        "driver: Spark DataFrames it reads are collected with driver.pandas() (Arrow, at most driver.max_rows rows).",
    ),
    "PS006": (
        "spark-value-to-pandas-function",
        "A Spark DataFrame or column passed to a function that expects pandas (scikit-learn, numpy, a builtin); the "
        "statement runs on the driver and the function gets the pandas value.",
    ),
    "PS007": (
        "rewrite-does-not-compile",
        "The Spark form of a statement would not compile; it is not applied and the statement runs on the driver.",
    ),
    "PS008": (
        "rewrite-failed",
        "nb2prod failed while rewriting a statement (a defect to report); the statement runs on the driver as written "
        "and the rest of the notebook converts.",
    ),
}

#: pandas readers whose path may be an http(s) URL, which Spark cannot read: compat.fetch() downloads it
_READERS = frozenset({"read_csv", "read_table", "read_json", "read_parquet"})

#: ends the message of a site converted by a rule whose statement still runs on the driver (for another site)
COLLATERAL = "; runs on the driver with its statement"
#: builtins whose result is one Python value
_SCALAR_BUILTINS = frozenset({"int", "float", "str", "bool", "round", "abs", "len", "min", "max"})
#: functions that accept any value, Spark ones included, and do not need pandas
SAFE_FUNCTIONS = frozenset({"str", "repr", "type", "isinstance", "id", "print", "hasattr", "getattr", "callable"})
#: receivers whose methods accept Spark values as they are (the logging pass emits log.info(...))
SAFE_RECEIVERS = frozenset({"log", "logging", "F", "compat", "spark", "driver", "Window", "config", "profiling"})
#: attributes of a Spark-side DataFrame that the generated code may read as they are
_FRAME_ATTRIBUTES = frozenset({"columns", "shape", "loc", "str", "dt"})
#: pandas' .loc-like indexers: selection by index position or label, which Spark has not
_INDEXERS = frozenset({"iloc", "at", "iat", "ix", "xs"})

_EMPTY = cst.Module(body=[])
#: pandas functions that work on scalars or settings, not DataFrames: they run as they are in a
#: pipeline (pandas stays a dependency) and are not DataFrame call sites
SCALAR_FUNCTIONS = frozenset(
    {"Timestamp", "Timedelta", "DateOffset", "Period", "Interval", "to_timedelta", "set_option", "get_option", "reset_option", "option_context"}
)


def _scalar_library_call(call: cst.Call, library: tuple[str, str] | None) -> bool:
    """Whether ``call`` of the library function ``library`` ((module, name), or None) computes a plain
    value, no DataFrame operation: pandas' scalar utilities (``pd.Timestamp``) and ``pd.to_datetime`` of a
    literal string (one ``pd.Timestamp``, which Spark compares with a column as any datetime)."""
    if library is None or library[0] != "pandas":
        return False
    if library[1] in SCALAR_FUNCTIONS:
        return True
    first = call.args[0] if call.args else None
    return (
        library[1] == "to_datetime" and first is not None and first.keyword is None
        and isinstance(first.value, (cst.SimpleString, cst.ConcatenatedString))
    )  # fmt: skip


_ARITH = {cst.Add: "+", cst.Subtract: "-", cst.Multiply: "*", cst.BitAnd: "&", cst.BitOr: "|"}
_COMPARE = {cst.Equal: "==", cst.LessThan: "<", cst.GreaterThan: ">", cst.LessThanEqual: "<=", cst.GreaterThanEqual: ">="}


def code_of(node: cst.CSTNode) -> str:
    return _EMPTY.code_for_node(node)


def _receiver_type(kind: Kind | None) -> str | None:
    if isinstance(kind, Accessor):
        return f"Series.{kind.name}"
    if isinstance(kind, Frame):
        return "DataFrame"
    if isinstance(kind, Column):
        return "Series"
    if isinstance(kind, Grouped):
        return "GroupBy"
    if isinstance(kind, Rolling):
        return "Rolling"
    return None


class PandasPass(CellPass):
    """Rewrite pandas operations into PySpark, tracking kinds across cells."""

    METADATA_DEPENDENCIES = (*CellPass.METADATA_DEPENDENCIES, QualifiedNameProvider)

    def __init__(self, context, *, dry_run: bool = False) -> None:
        super().__init__(context)
        load_rules()
        self.dry_run = dry_run
        #: (function name, parameter name) -> kinds of the arguments seen at its call sites
        self.argument_kinds: dict[tuple[str, str], list[Kind | None]] = {}
        #: function name -> the kind it returns, when every return statement agrees
        self.returns: dict[str, Kind] = {}
        self.functions: dict[str, cst.FunctionDef] = {}
        #: argument kinds learnt by earlier (dry) passes, used for parameters
        self.hints: dict[tuple[str, str], list[Kind | None]] = {}
        self.returned: list[list[Kind | None]] = []
        self.env: dict[str, Kind] = {}
        self.kinds: dict[cst.CSTNode, Kind] = {}
        self.inplace: set[cst.CSTNode] = set()
        self.markers: list[str] = []
        self.scopes: list[dict[str, Kind]] = []
        self.failures = 0
        self.expr_start = (0, 0)
        self.failures_at: list[int] = []
        #: subscripts that are assigned to (df.loc[m, c] = v), not read
        self.targets: set[cst.CSTNode] = set()
        #: attributes that are the function of a call, and expressions that are subscripted
        self.call_funcs: set[cst.CSTNode] = set()
        self.subscripted: set[cst.CSTNode] = set()
        #: notebook functions whose body runs in the driver tier
        self.driver_functions: set[str] = set()
        #: names bound to an http(s) URL (read through compat.fetch)
        self.url_names: set[str] = set()
        #: top-level statement bookkeeping: nesting depth, and (events, markers, env) at its start
        self.depth = 0
        self.statement_start: tuple[int, int, dict[str, Kind]] | None = None

    # -- top-level statements: native, or the driver tier -------------------------------------
    def on_visit(self, node: cst.CSTNode) -> bool:
        if isinstance(node, cst.BaseStatement):
            if self.depth == 0:
                self.statement_start = (len(self.state.events), len(self.markers), dict(self.env))
            self.depth += 1
        elif isinstance(node, cst.Call):
            self.call_funcs.add(node.func)
        elif isinstance(node, cst.Subscript):
            self.subscripted.add(node.value)
        return super().on_visit(node)

    def on_leave(self, original_node: cst.CSTNode, updated_node: cst.CSTNode):
        result = super().on_leave(original_node, updated_node)
        if isinstance(original_node, cst.BaseStatement):
            self.depth -= 1
            if self.depth == 0 and self.statement_start is not None and isinstance(result, cst.BaseStatement):
                result = self._finish_statement(original_node, result)
        return result

    def _finish_statement(self, original: cst.BaseStatement, updated: cst.BaseStatement):
        """Keep a top-level statement's Spark form, or move it to the driver tier (see :mod:`nb2prod.convert.driver`)."""
        events_at, _, env_before = self.statement_start
        events = self.state.events[events_at:]
        failed = [e for e in events if e.pandas_call and e.outcome == "not-converted"]
        reasons = sorted({e.code for e in failed})
        if not failed and updated is not original and self._touches_spark(original, env_before):
            code = _EMPTY.code_for_node(updated)
            if _F_STRING.search(code):  # the text tells as well as a walk of the tree, and is made anyway
                updated = fit_quotes(updated)
                code = _EMPTY.code_for_node(updated)
            if not compiles(code):
                self.report(original, "PS007", "not-converted", "the Spark form of this statement does not compile", pandas_call=True)
                reasons = ["PS007"]
        if not reasons:
            if updated is not original and _assigns_itself(updated):
                return cst.RemovalSentinel.REMOVE  # stocks = stocks.set_index("Date"): nothing left to run
            return updated
        statements, now_pandas, missing = driver_statement(original, env_before)
        statements = [_fit_quotes(s) for s in statements]
        for name in missing:
            self.report(original, "PS003", "not-converted", f"{name!r} has no pandas form to read on the driver", pandas_call=True, tier="unresolved")
        # what ran in this statement runs on the driver: its converted sites are not Spark any more
        for i in range(events_at, len(self.state.events)):
            e = self.state.events[i]
            if e.pandas_call:
                tier = "unresolved" if e.tier == "unresolved" else "driver"
                outcome = "not-converted"
                message = e.message if e.outcome == "not-converted" else f"{e.message}{COLLATERAL}"
                self.state.events[i] = dataclasses.replace(e, outcome=outcome, tier=tier, message=message)
        self.env = dict(env_before)
        # what an unresolved statement binds is still of unknown kind; what a driver statement binds is pandas
        undecided = bool(failed) and all(e.code == "PS003" for e in failed)
        for name in now_pandas:
            self.env[name] = Unknown() if undecided else Driver()
        if isinstance(original, cst.FunctionDef):
            self.driver_functions.add(original.name.value)
            self.returns.pop(original.name.value, None)
            self.env.pop(original.name.value, None)
        self.state.uses.add("driver")
        # the reasons a statement went to the driver; operations on values already there (PS004) need no comment each
        why = dict.fromkeys(f"# nb2prod: {e.code} not converted, runs on the driver: {e.message}" for e in failed if e.code != "PS004")
        if not failed:
            why = {"# nb2prod: PS007 not converted, runs on the driver: the Spark form does not compile": None}
        elif not why:
            why = {"# nb2prod: PS005 runs on the driver (pandas values from earlier driver statements)": None}
        markers = [cst.EmptyLine(comment=cst.Comment(line)) for line in why]
        *rebinds, body = statements
        if not rebinds:
            return body.with_changes(leading_lines=[*original.leading_lines, *markers])
        first = rebinds[0].with_changes(leading_lines=[*original.leading_lines, *markers])
        return cst.FlattenSentinel([first, *rebinds[1:], body.with_changes(leading_lines=[])])

    def _touches_spark(self, node: cst.CSTNode, env: dict[str, Kind]) -> bool:
        names = {n for n, k in env.items() if isinstance(k, SPARK_KINDS)}
        return any(n in self.kinds or (isinstance(n, cst.Name) and n.value in names) for n in _walk(node))

    def _driver_site(self, node, receiver_kind: Kind, what: str) -> Kind:
        """Count an operation on a pandas object on the driver (PS004) or on an undecided value (PS003)."""
        if isinstance(receiver_kind, Unknown):
            self.report(node, "PS003", "not-converted", f"{what} on a value of unknown kind", pandas_call=True, tier="unresolved")
            return Unknown()
        self.report(node, "PS004", "not-converted", f"{what} runs on the driver (pandas)", pandas_call=True, tier="driver")
        return Driver()

    # -- kinds ----------------------------------------------------------------------------------
    def kind(self, node: cst.CSTNode) -> Kind | None:
        if isinstance(node, cst.Name):
            return self.env.get(node.value)
        return self.kinds.get(node)

    def _library_function(self, func: cst.BaseExpression) -> tuple[str, str] | None:
        """(receiver type, name) for ``pandas.<name>`` or ``numpy.<name>``, by qualified name."""
        for q in self.get_metadata(QualifiedNameProvider, func, set()):
            for module, receiver in (("pandas.", "pandas"), ("numpy.", "numpy"), ("seaborn.", "seaborn")):
                if q.name.startswith(module) and q.name.count(".") == 1:
                    name = q.name.split(".", 1)[1]
                    if receiver == "seaborn" and (receiver, name) not in DISPATCH:
                        continue  # seaborn matters only where it loads data
                    return receiver, name
        return None

    def _replace(self, original, updated, code: str, kind: Kind | None):
        node = cst.parse_expression(code)
        if getattr(updated, "lpar", None) and hasattr(node, "lpar"):
            node = node.with_changes(lpar=updated.lpar, rpar=updated.rpar)
        if kind is not None:
            self.kinds[original] = kind
        return node

    def _uses_f(self) -> None:
        self.state.uses.add("F")

    # -- reporting ------------------------------------------------------------------------------
    def _converted(self, node, code: str, rewrite: Rewrite, what: str) -> None:
        message = what if rewrite.note is None else f"{what}: {rewrite.note}"
        self.report(node, code, rewrite.outcome, message, pandas_call=True, tier=rewrite.tier)
        self.state.uses |= rewrite.uses
        if rewrite.tier != "native":
            self.markers.append(f"# nb2prod: {code} fallback ({rewrite.tier}): {rewrite.note}")
        elif rewrite.outcome == "partial":
            self.markers.append(f"# nb2prod: {code} partial: {rewrite.note}")

    def _not_converted(self, node, code: str, reason: str, *, pandas_call: bool = True) -> None:
        self.failures += 1
        self.report(node, code, "not-converted", reason, pandas_call=pandas_call)
        self.markers.append(f"# nb2prod: {code} not converted: {reason}")

    # -- scopes: names bound inside a function do not leak out ----------------------------------
    def transform_module_impl(self, tree: cst.Module) -> cst.Module:
        """Two passes: a dry one learns the kinds the notebook's functions are called with."""
        if not self.dry_run:
            from nb2prod.convert.passes.base import PassContext

            # what a function returns depends on what it is called with and the other way round:
            # repeat the dry pass until the argument kinds stop changing (functions feeding functions);
            # the dry passes read this pass's tree and share its metadata (resolved once). They learn
            # only about the notebook's own functions: without a def there is nothing to learn.
            defines = any(isinstance(node, cst.FunctionDef) for node in self.metadata[cst.metadata.PositionProvider])
            for _ in range(3 if defines else 0):
                dry = PandasPass(PassContext(), dry_run=True)
                dry.argument_kinds, known = {}, self.argument_kinds
                dry.hints = known
                dry.transform_with(self.context.wrapper)
                if dry.argument_kinds == known:
                    break
                self.argument_kinds = dry.argument_kinds
            self.hints = self.argument_kinds
        return self._transform_statements(tree)

    def _transform_statements(self, tree: cst.Module) -> cst.Module:
        """Transform the module one top-level statement at a time, so that a failure of the pass on
        one statement (a bug, PS008) sends that statement to the driver tier and the rest converts."""
        body: list[cst.BaseStatement] = []
        for statement in tree.body:
            self.depth, self.statement_start = 0, None
            events_at, markers_at, env_before = len(self.state.events), len(self.markers), dict(self.env)
            try:
                result = statement.visit(self)
            except (RecursionError, MemoryError, KeyboardInterrupt):
                raise
            except Exception as exc:  # a defect of a rule or of this pass, not of the notebook
                del self.state.events[events_at:]
                del self.markers[markers_at:]
                self.env = env_before
                self.statement_start = (len(self.state.events), len(self.markers), env_before)
                self.report(statement, "PS008", "not-converted", f"nb2prod could not rewrite this statement ({type(exc).__name__}: {exc})", pandas_call=True)
                result = self._finish_statement(statement, statement)
            if isinstance(result, cst.FlattenSentinel):
                body.extend(result.nodes)
            elif isinstance(result, cst.SimpleStatementLine) and not result.body:
                continue  # every statement of the line was removed (the module's own visit drops such lines too)
            elif not isinstance(result, cst.RemovalSentinel):
                body.append(result)
        return tree.with_changes(body=body)

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self.scopes.append(dict(self.env))
        self.returned.append([])
        name = node.name.value
        self.functions[name] = node
        for param in node.params.params:
            seen = self.hints.get((name, param.name.value), [])
            kinds = {type(k) for k in seen}
            # a parameter is a DataFrame (or column) when every call passes one, and there is a call
            if not self.scopes[1:] and seen and len(kinds) == 1 and kinds <= {Frame, Column}:
                self.env[param.name.value] = seen[0] if isinstance(seen[0], Column) else Frame()
            elif kinds <= {Scalar} and (seen or (param.default is not None and self._scalar(param.default))):
                self.env[param.name.value] = Scalar()  # every call passes a plain value (or the default is one)
            elif kinds & {Driver}:
                self.env[param.name.value] = Driver()
            elif kinds & {Frame, Column, Grouped, Frames, Unknown}:
                self.env[param.name.value] = Unknown()  # called with a frame somewhere, and with other values elsewhere
            else:
                self.env.pop(param.name.value, None)

    def leave_Return(self, original_node: cst.Return, updated_node: cst.Return):
        if self.returned and original_node.value is not None:
            self.returned[-1].append(self.kind(original_node.value))
        return updated_node

    def leave_FunctionDef(self, original_node, updated_node):
        self.env = self.scopes.pop()
        returned = self.returned.pop()
        if returned and all(isinstance(k, Frame) for k in returned):
            self.returns[original_node.name.value] = Frame()
        return updated_node

    def _record_call(self, call: cst.Call) -> None:
        """Remember the kinds of the arguments a notebook function is called with (for the real pass)."""
        function = self.functions.get(call.func.value)
        if function is None:
            return
        params = [p.name.value for p in function.params.params]
        for position, arg in enumerate(call.args):
            if arg.star:
                return
            name = arg.keyword.value if arg.keyword is not None else (params[position] if position < len(params) else None)
            if name is not None:
                kind = self.kind(arg.value)
                if kind is None and self._scalar(arg.value):
                    kind = Scalar()
                self.argument_kinds.setdefault((function.name.value, name), []).append(kind)

    def visit_For(self, node: cst.For) -> None:
        # for origin in ["JFK", "LGA"]: the loop variable holds plain values
        if isinstance(node.target, cst.Name) and isinstance(node.iter, (cst.List, cst.Tuple)) and node.iter.elements:
            if all(self._scalar(e.value) for e in node.iter.elements if not isinstance(e, cst.StarredElement)):
                self.env[node.target.value] = Scalar()

    def leave_For(self, original_node, updated_node):
        iter_kind = self.kind(original_node.iter)
        if isinstance(iter_kind, Grouped):
            self._not_converted(original_node, "PS001", "a loop over the groups of a groupby has no Spark form")
        elif isinstance(iter_kind, (Frame, Column, Frames)) or (
            isinstance(original_node.iter, (cst.List, cst.Tuple))
            and any(isinstance(self.kind(e.value), Frame) for e in original_node.iter.elements)
        ):
            what = "a loop over DataFrames" if not isinstance(iter_kind, Column) else "a loop over a Series"
            if isinstance(iter_kind, Frame):
                what = "a loop over a DataFrame"
            self._not_converted(original_node, "PS001", f"{what} has no Spark form")
        for name in target_names(original_node.target):
            self.env.pop(name, None)
        return updated_node

    # -- calls ----------------------------------------------------------------------------------
    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call):
        func = original_node.func
        if isinstance(func, cst.Name) and func.value in self.driver_functions:
            self.kinds[original_node] = self._driver_site(original_node, Driver(), f"{func.value}()")
            return updated_node
        if isinstance(func, cst.Attribute) and isinstance(self.kind(func.value), (Driver, Unknown)):
            self.kinds[original_node] = self._driver_site(original_node, self.kind(func.value), f".{func.attr.value}()")
            return updated_node
        if isinstance(func, cst.Name) and func.value in self.functions:
            self._record_call(original_node)
            if func.value in self.returns:
                self.kinds[original_node] = self.returns[func.value]
            return updated_node
        if isinstance(func, cst.Name) and func.value == "len" and len(original_node.args) == 1:
            if isinstance(self.kind(original_node.args[0].value), Frame):
                frame = code_of(updated_node.args[0].value)
                self._converted(original_node, "PS120", Rewrite(""), "len(df) became df.count()")
                return self._replace(original_node, updated_node, f"{frame}.count()", Scalar())
            return updated_node
        library = self._library_function(func)
        if _scalar_library_call(original_node, library):
            return updated_node
        receiver_code, receiver_kind = None, None
        receiver_type, method = library if library else ("pandas", None)
        if method is None:
            receiver_kind = self.kind(func.value) if isinstance(func, cst.Attribute) else None
            receiver_type = _receiver_type(receiver_kind)
            if receiver_type is None:
                self._foreign_call(original_node)
                return updated_node
            method = func.attr.value
            receiver_code = code_of(updated_node.func.value)
        args, kwargs = [], {}
        inplace = False
        for orig, upd in zip(original_node.args, updated_node.args):
            arg = Arg(code_of(upd.value), self.kind(orig.value), upd.value)
            if upd.star:
                self._not_converted(original_node, "PS002", f"{method}() with *args or **kwargs")
                return original_node
            if upd.keyword is None:
                args.append(arg)
            elif upd.keyword.value == "inplace":
                inplace = arg.literal_or(False) is True
            else:
                kwargs[upd.keyword.value] = arg
        if receiver_type == "pandas" and method == "DataFrame":
            # a frame built from Series or frames the pipeline holds (their index aligns the rows) is not Python data
            args = [dataclasses.replace(a, kind=Driver()) if a.node is not None and self._holds_frames(a.node) else a for a in args]
            kwargs = {k: dataclasses.replace(a, kind=Driver()) if a.node is not None and self._holds_frames(a.node) else a for k, a in kwargs.items()}
        if receiver_type == "pandas" and method == "Series":
            # values taken from what the pipeline holds (df.c.unique(), df.c.values) are not the notebook's own data
            args = [dataclasses.replace(a, kind=Driver()) if a.kind is None and a.node is not None and self._holds_frames(a.node) else a for a in args]
            kwargs = {k: dataclasses.replace(a, kind=Driver()) if a.kind is None and a.node is not None and self._holds_frames(a.node) else a for k, a in kwargs.items()}
        if method in ("merge", "join") and receiver_type in ("DataFrame", "pandas"):
            # a pandas frame on the driver joined with a Spark one goes back to Spark (createDataFrame)
            args = [self._to_spark_frame(a) for a in args]
            kwargs = {k: self._to_spark_frame(a) if k in ("right", "left", "other") else a for k, a in kwargs.items()}
        if receiver_type == "pandas" and method in _READERS and args and self._is_url(original_node.args[0].value):
            args[0] = Arg(f"compat.fetch({args[0].code})", args[0].kind, args[0].node)
            self.state.uses |= {"compat", "fetch"}
        label = f"{ {'pandas': 'pd', 'numpy': 'np', 'seaborn': 'sns'}.get(receiver_type, receiver_type)}.{method}"
        function = code_of(updated_node.func) if library else None
        site = CallSite(method, receiver_code, receiver_kind, args, kwargs, function)
        found = self._dispatch(original_node, receiver_type, method, site, f"{label}()")
        if found is None:
            return updated_node if receiver_type == "numpy" else original_node
        rule, rewrite = found
        if not rewrite.code:  # the rule only records a kind (groupby): no code, no call site yet
            self.kinds[original_node] = rewrite.kind
            return updated_node
        if inplace:
            if not isinstance(func, cst.Attribute) or not isinstance(func.value, cst.Name):
                self._not_converted(original_node, "PS123", f"{label}(inplace=True) on an expression")
                return original_node
            self.inplace.add(original_node)
        self._converted(original_node, rule.code, rewrite, f"{label}() converted ({rule.name})")
        return self._replace(original_node, updated_node, rewrite.code, rewrite.kind)

    def _dispatch(self, original_node, receiver_type: str, method: str, site: CallSite, label: str):
        """Try each rule registered for (receiver, method); (rule, rewrite), or None after reporting why not.

        A call no rule converts stays as the notebook wrote it (the caller returns the original
        node) and counts against readiness; numpy calls no rule claims are not pandas' business.
        """
        rules = DISPATCH.get((receiver_type, method), [])
        for rule in rules:
            try:
                return rule, rule.convert(CallSite(site.method, site.receiver, site.kind, list(site.args), dict(site.kwargs), site.function, self.state.config))
            except NotApplicable:
                continue
            except NotConvertible as exc:
                self._not_converted(original_node, rule.code, f"{label}: {exc}")
                return None
        if receiver_type != "numpy":
            extra = " with these arguments" if rules else ""
            self._not_converted(original_node, "PS001", f"{label}{extra} has no Spark rule yet")
        elif any(isinstance(a.kind, SPARK_KINDS) for a in (*site.args, *site.kwargs.values())):
            self._not_converted(original_node, "PS006", f"{label} on a Spark column has no Spark rule yet")
        return None

    def _to_spark_frame(self, arg: Arg) -> Arg:
        """A driver value where a rule needs a DataFrame: ``compat.from_pandas(spark, value)`` (a pandas
        Series or DataFrame; its index, when it carries data, becomes columns)."""
        if not isinstance(arg.kind, Driver):
            return arg
        self.state.uses |= {"compat", "from_pandas"}
        return Arg(f"compat.from_pandas(spark, {arg.code})", Frame(), arg.node)

    def _is_url(self, node: cst.BaseExpression) -> bool:
        """Whether a reader's path is an http(s) URL: a literal, a config value, or a name bound to one."""
        if isinstance(node, cst.Name) and node.value in self.url_names:
            return True
        if isinstance(node, cst.SimpleString):
            value = node.evaluated_value
        elif (
            isinstance(node, cst.Subscript)
            and isinstance(node.value, cst.Name)
            and node.value.value == "config"
            and isinstance(node.slice[0].slice, cst.Index)
            and isinstance(node.slice[0].slice.value, cst.SimpleString)
        ):
            value = self.state.config.get(node.slice[0].slice.value.evaluated_value)
        else:
            return False
        return isinstance(value, str) and value.startswith(("http://", "https://"))

    def _foreign_call(self, call: cst.Call) -> None:
        """A call that is not pandas: Spark values passed to it need pandas (PS006); unknown ones are unresolved."""
        func = call.func
        root = func
        while isinstance(root, (cst.Attribute, cst.Call, cst.Subscript)):
            root = root.value if not isinstance(root, cst.Call) else root.func
        if isinstance(func, cst.Name) and (func.value in SAFE_FUNCTIONS or func.value in self.functions):
            return
        if isinstance(root, cst.Name) and root.value in SAFE_RECEIVERS:
            return
        kinds = [self.kind(a.value) for a in call.args]
        if any(isinstance(k, SPARK_KINDS) for k in kinds):
            self._not_converted(call, "PS006", f"`{_short(call)}` gets a Spark value where it expects pandas")
        elif any(isinstance(k, Unknown) for k in kinds):
            self.report(call, "PS003", "not-converted", f"`{_short(call)}` gets a value of unknown kind", pandas_call=True, tier="unresolved")

    # -- column selection, filters --------------------------------------------------------------
    def leave_Subscript(self, original_node: cst.Subscript, updated_node: cst.Subscript):
        accessor = self.kind(original_node.value)
        if isinstance(accessor, Unknown):
            self.kinds[original_node] = self._driver_site(original_node, accessor, "indexing")
            return updated_node
        if isinstance(accessor, Driver):
            self.kinds[original_node] = accessor
            return updated_node
        value = original_node.value
        if isinstance(value, cst.Attribute) and value.attr.value in _INDEXERS and isinstance(self.kind(value.value), SPARK_KINDS):
            if original_node not in self.targets:
                self._not_converted(original_node, "PS001", f".{value.attr.value}[] selects by index position or label, which Spark has not")
            return original_node
        if isinstance(accessor, Column) and original_node not in self.targets:
            self._not_converted(original_node, "PS001", "indexing a Series selects by index, which Spark has not")
            return original_node
        if isinstance(accessor, Accessor) and len(original_node.slice) == 1 and isinstance(original_node.slice[0].slice, cst.Index):
            # s.str[i] is s.str.get(i)
            index = Arg(code_of(updated_node.slice[0].slice.value), self.kind(original_node.slice[0].slice.value))
            site = CallSite("get", code_of(updated_node.value), accessor, [index], {})
            label = f"Series.{accessor.name}[]"
            found = self._dispatch(original_node, f"Series.{accessor.name}", "get", site, label)
            if found is None:
                return original_node
            rule, rewrite = found
            self._converted(original_node, rule.code, rewrite, f"{label} converted ({rule.name})")
            return self._replace(original_node, updated_node, rewrite.code, rewrite.kind)
        if isinstance(original_node.value, cst.Attribute) and original_node.value.attr.value == "loc":
            if original_node in self.targets:
                return updated_node  # df.loc[...] = v: an assignment (PS134), not a read
            return self._loc_read(original_node, updated_node)
        kind = self.kind(original_node.value)
        if isinstance(kind, (Frame, Grouped)) and len(original_node.slice) != 1 and original_node not in self.targets:
            # grouped['a', 'b']: a tuple key, which pandas 2 refuses for a groupby and reads as one label on a frame
            self._not_converted(original_node, "PS001", "indexing with several keys (x['a', 'b']) has no Spark rule yet")
            return original_node
        if not isinstance(kind, (Frame, Grouped)) or len(original_node.slice) != 1:
            return updated_node
        element = original_node.slice[0].slice
        if not isinstance(element, cst.Index):
            if isinstance(kind, Frame) and original_node not in self.targets:
                self._not_converted(original_node, "PS001", "slicing a DataFrame selects rows by position, which Spark has not")
                return original_node
            return updated_node
        receiver = code_of(updated_node.value)
        index_code = code_of(updated_node.slice[0].slice.value)
        index = Arg(index_code, self.kind(element.value))
        value = index.literal_or(None)
        if isinstance(kind, Grouped):
            if isinstance(value, str):
                return self._grouped(original_node, updated_node, kind, (value,), True)
            if isinstance(value, list) and all(isinstance(v, str) for v in value):
                return self._grouped(original_node, updated_node, kind, tuple(value), False)
            return updated_node
        if isinstance(value, str):
            self._uses_f()
            dtype = "bool" if value in kind.bools else None
            column = Column(receiver, value, dtype, kind.order, category_labels(kind, value))
            return self._replace(original_node, updated_node, col_ref(value), column)
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            names = ", ".join(name_ref(v) for v in value)
            self.report(original_node, "PS104", "converted", "column selection became select()", pandas_call=True)
            order = kind.order if all(c in value for c, _ in kind.order) else ()
            new_kind = Frame(sorted=kind.sorted, bools=kind.bools & set(value), order=order, categories=categories_of(kind, value))
            return self._replace(original_node, updated_node, f"{receiver}.select({names})", new_kind)
        if isinstance(index.kind, Column):
            self.report(original_node, "PS105", "converted", "boolean mask became filter()", pandas_call=True)
            return self._replace(original_node, updated_node, f"{receiver}.filter({index_code})", kind)
        if isinstance(kind, Frame) and original_node not in self.targets:
            self._not_converted(original_node, "PS001", f"df[{index_code}]: a key known only at run time has no Spark rule yet")
            return original_node
        return updated_node

    def _loc_read(self, original_node: cst.Subscript, updated_node: cst.Subscript):
        """``df.loc[mask]``, ``df.loc[mask, cols]``, ``df.loc[:, cols]`` become filter and select (PS148)."""
        kind = self.kind(original_node.value.value)
        if not isinstance(kind, Frame):
            return updated_node
        frame = code_of(updated_node.value.value)
        parts = [s.slice for s in original_node.slice]
        if len(parts) not in (1, 2) or not all(isinstance(p, cst.Index) or _is_full_slice(p) for p in parts):
            self._not_converted(original_node, "PS148", "loc with labels or slices selects by index, which Spark has not")
            return original_node
        rows = parts[0]
        code = frame
        if isinstance(rows, cst.Index):
            mask_kind = self.kind(rows.value)
            if not isinstance(mask_kind, Column):
                self._not_converted(original_node, "PS148", "loc with row labels selects by index, which Spark has not")
                return original_node
            code += f".filter({code_of(updated_node.slice[0].slice.value)})"
        result: Kind = Frame(sorted=kind.sorted, bools=kind.bools, order=kind.order, categories=kind.categories)
        if len(parts) == 2:
            if not isinstance(parts[1], cst.Index):
                pass  # df.loc[mask, :] keeps every column
            else:
                columns = Arg(code_of(parts[1].value)).literal_or(None)
                if isinstance(columns, str):
                    self.report(original_node, "PS148", "converted", "loc read became filter()", pandas_call=True)
                    self._uses_f()
                    dtype = "bool" if columns in kind.bools else None
                    column = Column(code, columns, dtype, categories=category_labels(kind, columns))
                    return self._replace(original_node, updated_node, col_ref(columns), column)
                if not (isinstance(columns, list) and all(isinstance(c, str) for c in columns)):
                    self._not_converted(original_node, "PS148", "loc columns must be a literal name or list of names")
                    return original_node
                code += f".select({', '.join(name_ref(c) for c in columns)})"
                result = Frame(sorted=kind.sorted, bools=kind.bools & set(columns), categories=categories_of(kind, columns))
        self.report(original_node, "PS148", "converted", "loc read became filter() / select()", pandas_call=True)
        return self._replace(original_node, updated_node, code, result)

    def _grouped(self, original, updated, kind: Grouped, selection, single):
        self.kinds[original] = Grouped(
            kind.frame, kind.keys, selection, single, kind.dropna, kind.sort, kind.bools, kind.as_index, kind.order, kind.categories
        )
        return updated

    def leave_List(self, original_node: cst.List, updated_node: cst.List):
        kinds = [self.kind(e.value) for e in original_node.elements]
        if kinds and all(isinstance(k, Frame) for k in kinds) and not any(e.value is None for e in original_node.elements):
            self.kinds[original_node] = Frames(tuple(code_of(e.value) for e in updated_node.elements))
        return updated_node

    # -- column expressions ---------------------------------------------------------------------
    def leave_BinaryOperation(self, original_node, updated_node):
        left_kind, right_kind = self.kind(original_node.left), self.kind(original_node.right)
        kinds = (left_kind, right_kind)
        if any(isinstance(k, Unknown) for k in kinds):
            self.kinds[original_node] = self._driver_site(original_node, Unknown(), "an operator")
            return updated_node
        if any(isinstance(k, Driver) for k in kinds):
            if any(isinstance(k, SPARK_KINDS) for k in kinds):
                self._not_converted(original_node, "PS006", "an operator between a Spark value and a pandas one on the driver")
            self.kinds[original_node] = Driver()
            return updated_node
        if any(isinstance(k, (Frame, Grouped)) for k in kinds):
            self._not_converted(original_node, "PS001", "arithmetic on whole DataFrames has no Spark rule yet")
            return original_node
        if not (isinstance(left_kind, Column) or isinstance(right_kind, Column)):
            return updated_node
        other = original_node.right if isinstance(left_kind, Column) else original_node.left
        if not isinstance(self.kind(other), Column) and not self._scalar(other):
            self._not_converted(original_node, "PS006", f"`{_short(other)}` with a column: not a column or a scalar")
            return original_node
        self._uses_f()
        left = column_code(code_of(updated_node.left), left_kind)
        right = column_code(code_of(updated_node.right), right_kind)
        op = type(original_node.operator)
        frame = next((k.frame for k in (left_kind, right_kind) if isinstance(k, Column)), None)
        if op is cst.Divide:
            if isinstance(left_kind, Column) and _nonzero_number(original_node.right):
                # a literal non-zero divisor cannot raise (ANSI) nor give inf/NaN: the plain operator is the same value
                return self._replace(original_node, updated_node, f"{left} / {right}", Column(frame))
            return self._replace(original_node, updated_node, f"F.try_divide({left}, {right})", Column(frame))
        if op is cst.FloorDivide:
            return self._replace(original_node, updated_node, f"F.floor(F.try_divide({left}, {right}))", Column(frame))
        if op is cst.Modulo:
            return self._replace(original_node, updated_node, f"F.pmod({left}, {right})", Column(frame))
        if op is cst.Power:
            return self._replace(original_node, updated_node, f"F.pow({left}, {right})", Column(frame))
        if op is cst.Add and (
            "str" in (getattr(left_kind, "dtype", None), getattr(right_kind, "dtype", None))
            or any(isinstance(n, (cst.SimpleString, cst.FormattedString)) for n in (original_node.left, original_node.right))
        ):
            return self._replace(original_node, updated_node, f"F.concat({left}, {right})", Column(frame, dtype="str"))
        if op in _ARITH:
            dtype = "bool" if op in (cst.BitAnd, cst.BitOr) else None
            self.kinds[original_node] = Column(frame, dtype=dtype)
            return updated_node
        return updated_node

    def leave_Comparison(self, original_node, updated_node):
        kinds = [self.kind(original_node.left), *(self.kind(c.comparator) for c in original_node.comparisons)]
        if any(isinstance(k, Unknown) for k in kinds):
            self.kinds[original_node] = self._driver_site(original_node, Unknown(), "a comparison")
            return updated_node
        if any(isinstance(k, (Driver, Unknown)) for k in kinds):
            if any(isinstance(k, SPARK_KINDS) for k in kinds):
                self._not_converted(original_node, "PS006", "a comparison between a Spark value and a pandas one on the driver")
            self.kinds[original_node] = next(k for k in kinds if isinstance(k, (Driver, Unknown)))
            return updated_node
        spark = any(isinstance(k, SPARK_KINDS) for k in kinds)
        if spark and (
            len(original_node.comparisons) != 1
            or not isinstance(original_node.comparisons[0].operator, (cst.NotEqual, *_COMPARE))
            or any(isinstance(k, (Frame, Grouped)) for k in kinds)
        ):
            self._not_converted(original_node, "PS001", "this comparison on Spark values has no Spark rule yet")
            return original_node
        if len(original_node.comparisons) != 1:
            return updated_node
        target = original_node.comparisons[0]
        left_kind, right_kind = self.kind(original_node.left), self.kind(target.comparator)
        if not (isinstance(left_kind, Column) or isinstance(right_kind, Column)):
            return updated_node
        other = target.comparator if isinstance(left_kind, Column) else original_node.left
        if not isinstance(self.kind(other), Column) and not self._scalar(other):
            self._not_converted(original_node, "PS006", f"`{_short(other)}` compared with a column: not a column or a scalar")
            return original_node
        frame = next(k.frame for k in (left_kind, right_kind) if isinstance(k, Column))
        op = type(target.operator)
        left, right = code_of(updated_node.left), code_of(updated_node.comparisons[0].comparator)
        if op is cst.NotEqual:
            self._uses_f()
            left = column_code(left, left_kind)
            return self._replace(original_node, updated_node, f"~({left}).eqNullSafe({right})", Column(frame, dtype="bool"))
        if op in _COMPARE:
            self.kinds[original_node] = Column(frame, dtype="bool")
        return updated_node

    def leave_UnaryOperation(self, original_node, updated_node):
        kind = self.kind(original_node.expression)
        if isinstance(kind, (Driver, Unknown)):
            self.kinds[original_node] = kind
            return updated_node
        if isinstance(kind, (Frame, Grouped)):
            self._not_converted(original_node, "PS001", "an operator on a whole DataFrame has no Spark rule yet")
            return original_node
        if isinstance(kind, Column) and isinstance(original_node.operator, cst.BitInvert):
            self._uses_f()
            inner = code_of(updated_node.expression)
            return self._replace(
                original_node, updated_node, f"~F.coalesce({inner}, F.lit(False))", Column(kind.frame, dtype="bool")
            )
        if isinstance(kind, Column):
            self.kinds[original_node] = Column(kind.frame)
        return updated_node

    def leave_Attribute(self, original_node, updated_node):
        kind = self.kind(original_node.value)
        attr = original_node.attr.value
        is_call = original_node in self.call_funcs
        if isinstance(kind, Unknown) and not is_call:
            self.kinds[original_node] = self._driver_site(original_node, kind, f".{attr}")
            return updated_node
        if isinstance(kind, (Driver, Unknown)):
            if not is_call and attr in api_names.PANDAS_DATAFRAME | api_names.PANDAS_SERIES:
                self.kinds[original_node] = self._driver_site(original_node, kind, f".{attr}")
            else:
                self.kinds[original_node] = kind
            return updated_node
        if original_node in self.targets:
            return updated_node
        if isinstance(kind, Frame) and not is_call and attr not in api_names.PANDAS_DATAFRAME and attr.isidentifier():
            # attribute column access: df.arr_delay is df["arr_delay"]
            self._uses_f()
            dtype = "bool" if attr in kind.bools else None
            column = Column(code_of(updated_node.value), attr, dtype, kind.order, category_labels(kind, attr))
            return self._replace(original_node, updated_node, f"F.col({py_str(attr)})", column)
        if isinstance(kind, Grouped) and not is_call and attr not in api_names.PANDAS_GROUPBY:
            return self._grouped(original_node, updated_node, kind, (attr,), True)
        if not is_call and original_node not in self.subscripted and isinstance(kind, (Frame, Column, Grouped, Rolling)):
            if not (isinstance(kind, Frame) and attr in _FRAME_ATTRIBUTES) and not (isinstance(kind, Column) and attr in ("str", "dt")):
                self._not_converted(original_node, "PS001", f".{attr} has no Spark rule yet")
                return original_node
        if isinstance(kind, Column) and original_node.attr.value in ("str", "dt"):
            self.kinds[original_node] = Accessor(original_node.attr.value, kind)
            return updated_node
        if isinstance(kind, Accessor):
            rule = PROPERTIES.get((f"Series.{kind.name}", original_node.attr.value))
            if rule is not None:
                site = CallSite(original_node.attr.value, code_of(updated_node.value), kind, [], {})
                label = f"Series.{kind.name}.{original_node.attr.value}"
                try:
                    rewrite = rule.convert(site)
                except NotConvertible as exc:
                    self._not_converted(original_node, rule.code, f"{label}: {exc}")
                    return original_node
                self._converted(original_node, rule.code, rewrite, f"{label} converted ({rule.name})")
                return self._replace(original_node, updated_node, rewrite.code, rewrite.kind)
        if isinstance(kind, Frame) and original_node.attr.value == "shape":
            frame = code_of(updated_node.value)
            self.report(original_node, "PS120", "converted", "df.shape became (df.count(), len(df.columns))", pandas_call=True)
            return self._replace(original_node, updated_node, f"({frame}.count(), len({frame}.columns))", Scalar())
        if isinstance(kind, Frame) and original_node.attr.value == "columns":
            self.kinds[original_node] = Scalar()
        return updated_node

    # -- statements -----------------------------------------------------------------------------
    def visit_Assign(self, node: cst.Assign) -> None:
        self.failures_at.append(self.failures)
        for t in node.targets:
            if isinstance(t.target, cst.Name):
                if self._is_url(node.value):
                    self.url_names.add(t.target.value)
                else:
                    self.url_names.discard(t.target.value)
        self.targets.update(t.target for t in node.targets if isinstance(t.target, (cst.Subscript, cst.Attribute)))

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        if isinstance(node.target, (cst.Subscript, cst.Attribute)):
            self.targets.add(node.target)

    def leave_Assign(self, original_node: cst.Assign, updated_node: cst.Assign):
        failed_inside = self.failures > self.failures_at.pop()
        value_kind = self.kind(original_node.value)
        for t in original_node.targets:
            base = self.kind(_base_of(t.target)) if isinstance(t.target, (cst.Subscript, cst.Attribute)) else None
            if isinstance(base, (Driver, Unknown)):
                self._driver_site(original_node, base, "assignment into a pandas value")
            target = t.target
            if (
                isinstance(target, cst.Subscript)
                and isinstance(target.value, cst.Attribute)
                and target.value.attr.value in _INDEXERS
                and isinstance(self.kind(target.value.value), SPARK_KINDS)
            ):
                self._not_converted(original_node, "PS001", f"assignment through .{target.value.attr.value}[] sets values by position or label, which Spark has not")
                return original_node
            if isinstance(t.target, cst.Attribute) and isinstance(self.kind(t.target.value), SPARK_KINDS):
                if t.target.attr.value == "columns" and isinstance(self.kind(t.target.value), Frame) and isinstance(t.target.value, cst.Name):
                    return self._set_columns(original_node, t.target.value.value)
                self._not_converted(original_node, "PS001", f"setting .{t.target.attr.value} on a Spark value has no Spark rule yet")
                return original_node
        if len(original_node.targets) == 1:
            target = original_node.targets[0].target
            if isinstance(target, cst.Subscript) and isinstance(target.value, cst.Name):
                return self._assign_column(original_node, updated_node, target, value_kind, failed_inside)
            if (
                isinstance(target, cst.Subscript)
                and isinstance(target.value, cst.Attribute)
                and target.value.attr.value == "loc"
                and isinstance(target.value.value, cst.Name)
                and isinstance(self.env.get(target.value.value.value), Frame)
            ):
                return self._assign_loc(original_node, updated_node, target, value_kind)
            if (
                isinstance(target, cst.Subscript)
                and isinstance(target.value, cst.Subscript)
                and isinstance(target.value.value, cst.Name)
                and isinstance(self.env.get(target.value.value.value), Frame)
            ):
                return self._assign_chained(original_node, updated_node, target, value_kind)
            if isinstance(target, cst.Name):
                if value_kind is None and not self.scopes and self._scalar(original_node.value):
                    self.env[target.value] = Scalar()
                elif value_kind is None:
                    self.env.pop(target.value, None)
                else:
                    self.env[target.value] = value_kind
                if isinstance(value_kind, Grouped):
                    keys = ", ".join(py_str(k) for k in value_kind.keys)
                    value = cst.parse_expression(f"{value_kind.frame}.groupBy({keys})")
                    return updated_node.with_changes(value=value)
                return updated_node
        value = original_node.value
        for t in original_node.targets:
            target = t.target
            if (
                isinstance(target, (cst.Tuple, cst.List))
                and isinstance(value, (cst.Tuple, cst.List))
                and len(target.elements) == len(value.elements)
                and not any(isinstance(e, cst.StarredElement) for e in (*target.elements, *value.elements))
            ):
                # a, b = pd.read_csv(x), pd.read_csv(y): element by element
                for element, item in zip(target.elements, value.elements):
                    kind = self.kind(item.value) or (Scalar() if not self.scopes and self._scalar(item.value) else None)
                    for name in target_names(element.value):
                        if kind is None:
                            self.env.pop(name, None)
                        else:
                            self.env[name] = kind
                continue
            held = list(self._held_kinds(value))
            holds = bool(held)
            # from pandas values on the driver only (train_test_split(X, y) of driver frames): on the driver too
            on_driver = holds and all(isinstance(k, Driver) for k in held)
            for name in target_names(target):
                # unpacked from something that holds frames (a generator of read_csv): may be Spark or pandas
                if on_driver:
                    self.env[name] = Driver()
                elif holds:
                    self.env[name] = Unknown()
                else:
                    self.env.pop(name, None)
        return updated_node

    def _assign_column(self, original_node, updated_node, target: cst.Subscript, value_kind, failed_inside: bool):
        frame_name = target.value.value
        kind = self.env.get(frame_name)
        if not isinstance(kind, Frame):
            return updated_node
        element = target.slice[0].slice if len(target.slice) == 1 else None
        column = Arg(code_of(element.value)).literal_or(None) if isinstance(element, cst.Index) else None
        if not isinstance(column, str):
            self._not_converted(original_node, "PS106", "assignment to a DataFrame with a non-literal column key")
            return updated_node
        if value_kind is None and self._touches_pandas(original_node.value):
            # counted once: if a call inside the value already failed, that call is the unconverted site
            reason = f"the value assigned to column {column!r} was not converted"
            self._not_converted(original_node, "PS106", reason, pandas_call=not failed_inside)
            return original_node
        if not isinstance(value_kind, Column) and not self._scalar(original_node.value):
            reason = f"the value assigned to column {column!r} is not a column or a scalar (pandas aligns it by position or index)"
            self._not_converted(original_node, "PS106", reason, pandas_call=not failed_inside)
            return original_node
        self._uses_f()
        value = column_code(code_of(updated_node.value), value_kind)
        bools = kind.bools | {column} if getattr(value_kind, "dtype", None) == "bool" else kind.bools - {column}
        categories = categories_without(kind, [column])
        if getattr(value_kind, "categories", None):
            categories += ((column, value_kind.categories),)
        self.env[frame_name] = dataclasses.replace(kind, bools=bools, series_col=None, categories=categories)
        self.report(original_node, "PS106", "converted", f"df[{column!r}] = ... became withColumn()", pandas_call=True)
        return cst.parse_statement(f"{frame_name} = {frame_name}.withColumn({py_str(column)}, {value})\n").body[0]

    def _assign_loc(self, original_node, updated_node, target: cst.Subscript, value_kind):
        """``df.loc[mask, "c"] = v`` becomes ``df = df.withColumn("c", F.when(mask, v).otherwise(F.col("c")))`` (PS134)."""
        if len(target.slice) != 2 or not all(isinstance(s.slice, cst.Index) for s in target.slice):
            self._not_converted(original_node, "PS134", "loc assignment needs [mask, column]")
            return original_node
        updated_target = updated_node.targets[0].target
        return self._assign_where(
            original_node,
            updated_node,
            frame_name=target.value.value.value,
            column_node=target.slice[1].slice.value,
            mask_node=target.slice[0].slice.value,
            mask_code=code_of(updated_target.slice[0].slice.value),
            value_kind=value_kind,
            what="df.loc[mask, {column!r}] = ...",
        )

    def _assign_chained(self, original_node, updated_node, target: cst.Subscript, value_kind):
        """``df["c"][mask] = v`` (chained assignment, which pandas' copy-on-write ignores) is written as
        the conditional column it was meant to be (PS134)."""
        inner: cst.Subscript = target.value
        if (
            len(target.slice) != 1
            or len(inner.slice) != 1
            or not isinstance(target.slice[0].slice, cst.Index)
            or not isinstance(inner.slice[0].slice, cst.Index)
            or not isinstance(Arg(code_of(inner.slice[0].slice.value)).literal_or(None), str)
        ):
            # df[mask]["c"] = v sets a column of a copy: pandas leaves df as it was (SettingWithCopyWarning)
            self._not_converted(original_node, "PS134", "chained assignment needs df[column][mask]")
            return original_node
        updated_target = updated_node.targets[0].target
        return self._assign_where(
            original_node,
            updated_node,
            frame_name=inner.value.value,
            column_node=inner.slice[0].slice.value,
            mask_node=target.slice[0].slice.value,
            mask_code=code_of(updated_target.slice[0].slice.value),
            value_kind=value_kind,
            what="chained assignment df[{column!r}][mask] = ...",
        )

    def _assign_where(self, original_node, updated_node, *, frame_name, column_node, mask_node, mask_code, value_kind, what):
        kind: Frame = self.env[frame_name]
        column = Arg(code_of(column_node)).literal_or(None)
        if not isinstance(column, str) or not isinstance(self.kind(mask_node), Column):
            self._not_converted(original_node, "PS134", "needs a boolean column mask and one literal column name")
            return original_node
        if value_kind is None and self._touches_pandas(original_node.value):
            self._not_converted(original_node, "PS134", f"the value assigned to column {column!r} was not converted")
            return original_node
        if not isinstance(value_kind, Column) and not self._scalar(original_node.value):
            self._not_converted(original_node, "PS134", f"the value assigned to column {column!r} is not a column or a scalar")
            return original_node
        self._uses_f()
        value = column_code(code_of(updated_node.value), value_kind)
        col = py_str(column)
        categories = categories_without(kind, [column])
        self.env[frame_name] = dataclasses.replace(kind, bools=kind.bools - {column}, series_col=None, categories=categories)
        message = what.format(column=column) + " became withColumn(F.when(...))"
        self.report(original_node, "PS134", "converted", message, pandas_call=True)
        code = f"{frame_name} = {frame_name}.withColumn({col}, F.when({mask_code}, {value}).otherwise(F.col({col})))\n"
        return cst.parse_statement(code).body[0]

    def _scalar(self, node: cst.BaseExpression) -> bool:
        """Whether an expression is a plain Python value a Spark column can take as ``F.lit`` (a literal,
        a setting, a number computed from Spark, arithmetic of those); arrays, lists and unknown names are not."""
        if isinstance(self.kind(node), Scalar) or code_of(node) in MISSING_VALUES:
            return True
        if isinstance(node, (cst.SimpleString, cst.ConcatenatedString, cst.FormattedString, cst.Integer, cst.Float, cst.Imaginary)):
            return True
        if isinstance(node, cst.Name):
            return node.value in ("True", "False", "None") or isinstance(self.env.get(node.value), Scalar)
        if isinstance(node, cst.Subscript):
            return isinstance(node.value, cst.Name) and node.value.value == "config"
        if isinstance(node, cst.UnaryOperation):
            return self._scalar(node.expression)
        if isinstance(node, cst.BinaryOperation):
            return self._scalar(node.left) and self._scalar(node.right)
        if isinstance(node, cst.Call):
            if isinstance(node.func, cst.Name) and node.func.value in _SCALAR_BUILTINS:
                return True
            return _scalar_library_call(node, self._library_function(node.func))
        return False

    def _held_kinds(self, node: cst.CSTNode):
        """The kinds of the tracked values in an expression (DataFrames, Series, pandas values on the
        driver; plain values left out), as a generator in walk order."""
        for n in _walk(node):
            kind = self.kind(n) if isinstance(n, (cst.Name, cst.BaseExpression)) else None
            if kind is not None and not isinstance(kind, Scalar):
                yield kind

    def _holds_frames(self, node: cst.CSTNode) -> bool:
        """Whether an expression contains a DataFrame, Series or pandas value (not only plain values)."""
        return next(self._held_kinds(node), None) is not None

    def _touches_pandas(self, node: cst.CSTNode) -> bool:
        """Whether any part of ``node`` is a tracked pandas object (so the whole is pandas code)."""
        if node in self.kinds or (isinstance(node, cst.Name) and node.value in self.env):
            return True
        return any(self._touches_pandas(child) for child in node.children)

    def leave_Del(self, original_node: cst.Del, updated_node: cst.Del):
        """``del df["c"]`` becomes ``df = df.drop("c")`` (PS113); other deletes of Spark values go to the driver."""
        target = original_node.target
        if isinstance(target, cst.Subscript) and isinstance(target.value, cst.Name) and isinstance(self.env.get(target.value.value), Frame):
            element = target.slice[0].slice if len(target.slice) == 1 else None
            column = Arg(code_of(element.value)).literal_or(None) if isinstance(element, cst.Index) else None
            if isinstance(column, str):
                name = target.value.value
                self.report(original_node, "PS113", "converted", f"del df[{column!r}] became drop()", pandas_call=True)
                return cst.Assign(targets=[cst.AssignTarget(cst.Name(name))], value=cst.parse_expression(f"{name}.drop({py_str(column)})"))
        if not isinstance(target, cst.Name) and isinstance(self.kind(_base_of(target)), SPARK_KINDS):
            self._not_converted(original_node, "PS001", "this del on a Spark value has no Spark rule yet")
            return original_node
        return updated_node

    def _set_columns(self, original_node: cst.Assign, name: str):
        """``df.columns = [...]`` renames every column by position: ``df = df.toDF(*[...])`` (PS155)."""
        kind = self.env[name]
        self.env[name] = Frame(sorted=kind.sorted)
        self.report(original_node, "PS155", "converted", "df.columns = [...] became toDF()", pandas_call=True)
        return cst.Assign(
            targets=[cst.AssignTarget(cst.Name(name))],
            value=cst.parse_expression(f"{name}.toDF(*{code_of(original_node.value)})"),
        )

    def leave_AugAssign(self, original_node, updated_node):
        target = original_node.target
        if not isinstance(target, cst.Name) and isinstance(self.kind(_base_of(target)), SPARK_KINDS):
            self._not_converted(original_node, "PS001", "an augmented assignment into a Spark value has no Spark rule yet")
            return original_node
        if isinstance(original_node.target, cst.Name):
            self.env.pop(original_node.target.value, None)
        return updated_node

    def visit_Expr(self, node: cst.Expr) -> None:
        self.expr_start = (len(self.state.events), len(self.markers))

    def leave_Expr(self, original_node: cst.Expr, updated_node: cst.Expr):
        call = original_node.value
        if call in self.inplace:
            name = call.func.value.value
            self.env[name] = self.kinds.get(call, self.env.get(name))
            return cst.Assign(targets=[cst.AssignTarget(cst.Name(name))], value=updated_node.value)
        if self.scopes or not self._only_shows(call):
            return updated_node
        # A pandas expression whose result is not kept only showed data in the notebook: it leaves
        # the pipeline, converted or not, and its calls are not pipeline call sites.
        events, markers = self.expr_start
        del self.state.events[events:]
        del self.markers[markers:]
        self.report(original_node, "LG103", "dropped", "result not kept; the expression only showed data")
        return cst.RemoveFromParent()

    def _only_shows(self, expr: cst.BaseExpression) -> bool:
        """A statement-level pandas expression with no effect: no writer, no inplace, no unknown call."""
        if isinstance(self.kind(expr), (Frame, Column, Grouped, Scalar, Driver)) and not isinstance(expr, cst.Call):
            return True
        if isinstance(self.kind(expr), (Frame, Column, Grouped, Scalar)):
            return True
        if not isinstance(expr, cst.Call) or not isinstance(expr.func, cst.Attribute):
            return False
        method = expr.func.attr.value
        if method.startswith("to_") or method in ("plot", "hist", *MUTATING_METHODS) or any(
            a.keyword is not None and a.keyword.value == "inplace" for a in expr.args
        ):
            return False
        receiver = expr.func.value
        return isinstance(self.kind(receiver), (Frame, Column, Grouped, Accessor, Driver)) or (
            isinstance(receiver, cst.Call) and self._only_shows(receiver)
        )

    def leave_SimpleStatementLine(self, original_node, updated_node):
        if not self.markers:
            return updated_node
        comments = [cst.EmptyLine(comment=cst.Comment(m)) for m in dict.fromkeys(self.markers)]
        self.markers = []
        return updated_node.with_changes(leading_lines=[*updated_node.leading_lines, *comments])


def _nonzero_number(node: cst.BaseExpression) -> bool:
    """Whether ``node`` is a number literal (``60``, ``2.5``, ``-1``, in parentheses or not) that is not
    zero and finite: a divisor that can neither raise in ANSI mode nor give pandas' inf/NaN."""
    if isinstance(node, cst.UnaryOperation) and isinstance(node.operator, (cst.Minus, cst.Plus)):
        node = node.expression
    if not isinstance(node, (cst.Integer, cst.Float)):
        return False
    value = node.evaluated_value
    return value != 0 and value - value == 0  # not 0, not inf/nan


def _base_of(node: cst.BaseExpression) -> cst.BaseExpression:
    while isinstance(node, (cst.Subscript, cst.Attribute)):
        node = node.value
    return node


def _assigns_itself(statement: cst.BaseStatement) -> bool:
    """Whether ``statement`` is ``x = x`` (what a rewrite that needs no Spark code leaves of ``x = x.set_index(...)``)."""
    if not isinstance(statement, cst.SimpleStatementLine) or len(statement.body) != 1:
        return False
    assign = statement.body[0]
    return (
        isinstance(assign, cst.Assign)
        and len(assign.targets) == 1
        and isinstance(assign.targets[0].target, cst.Name)
        and isinstance(assign.value, cst.Name)
        and assign.targets[0].target.value == assign.value.value
    )


#: an f-string's opening (``f"``, ``rf'``, ``Fr"``...): where code has none, it has no f-string
_F_STRING = re.compile(r"(?<![A-Za-z0-9_])(?:[rR]?[fF]|[fF][rR])[\"']")


def _fit_quotes(statement: cst.BaseStatement) -> cst.BaseStatement:
    """``statement`` with literals a rewrite put inside an f-string re-quoted (:mod:`nb2prod.convert.quotes`); as it is without an f-string."""
    if any(isinstance(n, cst.FormattedString) for n in _walk(statement)):
        return fit_quotes(statement)
    return statement


def _walk(node: cst.CSTNode):
    """``node`` and every node below it."""
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(current.children)


def _short(node: cst.CSTNode, width: int = 60) -> str:
    code = " ".join(code_of(node).split())
    return code if len(code) <= width else code[: width - 3] + "..."


def _is_full_slice(node: cst.BaseSlice) -> bool:
    return isinstance(node, cst.Slice) and node.lower is None and node.upper is None and node.step is None


