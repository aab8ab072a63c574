from __future__ import annotations

import ast

from nb2prod.lint.context import CodeCell, LintNotebook
from nb2prod.lint.lazyre import LazyPattern
from nb2prod.lint.rule import NO_FINDINGS, Finding, Rule
from nb2prod.lint.rules import register

_HOME = LazyPattern(r"^~[A-Za-z0-9_.-]*(?:[\\/]|$)")
_WINDOWS = LazyPattern(r"^(?:[A-Za-z]:[\\/]|\\\\[^\\\s]+\\)")
#: first components of absolute paths that are machine-specific locations, not URL routes
_ROOTS = frozenset(
    {"home", "Users", "root", "mnt", "media", "Volumes", "data", "tmp", "var", "opt", "srv", "dbfs", "Workspace",
     "workspace", "content", "kaggle", "shared", "datasets", "scratch", "net", "nfs", "gpfs", "lustre", "storage"}
)
#: first characters of every path below (with a drive letter's ``:`` second)
_STARTS = "~/\\"
_EXTENSION = LazyPattern(r"\.[A-Za-z][A-Za-z0-9]{0,7}$")


def path_kind(text: str) -> str | None:
    """`home-directory`, `absolute` or None for a string literal."""
    if not text or len(text) > 300 or "\n" in text or "://" in text:
        return None
    if text[0] not in _STARTS and text[1:2] != ":":  # what every pattern below starts with: most strings stop here
        return None
    if _HOME.match(text):
        return "home-directory"
    if _WINDOWS.match(text):
        return "absolute"
    if text.startswith("/") and not text.startswith("//"):
        parts = [p for p in text.split("/") if p]
        if parts and (parts[0] in _ROOTS or _EXTENSION.search(parts[-1])) and " " not in parts[0]:
            return "absolute"
    return None


@register
class AbsolutePath(Rule):
    """A string literal is an absolute or home-directory path.

    ## What it does
    Flags string literals that are home-directory paths (`~/data`), Windows paths (`C:\\...`,
    `\\\\server\\share`), or POSIX absolute paths that start at a machine-specific root
    (`/home`, `/Users`, `/mnt`, `/data`, `/tmp`, `/dbfs`, `/content`, ...) or name a
    file with an extension. URL routes such as `/api/v1/users` and URLs are left alone.

    ## Why this matters in production
    The path exists on one person's machine. The pipeline runs elsewhere (a scheduler, a cluster,
    a colleague's laptop) and fails, or worse, reads a stale local copy.

    ## Example
    ```python
    df = pd.read_csv("/home/ana/projects/sales/data/orders.csv")
    ```

    ## Use instead
    ```python
    df = pd.read_csv(settings.orders_path)  # from configuration, per environment
    ```

    Fixable by convert: yes
    """

    code = "NB403"
    name = "absolute-path"
    node_types = (ast.JoinedStr, ast.Constant)

    def check_node(self, node: ast.JoinedStr | ast.Constant, cell: CodeCell, nb: LintNotebook) -> list[Finding]:
        if node.__class__ is ast.JoinedStr:
            # an f-string is one path: judge it by its leading text, and not its fragments again
            nb.scratch.setdefault(self.code, set()).update(id(part) for part in node.values)
            first = node.values[0] if node.values else None
            text = first.value if isinstance(first, ast.Constant) and isinstance(first.value, str) else None
            shown_suffix = "..." if len(node.values) > 1 else ""
        else:
            text = node.value
            # (path_kind's own first test inlined: thousands of short strings per run, nearly all stop there)
            if text.__class__ is not str or (text[:1] not in _STARTS and text[1:2] != ":") or id(node) in nb.scratch.get(self.code, ()):
                return NO_FINDINGS
            shown_suffix = ""
        kind = path_kind(text) if text else None
        if kind:
            shown = text if len(text) <= 60 else text[:57] + "..."
            return [self.at(nb, cell, node, f"{kind} path {shown + shown_suffix!r} (move it to configuration)")]
        return NO_FINDINGS
