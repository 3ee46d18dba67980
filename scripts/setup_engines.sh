#!/usr/bin/env bash
# Engine prerequisites for the test suite (sourced by scripts/test.sh after setup.sh). Idempotent.
# - a PostgreSQL server (binaries only: the tests start their own throwaway server): installed from the Debian
#   packages when missing and we are root with apt-get; otherwise the Postgres tests say why they skip.
# - .venv/adapters: dbt-core 1.11 with the Snowflake, BigQuery, Databricks, Redshift and Trino adapters, for the
#   offline compile tests.
# Java 17 (for Spark) is expected on the machine; without it the Spark tests say why they skip.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

have_postgres() {
  compgen -G "/usr/lib/postgresql/*/bin/postgres" >/dev/null || { command -v pg_ctl >/dev/null && command -v initdb >/dev/null; }
}
if ! have_postgres; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "setup: installing the PostgreSQL server from the Debian packages (for tests/engines)"
    t0=$SECONDS
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql >/dev/null
    echo "setup: PostgreSQL installed in $((SECONDS - t0))s"
  else
    echo "setup: no PostgreSQL server binaries and not root with apt-get: the Postgres engine tests will be skipped" >&2
  fi
fi
command -v java >/dev/null || [ -n "${JAVA_HOME:-}" ] || echo "setup: no Java: the Spark engine tests will be skipped" >&2

requirements=tests/engines/adapters-requirements.txt
stamp=.venv/adapters/.installed-$(sha256sum "$requirements" | cut -c1-16)
if [ ! -f "$stamp" ]; then
  echo "setup: creating .venv/adapters (warehouse adapters for the compile tests)"
  t0=$SECONDS
  [ -x .venv/adapters/bin/python ] || "${python_bin:-python3.11}" -m venv .venv/adapters
  .venv/adapters/bin/python -m pip install --quiet --upgrade pip 2>&1 | grep -v "^WARNING: Location" || true
  .venv/adapters/bin/python -m pip install --quiet -r "$requirements" 2>&1 | grep -v "^WARNING: Location" || true
  .venv/adapters/bin/python -c "import dbt.adapters.snowflake, dbt.adapters.bigquery, dbt.adapters.databricks, dbt.adapters.redshift, dbt.adapters.trino, dbt.adapters.sqlserver" \
    || { echo "setup: installing the warehouse adapters failed" >&2; exit 1; }
  rm -f .venv/adapters/.installed-*
  touch "$stamp"
  echo "setup: .venv/adapters ready in $((SECONDS - t0))s"
fi
