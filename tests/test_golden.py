"""Golden tests: notebook cells in, exact generated cells out, one file per rule and pass.

Every ``tests/golden/<module>.golden`` file holds the cases for the rule module
``src/nb2prod/convert/rules/<module>.py`` or the pass
``src/nb2prod/convert/passes/<module>.py``. A file is a header (comment lines)
followed by cases::

    === sort_one_column
    A sentence saying what the case checks (optional).
    --- cell 1
    <input code of cell 1>
    --- cell 2
    <input code of cell 2, if the case has more than one cell>
    +++ cell 1: converted
    <exact code generated for cell 1>
    +++ cell 2: partial
    <exact code generated for cell 2>
    +++ events
    1 PS101 converted
    2 PS111 converted
    +++ state
    config = {"input_flights": "flights.csv"}

``+++ cell N: STATUS`` gives the cell's status and its generated code (empty
for a dropped cell). ``+++ events`` lists every event the passes reported, in
order, as ``CELL CODE OUTCOME``; no block means no event. ``+++ state`` lists
the non-empty ``config`` / ``env_vars`` / ``requirements`` collected; no block
means all empty. Blocks end at the next marker line; trailing blank lines of a
block are not part of it.

Case names:

* ``noop_*``: no ``+++ cell`` blocks; every cell must come back unchanged.
* ``*_todo``: the expected output is what is *right*, and the engine does not
  produce it yet. The test is ``xfail(strict=True)``: it starts failing (XPASS)
  once the engine is fixed, so the case can be renamed.

The cells run through every pass (magics, names, logging, http, config, pandas, cache), as
``nb2prod convert`` runs them, with the notebook's directory ``tests/golden/data/``:
a relative input path a case names (``pd.read_csv("stations.csv")``) is that folder's
file, for what a rule reads from a file at convert time (a CSV's header). ``pytest --update-golden`` rewrites the
expected blocks of every case except ``noop_*`` cells and ``*_todo`` cases from
what the engine produces now; read the diff before committing it.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from nb2prod.convert.audit import audit_pipeline
from nb2prod.convert.engine import Rewritten, rewrite_sources
from nb2prod.convert.schemas import INPUT_DIR

GOLDEN_DIR = Path(__file__).parent / "golden"
STATE_FIELDS = ("config", "env_vars", "requirements")
_CASE = re.compile(r"^=== (\S+)$")
_INPUT = re.compile(r"^--- cell (\d+)$")
_OUTPUT = re.compile(r"^\+\+\+ cell (\d+): (converted|partial|not-converted|dropped)$")
_MARKER = re.compile(r"^(===|---|\+\+\+) ")


@dataclass
class Case:
    """One golden case: input cells and what the engine must produce for them."""

    name: str
    description: str = ""
    inputs: list[str] = field(default_factory=list)
    outputs: list[tuple[str, str]] = field(default_factory=list)  # (status, generated code)
    events: list[str] = field(default_factory=list)  # "CELL CODE OUTCOME"
    state: dict[str, object] = field(default_factory=dict)

    @property
    def noop(self) -> bool:
        return self.name.startswith("noop_")

    @property
    def todo(self) -> bool:
        return self.name.endswith("_todo")

    def render(self) -> str:
        head = f"=== {self.name}\n"
        if self.description:
            head += self.description.rstrip("\n") + "\n"
        parts = [head]
        for number, source in enumerate(self.inputs, start=1):
            parts.append(f"--- cell {number}\n{_block(source)}")
        if not self.noop:
            for number, (status, code) in enumerate(self.outputs, start=1):
                parts.append(f"+++ cell {number}: {status}\n{_block(code)}")
        if self.events:
            parts.append("+++ events\n" + "".join(f"{e}\n" for e in self.events))
        if self.state:
            parts.append("+++ state\n" + "".join(f"{k} = {self.state[k]!r}\n" for k in STATE_FIELDS if k in self.state))
        return "\n".join(parts)


@dataclass
class GoldenFile:
    path: Path
    header: str
    cases: list[Case]

    def render(self) -> str:
        return "\n".join([self.header.rstrip("\n") + "\n", *(c.render() for c in self.cases)])


def _block(code: str) -> str:
    return code if code.endswith("\n") or not code else code + "\n"


def _text(lines: list[str]) -> str:
    while lines and not lines[-1].strip():
        lines = lines[:-1]
    return "".join(f"{line}\n" for line in lines)


def parse_golden(path: Path) -> GoldenFile:
    """Read a golden file; raise ValueError with the line number on malformed input."""
    header: list[str] = []
    cases: list[Case] = []
    block: tuple[str, int | None, str | None] | None = None  # (kind, cell, status)
    lines: list[str] = []

    def close() -> None:
        if block is None:
            if cases:
                cases[-1].description = _text(lines).rstrip("\n")
            else:
                header.extend(lines)
            return
        kind, number, status = block
        case = cases[-1]
        text = _text(lines)
        if kind == "input":
            if number != len(case.inputs) + 1:
                raise ValueError(f"{path.name}: case {case.name}: input cells must be numbered 1, 2, ...")
            case.inputs.append(text)
        elif kind == "output":
            if number != len(case.outputs) + 1:
                raise ValueError(f"{path.name}: case {case.name}: output cells must be numbered 1, 2, ...")
            case.outputs.append((status, text))
        elif kind == "events":
            case.events = [" ".join(line.split()) for line in text.splitlines()]
        elif kind == "state":
            for line in text.splitlines():
                key, _, value = line.partition(" = ")
                if key not in STATE_FIELDS:
                    raise ValueError(f"{path.name}: case {case.name}: unknown state field {key!r}")
                case.state[key] = ast.literal_eval(value)

    for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not _MARKER.match(line):
            lines.append(line)
            continue
        close()
        lines = []
        if m := _CASE.match(line):
            if any(c.name == m.group(1) for c in cases):
                raise ValueError(f"{path.name}:{lineno}: duplicate case {m.group(1)}")
            cases.append(Case(m.group(1)))
            block = None
        elif not cases:
            raise ValueError(f"{path.name}:{lineno}: block before the first case")
        elif m := _INPUT.match(line):
            block = ("input", int(m.group(1)), None)
        elif m := _OUTPUT.match(line):
            block = ("output", int(m.group(1)), m.group(2))
        elif line == "+++ events":
            block = ("events", None, None)
        elif line == "+++ state":
            block = ("state", None, None)
        else:
            raise ValueError(f"{path.name}:{lineno}: unknown marker {line!r}")
    close()
    for case in cases:
        if not case.inputs:
            raise ValueError(f"{path.name}: case {case.name} has no input cell")
        if case.noop and case.outputs:
            raise ValueError(f"{path.name}: noop case {case.name} must not have +++ cell blocks")
        if not case.noop and len(case.outputs) != len(case.inputs):
            raise ValueError(f"{path.name}: case {case.name} needs one +++ cell block per input cell")
    return GoldenFile(path, "\n".join(header), cases)


def golden_files() -> list[Path]:
    return sorted(GOLDEN_DIR.glob("*.golden"))


def actual_case(case: Case, result: Rewritten) -> Case:
    """``case`` with its expected blocks replaced by what the engine produced."""
    state = {}
    for key in STATE_FIELDS:
        value = getattr(result.state, key)
        if value:
            state[key] = dict(value) if isinstance(value, dict) else list(value)
    return Case(
        name=case.name,
        description=case.description,
        inputs=list(case.inputs),
        outputs=[(c.status, c.generated) for c in result.cells],
        events=[f"{c.number} {e.code} {e.outcome}" for c in result.cells for e in c.events],
        state=state,
    )


def _params():
    params = []
    for path in golden_files():
        for case in parse_golden(path).cases:
            marks = [pytest.mark.xfail(strict=True, reason="known gap: see the case's description")] if case.todo else []
            params.append(pytest.param(path, case, id=f"{path.stem}::{case.name}", marks=marks))
    return params


@pytest.fixture
def update_golden(request) -> bool:
    return bool(request.config.getoption("--update-golden", default=False))


def pipeline_text(result: Rewritten) -> str:
    """The cells' generated code as the body of a pipeline function, one ``with step`` block per cell."""
    blocks = []
    for cell in result.cells:
        if cell.generated.strip():
            body = "\n".join("        " + line if line.strip() else "" for line in cell.generated.splitlines())
            blocks.append(f'    with step("cell {cell.number}"):\n{body}\n')
    return "def run(spark, config):\n    driver = None\n" + "".join(blocks)


@pytest.mark.parametrize(("path", "case"), _params())
def test_golden(path: Path, case: Case, update_golden: bool) -> None:
    """The engine turns the case's cells into exactly the expected cells, events and state.

    Whatever the case, the generated pipeline compiles and the audit finds no pandas-only API on
    a Spark value outside the driver tier (nb2prod.convert.audit).
    """
    token = INPUT_DIR.set(GOLDEN_DIR / "data")  # the files a case reads at convert time (a CSV's header)
    try:
        result = rewrite_sources(case.inputs)
    finally:
        INPUT_DIR.reset(token)
    if not case.todo:
        pipeline = pipeline_text(result)
        compile(pipeline, f"{case.name}.py", "exec")
        assert audit_pipeline(pipeline) == [], f"{case.name}: pandas-only API on a Spark value"
    actual = actual_case(case, result)
    if case.noop:
        # the input is the expectation: what must come back unchanged
        actual_outputs = [code for _, code in actual.outputs]
        assert actual_outputs == case.inputs, f"{case.name}: a noop case was rewritten"
    if update_golden and not case.todo:
        golden = parse_golden(path)
        golden.cases = [actual if c.name == case.name else c for c in golden.cases]
        path.write_text(golden.render(), encoding="utf-8")
        return
    if case.noop:
        actual.outputs = []
    # comparing the rendered forms shows a readable diff of the whole case on failure
    assert actual.render() == case.render()


@pytest.mark.parametrize("path", golden_files(), ids=lambda p: p.stem)
def test_golden_file_is_canonical(path: Path) -> None:
    """Files are kept in the form --update-golden writes, so updates give clean diffs."""
    golden = parse_golden(path)
    assert golden.render() == path.read_text(encoding="utf-8")


@pytest.mark.parametrize("path", golden_files(), ids=lambda p: p.stem)
def test_golden_file_has_noop_and_rewrite_cases(path: Path) -> None:
    """Each rule or pass shows both what it rewrites and what it must leave alone."""
    cases = parse_golden(path).cases
    assert any(c.noop for c in cases), f"{path.name} has no noop_ case"
    assert sum(1 for c in cases if not c.noop and not c.todo) >= 2, f"{path.name} needs 2+ rewrite cases"


def test_golden_format_round_trip(tmp_path: Path) -> None:
    """A case survives render and parse unchanged, blank lines inside cells included."""
    case = Case(
        name="two_cells",
        description="Two cells, one with a blank line inside.",
        inputs=["import pandas as pd\n\nx = 1\n", "y = 2\n"],
        outputs=[("converted", "import pandas as pd\n\nx = 1\n"), ("dropped", "")],
        events=["2 LG103 dropped"],
        state={"config": {"x": 1}, "requirements": ["seaborn"]},
    )
    path = tmp_path / "sample.golden"
    path.write_text(GoldenFile(path, "# header", [case]).render(), encoding="utf-8")
    assert parse_golden(path).cases == [case]
