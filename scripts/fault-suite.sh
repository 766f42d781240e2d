#!/usr/bin/env bash
# The reliability fault suite at full scale (every fault at the counts docs/reliability.md quotes): each fault is
# injected under load into real workers against a dedicated PostgreSQL, Redis and SQS endpoint, then the ledger is
# checked. Takes tens of minutes. Results: artifacts/faults-full.json. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
FAULT_SCALE=full exec .venv/bin/pytest tests/faults -m faults -p no:cacheprovider -v "$@"
