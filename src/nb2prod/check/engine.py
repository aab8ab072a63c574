"""Find notebook/package pairs and compare each with its manifest.

A *pair* is a package directory holding :data:`~nb2prod.manifest.MANIFEST_NAME`
and the notebook that manifest points at. What is compared:

* cells, matched by id (nbformat 4.5 ids). When the ids cannot be matched
  (``pos-N`` ids of notebooks older than 4.5, or a notebook that gained ids when
  re-saved) cells are matched by content, as ``diff`` matches lines;
* a cell's normalised source hash (:func:`nb2prod.manifest.source_hash`), never
  outputs, execution counts or metadata. Cells tagged ``nb2prod:skip`` are not
  in the pipeline, so editing them is not drift; adding or removing the tag is;
* the conversion status recorded for each unchanged cell, against the cell's
  tags *now* (tagging a cell ``nb2prod:accept-partial`` needs no re-conversion);
* every generated file listed in the manifest, byte for byte (a checkout that
  turned ``\\n`` into ``\\r\\n`` is not an edit), except the files the
  ``allow-edits`` setting opts out.
"""

from __future__ import annotations

import difflib
import fnmatch
import json
import os
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, NamedTuple

from nb2prod.check.codes import message
from nb2prod.errors import Nb2ProdError
from nb2prod.manifest import (
    ACCEPT_TAG,
    MANIFEST_FORMAT,
    MANIFEST_NAME,
    SKIP_TAG,
    file_hash,
    manifest_problem,
    source_hash,
)
from nb2prod.manifest import _short
from nb2prod.notebook import Notebook, load_notebook

#: directories never searched for manifests (besides every hidden directory)
SKIP_DIRS = frozenset({".venv", "venv", "__pycache__", "node_modules", "site-packages", "build", "dist"})


class CheckError(Nb2ProdError):
    """``check`` cannot run for this path (exit status 2)."""


class Problem(NamedTuple):
    """One thing ``check`` fails on.

    Attributes:
        path: the notebook, or the generated file, as shown (relative to the current directory when below it).
        cell: the 1-based cell number (see :mod:`nb2prod.notebook`), or None.
        code: ``CKnnn`` (see :mod:`nb2prod.check.codes`).
        message: what is wrong and what to do.
        package: the package directory the problem belongs to, as shown.
    """

    path: str
    cell: int | None
    code: str
    message: str
    package: str

    def text(self) -> str:
        where = self.path if self.cell is None else f"{self.path}:cell {self.cell}"
        return f"{where}: {self.code} {self.message}"


class Pair(NamedTuple):
    package: Path
    notebook: Path
    manifest: dict[str, Any]


class Result(NamedTuple):
    pairs: list[Pair]
    problems: list[Problem]
    #: lines for paths that could not be checked (exit status 2)
    errors: list[str]


def shown(path: Path, cwd: Path | None = None) -> str:
    """``path`` relative to the current directory when below it, else absolute; ``/``-separated."""
    cwd = (cwd or Path.cwd()).resolve()
    resolved = path.resolve()
    try:
        return resolved.relative_to(cwd).as_posix() or "."
    except ValueError:
        return resolved.as_posix()


# -- finding pairs ---------------------------------------------------------------------------------


def error_line(exc: Nb2ProdError, cwd: Path | None = None) -> str:
    """An error as one line, its path shown as :func:`shown` shows paths."""
    where = shown(Path(exc.path), cwd)
    return f"{where if exc.cell is None else f'{where}:cell {exc.cell}'}: {exc.message}"


def find_manifests(root: Path) -> Iterator[Path]:
    """Every manifest below ``root``, skipping hidden directories and :data:`SKIP_DIRS`, in sorted order."""
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in SKIP_DIRS)
        if MANIFEST_NAME in files:
            yield Path(folder) / MANIFEST_NAME


def load_manifest(path: Path) -> dict[str, Any]:
    """A manifest, checked enough that comparing with it cannot crash."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise CheckError(path, f"cannot read manifest: {exc.strerror or exc}") from None
    except RecursionError:
        raise CheckError(path, "cannot check: invalid manifest (JSON nested too deeply); re-run nb2prod convert") from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise CheckError(path, f"cannot check: invalid manifest ({str(exc)[:120]}); re-run nb2prod convert") from None
    if not isinstance(data, dict) or data.get("format") != MANIFEST_FORMAT:
        found = data.get("format") if isinstance(data, dict) else None
        raise CheckError(path, f"manifest format {_short(found)} is not {MANIFEST_FORMAT}; re-run nb2prod convert with this nb2prod")
    problem = manifest_problem(data)
    if problem is not None:
        raise CheckError(path, f"cannot check: invalid manifest ({problem}); re-run nb2prod convert")
    return data


def _pair(manifest_path: Path) -> Pair:
    data = load_manifest(manifest_path)
    package = manifest_path.parent
    return Pair(package, Path(os.path.normpath(package.resolve() / data["notebook"])), data)


def _repository_root(path: Path) -> Path | None:
    for folder in (path, *path.parents):
        if (folder / ".git").exists():
            return folder
    return None


def _pairs_for_notebook(notebook: Path, cwd: Path) -> list[Pair]:
    target = notebook.resolve()
    roots = {cwd.resolve()}
    root = _repository_root(target.parent)
    roots.add(root if root is not None else target.parent)
    found: dict[Path, Pair] = {}
    for search in sorted(roots):
        for manifest in find_manifests(search):
            try:
                pair = _pair(manifest)
            except CheckError:
                continue  # a broken manifest of another notebook is not this notebook's problem
            if pair.notebook == target:
                found[manifest.resolve()] = pair
    return [found[k] for k in sorted(found)]


def find_pairs(arguments: Sequence[str], cwd: Path | None = None) -> tuple[list[Pair], list[str]]:
    """The pairs to check, and one line per argument that cannot be checked.

    Args:
        arguments: notebooks, package directories, or directories searched for packages;
            none means every package below the current directory.
    """
    cwd = cwd or Path.cwd()
    pairs: dict[Path, Pair] = {}
    errors: list[str] = []

    def add(manifests: Iterable[Path]) -> int:
        count = 0
        for manifest in manifests:
            count += 1
            try:
                pairs.setdefault(manifest.resolve(), _pair(manifest))
            except CheckError as exc:
                errors.append(error_line(exc, cwd))
        return count

    if not arguments and not add(find_manifests(cwd)):
        errors.append(f"{shown(cwd, cwd)}: no {MANIFEST_NAME} found below this directory (run nb2prod convert first)")
    for argument in arguments:
        path = Path(argument)
        if path.is_dir():
            if (path / MANIFEST_NAME).is_file():
                add([path / MANIFEST_NAME])
            elif not add(find_manifests(path)):
                errors.append(f"{argument}: no {MANIFEST_NAME} found (not a package written by nb2prod convert; re-run nb2prod convert)")
        elif path.is_file():
            found = _pairs_for_notebook(path, cwd)
            if not found:
                errors.append(f"{argument}: no converted package found for this notebook (no {MANIFEST_NAME} points at it; run nb2prod convert)")
            for pair in found:
                pairs.setdefault((pair.package / MANIFEST_NAME).resolve(), pair)
        else:
            errors.append(f"{argument}: no such file or directory")
    return [pairs[k] for k in sorted(pairs)], errors


# -- allow-edits -----------------------------------------------------------------------------------


def allow_edits(package: Path) -> tuple[Path, tuple[str, ...]]:
    """The ``allow-edits`` patterns that apply to ``package`` and the directory they are relative to.

    Read from ``[tool.nb2prod.check]`` of the nearest ``pyproject.toml`` *above* the
    package (the package's own ``pyproject.toml`` is generated, so it is not read).
    """
    import tomllib

    start = package.resolve().parent
    for folder in (start, *start.parents):
        candidate = folder / "pyproject.toml"
        if not candidate.is_file():
            continue
        try:
            data = tomllib.loads(candidate.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError):
            continue
        except tomllib.TOMLDecodeError as exc:
            raise CheckError(candidate, f"invalid TOML: {exc}") from None
        table = data.get("tool", {}).get("nb2prod", {}).get("check")
        if table is None:
            continue
        if not isinstance(table, dict):
            raise CheckError(candidate, "[tool.nb2prod.check] must be a table")
        unknown = sorted(set(table) - {"allow-edits"})
        if unknown:
            raise CheckError(candidate, f"unknown key {unknown[0]!r} in [tool.nb2prod.check] (known: allow-edits)")
        patterns = table.get("allow-edits", [])
        if not isinstance(patterns, list) or not all(isinstance(p, str) for p in patterns):
            raise CheckError(candidate, "[tool.nb2prod.check] allow-edits must be a list of paths or glob patterns")
        return folder, tuple(patterns)
    return start, ()


def _allowed(path: Path, base: Path, patterns: tuple[str, ...]) -> bool:
    try:
        rel = path.resolve().relative_to(base).as_posix()
    except ValueError:
        return False
    return any(fnmatch.fnmatchcase(rel, p.strip("/").removeprefix("./")) for p in patterns)


# -- comparing -------------------------------------------------------------------------------------


class _Now(NamedTuple):
    """A code cell as it is now."""

    id: str
    cell: int
    sha256: str
    tags: tuple[str, ...]


def _match(old: list[dict[str, Any]], new: list[_Now]) -> tuple[list[tuple[dict[str, Any], _Now]], list[dict[str, Any]], list[_Now], list[str]]:
    """Matched (old, new) cells, removed old cells, added new cells, and the ids of moved cells."""
    old_ids = [str(o["id"]) for o in old]
    new_ids = [n.id for n in new]
    positional = all(i.startswith("pos-") for i in old_ids) or all(i.startswith("pos-") for i in new_ids)
    if old and new and (positional or not set(old_ids) & set(new_ids)):
        return _match_by_content(old, new)
    by_id = {n.id: n for n in new}
    kept = set(old_ids) & set(new_ids)
    matched = [(o, by_id[str(o["id"])]) for o in old if str(o["id"]) in kept]
    removed = [o for o in old if str(o["id"]) not in kept]
    added = [n for n in new if n.id not in kept]
    before = [i for i in old_ids if i in kept]
    after = [i for i in new_ids if i in kept]
    stayed = _longest_common_subsequence(before, after)
    return matched, removed, added, [i for i in after if i not in stayed]


def _match_by_content(old: list[dict[str, Any]], new: list[_Now]) -> tuple[list[tuple[dict[str, Any], _Now]], list[dict[str, Any]], list[_Now], list[str]]:
    matcher = difflib.SequenceMatcher(None, [str(o["sha256"]) for o in old], [n.sha256 for n in new], autojunk=False)
    matched, removed, added = [], [], []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        pairs = min(i2 - i1, j2 - j1) if tag in ("equal", "replace") else 0
        matched.extend(zip(old[i1 : i1 + pairs], new[j1 : j1 + pairs]))
        removed.extend(old[i1 + pairs : i2])
        added.extend(new[j1 + pairs : j2])
    return matched, removed, added, []


def _longest_common_subsequence(a: list[str], b: list[str]) -> set[str]:
    """The ids that kept their relative order (the rest moved); O(len(a) * len(b)), fine for notebooks."""
    lengths = [[0] * (len(b) + 1) for _ in range(len(a) + 1)]
    for i in range(len(a) - 1, -1, -1):
        for j in range(len(b) - 1, -1, -1):
            lengths[i][j] = lengths[i + 1][j + 1] + 1 if a[i] == b[j] else max(lengths[i + 1][j], lengths[i][j + 1])
    kept, i, j = set(), 0, 0
    while i < len(a) and j < len(b):
        if a[i] == b[j]:
            kept.add(a[i])
            i, j = i + 1, j + 1
        elif lengths[i + 1][j] > lengths[i][j + 1]:
            i += 1
        else:  # a tie: report the cell that now comes first (moved up), not the cells it jumped over
            j += 1
    return kept


def _first_reason(entry: dict[str, Any]) -> str:
    reasons = [r for r in entry.get("reasons") or [] if isinstance(r, dict)]
    if not reasons:
        return ""
    first = f"{reasons[0].get('code', '')} {reasons[0].get('message', '')}".strip()
    return first + (f" (+{len(reasons) - 1} more in CONVERSION.md)" if len(reasons) > 1 else "")


def check_cells(notebook: Notebook, manifest: dict[str, Any], path: str, package: str) -> list[Problem]:
    """Drift and unaccepted statuses of one notebook against its manifest, in cell order."""
    old = manifest["cells"]
    new = [_Now(c.id, c.number, source_hash(c.source), c.tags) for c in notebook.code_cells]
    matched, removed, added, moved = _match(old, new)
    drift: list[Problem] = []
    status: list[Problem] = []

    def problem(cell: int | None, code: str, detail: str = "") -> Problem:
        return Problem(path, cell, code, message(code, detail), package)

    for o in removed:
        drift.append(problem(int(o["cell"]), "CK203", f"it was cell {o['cell']} (id {o['id']})"))
    for n in added:
        drift.append(problem(n.cell, "CK202"))
    renumbered = []
    for o, n in matched:
        was_skipped, skipped = SKIP_TAG in (o.get("tags") or []), SKIP_TAG in n.tags
        if was_skipped != skipped:
            drift.append(problem(n.cell, "CK201", f"tag {SKIP_TAG} {'added' if skipped else 'removed'}"))
        elif o["sha256"] != n.sha256 and not skipped:
            drift.append(problem(n.cell, "CK201", "its code differs from the converted code"))
        elif n.id in moved:
            drift.append(problem(n.cell, "CK204", f"it was cell {o['cell']}"))
        else:
            if int(o["cell"]) != n.cell:
                renumbered.append((o, n))
            if skipped or ACCEPT_TAG in n.tags:
                continue
            if o["status"] == "not-converted":
                status.append(problem(n.cell, "CK101", _first_reason(o)))
            elif o["status"] == "partial":
                status.append(problem(n.cell, "CK102", _first_reason(o)))
    if renumbered and not drift:
        o, n = renumbered[0]
        detail = f"cell {n.cell} was cell {o['cell']}: cells were added or removed above it, so the package's step labels are stale"
        drift.append(problem(n.cell, "CK205", detail))
    return sorted(drift + status, key=lambda p: (p.cell or 0, p.code))


def is_configuration(rel: str) -> bool:
    """Whether a package file is configuration (``src/<name>/conf/*.yaml``): the user's to tune, never
    reported as edited by hand (manifests of packages converted before it carried no marker list it)."""
    parts = rel.split("/")
    return len(parts) == 4 and parts[0] == "src" and parts[2] == "conf" and parts[3].endswith((".yaml", ".yml"))


def _file_matches(content: bytes, expected: str) -> bool:
    return file_hash(content) == expected or (b"\r\n" in content and file_hash(content.replace(b"\r\n", b"\n")) == expected)


def check_files(pair: Pair, cwd: Path) -> list[Problem]:
    """Generated files edited by hand or deleted, except those ``allow-edits`` opts out."""
    base, patterns = allow_edits(pair.package)
    problems = []
    package = shown(pair.package, cwd)
    for rel, expected in sorted(pair.manifest["files"].items()):
        path = pair.package / rel
        if _allowed(path, base, patterns) or is_configuration(rel):
            continue
        try:
            if not path.resolve().is_relative_to(pair.package.resolve()):
                raise CheckError(path, "cannot check: the generated file is a link to outside the package")
            content = path.read_bytes()
        except FileNotFoundError:
            problems.append(Problem(shown(path, cwd), None, "CK302", message("CK302"), package))
            continue
        except OSError as exc:
            raise CheckError(path, f"cannot read generated file: {exc.strerror or exc}") from None
        if not _file_matches(content, str(expected)):
            problems.append(Problem(shown(path, cwd), None, "CK301", message("CK301"), package))
    return problems


def check_pair(pair: Pair, cwd: Path) -> list[Problem]:
    """Every problem of one notebook/package pair.

    Raises:
        CheckError: the notebook or a generated file cannot be read, or the settings are invalid.
    """
    if not pair.notebook.is_file():
        raise CheckError(
            pair.package / MANIFEST_NAME,
            f"the notebook it was converted from, {pair.manifest['notebook']}, is missing (moved or deleted? re-run nb2prod convert)",
        )
    notebook = load_notebook(pair.notebook)
    package = shown(pair.package, cwd)
    return check_cells(notebook, pair.manifest, shown(pair.notebook, cwd), package) + check_files(pair, cwd)


def run_check(arguments: Sequence[str], cwd: Path | None = None) -> Result:
    """Find the pairs for ``arguments`` and check each; problems per pair, errors per path that cannot be checked."""
    cwd = cwd or Path.cwd()
    pairs, errors = find_pairs(arguments, cwd)
    problems: list[Problem] = []
    for pair in pairs:
        try:
            problems.extend(check_pair(pair, cwd))
        except Nb2ProdError as exc:
            errors.append(error_line(exc, cwd))
    return Result(pairs, problems, errors)
