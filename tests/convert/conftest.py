"""Fixtures for conversion tests: notebook builders and the rendered compat module (the
session-wide ``spark`` fixture is in tests/conftest.py)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import nbformat
import pytest
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


def render_compat(directory: Path, module_name: str):
    """The generated package's compat.py, rendered from templates/ into ``directory`` and imported
    as ``module_name`` (a fresh module each time: its observers and caches are its own)."""
    from nb2prod.convert.render import environment
    from nb2prod.convert.schemas import PANDAS_NA

    path = directory / "compat.py"
    path.write_text(environment().get_template("package/src/compat.py.j2").render(name="demo", notebook="demo.ipynb", nb2prod_version="test"))
    spec = importlib.util.spec_from_file_location(module_name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def import_with_compat(path: Path, module_name: str, compat):
    """Import the rendered generated module at ``path`` as ``module_name``, its ``from demo import compat``
    bound to the module ``compat`` (``sys.modules`` restored afterwards)."""
    import sys
    import types

    package = types.ModuleType("demo")
    package.compat = compat
    saved = {k: sys.modules.get(k) for k in ("demo", "demo.compat")}
    sys.modules.update({"demo": package, "demo.compat": compat})
    try:
        spec = importlib.util.spec_from_file_location(module_name, path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    finally:
        for k, v in saved.items():
            if v is None:
                sys.modules.pop(k, None)
            else:
                sys.modules[k] = v
    return module


def render_schemas(directory: Path, module_name: str, compat, csv_schemas: dict | None = None):
    """The generated package's schemas.py for ``csv_schemas`` (file name -> {"sep", "columns", "casts"}), rendered
    into ``directory`` and imported as ``module_name``, its ``compat`` import bound to the module ``compat``."""
    from nb2prod.convert.render import environment
    from nb2prod.convert.schemas import PANDAS_NA

    path = directory / f"{module_name}.py"
    path.write_text(
        environment().get_template("package/src/schemas.py.j2").render(name="demo", notebook="demo.ipynb", csv_schemas=csv_schemas or {}, pandas_na=PANDAS_NA)
    )
    return import_with_compat(path, module_name, compat)


@pytest.fixture(scope="session")
def compat(tmp_path_factory):
    """The generated package's compat.py (rendered from templates/), imported as a module."""
    return render_compat(tmp_path_factory.mktemp("compat"), "rendered_compat")


@pytest.fixture(scope="session")
def pipeline_globals(spark, compat):
    """The names generated pipeline code runs with: ``spark``, ``F``, ``Window``, ``compat`` and ``schemas``."""
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    schemas = render_schemas(Path(str(compat.__file__)).parent, "rendered_schemas", compat)
    return {"spark": spark, "F": F, "Window": Window, "compat": compat, "schemas": schemas}
