#!/usr/bin/env bash
# Creates .venv with the project, its local stack (the distribution in local/) and the development dependencies
# (idempotent, quick when nothing changed). Both are installed editable in one pip command, so the `local` extra's
# workforce-allocations-local requirement resolves to ./local.
set -euo pipefail
cd "$(dirname "$0")/.."
python="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  "$python" -m venv .venv
fi
stamp=.venv/.installed
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ] || [ local/pyproject.toml -nt "$stamp" ]; then
  .venv/bin/python -m pip install --quiet --upgrade pip
  .venv/bin/python -m pip install --quiet -e ./local -e ".[dev]"
  touch "$stamp"
fi
