#!/usr/bin/env bash
# Set up everything the tests need (a .venv with nb2prod, PySpark, nbclient, pre-commit) and run them.
# Usage: bash scripts/test.sh [pytest args...]
NB2PROD_EXTRAS="spark,notebook,test"
. "$(dirname "$0")/_venv.sh"
python -m ipykernel install --user --name python3 >/dev/null 2>&1 || true
cd "$ROOT"
exec python -m pytest "$@"
