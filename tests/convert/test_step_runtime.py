"""The generated package's step runtime: compat.step() on step functions, and staging.py (staged data
between steps run separately: layout by run date, Parquet and capped ndjson.gz batches, values that
are not DataFrames, a rerun of one interval)."""

from __future__ import annotations

import importlib.util
import textwrap
from pathlib import Path

import pytest

from nb2prod.convert.render import environment
from tests.convert.conftest import import_with_compat


@pytest.fixture(scope="module")
def staging(compat, tmp_path_factory):
    """The generated staging.py, rendered and imported with ``demo.compat`` bound to the rendered compat."""
    directory = tmp_path_factory.mktemp("staging")
    path = directory / "demo_staging.py"
    path.write_text(environment().get_template("package/src/staging.py.j2").render(name="demo", notebook="demo.ipynb"))
    return import_with_compat(path, "demo_staging", compat)


def _steps_module(compat, directory: Path, source: str):
    """A module of step functions (as pipeline.py holds them), written to a file so tracebacks have lines."""
    path = directory / "demo_steps.py"
    path.write_text(textwrap.dedent(source))
    spec = importlib.util.spec_from_file_location(f"demo_steps_{abs(hash(str(directory)))}", path)
    module = importlib.util.module_from_spec(spec)
    module.step = compat.step
    module.__dict__["step"] = compat.step
    spec.loader.exec_module(module)
    return module


STEPS_SOURCE = '''
from __future__ import annotations

from pyspark.sql import functions as F

step = globals()["step"]


@step(cells=(2,), outputs=("flights",))
def load(spark, settings):
    return spark.createDataFrame([(1, "AA", 10.0), (2, "UA", -3.0), (3, "AA", 25.0)], "id long, carrier string, delay double")


@step(cells=(4, 5), outputs=("late", "n_late"))
def late_flights(flights, settings):
    # cell 4
    late = flights.filter(F.col("delay") > settings["threshold"])

    # cell 5
    n_late = late.count()
    ratio = n_late / 0 if settings.get("fail") else n_late
    return late, n_late


@step(cells=(7,))
def report(late, n_late):
    assert late.count() == n_late
'''


def test_a_failing_step_names_itself_and_the_cell_whose_code_failed(compat, spark, tmp_path):
    steps = _steps_module(compat, tmp_path, STEPS_SOURCE)
    flights = steps.load(spark, {})
    with pytest.raises(compat.StepError, match=r"^late_flights \(cell 5\) failed: ZeroDivisionError: division by zero$"):
        steps.late_flights(flights, {"threshold": 5, "fail": True})
    assert steps.late_flights.cells == (4, 5) and steps.late_flights.outputs == ("late", "n_late")


def test_observers_see_a_step_function_s_own_names_and_its_cells(compat, spark, tmp_path):
    steps = _steps_module(compat, tmp_path, STEPS_SOURCE)
    seen = []
    compat.STEP_OBSERVERS.append(lambda name, names: seen.append((name, sorted(names), names["__step_cells__"])))
    try:
        flights = steps.load(spark, {})
        steps.late_flights(flights, {"threshold": 5})
    finally:
        compat.STEP_OBSERVERS.clear()
    # the arguments a step leaves unchanged are not its names; what it binds is
    assert seen[1] == ("late_flights", ["__step_cells__", "late", "n_late", "ratio"], (4, 5))


def test_one_step_at_a_time_through_staging_gives_what_one_run_gives(compat, staging, spark, tmp_path):
    steps = _steps_module(compat, tmp_path, STEPS_SOURCE)
    functions = (steps.load, steps.late_flights, steps.report)
    config = {"threshold": 5, "staging": {"root": str(tmp_path / "staged")}}
    together = staging.run_steps(spark, config, functions, 0, 2, "2026-12-01")
    assert not (tmp_path / "staged").exists()  # a whole run stages nothing
    alone: dict = {}
    for index in range(3):
        alone.update(staging.run_steps(spark, config, functions, index, index, "2026-12-01"))
    assert sorted(alone) == sorted(together) == ["flights", "late", "n_late"]
    assert sorted(alone["late"].collect()) == sorted(together["late"].collect())
    assert alone["n_late"] == together["n_late"] == 2
    staged = sorted(str(p.relative_to(tmp_path / "staged")) for p in (tmp_path / "staged").glob("*/*/*"))
    assert staged == ["late_flights/late/dt=2026-12-01", "late_flights/n_late/dt=2026-12-01", "load/flights/dt=2026-12-01"]


def test_a_step_run_alone_without_its_staged_input_says_which_run_writes_it(compat, staging, spark, tmp_path):
    steps = _steps_module(compat, tmp_path, STEPS_SOURCE)
    functions = (steps.load, steps.late_flights, steps.report)
    config = {"threshold": 5, "staging": {"root": str(tmp_path / "empty")}}
    with pytest.raises(staging.StagingError, match=r"^input flights of step late_flights is not staged at .*empty/load/flights/dt=2026-12-02 \(written by: run --step load --run-date 2026-12-02\)"):
        staging.run_steps(spark, config, functions, 1, 1, "2026-12-02")
    with pytest.raises(staging.StagingError, match="--step nope: no such step"):
        staging.select(functions, step="nope")
    with pytest.raises(staging.StagingError, match="not a date"):
        staging.run_date_of("2026-13-01")


def test_a_rerun_of_one_interval_leaves_the_others_untouched(staging, spark, tmp_path):
    config = {"staging": {"root": str(tmp_path)}}
    first = spark.createDataFrame([(1,), (2,)], "x long")
    staging.write(spark, config, first, staging.path(config, "load", "t", "2026-12-01"))
    staging.write(spark, config, first, staging.path(config, "load", "t", "2026-12-02"))
    before = {p: p.stat().st_mtime_ns for p in (tmp_path / "load/t/dt=2026-12-01").rglob("*")}
    staging.write(spark, config, spark.createDataFrame([(3,)], "x long"), staging.path(config, "load", "t", "2026-12-02"))
    assert {p: p.stat().st_mtime_ns for p in (tmp_path / "load/t/dt=2026-12-01").rglob("*")} == before
    assert [r.x for r in staging.read(spark, config, staging.path(config, "load", "t", "2026-12-02")).collect()] == [3]
    assert sorted(r.x for r in staging.read(spark, config, staging.path(config, "load", "t", "2026-12-01")).collect()) == [1, 2]


def test_ndjson_batches_are_capped_and_keep_the_schema(staging, spark, tmp_path):
    import gzip

    config = {"staging": {"root": str(tmp_path), "format": "ndjson.gz", "max_batch_mb": 0.001}}  # ~1 kB per file
    frame = spark.createDataFrame([(i, f"carrier-{i:04d}", i * 1.5) for i in range(200)], "id int, name string, delay double").coalesce(1)
    where = staging.path(config, "clean", "flights", "2026-12-01")
    staging.write(spark, config, frame, where)
    parts = sorted(Path(where).glob("part-*.json.gz"))
    assert len(parts) > 5
    assert all(len(gzip.decompress(p.read_bytes())) <= 1024 * 1.2 for p in parts)  # the cap, estimated from the rows' mean size
    back = staging.read(spark, config, where)
    assert back.schema == frame.schema
    assert sorted(back.collect()) == sorted(frame.collect())


def test_values_that_are_not_dataframes_are_staged_or_refused(staging, spark, tmp_path):
    import pandas as pd

    config = {"staging": {"root": str(tmp_path)}}
    for name, value in {"n": 42, "names": ["a", "b"], "pdf": pd.DataFrame({"a": [1, 2]}, index=["x", "y"]), "pair": (1, 2)}.items():
        where = staging.path(config, "s", name, "2026-12-01")
        staging.write(spark, config, value, where)
        back = staging.read(spark, config, where)
        assert back.equals(value) if isinstance(value, pd.DataFrame) else back == value
    with pytest.raises(staging.StagingError, match=r"^output f of step s is a builtins.function, which cannot be staged .*run that step and t together"):
        staging.write(spark, config, lambda x: x, staging.path(config, "s", "f", "2026-12-01"), "output f of step s", ["t"])


def test_a_per_cell_observer_sees_the_names_at_the_end_of_each_cell_of_a_step(compat, spark, tmp_path):
    steps = _steps_module(compat, tmp_path, STEPS_SOURCE)

    class PerCell:
        per_cell = True  # as nb2prod verify --per-cell's recorder

        def __init__(self):
            self.seen = []

        def __call__(self, name, names):
            self.seen.append((name, names["__step_cells__"], sorted(k for k in names if not k.startswith("_"))))

    observer = PerCell()
    compat.STEP_OBSERVERS.append(observer)
    try:
        steps.late_flights(steps.load(spark, {}), {"threshold": 5})
    finally:
        compat.STEP_OBSERVERS.clear()
    assert observer.seen[1:] == [
        ("late_flights", (4,), ["flights", "late", "settings"]),  # cell 4 done: n_late not yet bound
        ("late_flights", (5,), ["late", "n_late", "ratio"]),
    ]


def test_verify_sees_a_displayed_name_as_it_was_at_the_end_of_its_own_cell(compat, spark, tmp_path):
    """jakevdp's indexing chapter: `data` shown at cell 4, then changed by cell 5 of the same step;
    verify compares the display with the value at the end of cell 4, not of the step."""
    import pandas as pd

    from nb2prod.verify.capture import PipelineRecorder

    source = STEPS_SOURCE.replace(
        "@step(cells=(7,))",
        '''@step(cells=(4, 5))
def indexing():
    # cell 4
    data = pd.Series([0.25, 0.5], index=["a", "b"])

    # cell 5
    data["e"] = 1.25


@step(cells=(7,))''',
    ).replace("from pyspark.sql import functions as F", "import pandas as pd\nfrom pyspark.sql import functions as F")
    steps = _steps_module(compat, tmp_path, source)
    recorder = PipelineRecorder(displays={4: "data"})
    compat.STEP_OBSERVERS.append(recorder)
    try:
        steps.indexing()
    finally:
        compat.STEP_OBSERVERS.clear()
    recorder.finish()
    assert recorder.display[4].value.tolist() == [0.25, 0.5]
    assert recorder.end["data"].value.tolist() == [0.25, 0.5, 1.25]
