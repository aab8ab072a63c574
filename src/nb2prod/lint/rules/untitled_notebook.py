from __future__ import annotations

import os
import re
from collections.abc import Iterator

from nb2prod.lint.context import LintNotebook
from nb2prod.lint.lazyre import LazyPattern
from nb2prod.lint.rule import Finding, Rule
from nb2prod.lint.rules import register

_UNTITLED = LazyPattern(r"^Untitled\d*$", re.IGNORECASE)
_COPY = LazyPattern(r"(?:-Copy\d*| \(\d+\)| copy(?: \d+)?)$", re.IGNORECASE)


@register
class UntitledNotebook(Rule):
    """The notebook is named `Untitled*` or is a `*-Copy1` copy.

    ## What it does
    Flags notebook files named like Jupyter's defaults: `Untitled.ipynb`, `Untitled3.ipynb`,
    `analysis-Copy1.ipynb`, and browser-download copies such as `analysis (1).ipynb`. The
    finding is about the whole file, so it has no cell (`path:1:1: NB308 ...`); turn it off for a
    file with `ignore` in the settings.

    ## Why this matters in production
    The name becomes the pipeline's package and job name; `untitled3` tells nobody what runs,
    and a `-Copy1` next to its original means two diverging versions of the same logic.

    ## Example
    `Untitled1.ipynb`, `clean_sales-Copy1.ipynb`

    ## Use instead
    `clean_sales.ipynb`: named after what it does, one copy, history in version control.

    Fixable by convert: no
    """

    code = "NB308"
    name = "untitled-notebook"

    def check_notebook(self, nb: LintNotebook) -> Iterator[Finding]:
        name = os.path.basename(nb.path)
        dot = name.rfind(".")
        stem = name[:dot] if 0 < dot < len(name) - 1 else name  # as Path.stem
        lower = stem.lower()  # the words each pattern needs: most names have neither, and compile neither
        if "untitled" in lower and _UNTITLED.match(stem):
            yield self.finding(nb, None, 1, 1, f"notebook name {name!r} was never chosen (name it after what it does)")
        elif ("copy" in lower or lower.endswith(")")) and _COPY.search(stem):
            yield self.finding(nb, None, 1, 1, f"{name!r} looks like a leftover copy (rename it or delete it)")
