"""``nb2prod verify`` on notebooks that write no file: their DataFrames are compared in memory.

Each test runs a kernel and the pipeline (on the session-wide ``spark`` fixture), on a five-row
CSV: kept to three tests.
"""

from __future__ import annotations

import json

import pytest

from nb2prod.cli import main
from nb2prod.convert.package import convert_notebook
from tests.convert.conftest import write_notebook

pytestmark = pytest.mark.spark

URL = "https://example.invalid/data/flights.csv"
FLIGHTS = "carrier,delay,dist\nUA,10.5,100\nAA,5.0,200\nUA,20.0,300\nB6,1.0,150\nAA,,120\n"


@pytest.fixture
def delays(tmp_path, monkeypatch):
    """A notebook that reads a URL, filters, groups (keys in the index) and shows; writes no file."""
    (tmp_path / "flights.csv").write_text(FLIGHTS)
    monkeypatch.chdir(tmp_path)
    return write_notebook(tmp_path / "delays.ipynb", [
        "# md: # Delays",
        f"import pandas as pd\nflights = pd.read_csv({URL!r})",
        "long = flights[flights['dist'] > 120]\nlong",
        "by_carrier = long.groupby('carrier')['delay'].mean()\nby_carrier",
        "flights.head()",
    ])  # fmt: skip


def test_a_notebook_writing_no_file_verifies_equal_with_its_datasets_listed(spark, delays, tmp_path, capsys):
    code = main(["verify", str(delays), "--input", f"{URL}={tmp_path / 'flights.csv'}"])

    captured = capsys.readouterr()
    assert code == 0, captured.out + captured.err
    assert "OK by_carrier (3 rows, 2 columns; in order on carrier asc)" in captured.out
    assert "OK long (cell 3 display) (3 rows, 3 columns; multiset)" in captured.out
    # the conversion drops the displayed head(); verify converts it bound to a name, compares it, does not count it
    assert "OK cell 5 display: flights.head() [not in the package: not counted] (5 rows, 3 columns; multiset)" in captured.out
    assert "1 of 1 displayed expressions that the package drops (LG103) compute the same when converted" in captured.out
    assert "equal: all 5 datasets compared are equal" in captured.out
    assert "verify: notebook: cell 4 (3/4 code cells)" in captured.err and "verify: pipeline: make_long: started" in captured.err
    report = json.loads((tmp_path / "verify.json").read_text())
    assert (report["verdict"], report["datasets_compared"], report["datasets_equal"]) == ("equal", 5, 5)
    assert report["summary"]["datasets_compared_on_spark"] == 5 and report["summary"]["expressions_equal"] == 1
    by_name = {(d["name"], d["kind"]): d for d in report["datasets"]}
    assert set(by_name) == {
        ("by_carrier", "end"), ("flights", "end"), ("long", "end"),
        ("long (cell 3 display)", "display"), ("by_carrier (cell 4 display)", "display"), ("cell 5 display: flights.head()", "expression"),
    }  # fmt: skip
    # pandas keeps the carriers in the index, Spark as a column: the index became a column
    carriers = by_name[("by_carrier", "end")]
    assert carriers["columns_notebook"] == carriers["columns_pipeline"] == ["carrier", "delay"]
    assert "notebook: index ['carrier'] reset into columns" in carriers["notes"]
    assert report["served_inputs"] == {URL: str(tmp_path / "flights.csv")}


def test_a_flipped_filter_is_caught_at_its_cell(spark, delays, tmp_path, capsys):
    package = tmp_path / "package"
    convert_notebook(delays, package)
    pipeline = package / "src" / "delays" / "pipeline.py"
    source = pipeline.read_text()
    assert 'F.col("dist") > 120' in source
    pipeline.write_text(source.replace('F.col("dist") > 120', 'F.col("dist") <= 120'))

    code = main(["verify", str(delays), "--package", str(package), "--per-cell", "-q", "--input", f"{URL}={tmp_path / 'flights.csv'}"])

    out = capsys.readouterr().out
    assert code == 1, out
    assert "DIFF long: 3 rows only in the notebook, 2 only in the pipeline (notebook 3 rows, pipeline 2)" in out
    assert "    carrier=UA, delay=10.5, dist=100" in out  # a pipeline row the notebook filtered out
    assert "OK flights (5 rows, 3 columns; multiset)" in out
    assert "SKIP cell 5 display: the cell displays an expression, not a name" in out  # --package: the package's code only
    assert f"{delays}:cell 3: the first cell at whose end a named DataFrame differs: long" in out
    report = json.loads((package / "verify.json").read_text())
    assert report["verdict"] == "different" and report["first_difference"]["cell"] == 3
    assert report["datasets_equal"] == 1  # flights; long and by_carrier differ at the end and where shown


def test_a_notebook_producing_only_a_model_compares_nothing(spark, tmp_path, monkeypatch, capsys):
    notebook = write_notebook(tmp_path / "fit.ipynb", [
        "import numpy as np\npoints = np.array([[0.0, 1.0], [1.0, 3.0], [2.0, 5.0]])",
        "jitter = np.random.rand(3)\nmodel = np.polyfit(points[:, 0], points[:, 1] + jitter * 1e-3, 1)",
    ])  # fmt: skip
    monkeypatch.chdir(tmp_path)

    code = main(["verify", str(notebook), "-q"])

    out = capsys.readouterr().out
    assert code == 1, out
    assert "SKIP model: a numpy.ndarray: verify compares DataFrames and Series" in out
    assert "nothing compared: no DataFrame, Series or written dataset on both sides" in out
    report = json.loads((tmp_path / "verify.json").read_text())
    assert (report["verdict"], report["datasets_compared"], report["datasets_equal"]) == ("nothing compared", 0, 0)
    assert report["randomness"].startswith("the notebook draws random numbers without a seed: verify seeded")
