#!/usr/bin/env bash
# The service's main job, locally: embedded (or the environment's) PostgreSQL and Redis, a local SQS endpoint,
# the Workload stub, sample Delius data, a worker and Flower; publishes sample events and prints their outcomes.
# Ctrl-C stops everything. Extra arguments go to `allocations run-local` (e.g. --exit-after-demo).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
exec .venv/bin/allocations run-local "$@"
