"""The lint rules, one module per rule, named after the rule in snake_case.

Adding a rule is adding a module here with a :class:`~nb2prod.lint.rule.Rule` subclass decorated with
:func:`register`; :func:`all_rules` imports every module of this package (pyupgrade's `pkgutil` walk).

Code families (codes are stable and never reused):

* `NB1xx` execution state: what the stored execution counts and outputs say about hidden state;
* `NB2xx` structure: imports, names and functions across cells, size, cells that do not parse;
* `NB3xx` notebook-only constructs: things that work only inside Jupyter;
* `NB4xx` security and portability: secrets, machine-specific paths, undeclared dependencies, randomness;
* `NB5xx` data-scale correctness: code that is right on a sample and wrong or slow at scale.
"""

from __future__ import annotations

import ast
import os
import re

from nb2prod.lint.rule import Rule

# typing is for annotations only: importing it (and typing.NamedTuple) costs the hook ~3 ms of start-up
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import TypeVar

    R = TypeVar("R", bound=type[Rule])

_REGISTRY: dict[str, type[Rule]] = {}
_walked = False
_CODE = re.compile(r"^NB[1-5]\d\d$")
_NAME = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")
_MARKERS = (ast.expr_context, ast.operator, ast.boolop, ast.unaryop, ast.cmpop)


def register(cls: R) -> R:
    """Class decorator: add a rule to the registry (codes and names must be unique; node rules look at
    nodes, not at expression contexts and operators, which the engine does not hand out)."""
    if not _CODE.match(cls.code) or not _NAME.match(cls.name):
        raise ValueError(f"{cls.__name__}: bad rule code {cls.code!r} or name {cls.name!r}")
    if any(issubclass(t, _MARKERS) for t in cls.node_types):
        raise ValueError(f"{cls.__name__}: node_types has an expression context or operator, which rules are not given")
    for other in _REGISTRY.values():
        if other is not cls and (other.code == cls.code or other.name == cls.name):
            raise ValueError(f"{cls.__name__} reuses the code or name of {other.__name__}")
    _REGISTRY[cls.code] = cls
    return cls


def all_rules() -> dict[str, type[Rule]]:
    """Every registered rule, code -> class, sorted by code (imports the rule modules on first call)."""
    global _walked
    if not _walked:
        for folder in __path__:
            names = sorted(e.name[:-3] for e in os.scandir(folder) if e.name.endswith(".py") and not e.name.startswith("_"))
            for name in names:
                # the builtin: importing the importlib package (and warnings) cost the hook ~0.5 ms
                __import__(f"{__name__}.{name}")
        _walked = True
    return dict(sorted(_REGISTRY.items()))
