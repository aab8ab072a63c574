"""Imports after the notebook changes sys.path stay after the change (a project's own modules)."""

from __future__ import annotations

import nbformat

from nb2prod.convert.package import convert_notebook


def test_imports_after_sys_path_insert_stay_in_their_step(tmp_path):
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "language": "python", "display_name": "Python 3"}
    nb.cells = [
        nbformat.v4.new_code_cell("import sys\nsys.path.insert(0, '..')\nimport numpy as np\nfrom src.core import helper"),
        nbformat.v4.new_code_cell("x = helper(np.arange(3))"),
    ]
    (tmp_path / "notebooks").mkdir()
    path = tmp_path / "notebooks" / "walkthrough.ipynb"
    nbformat.write(nb, path)
    result = convert_notebook(path, tmp_path / "out")
    pipeline = (tmp_path / "out" / "src" / "walkthrough" / "pipeline.py").read_text()
    header, run = pipeline.split("\n@step(", 1)  # the module's imports, then the step functions
    assert "from src.core import helper" not in header
    assert run.index("sys.path.insert(0, '..')") < run.index("from src.core import helper")
    compile(pipeline, "pipeline.py", "exec")
    assert "numpy" in result.report["dependencies"] and not any(d.startswith("src") for d in result.report["dependencies"])
