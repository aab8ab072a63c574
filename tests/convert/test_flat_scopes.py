"""The fast scope analysis of flat code (nb2prod.convert.flat_scopes) gives libcst's answer.

Each step's inputs and outputs come from these reads and binds: a difference would silently change
a pipeline's dataflow. Held to libcst's ``ScopeProvider`` (steps._scoped_reads_binds, the analysis
used for code that is not flat) on hand-written cases for each rule, and on every golden case's
input and output cells, whole and statement by statement.
"""

from __future__ import annotations

import json
from pathlib import Path

import libcst as cst
import pytest

from nb2prod.convert.flat_scopes import flat_flow
from nb2prod.convert.steps import _scoped_reads_binds

GOLDEN = Path(__file__).parents[1] / "golden"
STEPS_GOLDEN = Path(__file__).parent / "steps.golden"

CASES = {
    "augmented_assignment_reads_and_binds": "x += 1\ny = x\n",
    "annotation_without_value_binds": "x: int\nz: list = y\n",
    "del_reads": "del x\n",
    "keyword_and_attribute_names_are_not_reads": "f(a=1).b.c = d\n",
    "comprehension_first_iterable_is_outside": "[x for x in x]\n{k: v for k, v in items.items() if v > t}\n",
    "nested_comprehensions": "m = [[c * r for c in row if c] for row in grid for r in row]\n",
    "lambda_params_and_defaults": "g = lambda a, *b, k=d, **kw: a + b + k + e\n",
    "read_in_the_binding_statement_counts": "for i in r:\n    print(i)\ni\n",
    "except_as_binds": "try:\n    pass\nexcept E as e:\n    log(e)\nmsg = e\n",
    "imports": "import a.b.c\nimport d as e\nfrom m import n, o as p\nfrom q import *\na.b.c.d(e, p, n, z)\n",
    "with_and_starred_targets": "with open(f) as (h, *rest):\n    first, *others = h\n",
    "f_string_reads": "print(f'{v!r:>{width}}')\n",
    "subscript_target_reads_its_frame": "df['c'] = df['a'] + 1\ndf.loc[df.a > 1, 'b'] = 0\n",
    "read_before_and_after_bind": "print(total)\ntotal = 0\ntotal = total + 1\n",
    "several_statements_on_one_line": "a = 1; b = a + c\n# a comment\nd = b\n",
    "multiline_strings_and_continuations": 'q = """\nselect *\n""" + \\\n    r\ns = q\n',
}


def _compare(code: str) -> bool:
    """Whether flat_flow agrees with libcst on ``code`` (whole and per statement); False when not flat."""
    statements = list(cst.parse_module(code).body)
    if not statements:
        return False
    flat = flat_flow(statements)
    if flat is None:
        return False
    reads, first_binds = flat
    assert (reads, set(first_binds)) == _scoped_reads_binds(statements), code
    for statement in statements:
        one = flat_flow([statement])
        assert one is not None
        assert (one[0], set(one[1])) == _scoped_reads_binds([statement]), _code(statement)
    return True


def _code(node: cst.CSTNode) -> str:
    return cst.Module(body=[]).code_for_node(node)


@pytest.mark.parametrize("code", CASES.values(), ids=CASES.keys())
def test_flat_code_reads_and_binds_as_libcst_scopes(code):
    assert _compare(code)


def test_the_rules_of_the_docstring():
    reads, binds = flat_flow(cst.parse_module(CASES["augmented_assignment_reads_and_binds"]).body)
    assert reads == {"x": 0} and binds == {"x": 0, "y": 1}
    reads, binds = flat_flow(cst.parse_module(CASES["read_before_and_after_bind"]).body)
    assert reads == {"print": 0, "total": 0} and binds == {"total": 1}
    reads, _ = flat_flow(cst.parse_module(CASES["comprehension_first_iterable_is_outside"]).body)
    assert set(reads) == {"x", "items", "t"}


@pytest.mark.parametrize(
    "code",
    ["def f():\n    return x\n", "class C:\n    y = 1\n", "if (n := len(a)) > 1:\n    pass\n", "global g\n",
     "match p:\n    case [a]:\n        pass\n", "async def h():\n    pass\n"],
)  # fmt: skip
def test_code_that_is_not_flat_goes_to_libcst(code):
    assert flat_flow(list(cst.parse_module(code).body)) is None


def _golden_cells() -> list[str]:
    cells: list[str] = []
    for path in sorted(GOLDEN.glob("*.golden")):
        block: list[str] | None = None
        for line in path.read_text().splitlines():
            if line.startswith(("=== ", "--- cell ", "+++ ")):
                if block is not None:
                    cells.append("\n".join(block) + "\n")
                block = [] if line.startswith(("--- cell ", "+++ cell ")) else None
            elif block is not None:
                block.append(line)
        if block is not None:
            cells.append("\n".join(block) + "\n")
    for block in STEPS_GOLDEN.read_text().split("\n=== ")[1:]:
        spec = json.loads(block.split("--- cells\n", 1)[1].split("+++ steps\n", 1)[0])
        code = [item if isinstance(item, str) else item[0] for item in spec]
        cells.extend(c for c in code if not c.startswith("md:"))
        cells.append("\n".join(c for c in code if not c.startswith("md:")) + "\n")
    return cells


def test_every_golden_cell_agrees_with_libcst():
    compared = 0
    for code in _golden_cells():
        try:
            cst.parse_module(code)
        except cst.ParserSyntaxError:
            continue  # magics, cells that do not parse (the engine reports them)
        compared += _compare(code)
    assert compared > 500  # the golden cases hold more than 500 flat cells
