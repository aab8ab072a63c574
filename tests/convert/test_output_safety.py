"""Output safety: one line naming the path for every OS error, nothing left behind on any exit Python
sees, --force keeps exactly one package, permissions follow the umask, no package shadows a module."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from nb2prod.cli import main
from tests.convert.conftest import write_notebook

CELLS = ["import math", "x = math.sqrt(4)"]


def _run(capsys, *args) -> tuple[int, str]:
    code = main([str(a) for a in args])
    err = capsys.readouterr().err
    assert "Traceback" not in err
    return code, err


def _hidden(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


def test_os_errors_are_one_line_naming_the_path(tmp_path: Path, capsys) -> None:
    path = write_notebook(tmp_path / "nb.ipynb", CELLS)
    (tmp_path / "afile").write_text("x")
    (tmp_path / "dangling").symlink_to(tmp_path / "nowhere")
    cases = {
        "afile/sub": "is not a directory",
        "dangling": "symbolic link",
        "x" * 300: "File name too long",
    }
    for out, needle in cases.items():
        code, err = _run(capsys, "convert", path, "-o", tmp_path / out)
        assert code == 2 and len(err.strip().splitlines()) == 1 and needle in err, err
    assert _hidden(tmp_path) == []


def test_current_directory_is_never_the_output(tmp_path: Path, capsys, monkeypatch) -> None:
    path = write_notebook(tmp_path / "nb.ipynb", CELLS)
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    code, err = _run(capsys, "convert", path, "-o", ".", "--force")
    assert code == 2 and "current directory" in err
    assert work.is_dir() and list(work.iterdir()) == []


def test_permissions_follow_the_umask(tmp_path: Path, capsys) -> None:
    path = write_notebook(tmp_path / "nb.ipynb", CELLS)
    old = os.umask(0o027)
    try:
        assert _run(capsys, "convert", path, "-o", tmp_path / "out")[0] == 0
    finally:
        os.umask(old)
    assert (tmp_path / "out").stat().st_mode & 0o777 == 0o750
    assert (tmp_path / "out" / "pyproject.toml").stat().st_mode & 0o777 == 0o640


def test_names_that_shadow_modules(tmp_path: Path, capsys) -> None:
    logging_nb = write_notebook(tmp_path / "logging.ipynb", CELLS)
    code, err = _run(capsys, "convert", logging_nb, "-o", tmp_path / "a")
    assert code == 0 and "shadow the module 'logging'" in err
    assert (tmp_path / "a" / "src" / "logging_pipeline").is_dir()
    code, err = _run(capsys, "convert", logging_nb, "-o", tmp_path / "b", "--name", "pyspark")
    assert code == 2 and "--name pyspark would shadow" in err and not (tmp_path / "b").exists()


def test_stale_staging_from_a_killed_run_is_removed_and_the_previous_out_restored(tmp_path: Path, capsys) -> None:
    path = write_notebook(tmp_path / "nb.ipynb", CELLS)
    dead = 2**22 + 12345  # above the default pid_max: no such process
    (tmp_path / f".out.nb2prod-{dead}-abcdefgh").mkdir()
    previous = tmp_path / f".out.nb2prod-{dead}-ijklmnop.old" / "previous"
    previous.mkdir(parents=True)
    (previous / "marker").write_text("the package before the killed --force run")
    code, err = _run(capsys, "convert", path, "-o", tmp_path / "out")
    assert code == 2 and "not empty" in err  # the previous OUT is back, so replacing it needs --force
    assert (tmp_path / "out" / "marker").is_file() and _hidden(tmp_path) == []
    assert _run(capsys, "convert", path, "-o", tmp_path / "out", "--force")[0] == 0
    assert not (tmp_path / "out" / "marker").exists() and _hidden(tmp_path) == []


_SLOW = """
import sys, time
from pathlib import Path
real = Path.write_bytes
def slow(self, data):
    real(self, data)
    Path(sys.argv[2]).touch()
    time.sleep(0.3)
Path.write_bytes = slow
from nb2prod.cli import main
raise SystemExit(main(["convert", sys.argv[1], "-o", sys.argv[3], "--force"]))
"""


@pytest.mark.parametrize("how", [signal.SIGTERM, signal.SIGINT])
def test_interrupted_write_leaves_exactly_the_previous_package(tmp_path: Path, capsys, how: int) -> None:
    path = write_notebook(tmp_path / "nb.ipynb", CELLS)
    out = tmp_path / "out"
    assert _run(capsys, "convert", path, "-o", out)[0] == 0
    before = sorted(p.relative_to(out) for p in out.rglob("*"))
    started = tmp_path / "started"
    proc = subprocess.Popen([sys.executable, "-c", _SLOW, str(path), str(started), str(out)], stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 60
    while not started.exists() and time.time() < deadline and proc.poll() is None:
        time.sleep(0.05)
    proc.send_signal(how)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode != 0 and "Traceback" not in err, err
    assert sorted(p.relative_to(out) for p in out.rglob("*")) == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_quotes_and_newlines_in_the_notebook_name(tmp_path: Path, capsys) -> None:
    """The file name is quoted in TOML, Python and YAML: the package still parses and compiles."""
    import tomllib

    path = write_notebook(tmp_path / 'my "final"\nanalysis\\.ipynb', CELLS)
    code, err = _run(capsys, "convert", path, "-o", tmp_path / "out")
    assert code == 0, err
    tomllib.loads((tmp_path / "out" / "pyproject.toml").read_text())
    for file in (tmp_path / "out").rglob("*.py"):
        compile(file.read_text(), str(file), "exec")


def test_disk_full_is_one_line_and_keeps_the_previous_package(tmp_path: Path, capsys, monkeypatch) -> None:
    import errno

    path = write_notebook(tmp_path / "nb.ipynb", CELLS)
    assert _run(capsys, "convert", path, "-o", tmp_path / "out")[0] == 0
    before = sorted(p.relative_to(tmp_path / "out") for p in (tmp_path / "out").rglob("*"))
    real = Path.write_bytes
    written = []

    def full(self, data):
        if len(written) > 3:
            raise OSError(errno.ENOSPC, "No space left on device", str(self))
        written.append(self)
        return real(self, data)

    monkeypatch.setattr(Path, "write_bytes", full)
    code, err = _run(capsys, "convert", path, "-o", tmp_path / "out", "--force")
    assert code == 2 and len(err.strip().splitlines()) == 1 and "No space left on device" in err and "out" in err
    assert sorted(p.relative_to(tmp_path / "out") for p in (tmp_path / "out").rglob("*")) == before
    assert _hidden(tmp_path) == []


def test_a_rendering_bug_is_one_line_and_writes_nothing(tmp_path: Path, capsys, monkeypatch) -> None:
    """A bug while writing the package (as when jakevdp's random-forests chapter made a pipeline.py
    that did not parse, caught by the unused-imports clean-up) is one line naming the notebook, not a
    traceback; no output is left."""
    import libcst as cst

    from nb2prod.convert import render

    def broken(code: str) -> str:
        return cst.parse_module("f(x) = 1\n").code

    monkeypatch.setattr(render, "remove_unused_imports", broken)
    monkeypatch.delenv("NB2PROD_DEBUG", raising=False)
    path = write_notebook(tmp_path / "nb.ipynb", CELLS)
    code, err = _run(capsys, "convert", path, "-o", tmp_path / "out")
    assert code != 0 and len(err.strip().splitlines()) == 1
    assert "nb.ipynb" in err and "internal error while writing the package" in err
    assert not (tmp_path / "out").exists() and _hidden(tmp_path) == []
