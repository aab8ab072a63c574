from __future__ import annotations

from collections.abc import Iterator

from nb2prod.lint.context import LintNotebook
from nb2prod.lint.rule import Finding, Rule
from nb2prod.lint.rules import register

_KINDS = frozenset({"assign", "def", "class"})


@register
class RedefinedAcrossCells(Rule):
    """The same module-level name is assigned or defined in several cells.

    ## What it does
    Flags the first assignment, `def` or `class` of a name in each cell after the first cell
    that defined it. Imports, loop variables, `with ... as` targets, augmented assignments and
    the name `_` are not counted.

    ## Why this matters in production
    When `df` means something different after each cell, the value a cell sees depends on which
    cells ran and how often: re-running a cell (`df = df.dropna()`) is no longer harmless, and
    the converted pipeline needs one name per intermediate result anyway.

    ## Example
    ```python
    # In[1]:
    df = load_sales()
    # In[2]:
    df = df.dropna()
    ```

    ## Use instead
    ```python
    # In[1]:
    raw_sales = load_sales()
    # In[2]:
    sales = raw_sales.dropna()
    ```

    Fixable by convert: no
    """

    code = "NB207"
    name = "redefined-across-cells"

    def check_notebook(self, nb: LintNotebook) -> Iterator[Finding]:
        first_cell: dict[str, int] = {}
        reported: set[tuple[str, int]] = set()
        for binding in nb.names.bindings:
            if binding.kind not in _KINDS or binding.name == "_":
                continue
            first = first_cell.setdefault(binding.name, binding.cell)
            if first != binding.cell and (binding.name, binding.cell) not in reported:
                reported.add((binding.name, binding.cell))
                yield self.finding(
                    nb, binding.cell, binding.line, binding.col,
                    f"{binding.name!r} is already defined in cell {first} (give each step's result its own name)",
                )
