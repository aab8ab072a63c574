"""String literals written into an f-string's expressions take the quote the f-string leaves free.

Rewrites build their code with double-quoted (``F.col("x")``) or ``repr``-quoted
(``driver.pandas(raw, 'raw')``) literals. Placed inside a notebook's f-string, such as
``f'missing: {raw.isnull().sum().sum()}'``, a literal with the f-string's own quote ends the
f-string early on Python 3.11 (3.12 allows it, PEP 701): ``f-string: unmatched '('``. The generated
package must run on 3.11, so :func:`fit_quotes` re-quotes each nested literal (and nested f-string)
that clashes with an enclosing single-line f-string, when the other quote is free and the literal
does not hold it. What it cannot re-quote it leaves alone; the compile check that follows then sends
the statement to its fallback.
"""

from __future__ import annotations

from typing import TypeVar

import libcst as cst

N = TypeVar("N", bound=cst.CSTNode)

_OTHER = {"'": '"', '"': "'"}


def _split(value: str) -> tuple[str, str, str] | None:
    """``(prefix, quote, body)`` of a single-line literal's text, or None for a triple-quoted one."""
    prefix = value[: len(value) - len(value.lstrip("rRbBuUfF"))]
    rest = value[len(prefix) :]
    if rest[:3] in ("'''", '"""'):
        return None
    return prefix, rest[0], rest[1:-1]


class _FitQuotes(cst.CSTTransformer):
    def __init__(self) -> None:
        super().__init__()
        self.blocked: list[str | None] = []  # quote of each enclosing f-string; None when triple-quoted

    def _requote(self, quote: str) -> str | None:
        """The quote to use instead of ``quote``, None when ``quote`` is fine or nothing is free."""
        taken = {q for q in self.blocked if q}
        if quote not in taken:
            return None
        other = _OTHER[quote]
        return None if other in taken else other

    def visit_FormattedString(self, node: cst.FormattedString) -> None:
        quote = node.end if node.end in _OTHER else None
        self.blocked.append(quote)

    def leave_FormattedString(self, original_node: cst.FormattedString, updated_node: cst.FormattedString) -> cst.FormattedString:
        self.blocked.pop()
        if updated_node.end not in _OTHER:
            return updated_node
        other = self._requote(updated_node.end)
        texts = "".join(p.value for p in updated_node.parts if isinstance(p, cst.FormattedStringText))
        if other is None or other in texts or "\\" in texts:
            return updated_node
        return updated_node.with_changes(start=updated_node.start[:-1] + other, end=other)

    def leave_SimpleString(self, original_node: cst.SimpleString, updated_node: cst.SimpleString) -> cst.SimpleString:
        if not self.blocked:
            return updated_node
        parts = _split(updated_node.value)
        if parts is None:
            return updated_node
        prefix, quote, body = parts
        other = self._requote(quote)
        if other is None or other in body or "\\" in body:
            return updated_node
        return updated_node.with_changes(value=f"{prefix}{other}{body}{other}")


def fit_quotes(node: N) -> N:
    """``node`` with every string literal nested in an f-string quoted so that Python 3.11 compiles it.

    Args:
        node: a statement or expression (a libcst node); not changed.

    Returns:
        A copy whose nested literals that used the quote of an enclosing single-line f-string use
        the other quote (when that one is free and the literal's text holds neither it nor a
        backslash). Callers that know ``node`` holds no f-string skip the call (it visits the tree).
    """
    return node.visit(_FitQuotes())
