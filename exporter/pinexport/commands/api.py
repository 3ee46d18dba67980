"""`pinexport api`: send the model's eligible events to the Pinterest Conversions API (see pinexport.api)."""

from __future__ import annotations

import argparse
import ipaddress

from pathlib import Path
from urllib.parse import urlsplit

from pinexport import source
from pinexport.api import DEFAULT_BASE_URL, MAX_BATCH, ApiOptions, send_events
from pinexport.console import Console
from pinexport.delivery import RetryPolicy, redact
from pinexport.errors import ConfigError, ExitCode
from pinexport.progress import Progress
from pinexport.report import dumps

TOKEN_ENV = "PINTEREST_ACCESS_TOKEN"
BASE_URL_ENV = "PINTEREST_API_BASE_URL"


def configure(p: argparse.ArgumentParser) -> None:
    p.description = (
        "Send every eligible event of the pinterest_conversions model to the Pinterest Conversions API: events "
        "inside the window that the delivery ledger has not seen acknowledged. The access token is read from "
        f"${TOKEN_ENV} or --token-file, never from the command line."
    )
    p.add_argument("--ad-account-id", required=True, metavar="ID", help="Pinterest ad account id (digits)")
    src = p.add_argument_group("source (default: the DuckDB file of the dbt profile, table pinterest_conversions)")
    src.add_argument("--duckdb", metavar="PATH", help=f"DuckDB file (default ${source.DUCKDB_PATH_ENV} or "
                     f"{source.DEFAULT_DUCKDB_PATH})")
    src.add_argument("--table", metavar="NAME", help=f"table or schema.table (default {source.DEFAULT_TABLE})")
    src.add_argument("--parquet", metavar="GLOB", help="read Parquet files instead (a Spark/warehouse unload)")
    src.add_argument("--uri", metavar="URI",
                     help=f"read from a database instead (postgresql://...; or ${source.SOURCE_URI_ENV})")
    api = p.add_argument_group("API")
    api.add_argument("--token-file", metavar="FILE", help=f"file holding the access token (default: ${TOKEN_ENV})")
    api.add_argument("--api-base-url", metavar="URL",
                     help=f"default ${BASE_URL_ENV} or {DEFAULT_BASE_URL}; http:// only for loopback addresses")
    api.add_argument("--test-events", action="store_true", help="send with test=true (Ads Manager test events)")
    api.add_argument("--window-days", type=float, default=7.0, metavar="N",
                     help="send events of the last N days (default 7, Pinterest's limit); none in the future")
    what = p.add_argument_group("what to send")
    what.add_argument("--dry-run", action="store_true",
                      help="build and validate every payload against the schema; no network, ledger untouched")
    what.add_argument("--dry-run-output", metavar="FILE", default="-",
                      help="where a dry run writes request bodies, one JSON per line ('-' = stdout, the default)")
    what.add_argument("--skip-invalid", dest="skip_invalid", action="store_true", default=True,
                      help="send the valid events and report the invalid ones (default)")
    what.add_argument("--no-skip-invalid", dest="skip_invalid", action="store_false",
                      help="check every event first and send nothing if one is invalid (exit code 5)")
    what.add_argument("--resend", action="store_true",
                      help="ignore the ledger: send every eligible event again (Pinterest dedupes on event_id "
                      "within 48 hours)")
    what.add_argument("--retry-failed", action="store_true",
                      help="also send again events Pinterest answered 'failed' in earlier runs")
    what.add_argument("--schema-sample", type=float, default=0.001, metavar="P",
                      help="share of events checked against the full JSON Schema before sending (default 0.001; "
                      "cheap checks run on every event)")
    perf = p.add_argument_group("delivery")
    perf.add_argument("--batch-size", type=int, default=MAX_BATCH, metavar="N",
                      help=f"events per request (max {MAX_BATCH}, the default)")
    perf.add_argument("--concurrency", type=int, default=4, metavar="N", help="requests in flight (default 4)")
    perf.add_argument("--rate-limit", type=float, default=5000.0, metavar="N",
                      help="requests per minute for this ad account (default 5000, Pinterest's limit)")
    perf.add_argument("--max-retries", type=int, default=8, metavar="N",
                      help="retries of a request on 429, 5xx, timeouts, dropped connections (default 8)")
    perf.add_argument("--backoff-base", type=float, default=0.5, metavar="S",
                      help="first backoff ceiling in seconds, doubled per retry, full jitter (default 0.5)")
    perf.add_argument("--backoff-max", type=float, default=30.0, metavar="S", help="backoff ceiling (default 30)")
    perf.add_argument("--timeout", type=float, default=60.0, metavar="S",
                      help="seconds to wait for an answer (default 60)")
    perf.add_argument("--connect-timeout", type=float, default=10.0, metavar="S", help="default 10")
    out = p.add_argument_group("state and output")
    out.add_argument("--state-dir", metavar="DIR", default=".pinexport",
                     help="where the delivery ledger lives (default ./.pinexport)")
    out.add_argument("--rejects", metavar="FILE",
                     help="CSV of rejected, failed and warned events: event_id, order_id, source, status, reason, "
                     "message (default STATE_DIR/rejects-ID.csv)")
    out.add_argument("--json", action="store_true", help="print the summary as one JSON object on stdout")
    out.add_argument("--quiet", action="store_true", help="no progress output")


def read_token(token_file: str | None, environ) -> str | None:
    if token_file:
        try:
            token = Path(token_file).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ConfigError(f"cannot read --token-file {token_file!r}: {exc.strerror}") from None
        if not token:
            raise ConfigError(f"--token-file {token_file!r} is empty")
    else:
        token = (environ.get(TOKEN_ENV) or "").strip() or None
    if token and any(ord(c) < 33 or ord(c) == 127 for c in token):
        raise ConfigError("the access token contains whitespace or control characters")
    return token


def check_base_url(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise ConfigError(f"--api-base-url must be an https:// URL, got {url!r}")
    if parts.query or parts.fragment or parts.username or parts.password:
        raise ConfigError("--api-base-url must not carry credentials, a query or a fragment")
    if parts.scheme == "http" and not _is_loopback(parts.hostname):
        raise ConfigError("--api-base-url may use plain http:// only for loopback addresses (127.0.0.1, ::1, "
                          "localhost); use https://")
    return url.rstrip("/")


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def run(args: argparse.Namespace, console: Console) -> ExitCode:
    env = console.environ
    token = read_token(args.token_file, env)
    spec = source.resolve_source(duckdb_path=args.duckdb, table=args.table, parquet=args.parquet, uri=args.uri,
                                 environ=env)
    base_url = check_base_url(args.api_base_url or env.get(BASE_URL_ENV) or DEFAULT_BASE_URL)
    if args.dry_run and args.json and args.dry_run_output == "-":
        raise ConfigError("--json and --dry-run-output - both want stdout: write the payloads to a file")
    out_fh = None
    try:
        if args.dry_run:
            out_fh = console.stdout if args.dry_run_output == "-" else open(args.dry_run_output, "w", encoding="utf-8")
        opts = ApiOptions(
            ad_account_id=args.ad_account_id, source=spec, token=token, base_url=base_url,
            window_days=args.window_days, test_events=args.test_events, dry_run=args.dry_run,
            dry_run_output=out_fh, skip_invalid=args.skip_invalid, batch_size=args.batch_size,
            concurrency=args.concurrency, rate_limit_per_minute=args.rate_limit,
            policy=RetryPolicy(max_retries=args.max_retries, backoff_base=args.backoff_base,
                               backoff_max=args.backoff_max),
            connect_timeout=args.connect_timeout, read_timeout=args.timeout, state_dir=Path(args.state_dir),
            rejects_path=Path(args.rejects) if args.rejects else None, resend=args.resend,
            retry_failed=args.retry_failed, schema_sample=args.schema_sample,
        )
        progress = Progress(console, 0, label="dry run" if args.dry_run else "sending",
                            enabled=not (args.quiet or args.json))
        summary = send_events(opts, progress=progress)
    finally:
        if out_fh is not None and out_fh is not console.stdout:
            out_fh.close()
    if args.json:
        console.out(redact(dumps(summary), token))
    else:
        text = redact(summary.render(), token)
        # a dry run may be writing payloads to stdout: the summary then goes to stderr
        if args.dry_run and args.dry_run_output == "-":
            console.err(text)
        else:
            console.out(text)
    if summary.stopped:
        console.err(redact(f"pinexport: error: {summary.stop_message}", token))
    return summary.exit_code()



