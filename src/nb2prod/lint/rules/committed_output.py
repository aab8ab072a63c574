from __future__ import annotations

from collections.abc import Iterator

from nb2prod.lint.context import LintNotebook
from nb2prod.lint.rule import Finding, Rule
from nb2prod.lint.rules import register


@register
class CommittedOutput(Rule):
    """A code cell has stored outputs.

    ## What it does
    Flags each code cell with stored outputs (streams, results, displays; error outputs are
    reported by `committed-error-output` instead).

    ## Why this matters in production
    Outputs are data, not code: they bloat diffs and reviews, go stale as soon as the code changes,
    can carry personal data or credentials, and make every re-run a merge conflict. Only 6% of
    notebooks on GitHub reproduce their stored outputs.

    ## Example
    A stored cell, as JSON:
    ```json
    {"cell_type": "code", "execution_count": 1, "source": ["df.shape"],
     "outputs": [{"output_type": "execute_result", "execution_count": 1, "data": {"text/plain": ["(120, 4)"]}, "metadata": {}}]}
    ```

    ## Use instead
    Strip outputs before committing (`nbstripout --install`, or `nb-clean` as a pre-commit hook):
    ```json
    {"cell_type": "code", "execution_count": null, "source": ["df.shape"], "outputs": []}
    ```

    Fixable by convert: no
    """

    code = "NB105"
    name = "committed-output"

    def check_notebook(self, nb: LintNotebook) -> Iterator[Finding]:
        for cell in nb.code_cells:
            count = sum(1 for o in cell.cell.outputs if o.get("output_type") != "error")
            if count:
                plural = "output" if count == 1 else "outputs"
                yield self.finding(nb, cell.number, 1, 1, f"cell has {count} stored {plural} (strip outputs before committing)")
