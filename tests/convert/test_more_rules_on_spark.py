"""PS149-PS154 conversions, run on Spark and compared with pandas on the same data (missing values,
out-of-range positions, regex metacharacters, empty bins, groups)."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import pytest

from nb2prod.convert.engine import rewrite_sources
from nb2prod.verify.compare import compare_frames

pytestmark = pytest.mark.spark

ROWS = pd.DataFrame(
    {
        "model": ["A320-200", "737.800", "E190", None, "A-B-C", "x|y|z", "a,b,", "", "CRJ 900 LR", "737.900"],
        "group": ["a", "a", "b", "b", None, "c", "c", "a", "b", "a"],
        "kind": ["jet", "jet", "prop", "jet", "jet", None, "prop", "jet", "prop", "jet"],
        "x": [1.0, 2.5, np.nan, 4.0, 5.0, 6.5, 7.0, 8.0, 9.0, 10.0],
        "y": [2.0, 1.0, 3.0, np.nan, 4.5, 7.0, 6.0, 9.0, 9.5, 12.0],
        "n": [3, 1, 4, 1, 5, 9, 2, 6, 5, 3],
        "ts": [
            "2013-01-01 05:00", "2013-01-01 23:59", "2013-01-03 01:00", "2013-01-03 12:00", "2013-01-04 00:00",
            "2013-01-04 08:30", None, "2013-01-06 10:00", "2013-01-06 11:00", "2013-01-06 22:00",
        ],
    }
)


@pytest.fixture(scope="module")
def namespace(tmp_path_factory, pipeline_globals):
    """The generated pipeline's names, and ``path``: the test data written as CSV."""
    data = tmp_path_factory.mktemp("more") / "rows.csv"
    ROWS.to_csv(data, index=False)
    return {**pipeline_globals, "path": str(data)}


def run_both(namespace, body: str, *, status: tuple[str, ...] = ("converted", "partial")):
    """Run ``body`` (after reading the data as ``df``) with pandas and converted with Spark; return both ``out``."""
    code = f"import pandas as pd\ndf = pd.read_csv(path)\n{body}\n"
    converted = rewrite_sources([code])
    cell = converted.cells[0]
    assert cell.status in status, cell.events
    assert not [e for e in cell.events if e.outcome == "not-converted"], cell.events
    expected_ns = {"path": namespace["path"]}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        exec(code, expected_ns)
    actual_ns = dict(namespace)
    exec(cell.generated, actual_ns)
    return expected_ns["out"], actual_ns["out"], cell.generated


def assert_same_frame(expected, actual, generated):
    if isinstance(expected, pd.Series):
        expected = expected.to_frame()
    result = compare_frames(expected.reset_index(drop=True), actual.toPandas())
    assert result.equal, (generated, result)


def assert_same_value(expected, actual, generated):
    if expected is None or (isinstance(expected, float) and math.isnan(expected)):
        assert actual is None or (isinstance(actual, float) and math.isnan(actual)), (generated, actual)
    else:
        assert actual == pytest.approx(expected, rel=1e-12), (generated, expected, actual)


# -- PS149 str-split-extract ----------------------------------------------------------------------

SPLIT_CASES = {
    "split_one_char_is_literal": 'df["p"] = df["model"].str.split(".").str.get(0)',
    "split_pipe_is_literal": 'df["p"] = df["model"].str.split("|").str.get(1)',
    "split_out_of_range_is_missing": 'df["p"] = df["model"].str.split("-").str.get(2)',
    "split_keeps_trailing_empty": 'df["p"] = df["model"].str.split(",").str.get(2)',
    "split_negative_position": 'df["p"] = df["model"].str.split("-").str.get(-1)',
    "split_limit": 'df["p"] = df["model"].str.split("-", n=1).str.get(1)',
    "split_multichar_is_regex": 'df["p"] = df["model"].str.split("[-.]").str.get(1)',
    "split_regex_false": 'df["p"] = df["model"].str.split("0-", regex=False).str.get(0)',
    "get_char_of_text": 'df["p"] = df["model"].str.get(3)\ndf["q"] = df["model"].str.get(-1)',
    "extract_digits": 'df["p"] = df["model"].str.extract(r"(\\d+)")',
    "extract_named_group_no_expand": 'df["p"] = df["model"].str.extract(r"^(?P<maker>[A-Z]+)", expand=False)',
}


@pytest.mark.parametrize("case", sorted(SPLIT_CASES))
def test_str_split_extract_matches_pandas(case, namespace):
    body = SPLIT_CASES[case] + '\nout = df[["model", "p"' + (', "q"' if '"q"' in SPLIT_CASES[case] else "") + "]]"
    expected, actual, generated = run_both(namespace, body)
    assert_same_frame(expected, actual, generated)


# -- PS150 quantile-corr --------------------------------------------------------------------------

VALUE_CASES = {
    "quantile_median_default": 'out = df["x"].quantile()',
    "quantile_interpolates": 'out = df["x"].quantile(0.37)',
    "quantile_ends": 'out = (df["n"].quantile(0), df["n"].quantile(1.0), df["n"].quantile(0.9))',
    "corr_drops_missing_pairs": 'out = df["x"].corr(df["y"])',
    "corr_integer_column": 'out = df["n"].corr(df["x"])',
}


@pytest.mark.parametrize("case", sorted(VALUE_CASES))
def test_quantile_corr_values_match_pandas(case, namespace):
    expected, actual, generated = run_both(namespace, VALUE_CASES[case])
    for e, a in zip(expected if isinstance(expected, tuple) else (expected,), actual if isinstance(actual, tuple) else (actual,)):
        assert_same_value(e, a, generated)


def test_percentile_approx_would_not_be_exact(namespace):
    """Why the rule uses percentile: the approximate form returns an observed value."""
    F = namespace["F"]
    frame = namespace["spark"].createDataFrame([(1.0,), (2.0,), (3.0,), (4.0,)], ["v"])
    assert frame.agg(F.percentile("v", 0.5)).first()[0] == pd.Series([1.0, 2, 3, 4]).quantile(0.5) == 2.5
    assert frame.agg(F.percentile_approx("v", 0.5)).first()[0] != 2.5


def test_corr_of_constant_and_single_pair_is_missing(namespace):
    F = namespace["F"]
    frame = namespace["spark"].createDataFrame([(1.0, 2.0), (1.0, 3.0), (None, 1.0)], "a double, b double")
    assert_same_value(pd.Series([1.0, 1.0]).corr(pd.Series([2.0, 3.0])), frame.agg(F.corr("a", "b")).first()[0], "")
    single = frame.limit(1)
    assert_same_value(pd.Series([1.0]).corr(pd.Series([2.0])), single.agg(F.corr("a", "b")).first()[0], "")


def test_groupby_quantile_matches_pandas(namespace):
    expected, actual, generated = run_both(namespace, 'out = df.groupby("group")["x"].quantile(0.25).reset_index()')
    assert_same_frame(expected, actual, generated)


# -- PS151 crosstab -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        'out = pd.crosstab(df["group"], df["kind"]).reset_index()',
        'out = pd.crosstab(df["kind"], df["n"]).reset_index()',  # integer labels sort as numbers (10 after 9)
    ],
)
def test_crosstab_matches_pandas(body, namespace):
    expected, actual, generated = run_both(namespace, body)
    assert [str(c) for c in expected.columns] == actual.columns  # same layout, pivot values sorted as pandas sorts them
    assert_same_frame(expected, actual, generated)


# -- PS152 sample (different rows by design: the count is close and every row comes from the input) --


def _rows(frame: pd.DataFrame) -> list[tuple]:
    return sorted(tuple("<NA>" if pd.isna(v) else v for v in row) for row in frame.itertuples(index=False))


@pytest.mark.parametrize(
    "body, exact",
    [
        ('out = df.sample(frac=0.5, random_state=3)', False),
        ('out = df.sample(n=4, random_state=3)', True),
        ('out = df.sample(frac=1, random_state=3)', True),
    ],
)
def test_sample_count_and_rows_come_from_the_input(body, exact, namespace):
    expected, actual, generated = run_both(namespace, body, status=("partial",))
    got = actual.toPandas()
    every = pd.read_csv(namespace["path"])
    if exact:
        assert len(got) == len(expected)
    else:
        assert abs(len(got) - len(expected)) <= 4  # Bernoulli: about frac * count
    remaining = _rows(every)
    for row in _rows(got):
        remaining.remove(row)  # each sampled row is a distinct input row
    if "frac=1" in body:
        assert _rows(got) == _rows(every)


# -- PS153 resample -------------------------------------------------------------------------------

RESAMPLE = 'df["ts"] = pd.to_datetime(df["ts"])\n'


@pytest.mark.parametrize(
    "body",
    [
        'out = df.resample("D", on="ts")["x"].mean().reset_index()',
        'out = df.resample("D", on="ts")["x"].sum().reset_index()',
        'out = df.resample("D", on="ts").size().reset_index(name="rows")',
        'out = df.resample("h", on="ts").agg({"x": "sum", "y": "max"}).reset_index()',
        'out = df.resample("MS", on="ts")["n"].sum().reset_index()',
    ],
)
def test_resample_matches_pandas_on_bins_with_rows(body, namespace):
    expected, actual, generated = run_both(namespace, RESAMPLE + body, status=("partial",))
    frame = pd.read_csv(namespace["path"], parse_dates=["ts"])
    unit = body.split('"')[1]
    filled = set(frame["ts"].dropna().dt.floor("D" if unit == "D" else unit).to_list()) if unit != "MS" else None
    if filled is not None:  # pandas adds the empty bins between the first and the last: the partial difference
        assert len(expected) > len(filled) or unit == "h"
        expected = expected[expected["ts"].isin(filled)]
    assert_same_frame(expected, actual, generated)


# -- PS154 groupby-apply (fallback tier applyInPandas) ---------------------------------------------

APPLY_CASES = {
    "scalar_range": 'out = df.groupby("group").apply(lambda g: g["x"].max() - g["x"].min()).reset_index()',
    "scalar_len": 'out = df.groupby("kind").apply(lambda g: len(g)).reset_index()',
    "scalar_sees_key_columns": 'out = df.groupby("group").apply(lambda g: len(g.columns)).reset_index()',
    "scalar_without_key_columns": 'out = df.groupby("group").apply(lambda g: len(g.columns), include_groups=False).reset_index()',
    "scalar_keeps_missing_key": 'out = df.groupby("group", dropna=False).apply(lambda g: g["n"].sum()).reset_index()',
    "scalar_two_keys": 'out = df.groupby(["group", "kind"]).apply(lambda g: g["y"].mean()).reset_index()',
    "frame_filter": 'out = df.groupby("group").apply(lambda g: g[g["x"] > 3])',
    "frame_filter_without_keys": 'out = df.groupby("group").apply(lambda g: g[g["n"] >= 3], include_groups=False)',
    "frame_sort_values": 'out = df.groupby("kind").apply(lambda g: g.sort_values("n"))',
}


@pytest.mark.parametrize("case", sorted(APPLY_CASES))
def test_groupby_apply_matches_pandas(case, namespace):
    expected, actual, generated = run_both(namespace, APPLY_CASES[case])
    assert "compat.group_apply" in generated
    if case.startswith("scalar"):
        assert [str(c) for c in expected.columns] == actual.columns
        assert_same_frame(expected, actual, generated)
        # sorted by key as pandas sorts (missing key last)
        keys = [c for c in actual.columns if c != "0"]
        got = actual.toPandas()[keys].astype(object).where(lambda f: f.notna(), None).values.tolist()
        want = expected[keys].astype(object).where(lambda f: f.notna(), None).values.tolist()
        assert got == want
    else:
        assert_same_frame(expected, actual, generated)


def test_groupby_apply_key_columns_warning_path(namespace):
    """pandas 2.3 passes the key columns to the function with a FutureWarning (not a DeprecationWarning); the helper passes them too (above)."""
    frame = pd.read_csv(namespace["path"])
    with pytest.warns(FutureWarning, match="grouping columns"):  # pandas 2.3: a FutureWarning
        frame.groupby("group").apply(lambda g: len(g.columns))


# -- PS160 sort-index -----------------------------------------------------------------------------

SORT_INDEX_CASES = {
    "set_index_then_sort_missing_last": 'out = df.set_index("x").sort_index()',
    "descending_missing_last": 'out = df.set_index("x").sort_index(ascending=False)',
    "missing_first": 'out = df.set_index("y").sort_index(na_position="first")',
}


@pytest.mark.parametrize("case", sorted(SORT_INDEX_CASES))
def test_sort_index_orders_rows_as_pandas(case, namespace):
    """The rows come out in pandas' order: by the index, missing values where pandas puts them."""
    expected, actual, generated = run_both(namespace, SORT_INDEX_CASES[case])
    rows = actual.toPandas()
    assert list(rows.columns) == [expected.index.name, *expected.columns], generated
    assert rows[expected.index.name].tolist() == pytest.approx(expected.index.tolist(), nan_ok=True), generated  # the order
    result = compare_frames(expected.reset_index(), rows)  # the rows (as multisets)
    assert result.equal, (generated, result)


# -- PS161 labelled-series-to-dict ----------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    ['out = df["kind"].value_counts().to_dict()', 'out = df.groupby(["group", "kind"])["n"].sum().to_dict()'],
    ids=["value_counts", "groupby_two_keys"],
)
def test_labelled_series_to_dict_is_pandas_dict(body, namespace):
    """The same dict as pandas: labels (tuples for two keys), values and, for value_counts, order."""
    expected, actual, generated = run_both(namespace, body)
    assert actual == expected, generated
    if "value_counts" in body:
        assert list(actual.values()) == list(expected.values()), generated
