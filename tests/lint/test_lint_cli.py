"""The `nb2prod lint` and `nb2prod rule` commands as a user meets them: exit codes, formats, selection,
configuration, suppression, discovery, and one-line errors."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from lint_helpers import DATA, code, md, write_notebook

BAD = [md("# T"), code("import os\nprint(os.getcwd())"), code("df.dropna(inplace=True)")]



def test_exit_codes_clean_findings_exit_zero(project: Path, run) -> None:
    write_notebook(project / "bad.ipynb", BAD)
    write_notebook(project / "ok.ipynb", [code("import os\nx = os.getcwd()")])
    assert run("lint", "ok.ipynb") == (0, "", "")
    result = run("lint", "bad.ipynb")
    assert result.code == 1
    assert result.out.splitlines() == [
        "bad.ipynb:cell 2:2:1: NB301 print() used for reporting (use logging)",
        "bad.ipynb:cell 3:1:11: NB504 inplace=True in .dropna() (assign the result instead)",
        "Found 2 findings (2 fixable by `nb2prod convert`).",
    ]
    assert run("lint", "--exit-zero", "bad.ipynb").code == 0


def test_text_lines_are_each_findings_text_whole_notebook_findings_without_a_cell(project: Path, run) -> None:
    from nb2prod.lint.engine import lint_paths

    write_notebook(project / "Untitled3.ipynb", BAD)
    report = lint_paths(["Untitled3.ipynb"])
    assert run("lint", "Untitled3.ipynb").out.splitlines()[:-1] == [f.text() for f in report.findings] == [
        "Untitled3.ipynb:1:1: NB308 notebook name 'Untitled3.ipynb' was never chosen (name it after what it does)",
        "Untitled3.ipynb:cell 2:2:1: NB301 print() used for reporting (use logging)",
        "Untitled3.ipynb:cell 3:1:11: NB504 inplace=True in .dropna() (assign the result instead)",
    ]


def test_unreadable_files_exit_2_with_one_line_each_and_others_still_linted(project: Path, run) -> None:
    write_notebook(project / "bad.ipynb", BAD)
    broken = DATA / "broken"
    result = run("lint", "bad.ipynb", str(broken), "missing.ipynb")
    assert result.code == 2
    assert "bad.ipynb:cell 2:2:1: NB301" in result.out
    errors = result.err.splitlines()
    assert errors == [
        f"nb2prod: {broken / 'bad_source.ipynb'}: invalid notebook at cells/1/source: not a string or a list of strings",
        f"nb2prod: {broken / 'no_cells.ipynb'}: not a notebook: no 'cells' in the JSON document",
        f"nb2prod: {broken / 'not_json.ipynb'}: not a notebook: invalid JSON at line 1 column 12",
        f"nb2prod: {broken / 'r_kernel.ipynb'}: kernel language is 'r'; nb2prod converts Python notebooks only",
        "nb2prod: missing.ipynb: no such file or directory",
    ]
    assert "Traceback" not in result.err


def test_usage_errors_exit_2(project: Path, run) -> None:
    write_notebook(project / "bad.ipynb", BAD)
    result = run("lint", "--select", "NB999", "bad.ipynb")
    assert result.code == 2 and "no rule matches 'NB999'" in result.err and result.out == ""
    assert run("lint").code == 2
    assert run("lint", "--format", "xml", "bad.ipynb").code == 2


def test_select_and_ignore_take_codes_prefixes_and_names(project: Path, run) -> None:
    write_notebook(project / "bad.ipynb", BAD)
    assert "NB504" not in run("lint", "--select", "NB3", "bad.ipynb").out
    assert "NB301" not in run("lint", "--select", "NB3,NB5", "--ignore", "print-call", "bad.ipynb").out
    assert run("lint", "--select", "NB301", "--select", "NB504", "bad.ipynb").out.count(": NB") == 2
    assert run("lint", "--ignore", "NB3,NB5", "bad.ipynb") == (0, "", "")


def test_json_format_is_a_list_of_objects(project: Path, run) -> None:
    write_notebook(project / "bad.ipynb", BAD)
    result = run("lint", "--format", "json", "bad.ipynb")
    assert result.code == 1
    assert json.loads(result.out) == [
        {"path": "bad.ipynb", "cell": 2, "line": 2, "col": 1, "code": "NB301", "name": "print-call",
         "message": "print() used for reporting (use logging)"},
        {"path": "bad.ipynb", "cell": 3, "line": 1, "col": 11, "code": "NB504", "name": "inplace-true",
         "message": "inplace=True in .dropna() (assign the result instead)"},
    ]
    write_notebook(project / "ok.ipynb", [code("x = 1")])
    assert json.loads(run("lint", "--format", "json", "ok.ipynb").out) == []


def test_github_format_points_at_the_line_in_the_ipynb_file(project: Path, run) -> None:
    path = write_notebook(project / "bad.ipynb", BAD)
    result = run("lint", "--format", "github", "--select", "NB301", "bad.ipynb")
    assert result.code == 1
    (line,) = result.out.splitlines()
    assert line.startswith("::error file=bad.ipynb,line=")
    assert line.endswith(",col=1,title=NB301 print-call::cell 2:2:1: print() used for reporting (use logging)")
    json_line = int(line.split("line=")[1].split(",")[0])
    assert "print(os.getcwd())" in path.read_text().splitlines()[json_line - 1]


def test_rule_command_prints_docs_and_lists_rules(run) -> None:
    result = run("rule", "NB401")
    assert result.code == 0
    assert result.out.startswith("NB401 hard-coded-secret\n\n")
    assert "## Why this matters in production" in result.out
    assert run("rule", "hard-coded-secret").out == result.out
    listing = run("rule", "--list").out.splitlines()
    assert len(listing) >= 25
    assert listing[0].startswith("NB101  non-linear-execution-order")


def test_rule_command_unknown_code_is_one_line_and_exit_2(run, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "nb2prod.convert.rules", None)  # as if convert were not installed
    result = run("rule", "XX999")
    assert (result.code, result.out) == (2, "")
    assert result.err == "nb2prod: unknown rule 'XX999' (see 'nb2prod rule --list')\n"


def test_rule_command_falls_back_to_conversion_rules(run, monkeypatch: pytest.MonkeyPatch) -> None:
    import types

    fake = types.ModuleType("nb2prod.convert.rules")
    fake.explain = lambda code: "PS999 fake-rule\n\nConverts things." if code == "PS999" else None
    monkeypatch.setitem(sys.modules, "nb2prod.convert.rules", fake)
    assert run("rule", "PS999") == (0, "PS999 fake-rule\n\nConverts things.\n", "")
    assert run("rule", "PS998").code == 2


def test_lint_imports_nothing_heavy(tmp_path: Path) -> None:
    """The hook must not need PySpark, pandas, libcst, nbformat, nor IPython's package (its start-up costs 75 ms)."""
    plain = write_notebook(tmp_path / "plain.ipynb", [code("import os\nprint(os.getcwd())")])
    magic = write_notebook(tmp_path / "magic.ipynb", [code("%time x = 1")])
    script = textwrap.dedent(f"""
        import sys
        from nb2prod.cli import main
        statuses = [main(["lint", "--select", "NB304", {str(plain)!r}]), main(["lint", "--select", "NB304", {str(magic)!r}])]
        heavy = {{"pyspark", "pandas", "libcst", "nbformat", "IPython", "jinja2"}} & set(sys.modules)
        print(statuses, sorted(heavy))
    """)
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout
    assert "magic.ipynb:cell 1:1:1: NB304 magic %time works only in IPython" in out
    assert out.splitlines()[-1] == "[0, 1] []"
