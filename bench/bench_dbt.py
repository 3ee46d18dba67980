"""dbt: generate dirty sample data (default 10M orders / 2M customers / ~25M item rows) and time `dbt run`.

Everything happens in a temporary directory (DuckDB file, profiles.yml, dbt target and logs), removed afterwards
unless --keep. The seeds are loaded first (untimed: four small reference tables), then the models are built with
`dbt run` and timed; --with-tests also times `dbt test` (data and unit tests) over the result.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import shutil
import tempfile
import time
from pathlib import Path
from unittest import mock

ROOT = Path(__file__).resolve().parents[1]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--orders", type=int, default=10_000_000, help="distinct orders (default: 10M)")
    parser.add_argument("--customers", type=int, default=2_000_000, help="customers (default: 2M)")
    parser.add_argument("--items-per-order", type=float, default=2.5, help="item rows per order (default: 2.5)")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--threads", type=int, default=2, help="dbt threads (default: 2)")
    parser.add_argument("--with-tests", action="store_true", help="also time `dbt test` over the built models")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory and print its path")


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)  # every thread of this process: dbt and DuckDB run in-process
    return usage.ru_utime + usage.ru_stime


def _dbt(workdir: Path, *args: str, vars: dict) -> tuple[float, list]:
    from dbt.cli.main import dbtRunner

    argv = [
        *args,
        "--project-dir", str(ROOT),
        "--profiles-dir", str(workdir),
        "--target-path", str(workdir / "target"),
        "--log-path", str(workdir / "logs"),
        "--vars", json.dumps(vars),
        "--quiet",
    ]
    started = time.perf_counter()
    result = dbtRunner().invoke(argv)
    seconds = time.perf_counter() - started
    if not result.success:
        failed = [f"{r.node.name}: {r.message}" for r in getattr(result.result, "results", []) or []
                  if str(r.status) not in ("success", "pass")]
        raise RuntimeError(f"dbt {args[0]} failed: {result.exception or failed}")
    return seconds, list(result.result.results)


def run(args: argparse.Namespace) -> dict:
    from pinexport.sample_data import generate

    workdir = Path(tempfile.mkdtemp(prefix="bench_dbt_"))
    database = workdir / "bench.duckdb"
    as_of = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    environment = mock.patch.dict(os.environ, {"PINTEREST_DUCKDB_PATH": str(database)})  # restored on exit
    environment.start()
    try:
        profile = (ROOT / "profiles.example.yml").read_text(encoding="utf-8")
        (workdir / "profiles.yml").write_text(profile.replace("threads: 2", f"threads: {args.threads}"),
                                              encoding="utf-8")
        os.environ.pop("PINTEREST_DBT_TARGET", None)

        started = time.perf_counter()
        counts = generate(database, orders=args.orders, customers=args.customers,
                          items_per_order=args.items_per_order, seed=args.seed, as_of=as_of)
        generate_seconds = time.perf_counter() - started

        dbt_vars = {"pinterest_as_of": as_of.strftime("%Y-%m-%d %H:%M:%S")}
        seed_seconds, _ = _dbt(workdir, "seed", vars=dbt_vars)
        load_before = os.getloadavg()[0]
        cpu_before = _cpu_seconds()
        run_seconds, results = _dbt(workdir, "run", vars=dbt_vars)
        run_cpu_seconds = _cpu_seconds() - cpu_before
        models = {r.node.name: round(r.execution_time, 1) for r in results}
        figures: dict = {
            "orders": args.orders,
            "customers": counts["customer_360"],
            "transaction_rows": counts["unified_transactions"],
            "item_rows": counts["unified_itemized_transactions"],
            "generate_seconds": round(generate_seconds, 1),
            "seed_seconds": round(seed_seconds, 1),
            "dbt_run_seconds": round(run_seconds, 1),
            # CPU time is far less sensitive than wall time to other work on the machine; on an idle machine the
            # wall time is at least cpu / cores
            "dbt_run_cpu_seconds": round(run_cpu_seconds, 1),
            "load_average_before_after": [round(load_before, 1), round(os.getloadavg()[0], 1)],
            "model_seconds": dict(sorted(models.items(), key=lambda kv: -kv[1])),
        }
        if args.with_tests:
            test_seconds, tests = _dbt(workdir, "test", vars=dbt_vars)
            figures["dbt_test_seconds"] = round(test_seconds, 1)
            figures["tests"] = len(tests)

        import duckdb

        # dbt-duckdb keeps its connection open in this process: connect with the same (default) configuration
        con = duckdb.connect(str(database))
        try:
            figures["events"] = con.execute("select count(*) from main.pinterest_conversions").fetchall()[0][0]
            figures["rejected"] = con.execute(
                "select count(*) from main.pinterest_conversions_rejected").fetchall()[0][0]
        finally:
            con.close()
        figures["database_mb"] = round(database.stat().st_size / 2**20)
        figures["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
        if args.keep:
            figures["workdir"] = str(workdir)
        return figures
    finally:
        environment.stop()
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
