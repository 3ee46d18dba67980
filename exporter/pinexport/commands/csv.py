"""`pinexport csv`: write one month (or range) of offline conversions as Ads Manager CSV files + a manifest."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import re

from pinexport import source
from pinexport.console import Console
from pinexport.csvfiles.export import (
    DEFAULT_BATCH_SIZE,
    DEFAULT_MAX_BYTES,
    DEFAULT_MAX_ROWS,
    DEFAULT_TABLE,
    PINTEREST_MAX_BYTES,
    PINTEREST_MAX_ROWS,
    ExportResult,
    export_csv,
    has_plaintext_risk,
)
from pinexport.csvfiles.layout import NOT_SHA256
from pinexport.csvfiles.window import iso, month_window, parse_instant, range_window
from pinexport.errors import ConfigError, ExitCode

_SIZE = re.compile(r"^\s*([0-9]+(?:\.[0-9]+)?)\s*([kmgt]i?b?|b)?\s*$", re.IGNORECASE)
_UNITS = {"": 1, "k": 10**3, "m": 10**6, "g": 10**9, "t": 10**12,
          "ki": 2**10, "mi": 2**20, "gi": 2**30, "ti": 2**40}


def parse_size(text: str) -> int:
    """`4900000000`, `4.9GB` (10**9), `4GiB` (2**30), `500MB`, `64k`."""
    m = _SIZE.match(text)
    if not m:
        raise argparse.ArgumentTypeError(f"expected a size like 4900000000, 4.9GB or 500MiB, got {text!r}")
    unit = (m.group(2) or "").lower()
    unit = unit[:-1] if unit.endswith("b") else unit
    value = int(float(m.group(1)) * _UNITS[unit])
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive size, got {text!r}")
    return value


def _positive_int(text: str) -> int:
    try:
        value = int(text.replace("_", "").replace(",", ""))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive number, got {text!r}")
    return value


def configure(p: argparse.ArgumentParser) -> None:
    p.description = (
        "Write every event of a calendar month (UTC) of the CSV layout model (pinterest_conversions_csv) as "
        "offline-conversion CSV files for Ads Manager, split under Pinterest's row and size limits, with a "
        "JSON manifest (rows, bytes, SHA-256 per file). A rerun replaces that month's files."
    )
    when = p.add_argument_group("which events (UTC)")
    when.add_argument("--month", metavar="YYYY-MM", help="a calendar month, e.g. 2026-10")
    when.add_argument("--since", metavar="DATE|ISO", help="start of a range (included), e.g. 2026-10-01 or "
                      "2026-10-01T06:00:00Z; with --until instead of --month")
    when.add_argument("--until", metavar="DATE|ISO", help="end of the range (excluded)")
    out = p.add_argument_group("output")
    out.add_argument("--out", required=True, metavar="DIR", help="directory for the CSV parts and the manifest")
    out.add_argument("--max-rows", type=_positive_int, default=DEFAULT_MAX_ROWS, metavar="N",
                     help=f"data rows per file at most (default {DEFAULT_MAX_ROWS:,}: Pinterest's 10 million "
                     "minus a margin)")
    out.add_argument("--max-bytes", type=parse_size, default=DEFAULT_MAX_BYTES, metavar="SIZE",
                     help=f"bytes per file at most, header included (default {DEFAULT_MAX_BYTES:,} = 4.9 GB: "
                     "Pinterest's 5 GB minus a margin); accepts 4.9GB, 500MB, 1GiB")
    out.add_argument("--as-of", metavar="ISO", help="the time of writing for the 30-day warning (default now)")
    out.add_argument("--json", action="store_true", help="print the manifest as JSON on stdout instead of a summary")
    src = p.add_argument_group(f"source (default: the DuckDB file of the dbt profile, table {DEFAULT_TABLE})")
    src.add_argument("--duckdb", metavar="PATH",
                     help=f"DuckDB file (default ${source.DUCKDB_PATH_ENV} or {source.DEFAULT_DUCKDB_PATH})")
    src.add_argument("--table", metavar="NAME", default=DEFAULT_TABLE,
                     help=f"the CSV layout model, table or schema.table (default {DEFAULT_TABLE})")
    src.add_argument("--parquet", metavar="GLOB", help="read Parquet files instead (a Spark/warehouse unload)")
    src.add_argument("--uri", metavar="URI", help=f"a database URI (postgresql://...; or ${source.SOURCE_URI_ENV})")
    perf = p.add_argument_group("reading")
    perf.add_argument("--sort", action="store_true",
                      help="order rows by event_time, order_id when reading (default: the model's stored order, "
                      "which the dbt model sets; sorting costs time and memory in the source engine)")
    perf.add_argument("--batch-size", type=_positive_int, default=DEFAULT_BATCH_SIZE, metavar="N",
                      help=f"rows per read batch (default {DEFAULT_BATCH_SIZE:,}); memory grows with it")


def run(args: argparse.Namespace, console: Console) -> ExitCode:
    if args.month and (args.since or args.until):
        raise ConfigError("give either --month or --since/--until, not both")
    if args.month:
        window = month_window(args.month)
    elif args.since and args.until:
        window = range_window(args.since, args.until)
    else:
        raise ConfigError("say which events to write: --month YYYY-MM, or both --since and --until")
    now = parse_instant(args.as_of, "--as-of") if args.as_of else dt.datetime.now(dt.timezone.utc)
    spec = source.resolve_source(duckdb_path=args.duckdb, table=args.table, parquet=args.parquet, uri=args.uri,
                                 environ=console.environ)
    if args.max_rows >= PINTEREST_MAX_ROWS or args.max_bytes >= PINTEREST_MAX_BYTES:
        console.err(f"pinexport: warning: files may reach Pinterest's limits (fewer than {PINTEREST_MAX_ROWS:,} "
                    f"rows, under {PINTEREST_MAX_BYTES:,} bytes): Ads Manager may refuse them")
    result = export_csv(spec, window, args.out, max_rows=args.max_rows, max_bytes=args.max_bytes,
                        batch_size=args.batch_size, sort=args.sort, now=now)
    if args.json:
        console.out(json.dumps(result.manifest, indent=2))
    else:
        console.out(render_summary(result))
    for line in warnings(result, now):
        console.err(f"pinexport: warning: {line}")
    if has_plaintext_risk(result):
        console.err(
            f"pinexport: error: {result.skipped[NOT_SHA256]:,} row(s) held back: an email/madid cell is not a "
            "lowercase SHA-256 hash. Only hashes may leave the warehouse: fix the CSV layout model."
        )
        return ExitCode.PARTIAL_FAILURE
    return ExitCode.OK


def render_summary(result: ExportResult) -> str:
    w = result.window
    skipped = ""
    if result.skipped:
        skipped = " (" + ", ".join(f"{k}: {v:,}" for k, v in result.skipped.items()) + ")"
    lines = [
        f"pinexport csv: {w.describe()}",
        f"  source: {result.source}",
        f"  read {result.rows_read:,} events: wrote {result.rows_written:,} rows in {len(result.parts)} file(s), "
        f"skipped {result.rows_skipped:,}{skipped}",
    ]
    for p in result.parts:
        lines.append(f"  {p.name}  {p.rows:,} rows  {p.bytes:,} bytes  sha256 {p.sha256}")
    lines.append(f"  manifest: {result.manifest_path}")
    return "\n".join(lines)


def warnings(result: ExportResult, now: dt.datetime) -> list[str]:
    out = []
    if result.rows_read == 0:
        out.append(f"no events in {result.window.describe()}: no CSV file written (the manifest says so)")
    if result.older_than_30_days:
        cutoff = iso(int(now.timestamp()) - 30 * 86400)
        out.append(
            f"{result.older_than_30_days:,} of {result.rows_written:,} events written are older than 30 days "
            f"(before {cutoff}): Pinterest asks for each conversion within 30 days; upload soon after month end"
        )
    if result.in_future:
        out.append(f"{result.in_future:,} events are later than the time of writing ({iso(int(now.timestamp()))})")
    if result.rows_skipped:
        reasons = ", ".join(f"{k}: {v:,}" for k, v in result.skipped.items())
        out.append(f"{result.rows_skipped:,} events skipped ({reasons}); see the manifest")
    return out
