"""Comparing in-memory values: pandas' index keys against Spark's key columns, names, order, dtypes."""

from __future__ import annotations

import pandas as pd

from nb2prod.verify.capture import Captured
from nb2prod.verify.datasets import as_table, compare_values, match_columns, summarise


def _compare(notebook, pipeline, sort=None):
    return compare_values("x", "end", Captured(notebook, len(notebook)), Captured(pipeline, len(pipeline), sort=sort))


def test_groupby_keys_in_the_index_equal_spark_keys_as_columns():
    flights = pd.DataFrame({"carrier": ["UA", "AA", "UA", "B6"], "delay": [10.0, 5.0, 20.0, 1.0]})
    notebook = flights.groupby("carrier")["delay"].mean()  # a Series indexed by carrier
    spark_side = pd.DataFrame({"carrier": ["AA", "B6", "UA"], "delay": [5.0, 1.0, 15.0]})

    result = _compare(notebook, spark_side, sort=[("carrier", False)])

    assert result.verdict == "equal", result.message
    assert result.columns_notebook == ["carrier", "delay"]
    assert result.order == "in order on carrier asc"
    assert "notebook: index ['carrier'] reset into columns" in result.notes


def test_value_counts_and_size_are_named_as_the_converter_names_them():
    df = pd.DataFrame({"k": ["a", "b", "a"]})
    counts, _ = as_table(df["k"].value_counts())
    sizes, _ = as_table(df.groupby("k").size())
    assert list(counts.columns) == ["k", "count"]
    assert list(sizes.columns) == ["k", "0"]


def test_a_default_or_filtered_integer_index_is_dropped_not_compared():
    df = pd.DataFrame({"x": [1, 2, 3]})
    table, notes = as_table(df[df["x"] > 1])  # index [1, 2]: row labels, not data
    assert list(table.columns) == ["x"] and notes == []
    assert _compare(df[df["x"] > 1], pd.DataFrame({"x": [3, 2]})).verdict == "equal"


def test_placeholder_and_flattened_names_are_matched():
    assert match_columns(["index", "n"], ["carrier", "n"]) == {"n": "n", "index": "carrier"}
    assert match_columns(["k", "x_sum"], ["k", "sum"]) == {"k": "k", "x_sum": "sum"}
    assert match_columns(["k", "x"], ["k", "y"]) == {"k": "k"}  # a real name is never guessed


def test_a_flipped_sort_is_different_though_the_rows_are_the_same():
    notebook = pd.DataFrame({"k": ["a", "b", "c"], "n": [3, 2, 1]})  # sorted by n descending
    ascending = pd.DataFrame({"k": ["c", "b", "a"], "n": [1, 2, 3]})

    assert _compare(notebook, ascending).verdict == "equal"  # no sort kept: a multiset
    result = _compare(notebook, ascending, sort=[("n", False)])
    assert result.verdict == "different"
    assert result.message == "rows in another order: the pipeline sorts on n, row 1 differs"


def test_ties_after_the_first_sort_key_are_a_multiset():
    notebook = pd.DataFrame({"k": ["b", "a"], "count": [1, 1]})  # value_counts: ties in order of appearance
    pipeline = pd.DataFrame({"k": ["a", "b"], "count": [1, 1]})  # Spark: orderBy(desc(count), k)
    assert _compare(notebook, pipeline, sort=[("count", True), ("k", False)]).verdict == "equal"


def test_dtype_families_are_reported_without_failing():
    notebook = pd.DataFrame({"n": [1, 2]})
    result = _compare(notebook, pd.DataFrame({"n": [1.0, 2.0]}))
    assert result.verdict == "equal"
    assert result.dtypes == [{"column": "n", "notebook": "integer", "pipeline": "float"}]


def test_missing_other_objects_and_caps_are_not_equal():
    value = Captured(pd.DataFrame({"x": [1]}), 1)
    assert compare_values("a", "end", value, None).verdict == "missing in pipeline"
    other = compare_values("a", "end", value, object())
    assert other.verdict == "not comparable" and "builtins.object" in other.message
    capped = compare_values("a", "end", Captured(rows=5, problem="5 rows, more than --max-rows 4"), Captured(value.value, 1))
    assert capped.verdict == "not comparable" and "--max-rows 4" in capped.message


def test_nothing_compared_is_never_equal():
    assert summarise([])["verdict"] == "nothing compared"
    equal = _compare(pd.DataFrame({"x": [1]}), pd.DataFrame({"x": [1]}))
    skipped = compare_values("m", "end", Captured(problem="a numpy.ndarray"), None)
    assert summarise([skipped])["verdict"] == "nothing compared"
    summary = summarise([equal, skipped])
    assert (summary["verdict"], summary["datasets_compared"], summary["datasets_equal"]) == ("equal", 1, 1)
    different = _compare(pd.DataFrame({"x": [1]}), pd.DataFrame({"x": [2]}))
    assert summarise([equal, different])["verdict"] == "different"
