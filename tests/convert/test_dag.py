"""The Airflow DAG nb2prod writes beside a package (``dags/<name>_dag.py``), without Airflow.

The DAG's text is compared with golden files (``pytest --update-golden`` rewrites them: read the
diff), executed against a stand-in of Airflow's API that records what the file builds, and
converted end to end. Loading it in a real Airflow is ``test_dag_airflow.py`` (slow).
"""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from nb2prod.cli import main
from nb2prod.convert.dag import DEFAULT_SETTINGS, dependencies, render_dag
from nb2prod.manifest import MANIFEST_NAME

from .conftest import write_notebook

GOLDEN = Path(__file__).resolve().parent / "golden_dags"


@dataclass(frozen=True)
class S:
    """A step as branch ``steps`` gives them: name, cells, inputs, outputs."""

    name: str
    cells: tuple[int, ...] = ()
    inputs: tuple[str, ...] = ()
    outputs: tuple[str, ...] = ()


#: load two tables, clean one, join them, report; a later step writes `flights` again
BRANCHING = [
    S("load_flights", (2, 3), (), ("flights",)),
    S("load_airports", (5,), (), ("airports",)),
    S("clean_flights", (7,), ("flights",), ("flights", "late")),
    S("join_airports", (9,), ("flights", "airports"), ("joined",)),
    S("report", (11, 12), ("joined", "late", "delay_threshold"), ("summary",)),
]
LINEAR = [S("cell_2", (2,)), S("cell_4", (4,)), S("cell_5", (5,))]


def _golden(request, name: str, text: str) -> None:
    path = GOLDEN / name
    if request.config.getoption("--update-golden", default=False):
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8"), f"regenerate with pytest --update-golden and read the diff of {path}"


def test_each_step_waits_for_the_latest_earlier_step_that_writes_what_it_reads() -> None:
    """Independent loads have no upstream; a reader of `flights` after the clean step waits for the
    clean step (which wrote it last), not for the load; an input nobody writes adds nothing."""
    assert dependencies(BRANCHING) == {
        "load_flights": (),
        "load_airports": (),
        "clean_flights": ("load_flights",),
        "join_airports": ("load_airports", "clean_flights"),
        "report": ("clean_flights", "join_airports"),
    }


def test_steps_without_declared_dataflow_run_in_notebook_order() -> None:
    assert dependencies(LINEAR) == {"cell_2": (), "cell_4": ("cell_2",), "cell_5": ("cell_4",)}


@pytest.mark.parametrize(
    ("steps", "message"),
    [
        ([S("Load Data")], "not a snake_case identifier"),
        ([S("class")], "not a snake_case identifier"),
        ([S("load"), S("load")], "two steps are named 'load'"),
    ],
)
def test_step_names_that_cannot_be_task_ids_are_refused(steps, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        dependencies(steps)


def test_branching_dag_text(request) -> None:
    _golden(request, "branching_dag.py", render_dag("flights", BRANCHING, "flights.ipynb"))


def test_linear_dag_text(request) -> None:
    _golden(request, "linear_dag.py", render_dag("late_flights", LINEAR, "Late Flights.ipynb", env_prefix="LATE_FLIGHTS"))


def _imported_modules(tree: ast.Module) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_the_dag_compiles_and_imports_no_spark_at_parse_time() -> None:
    """Airflow parses DAG files every few seconds: top level imports only the standard library and
    airflow; nothing anywhere in the file imports pyspark or the pipeline."""
    text = render_dag("flights", BRANCHING, "flights.ipynb")
    compile(text, "flights_dag.py", "exec")
    tree = ast.parse(text)
    top = _imported_modules(ast.Module(body=[n for n in tree.body if not isinstance(n, ast.FunctionDef)], type_ignores=[]))
    assert {m.split(".")[0] for m in top} <= {"__future__", "datetime", "shlex", "typing", "airflow"}
    everywhere = _imported_modules(tree)
    assert not any(m.split(".")[0] == "pyspark" or m == "flights.pipeline" for m in everywhere)
    assert everywhere - top == {
        "flights.config",
        "airflow.providers.apache.spark.operators.spark_submit",
        "airflow.providers.standard.operators.bash",
        "airflow.operators.bash",
    }


def test_a_pipeline_without_steps_gives_a_dag_without_tasks() -> None:
    """Every cell dropped (only plots and prints): the file still compiles, with an empty STEPS."""
    text = render_dag("plots", [], "plots.ipynb")
    compile(text, "plots_dag.py", "exec")
    assert "STEPS: dict[str, tuple[str, ...]] = {\n}\n" in text


# -- the DAG file run against a stand-in of Airflow's API --------------------------------------------

FAKE_AIRFLOW = {
    "airflow/__init__.py": "",
    "airflow/sdk.py": """
        import json, os

        class DAG:
            def __init__(self, **kwargs):
                self.kwargs = kwargs
                self.tasks = []
            def __enter__(self):
                DAG.current = self
                return self
            def __exit__(self, *exc):
                record = {k: str(v) for k, v in self.kwargs.items() if k not in ("default_args", "doc_md")}
                record["default_args"] = {k: str(v) for k, v in self.kwargs["default_args"].items()}
                record["tasks"] = {t.task_id: {"kind": type(t).__name__, "upstream": t.upstream, **t.args} for t in self.tasks}
                with open(os.environ["DAG_RECORD"], "w") as fh:
                    json.dump(record, fh)

        class Task:
            def __init__(self, task_id, **args):
                self.task_id, self.args, self.upstream = task_id, args, []
                DAG.current.tasks.append(self)
            def set_upstream(self, tasks):
                self.upstream += [t.task_id for t in tasks]
        """,
    "airflow/providers/__init__.py": "",
    "airflow/providers/standard/__init__.py": "",
    "airflow/providers/standard/operators/__init__.py": "",
    "airflow/providers/standard/operators/bash.py": "from airflow.sdk import Task\nclass BashOperator(Task): pass\n",
    "airflow/providers/apache/__init__.py": "",
    "airflow/providers/apache/spark/__init__.py": "",
    "airflow/providers/apache/spark/operators/__init__.py": "",
    "airflow/providers/apache/spark/operators/spark_submit.py": "from airflow.sdk import Task\nclass SparkSubmitOperator(Task): pass\n",
}


@pytest.fixture(scope="module")
def converted(tmp_path_factory) -> Path:
    """A notebook of three code cells converted into a package (``late``)."""
    root = tmp_path_factory.mktemp("dag")
    notebook = write_notebook(
        root / "late.ipynb",
        ["import pandas as pd", "# md:# Load", 'df = pd.read_csv("flights.csv")', 'late = df[df["dep_delay"] > 15]', 'late.to_csv("late.csv", index=False)'],
    )
    (root / "flights.csv").write_text("dep_delay\n3\n20\n")
    assert main(["convert", str(notebook), "-o", str(root / "out")]) == 0
    return root / "out"


def _parse(dag_file: Path, tmp_path: Path, *, package_src: Path | None, **env: str) -> dict:
    """Execute ``dag_file`` as Airflow would parse it, against the stand-in API; what it built."""
    fake = tmp_path / "fake"
    for rel, text in FAKE_AIRFLOW.items():
        (fake / rel).parent.mkdir(parents=True, exist_ok=True)
        (fake / rel).write_text(textwrap.dedent(text))
    record = tmp_path / "record.json"
    path = os.pathsep.join(str(p) for p in (fake, package_src) if p is not None)
    clean = {k: v for k, v in os.environ.items() if not k.startswith("LATE_") and k != "PYTHONPATH"}
    result = subprocess.run(
        [sys.executable, str(dag_file)],
        env={**clean, "PYTHONPATH": path, "DAG_RECORD": str(record), **env},
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode:
        return {"error": result.stderr.strip().splitlines()[-1]}
    return json.loads(record.read_text())


def test_convert_writes_the_dag_and_its_settings(converted: Path) -> None:
    """The package has dags/late_dag.py, listed in the manifest (so `nb2prod check` sees hand edits),
    and conf/base.yaml has an airflow: section with the generator's defaults."""
    assert (converted / "dags/late_dag.py").read_text().startswith("# Generated by nb2prod from late.ipynb")
    assert "dags/late_dag.py" in json.loads((converted / MANIFEST_NAME).read_text())["files"]
    base = yaml.safe_load((converted / "src/late/conf/base.yaml").read_text())
    assert base["airflow"] == {"dag_id": "late", **DEFAULT_SETTINGS, "command": "late"}


def test_check_reports_a_hand_edit_of_the_dag(converted: Path, tmp_path: Path, capsys) -> None:
    import shutil

    copy = tmp_path / "pkg"
    shutil.copytree(converted, copy)
    shutil.copy(converted.parent / "late.ipynb", tmp_path / "late.ipynb")
    capsys.readouterr()
    assert main(["check", str(copy)]) == 0, capsys.readouterr().out
    with (copy / "dags/late_dag.py").open("a") as fh:
        fh.write("# schedule changed here\n")
    assert main(["check", str(copy)]) == 1
    assert "dags/late_dag.py: CK301 generated file edited by hand" in capsys.readouterr().out


def test_the_dag_reads_its_settings_from_the_package_configuration(converted: Path, tmp_path: Path) -> None:
    """Installed package: base.yaml's airflow: section, overridden by LATE__AIRFLOW__* variables;
    each task runs `late run --step X --run-date {{ ds }}` and waits for the step before it."""
    built = _parse(
        converted / "dags/late_dag.py", tmp_path, package_src=converted / "src",
        LATE__AIRFLOW__SCHEDULE="0 3 * * *", LATE__AIRFLOW__RETRIES="4", LATE__AIRFLOW__ENV="prod",
    )  # fmt: skip
    assert built["dag_id"] == "late" and built["schedule"] == "0 3 * * *" and built["catchup"] == "False"
    assert built["start_date"] == "2026-01-01 00:00:00+00:00"
    assert built["default_args"] == {"owner": "data-engineering", "retries": "4", "retry_delay": "0:05:00"}
    steps = list(built["tasks"])
    assert steps == ["load_df", "make_late", "write_outputs"]  # the step functions of pipeline.py
    first, second = steps[:2]
    assert built["tasks"][first] == {
        "kind": "BashOperator",
        "upstream": [],
        "bash_command": f"late run --step {first} --run-date '{{{{ ds }}}}' --env prod",
    }
    assert built["tasks"][second]["upstream"] == [first]


def test_without_the_package_the_dag_uses_the_converted_defaults(converted: Path, tmp_path: Path) -> None:
    built = _parse(converted / "dags/late_dag.py", tmp_path, package_src=None, LATE__AIRFLOW__SCHEDULE="@hourly")
    assert built["schedule"] == "@daily" and built["default_args"]["retries"] == "2"


def test_the_spark_submit_variant_needs_an_application(converted: Path, tmp_path: Path) -> None:
    dag = converted / "dags/late_dag.py"
    src = converted / "src"
    assert "airflow.spark_submit.application is not set" in _parse(dag, tmp_path, package_src=src, LATE__AIRFLOW__OPERATOR="spark_submit")["error"]
    built = _parse(
        dag, tmp_path, package_src=src, LATE__AIRFLOW__OPERATOR="spark_submit",
        LATE__AIRFLOW__SPARK_SUBMIT__APPLICATION="/opt/late/__main__.py", LATE__AIRFLOW__ENV="cluster",
    )  # fmt: skip
    task = next(iter(built["tasks"].values()))
    step = next(iter(built["tasks"]))
    assert task["kind"] == "SparkSubmitOperator" and task["application"] == "/opt/late/__main__.py"
    assert task["application_args"] == ["run", "--step", step, "--run-date", "{{ ds }}", "--env", "cluster"]
    assert task["conn_id"] == "spark_default" and task["name"] == f"late-{step}"


def test_an_unknown_operator_is_named(converted: Path, tmp_path: Path) -> None:
    built = _parse(converted / "dags/late_dag.py", tmp_path, package_src=converted / "src", LATE__AIRFLOW__OPERATOR="k8s")
    assert built["error"] == "ValueError: airflow.operator is 'k8s'; expected one of bash, spark_submit"
