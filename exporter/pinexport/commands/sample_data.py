"""`pinexport sample-data`: write generated dirty input tables (customer_360, unified_transactions,
unified_itemized_transactions) into a DuckDB file, for the demo, the tests and the benchmarks."""

from __future__ import annotations

import argparse
import datetime as dt
import time

from pinexport.console import Console
from pinexport.errors import ConfigError, ExitCode
from pinexport.source import DUCKDB_PATH_ENV, DEFAULT_DUCKDB_PATH


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--duckdb",
        metavar="PATH",
        help=f"DuckDB database file to write into (default: ${DUCKDB_PATH_ENV} or {DEFAULT_DUCKDB_PATH})",
    )
    parser.add_argument("--orders", type=int, default=20_000, help="distinct orders (default: 20000)")
    parser.add_argument("--customers", type=int, help="customers (default: a fifth of --orders)")
    parser.add_argument(
        "--items-per-order", type=float, default=2.5, help="average item rows per order (default: 2.5)"
    )
    parser.add_argument("--seed", type=int, default=42, help="random seed; same seed, same data (default: 42)")
    parser.add_argument("--schema", default="raw", help="schema of the input tables (default: raw)")
    parser.add_argument(
        "--as-of",
        metavar="ISO",
        help="'now' for the generated event times, e.g. 2026-01-31T12:00:00Z (default: the current time)",
    )


def _parse_as_of(text: str | None) -> dt.datetime | None:
    if text is None:
        return None
    try:
        value = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as exc:
        raise ConfigError(f"--as-of: not an ISO date-time: {text!r}") from exc
    return value if value.tzinfo else value.replace(tzinfo=dt.timezone.utc)


def run(args: argparse.Namespace, console: Console) -> ExitCode:
    import duckdb  # kept off the `--help` path

    from pinexport import sample_data

    path = args.duckdb or console.environ.get(DUCKDB_PATH_ENV) or DEFAULT_DUCKDB_PATH
    if args.orders < 1 or (args.customers is not None and args.customers < 1):
        raise ConfigError("--orders and --customers must be at least 1")
    as_of = _parse_as_of(args.as_of)
    started = time.perf_counter()
    try:
        counts = sample_data.generate(
            path,
            orders=args.orders,
            customers=args.customers,
            items_per_order=args.items_per_order,
            seed=args.seed,
            schema=args.schema,
            as_of=as_of,
        )
    except ValueError as exc:
        raise ConfigError(str(exc)) from exc
    except duckdb.IOException as exc:  # typically: another process holds the file open
        raise ConfigError(f"cannot write sample data into {path}: {exc}") from exc
    seconds = time.perf_counter() - started
    for table, rows in counts.items():
        console.out(f"{args.schema}.{table}: {rows} rows")
    console.out(f"sample data written to {path} in {seconds:.1f}s")
    return ExitCode.OK
