"""Qualified names of flat code from its bindings (nb2prod.convert.qualified_names) are libcst's.

The logging and pandas passes decide what a call is (``pandas.read_csv``, ``builtins.print``, a
notebook's own ``df.groupby``) from these names: a wrong one would convert a call that is not
pandas, or leave pandas unconverted. Held to libcst's ``ScopeProvider`` on hand-written cases for
each rule and on every query the passes make while converting every golden case.
"""

from __future__ import annotations

import libcst as cst
import pytest
from libcst.metadata import MetadataWrapper, PositionProvider, QualifiedNameProvider

from nb2prod.convert.engine import rewrite_sources
from nb2prod.convert.passes import base
from nb2prod.convert.qualified_names import QualifiedNames
from nb2prod.convert.schemas import INPUT_DIR

from ..test_golden import GOLDEN_DIR, parse_golden

CASES = {
    "import_alias": "import pandas as pd\ndf = pd.read_csv('x')\npd.concat([df])\n",
    "from_import_and_alias": "from os import path as p, sep\np.join(sep)\n",
    "builtin_and_unknown": "print(len(x))\nundefined_function()\n",
    "builtin_rebound_later": "print(1)\nprint = log\nprint(2)\n",
    "read_before_import": "display(df)\nfrom IPython.display import display\ndisplay(df)\n",
    "local_chain": "df = load()\ndf.groupby('a').mean().reset_index()\ndf['b'].sum()\n",
    "import_and_local": "import numpy as np\nnp = np.array\nnp([1])\n",
    "same_statement": "import pandas as pd; pd.read_csv('x')\nfor x in y:\n    x.f()\n",
    "lambda_and_comprehension": "import pandas as pd\ns.apply(lambda pd: pd.x)\n[pd.f(v) for v in vs]\nvs = 1\n",
    "later_binding_in_a_lambda_statement": "s.apply(lambda v: total(v))\ntotal = sum\n",
    "relative_import": "from . import helpers\nfrom .. import b as c\nhelpers.run(c)\n",
    "dotted_import_is_not_flat": "import os.path\nos.path.join('a')\n",
    "except_with_and_for_bind": "try:\n    f()\nexcept E as e:\n    e.g()\nwith open(p) as h, g() as (a, b):\n    h.read(a)\nfor i, j in k:\n    i.m(j)\n",
}


def _queries(module: cst.Module) -> list[cst.CSTNode]:
    """What the passes ask about: callees, attribute chains and names."""
    found: list[cst.CSTNode] = []

    class _Visit(cst.CSTVisitor):
        def visit_Call(self, node: cst.Call) -> None:
            found.append(node.func)

        def visit_Attribute(self, node: cst.Attribute) -> None:
            found.append(node)

        def visit_Name(self, node: cst.Name) -> None:
            found.append(node)

    module.visit(_Visit())
    return found


@pytest.mark.parametrize("name", sorted(CASES))
def test_qualified_names_are_libcsts(name: str) -> None:
    code = CASES[name]
    module = cst.parse_module(code)
    names = QualifiedNames.of(code)
    if name.endswith("_is_not_flat"):
        assert names is None
        return
    assert names is not None
    wrapper = MetadataWrapper(module, unsafe_skip_copy=True)
    positions = wrapper.resolve(PositionProvider)
    expected = wrapper.resolve(QualifiedNameProvider)
    answered = 0
    for node in _queries(wrapper.module):
        got = names.names_for(node, positions[node].start.line)
        if got is not None:
            answered += 1
            want = expected[node]
            assert got == set(want() if callable(want) else want), cst.Module([]).code_for_node(node)
    assert answered, "no query answered without libcst"


def test_read_of_an_import_is_the_imported_name() -> None:
    code = "import pandas as pd\nframe = pd.read_csv('x')\n"
    module = cst.parse_module(code)
    call = module.body[1].body[0].value
    names = QualifiedNames.of(code)
    assert names is not None
    assert {q.name for q in names.names_for(call.func, 2)} == {"pandas.read_csv"}


def test_every_golden_query_gets_libcsts_answer(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every golden case converted with each answer from the bindings compared to libcst's."""
    monkeypatch.setattr(base, "_CHECK_NAMES", True)
    monkeypatch.setattr(base, "NAME_MISMATCHES", [])
    answered = 0
    original = QualifiedNames.names_for

    def counting(self, node, line):
        nonlocal answered
        got = original(self, node, line)
        answered += got is not None
        return got

    monkeypatch.setattr(QualifiedNames, "names_for", counting)
    token = INPUT_DIR.set(GOLDEN_DIR / "data")
    try:
        for path in sorted(GOLDEN_DIR.glob("*.golden")):
            for case in parse_golden(path).cases:
                rewrite_sources(case.inputs)
    finally:
        INPUT_DIR.reset(token)
    assert base.NAME_MISMATCHES == []
    assert answered > 1000  # the golden cells are mostly flat: most queries answered from the bindings


RENAME_CELLS = [
    "import pandas as pd\nimport a.config as c\nconfig = {'path': 'x.csv'}\nsettings = 3\n",
    "df = pd.read_csv(config['path'])\nrun(config=config, other=c.config)\nlabels = [config for _ in range(2)]\n",
    "total = settings + sum(v for v in [1, 2])\ndel settings\nlimit = 5\nlimit = 6\n",
]


def test_config_pass_on_flat_code_is_libcsts(monkeypatch: pytest.MonkeyPatch) -> None:
    """On flat code the config pass decides from the bindings what libcst's scopes decide (a name
    bound once moves to the config; a name bound twice stays); the notebook's own ``config`` and
    ``settings`` are still renamed where they are names (names pass), never as an attribute's or a
    keyword's name or inside an import."""
    monkeypatch.setattr(base, "_CHECK_NAMES", True)
    monkeypatch.setattr(base, "NAME_MISMATCHES", [])
    result = rewrite_sources(RENAME_CELLS)
    assert base.NAME_MISMATCHES == []
    code = "\n".join(cell.generated for cell in result.cells)
    assert "notebook_config = {" in code and "notebook_settings = config[" in code
    assert "run(config=notebook_config, other=c.config)" in code
    assert "import a.config as c" in code
    assert "[notebook_config for _ in range(2)]" in code
    assert "del notebook_settings" in code
    assert "limit = 5\nlimit = 6" in code  # bound twice: a variable, not configuration

