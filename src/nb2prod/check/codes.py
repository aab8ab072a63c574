"""The problems ``nb2prod check`` reports, one stable code each (never reused).

``CK1xx``: a cell the conversion did not fully convert and nobody accepted.
``CK2xx``: the notebook changed since it was converted.
``CK3xx``: a generated file changed since it was generated.

Each code has a kebab-case name, a summary (what is wrong) and a fix (what to do);
the message of a problem is the summary, its details, then the fix in parentheses.
``docs/ci.md`` lists the same codes (a test keeps the two in step).
"""

from __future__ import annotations

from typing import NamedTuple


class Code(NamedTuple):
    code: str
    name: str
    summary: str
    fix: str


_ACCEPT = "convert it by hand in the notebook, or tag the cell nb2prod:accept-partial"
_RECONVERT = "re-run nb2prod convert"
_EDIT = "make the change in the notebook and re-run nb2prod convert, or list the file in [tool.nb2prod.check] allow-edits"

CODES: dict[str, Code] = {
    c.code: c
    for c in (
        Code("CK101", "cell-not-converted", "cell not converted", _ACCEPT),
        Code("CK102", "cell-partially-converted", "cell only partly converted", _ACCEPT),
        Code("CK201", "cell-changed", "cell changed since conversion", _RECONVERT),
        Code("CK202", "cell-added", "cell added since conversion", _RECONVERT),
        Code("CK203", "cell-removed", "cell removed since conversion", _RECONVERT),
        Code("CK204", "cell-moved", "cell moved since conversion", _RECONVERT),
        Code("CK205", "cells-renumbered", "cell numbers changed since conversion", _RECONVERT),
        Code("CK301", "generated-file-edited", "generated file edited by hand", _EDIT),
        Code("CK302", "generated-file-missing", "generated file missing", _RECONVERT),
    )
}


def message(code: str, detail: str = "") -> str:
    """``summary: detail (fix)``, or ``summary (fix)`` without a detail."""
    c = CODES[code]
    return f"{c.summary}{': ' + detail if detail else ''} ({c.fix})"
