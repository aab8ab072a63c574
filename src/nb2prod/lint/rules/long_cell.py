from __future__ import annotations

from collections.abc import Iterator

from nb2prod.lint.context import LintNotebook
from nb2prod.lint.rule import Finding, Rule
from nb2prod.lint.rules import register


@register
class LongCell(Rule):
    """A code cell is longer than `max-cell-lines` (30) non-blank lines.

    ## What it does
    Counts the non-blank lines of each code cell and flags cells with more than `max-cell-lines`
    (default 30, set in `[tool.nb2prod.lint]`).

    ## Why this matters in production
    A long cell does several things at once: it cannot be re-run in part, its intermediate results
    are invisible, and it converts into one long untestable function. Short cells become small
    pipeline nodes.

    ## Example
    A cell with 31 non-blank lines or more (not shown).

    ## Use instead
    Move the steps into functions (in the notebook or a module) and call them from short cells.

    Fixable by convert: no
    """

    code = "NB205"
    name = "long-cell"

    def check_notebook(self, nb: LintNotebook) -> Iterator[Finding]:
        limit = nb.config.max_cell_lines
        for cell in nb.code_cells:
            lines = sum(1 for line in cell.source.splitlines() if line.strip())
            if lines > limit:
                yield self.finding(nb, cell.number, 1, 1, f"cell has {lines} non-blank lines, more than {limit} (split it into functions)")
