"""``nb2prod convert --record-expected``: the generated tests compare the pipeline with the notebook's own results.

The notebook here is written by hand: a filter with a threshold, a groupby, a sort, a CSV written.
Its package's own test functions (``tests/test_pipeline.py``) are imported and run in this process
on the session's SparkSession: they pass on the package as converted, and fail once the pipeline is
broken (a threshold changed in its configuration, so that rows differ or none are left).
"""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import pytest

from nb2prod.cli import main
from nb2prod.convert.expected import notebook_sort_keys
from nb2prod.convert.package import _sample_lines, convert_notebook
from tests.convert.conftest import write_notebook

REGIONS = ["north", "south", "east", "west"]
CELLS = [
    "import os\nimport pandas as pd",
    "MIN_AMOUNT = 20\nsales = pd.read_csv('data/sales.csv')",
    "big = sales[sales['amount'] > MIN_AMOUNT]\n"
    "by_region = big.groupby('region').agg(total=('amount', 'sum'), orders=('qty', 'count'), mean_qty=('qty', 'mean')).reset_index()\n"
    "by_region = by_region.sort_values('total', ascending=False)",
    "os.makedirs('out', exist_ok=True)\nby_region.to_csv('out/by_region.csv', index=False)",
]


def _project(root: Path, cells: list[str] = CELLS) -> Path:
    (root / "data").mkdir(parents=True)
    rows = ["region,amount,qty"] + [f"{REGIONS[i % 4]},{(i * 7) % 50 + 0.25},{i % 5 + 1}" for i in range(400)]
    (root / "data" / "sales.csv").write_text("\n".join(rows) + "\n")
    (root / "data" / "unused.csv").write_text("a,b\n1,2\n")
    return write_notebook(root / "sales.ipynb", cells)


def _generated_tests(package: Path, name: str):
    """The package's tests/test_pipeline.py, imported with the package on sys.path (fresh modules)."""
    for module in [m for m in sys.modules if m == name or m.startswith(f"{name}.")]:
        del sys.modules[module]
    sys.path.insert(0, str(package / "src"))
    spec = importlib.util.spec_from_file_location(f"generated_tests_{name}", package / "tests" / "test_pipeline.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def generated(tmp_path):
    """Import generated test modules; sys.path and the package's modules restored after."""
    saved_path = list(sys.path)
    names: list[str] = []

    def load(package: Path, name: str):
        names.append(name)
        return _generated_tests(package, name)

    yield load
    sys.path[:] = saved_path
    for name in names:
        for module in [m for m in sys.modules if m == name or m.startswith(f"{name}.")]:
            del sys.modules[module]


@pytest.mark.slow
@pytest.mark.spark
def test_generated_tests_pass_as_converted_and_fail_once_the_pipeline_is_broken(spark, tmp_path, generated):
    notebook = _project(tmp_path / "project")
    result = convert_notebook(notebook, tmp_path / "pkg", record_expected=True)
    package = result.outdir
    expected = json.loads((package / "tests" / "expected" / "expected.json").read_text())
    assert expected["recorded"] is True
    [output] = expected["outputs"]
    assert output["path"] == "out/by_region.csv" and output["rows"] == 4
    assert output["order"] == {"column": "total", "ascending": False}
    assert output["columns"] == ["region", "total", "orders", "mean_qty"]
    assert sorted(p.name for p in (package / "tests" / "data").rglob("*.csv")) == ["sales.csv"]  # not unused.csv
    assert result.report["tests"]["expected_recorded"] is True
    assert "compares the pipeline's outputs" in (package / "CONVERSION.md").read_text()

    tests = generated(package, result.name)
    work, written = tests.run_sample(spark, tmp_path / "run1")
    tests.compare_output(work, output)  # as converted: equal

    conf = package / "src" / result.name / "conf" / "base.yaml"
    conf.write_text(conf.read_text().replace("min_amount: 20", "min_amount: 30"))
    work, _ = tests.run_sample(spark, tmp_path / "run2")
    with pytest.raises(AssertionError, match=r"out/by_region.csv: a row differs: the pipeline's \('\w+', [\d.]+"):
        tests.compare_output(work, output)

    conf.write_text(conf.read_text().replace("min_amount: 30", "min_amount: 1000"))
    work, _ = tests.run_sample(spark, tmp_path / "run3")
    with pytest.raises(AssertionError, match="out/by_region.csv is empty, where the notebook wrote 4 rows on the same sample"):
        tests.compare_output(work, output)

    # the same rows in the wrong order
    conf.write_text(conf.read_text().replace("min_amount: 1000", "min_amount: 20"))
    pipeline = package / "src" / result.name / "pipeline.py"
    code = pipeline.read_text()
    # groupby's key order is the tie-breaker of the later sort (the sort pass folds the two sorts into one)
    assert 'orderBy(F.desc_nulls_last("total"), "region")' in code
    pipeline.write_text(code.replace('orderBy(F.desc_nulls_last("total"), "region")', 'orderBy(F.asc_nulls_last("total"), "region")'))
    tests = generated(package, result.name)
    work, _ = tests.run_sample(spark, tmp_path / "run4")
    with pytest.raises(AssertionError, match="rows are not in descending order of total, as the notebook sorted them"):
        tests.compare_output(work, output)


def test_without_the_flag_the_comparison_is_skipped_saying_why(tmp_path):
    notebook = _project(tmp_path / "project")
    result = convert_notebook(notebook, tmp_path / "pkg")
    expected = json.loads((result.outdir / "tests" / "expected" / "expected.json").read_text())
    assert expected == {"recorded": False, "note": expected["note"], "outputs": []}
    assert "--record-expected" in expected["note"]
    assert "comparison with the notebook's results is skipped" in (result.outdir / "CONVERSION.md").read_text()


def test_a_notebook_that_cannot_run_is_converted_and_its_tests_say_why(tmp_path, capsys):
    notebook = _project(tmp_path / "project", [*CELLS, "raise RuntimeError('needs the production database')"])
    status = main(["convert", str(notebook), "-o", str(tmp_path / "pkg"), "--record-expected"])
    assert status == 0
    out = capsys.readouterr().out
    assert "expected results: nothing recorded" in out and "cell 5: RuntimeError: needs the production database" in out
    expected = json.loads((tmp_path / "pkg" / "tests" / "expected" / "expected.json").read_text())
    assert expected["recorded"] is False and "needs the production database" in expected["note"]


def test_record_expected_is_refused_for_many_notebooks(tmp_path, capsys):
    notebook = _project(tmp_path / "project")
    assert main(["convert", str(notebook), str(notebook), "-o", str(tmp_path / "out"), "--record-expected"]) == 2
    assert "one notebook at a time" in capsys.readouterr().err


def test_samples_spread_over_the_file_and_small_files_stay_whole(tmp_path):
    big = tmp_path / "big.csv"
    big.write_text("n\n" + "".join(f"{i}\n" for i in range(100_000)))
    sample = _sample_lines(big, 200).decode().split()
    assert sample[0] == "n" and len(sample) == 201
    assert sample[1] == "0" and int(sample[-1]) > 99_000  # from the whole file, not its first 200 rows
    small = tmp_path / "small.csv"
    small.write_text("k,v\n" + "".join(f"{i},x\n" for i in range(5000)))
    assert _sample_lines(small, 200) == small.read_bytes()  # a lookup table: every key a join needs


def test_sort_keys_of_the_notebook():
    source = "a = df.sort_values('x', ascending=False)\nb = df.sort_values(by=['y', 'z'])\nc = df.nlargest(5, 'w')\n%time d = 1"
    assert sorted(notebook_sort_keys(source)) == [("w", False), ("x", False), ("y", True)]


def test_generated_test_module_imports_without_recorded_results(tmp_path, generated):
    notebook = _project(tmp_path / "project")
    result = convert_notebook(notebook, tmp_path / "pkg")
    tests = generated(result.outdir, result.name)
    assert tests.RECORDED["recorded"] is False
    assert "--record-expected" in tests.NOT_RECORDED


def test_the_comparison_ignores_row_order_and_tiny_float_differences_but_not_real_ones(tmp_path, generated):
    """What the generated compare_output accepts and refuses, on files written by hand (no Spark, no kernel):
    Spark's directory of part files against the notebook's CSV."""
    notebook = _project(tmp_path / "project")
    result = convert_notebook(notebook, tmp_path / "pkg")
    expected_dir = result.outdir / "tests" / "expected"
    (expected_dir / "by_region.csv").write_text("region,total,when\nnorth,10.5,2013-01-01 05:00:00\nsouth,3.25,2013-01-02 06:00:00\n")
    entry = {"path": "out/by_region.csv", "format": "csv", "expected": "by_region.csv", "rows": 2, "columns": ["region", "total", "when"], "order": None}
    (expected_dir / "expected.json").write_text(json.dumps({"recorded": True, "note": None, "rtol": 1e-6, "atol": 1e-9, "outputs": [entry]}))
    tests = generated(result.outdir, result.name)
    work = tmp_path / "work"
    out = work / "out" / "by_region.csv"
    out.mkdir(parents=True)

    def spark_wrote(*parts: str) -> None:
        for old in out.iterdir():
            old.unlink()
        for i, text in enumerate(parts):
            (out / f"part-0000{i}-x.csv").write_text(text)
        (out / "_SUCCESS").write_text("")

    spark_wrote("region,total,when\nsouth,3.2500000001,2013-01-02T06:00:00.000Z\n", "region,total,when\nnorth,10.5,2013-01-01T05:00:00.000Z\n")
    tests.compare_output(work, entry)  # other order, a last-digit difference, Spark's timestamps: equal

    spark_wrote("region,total,when\nsouth,3.26,2013-01-02T06:00:00.000Z\nnorth,10.5,2013-01-01T05:00:00.000Z\n")
    with pytest.raises(AssertionError, match=r"a row differs: the pipeline's \('south', 3.26"):
        tests.compare_output(work, entry)

    spark_wrote("region,total,when\nsouth,x,2013-01-02T06:00:00.000Z\nnorth,10.5,2013-01-01T05:00:00.000Z\n")
    with pytest.raises(AssertionError, match="column total is text, the notebook's is number"):
        tests.compare_output(work, entry)

    spark_wrote("region,amount,when\nsouth,3.25,2013-01-02T06:00:00.000Z\nnorth,10.5,2013-01-01T05:00:00.000Z\n")
    with pytest.raises(AssertionError, match=r"columns \['region', 'amount', 'when'\], the notebook's \['region', 'total', 'when'\]"):
        tests.compare_output(work, entry)

    spark_wrote("region,total,when\n")
    with pytest.raises(AssertionError, match="is empty, where the notebook wrote 2 rows"):
        tests.compare_output(work, entry)
