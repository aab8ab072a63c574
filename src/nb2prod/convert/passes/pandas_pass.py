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

import libcst as cst
from libcst.metadata import QualifiedNameProvider

from nb2prod.convert.kinds import Accessor, Column, Frame, Frames, Grouped, Kind, Rolling, Scalar, column_code
from nb2prod.convert.passes.base import CellPass
from nb2prod.convert.rules import load_rules
from nb2prod.convert.rules._base import DISPATCH, PROPERTIES, Arg, CallSite, NotApplicable, NotConvertible, Rewrite, py_str

#: codes this pass reports besides the PS1xx rules: code -> (kebab-case name, what it means for the user)
CODES = {
    "PS001": ("no-rule-yet", "A pandas call no rule converts yet; the code stays as the notebook wrote it, marked, and counts against readiness."),
    "PS002": ("star-arguments", "A pandas call with *args or **kwargs; the arguments are unknown until run time, so it is not converted."),
}

_EMPTY = cst.Module(body=[])
#: pandas functions that work on scalars or settings, not DataFrames: they run as they are in a
#: pipeline (pandas stays a dependency) and are not DataFrame call sites
SCALAR_FUNCTIONS = frozenset(
    {"Timestamp", "Timedelta", "DateOffset", "Period", "Interval", "to_timedelta", "set_option", "get_option", "reset_option", "option_context"}
)
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

    # -- kinds ----------------------------------------------------------------------------------
    def kind(self, node: cst.CSTNode) -> Kind | None:
        if isinstance(node, cst.Name):
            return self.env.get(node.value)
        return self.kinds.get(node)

    def _library_function(self, func: cst.BaseExpression) -> tuple[str, str] | None:
        """(receiver type, name) for ``pandas.<name>`` or ``numpy.<name>``, by qualified name."""
        for q in self.get_metadata(QualifiedNameProvider, func, set()):
            for module, receiver in (("pandas.", "pandas"), ("numpy.", "numpy")):
                if q.name.startswith(module) and q.name.count(".") == 1:
                    return receiver, q.name.split(".", 1)[1]
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
            from libcst.codemod import CodemodContext

            # what a function returns depends on what it is called with and the other way round:
            # repeat the dry pass until the argument kinds stop changing (functions feeding functions);
            # the dry passes read this pass's tree and share its metadata (resolved once)
            for _ in range(3):
                dry = PandasPass(CodemodContext(), dry_run=True)
                dry.argument_kinds, known = {}, self.argument_kinds
                dry.hints = known
                dry.transform_with(self.context.wrapper)
                if dry.argument_kinds == known:
                    break
                self.argument_kinds = dry.argument_kinds
            self.hints = self.argument_kinds
        return super().transform_module_impl(tree)

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
                self.argument_kinds.setdefault((function.name.value, name), []).append(self.kind(arg.value))

    def leave_For(self, original_node, updated_node):
        for name in _names(original_node.target):
            self.env.pop(name, None)
        return updated_node

    # -- calls ----------------------------------------------------------------------------------
    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call):
        func = original_node.func
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
        if library is not None and library[0] == "pandas" and library[1] in SCALAR_FUNCTIONS:
            return updated_node
        receiver_code, receiver_kind = None, None
        receiver_type, method = library if library else ("pandas", None)
        if method is None:
            if not isinstance(func, cst.Attribute):
                return updated_node
            receiver_kind = self.kind(func.value)
            receiver_type = _receiver_type(receiver_kind)
            if receiver_type is None:
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
        label = f"{ {'pandas': 'pd', 'numpy': 'np'}.get(receiver_type, receiver_type)}.{method}"
        found = self._dispatch(original_node, receiver_type, method, CallSite(method, receiver_code, receiver_kind, args, kwargs), f"{label}()")
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
                return rule, rule.convert(CallSite(site.method, site.receiver, site.kind, list(site.args), dict(site.kwargs)))
            except NotApplicable:
                continue
            except NotConvertible as exc:
                self._not_converted(original_node, rule.code, f"{label}: {exc}")
                return None
        if receiver_type != "numpy":
            extra = " with these arguments" if rules else ""
            self._not_converted(original_node, "PS001", f"{label}{extra} has no Spark rule yet")
        return None

    # -- column selection, filters --------------------------------------------------------------
    def leave_Subscript(self, original_node: cst.Subscript, updated_node: cst.Subscript):
        accessor = self.kind(original_node.value)
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
        if not isinstance(kind, (Frame, Grouped)) or len(original_node.slice) != 1:
            return updated_node
        element = original_node.slice[0].slice
        if not isinstance(element, cst.Index):
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
            column = Column(receiver, value, dtype, kind.order)
            return self._replace(original_node, updated_node, f"F.col({py_str(value)})", column)
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            names = ", ".join(py_str(v) for v in value)
            self.report(original_node, "PS104", "converted", "column selection became select()", pandas_call=True)
            order = kind.order if all(c in value for c, _ in kind.order) else ()
            new_kind = Frame(sorted=kind.sorted, bools=kind.bools & set(value), order=order)
            return self._replace(original_node, updated_node, f"{receiver}.select({names})", new_kind)
        if isinstance(index.kind, Column):
            self.report(original_node, "PS105", "converted", "boolean mask became filter()", pandas_call=True)
            return self._replace(original_node, updated_node, f"{receiver}.filter({index_code})", kind)
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
        result: Kind = Frame(sorted=kind.sorted, bools=kind.bools, order=kind.order)
        if len(parts) == 2:
            if not isinstance(parts[1], cst.Index):
                pass  # df.loc[mask, :] keeps every column
            else:
                columns = Arg(code_of(parts[1].value)).literal_or(None)
                if isinstance(columns, str):
                    self.report(original_node, "PS148", "converted", "loc read became filter()", pandas_call=True)
                    self._uses_f()
                    dtype = "bool" if columns in kind.bools else None
                    return self._replace(original_node, updated_node, f"F.col({py_str(columns)})", Column(code, columns, dtype))
                if not (isinstance(columns, list) and all(isinstance(c, str) for c in columns)):
                    self._not_converted(original_node, "PS148", "loc columns must be a literal name or list of names")
                    return original_node
                code += f".select({', '.join(py_str(c) for c in columns)})"
                result = Frame(sorted=kind.sorted, bools=kind.bools & set(columns))
        self.report(original_node, "PS148", "converted", "loc read became filter() / select()", pandas_call=True)
        return self._replace(original_node, updated_node, code, result)

    def _grouped(self, original, updated, kind: Grouped, selection, single):
        self.kinds[original] = Grouped(
            kind.frame, kind.keys, selection, single, kind.dropna, kind.sort, kind.bools, kind.as_index, kind.order
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
        if not (isinstance(left_kind, Column) or isinstance(right_kind, Column)):
            return updated_node
        self._uses_f()
        left = column_code(code_of(updated_node.left), left_kind)
        right = column_code(code_of(updated_node.right), right_kind)
        op = type(original_node.operator)
        frame = next((k.frame for k in (left_kind, right_kind) if isinstance(k, Column)), None)
        if op is cst.Divide:
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
        if len(original_node.comparisons) != 1:
            return updated_node
        target = original_node.comparisons[0]
        left_kind, right_kind = self.kind(original_node.left), self.kind(target.comparator)
        if not (isinstance(left_kind, Column) or isinstance(right_kind, Column)):
            return updated_node
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
        self.targets.update(t.target for t in node.targets if isinstance(t.target, cst.Subscript))

    def leave_Assign(self, original_node: cst.Assign, updated_node: cst.Assign):
        failed_inside = self.failures > self.failures_at.pop()
        value_kind = self.kind(original_node.value)
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
                if value_kind is None:
                    self.env.pop(target.value, None)
                else:
                    self.env[target.value] = value_kind
                if isinstance(value_kind, Grouped):
                    keys = ", ".join(py_str(k) for k in value_kind.keys)
                    value = cst.parse_expression(f"{value_kind.frame}.groupBy({keys})")
                    return updated_node.with_changes(value=value)
                return updated_node
        for t in original_node.targets:
            for name in _names(t.target):
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
        self._uses_f()
        value = column_code(code_of(updated_node.value), value_kind)
        bools = kind.bools | {column} if getattr(value_kind, "dtype", None) == "bool" else kind.bools - {column}
        self.env[frame_name] = dataclasses.replace(kind, bools=bools, series_col=None)
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
        if len(target.slice) != 1 or len(inner.slice) != 1 or not isinstance(target.slice[0].slice, cst.Index):
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
        self._uses_f()
        value = column_code(code_of(updated_node.value), value_kind)
        col = py_str(column)
        self.env[frame_name] = dataclasses.replace(kind, bools=kind.bools - {column}, series_col=None)
        message = what.format(column=column) + " became withColumn(F.when(...))"
        self.report(original_node, "PS134", "converted", message, pandas_call=True)
        code = f"{frame_name} = {frame_name}.withColumn({col}, F.when({mask_code}, {value}).otherwise(F.col({col})))\n"
        return cst.parse_statement(code).body[0]

    def _touches_pandas(self, node: cst.CSTNode) -> bool:
        """Whether any part of ``node`` is a tracked pandas object (so the whole is pandas code)."""
        if node in self.kinds or (isinstance(node, cst.Name) and node.value in self.env):
            return True
        return any(self._touches_pandas(child) for child in node.children)

    def leave_AugAssign(self, original_node, updated_node):
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
        if isinstance(self.kind(expr), (Frame, Column, Grouped, Scalar)):
            return True
        if not isinstance(expr, cst.Call) or not isinstance(expr.func, cst.Attribute):
            return False
        method = expr.func.attr.value
        if method.startswith("to_") or method in ("plot", "hist") or any(
            a.keyword is not None and a.keyword.value == "inplace" for a in expr.args
        ):
            return False
        receiver = expr.func.value
        return isinstance(self.kind(receiver), (Frame, Column, Grouped, Accessor)) or (
            isinstance(receiver, cst.Call) and self._only_shows(receiver)
        )

    def leave_SimpleStatementLine(self, original_node, updated_node):
        if not self.markers:
            return updated_node
        comments = [cst.EmptyLine(comment=cst.Comment(m)) for m in dict.fromkeys(self.markers)]
        self.markers = []
        return updated_node.with_changes(leading_lines=[*updated_node.leading_lines, *comments])


def _is_full_slice(node: cst.BaseSlice) -> bool:
    return isinstance(node, cst.Slice) and node.lower is None and node.upper is None and node.step is None


def _names(node: cst.BaseExpression) -> list[str]:
    if isinstance(node, cst.Name):
        return [node.value]
    if isinstance(node, (cst.Tuple, cst.List)):
        return [n for el in node.elements for n in _names(el.value)]
    return []
