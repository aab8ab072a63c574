"""Optional profiling: the notebook's exploratory cells write artefacts only with ``profiling.enabled``.

A notebook written by hand with one exploratory cell of each kind (describe, value_counts, info,
display, a plot) and a figure it saves is converted and its pipeline run here on the session's
SparkSession: with profiling off (the default) no artefact is written and the profiling calls run
no Spark job, while the saved figure is written; with profiling on, each cell leaves its file.
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

import pytest

from nb2prod.convert.package import convert_notebook
from tests.convert.conftest import write_notebook

pytestmark = pytest.mark.spark
PNG = b"\x89PNG\r\n\x1a\n"
CELLS = [
    "import os\nimport pandas as pd\nimport matplotlib.pyplot as plt",
    "sales = pd.read_csv('data/sales.csv')",
    "sales.describe()",
    "sales['region'].value_counts()",
    "sales.info()",
    "display(sales.head(3))",
    "by_region = sales.groupby('region').amount.sum().reset_index()\nfig, ax = plt.subplots()\nby_region.plot.bar(x='region', y='amount', ax=ax)\nplt.show()",
    "os.makedirs('figures', exist_ok=True)\nsales.amount.hist()\nplt.savefig('figures/amount.png')",
    "os.makedirs('out', exist_ok=True)\nby_region.to_csv('out/by_region.csv', index=False)",
]


@pytest.fixture
def package(tmp_path):
    """The converted notebook's package, imported from its src/ (modules and sys.path restored after)."""
    project = tmp_path / "project"
    (project / "data").mkdir(parents=True)
    rows = ["region,amount,qty"] + [f"{['north', 'south', 'east'][i % 3]},{i * 1.5},{i % 4}" for i in range(60)]
    (project / "data" / "sales.csv").write_text("\n".join(rows) + "\n")
    result = convert_notebook(write_notebook(project / "sales.ipynb", CELLS), tmp_path / "pkg")
    saved = list(sys.path)
    sys.path.insert(0, str(result.outdir / "src"))
    modules = {m: importlib.import_module(f"sales.{m}") for m in ("pipeline", "config", "profiling")}
    yield project, result, modules
    sys.path[:] = saved
    for name in [m for m in sys.modules if m == "sales" or m.startswith("sales.")]:
        del sys.modules[name]


def _jobs(spark, group: str) -> int:
    return len(spark.sparkContext.statusTracker().getJobIdsForGroup(group))


def test_exploratory_cells_are_kept_as_profiling_calls(package):
    _, result, _ = package
    code = (result.outdir / "src" / "sales" / "pipeline.py").read_text()
    assert 'profiling.describe("cell_3_describe", sales)' in code
    assert 'profiling.table("cell_6_display", sales, rows=3)' in code
    assert 'profiling.figure("cell_7_figure", _figure_cell_7, by_region=by_region)' in code
    assert "profiling.output_figure(functools.partial(_figure_cell_8, settings=settings), sales=sales)" in code  # the path is a setting
    statuses = {c["cell"]: c["status"] for c in result.report["cells"]}
    assert all(statuses[n] == "converted" for n in (3, 4, 5, 6, 7, 8))
    base = (result.outdir / "src" / "sales" / "conf" / "base.yaml").read_text()
    assert "profiling:" in base and "enabled: false" in base
    assert "output_amount: figures/amount.png" in base  # the saved figure's path is a setting
    assert "pandas<3,>=2.2" in result.report["dependencies"]  # profiling collects Spark values with pandas


def test_profiling_off_writes_nothing_and_runs_no_spark_job(spark, package, monkeypatch):
    project, _, modules = package
    monkeypatch.chdir(project)
    config = modules["config"].load_config(environ={})
    profiling = modules["profiling"]
    profiling.setup(config["profiling"])
    assert profiling.enabled() is False
    frame = spark.createDataFrame([("a", 1.0), ("b", 2.0)], ["k", "v"])
    group = "nb2prod-profiling-off"
    spark.sparkContext.setJobGroup(group, "profiling calls with profiling off")
    try:
        profiling.describe("d", frame)
        profiling.table("t", lambda: frame.groupBy("k").count().orderBy("k"))
        profiling.table("h", frame, rows=1)
        profiling.info("i", frame)
        profiling.figure("f", lambda frame: frame.plot(), frame=frame)
        assert _jobs(spark, group) == 0
    finally:
        spark.sparkContext.setLocalProperty("spark.jobGroup.id", None)

    modules["pipeline"].run(spark, config)

    assert not (project / "profiling").exists()
    assert (project / "figures" / "amount.png").read_bytes().startswith(PNG)  # a saved figure is an output
    assert (project / "out" / "by_region.csv").is_dir()


def test_profiling_on_writes_one_artefact_per_exploratory_cell(spark, package, monkeypatch):
    project, _, modules = package
    monkeypatch.chdir(project)
    config = modules["config"].load_config(environ={}, overrides=["profiling.enabled=true", "profiling.dir=artefacts"])
    modules["profiling"].setup(config["profiling"])

    modules["pipeline"].run(spark, config)

    written = sorted(p.name for p in (project / "artefacts").iterdir())
    assert written == ["cell_3_describe.csv", "cell_4_value_counts.csv", "cell_5_info.txt", "cell_6_display.csv", "cell_7_figure.png"]
    describe = (project / "artefacts" / "cell_3_describe.csv").read_text().splitlines()
    assert describe[0] == "summary,region,amount,qty" and describe[1].startswith("count,60,60")
    counts = (project / "artefacts" / "cell_4_value_counts.csv").read_text().splitlines()
    assert counts[0] == "region,count" and sorted(counts[1:]) == ["east,20", "north,20", "south,20"]
    assert (project / "artefacts" / "cell_5_info.txt").read_text().startswith("60 rows\nroot\n |-- region: string")
    assert len((project / "artefacts" / "cell_6_display.csv").read_text().splitlines()) == 4  # header + head(3)
    assert (project / "artefacts" / "cell_7_figure.png").read_bytes().startswith(PNG)

    modules["profiling"].setup({"format": "markdown"})
    modules["profiling"].describe("as_markdown", spark.createDataFrame([(1,), (3,)], ["x"]))
    assert (project / "artefacts" / "as_markdown.md").read_text().startswith("| summary | x |\n|---|---|\n| count | 2 |")
