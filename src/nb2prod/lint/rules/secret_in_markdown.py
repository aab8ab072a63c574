from __future__ import annotations

from collections.abc import Iterator

from nb2prod.lint import secrets
from nb2prod.lint.context import LintNotebook
from nb2prod.lint.rule import Finding, Rule
from nb2prod.lint.rules import register


@register
class SecretInMarkdown(Rule):
    """A markdown or raw cell shows a credential.

    ## What it does
    Scans the text of markdown and raw cells for the provider patterns of `hard-coded-secret`
    (AWS, GitHub, Slack, Stripe and Google keys, private-key blocks, JWTs, passwords in URLs,
    `Bearer` tokens) and for `password: ...`-style pairs whose key says secret. The finding names
    the cell, not the value.

    ## Why this matters in production
    Notes are where people paste "the token to use" or a sample `curl -H "Authorization: Bearer ..."`
    command. A markdown cell is committed with the notebook like code is: the credential is then in
    every clone and in the repository history for good, and must be rotated.

    ## Example
    ```json
    {"cell_type": "markdown", "source": ["Call the API with `curl -H 'Authorization: Bearer 8f2a61c09d7e4b3a9c1f'`."]}
    ```

    ## Use instead
    Name where the credential lives, never the credential; rotate one that was committed:
    ```json
    {"cell_type": "markdown", "source": ["Call the API with `curl -H 'Authorization: Bearer $API_TOKEN'` (the token is in the vault)."]}
    ```

    Fixable by convert: no
    """

    code = "NB406"
    name = "secret-in-markdown"

    def check_notebook(self, nb: LintNotebook) -> Iterator[Finding]:
        for cell in nb.cells:
            if cell.cell_type == "code" or not cell.source:
                continue
            kind = secrets.secret_in_text(cell.source)
            if kind:
                yield self.finding(
                    nb, cell.number, 1, 1, f"{cell.cell_type} cell contains a secret ({kind}; remove it and rotate the credential)"
                )
