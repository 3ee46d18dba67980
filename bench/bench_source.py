"""pinexport.source: rows/s and peak memory growth reading the model from DuckDB, Parquet and PostgreSQL.

For each size, writes a model-shaped table (event_id, two hashed-identifier lists, a contents list) as a DuckDB
file, as four Parquet files, and (when PostgreSQL server binaries are installed) into a throwaway PostgreSQL
server (tests/engines/pg_server.py); then reads each in its own process with `read_batches` and a consumer that
is slow for its first batches (as the API's rate limit makes it), and reports rows/s and the growth of the
reading process's RSS over its baseline. Flat memory = the growth does not follow the row count.
Run: `python bench/run.py source --rows 1000000 5000000` or `python bench/bench_source.py`.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

MODEL_SQL = """
select 1700000000 + range as event_time, sha256('o' || range) as event_id, 'o' || range as order_id,
       [sha256('e' || range)] as em, [sha256('p' || range), sha256('q' || range)] as ph,
       [{{'id': 'p' || range, 'item_name': 'Item ' || (range % 97), 'item_category': 'Shoes',
          'item_brand': 'Brand', 'item_price': '12.50', 'quantity': 2::bigint}}] as contents
from range({start}, {stop})
"""

PG_SQL = """
create table pinterest_conversions as
select 1700000000 + g::bigint as event_time, encode(sha256(convert_to('o' || g, 'UTF8')), 'hex') as event_id,
       'o' || g as order_id, array[encode(sha256(convert_to('e' || g, 'UTF8')), 'hex')] as em,
       array[encode(sha256(convert_to('p' || g, 'UTF8')), 'hex'), encode(sha256(convert_to('q' || g, 'UTF8')), 'hex')] as ph,
       json_build_array(json_build_object('id', 'p' || g, 'item_name', 'Item ' || (g % 97), 'item_category', 'Shoes',
                        'item_brand', 'Brand', 'item_price', '12.50', 'quantity', 2)) as contents
from generate_series(0, {rows} - 1) as g
"""

READER = """
import json, sys, time
from pinexport.source import read_batches, resolve_source
kind, location, batch_size, slow = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
spec = resolve_source(**{kind: location})
def rss():
    return int(open('/proc/self/statm').read().split()[1]) * 4096
base = peak = rss(); rows = data = 0; started = time.perf_counter(); sleeping = 0.0
for i, batch in enumerate(read_batches(spec, batch_size=batch_size)):
    if i < slow:
        time.sleep(0.3); sleeping += 0.3
    rows += batch.height; data += batch.estimated_size(); peak = max(peak, rss())
seconds = time.perf_counter() - started - sleeping
print(json.dumps({"rows": rows, "seconds": round(seconds, 2), "rows_per_s": int(rows / seconds),
                  "data_mb": data // 2**20, "rss_growth_mb": (peak - base) // 2**20}))
"""


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--rows", type=int, nargs="+", default=[1_000_000, 5_000_000], help="model sizes to read")
    p.add_argument("--batch-size", type=int, default=50_000)
    p.add_argument("--slow-batches", type=int, default=3, help="first batches the consumer sleeps 0.3 s on")
    p.add_argument("--no-postgres", action="store_true", help="skip the PostgreSQL reader")


def _read(kind: str, location: str, args) -> dict:
    proc = subprocess.run(
        [sys.executable, "-c", READER, kind, location, str(args.batch_size), str(args.slow_batches)],
        capture_output=True, text=True, check=True,
    )
    return json.loads(proc.stdout.strip().splitlines()[-1])


def run(args) -> dict:
    import duckdb

    results: dict[str, dict] = {}
    server = None
    if not args.no_postgres:
        sys.path.insert(0, str(ROOT / "tests" / "engines"))
        try:
            from pg_server import PostgresServer

            server = PostgresServer().start()
        except Exception as exc:  # noqa: BLE001 - no server binaries: report the other sources
            print(f"bench source: PostgreSQL skipped ({exc})", file=sys.stderr)
            server = None
    try:
        for rows in args.rows:
            with tempfile.TemporaryDirectory(prefix="bench-source-") as tmp:
                db = Path(tmp) / "model.duckdb"
                con = duckdb.connect(str(db))
                con.execute("create table pinterest_conversions as " + MODEL_SQL.format(start=0, stop=rows))
                for i in range(4):
                    part = MODEL_SQL.format(start=i * rows // 4, stop=(i + 1) * rows // 4)
                    con.execute(f"copy ({part}) to '{tmp}/part-{i}.parquet' (format parquet)")
                con.close()
                results[f"duckdb_{rows}"] = _read("duckdb_path", str(db), args)
                results[f"parquet_{rows}"] = _read("parquet", f"{tmp}/*.parquet", args)
                if server is not None:
                    with server.connect(autocommit=True) as pg:
                        pg.execute("drop table if exists pinterest_conversions")
                        pg.execute(PG_SQL.format(rows=rows))
                    results[f"postgres_{rows}"] = _read("uri", server.uri, args)
    finally:
        if server is not None:
            server.stop()
    return results


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    add_arguments(parser)
    print(json.dumps(run(parser.parse_args()), indent=1))
