"""The driver tier on Spark: pandas code with no Spark form runs on the driver, on collected frames.

Each test converts cells with the engine (as ``nb2prod convert`` does), runs the generated code with
the generated package's ``compat`` on Spark, and compares with pandas running the notebook's code.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from nb2prod.convert.engine import rewrite_sources
from nb2prod.verify.compare import assert_same_dataset

pytestmark = pytest.mark.spark

READ = "import pandas as pd\n{name} = pd.read_csv(path)"


def run_generated(cells: list[str], frames: dict[str, pd.DataFrame], spark, compat, pipeline_globals, max_rows=1000) -> dict:
    """Convert ``cells`` (each frame read by a first cell per name), run the generated code on Spark."""
    sources = [READ.format(name=name) for name in frames] + cells
    rewritten = rewrite_sources(sources)
    namespace = dict(pipeline_globals, pd=pd, np=np, driver=compat.Driver(spark, {"driver": {"max_rows": max_rows}}))
    for name, frame in frames.items():
        namespace[name] = compat.from_pandas(spark, frame)
    for report in rewritten.cells[len(frames):]:
        with compat.step(f"cell {report.number}"):
            exec(report.generated, namespace)
    return namespace


def run_pandas(cells: list[str], frames: dict[str, pd.DataFrame]) -> dict:
    namespace = {"pd": pd, "np": np, **{k: v.copy() for k, v in frames.items()}}
    for cell in cells:
        exec(cell, namespace)
    return namespace


TRAIN = pd.DataFrame(
    {
        "Name": ["Braund, Mr. Owen", "Cumings, Mrs. John", "Heikkinen, Miss. Laina", "Allen, Mr. William"],
        "Fare": [7.25, np.nan, 7.925, 8.05],
        "Age": [22.0, 38.0, np.nan, 35.0],
    }
)
TEST = pd.DataFrame({"Name": ["Kelly, Mr. James", "Wilkes, Mrs. James"], "Fare": [np.nan, 7.0], "Age": [34.5, 47.0]})


def test_loop_over_train_and_test_gives_pandas_results(spark, compat, pipeline_globals):
    cells = [
        "for df in [train, test]:\n    df['Fare'] = df['Fare'].fillna(df['Fare'].median())\n"
        r"    df['Title'] = df.Name.str.extract(' ([A-Za-z]+)\.', expand=False)",
        "train['AgeBand'] = pd.cut(train['Age'], 3)\nfirst = train.iloc[0]['Title']",
    ]
    frames = {"train": TRAIN, "test": TEST}
    spark_side = run_generated(cells, frames, spark, compat, pipeline_globals)
    pandas_side = run_pandas(cells, frames)
    for name in ("train", "test"):
        assert_same_dataset(pandas_side[name], spark_side[name], name)
    assert spark_side["first"] == pandas_side["first"] == "Mr"


def test_row_limit_fails_naming_the_step_and_the_frame(spark, compat, pipeline_globals):
    cells = ["first = train.iloc[0]"]
    with pytest.raises(compat.StepError) as caught:
        run_generated(cells, {"train": TRAIN}, spark, compat, pipeline_globals, max_rows=3)
    message = str(caught.value)
    assert message.startswith("cell 2 failed: DriverLimitError: DataFrame 'train' has more than 3 rows")
    assert "driver.max_rows" in message and "\n" not in message


def test_scikit_learn_fit_on_a_converted_frame(spark, compat, pipeline_globals):
    pytest.importorskip("sklearn")
    frame = pd.DataFrame({"x": [1.0, 2.0, 3.0, 4.0, 5.0], "y": [2.1, 3.9, 6.2, 7.8, 10.1]})
    cells = [
        "from sklearn.linear_model import LinearRegression\nfit = frame[frame.x > 1]\n"
        "model = LinearRegression().fit(fit[['x']], fit['y'])\nslope = float(model.coef_[0])"
    ]
    spark_side = run_generated(cells, {"frame": frame}, spark, compat, pipeline_globals)
    pandas_side = run_pandas(cells, {"frame": frame})
    assert spark_side["slope"] == pytest.approx(pandas_side["slope"])
    assert "driver.pandas(fit, 'fit')" in rewrite_sources([READ.format(name="frame"), *cells]).cells[1].generated


def test_values_round_trip_with_nulls_datetimes_and_categoricals(spark, compat):
    frame = pd.DataFrame(
        {
            "n": pd.array([1, None, 3], dtype="Int64"),
            "f": [1.5, np.nan, 3.0],
            "s": ["a", None, "c"],
            "when": pd.to_datetime(["2013-01-01 05:00", None, "2013-12-31 23:59"]),
            "day": pd.Categorical(["Thur", "Fri", None], categories=["Thur", "Fri", "Sat"]),
        }
    )
    spark_frame = compat.from_pandas(spark, frame)
    assert dict(spark_frame.dtypes) == {"n": "bigint", "f": "double", "s": "string", "when": "timestamp", "day": "string"}
    assert spark_frame.filter("f is null").count() == 1  # NaN is missing in pandas: null in Spark, not NaN
    back = compat.Driver(spark, {}).pandas(spark_frame, "frame")
    assert back["n"].isna().tolist() == [False, True, False] and back["n"].dropna().tolist() == [1, 3]
    assert back["f"].isna().tolist() == [False, True, False]
    assert back["s"].tolist()[::2] == ["a", "c"] and back["s"].isna().tolist() == [False, True, False]
    assert back["when"].tolist()[::2] == frame["when"].tolist()[::2] and back["when"].isna().tolist() == [False, True, False]
    assert back["day"].tolist()[:2] == ["Thur", "Fri"] and back["day"].isna().tolist() == [False, False, True]


def test_group_keys_in_the_index_become_columns(spark, compat):
    frame = pd.DataFrame({"k": ["a", "b", "a"], "v": [1, 2, 3]}).groupby("k").sum()
    assert [tuple(r) for r in compat.from_pandas(spark, frame).orderBy("k").collect()] == [("a", 4), ("b", 2)]


def test_consecutive_driver_statements_share_one_collection(spark, compat):
    driver = compat.Driver(spark, {})
    frame = spark.range(5)
    assert driver.pandas(frame, "frame") is driver.pandas(frame, "frame")
    assert driver.pandas(frame.filter("id > 1"), "other") is not driver.pandas(frame, "frame")


def test_frame_on_the_driver_joins_a_spark_frame(spark, compat, pipeline_globals):
    flights = pd.DataFrame({"carrier": ["UA", "AA", "UA", "B6"], "delay": [5.0, -2.0, 30.0, 1.0]})
    carriers = pd.DataFrame({"carrier": ["UA", "AA"], "name": ["United", "American"]})
    cells = ["lookup = carriers.convert_dtypes()", "named = flights.merge(lookup, on='carrier')"]
    spark_side = run_generated(cells, {"flights": flights, "carriers": carriers}, spark, compat, pipeline_globals)
    pandas_side = run_pandas(cells, {"flights": flights, "carriers": carriers})
    assert "compat.from_pandas(spark, lookup)" in rewrite_sources(
        [READ.format(name="flights"), READ.format(name="carriers"), *cells]
    ).cells[3].generated
    assert_same_dataset(pandas_side["named"], spark_side["named"].toPandas(), "named")


def test_merge_on_a_column_moved_into_the_index(spark, compat, pipeline_globals):
    """pandas merges on= an index level as on a column; set_index keeps it a column in Spark (PS159)."""
    flights = pd.DataFrame({"carrier": ["UA", "AA", "UA", "B6"], "delay": [5.0, -2.0, 30.0, 1.0]})
    carriers = pd.DataFrame({"carrier": ["UA", "AA"], "name": ["United", "American"]})
    cells = ["lookup = carriers.set_index('carrier')", "named = flights.merge(lookup, on='carrier')"]
    spark_side = run_generated(cells, {"flights": flights, "carriers": carriers}, spark, compat, pipeline_globals)
    pandas_side = run_pandas(cells, {"flights": flights, "carriers": carriers})
    assert "driver" not in rewrite_sources([READ.format(name="flights"), READ.format(name="carriers"), *cells]).cells[3].generated
    assert_same_dataset(pandas_side["named"], spark_side["named"].toPandas(), "named")


def test_pd_eval_on_converted_frames_and_a_column_defined_before(spark, compat, pipeline_globals):
    """A real notebook (jakevdp's eval chapter): a Spark column is defined, then pd.eval on the frame
    moves it to the driver in the same cell; both results are pandas' and equal."""
    cells = [
        "ratio = (df.A + df.B) / (df.C - 1)\nresult = pd.eval('(df.A + df.B) / (df.C - 1)')\nsame = np.allclose(ratio, result)",
        "total = pd.eval('df + other')",
    ]
    frames = {
        "df": pd.DataFrame({"A": [1.0, 2.0, 3.0], "B": [0.5, 0.25, 2.0], "C": [3.0, 5.0, 9.0]}),
        "other": pd.DataFrame({"A": [1.0, 1.0, 1.0], "B": [2.0, 2.0, 2.0], "C": [0.0, 0.0, 1.0]}),
    }
    generated = run_generated(cells, frames, spark, compat, pipeline_globals)
    expected = run_pandas(cells, frames)
    assert generated["same"] is expected["same"] == True  # noqa: E712 - numpy's bool
    assert_same_dataset(expected["total"], generated["total"], "total")
