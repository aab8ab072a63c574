"""The pipeline side of verify's recording: compat.step()'s observers and the Spark sort it reads."""

from __future__ import annotations

import pandas as pd
import pytest

from nb2prod.verify.capture import PipelineRecorder, spark_sort
from tests.convert.conftest import render_compat


@pytest.fixture(scope="module")
def compat(tmp_path_factory):
    """The generated package's compat.py, rendered from templates/ and imported."""
    pytest.importorskip("pyspark.sql")
    return render_compat(tmp_path_factory.mktemp("compat"), "verify_rendered_compat")


def test_step_observers_see_the_running_function_s_names_after_each_step(compat):
    seen = []  # (step, the names of run(): ``compat`` is one too, as a closure variable)
    compat.STEP_OBSERVERS.append(lambda name, names: seen.append((name, sorted(k for k in names if k != "compat"))))

    def run():
        with compat.step("cell 2"):
            df = pd.DataFrame({"x": [1]})
        with compat.step("cell 4"):
            total = int(df["x"].sum())
        return total

    try:
        assert run() == 1
        with pytest.raises(compat.StepError):
            with compat.step("cell 9"):
                1 / 0
    finally:
        compat.STEP_OBSERVERS.clear()
    assert seen == [("cell 2", ["df"]), ("cell 4", ["df", "total"])]  # not called for the failing step


def test_the_recorder_keeps_pandas_values_as_they_were_at_the_step_s_end():
    recorder = PipelineRecorder(compare_cells=True, displays={3: "df", 4: "df"})
    df = pd.DataFrame({"x": [1, 2]})
    recorder("cell 3", {"df": df, "n": 2})
    df.loc[0, "x"] = 99  # changed in place by a later step
    recorder("cell 5", {"df": df})
    end = recorder.finish()

    assert recorder.display[3].value["x"].tolist() == [1, 2]
    assert recorder.display[4].value["x"].tolist() == [1, 2]  # cell 4 only shows df: no step of its own
    assert recorder.cells[3]["df"].value["x"].tolist() == [1, 2] and "n" not in recorder.cells[3]
    assert end["df"].value["x"].tolist() == [99, 2]
    capped = PipelineRecorder(max_rows=1)
    capped("cell 1", {"df": df})
    assert capped.finish()["df"].problem == "2 rows, more than --max-rows 1"


@pytest.mark.spark
def test_the_sort_a_spark_dataframe_keeps(spark):
    from pyspark.sql import functions as F

    df = spark.createDataFrame(pd.DataFrame({"k": ["a", "b", "a"], "x": [1, 2, 3]}))
    counts = df.groupBy("k").count().orderBy(F.desc("count"), "k")
    assert spark_sort(counts) == [("count", True), ("k", False)]
    assert spark_sort(counts.limit(1).select("k", "count")) == [("count", True), ("k", False)]
    assert spark_sort(df) is None
    assert spark_sort(counts.groupBy("k").count()) is None  # an aggregate above the sort loses it
