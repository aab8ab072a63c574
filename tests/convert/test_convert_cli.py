"""`nb2prod convert` as a user runs it: bad input, output safety, determinism."""

from __future__ import annotations

import json

import pytest

from nb2prod.cli import main
from tests.convert.conftest import write_notebook

GOOD = ["import pandas as pd", "df = pd.read_csv('data.csv')\ndf = df[df['x'] > 1]\ndf.to_csv('out.csv', index=False)"]


def run(args, capsys):
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def assert_one_line_error(code: int, err: str, *needles: str) -> None:
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert "Traceback" not in err
    for needle in needles:
        assert needle in lines[0]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"{not json", "invalid JSON"),
        (b'{"hello": "world"}', "not a notebook"),
        (b'{"cells": "nope", "metadata": {}, "nbformat": 4, "nbformat_minor": 5}', "invalid notebook"),
        (b"\xff\xfe\x00binary", "cannot read"),
    ],
    ids=["not-json", "json-not-notebook", "invalid-schema", "binary"],
)
def test_unreadable_input_is_one_line_error_and_untouched(tmp_path, capsys, content, message):
    path = tmp_path / "bad.ipynb"
    path.write_bytes(content)
    code, _, err = run(["convert", path, "-o", tmp_path / "out"], capsys)
    assert_one_line_error(code, err, str(path), message)
    assert path.read_bytes() == content
    assert not (tmp_path / "out").exists()


def test_non_python_kernel_is_refused(tmp_path, capsys):
    path = write_notebook(tmp_path / "r.ipynb", ["x <- 1"], language="R")
    before = path.read_bytes()
    code, _, err = run(["convert", path, "-o", tmp_path / "out"], capsys)
    assert_one_line_error(code, err, str(path), "'r'", "Python notebooks only")
    assert path.read_bytes() == before


def test_missing_file_is_one_line_error(tmp_path, capsys):
    code, _, err = run(["convert", tmp_path / "missing.ipynb"], capsys)
    assert_one_line_error(code, err, "missing.ipynb")


def test_syntax_error_cell_is_reported_and_the_rest_converts(tmp_path, capsys):
    path = write_notebook(tmp_path / "nb.ipynb", ["# md:title", GOOD[0], "x = (", GOOD[1]])
    before = path.read_bytes()
    code, out, _ = run(["convert", path, "-o", tmp_path / "out"], capsys)
    assert code == 0
    assert f"{path}:cell 3: not-converted: NB004 syntax error" in out
    report = json.loads((tmp_path / "out" / "conversion.json").read_text())
    statuses = {c["cell"]: c["status"] for c in report["cells"]}
    assert statuses == {2: "converted", 3: "not-converted", 4: "converted"}
    assert "filter" in (tmp_path / "out" / "src" / "nb" / "pipeline.py").read_text()
    assert path.read_bytes() == before


def test_null_cell_source_is_an_empty_cell(tmp_path, capsys):
    path = tmp_path / "nb.ipynb"
    write_notebook(path, [GOOD[0], "placeholder", GOOD[1]])
    raw = json.loads(path.read_text())
    raw["cells"][1]["source"] = None
    path.write_text(json.dumps(raw))
    before = path.read_bytes()
    code, _, err = run(["convert", path, "-o", tmp_path / "out"], capsys)
    assert code == 0, err
    cell = json.loads((tmp_path / "out" / "conversion.json").read_text())["cells"][1]
    assert cell["status"] == "dropped"
    assert [r["code"] for r in cell["reasons"]] == ["NB001", "NB003"]
    assert path.read_bytes() == before


def test_existing_output_needs_force(tmp_path, capsys):
    path = write_notebook(tmp_path / "nb.ipynb", GOOD)
    out = tmp_path / "out"
    out.mkdir()
    (out / "mine.txt").write_text("user file")
    code, _, err = run(["convert", path, "-o", out], capsys)
    assert_one_line_error(code, err, str(out), "--force")
    assert (out / "mine.txt").read_text() == "user file"
    code, _, _ = run(["convert", path, "-o", out, "--force"], capsys)
    assert code == 0
    assert not (out / "mine.txt").exists()
    assert (out / "conversion.json").is_file()


def test_output_directory_holding_the_notebook_is_refused_even_with_force(tmp_path, capsys):
    path = write_notebook(tmp_path / "nb.ipynb", GOOD)
    code, _, err = run(["convert", path, "-o", tmp_path, "--force"], capsys)
    assert_one_line_error(code, err, "contains the notebook")
    assert path.is_file()


def test_failure_while_rendering_leaves_nothing_behind(tmp_path, capsys, monkeypatch):
    import nb2prod.convert.package as package

    path = write_notebook(tmp_path / "nb.ipynb", GOOD)

    def broken(outdir, files):
        files = dict(files)
        files["\0bad"] = b""  # an impossible file name makes writing fail half-way
        return original(outdir, files)

    original = package._write_atomically
    monkeypatch.setattr(package, "_write_atomically", broken)
    with pytest.raises(ValueError):
        package.convert_notebook(path, tmp_path / "out")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["nb.ipynb"]


def test_conversion_is_deterministic(tmp_path, capsys):
    path = write_notebook(tmp_path / "nb.ipynb", GOOD)
    for out in ("a", "b"):
        assert run(["convert", path, "-o", tmp_path / out], capsys)[0] == 0
    files_a = {p.relative_to(tmp_path / "a"): p.read_bytes() for p in (tmp_path / "a").rglob("*") if p.is_file()}
    files_b = {p.relative_to(tmp_path / "b"): p.read_bytes() for p in (tmp_path / "b").rglob("*") if p.is_file()}
    assert files_a == files_b


def test_summary_and_report_agree(tmp_path, capsys):
    path = write_notebook(tmp_path / "nb.ipynb", [*GOOD, "p = df.interpolate()"])
    code, out, _ = run(["convert", path, "-o", tmp_path / "out"], capsys)
    summary = json.loads((tmp_path / "out" / "conversion.json").read_text())["summary"]
    assert summary["pandas_calls"] == 4 and summary["pandas_calls_converted"] == 3
    assert summary["readiness"] == 0.75
    assert "readiness 75.0%" in out
    assert f"{path}:cell 3: not-converted: PS001" in out
    md = (tmp_path / "out" / "CONVERSION.md").read_text()
    assert "### Cell 3: not-converted" in md and "75.0%" in md


def test_secrets_never_reach_generated_files(tmp_path, capsys):
    secret = "AKIAIOSFODNN7EXAMPLE"
    path = write_notebook(tmp_path / "nb.ipynb", [f"aws_key = '{secret}'\nDB_PASSWORD = 'hunter2-hunter2'\nTHRESHOLD = 3"])
    assert run(["convert", path, "-o", tmp_path / "out"], capsys)[0] == 0
    for file in (tmp_path / "out").rglob("*"):
        if file.is_file():
            text = file.read_bytes()
            assert secret.encode() not in text and b"hunter2" not in text, file
    report = json.loads((tmp_path / "out" / "conversion.json").read_text())
    assert sorted(report["environment_variables"]) == ["AWS_KEY", "DB_PASSWORD"]
    assert "threshold: 3" in (tmp_path / "out" / "src" / "nb" / "conf" / "base.yaml").read_text()


def test_nbformat_3_notebook_is_upgraded_and_converted(tmp_path, capsys):
    from nbformat import v3, writes

    old = v3.new_notebook(
        worksheets=[v3.new_worksheet(cells=[v3.new_code_cell(input=GOOD[0] + "\n" + GOOD[1], language="python")])]
    )
    path = tmp_path / "old.ipynb"
    path.write_text(writes(old, version=3))
    before = path.read_bytes()
    code, out, err = run(["convert", path, "-o", tmp_path / "out"], capsys)
    assert code == 0, err
    report = json.loads((tmp_path / "out" / "conversion.json").read_text())
    assert [c["status"] for c in report["cells"]] == ["converted"]
    assert report["cells"][0]["id"] == "pos-1"  # no nbformat 4.5 ids: a stable position-based id
    assert ".filter(" in (tmp_path / "out" / "src" / "old" / "pipeline.py").read_text()
    assert path.read_bytes() == before


def test_an_internal_error_is_one_line_naming_the_notebook(tmp_path, capsys, monkeypatch):
    import nb2prod.convert.package as package

    def broken(cells):
        raise KeyError("boom")

    monkeypatch.setattr(package, "rewrite_cells", broken)
    monkeypatch.delenv("NB2PROD_DEBUG", raising=False)
    path = write_notebook(tmp_path / "nb.ipynb", GOOD)
    code, _, err = run(["convert", path, "-o", tmp_path / "out"], capsys)
    assert_one_line_error(code, err, str(path), "internal error", "KeyError")
    assert not (tmp_path / "out").exists()
