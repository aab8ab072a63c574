"""False positives found by linting real public notebooks: each gives exactly the expected output.

Written by hand to reproduce what the corpus showed (no notebook is copied from it).
"""

from __future__ import annotations

from pathlib import Path

from lint_helpers import code, md, write_notebook

from nb2prod.lint.secrets import placeholder


def test_databricks_export_counts_of_zero_are_not_out_of_order(project: Path, run) -> None:
    """Databricks stores execution count 0 for every cell: no NB101 (IPython counts from 1)."""
    write_notebook(project / "dbx.ipynb", [md("# checks"), code("x = 1", 0), code("y = 2", 0), code("z = 3", 0), code("w = 4")])
    assert run("lint", "--select", "NB101", "dbx.ipynb") == (0, "", "")


def test_real_out_of_order_counts_among_zeros_are_still_found(project: Path, run) -> None:
    write_notebook(project / "nb.ipynb", [code("x = 1", 0), code("y = 2", 5), code("z = 3", 0), code("w = 4", 2)])
    result = run("lint", "--select", "NB101", "nb.ipynb")
    assert result.code == 1
    assert result.out.splitlines()[0] == (
        "nb.ipynb:cell 4:1:1: NB101 cell ran as [2] before a cell above it that ran as [5] (restart the kernel and run all)"
    )


def test_stand_in_credentials_of_test_fixtures_are_not_secrets(project: Path, run) -> None:
    """Test cases that pass `{"secret_key": "sk-test"}` to a client hold no secret: no NB401."""
    cells = [
        code(
            'cases = [{"credentials": {"public_key": "pk-test", "secret_key": "sk-test"}}]\n'
            "password = 'dummy-password'\napi_key = 'fake_api_key_123'\ntoken = 'example-token'"
        )
    ]
    write_notebook(project / "fixtures.ipynb", cells)
    assert run("lint", "--select", "NB401", "fixtures.ipynb") == (0, "", "")


def test_a_real_looking_key_with_test_in_it_is_still_a_secret(project: Path, run) -> None:
    write_notebook(project / "keys.ipynb", [code("secret_key = 'sk_test_4eC39HqLyjWDarjtT1zdp7dc'\npassword = 'test-Hunter2!'")])
    result = run("lint", "--select", "NB401", "keys.ipynb")
    assert result.code == 1
    assert [line.split(": ", 1)[1] for line in result.out.splitlines()[:2]] == [
        "NB401 hard-coded secret in 'secret_key' (move it to an environment variable)",
        "NB401 hard-coded secret in 'password' (move it to an environment variable)",
    ]


def test_placeholder_words() -> None:
    assert placeholder("sk-test") and placeholder("PK_DUMMY") and placeholder("my-fake-token")
    assert not placeholder("sk-4eC39HqLyjWDarjtT1zdp7dc") and not placeholder("hunter2!") and not placeholder("api-key")


def test_modules_declared_through_extras_and_namespaces(project: Path, run) -> None:
    """A Kedro or Databricks project: pandas comes with kedro-datasets[pandas...], pyspark with
    databricks-connect, databricks.sdk is databricks-sdk; an undeclared module is still found."""
    (project / "requirements.txt").write_text(
        "kedro-datasets[pandas.CSVDataset, pillow-imagedataset]>=2.1\ndatabricks-connect==16.1.7 ; python_version < '3.12'\n"
        "databricks-sdk==0.117.0\n"
    )
    imports = "import pandas as pd\nfrom PIL import Image\nfrom pyspark.sql import SparkSession\nfrom databricks.sdk import WorkspaceClient\nimport plotly"
    write_notebook(project / "nb.ipynb", [code(imports)])
    result = run("lint", "--select", "NB404", "nb.ipynb")
    assert (result.code, result.err) == (1, "")
    assert result.out.splitlines()[:-1] == [
        "nb.ipynb:cell 1:5:1: NB404 third-party module 'plotly' is not declared in requirements.txt or pyproject.toml (add it)"
    ]
