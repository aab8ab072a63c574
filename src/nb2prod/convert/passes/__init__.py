"""The rewrite passes, run in this order on the one module that holds all cells.

Each pass is a libcst transformer (:class:`.base.CellPass`, a codemod without
``libcst.codemod``'s import cost) in its own module. Passes share a
:class:`ConversionState` through ``context.scratch["nb2prod"]``: the events they
report, the config values they extract, the requirements they find.
"""

from __future__ import annotations

from nb2prod.convert.passes.base import ConversionState, run_passes

__all__ = ["ConversionState", "run_passes"]
