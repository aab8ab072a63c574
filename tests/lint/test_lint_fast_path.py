"""The hook's fast paths give what the general paths give: the click-free command line, and the
notebook reader next to ``load_notebook``."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from lint_helpers import DATA, REPO, code, md, write_notebook

from nb2prod.lint import fast
from nb2prod.lint.loading import read_notebook
from nb2prod.lint.rules.secret_in_output import output_text
from nb2prod.notebook import load_notebook

BAD = [md("# T"), code("import os\nprint(os.getcwd())"), code("df.dropna(inplace=True)")]


@pytest.mark.parametrize(
    "argv",
    [
        ["--help"],
        ["-h", "x.ipynb"],
        [],
        ["--exit-zero"],
        ["--select"],
        ["--select", "--exit-zero", "x.ipynb"],
        ["--format", "xml", "x.ipynb"],
        ["--format=", "x.ipynb"],
        ["--exit-zero=1", "x.ipynb"],
        ["--sel", "NB1", "x.ipynb"],
        ["-", "x.ipynb"],
        ["--unknown", "x.ipynb"],
    ],
)
def test_fast_parser_leaves_help_and_usage_errors_to_click(argv: list[str]) -> None:
    assert fast.parse(argv) is None


def test_fast_parser_reads_the_plain_forms() -> None:
    args = fast.parse(["a.ipynb", "--select", "NB1", "--select=NB4", "--ignore", "NB105", "--format=json", "--exit-zero", "--", "--b.ipynb"])
    assert args is not None
    assert (args.paths, args.select, args.ignore, args.output_format, args.exit_zero) == (
        ["a.ipynb", "--b.ipynb"], ["NB1", "NB4"], ["NB105"], "json", True,
    )


def test_unknown_codes_go_to_click_for_its_usage_error(project: Path, run) -> None:
    write_notebook(project / "bad.ipynb", BAD)
    assert fast.run(["--select", "XX9", "bad.ipynb"]) is None
    result = run("lint", "--select", "XX9", "bad.ipynb")
    assert result.code == 2
    assert "no rule matches 'XX9'" in result.err


@pytest.mark.parametrize("output_format", ["text", "json", "github"])
def test_fast_path_output_is_the_click_commands(project: Path, run, capsys: pytest.CaptureFixture[str], output_format: str) -> None:
    from nb2prod.lint.cli import lint

    write_notebook(project / "bad.ipynb", BAD)
    fast_result = run("lint", "--format", output_format, "bad.ipynb", "missing.ipynb")
    status = lint.main(["--format", output_format, "bad.ipynb", "missing.ipynb"], standalone_mode=False)
    captured = capsys.readouterr()
    assert fast_result == (status, captured.out, captured.err)
    assert fast_result.code == 2 and fast_result.out


def test_lint_runs_without_importing_click_dataclasses_or_pathlib(tmp_path: Path) -> None:
    (tmp_path / "requirements.txt").write_text("requests\n", encoding="utf-8")
    plain = write_notebook(tmp_path / "plain.ipynb", [code("import os\nimport requests, yaml\nprint(os.getcwd())")])
    script = textwrap.dedent(f"""
        import sys
        from nb2prod.cli import main
        status = main(["lint", {str(plain)!r}])
        print(status, sorted({{"click", "dataclasses", "inspect", "nb2prod.notebook", "pathlib"}} & set(sys.modules)))
    """)
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout
    assert out.splitlines()[-1] == "1 []"


def _notebooks() -> list[Path]:
    return sorted([*DATA.glob("*.ipynb"), *(REPO / "examples" / "notebooks").glob("*.ipynb")])


@pytest.mark.parametrize("path", _notebooks(), ids=lambda p: p.name)
def test_reader_gives_the_cells_load_notebook_gives(path: Path) -> None:
    ours, theirs = read_notebook(path), load_notebook(path, validate=False)
    assert (ours.path, ours.language, ours.nbformat) == (theirs.path, theirs.language, theirs.nbformat)
    assert len(ours.cells) == len(theirs.cells)
    for mine, cell in zip(ours.cells, theirs.cells):
        fields = ("number", "cell_type", "source", "id", "execution_count", "tags", "notes")
        assert [getattr(mine, f) for f in fields] == [getattr(cell, f) for f in fields]
        assert [o.get("output_type") for o in mine.outputs] == [o.get("output_type") for o in cell.outputs]
        assert [output_text(o) for o in mine.outputs] == [output_text(o) for o in cell.outputs]


@pytest.mark.parametrize(
    "document",
    [
        {"cells": [{"cell_type": "code", "source": None, "metadata": {}, "outputs": []}], "nbformat": 4, "metadata": {}},
        {"cells": [{"cell_type": "code", "source": "x", "execution_count": True, "outputs": []}], "nbformat": 4, "metadata": {}},
        {"cells": [{"cell_type": "code", "source": "x", "outputs": [{"name": "stdout"}]}], "nbformat": 4, "metadata": {}},
        {"cells": [{"cell_type": "code", "source": "x", "metadata": {"tags": "a"}}], "nbformat": 4, "metadata": {}},
        {"cells": [], "nbformat": 4, "metadata": {"kernelspec": {"name": "ir", "language": "R"}}},
        {"cells": "x", "nbformat": 4},
        [1, 2],
    ],
)
def test_reader_leaves_anything_unusual_to_load_notebook(tmp_path: Path, document: object) -> None:
    path = tmp_path / "odd.ipynb"
    path.write_text(json.dumps(document), encoding="utf-8")
    try:
        expected = load_notebook(path, validate=False)
    except Exception as exc:  # the same one-line error
        with pytest.raises(type(exc)) as raised:
            read_notebook(path)
        assert str(raised.value) == str(exc)
    else:
        got = read_notebook(path)
        assert [(c.source, c.notes) for c in got.cells] == [(c.source, c.notes) for c in expected.cells]


def test_rule_docs_are_cleaned_as_inspect_cleandoc_does() -> None:
    import inspect

    from nb2prod.lint.rule import _cleandoc
    from nb2prod.lint.rules import all_rules

    samples = [cls.__doc__ or "" for cls in all_rules().values()]
    samples += ["", "\n", "  one", "first\n\n    a\n      b\n\n", "\tx\n\ty\n", "a\n  \n    b", "\n\n  x\n  y\n\n"]
    for doc in samples:
        assert _cleandoc(doc) == inspect.cleandoc(doc)


_PIECES = [
    "%matplotlib inline", "%pip install lightgbm", "!pip install -q x", "!echo 'it''s'", "%time f(", "%timeit -n 3 g()",
    "import os", "x = 1", "    y = 2", "if x:", "if x:\n    z = 3", "def f():\n    return 1", "s = '''\n%inside\n'''",
    "t = (1,\n%foo\n)", "x = !ls", "y = %time 1", "df.head?", "# comment?", "%%time", "!!ls", "%foo \\\n bar",
    "", "   ", "\t", ">>> 1", "In [1]: x", "print('a?')", "%", "!", "%x = 1", "% spaced", "!ls \"''' \"", "  %indented",
    "class A:\n    pass", "for i in x:\n    pass", "\\", "x = [\n1,\n]", "%load_ext autoreload\n%autoreload 2",
    "a = 1 + \\\n%foo", 's = """doc\n!bang\n"""', "\x0c%foo", "%foo\r\nx = 1", "%foo\rbar", "  \n%foo", "%  foo bar  ",
    "!ls # not comment?", "x = f(%s)", "'%s' % x", "print(1 != 2)", "%foo\u2028bar", "%%capture\nx=1", "%matplotlib inline   ",
]


def test_plain_magic_lines_are_rewritten_exactly_as_ipython_does() -> None:
    """The cheap rewrite of plain %magic / !command lines, against IPython's TransformerManager on random cells."""
    import random

    from nb2prod.lint.context import _parse_plain_escapes, _transformer

    manager = _transformer()
    rng = random.Random(4)
    rewritten = 0
    for _ in range(3000):
        cell = "\n".join(rng.choice(_PIECES) for _ in range(rng.randint(1, 6))) + rng.choice(["", "\n"])
        plain = _parse_plain_escapes(cell)
        if plain is None:
            continue
        rewritten += 1
        try:
            expected = manager.transform_cell(cell)
        except Exception:
            expected = cell
        assert plain[0] == expected, cell
    assert rewritten > 500


def test_node_rules_are_called_only_for_notebooks_with_a_required_word(project: Path) -> None:
    import ast

    from nb2prod.lint.config import LintConfig
    from nb2prod.lint.context import LintNotebook
    from nb2prod.lint.engine import lint_notebook
    from nb2prod.lint.rule import Rule

    calls: list[str] = []

    class Needy(Rule):
        code, name = "NB599", "needy"
        node_types = (ast.Call,)
        requires = ("collect",)

        def check_node(self, node, cell, nb):  # type: ignore[no-untyped-def]
            calls.append(ast.unparse(node))
            return ()

    without = write_notebook(project / "a.ipynb", [code("f(1)")])
    with_word = write_notebook(project / "b.ipynb", [code("f(1)"), code("df.collect()")])
    for path in (without, with_word):
        lint_notebook(LintNotebook(read_notebook(path), path.name, LintConfig()), (Needy(),))
    assert calls == ["f(1)", "df.collect()"]


def test_url_password_search_is_the_patterns() -> None:
    import random

    from nb2prod.lint import secrets

    pattern = next(p for label, _, p in secrets.PROVIDERS if label == "URL password")
    rng = random.Random(2)
    alphabet = ["a", "z", "A", "_", "0", "+", ".", "-", ":", "/", "://", "@", "'", '"', " ", "\n", "{", "$", "***", "<",
                "password@", "é", "x", "user", "pw", "\u00b2", "http", "postgres://u:secret1@h"]
    for _ in range(20000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 25)))
        assert secrets._url_password(text) == (pattern.search(text) is not None), text
