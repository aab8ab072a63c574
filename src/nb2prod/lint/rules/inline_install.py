from __future__ import annotations

import ast

from nb2prod.lint.astutil import IPythonCall, ipython_call
from nb2prod.lint.context import CodeCell, LintNotebook
from nb2prod.lint.lazyre import LazyPattern
from nb2prod.lint.rule import NO_FINDINGS, Finding, Rule
from nb2prod.lint.rules import register

_INSTALL_MAGICS = frozenset({"pip", "conda", "mamba", "micromamba", "uv"})
_INSTALL_ARGS = LazyPattern(r"\s*(?:-\S+\s+)*(?:pip\s+)?(?:install|add)\b")
_INSTALL_COMMAND = LazyPattern(
    r"^\s*(?:sudo\s+)?(?:(?:python3?|\S*/python3?)\s+-m\s+)?(?P<tool>pip3?|conda|mamba|micromamba|uv\s+pip|poetry|apt(?:-get)?)\s+(?:-\S+\s+)*(?:install|add)\b"
)


def is_install(call: IPythonCall) -> bool:
    """`%pip install ...`, `!pip install ...`, `!conda install ...` and the like."""
    if call.kind == "line" and call.name in _INSTALL_MAGICS:
        return _INSTALL_ARGS.match(call.args) is not None
    if call.kind == "shell":
        return _INSTALL_COMMAND.match(call.args) is not None
    return False


@register
class InlineInstall(Rule):
    """A package is installed from inside the notebook.

    ## What it does
    Flags `%pip install`, `%conda install`, `!pip install`, `!python -m pip install`,
    `!conda install` and similar, recognised by IPython's input transformer.

    ## Why this matters in production
    The environment then depends on running the notebook, installs whatever version is newest on
    the day, and the dependency is declared nowhere a build tool can see. Jobs should not install
    packages at run time.

    ## Example
    ```python
    %pip install lightgbm
    import lightgbm
    ```

    ## Use instead
    Declare the dependency (`lightgbm>=4.3` in `requirements.txt` or `pyproject.toml`), then:
    ```python
    import lightgbm
    ```

    Fixable by convert: yes
    """

    code = "NB305"
    name = "inline-install"
    node_types = (ast.Call,)
    requires = ("get_ipython",)  # magics are rewritten to get_ipython() calls

    def check_node(self, node: ast.Call, cell: CodeCell, nb: LintNotebook) -> list[Finding]:
        call = ipython_call(node)
        if call is not None and is_install(call):
            if call.kind == "line":
                prefix, tool = "%", call.name
            else:
                prefix, tool = "!", _INSTALL_COMMAND.match(call.args).group("tool")
            return [self.at(
                nb, cell, node,
                f"inline install with {prefix}{tool} (declare the dependency in requirements.txt or pyproject.toml)",
            )]
        return NO_FINDINGS
