"""The generated DAG of ``examples/notebooks/flight_delays.ipynb`` loads in a real Airflow.

Airflow lives in its own virtual environment (it pins hundreds of packages that must not meet
nb2prod's), built once and reused: ``$NB2PROD_TEST_CACHE`` (default ``~/.cache/nb2prod-tests``)
``/airflow-<version>-py<X.Y>``. Measured on the 2-core machine CI uses: building it with an empty
pip cache took 156 s (288 s under a load average of 8-10), 70 s with pip's cache warm; a run that
reuses it takes about 10 s. No constraints file: Airflow publishes those outside PyPI, and the two
pins below resolve with pip alone.
"""

from __future__ import annotations

import ast
import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from nb2prod.cli import main

from .conftest import EXAMPLES

AIRFLOW = "3.1.8"  # supports Python 3.10-3.13
SPARK_PROVIDER = "6.3.4"  # apache-airflow-providers-apache-spark: SparkSubmitOperator

pytestmark = pytest.mark.slow

LOADER = """
    import json, sys
    from airflow.models.dagbag import DagBag

    bag = DagBag(dag_folder=sys.argv[1], include_examples=False)
    found = {"errors": {k: str(v) for k, v in bag.import_errors.items()}, "dags": {}}
    for dag_id, dag in bag.dags.items():
        found["dags"][dag_id] = {
            "schedule": str(dag.schedule),
            "catchup": dag.catchup,
            "owner": dag.default_args["owner"],
            "retries": dag.default_args["retries"],
            "tasks": {
                t.task_id: {
                    "kind": type(t).__name__,
                    "upstream": sorted(t.upstream_task_ids),
                    "command": getattr(t, "bash_command", None) or getattr(t, "application_args", None),
                }
                for t in dag.tasks
            },
        }
    found["parse_seconds"] = sum(s.duration.total_seconds() for s in bag.dagbag_stats)
    with open(sys.argv[2], "w") as fh:
        json.dump(found, fh)
"""


def _airflow_python() -> Path:
    """The Python of the cached Airflow environment, built first when missing (complete or absent:
    it is built beside its place and renamed into it)."""
    cache = Path(os.environ.get("NB2PROD_TEST_CACHE") or Path.home() / ".cache" / "nb2prod-tests")
    place = cache / f"airflow-{AIRFLOW}-py{sys.version_info.major}.{sys.version_info.minor}"
    python = place / "bin" / "python"
    if python.exists():
        return python
    cache.mkdir(parents=True, exist_ok=True)
    building = cache / f"{place.name}.building-{os.getpid()}"
    shutil.rmtree(building, ignore_errors=True)
    subprocess.run([sys.executable, "-m", "venv", str(building)], check=True)
    pip = [str(building / "bin" / "python"), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    done = subprocess.run(
        [*pip, f"apache-airflow=={AIRFLOW}", f"apache-airflow-providers-apache-spark=={SPARK_PROVIDER}"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    if done.returncode:
        shutil.rmtree(building, ignore_errors=True)
        pytest.fail(f"installing apache-airflow=={AIRFLOW} failed: {done.stderr.strip()[-2000:]}")
    # bin/python is a link to the base interpreter and site-packages is found from it: the moved venv works
    building.rename(place)
    return python


def _load(python: Path, package: Path, tmp_path: Path, **env: str) -> dict:
    loader = tmp_path / "load_dags.py"
    loader.write_text(textwrap.dedent(LOADER))
    found = tmp_path / "found.json"
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("FLIGHT_DELAYS", "AIRFLOW")) and k != "PYTHONPATH"}
    result = subprocess.run(
        [str(python), str(loader), str(package / "dags"), str(found)],
        env={
            **clean,
            "AIRFLOW_HOME": str(tmp_path / "airflow_home"),
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "PYTHONPATH": str(package / "src"),  # the package's config (PyYAML only), as when it is installed
            **env,
        },
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(found.read_text())


def test_the_flight_delays_dag_loads_in_airflow_with_its_task_graph(tmp_path: Path) -> None:
    """DagBag finds no import error and the graph of the STEPS the file declares: one task per
    step, each running `flight_delays run --step X --run-date {{ ds }}` after its upstream steps;
    the SparkSubmitOperator variant loads too."""
    python = _airflow_python()
    package = tmp_path / "flight_delays"
    assert main(["convert", str(EXAMPLES / "flight_delays.ipynb"), "-o", str(package)]) == 0
    dag_file = (package / "dags" / "flight_delays_dag.py").read_text()
    steps = next(
        ast.literal_eval(node.value)
        for node in ast.parse(dag_file).body
        if isinstance(node, ast.AnnAssign) and getattr(node.target, "id", "") == "STEPS"
    )
    assert len(steps) >= 5

    found = _load(python, package, tmp_path)
    assert found["errors"] == {}
    dag = found["dags"]["flight_delays"]
    assert (dag["schedule"], dag["catchup"], dag["owner"], dag["retries"]) == ("@daily", False, "data-engineering", 2)
    assert {t: task["upstream"] for t, task in dag["tasks"].items()} == {s: sorted(up) for s, up in steps.items()}
    assert [t for t, task in dag["tasks"].items() if not task["upstream"]] == [next(iter(steps))]
    for step, task in dag["tasks"].items():
        assert task["kind"] == "BashOperator"
        assert task["command"] == f"flight_delays run --step {step} --run-date '{{{{ ds }}}}'"
    assert found["parse_seconds"] < 5

    submit = _load(
        python, package, tmp_path,
        FLIGHT_DELAYS__AIRFLOW__OPERATOR="spark_submit",
        FLIGHT_DELAYS__AIRFLOW__SPARK_SUBMIT__APPLICATION="/opt/flight_delays/__main__.py",
        FLIGHT_DELAYS__AIRFLOW__ENV="cluster",
        FLIGHT_DELAYS__AIRFLOW__SCHEDULE="0 3 * * *",
    )  # fmt: skip
    assert submit["errors"] == {}
    dag = submit["dags"]["flight_delays"]
    assert dag["schedule"] == "0 3 * * *"
    step, task = next(iter(dag["tasks"].items()))
    assert task["kind"] == "SparkSubmitOperator"
    assert task["command"] == ["run", "--step", step, "--run-date", "{{ ds }}", "--env", "cluster"]
