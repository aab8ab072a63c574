"""Verify's workspaces: inputs found from the settings, sampled, laid out as around the notebook."""

from __future__ import annotations

import pytest

from nb2prod.verify import workspace as ws


def _layout(tmp_path):
    (tmp_path / "notebooks").mkdir(parents=True)
    (tmp_path / "notebooks" / "nb.ipynb").write_text("{}")
    (tmp_path / "notebooks" / "helpers.py").write_text("X = 1\n")
    data = tmp_path / "data"
    data.mkdir()
    (data / "t.csv").write_text("a,b\n" + "".join(f"{i},{i}\n" for i in range(10)))
    (data / "t.jsonl").write_text("".join(f'{{"a": {i}}}\n' for i in range(10)))
    (data / "notes.md").write_text("not data")
    return tmp_path / "notebooks" / "nb.ipynb"


def test_inputs_are_copied_per_side_sampled_and_laid_out_as_around_the_notebook(tmp_path):
    notebook = _layout(tmp_path / "real")
    pandas_ws, spark_ws, inputs = ws.build(notebook, ["../data", "../data/output", "carrier"], tmp_path / "w", rows=3)
    assert inputs == [notebook.parent.parent / "data"]
    for side in (pandas_ws, spark_ws):
        assert side.notebook.is_file() and (side.notebook_dir / "helpers.py").is_file()
        data = side.notebook_dir.parent / "data"
        assert (data / "t.csv").read_text() == "a,b\n0,0\n1,1\n2,2\n"
        assert len((data / "t.jsonl").read_text().splitlines()) == 3
        assert not (data / "notes.md").exists()
    assert pandas_ws.root != spark_ws.root


def test_full_inputs_without_sample_rows(tmp_path):
    notebook = _layout(tmp_path / "real")
    pandas_ws, _, _ = ws.build(notebook, ["../data/t.csv"], tmp_path / "w", rows=None)
    assert len((pandas_ws.notebook_dir.parent / "data" / "t.csv").read_text().splitlines()) == 11


def test_absolute_output_paths_are_refused(tmp_path):
    notebook = _layout(tmp_path / "real")
    with pytest.raises(ws.WorkspaceError, match="absolute path"):
        ws.build(notebook, [str(tmp_path / "real" / "out")], tmp_path / "w", rows=None)


def test_written_groups_spark_part_files_into_datasets():
    before = {"data/in.csv": (1, 1), "data/out/old.csv": (1, 1)}
    after = dict(before)
    after.update({
        "data/out/old.csv": (2, 2),  # rewritten
        "data/out/by.csv/part-00000-a.csv": (5, 3),
        "data/out/by.csv/_SUCCESS": (0, 3),
        "data/out/by.csv/.part-00000-a.csv.crc": (1, 3),
        "data/out/p.parquet/year=2013/part-00000-b.parquet": (5, 3),
        "notebooks/.ipynb_checkpoints/x": (1, 3),
    })  # fmt: skip
    assert ws.written(before, after) == ["data/out/by.csv", "data/out/old.csv", "data/out/p.parquet"]
