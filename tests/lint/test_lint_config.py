"""Settings from [tool.nb2prod.lint] in the nearest pyproject.toml, and how the command line overrides them."""

from __future__ import annotations

import textwrap
from pathlib import Path

from lint_helpers import code, write_notebook


def test_pyproject_settings_thresholds_and_selection(project: Path, run) -> None:
    (project / "pyproject.toml").write_text(textwrap.dedent("""
        [tool.nb2prod.lint]
        ignore = ["NB301"]
        max-cell-lines = 2
    """))
    write_notebook(project / "nb" / "long.ipynb", [code("a = 1\nb = 2\nc = 3\nprint(a)")])
    result = run("lint", "nb")
    assert result.out.splitlines()[0] == "nb/long.ipynb:cell 1:1:1: NB205 cell has 4 non-blank lines, more than 2 (split it into functions)"
    assert "NB301" not in result.out
    assert "NB301" in run("lint", "--select", "NB301", "nb").out  # --select replaces the configured selection


def test_pyproject_with_an_unknown_key_is_a_one_line_error(project: Path, run) -> None:
    (project / "pyproject.toml").write_text("[tool.nb2prod.lint]\nmax-cell-line = 3\n")
    write_notebook(project / "a.ipynb", [code("x = 1")])
    result = run("lint", "a.ipynb")
    assert result.code == 2
    assert result.err == f"nb2prod: {project / 'pyproject.toml'}: unknown key 'max-cell-line' in [tool.nb2prod.lint] " \
        "(known: select, ignore, max-cell-lines, max-code-cells, entropy-threshold, entropy-min-length)\n"
