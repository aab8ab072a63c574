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


def _dead_step_run():
    """What verify saw of jorisvandenbossche's `04 - Groupby operations`: a step over cell 6 (a toy
    frame the notebook displays) that run() does not call, and one over cell 13 that runs."""
    from nb2prod.verify.capture import Captured

    recorder = PipelineRecorder(displays={6: "df"})
    titanic = pd.DataFrame({"Survived": [0, 1]})
    recorder("and_now_applying_this_on_some", {"df": titanic, "__step_cells__": (13,)})
    recorder.steps = [("some_theory", (6,), ()), ("about_the_dtypes", (8,), ("dft",)), ("and_now_applying_this_on_some", (13,), ("df",))]
    end = recorder.finish()
    toy = Captured(pd.DataFrame({"key": ["A", "B"], "data": [0, 5]}), 2)
    dtypes = Captured(pd.DataFrame({"A": [0.5]}), 1)
    return recorder, end, Captured(titanic.copy(), 2), toy, dtypes


def test_what_only_a_step_run_does_not_call_computes_is_not_run_not_missing():
    from nb2prod.verify.cli import render_text
    from nb2prod.verify.engine import VerifyResult, compare_captured

    recorder, end, titanic, toy, dtypes = _dead_step_run()
    captured = type("Capture", (), {"end": {"df": titanic, "dft": dtypes}, "display": {6: toy}, "others": {}})()
    reasons = {"some_theory": "it returns nothing, and it writes, logs and draws nothing"}
    results = compare_captured(captured, recorder, end, {6: "df"}, 1e-9, 1e-12, not_run_reasons=reasons)

    verdicts = {r.name: (r.verdict, r.message) for r in results}
    assert verdicts["df"][0] == "equal"
    assert verdicts["df (cell 6 display)"][0] == "not run by design"
    assert "step some_theory (cell 6)" in verdicts["df (cell 6 display)"][1] and reasons["some_theory"] in verdicts["df (cell 6 display)"][1]
    assert verdicts["dft"][0] == "not run by design" and "step about_the_dtypes (cell 8)" in verdicts["dft"][1]
    result = VerifyResult("04.ipynb", datasets=results)
    assert (result.summary["verdict"], result.summary["datasets_compared"], result.summary["datasets_not_run"]) == ("equal", 1, 2)
    text = "\n".join(render_text(result))
    assert "NOT RUN df (cell 6 display): not computed" in text and "2 not computed: only steps run() does not call compute them" in text


def test_a_notebook_whose_every_value_is_not_run_compares_nothing():
    from nb2prod.verify.engine import VerifyResult, compare_captured

    recorder, end, _, _, dtypes = _dead_step_run()
    captured = type("Capture", (), {"end": {"dft": dtypes}, "display": {}, "others": {}})()
    result = VerifyResult("Finally.ipynb", datasets=compare_captured(captured, recorder, end, {}, 1e-9, 1e-12))
    assert (result.summary["verdict"], result.exit_code) == ("nothing compared", 1)
    # a value missing although its step ran is still missing: a difference
    recorder.steps = [("about_the_dtypes", (13,), ("dft",))]
    result = VerifyResult("x.ipynb", datasets=compare_captured(captured, recorder, end, {}, 1e-9, 1e-12))
    assert result.summary["verdict"] == "different" and result.datasets[0].verdict == "missing in pipeline"


def test_a_display_in_a_dead_step_is_not_run_even_when_an_earlier_step_binds_the_name():
    """jakevdp's 03.08: cell 15 (a step that runs) binds df, cell 28 rebinds and displays it in a step
    run() does not call. The recorder saw df at the end of the cell-15 step; that is not cell 28's value."""
    from nb2prod.verify.capture import Captured
    from nb2prod.verify.engine import compare_captured

    recorder = PipelineRecorder(displays={28: "df"})
    earlier = pd.DataFrame({"A": [0.1, 0.2], "B": [0.3, 0.4]})
    recorder("simple_aggregation", {"df": earlier, "__step_cells__": (11, 15)})
    recorder.steps = [("simple_aggregation", (11, 15), ("ser",)), ("split_apply_combine", (28,), ())]
    end = recorder.finish()
    assert 28 in recorder.display  # what the recorder holds for cell 28 is cell 15's df
    shown = Captured(pd.DataFrame({"key": ["A", "B", "C"], "data": [0, 1, 2]}), 3)
    captured = type("Capture", (), {"end": {}, "display": {28: shown}, "others": {}})()
    results = compare_captured(captured, recorder, end, {28: "df"}, 1e-9, 1e-12, not_run_reasons={})
    (result,) = results
    assert result.verdict == "not run by design" and "step split_apply_combine (cell 28)" in result.message
