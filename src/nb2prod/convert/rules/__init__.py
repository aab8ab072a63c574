"""pandas to native PySpark rules: one rule per module, registered on import.

Each rule module defines one :class:`~nb2prod.convert.rules._base.Rule`
subclass decorated with :func:`~nb2prod.convert.rules._base.register`. Its
docstring (What it does / Why / Example) is the rule's documentation:
``nb2prod rule PS110`` prints it and ``docs/conversions.md`` is generated from it.
"""

from __future__ import annotations

import importlib
import pkgutil

from nb2prod.convert.rules._base import REGISTRY, Rule, explain_rule

_loaded = False


def load_rules() -> dict[str, Rule]:
    """Import every rule module once; return the registry (code -> rule)."""
    global _loaded
    if not _loaded:
        for info in pkgutil.iter_modules(__path__):
            if not info.name.startswith("_"):
                importlib.import_module(f"{__name__}.{info.name}")
        _loaded = True
    return REGISTRY


def pass_codes() -> dict[str, tuple[str, str, str]]:
    """Codes reported by the passes themselves: code -> (name, meaning, module)."""
    from nb2prod.convert import cells
    from nb2prod.convert.passes import config_pass, http_pass, logging_pass, magics, names_pass, pandas_pass, prune_pass

    out = {}
    for module in (cells, magics, names_pass, logging_pass, http_pass, config_pass, pandas_pass, prune_pass):
        for code, (name, meaning) in module.CODES.items():
            out[code] = (name, meaning, module.__name__)
    return dict(sorted(out.items()))


def explain(code: str) -> str | None:
    """The documentation of conversion rule or reason ``code`` (e.g. ``PS110``, ``LG101``), or None if unknown."""
    text = explain_rule(load_rules(), code)
    if text is None and code.upper() in pass_codes():
        name, meaning, module = pass_codes()[code.upper()]
        text = f"{code.upper()} {name}\n\n{meaning}\n\nReported by {module}; see its docstring.\n"
    return text
