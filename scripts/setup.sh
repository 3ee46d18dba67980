#!/usr/bin/env bash
# Create .venv (Python 3.11) and install the project with its test tools; make profiles.yml from the example.
# Idempotent: a second run only re-checks the install. Sourced by demo.sh and test.sh.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
python_bin="${PYTHON:-}"
if [ -z "$python_bin" ]; then
  for candidate in python3.11 python3; do
    if command -v "$candidate" >/dev/null 2>&1; then python_bin="$candidate"; break; fi
  done
fi
[ -n "$python_bin" ] || { echo "setup: Python 3.11 is required" >&2; exit 2; }
if [ ! -x .venv/bin/python ]; then
  "$python_bin" -m venv .venv
fi
# extras to install: test tools by default; scripts/test.sh adds the engines (Postgres, Spark) for tests/engines
extras="${PINTEREST_EXTRAS:-test}"
stamp=.venv/.installed-$( (cat pyproject.toml; echo "$extras") | sha256sum | cut -c1-16)
if [ ! -f "$stamp" ]; then
  .venv/bin/python -m pip install --quiet --upgrade pip 2>&1 | grep -v "^WARNING: Location" || true
  .venv/bin/python -m pip install --quiet -e ".[$extras]" 2>&1 | grep -v "^WARNING: Location" || true
  .venv/bin/python -c "import dbt.version, pinexport, duckdb, polars" || { echo "setup: install failed" >&2; exit 1; }
  rm -f .venv/.installed-*
  touch "$stamp"
fi
[ -f profiles.yml ] || cp profiles.example.yml profiles.yml
export DBT_PROFILES_DIR="$root"
export PATH="$root/.venv/bin:$PATH"
