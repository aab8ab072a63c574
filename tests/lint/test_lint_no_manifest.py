"""NB404 with no dependency manifest at all: nothing is reported as a finding, the run says so once."""

from __future__ import annotations

from pathlib import Path

import pytest
from lint_helpers import code, write_notebook

NOTE = (
    "nb2prod: note: NB404 undeclared-import checked nothing where no requirements.txt, pyproject.toml"
    " or environment.yml is above the notebook; add one to have its imports checked"
)


def test_no_manifest_is_said_once_and_does_not_fail(project: Path, run) -> None:
    """A clean notebook importing pandas, in a repository that declares nothing: exit 0, one note for the run."""
    write_notebook(project / "a.ipynb", [code("import pandas as pd\nimport numpy as np\nimport lightgbm")])
    write_notebook(project / "b.ipynb", [code("import pandas as pd")])
    write_notebook(project / "c.ipynb", [code("import os\nimport json")])  # standard library only: nothing to say
    result = run("lint", "--select", "NB404", ".")
    assert (result.code, result.out) == (0, "")
    assert result.err == NOTE + " (2 notebooks)\n"


@pytest.mark.parametrize("jobs", ["1", "3"])
def test_note_is_counted_across_worker_processes(project: Path, run, monkeypatch: pytest.MonkeyPatch, jobs: str) -> None:
    monkeypatch.setenv("NB2PROD_LINT_JOBS", jobs)
    for i in range(30):
        write_notebook(project / f"nb{i:02d}.ipynb", [code(f"import pandas as pd\nx{i} = pd.Series([1])")])
    result = run("lint", "--select", "NB404", ".")
    assert (result.code, result.out, result.err) == (0, "", NOTE + " (30 notebooks)\n")


def test_a_manifest_anywhere_up_to_the_root_still_checks(project: Path, run) -> None:
    (project / "requirements.txt").write_text("pandas\n")
    write_notebook(project / "sub" / "a.ipynb", [code("import pandas as pd\nimport lightgbm")])
    result = run("lint", "--select", "NB404", "sub/a.ipynb")
    assert result.code == 1 and result.err == ""
    assert "sub/a.ipynb:cell 1:2:1: NB404 third-party module 'lightgbm' is not declared" in result.out
    assert "pandas" not in result.out
