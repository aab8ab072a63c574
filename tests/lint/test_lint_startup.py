"""The hook's cheap paths: the one-search literal pre-check of the secret patterns, finding notebooks once."""

from __future__ import annotations

from pathlib import Path

from lint_helpers import code, write_notebook

from nb2prod.lint import secrets


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
