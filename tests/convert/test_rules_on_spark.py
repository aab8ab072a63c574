"""The code rules generate computes on Spark what pandas computes (PS140-PS145).

Each test converts a cell with the engine, runs the cell with pandas and the generated code with
Spark on the same small frame (missing values, duplicates, ties), and compares the results with
``nb2prod.verify.compare`` (columns in order, rows as multisets, null and NaN equal).
The frames come from ``spark.createDataFrame`` in place of the notebook's ``read_csv``; NaN in
float columns becomes null there, as a CSV read gives it.
"""

from __future__ import annotations


import numpy as np
import pandas as pd
import pytest

from nb2prod.convert.engine import rewrite_sources
from nb2prod.verify.compare import assert_same_dataset

pytestmark = pytest.mark.spark




def to_spark(spark, pdf: pd.DataFrame, casts: dict[str, str] | None = None):
    """``pdf`` as a Spark frame with null where pandas has NaN (as a CSV read gives), columns cast as asked."""
    from pyspark.sql import functions as F

    text = [c for c in pdf.columns if pdf[c].dtype == object]
    pdf = pdf.astype({c: object for c in text}).where(pdf.notna() | ~pdf.columns.isin(text), None)
    df = spark.createDataFrame(pdf)
    floats = {c for c, t in df.dtypes if t in ("double", "float")}
    columns = [F.when(~F.isnan(c), F.col(c)).alias(c) if c in floats else F.col(c) for c in df.columns]
    df = df.select(columns)
    for column, kind in (casts or {}).items():
        df = df.withColumn(column, F.col(column).cast(kind))
    return df


def convert(cell: str, frames: list[str]) -> tuple[str, str]:
    """The Spark code generated for ``cell`` when ``frames`` are DataFrames read by an earlier cell, and its status."""
    setup = "import numpy as np\nimport pandas as pd\n" + "".join(f'{n} = pd.read_csv("{n}.csv")\n' for n in frames)
    result = rewrite_sources([setup, cell])
    return result.cells[1].generated, result.cells[1].status


def run_both(pipeline_globals, cell: str, frames: dict[str, pd.DataFrame], *, expect: str, variables=None, casts=None, pandas_cell=None):
    """Run ``cell`` with pandas and its conversion with Spark; assert the results ``out`` are the same dataset."""
    spark = pipeline_globals["spark"]
    code, status = convert(cell, list(frames))
    assert status == "converted", code
    assert expect in code, code
    variables = variables or {}
    pandas_ns = {"pd": pd, "np": np, **variables, **{n: f.copy() for n, f in frames.items()}}
    exec(pandas_cell or cell, pandas_ns)
    spark_ns = {**pipeline_globals, "np": np, **variables}
    spark_ns.update({n: to_spark(spark, f, (casts or {}).get(n)) for n, f in frames.items()})
    exec(code, spark_ns)
    expected, actual = pandas_ns["out"], spark_ns["out"].toPandas()
    assert_same_dataset(expected, actual, "out")
    return expected, actual


# -- PS140 pivot_table ----------------------------------------------------------------------------

FLIGHTS = pd.DataFrame(
    {
        "k": ["a", "a", "a", "b", "b", None, "c", "c", "a", "b"],
        "c": ["x", "x", "y", "x", None, "x", "y", "y", "z", "y"],
        "v": [1.0, 3.0, np.nan, 3.0, 4.0, 5.0, np.nan, np.nan, np.nan, 2.0],
    }
)


@pytest.mark.parametrize(
    ("call", "expect"),
    [
        # mean: row c and column z only have missing values: pandas drops them
        ('out = df.pivot_table(index="k", columns="c", values="v").reset_index()', ".pivot("),
        # sum: an all-missing group is 0, an absent cell gets fill_value
        ('out = pd.pivot_table(df, "v", "k", "c", aggfunc="sum", fill_value=0).reset_index()', "F.coalesce(F.sum"),
        # count: an all-missing group is 0, an absent cell missing
        ('out = df.pivot_table(index="k", columns="c", values="v", aggfunc="count").reset_index()', "F.count("),
        ('out = df.pivot_table(index="k", columns="c", values="v", aggfunc=np.max).reset_index()', "F.max("),
    ],
)
@pytest.mark.filterwarnings("ignore:The provided callable")
def test_pivot_table(pipeline_globals, call, expect):
    expected, actual = run_both(pipeline_globals, call, {"df": FLIGHTS}, expect=expect)
    assert list(actual["k"]) == list(expected["k"])  # sorted index


# -- PS141 melt -----------------------------------------------------------------------------------

WIDE = pd.DataFrame({"id": [1, 1, 2, None], "a": [1, 2, 2, 3], "b": [0.5, np.nan, 0.5, 1.5]})


@pytest.mark.parametrize(
    ("call", "expect"),
    [
        ('out = df.melt(id_vars=["id"], value_vars=["a", "b"], var_name="kind")', "unpivot("),
        ('out = pd.melt(df, id_vars="id", value_name="amount")', ", None, "),
        ('out = df.melt(None, ["b"])', "unpivot([]"),
    ],
)
def test_melt(pipeline_globals, call, expect):
    run_both(pipeline_globals, call, {"df": WIDE}, expect=expect, casts={"df": {"id": "int"}})


# -- PS142 get_dummies ----------------------------------------------------------------------------

PLANES = pd.DataFrame(
    {
        "color": ["red", None, "blue", "red", "Blue"],
        "size": [1.0, 2.0, np.nan, 1.0, 2.0],  # an integer column with a missing value: float in pandas
        "n": [3, 1, 2, 3, 3],
        "ok": [True, False, True, True, False],
    }
)


@pytest.mark.parametrize(
    "call",
    [
        'out = pd.get_dummies(df, columns=["size", "color"], prefix=["s", "c"])',
        "out = pd.get_dummies(df)",
        'out = pd.get_dummies(df, columns=["color", "n"], dtype=int, drop_first=True, dummy_na=True, prefix_sep=":")',
        'out = pd.get_dummies(df, columns=["n"], prefix={"n": "num"}, dtype=float)',
    ],
)
def test_get_dummies(pipeline_globals, call):
    # Spark reads the integer column with a missing value as int (pandas as float): the labels follow pandas
    run_both(pipeline_globals, call, {"df": PLANES}, expect="compat.get_dummies(", casts={"df": {"size": "int"}})


# -- PS143 query ----------------------------------------------------------------------------------

ROWS = pd.DataFrame(
    {
        "a": [1.0, 2.0, np.nan, 4.0, 2.0, 3.0],
        "b": ["x", "y", np.nan, "x", "it's", np.nan],  # read_csv's missing text is NaN
        "my col": [5, 1, 2, 3, 3, 0],
    }
)


@pytest.mark.parametrize(
    "call",
    [
        "out = df.query(\"a > 1 and b != 'x'\")",
        "out = df.query(\"not (a > 2) | b in ['y', None]\")",
        "out = df.query('b not in [\"x\"] & 1 < a <= 3')",
        "out = df.query('b == @name or a in @values')",
        "out = df.query('b in @texts or b not in [None, \"y\"] and a in [None]')",
        "out = df.query('`my col` >= @limit and a.notna() or b == [\"y\"]')",
        "out = df.query('b != @name and -a < -1.5 or a / `my col` > 1')",
    ],
)
def test_query(pipeline_globals, call):
    variables = {"name": "it's", "values": [4.0, np.nan], "texts": ["x", None], "limit": 3}
    run_both(pipeline_globals, call, {"df": ROWS}, expect=".filter(", variables=variables)


# -- PS144 assign ---------------------------------------------------------------------------------


def test_assign_computes_from_the_frame_as_it_was(pipeline_globals):
    cell = 'out = df.assign(a=df["a"] * 2, b=df["a"] + 1, c="k", d=np.nan, e=df["b"] != "x")'
    run_both(pipeline_globals, cell, {"df": ROWS}, expect="withColumns(")


# -- PS145 append ---------------------------------------------------------------------------------


def test_append_by_column_name(pipeline_globals):
    jan = pd.DataFrame({"month": [1, 1], "flights": [10.0, np.nan], "note": ["a", None]})
    feb = pd.DataFrame({"flights": [10.0, 7.0], "month": [2, 2], "extra": [True, False]})
    cell = "out = jan.append([feb, jan], ignore_index=True)"
    # DataFrame.append is gone in pandas 2: its documented replacement gives pandas' result
    reference = "out = pd.concat([jan, feb, jan], ignore_index=True)"
    run_both(pipeline_globals, cell, {"jan": jan, "feb": feb}, expect="unionByName(", pandas_cell=reference)


def test_filter_against_to_datetime_of_a_literal_matches_pandas(pipeline_globals):
    """pd.to_datetime("...") stays a pd.Timestamp; Spark compares a timestamp column with it (PS129)."""
    frame = pd.DataFrame({"when": pd.to_datetime(["2013-05-31 23:00", "2013-06-01 00:00", "2013-06-02 08:30"]), "v": [1, 2, 3]})
    cell = 'cutoff = pd.to_datetime("2013-06-01")\nout = df[df["when"] >= cutoff][["v"]]'
    # the pipeline keeps the notebook's `import pandas as pd` for it
    expected, actual = run_both(pipeline_globals, cell, {"df": frame}, expect="pd.to_datetime(", variables={"pd": pd})
    assert expected["v"].tolist() == [2, 3]
