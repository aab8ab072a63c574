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


def test_no_provider_pattern_matches_below_the_minimum_length() -> None:
    """The shortest match of each provider pattern is at least PROVIDER_MIN_LENGTH (the pre-check relies on it)."""
    shortest = {
        "AWS access key": "AKIA" + "A" * 16,
        "GitHub token": "ghp_" + "a" * 36,
        "Slack token": "xoxb-" + "a" * 10,
        "Slack webhook": "hooks.slack.com/services/T1/B1/x",
        "Stripe key": "sk_live_" + "a" * 20,
        "Google API key": "AIza" + "a" * 35,
        "private key": "-----BEGIN PRIVATE KEY-----",
        "JWT": "eyJ" + "a" * 10 + ".eyJ" + "a" * 10 + "." + "a" * 10,
        "URL password": "a://b:ccc@",
        "bearer token": "Bearer 1" + "a" * 15,
    }
    assert set(shortest) == {label for label, _, _ in secrets.PROVIDERS}
    for label, text in shortest.items():
        assert secrets.provider(text) == label
        assert len(text) >= secrets.PROVIDER_MIN_LENGTH
        assert all(pattern.search(text[:-1]) is None for _, _, pattern in secrets.PROVIDERS)  # it is the shortest
