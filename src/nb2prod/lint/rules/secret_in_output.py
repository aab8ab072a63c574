from __future__ import annotations

from collections.abc import Iterator

from nb2prod.lint import secrets
from nb2prod.lint.context import LintNotebook
from nb2prod.lint.rule import Finding, Rule
from nb2prod.lint.rules import register

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


def _text(value: Any) -> str:
    if isinstance(value, list):
        try:
            return "".join(value)  # nbformat's list of lines
        except TypeError:
            return "".join(str(v) for v in value)
    return value if isinstance(value, str) else ""


def output_text(output: dict[str, Any]) -> str:
    """The human-readable text of one stored output: streams, results, tracebacks.

    Of a result's representations, ``text/plain`` is read when there is one (``text/html`` shows the
    same values with markup around them), otherwise every ``text/*`` one.
    """
    parts = [_text(output.get("text"))]
    data = output.get("data")
    if isinstance(data, dict):
        if "text/plain" in data:
            parts.append(_text(data["text/plain"]))
        else:
            parts.extend(_text(v) for k, v in data.items() if k.startswith("text/"))
    if output.get("output_type") == "error":
        parts.append(_text(output.get("evalue")))
        parts.append("\n".join(_text(line) for line in output.get("traceback") or ()))
    return "\n".join(p for p in parts if p)


@register
class SecretInOutput(Rule):
    """A stored cell output shows a credential.

    ## What it does
    Scans stored outputs (printed text, results, tracebacks) for the provider patterns
    of `hard-coded-secret` and for `password=...`-style pairs whose key says secret. Entropy is
    not used here: outputs are full of ids and hashes. The finding names the cell, not the value.

    ## Why this matters in production
    Outputs leak what the code never wrote down: a printed connection string, a config dump, a
    traceback quoting a URL with a password. Once committed it stays in history; the credential
    must be rotated.

    ## Example
    ```json
    {"cell_type": "code", "execution_count": 2, "source": ["print(settings)"],
     "outputs": [{"output_type": "stream", "name": "stdout", "text": ["{'db_password': 'hunter2!'}"]}]}
    ```

    ## Use instead
    Clear outputs before committing, rotate the credential, and log settings with secrets masked:
    ```json
    {"cell_type": "code", "execution_count": null, "source": ["log.info('settings loaded')"], "outputs": []}
    ```

    Fixable by convert: no
    """

    code = "NB402"
    name = "secret-in-output"

    def check_notebook(self, nb: LintNotebook) -> Iterator[Finding]:
        for cell in nb.code_cells:
            for output in cell.cell.outputs:
                kind = secrets.secret_in_text(output_text(output))
                if kind:
                    yield self.finding(
                        nb, cell.number, 1, 1,
                        f"stored output contains a secret ({kind}; clear the output and rotate the credential)",
                    )
                    break
