"""The engine: finding notebooks, suppressions, and parallel runs that change nothing but speed."""

from __future__ import annotations

from pathlib import Path

import pytest
from lint_helpers import code, write_notebook


def test_directories_are_searched_skipping_checkpoints_venvs_and_hidden(project: Path, run) -> None:
    for where in ("a/one.ipynb", "a/b/two.ipynb", "a/.ipynb_checkpoints/one-checkpoint.ipynb",
                  ".venv/lib/x.ipynb", "a/.hidden/three.ipynb", "a/notes.txt.ipynb_not"):
        write_notebook(project / where, [code("print(1)")])
    result = run("lint", "--select", "NB301", "a", ".")
    assert result.out.splitlines()[:-1] == [
        "a/b/two.ipynb:cell 1:1:1: NB301 print() used for reporting (use logging)",
        "a/one.ipynb:cell 1:1:1: NB301 print() used for reporting (use logging)",
    ]


def test_noqa_comments_and_cell_tags_suppress_findings(project: Path, run) -> None:
    write_notebook(project / "a.ipynb", [
        code("print(1)  # nb2prod: noqa: NB301\nprint(2)  # nb2prod: noqa: NB504\nprint(3)  # nb2prod: noqa"),
        code("print(4)\ndf.dropna(inplace=True)", tags=["nb2prod:noqa:NB301"]),
        code("print(5)", tags=["nb2prod:noqa"]),
    ])
    assert run("lint", "--select", "NB301,NB504", "a.ipynb").out.splitlines()[:-1] == [
        "a.ipynb:cell 1:2:1: NB301 print() used for reporting (use logging)",
        "a.ipynb:cell 2:2:11: NB504 inplace=True in .dropna() (assign the result instead)",
    ]


def test_parallel_run_reports_exactly_what_a_sequential_run_does(project: Path, run, monkeypatch: pytest.MonkeyPatch) -> None:
    """Many notebooks are split across forked processes; output, order and exit status do not change."""
    for i in range(24):
        write_notebook(project / f"nb{i:02d}.ipynb", [code(f"print({i})"), code("df.dropna(inplace=True)" if i % 3 else "x = 1")])
    (project / "nb05.ipynb").write_text("{not json", encoding="utf-8")
    monkeypatch.setenv("NB2PROD_LINT_JOBS", "1")
    sequential = run("lint", ".")
    monkeypatch.setenv("NB2PROD_LINT_JOBS", "3")
    parallel = run("lint", ".")
    assert parallel == sequential
    assert sequential.code == 2 and sequential.err == "nb2prod: nb05.ipynb: not a notebook: invalid JSON at line 1 column 2\n"
    assert sequential.out.count("NB301") == 23


def test_notebooks_a_crashed_worker_took_are_linted_by_the_parent(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A worker process that dies half-way loses nothing: what it took is linted again, in order."""
    import os

    from nb2prod.lint import engine

    for i in range(20):
        write_notebook(project / f"nb{i:02d}.ipynb", [code(f"print({i})")])
    expected = engine.lint_paths([str(project)], jobs=1)
    parent = os.getpid()
    lint_item = engine._lint_item
    taken = []

    def dies_in_the_child(path: Path, *args: object) -> object:
        if os.getpid() != parent:
            taken.append(path)
            if len(taken) == 3:
                os._exit(3)  # a worker killed after linting two notebooks and taking a third
        return lint_item(path, *args)

    monkeypatch.setattr(engine, "_lint_item", dies_in_the_child)
    assert engine.lint_paths([str(project)], jobs=2) == expected
    assert len(expected.findings) == 20


def test_many_notebooks_are_queued_in_batches_and_all_linted_once(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The work queue holds a bounded number of entries (it must fit in a pipe): beyond that, each
    entry is a batch of consecutive notebooks; every notebook is still linted once, in order."""
    from nb2prod.lint import engine

    for i in range(23):
        write_notebook(project / f"nb{i:02d}.ipynb", [code(f"print({i})")])
    expected = engine.lint_paths([str(project)], jobs=1)
    monkeypatch.setattr(engine, "_MAX_ENTRIES", 4)  # 22 notebooks after the first: batches of 6
    assert engine.lint_paths([str(project)], jobs=3) == expected
    assert [f.path for f in expected.findings] == sorted(str(project / f"nb{i:02d}.ipynb") for i in range(23))
