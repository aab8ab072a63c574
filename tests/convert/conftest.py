"""Fixtures for conversion tests: one SparkSession for the whole test session, notebook builders."""

from __future__ import annotations

import os
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples" / "notebooks"
SAMPLES = ROOT / "tests" / "data"


@pytest.fixture(scope="session")
def spark():
    pyspark = pytest.importorskip("pyspark.sql")
    os.environ.setdefault("PYSPARK_PYTHON", os.sys.executable)
    session = (
        pyspark.SparkSession.builder.master("local[2]")
        .appName("nb2prod-tests")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.sql.session.timeZone", "UTC")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


def write_notebook(path: Path, cells: list[str], language: str = "python") -> Path:
    """Write a notebook whose cells are code, or markdown when a source starts with '# md:'."""
    nb = new_notebook(
        cells=[new_markdown_cell(c[5:]) if c.startswith("# md:") else new_code_cell(c) for c in cells],
        metadata={"kernelspec": {"name": "python3" if language == "python" else language, "display_name": language, "language": language}},
    )
    nbformat.write(nb, path)
    return path
