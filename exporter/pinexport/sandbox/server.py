"""The sandbox HTTP server: `POST /v5/ad_accounts/{ad_account_id}/events` behaving like Pinterest's.

Order of handling for one request (first match answers):
  unknown path -> 404, other method -> 405; fault `drop_before` (close, body unread); missing Content-Length
  -> 411, body too large -> 413; fault `slow` (sleep, then carry on); bad/missing bearer token -> 401;
  ad_account_id not 1..18 digits -> 400; forbidden ad account -> 403; rate limit -> 429; faults 500/503/429;
  bad `test` value, body not JSON, structure or (sampled) schema invalid -> 400; otherwise per-event statuses,
  recorded, then fault `drop_after` (close without answering) or 200.
"""

from __future__ import annotations

import gzip
import hmac
import ipaddress
import json
import random
import socket
import sys
import threading
import time
import traceback
import zlib
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable, Iterable
from urllib.parse import parse_qs, urlsplit

from pinexport.sandbox import checks
from pinexport.sandbox.faults import (
    DROP_AFTER,
    DROP_BEFORE,
    ERROR_429,
    ERROR_500,
    ERROR_503,
    OK,
    SLOW,
    FaultPlan,
    Faults,
)
from pinexport.sandbox.ratelimit import RateLimiter
from pinexport.sandbox.record import Recorder, RecordedRequest, accepted_event_ids

EVENTS_PREFIX = "/v5/ad_accounts/"
MAX_BODY_BYTES = 32 * 1024 * 1024

# Error bodies ({"code", "message"}) with the codes of the spec's examples where it gives one.
AUTH_FAILED = (2, "Authentication failed.")
FORBIDDEN = (29, "You are not permitted to access that resource.")
RATE_LIMITED = (
    8,
    "This request exceeded a rate limit. This can happen if the client exceeds one of the published rate "
    "limits within a short time window.",
)
INVALID = 4196
RAMPED_DOWN = (4197, "The endpoint has been ramped down and is currently not accepting any traffic.")
INTERNAL = (1, "Internal error (sandbox fault injection).")


class SandboxError(ValueError):
    """Bad sandbox configuration (e.g. a non-loopback host without allow_remote)."""


def is_loopback(host: str) -> bool:
    """True when every address `host` resolves to is a loopback address."""
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(host, None)
    except OSError:
        return False
    return bool(infos) and all(ipaddress.ip_address(i[4][0].split("%")[0]).is_loopback for i in infos)


class Sandbox:
    """A local Pinterest Conversions API endpoint over real HTTP. Use as a context manager or start()/stop()."""

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        token: str = "",
        *,
        rate_limit_per_minute: float = 5000,
        rate_limit_burst: float | None = None,
        faults: Faults | None = None,
        validate_sample: float = 1.0,
        seed: int | None = None,
        record_path: str | None = None,
        keep_record_in_memory: bool = True,
        now: Callable[[], float] = time.time,
        clock: Callable[[], float] = time.monotonic,
        forbidden_ad_accounts: Iterable[str] = (),
        retry_after: float | None = None,
        event_window_days: int = 7,
        allow_remote: bool = False,
    ) -> None:
        if not token:
            raise SandboxError("the sandbox needs a non-empty token to check bearer tokens against")
        if not allow_remote and not is_loopback(host):
            raise SandboxError(f"refusing to listen on non-loopback host {host!r} without allow_remote")
        if not 0.0 <= validate_sample <= 1.0:
            raise SandboxError("validate_sample must be a share between 0 and 1")
        self.host = host
        self._requested_port = port
        self._token = token.encode()
        self.validate_sample = validate_sample
        self.now = now
        self.event_window_days = event_window_days
        self.retry_after = retry_after
        self.forbidden_ad_accounts = frozenset(str(a) for a in forbidden_ad_accounts)
        self.limiter = RateLimiter(rate_limit_per_minute, rate_limit_burst, clock)
        self._plan = FaultPlan(faults or Faults(), seed)
        self._sample_rng = random.Random(None if seed is None else f"validate-{seed}")
        self._sample_lock = threading.Lock()
        self._recorder = Recorder(record_path, keep_in_memory=keep_record_in_memory)
        self._stats_lock = threading.Lock()
        self._stats: Counter = Counter()
        self._answers: Counter = Counter()
        self._conns: dict[socket.socket, threading.Thread] = {}
        self._conns_lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # ---- lifecycle -------------------------------------------------------------------------------------------

    def start(self) -> "Sandbox":
        if self._server is not None:
            return self
        server_cls = _Server6 if ":" in self.host.strip("[]") else _Server
        self._server = server_cls((self.host.strip("[]"), self._requested_port), _Handler)
        self._server.sandbox = self  # type: ignore[attr-defined]
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, name="pinexport-sandbox", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        server, self._server = self._server, None
        if server is None:
            return
        server.shutdown()
        server.server_close()
        with self._conns_lock:
            conns = dict(self._conns)
        for conn in conns:  # wake up threads waiting for a next request on keep-alive connections
            try:
                conn.shutdown(socket.SHUT_RD)
            except OSError:
                pass
        # let requests in flight finish (and be recorded), e.g. a slow answer, within a bounded time
        deadline = time.monotonic() + 5.0 + self.faults.slow_seconds
        for thread in conns.values():
            thread.join(timeout=max(0.0, deadline - time.monotonic()))
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._recorder.close()

    def __enter__(self) -> "Sandbox":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("the sandbox is not running")
        return self._server.server_address[1]

    @property
    def url(self) -> str:
        """Base URL to give the exporter, e.g. http://127.0.0.1:54321 (paths start with /v5/)."""
        host = self.host.strip("[]")
        return f"http://[{host}]:{self.port}" if ":" in host else f"http://{host}:{self.port}"

    def events_url(self, ad_account_id: str) -> str:
        return f"{self.url}/v5/ad_accounts/{ad_account_id}/events"

    # ---- inspection ------------------------------------------------------------------------------------------

    @property
    def record(self) -> list[RecordedRequest]:
        """Snapshot of every accepted request, in acceptance order."""
        return self._recorder.requests()

    def accepted_event_ids(self, include_test: bool = False) -> Counter:
        """event_id -> times accepted with status processed (test requests left out unless include_test)."""
        return accepted_event_ids(self._recorder.requests(), include_test=include_test)

    def clear_record(self) -> None:
        self._recorder.clear()

    def stats(self) -> dict:
        """Counters: requests, answers by HTTP status, faults applied, accepted requests/events, validations."""
        with self._stats_lock:
            stats = dict(self._stats)
            answers = {str(k): v for k, v in sorted(self._answers.items())}
        accepted_requests, accepted_events = self._recorder.counts()
        return {
            "requests": stats.get("requests", 0),
            "answers": answers,
            "faults": {k[6:]: v for k, v in stats.items() if k.startswith("fault:")},
            "accepted_requests": accepted_requests,
            "accepted_events": accepted_events,
            "processed_events": stats.get("processed_events", 0),
            "failed_events": stats.get("failed_events", 0),
            "warnings": stats.get("warnings", 0),
            "schema_validated_requests": stats.get("schema_validated", 0),
            "fast_path_requests": stats.get("fast_path", 0),
        }

    # ---- configuration at run time ---------------------------------------------------------------------------

    @property
    def faults(self) -> Faults:
        return self._plan.faults

    def set_faults(self, faults: Faults) -> None:
        """Replace the fault settings (and script) of a running sandbox."""
        self._plan.replace(faults)

    # ---- request handling ------------------------------------------------------------------------------------

    def _count(self, *keys: str, answer: int | None = None, n: int = 1) -> None:
        with self._stats_lock:
            for key in keys:
                self._stats[key] += n
            if answer is not None:
                self._answers[answer] += 1

    def _should_validate(self) -> bool:
        if self.validate_sample >= 1.0:
            return True
        if self.validate_sample <= 0.0:
            return False
        with self._sample_lock:
            return self._sample_rng.random() < self.validate_sample

    def _handle(self, h: "_Handler") -> None:
        self._count("requests")
        parts = urlsplit(h.path)
        path = parts.path
        if not (path.startswith(EVENTS_PREFIX) and path.rstrip("/").endswith("/events")):
            h.drain()
            return self._error(h, 404, 404, "Not found: the sandbox serves POST /v5/ad_accounts/{id}/events")
        account = path[len(EVENTS_PREFIX) :].rstrip("/")[: -len("/events")]
        if h.command != "POST":
            h.drain()
            return self._error(h, 405, 405, f"Method {h.command} not allowed: use POST")

        fault = self._plan.next()
        if fault != OK:
            self._count(f"fault:{fault}")
        if fault == DROP_BEFORE:
            h.close_connection = True
            return
        try:
            raw = h.read_body()
        except _BodyError as exc:
            h.close_connection = True
            return self._error(h, exc.status, INVALID, str(exc))
        if fault == SLOW:
            time.sleep(self.faults.slow_seconds)

        auth = h.headers.get("Authorization", "")
        if not (auth.startswith("Bearer ") and hmac.compare_digest(auth[7:].strip().encode(), self._token)):
            return self._error(h, 401, *AUTH_FAILED)
        if not (account.isdigit() and account.isascii() and len(account) <= 18):
            return self._error(h, 400, INVALID, "ad_account_id must be 1 to 18 digits")
        if account in self.forbidden_ad_accounts:
            return self._error(h, 403, *FORBIDDEN)
        if not self.limiter.allow(account):
            return self._error(h, 429, *RATE_LIMITED, retry_after=True)
        if fault == ERROR_500:
            return self._error(h, 500, *INTERNAL)
        if fault == ERROR_503:
            return self._error(h, 503, *RAMPED_DOWN)
        if fault == ERROR_429:
            return self._error(h, 429, *RATE_LIMITED, retry_after=True)

        test_values = parse_qs(parts.query).get("test", [])
        test = False
        if test_values:
            value = test_values[-1].lower()
            if value not in ("true", "false"):
                return self._error(h, 400, INVALID, "test must be true or false")
            test = value == "true"
        if h.headers.get("Content-Encoding", "").lower() == "gzip":
            try:
                raw = gzip.decompress(raw)
            except (OSError, EOFError, zlib.error):
                return self._error(h, 400, INVALID, "The request was invalid: body is not valid gzip")
        now = self.now()
        validate = self._should_validate()
        if not validate:
            fast = checks.fast_outcomes(raw, now, window_days=self.event_window_days)
            if fast is not None:
                self._count("fast_path")
                return self._accept(h, account, test, fault, *fast)
        try:
            body = json.loads(raw)
        except ValueError as exc:
            return self._error(h, 400, INVALID, f"The request was invalid: body is not valid JSON ({exc})")
        try:
            data = checks.structural_events(body)
            if validate:
                self._count("schema_validated")
                problem = checks.schema_problem(body)
                if problem is not None:
                    raise checks.RequestInvalid(problem)
        except checks.RequestInvalid as exc:
            return self._error(h, 400, INVALID, f"The request was invalid: {exc}")
        outcomes = checks.event_outcomes(data, now, window_days=self.event_window_days)
        return self._accept(h, account, test, fault, [e["event_id"] for e in data], outcomes)

    def _accept(
        self,
        h: "_Handler",
        account: str,
        test: bool,
        fault: str,
        event_ids: list[str],
        outcomes: list[checks.EventOutcome],
    ) -> None:
        """Record the accepted request (before answering), then answer 200 or drop the answer (fault)."""
        n = len(event_ids)
        processed = sum(1 for o in outcomes if o.status == "processed")
        warnings = sum(1 for o in outcomes if o.warning_message)
        self._recorder.add(
            account, test, zip(event_ids, [o.status for o in outcomes]), answer_dropped=fault == DROP_AFTER
        )
        self._count("processed_events", n=processed)
        self._count("failed_events", n=n - processed)
        self._count("warnings", n=warnings)
        body = checks.response_json(outcomes)
        if fault == DROP_AFTER:
            h.close_connection = True
            return
        self._send(h, 200, body)

    def _error(self, h: "_Handler", status: int, code: int, message: str, retry_after: bool = False) -> None:
        body = json.dumps({"code": code, "message": message}).encode()
        headers = {}
        if retry_after and self.retry_after is not None:
            headers["Retry-After"] = f"{self.retry_after:g}"
        self._send(h, status, body, headers)

    def _send(self, h: "_Handler", status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
        self._count(answer=status)
        h.send_response(status)
        h.send_header("Content-Type", "application/json")
        h.send_header("Content-Length", str(len(body)))
        for k, v in (headers or {}).items():
            h.send_header(k, v)
        if h.close_connection:
            h.send_header("Connection", "close")
        h.end_headers()
        h.wfile.write(body)


class _BodyError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128


class _Server6(_Server):
    address_family = socket.AF_INET6


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, like the real API
    server_version = "pinexport-sandbox"
    sys_version = ""
    timeout = 300  # idle keep-alive connections are closed after this many seconds

    def setup(self) -> None:
        super().setup()
        # headers and body go out in two writes: without this, Nagle + delayed ACK add ~40 ms per answer
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        with self.server.sandbox._conns_lock:  # type: ignore[attr-defined]
            self.server.sandbox._conns[self.connection] = threading.current_thread()  # type: ignore[attr-defined]

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            with self.server.sandbox._conns_lock:  # type: ignore[attr-defined]
                self.server.sandbox._conns.pop(self.connection, None)  # type: ignore[attr-defined]

    def read_body(self) -> bytes:
        """The request body, by Content-Length or chunked transfer encoding."""
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            parts, size = [], 0
            while True:
                line = self.rfile.readline(1024)
                try:
                    n = int(line.split(b";")[0].strip(), 16)
                except ValueError:
                    raise _BodyError(400, "malformed chunked body") from None
                if n == 0:
                    while self.rfile.readline(1024) not in (b"\r\n", b"\n", b""):
                        pass  # trailers
                    return b"".join(parts)
                size += n
                if size > MAX_BODY_BYTES:
                    raise _BodyError(413, f"body larger than {MAX_BODY_BYTES} bytes")
                parts.append(self.rfile.read(n))
                self.rfile.readline(16)
        length = self.headers.get("Content-Length")
        if length is None or not length.strip().isdigit():
            raise _BodyError(411, "Content-Length (or chunked transfer encoding) is required")
        n = int(length)
        if n > MAX_BODY_BYTES:
            raise _BodyError(413, f"body of {n} bytes is larger than {MAX_BODY_BYTES}")
        raw = self.rfile.read(n)
        if len(raw) != n:
            raise _BodyError(400, "body shorter than its Content-Length")
        return raw

    def drain(self) -> None:
        length = self.headers.get("Content-Length", "")
        if length.strip().isdigit() and int(length) <= MAX_BODY_BYTES:
            self.rfile.read(int(length))
        elif length:
            self.close_connection = True

    def _dispatch(self) -> None:
        try:
            self.server.sandbox._handle(self)  # type: ignore[attr-defined]
        except (BrokenPipeError, ConnectionResetError, TimeoutError):
            self.close_connection = True
        except Exception:  # a sandbox bug: answer 500 and say so on stderr (no headers, no body: no token)
            self.close_connection = True
            traceback.print_exc(file=sys.stderr)
            try:
                self.server.sandbox._error(self, 500, 1, "sandbox internal error")  # type: ignore[attr-defined]
            except OSError:
                pass

    do_POST = do_GET = do_PUT = do_DELETE = do_PATCH = _dispatch

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - silence per-request logging
        pass
