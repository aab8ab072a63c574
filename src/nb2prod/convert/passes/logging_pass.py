"""Pass: notebook feedback becomes logging, or leaves the pipeline.

* ``print(...)`` (LG101) becomes ``log.info(...)`` with %-style arguments, so
  the message is only formatted when the level is enabled (f-strings with
  simple format specs are split into a format string and arguments);
  ``print(..., file=sys.stderr)`` becomes ``log.warning``. A print that inspects
  data (``print(df.shape)``, ``print(len(df))``, ``print(df.head())``: on Spark
  each is a job) logs at debug level, inside ``if log.isEnabledFor(logging.DEBUG):``
  so that the job runs only when debug logging is on (``--verbose``).
* ``display(...)`` (LG102), a bare expression statement such as ``df``,
  ``df.shape`` or ``df.head()`` (LG103), and plotting calls through
  matplotlib, seaborn, plotly or pandas' ``.plot`` / ``.hist`` (LG104) are
  dropped: a pipeline has no one to show them to. Each is recorded in the
  report with the code it had.

Follows: https://docs.python.org/3/howto/logging.html#optimization (lazy
%-formatting).
"""

from __future__ import annotations

import re
from contextvars import ContextVar

import libcst as cst
from libcst.metadata import QualifiedNameProvider

from nb2prod.convert.passes.base import CellPass

#: codes this pass reports: code -> (kebab-case name, what it means for the user)
CODES = {
    "LG101": ("print-to-logging", "print() becomes log.info() (log.warning() for file=sys.stderr) with lazy %-formatting."),
    "LG102": ("display-dropped", "display() is dropped: a pipeline has no one to show it to."),
    "LG103": ("bare-expression-dropped", "An expression whose value was only shown in the notebook (df, df.head(), df.shape) is dropped."),
    "LG104": ("plot-dropped", "Plotting (matplotlib, seaborn, plotly, DataFrame.plot) is dropped: the pipeline draws no figures."),
}

#: the generated package's name, for ``from <name> import profiling`` (set by ``convert_notebook``)
PACKAGE_NAME: ContextVar[str] = ContextVar("PACKAGE_NAME", default="pipeline")

PLOT_MODULES = ("matplotlib", "seaborn", "plotly", "pandas.plotting", "altair", "bokeh")
PLOT_METHODS = frozenset({"plot", "hist", "boxplot", "scatter_matrix"})
#: functions of plotting libraries that load data: their results are data, never dropped with the plots
DATA_LOADERS = ("seaborn.load_dataset", "plotly.data.", "plotly.express.data.", "bokeh.sampledata.")
#: methods whose only effect in a notebook is to show something
SHOW_METHODS = frozenset(
    {"head", "tail", "describe", "info", "sample", "show", "to_string", "nunique", "unique", "memory_usage"}
)
#: what a print inspects when it shows one of these: a Spark job each, once converted
INSPECT_METHODS = SHOW_METHODS | {"count", "value_counts", "isna", "isnull", "sum", "mean"}
_SIMPLE_SPEC = re.compile(r"^[-+ 0#]?\d*(\.\d+)?[dfeEgGsx%]?$")


def py_string(text: str) -> str:
    """A double-quoted Python string literal for ``text``."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t")
    return f'"{escaped}"'


def chain_root(node: cst.BaseExpression) -> cst.BaseExpression:
    """The innermost object of ``a.b(c)[d].e``: here ``a``."""
    while True:
        if isinstance(node, cst.Attribute):
            node = node.value
        elif isinstance(node, cst.Call):
            node = node.func
        elif isinstance(node, cst.Subscript):
            node = node.value
        else:
            return node


def chain_attrs(node: cst.BaseExpression) -> list[str]:
    """Attribute names along a chain, outermost first."""
    out = []
    while isinstance(node, (cst.Attribute, cst.Call, cst.Subscript)):
        if isinstance(node, cst.Attribute):
            out.append(node.attr.value)
            node = node.value
        elif isinstance(node, cst.Call):
            node = node.func
        else:
            node = node.value
    return out


class LoggingPass(CellPass):
    """Turn print into logging; drop display, bare expressions and plots."""

    METADATA_DEPENDENCIES = (*CellPass.METADATA_DEPENDENCIES, QualifiedNameProvider)

    def __init__(self, context) -> None:
        super().__init__(context)
        self.depth = 0
        self.plot_names: set[str] = set()
        #: the `pass` lines standing for dropped statements inside blocks, by id (kept alive here: the
        #: id of a placeholder that was freed could be reused by any later node, which was then dropped)
        self.placeholders: dict[int, cst.SimpleStatementLine] = {}
        #: the `if log.isEnabledFor(logging.DEBUG):` guards this pass made, by id (kept alive, as above)
        self.guards: dict[int, cst.If] = {}

    def visit_IndentedBlock(self, node) -> None:
        self.depth += 1

    def leave_IndentedBlock(self, original_node, updated_node):
        self.depth -= 1
        body = self._merge_guards(updated_node.body)
        # a dropped statement left `pass` to keep the block valid: keep one only where nothing else is left
        kept = [s for s in body if id(s) not in self.placeholders]
        if len(kept) == len(updated_node.body):
            return updated_node
        return updated_node.with_changes(body=kept or [body[0]])

    def leave_Module(self, original_node, updated_node):
        body = self._merge_guards(updated_node.body)
        return updated_node if len(body) == len(updated_node.body) else updated_node.with_changes(body=body)

    def _merge_guards(self, body) -> list:
        """Consecutive debug guards of one block (no comment or blank line between) as one ``if``."""
        out: list = []
        for statement in body:
            previous = out[-1] if out else None
            if previous is not None and id(statement) in self.guards and id(previous) in self.guards and not statement.leading_lines:
                merged = previous.with_changes(body=previous.body.with_changes(body=[*previous.body.body, *statement.body.body]))
                self.guards[id(merged)] = merged
                out[-1] = merged
            else:
                out.append(statement)
        return out

    # -- classification -------------------------------------------------------------------------
    def _qualified(self, node: cst.CSTNode) -> set[str]:
        try:
            return {q.name for q in self.get_metadata(QualifiedNameProvider, node)}
        except KeyError:
            return set()

    def _is_plot(self, expr: cst.BaseExpression) -> bool:
        if isinstance(expr, cst.Call) and any(
            n.startswith(loader) for n in self._qualified(expr.func) for loader in DATA_LOADERS
        ):
            return False  # sns.load_dataset("tips") is data, not a figure
        root = chain_root(expr)
        if isinstance(root, cst.Name) and root.value in self.plot_names:
            return True
        names = self._qualified(expr.func if isinstance(expr, cst.Call) else expr) | self._qualified(root)
        if any(n == m or n.startswith(m + ".") for n in names for m in PLOT_MODULES):
            return True
        return bool(PLOT_METHODS & set(chain_attrs(expr)))

    def _part_of_plot(self, expr: cst.BaseExpression) -> bool:
        """``grid.axes`` or ``axes[0, 0]``: an attribute or item of a figure the pass dropped."""
        root = chain_root(expr)
        return isinstance(expr, (cst.Attribute, cst.Subscript)) and isinstance(root, cst.Name) and root.value in self.plot_names

    def _is_logger(self, expr: cst.BaseExpression) -> bool:
        """``logger.info(...)``: a logging call, not pandas' ``df.info()``."""
        root = chain_root(expr)
        if any(n == "logging" or n.startswith("logging.") for n in self._qualified(root)):
            return True
        return isinstance(root, cst.Name) and "log" in root.value.lower()

    def _is_builtin(self, func: cst.BaseExpression, name: str) -> bool:
        if not (isinstance(func, cst.Name) and func.value == name):
            return False
        names = self._qualified(func)
        return not names or f"builtins.{name}" in names or name in names or f"IPython.display.{name}" in names

    # -- rewriting ------------------------------------------------------------------------------
    def _print_to_log(self, call: cst.Call, level: str = "info") -> cst.Call | None:
        sep = " "
        pieces: list[str] = []
        args: list[cst.BaseExpression] = []
        for arg in call.args:
            if arg.keyword is not None:
                key = arg.keyword.value
                if key == "sep" and isinstance(arg.value, cst.SimpleString):
                    sep = arg.value.evaluated_value
                elif key == "file":
                    level = "warning"
                elif key in ("end", "flush"):
                    continue
                else:
                    return None
                continue
            if arg.star:
                return None
            value = arg.value
            if isinstance(value, cst.SimpleString) and isinstance(value.evaluated_value, str):
                pieces.append(value.evaluated_value.replace("%", "%%"))
            elif isinstance(value, cst.FormattedString) and self._split_fstring(value) is not None:
                text, exprs = self._split_fstring(value)
                pieces.append(text)
                args.extend(exprs)
            else:
                pieces.append("%s")
                args.append(value)
        fmt = sep.join(pieces)
        new_args = [cst.Arg(cst.parse_expression(py_string(fmt)))] + [cst.Arg(a) for a in args]
        self.state.uses.add("log")
        return cst.Call(func=cst.parse_expression(f"log.{level}"), args=new_args)

    @staticmethod
    def _split_fstring(node: cst.FormattedString) -> tuple[str, list[cst.BaseExpression]] | None:
        text, exprs = [], []
        for part in node.parts:
            if isinstance(part, cst.FormattedStringText):
                text.append(part.value.replace("%", "%%").replace("{{", "{").replace("}}", "}"))
                continue
            spec = ""
            if part.format_spec:
                if not all(isinstance(p, cst.FormattedStringText) for p in part.format_spec):
                    return None
                spec = "".join(p.value for p in part.format_spec)
            if not _SIMPLE_SPEC.match(spec) or part.equal is not None:
                return None
            conversion = "r" if part.conversion == "r" else None
            text.append("%" + (spec if spec and spec[-1] in "dfeEgGsx" else spec + ("r" if conversion else "s")))
            exprs.append(part.expression)
        if "\\" in "".join(text):
            return None  # escapes inside f-string text: keep the f-string as one argument
        return "".join(text), exprs

    def leave_SimpleStatementLine(self, original_node, updated_node):
        keep = []
        for statement, updated in zip(original_node.body, updated_node.body):
            replacement = self._statement(original_node, statement, updated)
            if replacement is not None:
                keep.append(replacement)
        if len(keep) == 1 and isinstance(keep[0], _DebugOnly):
            debug = updated_node.with_changes(body=[keep[0].statement], leading_lines=())
            guard = cst.If(
                test=cst.parse_expression("log.isEnabledFor(logging.DEBUG)"),
                body=cst.IndentedBlock(body=[debug]),
                leading_lines=updated_node.leading_lines,
            )
            self.guards[id(guard)] = guard
            return guard
        if len(keep) == len(updated_node.body) and all(a is b for a, b in zip(keep, updated_node.body)):
            return updated_node
        if keep:
            return updated_node.with_changes(body=keep)
        if not self.depth:
            return cst.RemoveFromParent()
        placeholder = updated_node.with_changes(body=[cst.Pass()])
        self.placeholders[id(placeholder)] = placeholder
        return placeholder

    def _statement(self, line: cst.SimpleStatementLine, statement, updated):
        """The statement to keep (maybe rewritten), or None to drop it."""
        if isinstance(statement, cst.Assign) and (
            (isinstance(statement.value, cst.Call) and self._is_plot(statement.value)) or self._part_of_plot(statement.value)
        ):
            for target in statement.targets:
                for name in _target_names(target.target):
                    self.plot_names.add(name)
            self.report(line, "LG104", "dropped", "plot dropped: the pipeline draws no figures")
            return None
        if not isinstance(statement, cst.Expr):
            return updated
        value = statement.value
        code = self.module_code(value)
        if isinstance(value, cst.Call):
            if self._is_builtin(value.func, "print"):
                inspects = len(line.body) == 1 and _inspects(value)
                new = self._print_to_log(updated.value, "debug" if inspects else "info")
                if new is None:
                    self.report(line, "LG101", "partial", "print with unusual arguments kept as print")
                    return updated
                if inspects:
                    self.report(line, "LG101", "converted", "print() of an inspection became log.debug(), run only at debug level")
                    return _DebugOnly(updated.with_changes(value=new))
                self.report(line, "LG101", "converted", "print() became log.info()")
                return updated.with_changes(value=new)
            if self._is_builtin(value.func, "display"):
                self.report(line, "LG102", "dropped", f"`{code}` dropped: display has no place in a pipeline")
                return None
            if self._is_plot(value):
                self.report(line, "LG104", "dropped", f"`{code}` dropped: the pipeline draws no figures")
                return None
            attrs = chain_attrs(value.func)
            if self.depth == 0 and attrs and attrs[0] in SHOW_METHODS and not self._is_logger(value):
                self.report(line, "LG103", "dropped", f"`{code}` only shows data; dropped")
                return None
            return updated
        if self.depth == 0 and not isinstance(value, (cst.Await, cst.Yield)):
            self.report(line, "LG103", "dropped", f"`{code}` only shows a value; dropped")
            return None
        return updated

    def module_code(self, node: cst.CSTNode) -> str:
        text = cst.Module(body=[]).code_for_node(node)
        text = " ".join(text.split())
        return text if len(text) <= 60 else text[:57] + "..."


class _DebugOnly:
    """A rewritten print to keep behind ``if log.isEnabledFor(logging.DEBUG):``."""

    def __init__(self, statement: cst.Expr) -> None:
        self.statement = statement


class _InspectionFinder(cst.CSTVisitor):
    def __init__(self) -> None:
        self.found = False

    def visit_Attribute(self, node: cst.Attribute) -> None:
        self.found = self.found or node.attr.value == "shape"

    def visit_Call(self, node: cst.Call) -> None:
        func = node.func
        if isinstance(func, cst.Name) and func.value == "len" and node.args:
            self.found = self.found or not _is_columns(node.args[0].value)
        elif isinstance(func, cst.Attribute) and func.attr.value in INSPECT_METHODS:
            self.found = True


def _is_columns(node: cst.BaseExpression) -> bool:
    """``df.columns``: its length costs no job."""
    return isinstance(node, cst.Attribute) and node.attr.value in ("columns", "dtypes")


def _inspects(call: cst.Call) -> bool:
    """Whether a print shows data that Spark computes with a job: ``.shape``, ``len(df)``, ``df.head()``..."""
    finder = _InspectionFinder()
    for arg in call.args:
        if arg.keyword is None:
            arg.value.visit(finder)
    return finder.found


def _target_names(node: cst.BaseExpression) -> list[str]:
    if isinstance(node, cst.Name):
        return [node.value]
    if isinstance(node, (cst.Tuple, cst.List)):
        return [n for el in node.elements for n in _target_names(el.value)]
    return []
