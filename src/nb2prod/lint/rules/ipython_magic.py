from __future__ import annotations

import ast

from nb2prod.lint.astutil import ipython_call, is_get_ipython
from nb2prod.lint.context import CodeCell, LintNotebook
from nb2prod.lint.rule import NO_FINDINGS, Finding, Rule
from nb2prod.lint.rules import register
from nb2prod.lint.rules.inline_install import is_install


@register
class IPythonMagic(Rule):
    """An IPython magic, shell escape, help query or `get_ipython()` call.

    ## What it does
    Flags `%line` and `%%cell` magics, `!shell` escapes (also `x = !cmd`), `obj?` help
    queries and direct `get_ipython()` calls. Magics are recognised by IPython's own input
    transformer, as Jupyter runs them, not by regular expressions. Installs (`%pip install`,
    `!pip install`) are reported by `inline-install` instead.

    ## Why this matters in production
    Magics are not Python: a pipeline module with `%matplotlib inline` or `!ls` in it does not
    even import, and `get_ipython()` returns None outside IPython.

    ## Example
    ```python
    %matplotlib inline
    files = !ls data/
    ```

    ## Use instead
    ```python
    from pathlib import Path
    files = sorted(Path("data").iterdir())
    ```

    Fixable by convert: yes
    """

    code = "NB304"
    name = "ipython-magic"
    node_types = (ast.Call,)
    requires = ("get_ipython",)  # magics are rewritten to get_ipython() calls

    def check_node(self, node: ast.Call, cell: CodeCell, nb: LintNotebook) -> list[Finding]:
        call = ipython_call(node)
        if call is None:
            if is_get_ipython(node) and id(node) not in nb.scratch.get(self.code, ()):
                return [self.at(nb, cell, node, "get_ipython() works only in IPython (use Python code instead)")]
            return NO_FINDINGS
        nb.scratch.setdefault(self.code, set()).add(id(node.func.value))  # type: ignore[attr-defined]  # the get_ipython() inside, visited next
        if is_install(call):
            return NO_FINDINGS
        if call.kind == "line":
            what = f"magic %{call.name}"
        elif call.kind == "cell":
            what = f"cell magic %%{call.name}"
        elif call.kind == "shell":
            what = f"shell escape !{call.name}"
        elif call.kind == "help":
            what = "help query '?'"
        else:
            what = f"get_ipython().{call.name}()"
        return [self.at(nb, cell, node, f"{what} works only in IPython (use Python code instead)")]
