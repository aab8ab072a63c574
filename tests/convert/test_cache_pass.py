"""The cache pass on Spark: a frame that feeds two outputs is cached once, reused, and released."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from nb2prod.convert.engine import rewrite_sources

CELLS = [
    'import pandas as pd\nflights = pd.read_csv(path)\nflights = flights.dropna(subset=["arr_delay"])\nflights["late"] = flights["arr_delay"] > 15',
    'by_carrier = flights.groupby("carrier")["late"].mean().reset_index()',
    'by_origin = flights.groupby("origin")["late"].mean().reset_index()\nby_carrier.to_csv("carrier.csv", index=False)\nby_origin.to_csv("origin.csv", index=False)',
]


@pytest.mark.spark
def test_frame_feeding_two_outputs_is_cached_once_then_unpersisted(spark, pipeline_globals, tmp_path: Path) -> None:
    data = tmp_path / "flights.csv"
    data.write_text("carrier,origin,arr_delay\nAA,JFK,20\nAA,LGA,NA\nUA,JFK,3\nUA,EWR,40\n")
    result = rewrite_sources(CELLS)
    code = "\n".join(c.generated for c in result.cells)
    assert code.count(".cache()") == 1 and code.count(".unpersist()") == 1
    config = {"output_carrier": str(tmp_path / "carrier.csv"), "output_origin": str(tmp_path / "origin.csv")}
    ns = {**pipeline_globals, "path": str(data), "config": config, "log": logging.getLogger("test")}
    cells = [c.generated for c in result.cells]
    exec(cells[0], ns)
    flights = ns["flights_pruned"]  # the prune pass caches the columns the outputs read under this name
    assert flights.storageLevel.useMemory  # cached where it is made
    exec(cells[1], ns)
    # both outputs read the cached frame (one InMemoryRelation each), not the file again
    plan = ns["by_carrier"]._jdf.queryExecution().optimizedPlan().toString()
    assert plan.count("InMemoryRelation") == 1
    exec(cells[2], ns)
    assert not flights.storageLevel.useMemory  # released after the last output
    written = sorted(p.name for p in (tmp_path / "carrier.csv").iterdir() if p.name.startswith("part-"))
    assert written
