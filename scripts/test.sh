#!/usr/bin/env bash
# Set up (idempotent) and run every test: dbt data and unit tests, pytest suites (exporter, sandbox, engines).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$root/scripts/setup.sh"
cd "$root"
python -m pytest "$@"
