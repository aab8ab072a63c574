"""Helpers for the lint tests: notebooks built with nbformat's v4 helpers (a module name unique across tests/)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

HERE = Path(__file__).parent
DATA = HERE / "data"
REPO = HERE.parents[1]


def code(source: str = "", count: int | None = None, outputs: Sequence[Any] = (), tags: Sequence[str] = ()) -> Any:
    cell = new_code_cell(source, execution_count=count, outputs=list(outputs))
    if tags:
        cell.metadata["tags"] = list(tags)
    return cell


def md(source: str = "") -> Any:
    return new_markdown_cell(source)


def write_notebook(path: Path, cells: Sequence[Any]) -> Path:
    nb = new_notebook(cells=list(cells))
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, str(path))
    return path
