"""The comparison verify uses: columns, row multisets, tolerance, null == NaN, Spark part files."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from nb2prod.verify.compare import assert_same_dataset, compare_frames, read_dataset


def test_rows_compare_as_multisets_with_a_stated_tolerance():
    notebook = pd.DataFrame({"k": ["a", "b", "b"], "x": [1.0, 2.0, 2.0]})
    pipeline = pd.DataFrame({"k": ["b", "a", "b"], "x": [2.0 * (1 + 1e-12), 1.0, 2.0]})
    assert compare_frames(notebook, pipeline).equal

    beyond = pd.DataFrame({"k": ["b", "a", "b"], "x": [2.0 * (1 + 1e-6), 1.0, 2.0]})
    result = compare_frames(notebook, beyond)
    assert (result.only_in_notebook, result.only_in_pipeline) == (1, 1)
    assert result.shown_notebook == [{"k": "b", "x": 2.0}]
    assert compare_frames(notebook, beyond, rtol=1e-5).equal


def test_rounding_never_hides_a_difference_beyond_the_tolerance():
    # 8 significant digits would round both to 1.0; the tolerance (1e-9) still tells them apart
    result = compare_frames(pd.DataFrame({"x": [1.000000001]}), pd.DataFrame({"x": [1.000000004]}))
    assert not result.equal


def test_duplicates_count():
    notebook = pd.DataFrame({"k": ["a", "a"]})
    result = compare_frames(notebook, pd.DataFrame({"k": ["a"]}))
    assert (result.only_in_notebook, result.only_in_pipeline) == (1, 0)
    assert "1 row only in the notebook, 0 only in the pipeline" in result.describe()


def test_null_nan_none_equal_and_ints_equal_integral_floats():
    notebook = pd.DataFrame({"a": [1.0, math.nan], "b": [None, "x"]})
    pipeline = pd.DataFrame({"a": pd.array([1, None], dtype="Int64"), "b": [math.nan, "x"]})
    assert compare_frames(notebook, pipeline).equal


def test_booleans_are_not_numbers_and_text_is_not_numbers():
    assert not compare_frames(pd.DataFrame({"a": [True]}), pd.DataFrame({"a": [1]})).equal
    assert not compare_frames(pd.DataFrame({"a": ["1"]}), pd.DataFrame({"a": [1]})).equal


def test_date_times_compare_as_instants():
    notebook = pd.DataFrame({"t": ["2013-01-01 05:00:00"]})
    pipeline = pd.DataFrame({"t": ["2013-01-01T05:00:00.000Z"]})
    assert compare_frames(notebook, pipeline).equal


def test_column_names_and_order_matter():
    notebook = pd.DataFrame({"a": [1], "b": [2]})
    result = compare_frames(notebook, pd.DataFrame({"b": [2], "a": [1]}))
    assert not result.equal and "another order" in result.describe()
    assert result.only_in_notebook == 0  # the rows themselves agree
    renamed = compare_frames(notebook, pd.DataFrame({"a": [1], "c": [2]}))
    assert "only in the notebook ['b']" in renamed.describe() and "only in the pipeline ['c']" in renamed.describe()
    with pytest.raises(AssertionError, match="t.csv: columns"):
        assert_same_dataset(notebook, pd.DataFrame({"b": [2], "a": [1]}), "t.csv")


def test_read_dataset_reads_spark_part_files(tmp_path):
    out = tmp_path / "out.csv"
    out.mkdir()
    (out / "part-00000-x.csv").write_text("k,x\na,1.5\n")
    (out / "part-00001-x.csv").write_text("k,x\nb,\n")
    (out / ".part-00000-x.csv.crc").write_bytes(b"\0")
    (out / "_SUCCESS").write_text("")
    frame = read_dataset(out)
    assert list(frame.columns) == ["k", "x"] and len(frame) == 2
    assert compare_frames(pd.DataFrame({"k": ["b", "a"], "x": [None, 1.5]}), frame).equal

    lines = tmp_path / "rows.json"
    lines.write_text('{"k": "a", "x": 1}\n{"k": "b", "x": null}\n')
    assert read_dataset(lines).shape == (2, 2)
    records = tmp_path / "records.json"
    pd.DataFrame({"k": ["a"], "x": [1]}).to_json(records)  # pandas' default: one JSON document
    assert read_dataset(records).shape == (1, 2)
