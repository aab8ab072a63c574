"""The Airflow DAG of a generated package: ``dags/<name>_dag.py``.

One Airflow task per pipeline step; a task waits for the tasks whose steps
produce its inputs (:func:`dependencies`), so independent branches of the
notebook's dataflow run in parallel. Each task runs
``<name> run --step STEP --run-date {{ ds }}`` on a worker (``BashOperator``,
the default) or submits the same command to Spark (``SparkSubmitOperator``,
``airflow.operator: spark_submit``).

The DAG's settings (schedule, owner, retries...) are the ``airflow:`` section
of the package's configuration, read when Airflow parses the file through the
package's own ``config.load_config`` (packaged ``conf/base.yaml``, the overlay
of ``<PREFIX>_ENV``, ``<PREFIX>_CONF_DIR``, ``<PREFIX>__AIRFLOW__<KEY>``
environment variables); where the package is not importable, the values fixed
at conversion (:data:`DEFAULT_SETTINGS`) apply. The file imports neither Spark
nor the pipeline: Airflow parses DAG files every few seconds.
"""

from __future__ import annotations

import json
import keyword
import re
from collections.abc import Mapping, Sequence
from typing import Any, Protocol

#: where the DAG file goes in the package, ``{name}`` the package name
DAG_PATH = "dags/{name}_dag.py"

#: the template, relative to the top-level ``templates/``
DAG_TEMPLATE = "package/dags/dag.py.j2"

#: the ``airflow:`` settings and their defaults (``dag_id`` defaults to the package name). The
#: same values are written in ``conf/base.yaml`` (a test keeps the two equal).
DEFAULT_SETTINGS: dict[str, Any] = {
    "schedule": "@daily",
    "start_date": "2026-01-01",
    "catchup": False,
    "owner": "data-engineering",
    "retries": 2,
    "retry_delay_minutes": 5,
    "max_active_runs": 1,
    "env": None,
    "operator": "bash",
    "command": None,
    "spark_submit": {"conn_id": "spark_default", "application": None, "py_files": None, "conf": {}},
    "tags": ["nb2prod"],
}

#: the operators ``airflow.operator`` may name
OPERATORS = ("bash", "spark_submit")

_IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_]*$")


class Step(Protocol):
    """What the generator needs of a pipeline step (the ``steps`` branch's step objects)."""

    name: str
    cells: tuple[int, ...]
    inputs: tuple[str, ...]
    outputs: tuple[str, ...]


def dependencies(steps: Sequence[Step]) -> dict[str, tuple[str, ...]]:
    """Each step's upstream steps, from the dataflow.

    A step waits, for each of its inputs, for the latest earlier step that outputs it; an input
    no earlier step outputs (a file, a setting) adds no upstream. When no step declares any input
    or output the dataflow is unknown, and the steps run one after the other in notebook order.

    Args:
        steps: the steps in notebook order.

    Returns:
        step name -> names of the steps it waits for (notebook order, no repeats), every step
        present, in the order of ``steps``.

    Raises:
        ValueError: a step name is not a snake_case identifier, or two steps share a name.
    """
    names = [s.name for s in steps]
    for name in names:
        if not _IDENTIFIER.match(name) or keyword.iskeyword(name):
            raise ValueError(f"step name {name!r} is not a snake_case identifier")
    if len(set(names)) != len(names):
        duplicate = next(n for n in names if names.count(n) > 1)
        raise ValueError(f"two steps are named {duplicate!r}")
    if not any(s.inputs or s.outputs for s in steps):
        return {name: ((names[i - 1],) if i else ()) for i, name in enumerate(names)}
    producer: dict[str, int] = {}
    upstream: dict[str, tuple[str, ...]] = {}
    for index, step in enumerate(steps):
        before = sorted({producer[d] for d in step.inputs if d in producer})
        upstream[step.name] = tuple(names[i] for i in before)
        for dataset in step.outputs:
            producer[dataset] = index
    return upstream


def _cells(cells: Sequence[int]) -> str:
    if not cells:
        return "no cell"
    return ("cell " if len(cells) == 1 else "cells ") + ", ".join(str(c) for c in cells)


def _describe(step: Step) -> str:
    parts = [_cells(step.cells)]
    if step.inputs:
        parts.append("reads " + ", ".join(step.inputs))
    if step.outputs:
        parts.append("writes " + ", ".join(step.outputs))
    return "; ".join(parts)


def render_dag(name: str, steps: Sequence[Step], notebook: str, env_prefix: str | None = None) -> str:
    """The text of ``dags/<name>_dag.py``.

    Args:
        name: the package name (also its console script and the default ``dag_id``).
        steps: the pipeline's steps in notebook order (see :class:`Step`).
        notebook: the notebook's file name, for the header.
        env_prefix: prefix of the package's environment variables (default ``name.upper()``).

    Returns:
        Python source (ends with a newline); deterministic for the same arguments.

    Raises:
        ValueError: see :func:`dependencies`.
    """
    from nb2prod import __version__
    from nb2prod.convert.render import environment

    upstream = dependencies(steps)
    defaults = {"dag_id": name, **DEFAULT_SETTINGS, "command": name}
    context = {
        "name": name,
        "notebook": notebook,
        "env_prefix": env_prefix or name.upper(),
        "nb2prod_version": __version__,
        "steps": [
            {"name": s.name, "upstream": _tuple(upstream[s.name]), "about": _describe(s)} for s in steps
        ],
        "defaults": _python_literal(defaults),
        "operators": _python_literal(list(OPERATORS)),
    }
    return environment().get_template(DAG_TEMPLATE).render(context)


def _tuple(names: Sequence[str]) -> str:
    if not names:
        return "()"
    return "(" + ", ".join(json.dumps(n) for n in names) + ("," if len(names) == 1 else "") + ")"


def _python_literal(value: Any, indent: int = 0) -> str:
    """``value`` (dicts, lists, str, int, bool, None) as Python source, one key a line for dicts."""
    pad = " " * (indent + 4)
    if isinstance(value, Mapping):
        if not value:
            return "{}"
        items = "".join(f"{pad}{json.dumps(k)}: {_python_literal(v, indent + 4)},\n" for k, v in value.items())
        return "{\n" + items + " " * indent + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_python_literal(v, indent) for v in value) + "]"
    if value is None or isinstance(value, bool):
        return repr(value)
    if isinstance(value, (int, float)):
        return repr(value)
    return json.dumps(value, ensure_ascii=False)
