"""Preparing cells for the rules: IPython's own magic recognition (loaded cheaply), positions in characters."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from lint_helpers import code, write_notebook


def test_magics_are_recognised_by_ipython_not_by_regex(project: Path, run) -> None:
    """A `%` or `!` inside a string or an expression is not a magic; magics do not break parsing."""
    write_notebook(project / "a.ipynb", [code("s = '''\n%not_a_magic\n'''\nx = 5 % 2\ny = x != 3\n%time z = 1\nfiles = !ls")])
    result = run("lint", "--select", "NB304,NB209", "a.ipynb")
    assert result.out.splitlines()[:-1] == [
        "a.ipynb:cell 1:6:1: NB304 magic %time works only in IPython (use Python code instead)",
        "a.ipynb:cell 1:7:9: NB304 shell escape !ls works only in IPython (use Python code instead)",
    ]


def test_columns_count_characters_not_bytes(project: Path, run) -> None:
    write_notebook(project / "a.ipynb", [code("titre = 'Ventes été'; print(titre)")])
    assert run("lint", "--select", "NB301", "a.ipynb").out.startswith("a.ipynb:cell 1:1:23: NB301")


MAGIC_CELLS = [
    "%matplotlib inline\nimport os",
    "x = !ls -la\n!pip install 'a<2'\n%time y = 1",
    "%%time\nz = 1\n",
    "df.head?\n??os.path",
    "if True:\n    %ls\n",
    "%config InlineBackend.figure_format = 'retina'\nfiles = %sx ls",
    "s = '''\n%not_a_magic\n'''\n",
]


@pytest.mark.parametrize("source", MAGIC_CELLS)
def test_fast_loaded_transformer_is_ipythons_own(source: str) -> None:
    """The transformer loaded without IPython/__init__.py rewrites cells exactly as IPython's import does."""
    script = textwrap.dedent(f"""
        import sys
        from nb2prod.lint.context import _transformer
        fast = _transformer().transform_cell({source!r})
        assert "IPython" not in sys.modules
        from IPython.core.inputtransformer2 import TransformerManager
        print(fast == TransformerManager().transform_cell({source!r}))
    """)
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "True"


EVERY_CONSTRUCT = '''
import os, sys as system
from collections import abc as collections_abc
x: int = 1
y: "str"
z += 1
a, (b, *c) = d[0], e.f = g[h] = 1, (2, 3)
if (n := len("abc")) > 2:
    pass
for i, j in enumerate([k for k in range(3) if k for _ in [k]]):
    continue
else:
    pass
async def co(p, /, q: int = 1, *r: "ann", s=lambda t, *, u=3: t + u, **v) -> "ret":
    async with open(p) as w, open(q):
        await w
    async for item in q:
        yield item
@decorator(arg=1)
class Cls(Base, metaclass=Meta, **extra):
    attr: int = 0
    def method(self) -> None:
        global x
        nonlocal_ = {key: value for key, value in {}.items()}
        return {*nonlocal_, *(1, 2)}
try:
    raise ValueError("x") from None
except (TypeError, ValueError) as error:
    del error
finally:
    assert True, "msg"
with open("f") as (fa, fb):
    pass
match command:
    case [Point(x=0, y=0), *rest] | {"k": _, **others} if rest:
        pass
    case str() as s:
        pass
value = f"{x!r:>{width}}" if x else (lambda: None)()
'''


def test_the_name_analysis_meets_every_node_once() -> None:
    """The node rules run over the nodes the name analysis met (one walk of each tree): none may be
    missing or met twice, whatever the construct."""
    import ast

    from nb2prod.lint.astutil import lean_walk
    from nb2prod.lint.context import Names, prepare_cell
    from nb2prod.lint.loading import LintCell

    cell = prepare_cell(LintCell(1, "code", EVERY_CONSTRUCT, "c1", 1, (), ()))
    assert cell.tree is not None
    met = Names([cell]).nodes[1]
    expected = list(lean_walk(cell.tree))
    assert len(met) == len(expected) == len({id(node) for node in met})
    assert {id(node) for node in met} == {id(node) for node in expected}
    assert {type(node) for node in met} >= {ast.comprehension, ast.arguments, ast.withitem, ast.keyword, ast.alias, ast.match_case}
