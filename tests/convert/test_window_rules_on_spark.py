"""Window forms (PS139 cumulative/shift/diff, PS146 rank, PS147 rolling): the converted code, run on
Spark, computes what the pandas code computes on the same data (ties, missing values, groups)."""

from __future__ import annotations


import numpy as np
import pandas as pd
import pytest

from nb2prod.convert.engine import rewrite_sources
from nb2prod.verify.compare import compare_frames

pytestmark = pytest.mark.spark

DAILY = pd.DataFrame(
    {
        "day": [1, 2, 3, 4, 5, 6, 7, 8, 1, 2, 3, 4],
        "origin": ["EWR"] * 8 + ["JFK"] * 4,
        "flights": [10.0, 12.0, np.nan, 12.0, 9.0, 30.0, 12.0, 7.0, 5.0, 5.0, np.nan, 8.0],
    }
)


@pytest.fixture(scope="module")
def namespace(tmp_path_factory, pipeline_globals):
    """The generated pipeline's names, and ``path``: the test data written as CSV."""
    data = tmp_path_factory.mktemp("window") / "daily.csv"
    DAILY.to_csv(data, index=False)
    return {**pipeline_globals, "path": str(data)}


CASES = {
    "cumsum_skips_missing": 'daily["running"] = daily["flights"].cumsum()',
    "cummax": 'daily["peak"] = daily["flights"].cummax()',
    "shift_both_ways": 'daily["prev"] = daily["flights"].shift()\ndaily["next2"] = daily["flights"].shift(-2)',
    "diff": 'daily["change"] = daily["flights"].diff()',
    "rolling_mean_needs_full_window": 'daily["avg3"] = daily["flights"].rolling(3).mean()',
    "rolling_min_periods": 'daily["sum3"] = daily["flights"].rolling(3, min_periods=1).sum()',
    "rank_average_ties": 'daily["r"] = daily["flights"].rank()',
    "rank_descending_max": 'daily["r"] = daily["flights"].rank(ascending=False, method="max")',
    "rank_dense_in_groups": 'daily["r"] = daily.groupby("origin")["flights"].rank(method="dense")',
    "group_cumsum_and_cumcount": 'daily["g"] = daily.groupby("origin")["flights"].cumsum()\ndaily["n"] = daily.groupby("origin").cumcount()',
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_window_form_matches_pandas(case, namespace):
    code = f'import pandas as pd\ndaily = pd.read_csv(path).sort_values(["origin", "day"])\n{CASES[case]}\n'
    converted = rewrite_sources([code])
    assert converted.cells[0].status == "converted", converted.cells[0].events
    expected_ns = {"path": namespace["path"]}
    exec(code, expected_ns)
    actual_ns = dict(namespace)
    exec(converted.cells[0].generated, actual_ns)
    actual = actual_ns["daily"].toPandas()
    result = compare_frames(expected_ns["daily"].reset_index(drop=True), actual)
    assert result.equal, (converted.cells[0].generated, result)
