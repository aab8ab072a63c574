"""``nb2prod verify``: the notebook (pandas, nbclient) against its pipeline (Spark), end to end.

The Spark tests reuse the session-wide ``spark`` fixture (tests/conftest.py): verify reuses an
active session instead of starting its own.
"""

from __future__ import annotations

import json
import shutil
import sys

import pytest

from nb2prod.cli import main
from nb2prod.convert.package import convert_notebook
from tests.convert.conftest import EXAMPLES, SAMPLES, write_notebook

#: the bundled example keeps carriers with >= 1000 flights: the first 8000 sample rows have four
#: (with 3000 rows none is left, and the notebook's own plot cell fails on the empty table)
SAMPLE_ROWS = "8000"


@pytest.fixture
def example(tmp_path, monkeypatch):
    """The example notebook beside a copy of the test sample, as in the repository; cwd a scratch dir."""
    (tmp_path / "notebooks").mkdir()
    shutil.copy(EXAMPLES / "flight_delays.ipynb", tmp_path / "notebooks")
    shutil.copytree(SAMPLES / "flights", tmp_path / "data")
    (tmp_path / "cwd").mkdir()
    monkeypatch.chdir(tmp_path / "cwd")
    return tmp_path / "notebooks" / "flight_delays.ipynb"


def _untouched(notebook):
    """Nothing was written next to the notebook or its data."""
    root = notebook.parent.parent
    assert sorted(p.name for p in (root / "data").iterdir()) == sorted(p.name for p in (SAMPLES / "flights").iterdir())
    assert [p.name for p in notebook.parent.iterdir()] == ["flight_delays.ipynb"]


@pytest.mark.spark
def test_verify_passes_on_the_example(spark, example, capsys):
    code = main(["verify", str(example), "--sample-rows", SAMPLE_ROWS])

    out = capsys.readouterr().out
    assert code == 0, out
    assert "OK ../data/output/delay_by_carrier.csv (4 rows, 5 columns)" in out
    assert "OK ../data/output/worst_routes.csv (10 rows, 3 columns)" in out
    assert "OK by_carrier (4 rows, 5 columns; in order on mean_arr_delay desc)" in out  # the DataFrame, not only its file
    assert "SKIP fig: a matplotlib.figure.Figure: verify compares DataFrames and Series" in out
    assert "equal: all 8 datasets compared are equal" in out and "rtol=1e-09, atol=1e-12" in out
    report = json.loads((example.parent.parent / "cwd" / "verify.json").read_text())
    assert report["status"] == "equal" and report["sample_rows"] == 8000
    assert (report["verdict"], report["datasets_compared"], report["datasets_equal"]) == ("equal", 8, 8)
    assert [o["verdict"] for o in report["outputs"]] == ["OK", "OK"]
    _untouched(example)


@pytest.mark.spark
def test_a_tampered_pipeline_is_a_difference(spark, example, capsys):
    package = example.parent.parent / "package"
    convert_notebook(example, package)
    pipeline = package / "src" / "flight_delays" / "pipeline.py"
    source = pipeline.read_text()
    assert 'F.col("arr_delay") > DELAY_THRESHOLD' in source
    pipeline.write_text(source.replace('F.col("arr_delay") > DELAY_THRESHOLD', 'F.col("arr_delay") > DELAY_THRESHOLD + 5'))

    code = main(["verify", str(example), "--package", str(package), "--sample-rows", SAMPLE_ROWS])

    out = capsys.readouterr().out
    assert code == 1, out
    assert "DIFF ../data/output/delay_by_carrier.csv: 4 rows only in the notebook, 4 only in the pipeline" in out
    assert "only in the notebook (first 4):" in out and "only in the pipeline (first 4):" in out
    assert "DIFF by_carrier: 4 rows only in the notebook, 4 only in the pipeline" in out
    assert "carrier=UA" in out and "share_delayed=" in out
    assert "OK ../data/output/worst_routes.csv" in out  # the threshold does not touch routes
    report = json.loads((package / "verify.json").read_text())
    assert report["status"] == "different"
    differing = report["outputs"][0]
    assert differing["verdict"] == "DIFF" and len(differing["first_only_in_pipeline"]) == 4
    _untouched(example)


@pytest.mark.spark
def test_a_failing_pipeline_step_names_its_cell(spark, tmp_path, monkeypatch, capsys):
    (tmp_path / "in.csv").write_text("a,b\n1,x\n2,y\n")
    notebook = write_notebook(tmp_path / "small.ipynb", [
        "# md: # A small notebook",
        "import pandas as pd\ndf = pd.read_csv('in.csv')",
        "df['c'] = df['a'] * 2\ndf.to_csv('out.csv', index=False)",
    ])  # fmt: skip
    package = tmp_path / "package"
    convert_notebook(notebook, package)
    pipeline = package / "src" / "small" / "pipeline.py"
    pipeline.write_text(pipeline.read_text().replace('F.col("a")', 'F.col("no_such_column")'))
    monkeypatch.chdir(tmp_path)

    code = main(["verify", str(notebook), "--package", str(package)])

    err = capsys.readouterr().err
    assert code == 1, err
    assert "FAIL pipeline step cell 3" in err and "no_such_column" in err
    assert not (tmp_path / "out.csv").exists()


@pytest.mark.spark
def test_a_notebook_that_fails_by_itself_is_its_own_error(tmp_path, monkeypatch, capsys):
    notebook = write_notebook(tmp_path / "broken.ipynb", ["# md: # Broken", "x = 1", "# md: more", "y = x / 0"])
    monkeypatch.chdir(tmp_path)

    code = main(["verify", str(notebook)])

    err = capsys.readouterr().err
    assert code == 2
    assert f"{notebook}:cell 4: the notebook itself fails (not a conversion difference): ZeroDivisionError: division by zero" in err
    report = json.loads((tmp_path / "verify.json").read_text())
    assert report["error"] == {"side": "notebook", "cell": 4, "type": "ZeroDivisionError", "message": "division by zero"}


def test_missing_pyspark_is_one_line(tmp_path, monkeypatch, capsys):
    notebook = write_notebook(tmp_path / "nb.ipynb", ["x = 1"])
    monkeypatch.setitem(sys.modules, "pyspark", None)  # as if PySpark were not installed
    monkeypatch.setitem(sys.modules, "pyspark.sql", None)

    code = main(["verify", str(notebook)])

    captured = capsys.readouterr()
    assert code == 2
    assert captured.out == ""
    assert captured.err.strip().splitlines() == [
        "nb2prod verify: pyspark is not installed; install what verify needs with: pip install 'nb2prod[spark,notebook]'"
    ]
