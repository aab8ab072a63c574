"""The rule base class: code, name, documentation and the two ways a rule looks at a notebook."""

from __future__ import annotations

import ast
import functools
import re
from collections import namedtuple
from collections.abc import Iterable, Iterator

from nb2prod.lint.lazyre import LazyPattern

# typing is for annotations only: importing it (and typing.NamedTuple) costs the hook ~3 ms of start-up
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import ClassVar

    from nb2prod.lint.context import CodeCell, LintNotebook

#: The sections every rule docstring has, in this order (ruff's template, with production in mind).
SECTIONS = ("What it does", "Why this matters in production", "Example", "Use instead")



@functools.cache
def _cleandoc(doc: str) -> str:
    """``inspect.cleandoc`` (the same steps; importing ``inspect`` would cost the hook ~3 ms of start-up)."""
    lines = doc.expandtabs().split("\n")
    margin = min((len(line) - len(line.lstrip()) for line in lines[1:] if line.lstrip()), default=None)
    lines[0] = lines[0].lstrip()
    if margin is not None:
        lines[1:] = [line[margin:] for line in lines[1:]]
    while lines and not lines[-1]:
        lines.pop()
    while lines and not lines[0]:
        lines.pop(0)
    return "\n".join(lines)
#: the docstring's "Fixable by convert" line, looked for in the docstring as written (indented): the
#: text report counts fixable findings, and dedenting 32 docstrings for that took the hook ~0.3 ms
_FIXABLE = LazyPattern(r"^[ \t]*Fixable by convert: (yes|no)\b", re.MULTILINE)


class Finding(namedtuple("Finding", ["path", "cell", "line", "col", "code", "name", "message"])):
    """One problem at one place.

    ``cell`` is the 1-based cell number among all cells (see :mod:`nb2prod.notebook`), or None for a
    finding about the whole notebook (its file name); ``line`` and ``col`` are 1-based inside the cell.
    """

    __slots__ = ()

    path: str
    cell: int | None
    line: int
    col: int
    code: str
    name: str
    message: str

    def text(self) -> str:
        """``path:cell N:line:col: CODE message`` (``path:line:col: ...`` for whole-notebook findings)."""
        where = self.path if self.cell is None else f"{self.path}:cell {self.cell}"
        return f"{where}:{self.line}:{self.col}: {self.code} {self.message}"


#: ``_new(Finding, (...))`` is ``Finding(...)`` without namedtuple's Python-level ``__new__``
_new = tuple.__new__

#: what :meth:`Rule.check_node` returns when it finds nothing
NO_FINDINGS: tuple[Finding, ...] = ()


class Rule:
    """Base class of lint rules; the subclass docstring is the rule's documentation.

    A rule looks at a notebook in either or both of two ways:

    * ``node_types`` and :meth:`check_node`: called for every AST node of those types in every parsed
      code cell, cell by cell, parents before children, in the order the notebook's name analysis
      meets them (evaluation order: an assignment's value before its targets; the trees are walked
      once, for the names and all the rules). Expression contexts and operators (``Load()``,
      ``Add()``) are not among the nodes. It returns an iterable of findings: a generator is fine, but
      the built-in rules return a list, or :data:`NO_FINDINGS` when there is nothing (most calls),
      which costs less than a generator;
    * :meth:`check_notebook`: called once per notebook, for rules about cells, execution counts,
      outputs and names across cells.
    """

    code: ClassVar[str]
    name: ClassVar[str]
    node_types: ClassVar[tuple[type[ast.AST], ...]] = ()
    #: words one of which the notebook's code must contain for :meth:`check_node` to find anything
    #: (a call's name, a keyword); the engine does not call it for other notebooks. Empty: always called.
    requires: ClassVar[tuple[str, ...]] = ()

    def check_node(self, node: ast.AST, cell: CodeCell, nb: LintNotebook) -> Iterable[Finding]:
        return NO_FINDINGS

    def check_notebook(self, nb: LintNotebook) -> Iterator[Finding]:
        return iter(())

    # -- building findings -------------------------------------------------------------------------

    def finding(self, nb: LintNotebook, cell: int | None, line: int, col: int, message: str) -> Finding:
        return _new(Finding, (nb.display_path, cell, line, col, self.code, self.name, message))

    def at(self, nb: LintNotebook, cell: CodeCell, node: ast.AST, message: str) -> Finding:
        """A finding at ``node``'s position in ``cell`` (columns in characters, not UTF-8 bytes)."""
        line, col = cell.position(node)
        return _new(Finding, (nb.display_path, cell.number, line, col, self.code, self.name, message))

    # -- documentation -----------------------------------------------------------------------------

    @classmethod
    def doc(cls) -> str:
        """The rule's documentation (its docstring, dedented)."""
        return _cleandoc(cls.__doc__ or "")

    @classmethod
    def summary(cls) -> str:
        """The first line of the documentation."""
        return cls.doc().partition("\n")[0].strip()

    @classmethod
    def fixable_by_convert(cls) -> bool:
        """Whether ``nb2prod convert`` resolves this pattern by itself (from the docstring's last line)."""
        match = _FIXABLE.search(cls.__doc__ or "")
        return bool(match and match.group(1) == "yes")

    @classmethod
    def sections(cls) -> dict[str, str]:
        """The ``## Heading`` sections of the documentation, heading -> body."""
        parts = re.split(r"^## (.+)$", cls.doc(), flags=re.MULTILINE)
        return {parts[i].strip(): parts[i + 1].strip() for i in range(1, len(parts) - 1, 2)}
