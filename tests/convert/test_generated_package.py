"""The generated package installs with pip in a fresh virtual environment, runs, and passes its own tests."""

from __future__ import annotations

import os
import shutil
import subprocess
import venv

import pytest

from nb2prod.convert.package import convert_notebook
from tests.convert.conftest import EXAMPLES, SAMPLES

pytestmark = [pytest.mark.slow, pytest.mark.spark]


def _run(args, **kwargs):
    result = subprocess.run(args, capture_output=True, text=True, timeout=900, **kwargs)
    assert result.returncode == 0, f"{args} failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    return result


def test_package_installs_runs_and_passes_its_tests(tmp_path):
    (tmp_path / "notebooks").mkdir()
    shutil.copy(EXAMPLES / "flight_delays.ipynb", tmp_path / "notebooks")
    shutil.copytree(SAMPLES / "flights", tmp_path / "data")
    result = convert_notebook(tmp_path / "notebooks" / "flight_delays.ipynb", tmp_path / "package")

    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    python = env_dir / "bin" / "python"
    _run([python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", f"{result.outdir}[test]"])

    # its console script runs the pipeline from the notebook's directory, outputs moved by an environment variable
    env = {**os.environ, "FLIGHT_DELAYS__OUTPUT_DIR": "../pipeline_output", "PYSPARK_PYTHON": str(python)}
    run = _run([env_dir / "bin" / "flight_delays", "run", "--env", "test"], cwd=tmp_path / "notebooks", env=env)
    assert "pipeline finished" in run.stderr
    written = sorted(p.name for p in (tmp_path / "pipeline_output").iterdir())
    assert written == ["delay_by_carrier.csv", "worst_routes.csv"]

    # a failing step exits non-zero and names its cell
    missing = {**env, "FLIGHT_DELAYS__DATA_DIR": "../no_such_dir"}
    failed = subprocess.run(
        [env_dir / "bin" / "flight_delays", "run", "--env", "test"], cwd=tmp_path / "notebooks", env=missing,
        capture_output=True, text=True, timeout=600,
    )
    assert failed.returncode == 1
    assert "load (cell 7) failed" in failed.stderr

    # its own tests pass
    tests = _run([python, "-m", "pytest", "-q", "-p", "no:cacheprovider"], cwd=result.outdir, env={**os.environ, "PYSPARK_PYTHON": str(python)})
    assert " passed" in tests.stdout and "failed" not in tests.stdout
