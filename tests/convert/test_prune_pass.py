"""The prune pass on Spark: the cache holds, and the CSV reader parses, only the columns the outputs read."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from nb2prod.convert.engine import PASSES, rewrite_sources
from nb2prod.convert.passes.prune_pass import PrunePass

CELLS = [
    'import pandas as pd\nflights = pd.read_csv(path)\nflights = flights.dropna(subset=["arr_delay"])\nflights["late"] = flights["arr_delay"] > 15',
    'by_carrier = flights.groupby("carrier")["late"].mean().reset_index()',
    'by_origin = flights.groupby("origin")["late"].mean().reset_index()\nby_carrier.to_csv("carrier.csv", index=False)\nby_origin.to_csv("origin.csv", index=False)',
]
HEADER = "year,carrier,origin,dest,tailnum,arr_delay,distance"
ROWS = ["2013,AA,JFK,LAX,N1,20,2475", "2013,AA,LGA,ORD,N2,NA,733", "2013,UA,JFK,SFO,N3,3,2586", "2013,UA,EWR,IAH,N4,40,1400"]


def _run(cells: list[str], ns: dict, tmp: Path, label: str) -> tuple[dict[str, list], dict]:
    """Run the generated cells; (each output's rows, the namespace after)."""
    config = {"output_carrier": str(tmp / f"{label}-carrier.csv"), "output_origin": str(tmp / f"{label}-origin.csv")}
    ns = {**ns, "config": config, "log": logging.getLogger("test")}
    for cell in cells:
        exec(cell, ns)
        if "flights_pruned" in ns and "plan" not in ns:  # while cached (the last cell releases it)
            frame = ns["flights_pruned"]
            ns["plan"] = frame._sc._jvm.PythonSQLUtils.explainString(frame._jdf.queryExecution(), "simple")
    spark = ns["spark"]
    return {key: sorted(map(tuple, spark.read.csv(path, header=True).collect())) for key, path in config.items()}, ns


@pytest.mark.spark
def test_cache_holds_and_the_reader_parses_only_the_columns_the_outputs_read(spark, pipeline_globals, tmp_path: Path) -> None:
    data = tmp_path / "flights.csv"
    data.write_text("\n".join([HEADER, *ROWS]) + "\n")
    ns = {**pipeline_globals, "path": str(data)}
    pruned = [c.generated for c in rewrite_sources(CELLS).cells]
    unpruned = [c.generated for c in rewrite_sources(CELLS, passes=[p for p in PASSES if p is not PrunePass]).cells]
    assert pruned != unpruned

    written, after = _run(pruned, ns, tmp_path, "pruned")
    expected, _ = _run(unpruned, ns, tmp_path, "unpruned")
    assert written == expected  # the same outputs
    # the full frame keeps every column under its own name (what run() returns and verify compares)
    assert after["flights"].columns == [*HEADER.split(","), "late"]
    cached = after["plan"]
    relation = cached.split("InMemoryRelation [", 1)[1].split("]", 1)[0]
    assert sorted(c.split("#")[0] for c in relation.split(", ")) == ["carrier", "late", "origin"]
    read_schema = cached.split("ReadSchema: struct<", 1)[1].split(">", 1)[0]
    assert sorted(f.split(":")[0] for f in read_schema.split(",")) == ["arr_delay", "carrier", "origin"]
