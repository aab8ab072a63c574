"""The package-level gate: every exit 0 of ``nb2prod convert`` is a package that installs and imports.

:func:`check_package` runs on the files just before they are moved into place: every generated
``.py`` compiles, ``pyproject.toml`` parses with :mod:`tomllib`, and every dependency it declares is
a valid PEP 508 requirement (:class:`packaging.requirements.Requirement`). A failure is a bug in
nb2prod (the cell-level guards of :mod:`nb2prod.convert.cells` and the requirement filter below are
meant to stop every known cause first); it ends the conversion with
:class:`nb2prod.errors.PackageError` (exit 2), naming the file, the line and, for ``pipeline.py``,
the notebook cell, and nothing is written.

:func:`requirement_problem` is the filter ``pip install`` arguments go through: ``{pkg}``, ``$PKG``,
``x==``, ``''``, bare URLs, ``git+...`` and quotes are reported and left out of the dependencies.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping

from nb2prod.errors import PackageError

_STEP = re.compile(r'^\s*with step\("cell (\d+)"\):|^    # cell (\d+)$|^@step\(cells=\((\d+)')


def requirement_problem(text: str) -> str | None:
    """Why ``text`` is not a dependency the generated ``pyproject.toml`` can declare, or None.

    Args:
        text: one argument of ``pip install`` (``pandas>=2``, ``scikit-learn[alldeps]``, ``x @ https://...``).

    Returns:
        A short reason (``"not a PEP 508 requirement"``, ``"a template or variable, not a package"``), or None.
    """
    from packaging.requirements import InvalidRequirement, Requirement

    if not text.strip():
        return "an empty argument"
    if any(c in text for c in "{}$`") or text.startswith("%"):
        return "a template or variable, not a package name"
    try:
        Requirement(text)
    except InvalidRequirement:
        return "not a PEP 508 requirement (a URL, a path or a VCS link needs `name @ url`)"
    return None


def normalise_requirement(text: str) -> str:
    """A valid requirement in the form written to ``pyproject.toml`` (markers with single quotes, so it fits a TOML string)."""
    from packaging.requirements import Requirement

    return str(Requirement(text)).replace('"', "'")


def requirement_key(text: str) -> str:
    """The canonical distribution name of a valid requirement (``Scikit_Learn>=1`` -> ``scikit-learn``)."""
    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name

    return canonicalize_name(Requirement(text).name)


def _cell_at(code: str, line: int) -> int | None:
    """The notebook cell ``line`` of a generated pipeline.py came from: the nearest ``# cell N`` comment
    or ``@step(cells=(N, ...))`` above it (``with step("cell N")`` in older packages)."""
    lines = code.splitlines()
    for index in range(min(line, len(lines)) - 1, -1, -1):
        match = _STEP.match(lines[index])
        if match:
            return int(next(g for g in match.groups() if g))
    return None


def check_package(files: Mapping[str, bytes], path: str = "notebook") -> None:
    """Refuse a package that would not work.

    Args:
        files: relative path -> bytes, as about to be written.
        path: the notebook's path, for the message.

    Raises:
        PackageError: a ``.py`` file does not compile, ``pyproject.toml`` does not parse, or a
            dependency is not a valid requirement.
    """
    from packaging.requirements import InvalidRequirement, Requirement

    for rel, content in sorted(files.items()):
        if not rel.endswith(".py"):
            continue
        try:
            code = content.decode("utf-8")
            compile(code, rel, "exec", dont_inherit=True)
        except UnicodeDecodeError:
            raise PackageError(path, f"generated {rel} is not UTF-8; nothing written (please report this)") from None
        except (SyntaxError, ValueError, RecursionError, MemoryError) as exc:
            line = getattr(exc, "lineno", None) or 0
            cell = _cell_at(code, line) if rel.endswith("/pipeline.py") else None
            message = getattr(exc, "msg", None) or str(exc)
            raise PackageError(path, f"generated {rel} does not compile (line {line}: {message}); nothing written (please report this)", cell) from None
    if "pyproject.toml" in files:
        try:
            project = tomllib.loads(files["pyproject.toml"].decode("utf-8")).get("project", {})
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise PackageError(path, f"generated pyproject.toml does not parse ({exc}); nothing written (please report this)") from None
        for dependency in project.get("dependencies", []):
            try:
                Requirement(dependency)
            except (InvalidRequirement, TypeError):
                raise PackageError(path, f"generated pyproject.toml declares an invalid dependency {dependency!r}; nothing written (please report this)") from None
