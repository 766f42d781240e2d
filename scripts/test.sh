#!/usr/bin/env bash
# The whole test suite and the code gates. Uses the PostgreSQL at DATABASE_URL and the Redis at CELERY_BROKER_URL
# when they answer, else starts embedded ones. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
if ! command -v chromedriver >/dev/null 2>&1 || ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing chromium and chromium-driver for the dashboard's browser test"
    apt-get update -qq >/dev/null && apt-get install -y -qq chromium chromium-driver >/dev/null
  fi
fi
.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/mypy
exec .venv/bin/pytest "$@"
