"""A manifest that does not match its schema is "cannot check: ..." with exit 2, never a traceback,
and no path in a manifest reads a file outside the package."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from nb2prod.cli import main
from tests.convert.conftest import write_notebook

CORRUPTIONS = {
    "cell_number_text": (lambda m: m["cells"][0].update(cell="abc"), "cells/0/cell is 'abc'"),
    "cell_number_null": (lambda m: m["cells"][0].update(cell=None), "cells/0/cell is None"),
    "integer_tags": (lambda m: m["cells"][0].update(tags=[1, 2]), "cells/0/tags"),
    "nul_in_a_file_key": (lambda m: m["files"].update({"src/a\0b.py": "0" * 64}), "not a path inside the package"),
    "absolute_file_key": (lambda m: m["files"].update({"/etc/passwd": "0" * 64}), "not a path inside the package"),
    "file_key_leaving_the_package": (lambda m: m["files"].update({"../../etc/passwd": "0" * 64}), "not a path inside the package"),
    "status_unknown": (lambda m: m["cells"][0].update(status=7), "cells/0/status"),
    "status_a_list": (lambda m: m["cells"][0].update(status=["converted"]), "cells/0/status"),
    "hash_not_hex": (lambda m: m["cells"][0].update(sha256="zz"), "sha256"),
    "notebook_absolute": (lambda m: m.update(notebook="/etc/passwd"), "notebook is '/etc/passwd'"),
    "files_a_list": (lambda m: m.update(files=[]), "files is []"),
}


@pytest.fixture
def package(tmp_path: Path, capsys) -> Path:
    path = write_notebook(tmp_path / "nb.ipynb", ["import math", "x = math.sqrt(4)"])
    assert main(["convert", str(path), "-o", str(tmp_path / "out")]) == 0
    capsys.readouterr()
    return tmp_path / "out"


def _check(capsys, package: Path) -> tuple[int, str]:
    code = main(["check", str(package)])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, err


@pytest.mark.parametrize("case", sorted(CORRUPTIONS))
def test_corrupt_manifest_cannot_be_checked(package: Path, capsys, case: str) -> None:
    corrupt, needle = CORRUPTIONS[case]
    lock = package / "nb2prod.lock.json"
    manifest = json.loads(lock.read_text())
    corrupt(manifest)
    lock.write_text(json.dumps(manifest))
    code, err = _check(capsys, package)
    assert code == 2 and "cannot check: invalid manifest" in err and needle in err, err
    assert len(err.strip().splitlines()) == 1
    assert "root:" not in err


def test_deeply_nested_manifest(package: Path, capsys) -> None:
    (package / "nb2prod.lock.json").write_text("[" * 100_000 + "]" * 100_000)
    code, err = _check(capsys, package)
    assert code == 2 and "nested too deeply" in err


def test_generated_file_replaced_by_a_link_outside(package: Path, capsys, tmp_path: Path) -> None:
    secret = tmp_path / "outside.txt"
    secret.write_text("not the package's")
    readme = package / "README.md"
    readme.unlink()
    readme.symlink_to(secret)
    code, err = _check(capsys, package)
    assert code == 2 and "outside the package" in err
