from __future__ import annotations

from collections.abc import Iterator

from nb2prod.lint.context import LintNotebook
from nb2prod.lint.rule import Finding, Rule
from nb2prod.lint.rules import register


@register
class NonLinearExecutionOrder(Rule):
    """A cell ran before a cell above it: the stored results came from an out-of-order run.

    ## What it does
    Compares the stored execution counts of code cells in notebook order and flags each cell whose
    count is not greater than every count above it (it ran earlier than, or again after, a cell
    above it).

    Cells without a count are skipped, and so is a count of 0: IPython counts from 1, and tools
    that keep no counts (Databricks exports) store 0 for every cell.

    ## Why this matters in production
    A pipeline runs top to bottom, once. Results produced in another order may depend on state that
    a top-to-bottom run never builds (Pimentel et al. found 36% of notebooks on GitHub non-linear),
    so the notebook is not evidence that the code works.

    ## Example
    ```python
    # In[2]:
    import pandas as pd
    # In[1]:
    df = pd.read_csv("sales.csv")
    ```

    ## Use instead
    Restart the kernel and run all cells before committing:
    ```python
    # In[1]:
    import pandas as pd
    # In[2]:
    df = pd.read_csv("sales.csv")
    ```

    Fixable by convert: no
    """

    code = "NB101"
    name = "non-linear-execution-order"

    def check_notebook(self, nb: LintNotebook) -> Iterator[Finding]:
        highest = None
        for cell in nb.code_cells:
            count = cell.cell.execution_count
            if not count:  # None: never ran; 0: no count kept (Databricks exports every cell as [0])
                continue
            if highest is not None and count <= highest:
                if count == highest:
                    what = f"cell has the same execution count [{count}] as a cell above it"
                else:
                    what = f"cell ran as [{count}] before a cell above it that ran as [{highest}]"
                yield self.finding(nb, cell.number, 1, 1, f"{what} (restart the kernel and run all)")
            highest = count if highest is None else max(highest, count)
