"""The pipeline audit finds pandas-only API on Spark values, and finds none in what nb2prod generates."""

from __future__ import annotations

import shutil

import pytest

from nb2prod.convert.audit import audit_pipeline
from nb2prod.convert.package import convert_notebook
from tests.convert.conftest import EXAMPLES, SAMPLES

HEADER = 'def run(spark, config):\n    with step("cell 2"):\n        flights = spark.read.options(**compat.CSV_READ_OPTIONS).csv(config["input_flights"])\n'


def audit(body: str) -> list[tuple[str, str]]:
    code = HEADER + "".join(f"        {line}\n" for line in body.splitlines())
    return [(f.attribute, f.step) for f in audit_pipeline(code)]


def test_pandas_method_left_on_a_spark_frame_is_found():
    assert audit("first = flights.iloc[0]") == [("iloc", "cell 2")]
    assert audit("table = flights.groupBy('a').count().pivot_table(index='a')") == [("pivot_table", "cell 2")]
    assert audit("small = flights.filter(F.col('a') > 1)\nsmall.to_csv('out.csv')") == [("to_csv", "cell 2")]


def test_spark_code_and_local_results_are_clean():
    assert audit("n = flights.count()\nrows = flights.select('a').collect()\nmean = flights.agg(F.avg('a')).first()[0]") == []
    assert audit("table = flights.groupBy('a').pivot('b').agg(F.sum('c')).na.fill(0)") == []
    assert audit("local = flights.toPandas()\nfirst = local.iloc[0]") == []


def test_driver_tier_is_pandas_on_purpose():
    body = (
        "# nb2prod: PS001 not converted, runs on the driver: .iloc[] selects by index position\n"
        "first = driver.pandas(flights, 'flights').iloc[0]\n"
        "flights = driver.pandas(flights, 'flights')\n"
        "flights['x'] = flights.apply(len, axis=1)"
    )
    assert audit(body) == []


@pytest.mark.parametrize("notebook", sorted(p.name for p in EXAMPLES.glob("*.ipynb")))
def test_examples_have_no_audit_findings(tmp_path, notebook):
    (tmp_path / "notebooks").mkdir()
    shutil.copy(EXAMPLES / notebook, tmp_path / "notebooks")
    shutil.copytree(SAMPLES / "flights", tmp_path / "data")
    result = convert_notebook(tmp_path / "notebooks" / notebook, tmp_path / "package")
    assert result.report["audit"] == []
