from __future__ import annotations

import ast
from collections.abc import Iterator

from nb2prod.lint.astutil import ipython_call
from nb2prod.lint.context import LintNotebook
from nb2prod.lint.rule import Finding, Rule
from nb2prod.lint.rules import register


def _is_import(statement: ast.stmt) -> bool:
    if isinstance(statement, (ast.Import, ast.ImportFrom)):
        return True
    if isinstance(statement, ast.Try):  # try: import x / except ImportError: ...
        return all(isinstance(s, (ast.Import, ast.ImportFrom)) for s in statement.body)
    return False


def _is_setup(statement: ast.stmt) -> bool:
    """Docstrings and magics (`%matplotlib inline`, `%load_ext`) may come before imports."""
    if not isinstance(statement, ast.Expr):
        return False
    value = statement.value
    if isinstance(value, ast.Constant):
        return True
    return isinstance(value, ast.Call) and ipython_call(value) is not None


@register
class ImportNotAtTop(Rule):
    """An import comes after the notebook's first code that is not an import.

    ## What it does
    Flags module-level imports that come after the first statement of the notebook that is
    neither an import, a docstring nor a magic. Unlike ruff's E402, which looks at one cell at a
    time, this sees the whole notebook.

    ## Why this matters in production
    Imports scattered through a notebook hide its dependencies, and a cell that imports what an
    earlier cell already used only works in a kernel that ran it before. A pipeline module declares
    every dependency at the top. Fewer than half of notebooks keep their imports at the top.

    ## Example
    ```python
    # In[1]:
    import pandas as pd
    df = pd.read_csv("sales.csv")
    # In[2]:
    import numpy as np
    df["log_amount"] = np.log(df["amount"])
    ```

    ## Use instead
    ```python
    # In[1]:
    import numpy as np
    import pandas as pd
    # In[2]:
    df = pd.read_csv("sales.csv")
    df["log_amount"] = np.log(df["amount"])
    ```

    Fixable by convert: no
    """

    code = "NB201"
    name = "import-not-at-top"

    def check_notebook(self, nb: LintNotebook) -> Iterator[Finding]:
        first_code: int | None = None
        for cell in nb.code_cells:
            if cell.tree is None:
                continue
            for statement in cell.tree.body:
                if _is_import(statement):
                    if first_code is not None:
                        where = "earlier in this cell" if first_code == cell.number else f"in cell {first_code}"
                        yield self.at(nb, cell, statement, f"import after code {where} (move imports to the first code cell)")
                elif first_code is None and not _is_setup(statement):
                    first_code = cell.number
