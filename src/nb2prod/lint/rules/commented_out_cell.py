from __future__ import annotations

import ast
from collections.abc import Iterator

from nb2prod.lint.context import LintNotebook
from nb2prod.lint.rule import Finding, Rule
from nb2prod.lint.rules import register


def _looks_like_code(text: str) -> bool:
    """Text that parses as Python and is more than a lone word or number (`# Setup` is prose)."""
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError):
        return False
    if not tree.body:
        return False
    if len(tree.body) == 1 and isinstance(tree.body[0], ast.Expr):
        return not isinstance(tree.body[0].value, (ast.Name, ast.Constant))
    return True


@register
class CommentedOutCell(Rule):
    """Every line of a code cell is a comment, and the comments are code.

    ## What it does
    Flags code cells whose non-blank lines are all comments, when the text with the `#` removed
    parses as Python (more than a lone word). A cell of prose comments is left alone, though it
    would read better as markdown.

    ## Why this matters in production
    Commented-out code is a decision nobody recorded: was it wrong, slow, or needed sometimes?
    Version control keeps old code; the notebook should hold what runs.

    ## Example
    ```python
    # df = df[df.amount > 0]
    # df.to_csv("clean.csv")
    ```

    ## Use instead
    Delete the cell, or make the step real and configurable:
    ```python
    if settings.drop_refunds:
        df = df[df.amount > 0]
    ```

    Fixable by convert: no
    """

    code = "NB307"
    name = "commented-out-cell"

    def check_notebook(self, nb: LintNotebook) -> Iterator[Finding]:
        for cell in nb.code_cells:
            if cell.source.lstrip()[:1] != "#":
                continue  # the first line that is not blank is not a comment: most cells stop here
            lines = [line.strip() for line in cell.source.splitlines() if line.strip()]
            if not lines or not all(line.startswith("#") for line in lines):
                continue
            text = "\n".join(line.lstrip("#").strip() for line in lines)
            if _looks_like_code(text):
                yield self.finding(nb, cell.number, 1, 1, "cell is all commented-out code (delete it or make it run)")
