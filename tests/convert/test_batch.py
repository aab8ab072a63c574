"""`nb2prod convert PATH... -o OUTDIR`: many notebooks, one package each, a summary, going on past failures."""

from __future__ import annotations

import json
from pathlib import Path

from nb2prod.cli import main
from nb2prod.convert.batch import find_notebooks
from tests.convert.conftest import write_notebook

GOOD = ["import pandas as pd", "df = pd.read_csv('data.csv')\ndf = df[df['x'] > 1]\nprint(df.head())"]


def run(args, capsys):
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_broken_notebook_among_good_ones(tmp_path, capsys):
    """The good notebooks convert, the broken one is named in the table, on stderr and in the summary, exit 1."""
    src = tmp_path / "nbs"
    src.mkdir()
    write_notebook(src / "first.ipynb", GOOD)
    (src / "broken.ipynb").write_bytes(b"{not json")
    write_notebook(src / "second.ipynb", [GOOD[0], "x = 1\nprint(x)"])
    before = (src / "broken.ipynb").read_bytes()
    out_dir = tmp_path / "out"
    code, out, err = run(["convert", src, "-o", out_dir, "--jobs", "1"], capsys)
    assert code == 1
    assert (out_dir / "first" / "src" / "first" / "pipeline.py").is_file()
    assert (out_dir / "second" / "conversion.json").is_file()
    assert not (out_dir / "broken").exists()
    table = {line.split()[0]: line.split()[1] for line in out.splitlines()[1:] if line.startswith(str(src))}
    assert table == {str(src / "broken.ipynb"): "failed", str(src / "first.ipynb"): "converted", str(src / "second.ipynb"): "converted"}
    assert f"nb2prod: {src / 'broken.ipynb'}: not a notebook: invalid JSON" in err
    assert "Traceback" not in err
    summary = json.loads((out_dir / "convert-summary.json").read_text())
    assert (summary["notebooks"], summary["converted"], summary["failed"]) == (3, 2, 1)
    by_name = {r["name"]: r for r in summary["results"]}
    assert by_name["broken"]["status"] == "failed" and "invalid JSON" in by_name["broken"]["message"]
    assert by_name["first"]["summary"]["readiness"] == 1.0
    assert (src / "broken.ipynb").read_bytes() == before


def test_all_converted_exits_0_with_plain_progress_lines(tmp_path, capsys):
    """Not on a terminal: one plain progress line per notebook on stderr, exit 0."""
    a = write_notebook(tmp_path / "a.ipynb", GOOD)
    b = write_notebook(tmp_path / "b.ipynb", GOOD)
    code, out, err = run(["convert", a, b, "-o", tmp_path / "out", "--quiet"], capsys)
    assert code == 0
    assert sorted(line.split("] ")[1].split(":")[0] for line in err.splitlines() if line.startswith("[")) == [str(a), str(b)]
    assert "2 of 2 notebooks converted" in out


def test_colliding_names_get_distinct_packages(tmp_path, capsys):
    """`x/etl.ipynb`, `y/etl.ipynb` and `y/ETL .ipynb` share a package name: they become etl, etl_2, etl_3."""
    for sub, stem in (("x", "etl"), ("y", "etl"), ("y", "ETL ")):
        (tmp_path / sub).mkdir(exist_ok=True)
        write_notebook(tmp_path / sub / f"{stem}.ipynb", GOOD)
    out_dir = tmp_path / "out"
    code, _, _ = run(["convert", tmp_path / "x", tmp_path / "y", "-o", out_dir, "--jobs", "1"], capsys)
    assert code == 0
    summary = json.loads((out_dir / "convert-summary.json").read_text())
    pairs = [(Path(r["notebook"]).relative_to(tmp_path).as_posix(), r["name"]) for r in summary["results"]]
    assert pairs == [("x/etl.ipynb", "etl"), ("y/ETL .ipynb", "etl_2"), ("y/etl.ipynb", "etl_3")]
    for name in ("etl", "etl_2", "etl_3"):
        assert (out_dir / name / "src" / name / "pipeline.py").is_file()


def test_jobs_1_and_jobs_2_give_byte_identical_packages(tmp_path, capsys):
    src = tmp_path / "nbs"
    src.mkdir()
    for i in range(3):
        write_notebook(src / f"nb{i}.ipynb", [GOOD[0], GOOD[1], f"THRESHOLD = {i}\ndf = df[df['x'] > THRESHOLD]"])
    out_dir = tmp_path / "out"
    assert run(["convert", src, "-o", out_dir, "--jobs", "1"], capsys)[0] == 0
    one = tree(out_dir)
    assert run(["convert", src, "-o", out_dir, "--jobs", "2", "--force"], capsys)[0] == 0
    two = tree(out_dir)
    assert len(one) > 20 and {k.split("/")[0] for k in one} == {"nb0", "nb1", "nb2", "convert-summary.json"}
    assert one == two


def test_directory_search_skips_checkpoints_and_gitignored(tmp_path):
    (tmp_path / ".git").mkdir()
    (tmp_path / ".gitignore").write_text("scratch/\n*-draft.ipynb\n")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / ".gitignore").write_text("local.ipynb\n!keep-draft.ipynb\n")
    for rel in ("a.ipynb", "sub/b.ipynb", "sub/local.ipynb", "sub/x-draft.ipynb", "sub/keep-draft.ipynb", "scratch/c.ipynb", "sub/.ipynb_checkpoints/b-checkpoint.ipynb"):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        write_notebook(tmp_path / rel, ["x = 1"])
    found, problems = find_notebooks([tmp_path / "sub", tmp_path])
    assert problems == []
    assert [p.relative_to(tmp_path).as_posix() for p in found] == ["sub/b.ipynb", "sub/keep-draft.ipynb", "a.ipynb"]
    # a file named on the command line is taken whatever .gitignore says
    assert find_notebooks([tmp_path / "sub" / "local.ipynb"])[0] == [tmp_path / "sub" / "local.ipynb"]


def test_usage_errors_exit_2(tmp_path, capsys):
    a = write_notebook(tmp_path / "a.ipynb", GOOD)
    b = write_notebook(tmp_path / "b.ipynb", GOOD)
    assert run(["convert", a, b], capsys)[0] == 2  # no -o
    assert run(["convert", a, b, "-o", tmp_path / "o", "--name", "x"], capsys)[0] == 2
    assert run(["convert", a, tmp_path / "missing.ipynb", "-o", tmp_path / "o"], capsys)[0] == 2
    (tmp_path / "empty").mkdir()
    assert run(["convert", tmp_path / "empty", "-o", tmp_path / "o"], capsys)[0] == 2
    full = tmp_path / "full"
    full.mkdir()
    (full / "keep.txt").write_text("mine")
    code, _, err = run(["convert", a, b, "-o", full], capsys)
    assert code == 2 and "not empty" in err and "Traceback" not in err
    assert (full / "keep.txt").read_text() == "mine" and not (full / "a").exists()
    assert not (tmp_path / "o").exists()
