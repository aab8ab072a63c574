from __future__ import annotations

from collections.abc import Iterator

from nb2prod.lint.context import LintNotebook
from nb2prod.lint.rule import Finding, Rule
from nb2prod.lint.rules import register


@register
class UnusedImport(Rule):
    """A module-level import is never used anywhere in the notebook.

    ## What it does
    Flags module-level imports whose name is not read in any cell (in any scope) nor mentioned in
    a magic's arguments (`%timeit np.sum(x)` uses `np`). `from __future__` imports are not
    flagged. Unlike a per-file linter, this looks at the whole notebook at once.

    ## Why this matters in production
    Every import becomes a dependency of the pipeline package: unused ones slow start-up, widen the
    attack surface and make the environment harder to build (`import torch` for nothing).

    ## Example
    ```python
    import numpy as np
    import pandas as pd
    df = pd.read_csv("sales.csv")
    ```

    ## Use instead
    ```python
    import pandas as pd
    df = pd.read_csv("sales.csv")
    ```

    Fixable by convert: no
    """

    code = "NB208"
    name = "unused-import"

    def check_notebook(self, nb: LintNotebook) -> Iterator[Finding]:
        used = nb.names.used
        for item in nb.names.import_bindings:
            if item.name in used or item.module.startswith("__future__"):
                continue
            what = repr(item.module) if item.module.split(".")[-1] == item.name else f"{item.module!r} as {item.name!r}"
            yield self.at(nb, item.cell, item.node, f"{what} imported but never used (remove the import)")
