from __future__ import annotations

import ast
from collections.abc import Iterator

from nb2prod.lint import secrets
from nb2prod.lint.astutil import str_value, target_name
from nb2prod.lint.context import CodeCell, LintNotebook
from nb2prod.lint.rule import NO_FINDINGS, Finding, Rule
from nb2prod.lint.rules import register


@register
class HardCodedSecret(Rule):
    """A password, token or key is written in a code cell.

    ## What it does
    Looks at string literals in code cells with three detectors:

    * provider patterns: AWS access key ids (`AKIA...`), GitHub (`ghp_...`), Slack (`xox...`),
      Stripe (`sk_live_...`) and Google API keys, private-key headers, JWTs, and passwords in
      connection URLs (`postgres://user:pw@host`), anywhere in any string;
    * keywords: a string assigned to a variable, attribute, dict key or keyword argument whose name
      says secret (`password`, `passwd`, `pwd`, `secret`, `token`, `api_key`,
      `private_key`, `access_key`, `credentials`, ...), unless the value is a placeholder
      (empty, `xxx`, `<...>`, `${...}`, an environment variable name, text with spaces) or the
      name ends in a word like `name`, `path`, `column` or `url`;
    * entropy: an assigned string of 20 or more base64 characters, mixing letters and digits, with
      a Shannon entropy of at least 4.5 bits per character (`entropy-threshold` and
      `entropy-min-length` in `[tool.nb2prod.lint]`).

    The finding names the cell, line and variable; it never shows the value.

    ## Why this matters in production
    A secret in a notebook is in every clone, fork and copy of the repository history for good,
    and the same value then runs in every environment. Rotating it means finding every copy.

    ## Example
    ```python
    aws_secret_access_key = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
    conn = connect(host="db.internal", password="hunter2!")
    ```

    ## Use instead
    ```python
    import os
    aws_secret_access_key = os.environ["AWS_SECRET_ACCESS_KEY"]
    conn = connect(host="db.internal", password=os.environ["DB_PASSWORD"])
    ```

    Fixable by convert: yes
    """

    code = "NB401"
    name = "hard-coded-secret"
    node_types = (ast.Assign, ast.AnnAssign, ast.keyword, ast.Dict, ast.Constant)

    def check_node(self, node: ast.AST, cell: CodeCell, nb: LintNotebook) -> list[Finding]:
        cls = node.__class__
        if cls is ast.Constant:
            text = node.value  # type: ignore[attr-defined]
            # (the provider pre-check first: thousands of short strings per run, nearly all stop there)
            if text.__class__ is not str or not secrets.may_have_provider(text) or id(node) in nb.scratch.get(self.code, ()):
                return NO_FINDINGS
            label = secrets.provider(text)
            if label:
                return [self.at(nb, cell, node, f"hard-coded {label} in a string literal (move it to an environment variable)")]
            return NO_FINDINGS
        if cls is not ast.Dict and (node.value.__class__ is not ast.Constant or node.value.value.__class__ is not str):  # type: ignore[attr-defined]
            return NO_FINDINGS  # most assignments and keyword arguments: no string to look at
        found = []
        for anchor, name, value in self._named_values(node):
            text = str_value(value)
            if text is None:
                continue
            nb.scratch.setdefault(self.code, set()).add(id(value))  # the literal is judged here, not again on its own
            where = f"in {name!r}" if name else "in a string literal"
            label = secrets.provider(text)
            if label:
                kind = f"hard-coded {label}"
            elif name and secrets.secret_keyword(name) and not secrets.placeholder(text):
                kind = "hard-coded secret"
            elif secrets.high_entropy(text, nb.config.entropy_threshold, nb.config.entropy_min_length):
                kind = "possible hard-coded secret (high-entropy string)"
            else:
                continue
            found.append(self.at(nb, cell, anchor, f"{kind} {where} (move it to an environment variable)"))
        return found

    @staticmethod
    def _named_values(node: ast.AST) -> Iterator[tuple[ast.AST, str | None, ast.AST]]:
        """(where to report, the name the value is stored under, the value)."""
        if isinstance(node, ast.Assign):
            for target in node.targets:
                yield node, target_name(target), node.value
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            yield node, target_name(node.target), node.value
        elif isinstance(node, ast.keyword) and node.arg:
            yield node, node.arg, node.value
        elif isinstance(node, ast.Dict):
            for key, value in zip(node.keys, node.values):
                if key is not None:
                    yield key, str_value(key), value
