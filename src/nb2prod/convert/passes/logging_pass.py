"""Pass: notebook feedback becomes logging, or leaves the pipeline.

* ``print(...)`` (LG101) becomes ``log.info(...)`` with %-style arguments, so
  the message is only formatted when the level is enabled (f-strings with
  simple format specs are split into a format string and arguments);
  ``print(..., file=sys.stderr)`` becomes ``log.warning``. A print that inspects
  data (``print(df.shape)``, ``print(len(df))``, ``print(df.head())``: on Spark
  each is a job) logs at debug level, inside ``if log.isEnabledFor(logging.DEBUG):``
  so that the job runs only when debug logging is on (``--verbose``).
* Exploratory cells are kept behind the setting ``profiling.enabled`` (false by default) through
  the generated module ``profiling.py``: at the top level of a cell, ``display(x)``, a bare
  ``x.describe()``, ``x.value_counts()`` or ``x.info()`` becomes
  ``profiling.table("cell_12_display", ...)`` (``describe``, ``info``; LG105), and a cell's run of
  plotting statements becomes a function drawn by ``profiling.figure("cell_13_figure", ...)``
  (LG106), handed the values it reads (Spark DataFrames as pandas, collected only when profiling
  is on). With profiling off nothing is computed: no Spark job runs. A run of plotting statements
  that ends in ``savefig(...)`` is a real output (LG107): ``profiling.output_figure(...)`` draws and
  saves it on every run (its path a setting, by the config pass).
* What is left of ``display(...)`` (LG102: nested in a block, several arguments), a bare expression
  statement such as ``df``, ``df.shape`` or ``df.head()`` (LG103), and plotting calls inside blocks
  (LG104) are dropped: a pipeline has no one to show them to. Each is recorded in the report with
  the code it had.

Follows: https://docs.python.org/3/howto/logging.html#optimization (lazy
%-formatting).
"""

from __future__ import annotations

import re
from contextvars import ContextVar
from dataclasses import dataclass, replace

import libcst as cst
from libcst.metadata import QualifiedNameProvider

from nb2prod.convert.cells import sentinel_cell
from nb2prod.convert.passes.base import CellPass

#: codes this pass reports: code -> (kebab-case name, what it means for the user)
CODES = {
    "LG101": ("print-to-logging", "print() becomes log.info() (log.warning() for file=sys.stderr) with lazy %-formatting."),
    "LG102": ("display-dropped", "display() is dropped: a pipeline has no one to show it to."),
    "LG103": ("bare-expression-dropped", "An expression whose value was only shown in the notebook (df, df.head(), df.shape) is dropped."),
    "LG104": ("plot-dropped", "Plotting (matplotlib, seaborn, plotly, DataFrame.plot) is dropped: the pipeline draws no figures."),
    "LG105": (
        "profiling-table",
        "display(), describe(), value_counts() and info() shown at the top level of a cell become profiling calls: with "
        "profiling.enabled they write a table (CSV or Markdown) or text into profiling.dir, named by cell; off, they compute nothing.",
    ),
    "LG106": (
        "profiling-figure",
        "A cell's plotting statements become a function drawn by profiling.figure(): with profiling.enabled a PNG "
        "(matplotlib's Agg backend) named by cell in profiling.dir, the Spark DataFrames it reads handed over as pandas; off, nothing runs.",
    ),
    "LG107": (
        "saved-figure-output",
        "Plotting statements that end in savefig(path) are an output: profiling.output_figure() draws and saves the "
        "figure on every run, profiling on or off; the path is a setting.",
    ),
    "LG108": (
        "display-option-dropped",
        "A setting of how the notebook shows values (pd.options.display.*, pd.set_option('display.*', ...), "
        "np.set_printoptions) is dropped: it changes no result, and a pipeline shows nothing.",
    ),
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
#: plotting calls that only decorate a figure drawn elsewhere (a group of only these draws nothing)
DECORATIONS = frozenset({
    "legend", "title", "suptitle", "xlabel", "ylabel", "xlim", "ylim", "xticks", "yticks", "grid", "tight_layout",
    "set_title", "set_xlabel", "set_ylabel", "set_xlim", "set_ylim", "savefig", "close",
})  # fmt: skip
#: methods shown bare at the top level of a cell that become profiling tables (LG105)
PROFILED_METHODS = frozenset({"describe", "info", "value_counts"})
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
        #: top-level plotting lines kept for a figure (LG106/LG107), by id of the line (kept alive, as above)
        self.figure_lines: dict[int, _FigureLine] = {}
        #: the profiling statements this pass made, by id (the import goes before the first)
        self.profiled: dict[int, cst.CSTNode] = {}
        #: artefact and function names given so far, for unique names
        self.names: set[str] = set()

    def visit_For(self, node: cst.For) -> None:
        finder = _NameReads()
        node.iter.visit(finder)
        if any(n.value in self.plot_names for n in finder.names):  # for ax, feat in zip(axes, top5): ax is a figure's
            self.plot_names.update(_target_names(node.target))

    def leave_For(self, original_node: cst.For, updated_node: cst.For):
        """A loop whose every statement was a plot dropped here does nothing in the pipeline: removed
        (its header may read a figure that went into a drawing function: ``zip(axes, top5)``)."""
        body = updated_node.body.body
        if body and all(id(s) in self.placeholders for s in body) and updated_node.orelse is None:
            return cst.RemoveFromParent()
        return updated_node

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
        if self.figure_lines:
            body = self._figures(body)
        if self.profiled:
            first = next(i for i, statement in enumerate(body) if id(statement) in self.profiled)
            statement = body[first]
            line = cst.parse_statement(f"from {PACKAGE_NAME.get()} import profiling\n").with_changes(leading_lines=statement.leading_lines)
            body = [*body[:first], line, statement.with_changes(leading_lines=()), *body[first + 1 :]]
        changed = len(body) != len(updated_node.body) or any(a is not b for a, b in zip(body, updated_node.body))
        return updated_node.with_changes(body=body) if changed else updated_node

    # -- profiling (LG105, LG106, LG107) ----------------------------------------------------------
    def _unique(self, base: str) -> str:
        name, n = base, 1
        while name in self.names:
            n += 1
            name = f"{base}_{n}"
        self.names.add(name)
        return name

    def _mark(self, statement: cst.CSTNode) -> cst.CSTNode:
        self.profiled[id(statement)] = statement
        self.state.uses.add("profiling")  # the package needs pandas to collect Spark values for it
        return statement

    def _profiling_line(self, line: cst.SimpleStatementLine, updated: cst.SimpleStatementLine):
        """The line as a profiling call or a kept plotting line (top level only), or None to go on as before."""
        if len(line.body) != 1 or sentinel_cell(line) is not None:
            return None
        statement = line.body[0]
        figure = self._figure_line(statement)
        if figure is not None:
            code = self.module_code(statement)
            if figure.show:
                self.report(line, "LG104", "dropped", f"`{code}` dropped: the figure is drawn into a file")
            elif figure.saves:
                self.report(line, "LG107", "converted", f"`{code}` kept: the figure is an output, drawn and saved on every run")
            else:
                self.report(line, "LG106", "converted", f"`{code}` kept for profiling.figure(): drawn only when profiling.enabled")
            figure.event = len(self.state.events) - 1
            self.figure_lines[id(updated)] = figure
            return updated
        if not isinstance(statement, cst.Expr) or not isinstance(statement.value, cst.Call):
            return None
        call: cst.Call = statement.value
        code = self.module_code(call)
        if self._is_builtin(call.func, "display"):
            if len(call.args) != 1 or call.args[0].keyword is not None or call.args[0].star:
                return None
            shown = call.args[0].value
            head = isinstance(shown, cst.Call) and isinstance(shown.func, cst.Attribute) and shown.func.attr.value == "head"
            if not _simple(shown.func.value if head else shown):
                return None  # an expression the pandas pass may leave on the driver: dropped, as before (LG102)
            name = self._unique(f"cell_{self.cell}_display")
            new = _profiling_call("table", name, *_shown(call.args[0].value))
        elif isinstance(call.func, cst.Attribute) and call.func.attr.value in PROFILED_METHODS and not self._is_logger(call):
            method = call.func.attr.value
            receiver = call.func.value
            if not _simple(receiver):
                return None  # `df.groupby("k").x.describe()`: dropped, as before (LG103)
            if method == "value_counts":
                name = self._unique(f"cell_{self.cell}_value_counts")
                new = _profiling_call("table", name, _lazy(call))
            elif any(a.keyword is None for a in call.args) or (method == "info" and call.args):
                return None
            else:
                name = self._unique(f"cell_{self.cell}_{method}")
                new = _profiling_call(method, name, _lazy(_as_frame(receiver)), *call.args)
        else:
            return None
        self.report(line, "LG105", "converted", f"`{code}` kept: profiling writes it as {name} when profiling.enabled")
        return self._mark(updated.with_changes(body=[cst.Expr(new)]))

    def _figure_line(self, statement: cst.BaseSmallStatement) -> _FigureLine | None:
        """What a top-level plotting statement reads and binds, or None when it is no plotting statement."""
        if isinstance(statement, cst.Assign):
            value = statement.value
            if not ((isinstance(value, cst.Call) and self._is_plot(value)) or self._part_of_plot(value)):
                return None
            bound = [n for target in statement.targets for n in _target_names(target.target)]
            if len(bound) != sum(len(_target_names(t.target)) or 1 for t in statement.targets):
                return None  # an attribute or item assigned: not a plain figure name
            self.plot_names.update(bound)
            return _FigureLine(self.cell, self._reads(value), bound)
        if not isinstance(statement, cst.Expr) or not isinstance(statement.value, cst.Call) or not self._is_plot(statement.value):
            return None
        call = statement.value
        attrs = chain_attrs(call.func)
        show = bool(attrs) and attrs[0] == "show"
        decorates = bool(attrs) and attrs[0] in DECORATIONS
        return _FigureLine(self.cell, self._reads(call), [], saves=bool(attrs) and attrs[0] == "savefig", show=show, decorates=decorates)

    def _reads(self, node: cst.CSTNode) -> list[str]:
        """The names ``node`` reads that the notebook binds (not modules, builtins or libraries), in order."""
        finder = _NameReads()
        node.visit(finder)
        out: list[str] = []
        for name in finder.names:
            # a name the notebook binds at the top level (not a module, a library's or a builtin name, nor unknown)
            if name.value not in out and self._qualified(name) == {name.value}:
                out.append(name.value)
        return out

    def _figures(self, body: list) -> list:
        """Each run of kept plotting lines of one cell as a drawing function and its profiling call."""
        out: list = []
        group: list = []

        def flush() -> None:
            if group:
                out.extend(self._figure(group))
                group.clear()

        for statement in body:
            figure = self.figure_lines.get(id(statement))
            if figure is None:
                flush()
                out.append(statement)
                continue
            if group and self.figure_lines[id(group[0])].cell != figure.cell:
                flush()
            group.append(statement)
        flush()
        return out

    def _figure(self, group: list) -> list:
        lines = [self.figure_lines[id(s)] for s in group]
        cell = lines[0].cell
        bound: set[str] = set()
        params: list[str] = []
        for line in lines:
            params.extend(n for n in line.reads if n not in bound and n not in params)
            bound.update(line.bound)
        drawn = [s for s, line in zip(group, lines) if not line.show]
        elsewhere = [n for n in params if n in self.plot_names]
        if elsewhere or all(line.show or line.decorates for line in lines):
            if elsewhere:
                why = f"it draws on the figure `{elsewhere[0]}` of another cell"
            else:
                why = "it draws no data (the cell's plots are inside a block)" if drawn else "it only shows the figure"
            for line in lines:
                event = self.state.events[line.event]
                self.state.events[line.event] = replace(event, code="LG104", outcome="dropped", message=f"{event.message.split('`')[1] if '`' in event.message else 'plot'}: dropped, {why}")
            return []
        saves = any(line.saves for line in lines)
        function = self._unique(f"_figure_cell_{cell}")
        arguments = ", ".join(f"{n}={n}" for n in params)
        if saves:
            call = f"profiling.output_figure({function}{', ' if params else ''}{arguments})"
            for line in lines:  # the whole figure is the output
                event = self.state.events[line.event]
                if event.code == "LG106":
                    self.state.events[line.event] = replace(event, code="LG107", message=event.message.split(" kept")[0] + " kept: part of a figure the notebook saves, drawn on every run")
        else:
            artefact = self._unique(f"cell_{cell}_figure")
            call = f'profiling.figure("{artefact}", {function}{", " if params else ""}{arguments})'
        definition = cst.FunctionDef(
            name=cst.Name(function),
            params=cst.Parameters(params=[cst.Param(cst.Name(n)) for n in params]),
            body=cst.IndentedBlock(body=[drawn[0].with_changes(leading_lines=()), *drawn[1:]]),
            leading_lines=group[0].leading_lines,
        )
        return [self._mark(definition), self._mark(cst.parse_statement(call + "\n"))]

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
    def _sets_display_option(self, statement: cst.BaseSmallStatement) -> bool:
        """``pd.options.display.max_rows = 10``, ``pd.set_option("display.width", 200)``, ``np.set_printoptions(...)``."""
        if isinstance(statement, cst.Assign):
            return all(
                isinstance(t.target, cst.Attribute) and any(q.startswith("pandas.options.display.") for q in self._qualified(t.target))
                for t in statement.targets
            )
        if not (isinstance(statement, cst.Expr) and isinstance(statement.value, cst.Call)):
            return False
        call = statement.value
        names = self._qualified(call.func)
        if "numpy.set_printoptions" in names:
            return True
        if not names & {"pandas.set_option", "pandas.options.display.set_option"} or not call.args:
            return False
        first = call.args[0].value
        return isinstance(first, cst.SimpleString) and str(first.evaluated_value).startswith("display.")

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
        if not self.depth:
            profiled = self._profiling_line(original_node, updated_node)
            if profiled is not None:
                return profiled
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
        if self._sets_display_option(statement):
            self.report(line, "LG108", "dropped", f"`{self.module_code(statement)}` only changes how the notebook shows values; dropped")
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


@dataclass
class _FigureLine:
    """A top-level plotting line kept for a figure: its cell, the names it reads and binds."""

    cell: int
    reads: list[str]
    bound: list[str]
    saves: bool = False
    show: bool = False
    #: only titles, labels or limits an existing figure: draws no data
    decorates: bool = False
    event: int = -1


class _NameReads(cst.CSTVisitor):
    """The names an expression reads (not attribute names, keywords, or lambda parameters' uses)."""

    def __init__(self) -> None:
        self.names: list[cst.Name] = []

    def visit_Name(self, node: cst.Name) -> None:
        self.names.append(node)

    def visit_Attribute(self, node: cst.Attribute) -> bool:
        node.value.visit(self)
        return False

    def visit_Arg(self, node: cst.Arg) -> bool:
        node.value.visit(self)
        return False

    def visit_Lambda(self, node: cst.Lambda) -> bool:
        return False


def _profiling_call(function: str, name: str, *args: cst.BaseExpression | cst.Arg) -> cst.Call:
    """``profiling.<function>("<name>", args...)``."""
    values = [cst.Arg(cst.SimpleString(f'"{name}"')), *(a if isinstance(a, cst.Arg) else cst.Arg(a) for a in args)]
    return cst.Call(func=cst.Attribute(cst.Name("profiling"), cst.Name(function)), args=values)


def _lazy(value: cst.BaseExpression) -> cst.BaseExpression:
    """A name as it is (nothing to compute); anything else as ``lambda: value``, computed only when profiling is on."""
    if isinstance(value, cst.Name):
        return value
    return cst.Lambda(params=cst.Parameters(), body=value)


_FRAME_ATTRIBUTES = frozenset({"T", "loc", "iloc", "at", "iat", "values", "index", "columns", "dtypes", "str", "dt", "cat", "plot"})


def _simple(node: cst.BaseExpression) -> bool:
    """A name, ``name.column`` or ``name["column"]`` / ``name[["a", "b"]]``: what profiling can take
    as it is (a Spark or pandas frame or column), with no computation the pandas pass might leave on the driver."""
    if isinstance(node, cst.Name):
        return True
    if isinstance(node, cst.Attribute):
        return isinstance(node.value, cst.Name)
    if isinstance(node, cst.Subscript) and isinstance(node.value, cst.Name) and len(node.slice) == 1:
        index = node.slice[0].slice
        if not isinstance(index, cst.Index):
            return False
        value = index.value
        if isinstance(value, cst.SimpleString):
            return True
        return isinstance(value, cst.List) and all(isinstance(e.value, cst.SimpleString) for e in value.elements)
    return False


def _shown(value: cst.BaseExpression) -> list[cst.BaseExpression | cst.Arg]:
    """What ``display(value)`` hands to ``profiling.table``: ``df.head(n)`` as ``df, rows=n`` (the first
    rows, taken by the profiling module: no rewrite of ``head``), anything else lazily."""
    if (
        isinstance(value, cst.Call)
        and isinstance(value.func, cst.Attribute)
        and value.func.attr.value == "head"
        and len(value.args) <= 1
        and all(a.keyword is None and isinstance(a.value, cst.Integer) for a in value.args)
    ):
        rows = value.args[0].value if value.args else cst.Integer("5")
        return [_lazy(value.func.value), cst.Arg(rows, keyword=cst.Name("rows"), equal=cst.AssignEqual(cst.SimpleWhitespace(""), cst.SimpleWhitespace("")))]
    return [_lazy(value)]


def _as_frame(receiver: cst.BaseExpression) -> cst.BaseExpression:
    """``df.col`` or ``df["col"]`` (a Series) as ``df[["col"]]``, so that Spark describes it as a frame."""
    if isinstance(receiver, cst.Attribute) and isinstance(receiver.value, cst.Name) and receiver.attr.value not in _FRAME_ATTRIBUTES:
        column = cst.SimpleString(f'"{receiver.attr.value}"')
    elif (
        isinstance(receiver, cst.Subscript)
        and isinstance(receiver.value, cst.Name)
        and len(receiver.slice) == 1
        and isinstance(receiver.slice[0].slice, cst.Index)
        and isinstance(receiver.slice[0].slice.value, cst.SimpleString)
    ):
        column = receiver.slice[0].slice.value
    else:
        return receiver
    columns = cst.List([cst.Element(column)])
    return cst.Subscript(value=receiver.value, slice=[cst.SubscriptElement(cst.Index(columns))])


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
