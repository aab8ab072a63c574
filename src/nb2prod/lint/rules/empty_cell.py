from __future__ import annotations

from collections.abc import Iterator

from nb2prod.lint.context import LintNotebook
from nb2prod.lint.rule import Finding, Rule
from nb2prod.lint.rules import register


@register
class EmptyCell(Rule):
    """A cell has nothing in it.

    ## What it does
    Flags code, markdown and raw cells whose source is empty or only whitespace.

    ## Why this matters in production
    Empty cells are noise in review and diffs, and a sign the notebook was not tidied before it was
    committed (62% of notebooks on GitHub have them).

    ## Example
    ```python
    # In[1]:
    df = load_sales()
    # In[ ]:

    ```

    ## Use instead
    ```python
    # In[1]:
    df = load_sales()
    ```

    Fixable by convert: no
    """

    code = "NB306"
    name = "empty-cell"

    def check_notebook(self, nb: LintNotebook) -> Iterator[Finding]:
        for cell in nb.cells:
            if not cell.source.strip():
                yield self.finding(nb, cell.number, 1, 1, f"empty {cell.cell_type} cell (delete it)")
