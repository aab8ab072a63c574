"""Golden tests of the step model (src/nb2prod/convert/steps.py) and the generated pipeline.py.

Each case in ``tests/convert/steps.golden`` is notebook cells in (markdown, code, tags), the exact
step list out (name, cells, inputs, outputs) and the exact module body of the generated
``pipeline.py`` (helpers, step functions, ``run``, ``STEPS``; ``run``'s docstring, the same in
every case, is left out). Format::

    === case_name
    What the case checks.
    --- cells
    ["md:## Load", "flights = ...", ["n = len(flights)", ["step:count"]]]
    +++ steps
    [["load", [2], [], ["flights"]], ...]
    +++ pipeline
    <code>

A cell is a string (``md:`` starts a markdown cell) or ``[source, [tags]]``. Cases named
``*_todo`` are what is right and not done yet (``xfail(strict=True)``); ``pytest --update-golden``
rewrites the expected blocks of the others (read the diff).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from nb2prod.convert.engine import rewrite_cells
from nb2prod.convert.render import pipeline_module
from nb2prod.notebook import Cell

GOLDEN = Path(__file__).parent / "steps.golden"
_RUN_DOC = re.compile(r'(def run\(spark: SparkSession, config: Mapping\[str, Any\]\) -> dict\[str, Any\]:\n)    """.*?"""\n', re.S)


def _cases() -> list[dict]:
    cases = []
    for block in GOLDEN.read_text().split("\n=== ")[1:]:
        name, rest = block.split("\n", 1)
        description, rest = rest.split("--- cells\n", 1)
        cells, rest = rest.split("+++ steps\n", 1)
        steps, pipeline = rest.split("+++ pipeline\n", 1) if "+++ pipeline\n" in rest else (rest, None)
        cases.append({"name": name.strip(), "description": description.strip(), "cells": json.loads(cells),
                      "steps": json.loads(steps), "pipeline": pipeline.rstrip("\n") + "\n" if pipeline is not None else None})  # fmt: skip
    return cases


def _notebook(spec: list) -> list[Cell]:
    cells = []
    for number, item in enumerate(spec, start=1):
        source, tags = (item, []) if isinstance(item, str) else item
        if source.startswith("md:"):
            cells.append(Cell(number=number, cell_type="markdown", source=source[3:], id=f"c{number}"))
        else:
            cells.append(Cell(number=number, cell_type="code", source=source, id=f"c{number}", tags=tuple(tags)))
    return cells


def convert(spec: list) -> tuple[list, str]:
    """(the step list as [name, cells, inputs, outputs], the pipeline module's body) for notebook cells."""
    cells = _notebook(spec)
    rewritten = rewrite_cells(tuple(c for c in cells if c.cell_type == "code"))
    _, body, steps, _ = pipeline_module(rewritten, "demo", "demo.ipynb", cells)
    listed = [[s["name"], s["cells"], s["inputs"], s["outputs"]] for s in steps]
    return listed, _RUN_DOC.sub(r"\1", body)


CASES = _cases()


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_steps_golden(case, request):
    """The cells split into the expected steps, with the expected inputs and outputs and code."""
    if case["name"].endswith("_todo"):
        request.applymarker(pytest.mark.xfail(strict=True, reason="not done yet: " + case["description"]))
    steps, body = convert(case["cells"])
    if request.config.getoption("--update-golden") and not case["name"].endswith("_todo"):
        _update(case["name"], steps, body)
        return
    assert steps == case["steps"]
    if case["pipeline"] is not None:
        assert body == case["pipeline"]
        compile(body, "pipeline.py", "exec")


def _update(name: str, steps: list, body: str) -> None:
    text = GOLDEN.read_text()
    start = text.index(f"\n=== {name}\n")
    end = text.find("\n=== ", start + 1)
    end = len(text) if end == -1 else end
    block = text[start:end]
    head = block.split("+++ steps\n", 1)[0]
    new = f"{head}+++ steps\n{json.dumps(steps)}\n+++ pipeline\n{body.rstrip()}\n"
    GOLDEN.write_text(text[:start] + new + text[end:])


def test_every_case_compiles_and_names_are_identifiers():
    """Every generated module compiles; step names are unique identifiers."""
    for case in CASES:
        steps, body = convert(case["cells"])
        compile(body, case["name"], "exec")
        names = [s[0] for s in steps]
        assert len(set(names)) == len(names) and all(n.isidentifier() for n in names), case["name"]


def test_run_reads_only_names_it_binds():
    """run() reads only its parameters, what it binds (step results, driver, web) and module names:
    a name it releases or returns that a step kept to itself would be a NameError after the run."""
    import ast
    import builtins

    for case in CASES:
        _, body = convert(case["cells"])
        tree = ast.parse(body)
        module = {n.name for n in tree.body if isinstance(n, (ast.FunctionDef, ast.ClassDef))}
        module |= {t.id for n in tree.body if isinstance(n, ast.Assign) for t in n.targets if isinstance(t, ast.Name)}
        module |= {"log", "compat", "http_client", "logging"} | set(dir(builtins))
        run = next(n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == "run")
        names = [n for statement in run.body for n in ast.walk(statement) if isinstance(n, ast.Name)]
        bound = {a.arg for a in run.args.args} | {n.id for n in names if isinstance(n.ctx, ast.Store)}
        read = {n.id for n in names if isinstance(n.ctx, ast.Load)}
        assert read <= bound | module, f"{case['name']}: run() reads {sorted(read - bound - module)}"


def test_plan_for_gives_the_steps_pipeline_py_has():
    """Other generated files (a scheduler's DAG) read the same steps as pipeline.py: name, cells, inputs, outputs."""
    from nb2prod.convert.render import plan_for

    for case in CASES:
        cells = _notebook(case["cells"])
        rewritten = rewrite_cells(tuple(c for c in cells if c.cell_type == "code"))
        planned = [[s.name, list(s.cells), list(s.inputs), list(s.outputs)] for s in plan_for(rewritten, cells).steps]
        assert planned == convert(case["cells"])[0], case["name"]


def test_dead_step_is_reported_and_left_out_of_run_and_the_dag(tmp_path):
    """A user reading CONVERSION.md (or conversion.json) learns which steps run() skips and why; the DAG has no task for them.

    jorisvandenbossche's tutorials: a "some theory" section built from literals that nothing reads.
    """
    from nb2prod.convert.package import convert_notebook
    from tests.convert.conftest import write_notebook

    (tmp_path / "countries.csv").write_text("country,population,area\nBelgium,11.3,30510\nFrance,64.3,671308\n")
    notebook = write_notebook(tmp_path / "tour.ipynb", [
        "import pandas as pd",
        "# md:## Load", 'countries = pd.read_csv("countries.csv")',
        "# md:## Some theory", "s = pd.Series([0.1, 0.2, 0.3], index=['a', 'b', 'c'])\ns.values",
        "# md:## Density", "countries['density'] = countries['population'] / countries['area']\ncountries.to_csv(\"out.csv\")",
    ])  # fmt: skip
    result = convert_notebook(notebook, tmp_path / "out")
    report = json.loads((result.outdir / "conversion.json").read_text())
    assert report["steps_not_run"] == [
        "step some_theory (cell 5) is not run by run(): s is built from literals only and read by no step that runs, "
        "and it writes, logs and draws nothing"
    ]
    assert "## Steps run() does not call" in (result.outdir / "CONVERSION.md").read_text()
    assert "- step some_theory (cell 5) is not run by run()" in (result.outdir / "CONVERSION.md").read_text()
    pipeline = (result.outdir / "src" / result.name / "pipeline.py").read_text()
    assert "def some_theory()" in pipeline and "s = some_theory()" not in pipeline
    dag = next((result.outdir / "dags").glob("*.py")).read_text()
    assert "density" in dag and "some_theory" not in dag
