#!/usr/bin/env bash
# The README's dashboard screenshots (docs/dashboard.png, docs/dashboard-preview.png, docs/dashboard-outcomes.png):
# a local stack populated with sample outcomes and dead letters, shot by headless Chromium at 1280 px. Not part of
# the test run. Needs Debian's chromium and chromium-driver. Arguments go to scripts/screenshots.py (e.g. --out DIR).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
exec .venv/bin/python scripts/screenshots.py "$@"
