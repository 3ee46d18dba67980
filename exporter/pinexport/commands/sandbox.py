"""`pinexport sandbox`: run the local Pinterest Conversions API sandbox until SIGTERM/SIGINT."""

from __future__ import annotations

import argparse
import gc
import os
import signal
import tempfile
import threading
from pathlib import Path

from pinexport.console import Console
from pinexport.errors import ConfigError, ExitCode
from pinexport.sandbox import Faults, Sandbox, SandboxError


def _share(text: str) -> float:
    value = float(text)
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"{text} is not a share between 0 and 1")
    return value


def _positive(text: str) -> float:
    value = float(text)
    if value <= 0:
        raise argparse.ArgumentTypeError(f"{text} is not a positive number")
    return value


def configure(parser: argparse.ArgumentParser) -> None:
    parser.description = (
        "Run a local HTTP server that behaves like POST /v5/ad_accounts/{id}/events of the Pinterest API: "
        "bearer token check, schema validation, per-event statuses, rate limit, optional injected faults. "
        "It records the event ids it accepted (--record)."
    )
    net = parser.add_argument_group("listening")
    net.add_argument("--host", default="127.0.0.1", help="address to bind (loopback only unless --allow-remote)")
    net.add_argument("--port", type=int, default=0, help="port (0: any free port; see --port-file)")
    net.add_argument("--port-file", type=Path, help="write the bound port into this file once listening")
    net.add_argument("--allow-remote", action="store_true", help="allow binding a non-loopback address")
    parser.add_argument(
        "--token-env",
        default="PINTEREST_ACCESS_TOKEN",
        metavar="NAME",
        help="name of the environment variable holding the token clients must send (default: %(default)s)",
    )
    parser.add_argument("--record", type=Path, metavar="FILE", help="append accepted event ids (NDJSON) here")
    api = parser.add_argument_group("API behaviour")
    api.add_argument("--rate-limit", type=_positive, default=5000, metavar="N", help="calls per minute per ad account (default: %(default)g, Pinterest's limit)")
    api.add_argument("--rate-limit-burst", type=_positive, metavar="N", help="bucket size (default: the rate limit)")
    api.add_argument("--validate-sample", type=_share, default=1.0, metavar="P",
                     help="share of requests validated against the full JSON Schema (cheap checks always run)")
    api.add_argument("--forbidden-ad-account", action="append", default=[], metavar="ID",
                     help="answer 403 for this ad account (repeatable)")
    api.add_argument("--retry-after", type=float, metavar="SECONDS", help="send Retry-After on 429s (default: none)")
    api.add_argument("--event-window-days", type=int, default=7, metavar="DAYS",
                     help="events older than this fail (default: %(default)s)")
    faults = parser.add_argument_group("fault injection (off by default)")
    faults.add_argument("--fail-5xx", type=_share, default=0.0, metavar="P", help="share answered 500/503")
    faults.add_argument("--fail-429", type=_share, default=0.0, metavar="P", help="share answered 429")
    faults.add_argument("--slow", type=_share, default=0.0, metavar="P", help="share answered late")
    faults.add_argument("--slow-seconds", type=float, default=1.0, metavar="S",
                        help="delay of slow answers (default: %(default)g)")
    faults.add_argument("--drop", type=_share, default=0.0, metavar="P", help="share of connections dropped")
    faults.add_argument("--drop-when", choices=("before", "after", "any"), default="any",
                        help="drop before reading the body, after processing it (answer lost), or either")
    faults.add_argument("--seed", type=int, help="seed of the fault and sampling draws")


def run(args: argparse.Namespace, console: Console) -> ExitCode:
    token = console.environ.get(args.token_env, "")
    if not token:
        raise ConfigError(f"environment variable {args.token_env} is not set or empty: it must hold the token")
    try:
        fault_settings = Faults(
            fail_5xx=args.fail_5xx,
            fail_429=args.fail_429,
            slow=args.slow,
            slow_seconds=args.slow_seconds,
            drop=args.drop,
            drop_when=args.drop_when,
        )
        sandbox = Sandbox(
            args.host,
            args.port,
            token,
            rate_limit_per_minute=args.rate_limit,
            rate_limit_burst=args.rate_limit_burst,
            faults=fault_settings,
            validate_sample=args.validate_sample,
            seed=args.seed,
            record_path=str(args.record) if args.record else None,
            keep_record_in_memory=False,
            forbidden_ad_accounts=args.forbidden_ad_account,
            retry_after=args.retry_after,
            event_window_days=args.event_window_days,
            allow_remote=args.allow_remote,
        )
    except (SandboxError, ValueError) as exc:
        raise ConfigError(str(exc)) from None

    # A 1000-event body decodes into ~60k objects: with the default thresholds the cyclic GC runs many times per
    # request for nothing (JSON values hold no cycles). This process only serves the sandbox, so tune it here.
    gc.freeze()
    gc.set_threshold(200_000, 50, 100)
    stop = threading.Event()
    if threading.current_thread() is threading.main_thread():
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: stop.set())
    try:
        sandbox.start()
    except OSError as exc:
        raise ConfigError(f"cannot listen on {args.host}:{args.port}: {exc.strerror or exc}") from None
    try:
        if args.port_file:
            _write_atomically(args.port_file, f"{sandbox.port}\n")
        console.out(
            f"pinexport sandbox: listening on {sandbox.url} (token from ${args.token_env}; "
            f"rate limit {args.rate_limit:g}/min per ad account; validating {args.validate_sample:g} of requests; "
            f"{fault_settings.describe()}; record: {args.record or 'memory counts only'})"
        )
        while not stop.wait(0.5):
            pass
    finally:
        sandbox.stop()
    s = sandbox.stats()
    console.out(
        f"pinexport sandbox: stopped after {s['requests']} requests; accepted {s['accepted_events']} events "
        f"in {s['accepted_requests']} requests ({s['processed_events']} processed, {s['failed_events']} failed); "
        f"answers {s['answers']}"
    )
    return ExitCode.OK


def _write_atomically(path: Path, text: str) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
