"""Fixtures for conversion tests: notebook builders (the session-wide ``spark`` fixture is in tests/conftest.py)."""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples" / "notebooks"
SAMPLES = ROOT / "tests" / "data"


def write_notebook(path: Path, cells: list[str], language: str = "python") -> Path:
    """Write a notebook whose cells are code, or markdown when a source starts with '# md:'."""
    nb = new_notebook(
        cells=[new_markdown_cell(c[5:]) if c.startswith("# md:") else new_code_cell(c) for c in cells],
        metadata={"kernelspec": {"name": "python3" if language == "python" else language, "display_name": language, "language": language}},
    )
    nbformat.write(nb, path)
    return path
