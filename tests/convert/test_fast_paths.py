"""The shortcuts taken for speed give what libcst's slower general machinery gives."""

from __future__ import annotations

import libcst as cst
import pytest
from libcst._metadata_dependent import LazyValue
from libcst.metadata import MetadataWrapper, QualifiedNameProvider

from nb2prod.convert.engine import rewrite_sources
from nb2prod.convert.passes.base import CellPass, PassContext, shares_nodes
from nb2prod.convert.passes.http_pass import HttpPass
from nb2prod.convert.passes.magics import MagicsPass
from nb2prod.convert.render import _remove_unused_imports_command, _unreferenced_imports, remove_unused_imports

#: modules whose unused imports are removed; the expected text is what libcst's command writes
MODULES = [
    "import os\nimport sys\nprint(os.getcwd())\n",
    "import os, sys, re\nprint(sys)\n",
    "from a import (b,  # c1\n  c,  # c2\n  d)\nprint(d)\n",
    "from a import (b,  # c1\n  c,  # c2\n  d,\n)\nprint(c)\n",
    "from x import (\n    a, # keep me\n    b,\n)\nprint(b)\n",
    "import a.b.c\nprint(a.b)\n",
    "import a.b.c\n",
    "from __future__ import annotations\nimport x\n",
    "from m import *\nimport y\n",
    "def run():\n    import os\n    import sys\n    print(sys)\n",
    "def run():\n    if x:\n        import os, re\n    print(re)\n",
    "import os\ndef run():\n    os = 1\n    print(os)\n",
    "import os\ndef run():\n    def f():\n        return os.path\n",
    "import json\nclass A:\n    json = 1\n    y = json\n",
    "import a, b\nimport c; import d\nprint(d)\n",
    "import numpy as np\nimport re\ndef f(x):\n    return np.sum(x)\n",
    "import pandas as pd\nimport numpy as np\nvalues = [np.nan for _ in range(3)]\nf = lambda s: pd.Series(s)\n",
    "import os\nimport sys\ndel os\n",
    "from m import (a as b,\n    c)\nclass K:\n    x = c\n",
    # what scopes alone do not decide: the command itself runs
    "import os  # noqa\nimport sys\n",
    "import os\n__all__ = ['os']\n",
    "import numpy as np\ndef f(a: 'np.ndarray'):\n    pass\n",
    "import os as a\nimport os as b\nprint(a)\n",
]


@pytest.mark.parametrize("code", MODULES)
def test_unused_imports_are_removed_as_libcst_removes_them(code):
    """One scope analysis gives the text libcst's RemoveUnusedImportsCommand gives."""
    assert remove_unused_imports(code) == _remove_unused_imports_command(cst.parse_module(code))


def test_most_modules_are_decided_without_scopes():
    """Where no name an import binds is bound otherwise, reading the module's names decides (the cases
    above then check that answer against libcst's command); elsewhere the scopes do."""
    assert _unreferenced_imports("import numpy as np\nimport re\ndef f(x):\n    return np.sum(x)\n") == {"re"}
    assert _unreferenced_imports("import os\ndef run():\n    os = 1\n    print(os)\n") is None  # shadowed
    assert _unreferenced_imports("import a.b.c\nprint(a.b)\n") is None  # dotted: references per dotted name
    assert _unreferenced_imports("import os as a\nimport sys as a\n") is None


def test_a_try_left_with_nothing_to_do_is_removed():
    """Where libcst's command leaves `try: pass / except ImportError: pass` (jorisvandenbossche's optional
    seaborn import), nothing is left; a handler that does something keeps its try."""
    code = "def setup():\n    try:\n        import seaborn\n    except ImportError:\n        pass\n    x = 1\n"
    assert remove_unused_imports(code) == "def setup():\n    x = 1\n"
    kept = "try:\n    import ujson as json\nexcept ImportError:\n    json = None\n"
    assert remove_unused_imports(kept) == "try:\n    pass\nexcept ImportError:\n    json = None\n"


def test_an_unused_import_is_removed_and_a_used_one_kept():
    assert remove_unused_imports("import os\nimport sys\nprint(sys.argv)\n") == "import sys\nprint(sys.argv)\n"


def test_shared_nodes_are_found():
    """A node object in two places of a tree is found (the next pass then copies the tree)."""
    module = cst.parse_module("x = 1\ny = 2\n")
    assert not shares_nodes(module)
    shared = module.with_changes(body=[module.body[0], module.body[0]])
    assert shares_nodes(shared)


def test_the_passes_output_shares_no_node():
    """No pass leaves a node in two places, so no pass but the first pays for a copy (shown on a
    notebook-like module with magics, prints, config values and pandas)."""
    from nb2prod.convert.cells import join_cells, prepare_cells
    from nb2prod.convert.engine import PASSES
    from nb2prod.convert.passes.base import state_of
    from nb2prod.notebook import Cell

    sources = [
        "%matplotlib inline\nimport pandas as pd\nDATA = 'data/flights.csv'\nTHRESHOLD = 60",
        "df = pd.read_csv(DATA)\nprint(f'{len(df)} rows, {df.shape[1]:d} columns')\ndf.head()",
        "late = df[df['dep_delay'] > THRESHOLD]\nlate['gain'] = late['dep_delay'] - late['arr_delay']\n"
        "s = late.groupby('carrier')['gain'].mean()\nprint(s)\ndisplay(late)",
    ]
    cells = tuple(Cell(number=i, cell_type="code", source=s, id=f"c{i}") for i, s in enumerate(sources, 1))
    context = PassContext()
    state_of(context)
    module = join_cells(prepare_cells(cells))
    for pass_cls in PASSES:
        module = pass_cls(context).transform_module(module)
        assert not shares_nodes(module), pass_cls.__name__


def test_qualified_names_are_those_of_libcsts_provider():
    """CellPass answers QualifiedNameProvider from the scopes as libcst's provider does."""
    code = "import pandas as pd\nfrom os import path as p\ndef f(x):\n    return pd.read_csv(x), p.join(x)\nf('a').b\n"
    module = cst.parse_module(code)
    expected = MetadataWrapper(module, unsafe_skip_copy=True).resolve(QualifiedNameProvider)
    seen = {}

    class Probe(CellPass):
        METADATA_DEPENDENCIES = (*CellPass.METADATA_DEPENDENCIES, QualifiedNameProvider)

        def on_visit(self, node):
            seen[node] = self.get_metadata(QualifiedNameProvider, node)
            return True

    Probe(PassContext()).transform_module(module, copy=False)
    assert seen.keys() == expected.keys()
    assert all(seen[node] == (v() if isinstance(v := expected[node], LazyValue) else v) for node in seen)
    assert any(q.name == "pandas.read_csv" for names in seen.values() for q in names)
    probe = Probe(PassContext())
    with probe.resolve(MetadataWrapper(module, unsafe_skip_copy=True)):
        assert probe.get_metadata(QualifiedNameProvider, cst.Name("new"), "default") == "default"
        with pytest.raises(KeyError):
            probe.get_metadata(QualifiedNameProvider, cst.Name("new"))


def test_the_magics_pass_is_skipped_only_without_get_ipython():
    assert not MagicsPass.needed("import pandas as pd\nprint(1)\n")
    assert MagicsPass.needed("get_ipython().run_line_magic('pip', 'install x')\n")
    result = rewrite_sources(["%pip install pyyaml\nimport yaml", "x = 1"])
    assert "pyyaml" in result.state.requirements


def test_the_http_pass_is_skipped_only_without_requests_or_urlopen():
    assert not HttpPass.needed("import pandas as pd\nurl = 'http://x'\ndf = pd.read_csv(url)\n")
    assert HttpPass.needed("import requests as rq\nr = rq.get(u)\n")
    assert HttpPass.needed("from urllib import request\nbody = request.urlopen(u).read()\n")
    # through rewrite_sources (the passes as convert runs them): skipped or not, the same result
    converted = rewrite_sources(["from urllib import request as rq", "body = rq.urlopen(u).read()"])
    assert "web.urlopen(u)" in converted.cells[1].generated
    untouched = rewrite_sources(["import urllib3", "pool = urllib3.PoolManager()"])
    assert untouched.cells[1].generated.strip() == "pool = urllib3.PoolManager()"
