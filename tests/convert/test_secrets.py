"""No secret found anywhere in a notebook (code, markdown, stored outputs) is written to disk by convert.

Each case plants one fake credential (assembled so that secret scanners do not flag this file), converts
the notebook with ``nb2prod convert`` and checks: exit 0, the value in no generated file in any
spelling, the generated ``.py`` files compile, and the report names the environment variable.
"""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output, new_raw_cell

from nb2prod.cli import main

GOOGLE = "AIza" + "SyA1b2C3d4E5f6G7h8I9j0KlMnOpQrStUvW"
JWT = "eyJ" + "hbGciOiJIUzI1NiJ9.eyJ" + "zdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9P"
AWS = "AKIA" + "IOSFODNN7EXAMPLE"
GITHUB = "ghp" + "_" + "x1Y2z3" * 6
SLACK = "xox" + "b-1234567890-abcdefghij"
BEARER = "a1B2c3D4e5F6g7H8i9J0kLmN"
PEM_BODY = "MIIEowIBAAKCAQEA7bq5Jc1wZ9x0qKf3hV2mQ8sT4uY6rN1pL0oI9kJ8hG7fD6sA"
PEM = f"-----BEGIN RSA {'PRIVATE'} KEY-----\n{PEM_BODY}\n-----END RSA {'PRIVATE'} KEY-----\n"
KERNEL = {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}}


def _write(path: Path, cells: list) -> Path:
    nbformat.write(new_notebook(cells=cells, metadata=KERNEL), path)
    return path


def _stream(text: str):
    return new_output("stream", name="stdout", text=text)


CASES = {
    # (cells, the secret value that must not be written, an environment variable the report names or None)
    "google_key": ([new_code_cell(f'MAPS_KEY = "{GOOGLE}"')], GOOGLE, "MAPS_KEY"),
    "jwt_unnamed": ([new_code_cell(f'session = start("{JWT}")')], JWT, "JWT_TOKEN"),
    "dict_key": ([new_code_cell('cfg = {"api_key": "q8Zr4Lm2Xv9Tn5Bw", "region": "eu"}')], "q8Zr4Lm2Xv9Tn5Bw", "API_KEY"),
    "os_environ": ([new_code_cell('import os\nos.environ["OPENAI_API_KEY"] = "sk-proj-9fJ2kL4mN6pQ8rS0tU2v"')], "sk-proj-9fJ2kL4mN6pQ8rS0tU2v", "OPENAI_API_KEY"),
    "fstring_password": ([new_code_cell('host = "db"\nurl = f"postgresql://admin:Sup3rS3cret@{host}:5432/prod"')], "Sup3rS3cret", "URL_PASSWORD"),
    "bearer_header": ([new_code_cell(f'import requests\nr = requests.get("https://x", headers={{"Authorization": "Bearer {BEARER}"}})')], BEARER, "AUTHORIZATION"),
    "pem_block": ([new_code_cell(f'KEY = """{PEM}"""')], PEM_BODY, "KEY"),
    "keyword_in_function": ([new_code_cell('def db():\n    return connect(host="h", password="hunter2!x")')], "hunter2!x", "PASSWORD"),
    "aws_in_concatenation": ([new_code_cell(f'k = "{AWS[:8]}" "{AWS[8:]}"')], AWS, "K"),
    "github_in_comment": ([new_code_cell(f"x = 1  # token {GITHUB}")], GITHUB, None),
    "slack_in_cell_that_does_not_parse": ([new_code_cell(f'token = "{SLACK}"\nif x'), new_code_cell("y = 2")], SLACK, None),
    "token_in_markdown": ([new_markdown_cell(f"Use `{GITHUB}` for the API"), new_code_cell("x = 1")], GITHUB, None),
    "pem_in_raw_cell": ([new_raw_cell(PEM), new_code_cell("x = 1")], PEM_BODY, None),
    "jwt_in_output": ([new_code_cell("print(tok)", outputs=[_stream(JWT + "\n")], execution_count=1)], JWT, None),
    "markdown_value_repeated_in_code": (
        [new_markdown_cell(f"the token is `{GITHUB}`"), new_code_cell(f'client = Client("{GITHUB}")')], GITHUB, "GITHUB_TOKEN"
    ),
    "password_pair_in_markdown_and_code": (
        [new_markdown_cell("db password: Tr0ub4dor&3x"), new_code_cell('conn = connect("db", "Tr0ub4dor&3x")')], "Tr0ub4dor&3x", None
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_secret_is_never_written(tmp_path: Path, capsys, case: str) -> None:
    cells, value, variable = CASES[case]
    notebook = _write(tmp_path / "nb.ipynb", cells)
    before = notebook.read_bytes()
    out = tmp_path / "out"
    assert main(["convert", str(notebook), "-o", str(out)]) == 0, capsys.readouterr().err
    printed = capsys.readouterr()
    assert value not in printed.out + printed.err
    forms = {value, json.dumps(value)[1:-1], repr(value)[1:-1]}
    for file in out.rglob("*"):
        if file.is_file():
            text = file.read_text(encoding="utf-8")
            assert not any(f in text for f in forms), f"{case}: secret written to {file.relative_to(out)}"
            if file.suffix == ".py":
                compile(text, str(file), "exec")
    assert notebook.read_bytes() == before
    report = json.loads((out / "conversion.json").read_text())
    if variable:
        assert variable in report["environment_variables"]
        assert f'require_env("{variable}")' in (out / "src" / "nb" / "pipeline.py").read_text() or (
            f"require_env('{variable}')" in (out / "src" / "nb" / "pipeline.py").read_text()
        )


def test_pipeline_reads_the_secret_from_the_environment(tmp_path: Path, capsys) -> None:
    """The moved secret is not lost: the generated code gets it back from the variable the report names."""
    notebook = _write(tmp_path / "nb.ipynb", [new_code_cell('host = "db"\nurl = f"postgresql://admin:Sup3rS3cret@{host}/prod"')])
    assert main(["convert", str(notebook), "-o", str(tmp_path / "out")]) == 0
    code = (tmp_path / "out" / "src" / "nb" / "pipeline.py").read_text()
    line = next(line.strip() for line in code.splitlines() if line.strip().startswith("url ="))
    namespace = {"host": "db", "require_env": {"URL_PASSWORD": "Sup3rS3cret"}.__getitem__}
    exec(line, namespace)
    assert namespace["url"] == "postgresql://admin:Sup3rS3cret@db/prod"


def test_last_line_of_defence_refuses_to_write(tmp_path: Path, capsys, monkeypatch) -> None:
    """With redaction broken, the final scan still refuses: exit 2, the cell named, the value not shown, nothing written."""
    import nb2prod.convert.package as package

    monkeypatch.setattr(package, "redact_files", lambda files, values: dict(files))
    notebook = _write(tmp_path / "nb.ipynb", [new_code_cell("x = 1"), new_code_cell(f"t = '{GITHUB}'\nif broken")])
    out = tmp_path / "out"
    assert main(["convert", str(notebook), "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert "nb.ipynb:cell 2" in err and "secret" in err and GITHUB not in err
    assert not out.exists()
    assert [p.name for p in tmp_path.iterdir()] == ["nb.ipynb"]


@pytest.mark.parametrize(
    "source",
    [
        "password = getpass.getpass()",
        "token = os.environ['API_TOKEN']",
        "api_key = config['api_key']",
        "tokenizer = 'bert-base-uncased'",
        "password_prompt = 'Enter your password:'",
        "MAX_TOKENS = 512",
    ],
)
def test_not_secrets_are_left_alone(tmp_path: Path, capsys, source: str) -> None:
    """Code that reads a secret, or only looks like one by name, is not rewritten to require_env."""
    notebook = _write(tmp_path / "nb.ipynb", [new_code_cell(source)])
    assert main(["convert", str(notebook), "-o", str(tmp_path / "out")]) == 0
    report = json.loads((tmp_path / "out" / "conversion.json").read_text())
    assert report["environment_variables"] == {}


def test_short_secret_is_redacted_as_a_word_without_breaking_code(tmp_path: Path, capsys) -> None:
    """`password = "data"` is moved to the environment; `input_data` elsewhere is left alone."""
    cells = [new_code_cell('import pandas as pd\npassword = "data"\nraw = pd.read_csv("input/data.csv")')]
    notebook = _write(tmp_path / "nb.ipynb", cells)
    assert main(["convert", str(notebook), "-o", str(tmp_path / "out")]) == 0, capsys.readouterr().err
    md = (tmp_path / "out" / "CONVERSION.md").read_text()
    assert 'password = "<secret: read from $PASSWORD>"' in md
    assert "input/<secret" not in md and "input/data.csv" in (tmp_path / "out" / "src" / "nb" / "conf" / "base.yaml").read_text()
