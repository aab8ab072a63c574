"""The temporary workspaces verify runs in: a copy of the notebook's surroundings per side.

The notebook's inputs are found as ``nb2prod convert`` finds the samples it ships with a
package: settings whose value, taken relative to the notebook's directory, is an existing
file or directory. Each side (pandas, Spark) gets its own copy of the notebook directory and
of those inputs, laid out as around the real notebook, so relative paths in the notebook and
in the configuration work unchanged and neither side sees the other's outputs. Nothing is
ever written next to the real notebook or its data.
"""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

#: files cut to the header and the first N rows with --sample-rows
SAMPLE_SUFFIXES = (".csv", ".tsv", ".txt", ".jsonl", ".ndjson", ".json")
#: what an input directory contributes: its files with these suffixes, and subdirectories so named
DATA_SUFFIXES = (*SAMPLE_SUFFIXES, ".parquet", ".pq")
#: written by tools, never datasets
IGNORED_NAMES = {"__pycache__", ".ipynb_checkpoints", "_SUCCESS", "spark-warehouse", "metastore_db", "derby.log"}
#: nested this deep below the workspace, so a path climbing above the notebook's layout stays inside it
PADDING = ("w", "o", "r", "k")


class WorkspaceError(Exception):
    """The notebook's files cannot be laid out in a workspace (one line for the user)."""


@dataclass
class Workspace:
    """One side's copy: ``root`` mirrors the common ancestor of the notebook and its inputs."""

    root: Path
    notebook_dir: Path
    notebook: Path


def setting_values(config: Any, skip: tuple[str, ...] = ("spark",)) -> list[str]:
    """The string values of a configuration mapping (nested included, the ``spark:`` section excluded)."""
    out: list[str] = []
    if isinstance(config, dict):
        for key, value in config.items():
            if key in skip:
                continue
            out.extend(setting_values(value, ()))
    elif isinstance(config, list):
        for value in config:
            out.extend(setting_values(value, ()))
    elif isinstance(config, str):
        out.append(config)
    return out


def _local(value: str) -> bool:
    return bool(value) and "://" not in value and "\n" not in value and len(value) < 1024


def find_inputs(notebook: Path, values: list[str]) -> tuple[list[Path], list[Path]]:
    """The input files/directories the settings point at, and every local path they name.

    Returns:
        (existing inputs, all resolved local paths incl. outputs that do not exist yet).

    Raises:
        WorkspaceError: a setting is an absolute path where something could be written
            (verify cannot redirect it into the workspace).
    """
    base = notebook.resolve().parent
    inputs: list[Path] = []
    mentioned: list[Path] = []
    for value in values:
        if not _local(value):
            continue
        if os.path.isabs(value):
            path = Path(value)
            if path.is_file():
                inputs.append(path)  # read where it is; outputs cannot land in a file's place unnoticed
                continue
            if path.exists() or path.parent != Path(path.anchor) and path.parent.is_dir():
                raise WorkspaceError(
                    f"setting {value!r} is an absolute path: verify runs the notebook in a temporary copy and "
                    "cannot keep its outputs away from the real directory; make the path relative to the notebook"
                )
            continue
        path = Path(os.path.normpath(base / value))
        mentioned.append(path)
        try:
            if path.is_file() or path.is_dir():
                inputs.append(path)
        except OSError:
            continue
    return sorted(set(inputs)), mentioned


def _copy_sample(source: Path, target: Path, rows: int | None) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    if rows is None or source.suffix.lower() not in SAMPLE_SUFFIXES:
        shutil.copyfile(source, target)
        return
    with source.open("rb") as handle:
        first = handle.readline()
        header = source.suffix.lower() in (".csv", ".tsv", ".txt")
        if source.suffix.lower() == ".json" and not _json_line(first):
            handle.seek(0)
            target.write_bytes(handle.read())  # one JSON document: cannot be cut by lines
            return
        lines = [first]
        for _, line in zip(range(rows if header else rows - 1), handle):
            lines.append(line)
    target.write_bytes(b"".join(lines) if rows > 0 or header else b"")


def _json_line(line: bytes) -> bool:
    try:
        return isinstance(json.loads(line), dict)
    except ValueError:
        return False


def _copy_input(source: Path, target: Path, rows: int | None) -> None:
    if source.is_file():
        _copy_sample(source, target, rows)
        return
    target.mkdir(parents=True, exist_ok=True)
    for child in sorted(source.iterdir()):
        if child.name.startswith(".") or child.name in IGNORED_NAMES:
            continue
        if child.is_file() and child.suffix.lower() in DATA_SUFFIXES:
            _copy_sample(child, target / child.name, rows)
        elif child.is_dir() and child.suffix.lower() in DATA_SUFFIXES:
            for part in sorted(child.rglob("*")):
                if part.is_file() and not any(p.startswith(".") for p in part.relative_to(child).parts):
                    _copy_sample(part, target / child.name / part.relative_to(child), rows)


def build(notebook: Path, values: list[str], where: Path, rows: int | None) -> tuple[Workspace, Workspace, list[Path]]:
    """Lay out the pandas and the Spark workspace under ``where``.

    Args:
        notebook: the real notebook.
        values: the settings' string values (relative paths are taken from the notebook's directory).
        where: an empty temporary directory.
        rows: with ``--sample-rows``, the number of data rows kept of each CSV / JSON-lines input.

    Returns:
        (pandas workspace, Spark workspace, the real inputs copied).
    """
    notebook = notebook.resolve()
    base = notebook.parent
    inputs, mentioned = find_inputs(notebook, values)
    common = Path(os.path.commonpath([base, *inputs, *mentioned]))
    sides = []
    for side in ("pandas", "spark"):
        root = where.joinpath(side, *PADDING)
        nb_dir = root / base.relative_to(common)
        nb_dir.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(notebook, nb_dir / notebook.name)
        for helper in sorted(base.glob("*.py")):  # local modules the notebook imports
            shutil.copyfile(helper, nb_dir / helper.name)
        for path in inputs:
            if path.is_relative_to(common) and path != common:
                _copy_input(path, root / path.relative_to(common), rows)
            elif path == common:
                _copy_input(path, root, rows)
        sides.append(Workspace(root, nb_dir, nb_dir / notebook.name))
    return sides[0], sides[1], inputs


# -- what a run wrote -------------------------------------------------------------------------


def snapshot(root: Path) -> dict[str, tuple[int, int]]:
    """relative path -> (size, mtime_ns) of every file below ``root``."""
    out: dict[str, tuple[int, int]] = {}
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if d not in ("__pycache__", ".ipynb_checkpoints")]
        for name in filenames:
            path = Path(dirpath) / name
            try:
                stat = path.stat()
            except OSError:
                continue
            out[path.relative_to(root).as_posix()] = (stat.st_size, stat.st_mtime_ns)
    return out


def written(before: dict[str, tuple[int, int]], after: dict[str, tuple[int, int]]) -> list[str]:
    """The datasets a run created or changed, as paths relative to the workspace root.

    A file is a dataset; files inside a directory holding Spark part files (``part-*``,
    ``_SUCCESS``) make that directory one dataset (partition subdirectories ``key=value``
    included). Checksums, hidden files and tool droppings are not datasets.
    """
    changed = [p for p, stat in after.items() if before.get(p) != stat]
    datasets: set[str] = set()
    part_dirs = {
        str(Path(p).parent)
        for p in after
        if Path(p).name.startswith("part-") or Path(p).name == "_SUCCESS"
    }
    for rel in changed:
        path = Path(rel)
        if any(part.startswith(".") or part in IGNORED_NAMES for part in path.parts):
            continue
        parent = path.parent
        if str(parent) in part_dirs:
            while "=" in parent.name and parent.parent != parent:  # partitioned output
                parent = parent.parent
            datasets.add(parent.as_posix())
        else:
            datasets.add(rel)
    return sorted(datasets)
