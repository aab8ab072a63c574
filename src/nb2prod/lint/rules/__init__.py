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

# the import system's own modules (always loaded): bytecode paths, the .pyc magic number, module specs
import _frozen_importlib as _bootstrap
import _frozen_importlib_external as _external
import importlib
import marshal
import os
import re
import sys

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


def register(cls: R) -> R:
    """Class decorator: add a rule to the registry (codes and names must be unique)."""
    if not _CODE.match(cls.code) or not _NAME.match(cls.name):
        raise ValueError(f"{cls.__name__}: bad rule code {cls.code!r} or name {cls.name!r}")
    for other in _REGISTRY.values():
        if other is not cls and (other.code == cls.code or other.name == cls.name):
            raise ValueError(f"{cls.__name__} reuses the code or name of {other.__name__}")
    _REGISTRY[cls.code] = cls
    return cls


def _import_from_bytecode(folder: str, name: str) -> bool:
    """Import the rule module ``name`` from its up-to-date cached bytecode, as ``SourceFileLoader`` would
    (the same module attributes, the same checks of the ``.pyc`` against the source's mtime and size),
    without the finder and loader steps of a full import (about half the cost of loading the 32 rules
    at start-up). False, with nothing done, when there is no such bytecode: then the ordinary import.
    """
    qualified = f"{__name__}.{name}"
    if qualified in sys.modules:
        return True
    source = os.path.join(folder, name + ".py")
    try:
        cached = _external.cache_from_source(source)
        stat = os.stat(source)
        with open(cached, "rb") as fh:
            data = fh.read()
    except (OSError, NotImplementedError, ValueError):
        return False
    if (
        len(data) < 16
        or data[:4] != _external.MAGIC_NUMBER
        or data[4:8] != b"\0\0\0\0"  # timestamp-based (hash-based .pyc files: the ordinary import)
        or int.from_bytes(data[8:12], "little") != int(stat.st_mtime) & 0xFFFFFFFF
        or int.from_bytes(data[12:16], "little") != stat.st_size & 0xFFFFFFFF
    ):
        return False
    try:
        code = marshal.loads(memoryview(data)[16:])
    except (ValueError, EOFError, TypeError):
        return False
    spec = _bootstrap.ModuleSpec(qualified, _external.SourceFileLoader(qualified, source), origin=source)
    spec.has_location = True
    spec.cached = cached
    module = _bootstrap.module_from_spec(spec)
    sys.modules[qualified] = module
    try:
        exec(code, module.__dict__)
    except BaseException:
        sys.modules.pop(qualified, None)
        raise
    setattr(sys.modules[__name__], name, module)
    return True


def all_rules() -> dict[str, type[Rule]]:
    """Every registered rule, code -> class, sorted by code (imports the rule modules on first call)."""
    global _walked
    if not _walked:
        for folder in __path__:
            names = sorted(e.name[:-3] for e in os.scandir(folder) if e.name.endswith(".py") and not e.name.startswith("_"))
            for name in names:
                if not _import_from_bytecode(folder, name):
                    importlib.import_module(f"{__name__}.{name}")
        _walked = True
    return dict(sorted(_REGISTRY.items()))
