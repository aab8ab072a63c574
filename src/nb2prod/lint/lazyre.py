"""Regular expressions compiled on first use.

The hook starts once per commit and most of its patterns are for rare cases (a ``noqa`` comment, a
string that looks like a path, a provider token); compiling them all at import took a tenth of its
start-up. :class:`LazyPattern` compiles on the first call of any of its methods and from then on *is*
the compiled pattern's methods: they are stored on the instance, where Python looks before the class,
so later calls go straight to ``re`` (the rules call some patterns thousands of times per run).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from re import Match, Pattern

#: the methods of a compiled pattern that a LazyPattern offers
_METHODS = ("match", "search", "findall", "finditer", "sub")


class LazyPattern:
    """``re.compile(pattern, flags)``, done when first used; offers the methods the rules call."""

    def __init__(self, pattern: str, flags: int = 0) -> None:
        self.pattern = pattern
        self.flags = flags

    def compiled(self) -> Pattern[str]:
        """The compiled pattern (compiled now if it was not); its methods replace this object's."""
        compiled = re.compile(self.pattern, self.flags)
        for method in _METHODS:
            setattr(self, method, getattr(compiled, method))
        self.compiled = lambda: compiled  # type: ignore[method-assign]
        return compiled

    def match(self, string: str, *args: int) -> Match[str] | None:
        return self.compiled().match(string, *args)

    def search(self, string: str, *args: int) -> Match[str] | None:
        return self.compiled().search(string, *args)

    def findall(self, string: str, *args: int) -> list[str]:
        return self.compiled().findall(string, *args)

    def finditer(self, string: str, *args: int) -> Iterator[Match[str]]:
        return self.compiled().finditer(string, *args)

    def sub(self, repl: str, string: str, count: int = 0) -> str:
        return self.compiled().sub(repl, string, count)

    def __repr__(self) -> str:
        return f"LazyPattern({self.pattern!r}, {self.flags!r})"
