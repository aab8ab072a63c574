"""``pd.cut`` columns keep pandas' category order on Spark, natively and in the driver tier (PS131).

pandas holds a ``pd.cut`` column as an ordered categorical: ``sort_values`` and ``groupby`` put its
labels in bin order, where Spark's strings sort alphabetically. Each test converts cells with the
engine, runs them with pandas and the generated code on Spark, and compares the rows *in order*
(the point of these tests is the order, which ``assert_same_dataset`` does not check between ties).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tests.convert.test_driver_tier import run_generated, run_pandas

pytestmark = pytest.mark.spark

#: labels whose bin order ("short" < "medium" < "long") is not their alphabetical order
FLIGHTS = pd.DataFrame(
    {
        "carrier": ["UA", "AA", "UA", "B6", "AA", "UA", "B6", "AA"],
        "distance": [100.0, 2500.0, 800.0, 300.0, 900.0, 3000.0, np.nan, 450.0],
        "delay": [5.0, -2.0, 30.0, 1.0, 12.0, 7.0, 3.0, 40.0],
    }
)
CUT = 'flights["band"] = pd.cut(flights["distance"], bins=[0, 500, 1000, 5000], labels=["short", "medium", "long"])'


def rows(frame) -> list[tuple]:
    """The rows of a pandas frame (or a Spark frame, collected) in order, categoricals as their labels, NaN as None."""
    if not isinstance(frame, pd.DataFrame):
        frame = frame.toPandas()
    frame = frame.astype({c: object for c in frame.columns if isinstance(frame[c].dtype, pd.CategoricalDtype)})
    return [tuple(None if v is None or (isinstance(v, float) and v != v) else v for v in r) for r in frame.itertuples(index=False)]


def test_sort_by_a_cut_column_in_bin_order(spark, compat, pipeline_globals):
    cells = [CUT, 'out = flights[["band", "carrier", "delay"]].sort_values(["band", "delay"], ascending=[False, True])']
    spark_side = run_generated(cells, {"flights": FLIGHTS}, spark, compat, pipeline_globals)
    pandas_side = run_pandas(cells, {"flights": FLIGHTS})
    expected = rows(pandas_side["out"])
    assert [r[0] for r in expected[:3]] == ["long", "long", "medium"]  # bin order, not alphabetical
    assert rows(spark_side["out"]) == expected


def test_groupby_a_cut_column_observed_in_bin_order(spark, compat, pipeline_globals):
    cells = [
        CUT,
        'out = flights.groupby(["band", "carrier"], observed=True).agg(n=("delay", "size"), mean=("delay", "mean")).reset_index()',
        'out = out.sort_values(["band", "mean"], ascending=[True, False])',
    ]
    spark_side = run_generated(cells, {"flights": FLIGHTS}, spark, compat, pipeline_globals)
    pandas_side = run_pandas(cells, {"flights": FLIGHTS})
    assert rows(spark_side["out"]) == rows(pandas_side["out"])


def test_groupby_a_cut_column_without_observed_lists_empty_bins_on_the_driver(spark, compat, pipeline_globals):
    """Not converted (Spark lists only the keys it sees); on the driver the column is categorical again,
    so pandas lists the empty bin as the notebook does."""
    frames = {"flights": FLIGHTS[FLIGHTS["distance"] < 1000].reset_index(drop=True)}  # no "long" flight
    cells = [CUT, 'out = flights.groupby("band")["delay"].mean().reset_index()']
    spark_side = run_generated(cells, frames, spark, compat, pipeline_globals)
    pandas_side = run_pandas(cells, frames)
    expected = rows(pandas_side["out"])
    assert [r[0] for r in expected] == ["short", "medium", "long"] and expected[-1][1] is None
    assert rows(spark_side["out"]) == expected


def test_value_counts_of_a_cut_column_counts_empty_bins_on_the_driver(spark, compat, pipeline_globals):
    frames = {"flights": FLIGHTS[FLIGHTS["distance"] < 1000].reset_index(drop=True)}  # no "long" flight
    cells = [CUT, 'out = flights["band"].value_counts().reset_index()']
    spark_side = run_generated(cells, frames, spark, compat, pipeline_globals)
    pandas_side = run_pandas(cells, frames)
    expected = rows(pandas_side["out"])
    assert ("long", 0) in expected
    assert rows(spark_side["out"]) == expected
