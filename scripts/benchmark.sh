#!/usr/bin/env bash
# The pipeline benchmark (README "Benchmark"): seeds Delius at --people (reused per scale), drives events through a
# real worker, and compares with the in-process baseline. Uses DATABASE_URL's PostgreSQL when it answers, else an
# embedded one. Writes artifacts/benchmark-<timestamp>.json. Arguments go to python -m benchmarks.pipeline.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x .venv/bin/python ] || scripts/bootstrap.sh
exec .venv/bin/python -m benchmarks.pipeline "$@"
