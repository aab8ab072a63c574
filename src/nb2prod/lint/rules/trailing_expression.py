from __future__ import annotations

import ast
from collections.abc import Iterator

from nb2prod.lint.context import LintNotebook
from nb2prod.lint.rule import Finding, Rule
from nb2prod.lint.rules import register

#: methods whose result a notebook user ends a cell with, to look at it
DISPLAY_METHODS = frozenset({"head", "tail", "describe", "value_counts", "nunique", "corr", "sample", "to_frame", "memory_usage"})


def _is_display_expression(value: ast.expr) -> bool:
    if isinstance(value, ast.Constant):  # docstrings, `...`
        return False
    if isinstance(value, (ast.Await, ast.Yield, ast.YieldFrom)):
        return False
    if isinstance(value, ast.Call):  # a call may be for its side effect (plt.show()); only known viewers count
        return isinstance(value.func, ast.Attribute) and value.func.attr in DISPLAY_METHODS
    return True


@register
class TrailingExpression(Rule):
    """A cell ends with a bare expression whose value Jupyter displays.

    ## What it does
    Flags the last statement of a code cell when it is an expression whose value would be shown
    as the cell's output: a name, attribute, subscript, comparison, arithmetic, or a call to a
    viewing method such as `.head()`, `.describe()` or `.value_counts()`. Other calls are
    not flagged (`plt.show()` is called for its effect), nor is a line ending with `;`, which
    Jupyter does not display.

    ## Why this matters in production
    In a pipeline the value is computed and thrown away: the check a person made by looking at it
    is gone, and a `.describe()` on a large table still costs a full pass over the data.

    ## Example
    ```python
    df = load_sales()
    df.describe()
    ```

    ## Use instead
    ```python
    df = load_sales()
    log.info("summary:\\n%s", df.describe())
    ```

    Fixable by convert: yes
    """

    code = "NB303"
    name = "trailing-expression"

    def check_notebook(self, nb: LintNotebook) -> Iterator[Finding]:
        for cell in nb.code_cells:
            if cell.tree is None or not cell.tree.body:
                continue
            last = cell.tree.body[-1]
            if not isinstance(last, ast.Expr) or not _is_display_expression(last.value):
                continue
            end = getattr(last, "end_lineno", last.lineno)
            if 0 < end <= len(cell.lines) and cell.lines[end - 1].split("#", 1)[0].rstrip().endswith(";"):
                continue
            yield self.at(nb, cell, last, "bare expression at the end of the cell is displayed only in a notebook (log it or remove it)")
