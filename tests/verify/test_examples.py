"""`nb2prod verify` passes on the bundled example notebooks (on the committed samples of their data)."""

from __future__ import annotations

import json
import shutil

import pytest

from nb2prod.cli import main
from tests.convert.conftest import EXAMPLES, SAMPLES

pytestmark = pytest.mark.spark

#: example notebook -> the outputs it writes (each must be equal on both sides)
EXAMPLES_VERIFIED = {
    "penguins_tutorial.ipynb": ["heavy_male_penguins.csv", "penguins_by_island.csv", "penguins_by_species.csv"],
    "plane_strings.ipynb": ["model_families.csv", "planes_by_manufacturer.csv"],
    "weather_timeseries.ipynb": ["monthly_weather.csv", "precip_by_weekday.csv", "windy_hours.csv"],
}


@pytest.mark.parametrize("name", sorted(EXAMPLES_VERIFIED))
def test_verify_passes_on_example(spark, name, tmp_path, monkeypatch, capsys):
    (tmp_path / "notebooks").mkdir()
    shutil.copy(EXAMPLES / name, tmp_path / "notebooks")
    shutil.copytree(SAMPLES / "flights", tmp_path / "data")
    monkeypatch.chdir(tmp_path)

    code = main(["verify", str(tmp_path / "notebooks" / name)])

    out = capsys.readouterr().out
    assert code == 0, out
    report = json.loads((tmp_path / "verify.json").read_text())
    verdicts = {o["name"].rsplit("/", 1)[-1]: o["verdict"] for o in report["outputs"]}
    assert verdicts == {output: "OK" for output in EXAMPLES_VERIFIED[name]}
