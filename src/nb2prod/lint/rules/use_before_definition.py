from __future__ import annotations

from collections.abc import Iterator

from nb2prod.lint.context import BUILTINS, KERNEL_NAMES, LintNotebook
from nb2prod.lint.rule import Finding, Rule
from nb2prod.lint.rules import register


@register
class UseBeforeDefinition(Rule):
    """A name is read in a cell above the only cells that define it.

    ## What it does
    Flags a module-level read of a name that no earlier cell (and nothing earlier in the same cell)
    defines, but a later cell does. Reads inside function bodies are not checked: they run when the
    function is called. Each name is reported once per cell.

    ## Why this matters in production
    The notebook only worked because cells ran out of order, leaving the name in the kernel. Run
    top to bottom, as a pipeline runs it, it fails with a `NameError`.

    ## Example
    ```python
    # In[2]:
    total = df["amount"].sum()
    # In[1]:
    df = load_sales()
    ```

    ## Use instead
    ```python
    # In[1]:
    df = load_sales()
    # In[2]:
    total = df["amount"].sum()
    ```

    Fixable by convert: no
    """

    code = "NB104"
    name = "use-before-definition"

    def check_notebook(self, nb: LintNotebook) -> Iterator[Finding]:
        names = nb.names
        first_binding: dict[str, int] = {}  # name -> seq of its first binding
        first_cell: dict[str, list[int]] = {}  # name -> cells binding it, in order
        for binding in names.bindings:
            first_binding.setdefault(binding.name, binding.seq)
            cells = first_cell.setdefault(binding.name, [])
            if not cells or cells[-1] != binding.cell:
                cells.append(binding.cell)
        reported: set[tuple[str, int]] = set()
        for load in names.loads:
            name = load.name
            if name in BUILTINS or name in KERNEL_NAMES or (name, load.cell) in reported:
                continue
            if name not in first_binding or first_binding[name] < load.seq:
                continue
            later = next((c for c in first_cell[name] if c > load.cell), None)
            if later is None:
                continue  # defined only further down the same cell: a plain NameError, not cell order
            reported.add((name, load.cell))
            yield self.finding(
                nb, load.cell, load.line, load.col,
                f"{name!r} is used here but defined only in cell {later}, further down (run order hides a NameError)",
            )
