"""Names are matched by meaning, not spelling: `np.random.rand` and `from numpy.random import rand` are the same call."""

from __future__ import annotations

import ast

import pytest

from nb2prod.lint.astutil import ipython_call, method_chain, qualified_name

IMPORTS = {"np": "numpy", "npr": "numpy.random", "F": "pyspark.sql.functions", "show": "pprint.pprint"}


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("np.random.rand", "numpy.random.rand"),
        ("npr.rand", "numpy.random.rand"),
        ("F.rand", "pyspark.sql.functions.rand"),
        ("show", "pprint.pprint"),
        ("print", "print"),
        ("df.head", "df.head"),
        ("df['a'].head", None),
    ],
)
def test_qualified_name(expression: str, expected: str | None) -> None:
    assert qualified_name(ast.parse(expression, mode="eval").body, IMPORTS) == expected


def test_method_chain_lists_calls_along_the_receiver() -> None:
    call = ast.parse("spark.table('t').filter('x').limit(5).collect()", mode="eval").body
    assert method_chain(call.func.value) == ["limit", "filter", "table"]


def test_ipython_calls_from_transformed_magics() -> None:
    def first_call(code: str) -> ast.Call:
        return next(n for n in ast.walk(ast.parse(code)) if isinstance(n, ast.Call))

    assert ipython_call(first_call("get_ipython().run_line_magic('pip', 'install x')")) == ("line", "pip", "install x")
    assert ipython_call(first_call("get_ipython().run_cell_magic('time', '', 'x=1')")) == ("cell", "time", "")
    assert ipython_call(first_call("x = get_ipython().getoutput('ls -la')")) == ("shell", "ls", "ls -la")
    assert ipython_call(first_call("get_ipython().run_line_magic('pinfo', 'df')")) == ("help", "pinfo", "df")
    assert ipython_call(first_call("shell.run_line_magic('time', '')")) is None
