"""Explicit CSV schemas: inferred at convert time with pandas' type rules, used by the pipeline's reader."""

from __future__ import annotations

from pathlib import Path

import pytest

from nb2prod.convert.package import convert_notebook
from nb2prod.convert.schemas import PANDAS_NA, InferredSchema, csv_schemas, infer_csv_schema
from tests.convert.conftest import render_schemas, write_notebook

CSV = (
    "id,late,speed,ok,carrier,time_hour,col name\n"
    "1,5,10.5,True,AA,2013-01-01 05:00:00,7\n"
    "2,NA,11.0,False,UA,2013-01-01 06:00:00,8\n"
    "3,,12.25,True,,2013-01-01 07:00:00,9\n"
)
COLUMNS = ["id BIGINT", "late DOUBLE", "speed DOUBLE", "ok BOOLEAN", "carrier STRING", "time_hour STRING", "`col name` BIGINT"]


def test_pandas_dtypes_become_spark_types(tmp_path: Path) -> None:
    """int64 -> BIGINT, integers with NA/empty (pandas: float64) -> DOUBLE, bool, text and dates -> STRING."""
    path = tmp_path / "flights.csv"
    path.write_text(CSV)
    assert infer_csv_schema(path) == InferredSchema(COLUMNS, {})


def test_files_without_a_faithful_schema_get_none(tmp_path: Path) -> None:
    """Duplicate header names (pandas renames them) and unreadable files: Spark infers at run time."""
    (tmp_path / "dup.csv").write_text("a,a\n1,2\n")
    (tmp_path / "bad.csv").write_bytes(b"\xff\xfe\x00a,b\n")
    assert infer_csv_schema(tmp_path / "dup.csv") is None
    assert infer_csv_schema(tmp_path / "bad.csv") is None
    assert infer_csv_schema(tmp_path / "missing.csv") is None


def test_only_files_the_pipeline_reads_get_a_schema(tmp_path: Path) -> None:
    (tmp_path / "flights.csv").write_text(CSV)
    (tmp_path / "other.csv").write_text("x;y\n1;2\n")
    (tmp_path / "unused.csv").write_text("z\n1\n")
    code = 'a = schemas.read_csv(spark, f"{D}/flights.csv")\nb = schemas.read_csv(spark, f"{D}/other.csv", sep=";")\n'
    found = csv_schemas(sorted(tmp_path.iterdir()), code)
    assert found == {
        "flights.csv": {"sep": ",", "columns": COLUMNS, "casts": {}},
        "other.csv": {"sep": ";", "columns": ["x BIGINT", "y BIGINT"], "casts": {}},
    }


#: pandas' other missing-value strings: a text column with NULL and None, numbers with N/A and NaN
NA_CSV = "id,item,price,note\n1,Chips,1.5,x\n2,NULL,N/A,None\n3,Salsa,NaN,null\n4,None,2,n/a\n"


def test_the_missing_value_list_is_pandas_own() -> None:
    from pandas._libs.parsers import STR_NA_VALUES

    assert tuple(sorted(STR_NA_VALUES)) == PANDAS_NA


def test_numbers_with_pandas_missing_strings_are_read_as_text_then_cast(tmp_path: Path) -> None:
    """pandas reads `1.5,N/A,NaN,2` as float64: the schema reads the column as text and casts it to DOUBLE once nulled."""
    path = tmp_path / "orders.csv"
    path.write_text(NA_CSV)
    assert infer_csv_schema(path) == InferredSchema(["id BIGINT", "item STRING", "price STRING", "note STRING"], {"price": "DOUBLE"})


@pytest.mark.spark
def test_pandas_missing_strings_are_null_as_pandas_reads_them(spark, compat, tmp_path: Path) -> None:
    """The Spark read has the values pandas has: NULL/None/null/n/a are null in text, N/A and NaN null in numbers."""
    import pandas as pd

    path = tmp_path / "orders.csv"
    path.write_text(NA_CSV)
    schema = infer_csv_schema(path)
    schemas = render_schemas(tmp_path, "schemas_na", compat, {"orders.csv": {"sep": ",", "columns": schema.columns, "casts": schema.casts}})
    frame, read_jobs = _jobs(spark, "na-read", lambda: schemas.read_csv(spark, str(path)))
    assert read_jobs == 0
    assert [f"{f.name} {f.dataType.simpleString()}" for f in frame.schema.fields] == ["id bigint", "item string", "price double", "note string"]
    expected = pd.read_csv(path).astype(object).where(lambda f: f.notna(), None).values.tolist()
    assert [list(r) for r in frame.orderBy("id").collect()] == expected
    with pytest.raises(Exception, match="(?i)cast|malformed"):  # a value neither a number nor missing still fails
        path.write_text(NA_CSV.replace("1.5", "one"))
        schemas.read_csv(spark, str(path)).collect()


def test_convert_writes_the_schema_into_the_package(tmp_path: Path) -> None:
    (tmp_path / "flights.csv").write_text(CSV)
    nb = write_notebook(tmp_path / "n.ipynb", ["import pandas as pd\nflights = pd.read_csv('flights.csv')\nn = flights['late'].mean()"])
    convert_notebook(nb, tmp_path / "out", name="schema_demo")
    schemas = (tmp_path / "out" / "src" / "schema_demo" / "schemas.py").read_text()
    assert '"flights.csv": (\n        "id BIGINT, "\n        "late DOUBLE, "' in schemas
    assert "schemas.read_csv(spark, " in (tmp_path / "out" / "src" / "schema_demo" / "pipeline.py").read_text()


def _jobs(spark, group: str, action) -> tuple[object, int]:
    sc = spark.sparkContext
    sc.setJobGroup(group, group)
    try:
        result = action()
    finally:
        sc.setLocalProperty("spark.jobGroup.id", None)
    return result, len(sc.statusTracker().getJobIdsForGroup(group))


@pytest.mark.spark
def test_a_schema_replaces_inference_the_file_is_read_once_per_action(spark, compat, tmp_path: Path) -> None:
    """With the schema: no job at read time (no inferSchema pass), the count's own jobs only; the types are the schema's."""
    path = tmp_path / "flights.csv"
    path.write_text(CSV)
    schemas = render_schemas(tmp_path, "schemas_used", compat, {"flights.csv": {"sep": ",", "columns": COLUMNS}})
    frame, read_jobs = _jobs(spark, "with-schema-read", lambda: schemas.read_csv(spark, str(path)))
    count, count_jobs = _jobs(spark, "with-schema-count", frame.count)
    assert (read_jobs, count) == (0, 3)
    assert [f"{f.name} {f.dataType.simpleString()}" for f in frame.schema.fields] == [
        "id bigint", "late double", "speed double", "ok boolean", "carrier string", "time_hour string", "col name bigint",
    ]  # fmt: skip
    assert frame.filter("late is null").count() == 2  # NA and the empty field are null, as in pandas
    other = tmp_path / "other.csv"
    other.write_text(CSV)
    inferred, inferred_jobs = _jobs(spark, "without-schema-read", lambda: schemas.read_csv(spark, str(other)))
    assert inferred_jobs >= 1  # a file with no schema is still inferred: a pass over the data before any action
    _, inferred_count_jobs = _jobs(spark, "without-schema-count", inferred.count)
    assert count_jobs == inferred_count_jobs  # the action itself reads the file the same way: once


@pytest.mark.spark
def test_a_drifted_header_fails_the_step_with_one_line_naming_file_and_column(spark, compat, tmp_path: Path) -> None:
    path = tmp_path / "flights.csv"
    path.write_text(CSV.replace("late,", "arr_late,", 1))
    schemas = render_schemas(tmp_path, "schemas_drift", compat, {"flights.csv": {"sep": ",", "columns": COLUMNS}})
    with pytest.raises(compat.StepError) as caught:
        with compat.step("cell 7"):
            schemas.read_csv(spark, str(path))
    message = str(caught.value)
    assert message == (
        f"cell 7 failed: SchemaDrift: {path}: column 'late' of its schema is not in the file's header "
        "(the input changed since conversion: fix it, or edit schemas.py)"
    )


@pytest.mark.spark
def test_a_value_of_another_type_is_an_error_not_a_null(spark, compat, tmp_path: Path) -> None:
    path = tmp_path / "flights.csv"
    path.write_text(CSV.replace("1,5,10.5", "one,5,10.5"))
    schemas = render_schemas(tmp_path, "schemas_types", compat, {"flights.csv": {"sep": ",", "columns": COLUMNS}})
    frame = schemas.read_csv(spark, str(path))
    with pytest.raises(Exception, match="(?i)malformed"):
        frame.select("id").collect()


def test_a_file_with_short_rows_is_inferred_at_run_time(tmp_path: Path) -> None:
    """brandon-rhodes' sales2.csv: report lines of one field that pandas pads with NaN; FAILFAST would refuse them."""
    path = tmp_path / "sales2.csv"
    path.write_text("Title,Units sold,List price\n,\nSales report for Q4\nSwimrand,1,2.99\n")
    assert infer_csv_schema(path) is None
    path.write_text("Title,Units sold,List price\nSwimrand,1,\nDuck,2,3.5\n")  # a missing last value is not a short row
    assert infer_csv_schema(path) == InferredSchema(["Title STRING", "`Units sold` BIGINT", "`List price` DOUBLE"], {})
