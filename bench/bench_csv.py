"""pinexport csv: write a month of 10M events from the CSV layout model (target >= 1,000,000 rows/s, < 500 MB).

Builds a DuckDB file holding `pinterest_conversions_csv` with the model's columns and stored order (reused when
it exists), then runs `python -m pinexport csv --month 2026-10` in a child process and measures it alone:
wall time, CPU time and peak RSS from os.wait4 (this child only, not the builder). Also reports the load average,
because the figures are only meaningful on an otherwise idle machine.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb

MONTH_START = 1790812800  # 2026-10-01T00:00:00Z
MONTH_SECONDS = 31 * 86400


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--events", type=int, default=10_000_000, help="events in the month (default 10,000,000)")
    p.add_argument("--workdir", default=None, help="where the DuckDB file and output go (default: a temp dir)")
    p.add_argument("--batch-size", type=int, default=None, help="pinexport csv --batch-size (default: its own)")
    p.add_argument("--sort", action="store_true", help="pass --sort (ORDER BY in DuckDB)")
    p.add_argument("--max-rows", type=int, default=None, help="pinexport csv --max-rows (default: its own)")


def build_model(path: Path, events: int) -> None:
    """The CSV layout model's columns, as dbt stores it (ordered by event_time, order_id). Some cells need
    RFC 4180 quoting or formula neutralisation; ~10% of rows lack any identity, ~2% are opted out."""
    con = duckdb.connect(str(path))
    con.execute("set enable_progress_bar = false")
    con.execute(f"""
        create or replace table pinterest_conversions_csv as
        with e as (
            select i,
                   case when i % 10 = 0 then null else sha256('user' || (i % 1000003)::varchar || '@example.com') end as email,
                   case when i % 3 = 0 then sha256('maid' || i::varchar) end as madid,
                   ({MONTH_START} + (hash(i) % {MONTH_SECONDS}))::bigint as event_time
            from range({events}) t(i)
        )
        select email, madid, event_time, 'checkout' as event_type, 'offline' as source_type,
               ((i % 50000) / 100.0)::decimal(18,2)::varchar as value, 'USD' as currency,
               case when i % 1000 = 7 then 'ORD-' || i::varchar || ',"gift"'
                    when i % 10000 = 11 then '=ORD-' || i::varchar
                    else 'ORD-' || lpad(i::varchar, 10, '0') end as order_id,
               (1 + i % 5)::bigint as quantity,
               case when i % 50 = 1 then 'opt_out' end as _skip_reason
        from e
        order by event_time, order_id
    """)
    con.execute("checkpoint")
    con.close()


def _existing_events(path: Path) -> int | None:
    if not path.exists():
        return None
    try:
        con = duckdb.connect(str(path), read_only=True)
        try:
            return int(con.sql("select count(*) from pinterest_conversions_csv").fetchall()[0][0])
        finally:
            con.close()
    except duckdb.Error:
        return None


def run(args: argparse.Namespace) -> dict:
    work = Path(args.workdir) if args.workdir else Path(tempfile.mkdtemp(prefix="bench_csv_"))
    work.mkdir(parents=True, exist_ok=True)
    db = work / f"bench_csv_{args.events}.duckdb"
    build_s = None
    if _existing_events(db) != args.events:
        # in a child process: a child forked from a parent that grew to GBs building the table would report
        # the parent's pages as its own peak RSS
        t0 = time.perf_counter()
        subprocess.run([sys.executable, __file__, "--build", str(db), str(args.events)], check=True)
        build_s = round(time.perf_counter() - t0, 1)
    out = work / "out"
    cmd = [sys.executable, "-m", "pinexport", "csv", "--duckdb", str(db), "--month", "2026-10", "--out", str(out),
           "--as-of", "2026-11-02T00:00:00Z", "--json"]
    if args.batch_size:
        cmd += ["--batch-size", str(args.batch_size)]
    if args.sort:
        cmd += ["--sort"]
    if args.max_rows:
        cmd += ["--max-rows", str(args.max_rows)]
    load_before = os.getloadavg()[0]
    with open(work / "stdout.json", "wb") as out_fh, open(work / "stderr.txt", "wb") as err_fh:
        t0 = time.perf_counter()
        child = subprocess.Popen(cmd, stdout=out_fh, stderr=err_fh)
        _, status, usage = os.wait4(child.pid, 0)  # this child's own rusage (peak RSS in KiB on Linux)
        wall = time.perf_counter() - t0
        child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        raise SystemExit(f"pinexport csv failed ({child.returncode}): {(work / 'stderr.txt').read_text()[-2000:]}")
    stdout = (work / "stdout.json").read_bytes()
    manifest = json.loads(stdout)
    events = manifest["totals"]["events_read"]
    return {
        "events": events,
        "rows_written": manifest["totals"]["rows_written"],
        "rows_skipped": manifest["totals"]["rows_skipped"],
        "files": manifest["totals"]["files"],
        "bytes_written": manifest["totals"]["bytes"],
        "wall_s": round(wall, 2),
        "rows_per_s": round(events / wall),
        "cpu_user_s": round(usage.ru_utime, 2),
        "cpu_sys_s": round(usage.ru_stime, 2),
        "peak_rss_mb": round(usage.ru_maxrss / 1024, 1),
        "target_rows_per_s_met": events / wall >= 1_000_000,
        "target_rss_met": usage.ru_maxrss / 1024 < 500,
        "load_avg_1m_before": round(load_before, 2),
        "load_avg_1m_after": round(os.getloadavg()[0], 2),
        "build_model_s": build_s,
        "sort": bool(args.sort),
        "workdir": str(work),
    }


if __name__ == "__main__" and sys.argv[1:2] == ["--build"]:
    build_model(Path(sys.argv[2]), int(sys.argv[3]))
