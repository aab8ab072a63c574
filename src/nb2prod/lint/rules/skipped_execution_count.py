from __future__ import annotations

from collections.abc import Iterator

from nb2prod.lint.context import LintNotebook
from nb2prod.lint.rule import Finding, Rule
from nb2prod.lint.rules import register


@register
class SkippedExecutionCount(Rule):
    """Execution counts jump: code ran that is no longer in the notebook.

    ## What it does
    Flags a code cell whose execution count is more than one above the previous executed cell's
    (or, for the first executed cell, above 1) while the counts still increase. The missing numbers
    are executions of cells since edited, deleted or run twice.

    ## Why this matters in production
    The stored outputs depend on code nobody can see any more. 77% of notebooks on GitHub skip
    counts; each one is a run that a clean pipeline will not reproduce.

    ## Example
    ```python
    # In[1]:
    import pandas as pd
    # In[5]:
    df = pd.read_csv("sales.csv")
    ```

    ## Use instead
    Restart the kernel and run all cells before committing, so counts read 1, 2, 3, ...:
    ```python
    # In[1]:
    import pandas as pd
    # In[2]:
    df = pd.read_csv("sales.csv")
    ```

    Fixable by convert: no
    """

    code = "NB102"
    name = "skipped-execution-count"

    def check_notebook(self, nb: LintNotebook) -> Iterator[Finding]:
        previous = 0
        for cell in nb.code_cells:
            count = cell.cell.execution_count
            if count is None:
                continue
            if count > previous + 1:
                missing = count - previous - 1
                runs = "run is" if missing == 1 else "runs are"
                jump = f"first execution count is [{count}]" if previous == 0 else f"execution count jumps from [{previous}] to [{count}]"
                yield self.finding(
                    nb, cell.number, 1, 1, f"{jump}: {missing} {runs} not in the notebook (restart the kernel and run all)"
                )
            previous = max(previous, count)
