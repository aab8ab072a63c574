"""Lint settings: ``[tool.nb2prod.lint]`` in the nearest ``pyproject.toml``, then the command line.

Example::

    [tool.nb2prod.lint]
    select = ["NB"]              # codes or prefixes ("NB4", "NB401") or rule names; default: every rule
    ignore = ["NB105", "NB207"]
    max-cell-lines = 30          # NB205: non-blank lines per code cell
    max-code-cells = 50          # NB206: code cells per notebook
    entropy-threshold = 4.5      # NB401: Shannon entropy, bits per character
    entropy-min-length = 20      # NB401: shortest string the entropy check looks at

The nearest ``pyproject.toml`` is looked for from each notebook's directory upwards, and only one
that has a ``[tool.nb2prod.lint]`` table counts (as ruff does with ``[tool.ruff]``). ``--select`` on
the command line replaces the configured ``select`` and ``ignore`` (what you ask for by name is
what you get); ``--ignore`` adds to ``ignore``.
"""

from __future__ import annotations

import functools
import os
from collections import namedtuple
from collections.abc import Iterable

from nb2prod.errors import Nb2ProdError

# typing is for annotations only: importing it (and typing.NamedTuple) costs the hook ~3 ms of start-up
TYPE_CHECKING = False
if TYPE_CHECKING:
    from os import PathLike
    from typing import Any

    StrPath = str | PathLike[str]


class LintConfig(
    namedtuple(
        "LintConfig",
        ["select", "ignore", "max_cell_lines", "max_code_cells", "entropy_threshold", "entropy_min_length", "source"],
        defaults=(("NB",), (), 30, 50, 4.5, 20, None),
    )
):
    """Immutable lint settings shared by all rules (pyupgrade's ``Settings`` habit)."""

    __slots__ = ()

    select: tuple[str, ...]
    ignore: tuple[str, ...]
    max_cell_lines: int
    max_code_cells: int
    entropy_threshold: float
    entropy_min_length: int
    #: the pyproject.toml the settings came from, if any
    source: str | None


_KEYS = {
    "select": "select",
    "ignore": "ignore",
    "max-cell-lines": "max_cell_lines",
    "max-code-cells": "max_code_cells",
    "entropy-threshold": "entropy_threshold",
    "entropy-min-length": "entropy_min_length",
}


class ConfigError(Nb2ProdError):
    """``[tool.nb2prod.lint]`` cannot be used as written."""


def _codes(value: Any, where: str, key: str) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(where, f"[tool.nb2prod.lint] {key} must be a list of rule codes")
    return tuple(value)


def _number(value: Any, where: str, key: str, kind: type) -> Any:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
        raise ConfigError(where, f"[tool.nb2prod.lint] {key} must be a positive number")
    if kind is int and not isinstance(value, int):
        raise ConfigError(where, f"[tool.nb2prod.lint] {key} must be a whole number")
    return kind(value)


def parse_table(table: Any, where: str) -> LintConfig:
    """Settings from a ``[tool.nb2prod.lint]`` table; unknown keys are errors (typos would pass silently)."""
    if not isinstance(table, dict):
        raise ConfigError(where, "[tool.nb2prod.lint] must be a table")
    values: dict[str, Any] = {"source": str(where)}
    defaults = LintConfig()
    for key, value in table.items():
        field = _KEYS.get(key)
        if field is None:
            raise ConfigError(where, f"unknown key {key!r} in [tool.nb2prod.lint] (known: {', '.join(_KEYS)})")
        if field in ("select", "ignore"):
            values[field] = _codes(value, where, key)
        else:
            values[field] = _number(value, where, key, type(getattr(defaults, field)))
    return LintConfig(**values)


@functools.cache
def _read_pyproject(path: str) -> dict[str, Any] | None:
    import tomllib

    try:
        with open(path, "rb") as fh:
            data = tomllib.load(fh)
    except OSError:
        return None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(path, f"invalid TOML: {exc}") from None
    return data


def read_pyproject(path: StrPath) -> dict[str, Any] | None:
    """A parsed ``pyproject.toml`` (cached: many notebooks share one), or None if it cannot be read."""
    return _read_pyproject(os.path.realpath(path))


@functools.cache
def resolved_directory(directory: str) -> str:
    """The absolute path of ``directory`` with symbolic links resolved (``Path.resolve``; the hook
    works on strings and does not import pathlib), once per directory in a run (notebooks share
    directories). An empty string is the working directory.

    Keyed by the path as given, which may be relative: :func:`nb2prod.lint.engine.lint_paths` clears
    it at the start of every run, so a change of working directory between runs cannot mislead it.
    """
    return os.path.realpath(directory or os.curdir)


def parents(directory: str) -> list[str]:
    """``directory`` (an absolute path) and every directory above it, nearest first."""
    folders = [directory]
    while (parent := os.path.dirname(folders[-1])) != folders[-1]:
        folders.append(parent)
    return folders


@functools.cache
def config_for_directory(directory: str) -> LintConfig:
    """The settings that apply to notebooks in ``directory`` (an absolute path)."""
    for folder in parents(directory):
        candidate = os.path.join(folder, "pyproject.toml")
        if os.path.isfile(candidate):
            data = read_pyproject(candidate) or {}
            table = data.get("tool", {}).get("nb2prod", {})
            if isinstance(table, dict) and "lint" in table:
                return parse_table(table["lint"], candidate)
    return LintConfig()


def with_cli(config: LintConfig, select: Iterable[str] | None, ignore: Iterable[str]) -> LintConfig:
    """Apply ``--select`` (replaces the file's select and ignore) and ``--ignore`` (adds to ignore)."""
    if select is not None:
        config = config._replace(select=tuple(select), ignore=())
    ignore = tuple(ignore)
    return config._replace(ignore=config.ignore + ignore) if ignore else config
