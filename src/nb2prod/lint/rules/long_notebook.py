from __future__ import annotations

from collections.abc import Iterator

from nb2prod.lint.context import LintNotebook
from nb2prod.lint.rule import Finding, Rule
from nb2prod.lint.rules import register


@register
class LongNotebook(Rule):
    """The notebook has more than `max-code-cells` (50) code cells.

    ## What it does
    Counts code cells (markdown cells do not count: documentation is welcome) and reports the first
    code cell beyond `max-code-cells` (default 50, set in `[tool.nb2prod.lint]`).

    ## Why this matters in production
    Past a few dozen cells a notebook mixes exploration, several pipeline stages and reporting;
    hidden state accumulates and nobody runs it top to bottom. One notebook per stage converts into
    one readable pipeline each.

    ## Example
    A notebook with 51 code cells or more (not shown).

    ## Use instead
    Split it by stage (ingest, clean, features, model, report), or move stable code into modules.

    Fixable by convert: no
    """

    code = "NB206"
    name = "long-notebook"

    def check_notebook(self, nb: LintNotebook) -> Iterator[Finding]:
        limit = nb.config.max_code_cells
        if len(nb.code_cells) > limit:
            first_extra = nb.code_cells[limit]
            yield self.finding(
                nb, first_extra.number, 1, 1,
                f"notebook has {len(nb.code_cells)} code cells, more than {limit} (split it by pipeline stage)",
            )
