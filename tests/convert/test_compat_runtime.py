"""The generated package's Spark helpers compute what pandas computes (run on Spark, compared with pandas)."""

from __future__ import annotations

import math

import pandas as pd
import pytest


pytestmark = pytest.mark.spark




def rows(df: pd.DataFrame) -> list[tuple]:
    """Rows as tuples, missing values as None, sorted: a multiset comparison."""
    def norm(v):
        return None if v is None or (isinstance(v, float) and math.isnan(v)) else v

    return sorted((tuple(norm(v) for v in r) for r in df.itertuples(index=False)), key=repr)


LEFT = pd.DataFrame({"k": ["a", "b", None], "v": [1.0, 2.0, 3.0], "name": ["l1", "l2", "l3"]})
RIGHT = pd.DataFrame({"k": ["a", None, "c"], "w": [10.0, 30.0, 40.0], "name": ["r1", "r3", "r4"]})


@pytest.mark.parametrize("how", ["inner", "left", "right", "outer"])
def test_merge_matches_pandas(spark, compat, how):
    expected = LEFT.merge(RIGHT, on="k", how=how)
    spark_how = "full" if how == "outer" else how
    actual = compat.merge(spark.createDataFrame(LEFT), spark.createDataFrame(RIGHT), on=["k"], how=spark_how).toPandas()
    assert list(actual.columns) == list(expected.columns) == ["k", "v", "name_x", "w", "name_y"]
    assert rows(actual) == rows(expected)


def test_merge_with_different_key_names_keeps_both(spark, compat):
    right = RIGHT.rename(columns={"k": "key"})
    expected = LEFT.merge(right, left_on="k", right_on="key", how="inner", suffixes=("_l", "_r"))
    actual = compat.merge(
        spark.createDataFrame(LEFT), spark.createDataFrame(right), left_on=["k"], right_on=["key"], suffixes=("_l", "_r")
    ).toPandas()
    assert list(actual.columns) == list(expected.columns)
    assert rows(actual) == rows(expected)


def test_merge_with_dots_in_column_names(spark, compat):
    """A column named ``area (sq. mi)`` is one column, not field `` mi)`` of ``area (sq`` (a real notebook's census data)."""
    left = pd.DataFrame({"state": ["Alabama", "Alaska", None], "pop.total": [4.8, 0.7, 1.0]})
    right = pd.DataFrame({"state": ["Alaska", "Alabama"], "area (sq. mi)": [656425, 52423]})
    expected = left.merge(right, on="state", how="outer")
    actual = compat.merge(spark.createDataFrame(left), spark.createDataFrame(right), on=["state"], how="full").toPandas()
    assert list(actual.columns) == list(expected.columns) == ["state", "pop.total", "area (sq. mi)"]
    assert rows(actual) == rows(expected)


@pytest.mark.parametrize("how", ["inner", "outer"])
def test_merge_without_keys_joins_on_the_common_columns(spark, compat, how):
    """``pd.merge(pop, areas)``: pandas' keys are the columns both sides have; none in common is pandas' MergeError."""
    left = pd.DataFrame({"state": ["Alabama", "Alaska", None], "year": [2010, 2010, 2012], "pop": [4.8, 0.7, 1.0]})
    right = pd.DataFrame({"year": [2010, 2012], "state": ["Alaska", None], "area": [656425, 1]})
    expected = pd.merge(left, right, how=how)
    actual = compat.merge(spark.createDataFrame(left), spark.createDataFrame(right), how="full" if how == "outer" else how).toPandas()
    assert list(actual.columns) == list(expected.columns) == ["state", "year", "pop", "area"]
    assert rows(actual) == rows(expected)
    with pytest.raises(ValueError, match="No common columns"):
        compat.merge(spark.createDataFrame(left), spark.createDataFrame(right[["area"]]))


def test_csv_options_read_like_pandas(spark, compat, tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("a,b,c,when\n1,NA,x,2013-01-01T10:00:00Z\n2,,NA,2013-01-02T11:00:00Z\n3,2.5,,2013-01-03T00:00:00Z\n")
    expected = pd.read_csv(path)
    actual = spark.read.options(**compat.CSV_READ_OPTIONS).csv(str(path)).toPandas()
    assert list(actual.columns) == list(expected.columns)
    assert dict(actual.dtypes.astype(str)) == {"a": "int32", "b": "float64", "c": "object", "when": "object"}
    assert rows(actual) == rows(expected)  # NA and "" missing; date-like text stays text


def test_step_names_the_failing_cell(compat):
    with pytest.raises(compat.StepError, match=r"^cell 7 failed: ZeroDivisionError"):
        with compat.step("cell 7"):
            1 / 0


PLANES = pd.DataFrame(
    {"tailnum": ["N1", "N2", "N3", "N4"], "seats": [55, None, 182, 2], "engine": ["Turbo-fan", "Turbo-jet", None, "4 Cycle"]}
)


@pytest.mark.parametrize(
    ("column", "func"),
    [
        ("seats", lambda s: s * 2 if s == s else -1),  # NaN-aware arithmetic, float result
        ("engine", lambda e: e.lower() if isinstance(e, str) else "unknown"),  # text result
        ("tailnum", lambda t: t.endswith("2")),  # boolean result
        ("tailnum", len),  # integer result
    ],
    ids=["float", "text", "bool", "int"],
)
def test_apply_column_runs_the_notebook_function(spark, compat, column, func):
    expected = PLANES[column].apply(func)
    df = spark.createDataFrame(PLANES)
    actual = df.select(compat.apply_column(df, column, func).alias("out")).toPandas()["out"]
    assert rows(actual.to_frame()) == rows(expected.to_frame())


def test_apply_rows_runs_the_notebook_function(spark, compat):
    def label(row):
        return f"{row['tailnum']}:{row['engine']}"

    expected = PLANES.apply(label, axis=1)
    df = spark.createDataFrame(PLANES)
    actual = df.select(compat.apply_rows(df, label).alias("out")).toPandas()["out"]
    assert sorted(actual) == sorted(expected)


def test_rename_columns_with_a_function(spark, compat):
    frame = spark.createDataFrame([(1, 2)], ["Dep_Delay", " Carrier "])
    assert compat.rename_columns(frame, str.lower).columns == ["dep_delay", " carrier "]
    assert compat.rename_columns(frame, lambda c: c.strip()).columns == ["Dep_Delay", "Carrier"]


@pytest.mark.parametrize("call", [
    "pd.read_csv(path, names=['length', 'width', 'class'])",
    "pd.read_csv(path, header=None, names=['length', 'width', 'class'])",
    "pd.read_csv(path, header=0, names=['length', 'width', 'class'])",
])
def test_read_csv_with_names_reads_like_pandas(spark, pipeline_globals, tmp_path, call):
    """A headerless data file named by names= (the UCI files real notebooks read), and a header replaced."""
    from nb2prod.convert.engine import rewrite_sources

    path = tmp_path / "magic04.data"
    path.write_text("28.7967,16.0021,g\n31.6036,11.7235,g\n162.052,136.031,h\n")
    rewritten = rewrite_sources([f"import pandas as pd\ndf = {call}"])
    assert rewritten.cells[0].status == "converted", rewritten.cells[0].generated
    namespace = {**pipeline_globals, "path": str(path)}
    exec(rewritten.cells[0].generated, namespace)
    expected = eval(call, {"pd": pd, "path": str(path)})
    actual = namespace["df"].toPandas()
    assert list(actual.columns) == list(expected.columns) == ["length", "width", "class"]
    assert rows(actual) == rows(expected)


def test_dropna_with_a_dotted_column_name(spark, pipeline_globals):
    """jakevdp's merge chapter: ``final.dropna()`` after a merge that brought ``area (sq. mi)`` in."""
    from nb2prod.convert.engine import rewrite_sources

    frame = pd.DataFrame({"state": ["Alaska", None], "area (sq. mi)": [656425.0, None]})
    rewritten = rewrite_sources(["import pandas as pd\nfinal = pd.read_csv(path)", "some = final.dropna(subset=['area (sq. mi)'])\nfinal = final.dropna()"])
    namespace = {**pipeline_globals, "final": spark.createDataFrame(frame)}
    exec(rewritten.cells[1].generated, namespace)
    assert rows(namespace["final"].toPandas()) == rows(frame.dropna())
    assert rows(namespace["some"].toPandas()) == rows(frame.dropna(subset=["area (sq. mi)"]))


def test_driver_code_gets_pandas_index_back(spark, pipeline_globals, compat):
    """Label lookups on group keys or a set_index run on the driver with the index the notebook's pandas code expects."""
    from nb2prod.convert.engine import rewrite_sources

    frame = pd.DataFrame({"carrier": ["AA", "UA", "AA"], "day": ["d1", "d2", "d3"], "delay": [1.0, 5.0, 3.0]})
    cells = [
        "import pandas as pd\nflights = pd.read_csv(path)",
        "by = flights.groupby('carrier').delay.mean()\naa = by.loc['AA']\n"
        "daily = flights.set_index('day')\nd2 = daily.loc['d2', 'delay']\nlabels = list(by.index)",
    ]
    rewritten = rewrite_sources(cells)
    assert "index=['carrier'], series='delay')" in rewritten.cells[1].generated
    namespace = {**pipeline_globals, "flights": spark.createDataFrame(frame), "driver": compat.Driver(spark, {})}
    exec(rewritten.cells[1].generated, namespace)
    expected: dict = {"flights": frame}
    exec("\n".join(cells[1:]), {"pd": pd}, expected)
    assert (namespace["aa"], namespace["d2"], namespace["labels"]) == (expected["aa"], expected["d2"], expected["labels"]) == (2.0, 5.0, ["AA", "UA"])


@pytest.mark.parametrize("keep", ["first", "last", False])
def test_drop_duplicates_keeps_pandas_row_after_a_read(spark, compat, tmp_path, keep):
    """A file read in several partitions: the row kept per key is the one pandas keeps."""
    path = tmp_path / "orders.csv"
    lines = ["order_id,item,qty"] + [f"{i % 97},item{i},{i}" for i in range(2000)] + ["5000,once,1"]
    path.write_text("\n".join(lines) + "\n")
    expected = pd.read_csv(path).drop_duplicates(subset=["order_id"], keep=keep)
    spark.conf.set("spark.sql.files.maxPartitionBytes", "4096")
    try:
        frame = spark.read.options(**compat.CSV_READ_OPTIONS).csv(str(path))
        assert frame.rdd.getNumPartitions() > 4
        actual = compat.drop_duplicates(frame, ["order_id"], keep=keep).toPandas()
    finally:
        spark.conf.unset("spark.sql.files.maxPartitionBytes")
    assert list(actual.columns) == ["order_id", "item", "qty"]
    assert rows(actual) == rows(expected)


def test_a_computed_column_of_an_indexed_frame_is_a_series_on_that_index(spark, pipeline_globals, compat):
    """jakevdp's merge chapter: density of states indexed by name, sorted in place on the driver."""
    from nb2prod.convert.engine import rewrite_sources

    frame = pd.DataFrame({"state": ["Alaska", "Ohio", "Utah"], "population": [7.0, 115.0, 28.0], "area (sq. mi)": [656.0, 44.0, 84.0]})
    cells = [
        "import pandas as pd\ndata = pd.read_csv(path)",
        "data.set_index('state', inplace=True)\ndensity = data['population'] / data['area (sq. mi)']\n"
        "density.sort_values(ascending=False, inplace=True)\ntop = density.head(2)",
    ]
    rewritten = rewrite_sources(cells)
    namespace = {**pipeline_globals, "data": spark.createDataFrame(frame), "driver": compat.Driver(spark, {})}
    exec(rewritten.cells[1].generated, namespace)
    expected: dict = {"data": frame.copy()}
    exec(cells[1], {"pd": pd}, expected)
    assert namespace["top"].to_dict() == expected["top"].to_dict() == {"Ohio": 115.0 / 44.0, "Utah": 28.0 / 84.0}
