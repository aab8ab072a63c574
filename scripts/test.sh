#!/usr/bin/env bash
# Set up everything the tests need (a .venv with nb2prod, PySpark, nbclient, pre-commit) and run them.
# Usage: bash scripts/test.sh [pytest args...]   e.g. bash scripts/test.sh -m "not slow"
NB2PROD_EXTRAS="spark,notebook,test"
. "$(dirname "$0")/_venv.sh"
# Notebooks run on this venv's own Jupyter kernel (it comes with ipykernel), not on one installed elsewhere.
export JUPYTER_PATH="$VENV/share/jupyter${JUPYTER_PATH:+:$JUPYTER_PATH}"
export PYSPARK_PYTHON="$VENV/bin/python"
cd "$ROOT"
exec python -m pytest "$@"
