#!/usr/bin/env bash
# Set up (idempotent) and run every test: dbt data and unit tests, pytest suites (exporter, sandbox, engines).
# The engine tests need a PostgreSQL server (installed from the Debian packages when missing and root), Java 17
# for Spark, and the warehouse adapters venv: scripts/setup_engines.sh prepares them.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export PINTEREST_EXTRAS="${PINTEREST_EXTRAS:-test,engines}"
source "$root/scripts/setup.sh"
source "$root/scripts/setup_engines.sh"
cd "$root"
python -m pytest "$@"
