#!/usr/bin/env bash
# Creates .venv with the project, its local stack (the distribution in local/) and the development dependencies at
# the exact versions of requirements.lock (idempotent, quick when nothing changed). pip is upgraded first: the one
# bundled with Python 3.11 cannot install the two projects, which require each other. The lock is installed with
# its hashes checked, then both projects editable without dependencies; `pip check` then fails when a pyproject.toml
# asks for something the lock lacks (update the lock: README, "Updating dependencies").
set -euo pipefail
cd "$(dirname "$0")/.."
python="${PYTHON:-python3}"
pip_version="26.3"
if [ ! -x .venv/bin/python ]; then
  "$python" -m venv .venv
fi
stamp=.venv/.installed
if [ ! -f "$stamp" ] || [ requirements.lock -nt "$stamp" ] || [ pyproject.toml -nt "$stamp" ] \
  || [ local/pyproject.toml -nt "$stamp" ]; then
  .venv/bin/python -m pip install --quiet "pip==$pip_version"
  .venv/bin/python -m pip install --quiet --require-hashes -r requirements.lock
  .venv/bin/python -m pip install --quiet --no-deps --no-build-isolation -e ./local -e .
  if ! .venv/bin/python -m pip check; then
    echo "requirements.lock does not satisfy pyproject.toml: update it (README, \"Updating dependencies\")" >&2
    exit 1
  fi
  touch "$stamp"
fi
