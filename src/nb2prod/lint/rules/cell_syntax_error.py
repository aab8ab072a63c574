from __future__ import annotations

from collections.abc import Iterator

from nb2prod.lint.context import LintNotebook
from nb2prod.lint.rule import Finding, Rule
from nb2prod.lint.rules import register


@register
class CellSyntaxError(Rule):
    """A code cell is not valid Python, even after IPython's magics are recognised.

    ## What it does
    Flags code cells that do not parse, at the position the parser gives. Other rules cannot look
    inside such a cell, so its other problems are not reported until it parses.

    ## Why this matters in production
    The notebook cannot run top to bottom, so it cannot be converted into a pipeline. Cells like
    this are often left over from editing, or written for another kernel.

    ## Example
    ```python
    df = df[df.amount > 0
    ```

    ## Use instead
    ```python
    df = df[df.amount > 0]
    ```

    Fixable by convert: no
    """

    code = "NB209"
    name = "cell-syntax-error"

    def check_notebook(self, nb: LintNotebook) -> Iterator[Finding]:
        for cell in nb.code_cells:
            if cell.syntax_error is not None:
                line, col, message = cell.syntax_error
                yield self.finding(nb, cell.number, line, col, f"cell does not parse: {message}")
