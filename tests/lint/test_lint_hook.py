"""The pre-commit hook: declared in .pre-commit-hooks.yaml, documented in README.md, and working with real pre-commit."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from lint_helpers import REPO, code, md, write_notebook

HOOKS = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))


def test_hook_declares_the_lint_command_for_jupyter_files() -> None:
    (hook,) = [h for h in HOOKS if h["id"] == "nb2prod-lint"]
    assert hook["entry"] == "nb2prod lint"
    assert hook["language"] == "python"
    assert hook["types"] == ["jupyter"]


def test_every_hook_id_is_documented_in_readme() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("<!-- lint:start -->", 1)[1].split("<!-- lint:end -->", 1)[0]
    for hook in HOOKS:
        assert f"id: {hook['id']}" in section


def test_hook_does_not_need_pyspark() -> None:
    """pre-commit installs the package without extras: PySpark must stay an optional extra."""
    import tomllib

    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert not any(dep.lower().startswith(("pyspark", "pandas")) for dep in project["dependencies"])


def _git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True)


@pytest.mark.slow
def test_pre_commit_try_repo_blocks_the_bad_notebook_and_passes_the_clean_one(tmp_path: Path) -> None:
    """Real pre-commit installs the hook from this repository (its working tree) into its own venv.

    try-repo snapshots tracked changes of a local repository in a temporary commit, so the test sees
    the code under test even before it is committed (untracked files are not included).
    """
    work = tmp_path / "project"
    work.mkdir()
    _git(work, "init", "-q")
    write_notebook(work / "bad.ipynb", [md("# Bad"), code("import os\nprint(os.getcwd())", 1), code("api_token = 'hunter2!x'", 2)])
    write_notebook(work / "clean.ipynb", [md("# Clean"), code("import os\n\ncwd = os.getcwd()")])
    _git(work, "add", ".")
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env["PRE_COMMIT_HOME"] = str(tmp_path / "pre-commit-home")

    def try_repo(*files: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "pre_commit", "try-repo", str(REPO), "nb2prod-lint", "--verbose", "--files", *files],
            cwd=work, env=env, capture_output=True, text=True, timeout=900,
        )

    bad = try_repo("bad.ipynb")
    assert bad.returncode == 1, bad.stdout + bad.stderr
    assert "bad.ipynb:cell 2:2:1: NB301 print() used for reporting (use logging)" in bad.stdout
    assert "bad.ipynb:cell 3:1:1: NB401 hard-coded secret in 'api_token' (move it to an environment variable)" in bad.stdout
    assert "hunter2!x" not in bad.stdout

    clean = try_repo("clean.ipynb")
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert "Passed" in clean.stdout
