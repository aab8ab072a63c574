from __future__ import annotations

from collections.abc import Iterator

from nb2prod.lint.context import LintNotebook
from nb2prod.lint.rule import Finding, Rule
from nb2prod.lint.rules import register


@register
class UnexecutedCell(Rule):
    """A code cell was never run, while other cells were.

    ## What it does
    In a notebook where at least one code cell has an execution count, flags each non-empty code
    cell without one. (A notebook with no counts at all, such as one stripped by nbstripout, is
    not flagged.)

    ## Why this matters in production
    The stored results were produced without this cell, so nobody knows whether it works or what
    it changes. A pipeline will run it.

    ## Example
    ```python
    # In[1]:
    import pandas as pd
    # In[ ]:
    df = pd.read_csv("sales.csv")
    ```

    ## Use instead
    Run every cell (restart and run all), or delete the cells you do not need:
    ```python
    # In[1]:
    import pandas as pd
    # In[2]:
    df = pd.read_csv("sales.csv")
    ```

    Fixable by convert: no
    """

    code = "NB103"
    name = "unexecuted-cell"

    def check_notebook(self, nb: LintNotebook) -> Iterator[Finding]:
        if all(c.cell.execution_count is None for c in nb.code_cells):
            return
        for cell in nb.code_cells:
            if cell.cell.execution_count is None and cell.source.strip():
                yield self.finding(nb, cell.number, 1, 1, "cell was never run while other cells were (restart the kernel and run all)")
