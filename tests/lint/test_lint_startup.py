"""The hook's start-up shortcuts: pathlib without urllib.parse, rule modules from their bytecode, and
the one-search literal pre-check of the secret patterns."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

from lint_helpers import code, write_notebook

from nb2prod.lint import secrets


def _python(script: str, env: dict[str, str] | None = None) -> str:
    return subprocess.run([sys.executable, "-c", textwrap.dedent(script)], capture_output=True, text=True, check=True, env=env).stdout


def test_fast_path_imports_pathlib_without_urllib_and_as_uri_still_works(tmp_path: Path) -> None:
    plain = write_notebook(tmp_path / "plain.ipynb", [code("import os\nprint(os.getcwd())")])
    out = _python(f"""
        import sys
        from nb2prod.cli import main
        status = main(["lint", {str(plain)!r}])
        before = sorted({{"urllib.parse", "ipaddress"}} & set(sys.modules))
        import pathlib
        uri = pathlib.Path("/tmp/a b").as_uri()
        import urllib.parse
        print(status, before, uri, urllib.parse.quote("a b"), hasattr(urllib.parse, "urlsplit"))
    """)
    assert out.splitlines()[-1] == "1 [] file:///tmp/a%20b a%20b True"


def test_rule_modules_load_from_bytecode_as_by_import(tmp_path: Path) -> None:
    env = dict(os.environ, PYTHONPYCACHEPREFIX=str(tmp_path / "pyc"))
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    script = """
        import sys
        import nb2prod.lint.rules as package
        from nb2prod.lint.rules import _import_from_bytecode, all_rules
        folder = package.__path__[0]
        used = _import_from_bytecode(folder, "print_call")
        rules = all_rules()
        module = sys.modules["nb2prod.lint.rules.print_call"]
        print(used, len(rules), module is package.print_call, module.__spec__.origin == module.__file__,
              module.__cached__.startswith(sys.pycache_prefix), module.__loader__.get_filename() == module.__file__,
              sorted(rules) == sorted(c.code for c in rules.values()))
    """
    first = _python(script, env)  # no bytecode yet: the ordinary import, which writes it
    second = _python(script, env)
    assert first.split()[0] == "False" and second.split()[0] == "True"
    assert first.split()[1:] == second.split()[1:] == ["32", "True", "True", "True", "True", "True"]


def test_stale_or_foreign_bytecode_is_left_to_the_import_system(tmp_path: Path) -> None:
    package = tmp_path / "pkg"
    package.mkdir()
    source = package / "x.py"
    source.write_text("VALUE = 1\n", encoding="utf-8")
    import importlib._bootstrap_external as external

    from nb2prod.lint import rules

    cached = Path(external.cache_from_source(str(source)))
    cached.parent.mkdir(parents=True, exist_ok=True)
    cached.write_bytes(b"not bytecode at all")
    assert rules._import_from_bytecode(str(package), "x") is False
    assert "nb2prod.lint.rules.x" not in sys.modules


def test_literal_precheck_is_the_loop_of_in_tests() -> None:
    texts = ["", "hello", "AKIA", "xAKIAy", "https://u:p@h", "eyJhbGciOi", "PRIVATE KEY", "hooks.slack.com/x",
             "github_pat_", "k_live_1", "plain data/file.csv", "A3", "ghr", *secrets._LITERALS]
    for text in texts:
        assert (secrets._ANY_LITERAL.search(text) is not None) == any(lit in text for lit in secrets._LITERALS), text


def test_a_notebook_named_and_found_in_its_directory_is_linted_once(tmp_path: Path, monkeypatch) -> None:
    from nb2prod.lint.engine import iter_notebooks

    write_notebook(tmp_path / "sub" / "a.ipynb", [code("x = 1")])
    (tmp_path / "link.ipynb").symlink_to(tmp_path / "sub" / "a.ipynb")
    monkeypatch.chdir(tmp_path)
    found = list(iter_notebooks(["sub/a.ipynb", "sub", str(tmp_path / "sub" / "a.ipynb"), "./sub/../sub/a.ipynb", "link.ipynb"]))
    assert [shown for _, shown in found] == ["sub/a.ipynb"]
