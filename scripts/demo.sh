#!/usr/bin/env bash
# Set up (idempotent) and run the main job end to end on the embedded DuckDB:
#   generated dirty sample data -> dbt build -> pinexport api (against the local sandbox) -> pinexport csv
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$root/scripts/setup.sh"
cd "$root"
export PINTEREST_DUCKDB_PATH="${PINTEREST_DUCKDB_PATH:-$root/pinterest.duckdb}"
demo_dir="$root/out/demo"
mkdir -p "$demo_dir"

echo "== 1/4 sample data: writing dirty Amperity-shaped input tables into $PINTEREST_DUCKDB_PATH"
pinexport sample-data --duckdb "$PINTEREST_DUCKDB_PATH" --orders "${DEMO_ORDERS:-20000}"

echo "== 2/4 dbt build: staging -> hashed user data + item arrays -> pinterest_conversions (+ data and unit tests)"
dbt build --quiet

echo "== 3/4 pinexport api: delivering to the local Pinterest sandbox"
export PINTEREST_ACCESS_TOKEN="demo-token-$RANDOM$RANDOM"
port_file="$demo_dir/sandbox.port"
rm -f "$port_file"
pinexport sandbox --host 127.0.0.1 --port 0 --port-file "$port_file" --token-env PINTEREST_ACCESS_TOKEN \
  --record "$demo_dir/sandbox-accepted.ndjson" > "$demo_dir/sandbox.log" 2>&1 &
sandbox_pid=$!
trap 'kill $sandbox_pid 2>/dev/null || true' EXIT
for _ in $(seq 100); do [ -s "$port_file" ] && break; sleep 0.1; done
[ -s "$port_file" ] || { echo "demo: sandbox did not start; see $demo_dir/sandbox.log" >&2; exit 1; }
export PINTEREST_API_BASE_URL="http://127.0.0.1:$(cat "$port_file")"
pinexport api --ad-account-id 549755885175 --state-dir "$demo_dir/state" --rejects "$demo_dir/api-rejects.csv"
echo "-- a second run sends only what is new (nothing, here):"
pinexport api --ad-account-id 549755885175 --state-dir "$demo_dir/state" --rejects "$demo_dir/api-rejects.csv"

echo "== 4/4 pinexport csv: last month's offline-conversion files for Ads Manager"
pinexport csv --month "$(date -u -d "$(date -u +%Y-%m-01) -1 month" +%Y-%m)" --out "$demo_dir/csv"
echo "demo finished: outputs in $demo_dir"
