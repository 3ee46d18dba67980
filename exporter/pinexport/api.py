"""`send_events()`: deliver the eligible rows of the model to the Conversions API (the library behind `pinexport api`).

Pipeline, with memory bounded by a few chunks whatever the model's size:

  reader thread:  source chunk (<= chunk_rows rows inside the window)
                  -> normalize types -> local checks (reason per row) -> drop what the ledger has acknowledged
                  -> event JSON for the rest (columnar) -> full JSON Schema on a sample (every event in a dry run)
  main thread:    rejects file; split into requests of <= batch_size events; mark a few requests in flight in the
                  ledger (committed) -> hand them to `concurrency` sending threads (rate-limited, retried)
                  -> as answers come, acknowledge them in the ledger (one committed transaction per wake-up),
                  write failures/warnings to the rejects file, update progress.

A request is only handed to a sending thread after it is durably marked in flight, and a sending slot is only
reused after the answer it carried is durably acknowledged, so after a crash at most `concurrency` requests can
have been answered without being acknowledged: the only events a rerun sends twice.
"""

from __future__ import annotations

import json
import math
import queue
import threading
import time
from collections import Counter, deque
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator, TextIO

import polars as pl

from pinexport import ledger as ledger_mod
from pinexport import payloads, source, validate
from pinexport.delivery import ANSWERED, AUTH, GAVE_UP, STOPPED, TERMINAL, Client, Result, RetryPolicy
from pinexport.errors import ConfigError, DataError
from pinexport.ledger import FAILED, PROCESSED, WARNING, Ack, Known, Ledger
from pinexport.progress import Progress
from pinexport.ratelimit import TokenBucket
from pinexport.report import RejectsWriter, RunSummary

DEFAULT_BASE_URL = "https://api.pinterest.com"
MAX_BATCH = 1000


@dataclass
class ApiOptions:
    ad_account_id: str
    source: source.SourceSpec
    token: str | None = field(default=None, repr=False)  # None only for a dry run; never in a repr
    base_url: str = DEFAULT_BASE_URL
    window_days: float = 7.0
    test_events: bool = False
    dry_run: bool = False
    dry_run_output: TextIO | None = None  # NDJSON, one request body per line
    skip_invalid: bool = True
    batch_size: int = MAX_BATCH
    concurrency: int = 4
    rate_limit_per_minute: float = 5000.0
    policy: RetryPolicy = field(default_factory=RetryPolicy)
    connect_timeout: float = 10.0
    read_timeout: float = 60.0
    state_dir: Path = Path(".pinexport")
    rejects_path: Path | None = None
    resend: bool = False
    retry_failed: bool = False
    schema_sample: float = 0.001
    chunk_rows: int = 20_000
    retention_days: float = ledger_mod.DEFAULT_RETENTION_DAYS

    def check(self) -> None:
        ledger_mod.ledger_path(self.state_dir, self.ad_account_id)  # validates the id
        if not 1 <= self.batch_size <= MAX_BATCH:
            raise ConfigError(f"--batch-size must be between 1 and {MAX_BATCH} (the API's limit per request)")
        if self.concurrency < 1:
            raise ConfigError("--concurrency must be at least 1")
        if self.rate_limit_per_minute <= 0:
            raise ConfigError("--rate-limit must be positive")
        if not 0 < self.window_days <= 3650:
            raise ConfigError("--window-days must be a positive number of days")
        if not 0.0 <= self.schema_sample <= 1.0:
            raise ConfigError("--schema-sample must be between 0 and 1")
        if not self.dry_run and not self.token:
            raise ConfigError("no access token (set PINTEREST_ACCESS_TOKEN or pass --token-file)")


@dataclass
class _Chunk:
    """One source chunk after local processing (built in the reader thread)."""

    rows: int
    rejected: pl.DataFrame  # event_id, order_id, reason
    already: Counter
    resent_in_flight: int
    send: pl.DataFrame  # event_id, order_id, event_time, event (JSON)
    batches: list["_Batch"] = field(default_factory=list)  # `send` cut into request bodies


@dataclass
class _Batch:
    ids: pl.DataFrame  # event_id, order_id of the request's events, in order (a slice: no copy)
    ids_json: str  # the event_ids as a JSON array, for the ledger
    min_time: int
    max_time: int
    body: bytes
    batch_id: int = 0

    def __len__(self) -> int:
        return self.ids.height

    @property
    def event_ids(self) -> list[str]:
        return self.ids["event_id"].to_list()

    @property
    def order_ids(self) -> list[str | None]:
        return self.ids["order_id"].to_list()


def send_events(
    opts: ApiOptions,
    *,
    progress: Progress | None = None,
    now: Callable[[], float] = time.time,
    sleep: Callable[[float], None] | None = None,
    session=None,
) -> RunSummary:
    """Run one delivery (or dry run) and return its summary. Raises PinexportError on configuration problems and,
    with skip_invalid=False, DataError before sending anything when an event is invalid."""
    opts.check()
    started = time.monotonic()
    run_started_at = int(now())
    window_end = run_started_at
    window_start = window_end - int(round(opts.window_days * 86400))
    spec = opts.source
    summary = RunSummary(
        ad_account_id=opts.ad_account_id, source=spec.describe(), dry_run=opts.dry_run,
        test_events=opts.test_events, window_start=window_start, window_end=window_end,
    )
    # counts: the model, and what lies outside the window (read by count queries, never loaded)
    total = source.count_rows(spec)
    eligible = source.count_rows(spec, since=window_start, until=window_end + 1)
    summary.skipped_out_of_window = source.count_rows(spec, until=window_start)
    summary.skipped_future = source.count_rows(spec, since=window_end + 1)
    summary.skipped_no_event_time = total - eligible - summary.skipped_out_of_window - summary.skipped_future
    # an event_id on several rows of the window is rejected in every copy, whichever chunks they fall in
    duplicates = source.duplicated_values(spec, "event_id", since=window_start, until=window_end + 1)
    columns = None  # every column of the model (its columns are the API's fields); others are dropped per batch

    if not opts.skip_invalid:
        _pre_check(opts, spec, columns, window_start, window_end, duplicates)

    path = ledger_mod.ledger_path(opts.state_dir, opts.ad_account_id)
    if opts.dry_run:
        ledger = None
        reader = None if opts.resend else Ledger.open_for_reading(path)
    else:
        ledger = Ledger(path)
        ledger.prune(window_end - int(max(opts.retention_days, opts.window_days + 7) * 86400))
        reader = ledger
    try:
        known = _empty_known() if (opts.resend or reader is None) else reader.known(window_start)
    finally:
        if reader is not None and reader is not ledger:
            reader.close()

    rejects = RejectsWriter(
        opts.rejects_path if opts.rejects_path is not None
        else (None if opts.dry_run else Path(opts.state_dir) / f"rejects-{opts.ad_account_id}.csv")
    )
    summary.rejects_file = str(rejects.path) if rejects.path else None
    if progress is not None:
        progress.total = eligible
    chunks = _ChunkReader(opts, spec, columns, window_start, window_end, known, duplicates)
    rows_read = 0
    runner = None
    try:
        runner = _DryRun(opts, summary, rejects, progress) if opts.dry_run else _Delivery(
            opts, summary, rejects, ledger, run_started_at, progress, sleep, session
        )
        for chunk in chunks:
            rows_read += chunk.rows
            summary.already_sent.update(chunk.already)
            summary.resent_in_flight += chunk.resent_in_flight
            _record_rejected(chunk.rejected, summary, rejects)
            if not runner.feed(chunk):
                break
        runner.finish()
        stopped = summary.stopped is not None
    except BaseException:
        # Ctrl-C or a read error: send nothing more, but record the answers of requests already in flight
        if runner is not None:
            runner.abort()
        raise
    finally:
        chunks.close()
        rejects.close()
        if ledger is not None:
            ledger.close()
    summary.model_rows = total
    unread = (eligible - rows_read) if stopped else 0
    if not stopped and rows_read != eligible:
        # the table changed between counting and reading: reconcile on what was actually read
        summary.model_rows = total - eligible + rows_read
    summary.not_sent += unread
    summary.elapsed_seconds = time.monotonic() - started
    if progress is not None:
        progress.finish()
    return summary


# --- reading and preparing chunks -----------------------------------------------------------------------------------
def _check_columns(df: pl.DataFrame, spec: source.SourceSpec) -> pl.DataFrame:
    """Keep the payload columns of a batch; refuse a model without the required ones."""
    missing = [c for c in payloads.REQUIRED_COLUMNS if c not in df.columns]
    if missing:
        raise ConfigError(f"{spec.describe()} lacks required column(s): {', '.join(missing)}")
    cols = payloads.payload_columns(df.columns)
    return df if len(cols) == df.width else df.select(cols)


def _empty_known() -> Known:
    return Known(
        frame=pl.DataFrame(schema={"key": pl.Int64, "status": ledger_mod.STATUS_DTYPE}),
        open_batch_keys=pl.Series("key", [], dtype=pl.Int64),
    )


def _prepare(
    df: pl.DataFrame, opts: ApiOptions, known: Known, sample_every: int, spec, duplicates: pl.Series | None = None
) -> _Chunk:
    df = payloads.normalize_frame(_check_columns(df, spec))
    if "order_id" not in df.columns:
        df = df.with_columns(pl.lit(None, dtype=pl.String).alias("order_id"))
    df = df.with_columns(ledger_mod.key_expr(pl.col("event_id")).alias("key"))
    if df["key"].null_count() > df["event_id"].null_count():  # event_ids that are not SHA-256 hex
        df = df.with_columns(ledger_mod.keys(df["event_id"]).alias("key"))
    rows = df.height
    # the ledger first: acknowledged events are not sent again (unless --resend / --retry-failed), and need no
    # checking or encoding (a rerun over an unchanged model costs little more than reading it)
    already: Counter = Counter()
    resent = 0
    if known.frame.height:
        status = known.lookup(df["key"])
        skip = status.is_not_null()
        if opts.retry_failed:
            skip = skip & (status != FAILED)
        already = Counter(status.filter(skip).cast(pl.String).to_list())
        df = df.filter(~skip)
    if known.open_batch_keys.len():
        resent = int(known.was_in_flight(df["key"]).sum())
    df = df.with_columns(validate.reason_expr(df.columns, duplicates))
    valid = df.filter(pl.col("reason").is_null())
    rejected = df.filter(pl.col("reason").is_not_null()).select("event_id", "order_id", "reason")
    # columns null in every row of the chunk are left out before encoding (less for the null-removing regex)
    fields = [c for c in valid.columns if c in payloads.KNOWN_COLUMNS
              and (c in payloads.REQUIRED_COLUMNS or valid[c].null_count() < valid.height)]
    send = valid.select("event_id", "order_id", "event_time", "key", payloads.event_json_expr(fields))
    # full JSON Schema: every event in a dry run, otherwise the events whose key is a multiple of `sample_every`:
    # chosen by event, not by position, so the --no-skip-invalid pre-check looks at the very events the run
    # would sample, whatever the ledger lets through
    if send.height and sample_every:
        idx = send.select(pl.arg_where(pl.col("key") % sample_every == 0)).to_series().to_list()
        events = send["event"]
        bad = {i: err for i in idx if (err := validate.schema_errors(events[i])) is not None}
        if bad:
            mask = pl.Series([i in bad for i in range(send.height)])
            msgs = pl.Series("reason", [f"schema: {bad[i]}" for i in sorted(bad)], dtype=pl.String)
            rejected = pl.concat(
                [rejected, send.filter(mask).select("event_id", "order_id").with_columns(msgs)], how="vertical"
            )
            send = send.filter(~mask)
    return _Chunk(rows=rows, rejected=rejected, already=already, resent_in_flight=resent, send=send)


def _sample_every(opts: ApiOptions) -> int:
    if opts.dry_run or opts.schema_sample >= 1.0:
        return 1
    if opts.schema_sample <= 0:
        return 0
    return max(1, int(math.ceil(1.0 / opts.schema_sample)))


class _ChunkReader:
    """Reads and prepares chunks in a background thread (polars and DuckDB release the GIL), a few ahead."""

    _DONE = object()

    def __init__(self, opts, spec, columns, since, until, known, duplicates=None, depth: int = 1) -> None:
        self._q: queue.Queue = queue.Queue(maxsize=depth)
        self._stop = threading.Event()
        every = _sample_every(opts)

        def work() -> None:
            try:
                for df in _read_window(spec, columns, since, until + 1, opts.chunk_rows):
                    item = _prepare(df, opts, known, every, spec, duplicates)
                    item.batches = list(_batches(item.send, opts.batch_size))  # bodies built here, off the
                    item.send = item.send.clear()  # main thread that hands out requests
                    while not self._stop.is_set():
                        try:
                            self._q.put(item, timeout=0.1)
                            break
                        except queue.Full:
                            continue
                    if self._stop.is_set():
                        return
                self._q.put(self._DONE)
            except BaseException as exc:  # handed to the main thread
                self._q.put(exc)

        self._thread = threading.Thread(target=work, name="pinexport-reader", daemon=True)
        self._thread.start()

    def __iter__(self) -> Iterator[_Chunk]:
        while True:
            item = self._q.get()
            if item is self._DONE:
                return
            if isinstance(item, BaseException):
                raise item
            yield item

    def close(self) -> None:
        self._stop.set()
        while True:  # unblock a reader waiting on a full queue
            try:
                self._q.get_nowait()
            except queue.Empty:
                break
        self._thread.join(timeout=5)


def _read_window(spec, columns, since: int, until: int, chunk_rows: int) -> Iterator[pl.DataFrame]:
    """The rows with since <= event_time < until, in batches of at most `chunk_rows`, with bounded memory
    (`source.read_batches` reads DuckDB tables in rowid slices: linear cost, about two slices in memory)."""
    # no prefetch: the api already reads on a thread of its own, a chunk ahead of the senders (measured at 1M
    # events: 490 MB peak with prefetch, see the commit for the figure without)
    yield from source.read_batches(
        spec, columns=columns, since=since, until=until, batch_size=chunk_rows, prefetch=False
    )


def _pre_check(opts: ApiOptions, spec, columns, since: int, until: int, duplicates: pl.Series | None) -> None:
    """--no-skip-invalid: look at every eligible event before sending anything; stop at the first invalid one."""
    every = _sample_every(opts)
    for df in _read_window(spec, columns, since, until + 1, opts.chunk_rows):
        chunk = _prepare(df, opts, _empty_known(), every, spec, duplicates)
        if chunk.rejected.height:
            event_id, order_id, reason = chunk.rejected.row(0)
            raise DataError(
                f"invalid event {event_id or '(no event_id)'} (order_id {order_id or 'unknown'}): "
                f"{validate.describe_reason(reason) if not reason.startswith('schema:') else reason}. "
                f"Nothing was sent (--no-skip-invalid); fix the model or use --skip-invalid."
            )


def _record_rejected(rejected: pl.DataFrame, summary: RunSummary, rejects: RejectsWriter) -> None:
    if not rejected.height:
        return
    codes = [r.split(":", 1)[0] if r.startswith("schema:") else r for r in rejected["reason"].to_list()]
    summary.rejected.update(codes)
    rejects.write(
        (eid, oid, "local", "rejected", code,
         (reason.split(":", 1)[1].strip() if reason.startswith("schema:") else validate.describe_reason(reason)))
        for (eid, oid, reason), code in zip(rejected.iter_rows(), codes)
    )


def _batches(send: pl.DataFrame, size: int) -> Iterator[_Batch]:
    """Cut a chunk into request bodies. (Measured per million events: 1.9 s CPU joining the event strings in
    Python, 2.7 s with a polars group_by + str.join; lists of event/order ids are only built when needed.)"""
    events, event_ids, times = send["event"], send["event_id"], send["event_time"]
    for start in range(0, send.height, size):
        part_times = times.slice(start, size)
        yield _Batch(
            ids=send.slice(start, size).select("event_id", "order_id"),
            ids_json=json.dumps(event_ids.slice(start, size).to_list()),
            min_time=int(part_times.min()), max_time=int(part_times.max()),
            body=('{"data":[' + ",".join(events.slice(start, size).to_list()) + "]}").encode("utf-8"),
        )


# --- dry run ---------------------------------------------------------------------------------------------------------
class _DryRun:
    def __init__(self, opts: ApiOptions, summary: RunSummary, rejects: RejectsWriter, progress) -> None:
        self.opts, self.summary, self.rejects, self.progress = opts, summary, rejects, progress
        self.seen = 0

    def feed(self, chunk: _Chunk) -> bool:
        for batch in chunk.batches:
            self.summary.would_send += len(batch)
            self.summary.requests += 1
            if self.opts.dry_run_output is not None:
                self.opts.dry_run_output.write(batch.body.decode("utf-8") + "\n")
        self.seen += chunk.rows
        if self.progress is not None:
            self.progress.update(self.seen)
        return True

    def finish(self) -> None:
        if self.opts.dry_run_output is not None:
            self.opts.dry_run_output.flush()

    def abort(self) -> None:
        self.finish()


# --- delivery --------------------------------------------------------------------------------------------------------
class _Delivery:
    def __init__(self, opts, summary, rejects, ledger: Ledger, run_started_at, progress, sleep, session) -> None:
        self.opts, self.summary, self.rejects, self.ledger = opts, summary, rejects, ledger
        self.run_started_at = run_started_at
        self.progress = progress
        self.stop = threading.Event()
        self.client = Client(
            base_url=opts.base_url, token=opts.token or "", ad_account_id=opts.ad_account_id,
            test_events=opts.test_events,
            limiter=TokenBucket(opts.rate_limit_per_minute), policy=opts.policy,
            connect_timeout=opts.connect_timeout, read_timeout=opts.read_timeout, pool_size=opts.concurrency,
            stop=self.stop, sleep=sleep, session=session,
        )
        self.pool = ThreadPoolExecutor(max_workers=opts.concurrency, thread_name_prefix="pinexport-send")
        self.in_flight: dict[Future, _Batch] = {}
        self.marked: deque[_Batch] = deque()
        self.done_events = 0

    def feed(self, chunk: _Chunk) -> bool:
        # progress counts every eligible row handled: answered, or settled locally (already sent, rejected)
        self.done_events += chunk.rows - sum(len(b) for b in chunk.batches)
        if self.progress is not None:
            self.progress.update(self.done_events, retries=self.client.retries)
        pending = deque(chunk.batches)
        while pending or self.marked:
            if self.stop.is_set():
                self._drop_unsent(pending)
                return False
            if len(self.in_flight) >= self.opts.concurrency:
                self._collect(block=True)
                continue
            if not self.marked:
                group = [pending.popleft() for _ in range(min(len(pending), max(8, self.opts.concurrency)))]
                ids = self.ledger.mark_in_flight(
                    self.run_started_at, [(b.ids_json, b.min_time, b.max_time) for b in group]
                )
                for b, batch_id in zip(group, ids):
                    b.batch_id = batch_id
                self.marked.extend(group)
            batch = self.marked.popleft()
            self.in_flight[self.pool.submit(self.client.send, batch.body, len(batch))] = batch
            self.summary.requests += 1
            self._collect(block=False)
        return not self.stop.is_set()

    def finish(self) -> None:
        try:
            while self.in_flight:
                self._collect(block=True)
            self._drop_unsent(deque())
            if self.progress is not None:
                self.progress.update(self.done_events, retries=self.client.retries, force=True)
        finally:
            self.pool.shutdown(wait=True, cancel_futures=True)
            self.client.close()
            self.summary.retries = self.client.retries

    def abort(self) -> None:
        self.stop.set()
        try:
            self.finish()
        except BaseException:  # noqa: BLE001 - already failing; the ledger keeps whatever was committed
            self.pool.shutdown(wait=False, cancel_futures=True)

    def _drop_unsent(self, pending: deque) -> None:
        """Batches that will not be sent in this run: count them; close the ones marked in flight (never sent)."""
        unsent = list(self.marked) + list(pending)
        self.summary.not_sent += sum(len(b) for b in unsent)
        marked_ids = [b.batch_id for b in self.marked]
        if marked_ids:
            self.ledger.close_open_batches(marked_ids, "not sent: run stopped")
        self.marked.clear()

    def _collect(self, *, block: bool) -> None:
        if not self.in_flight:
            return
        done, _ = wait(list(self.in_flight), timeout=None if block else 0, return_when=FIRST_COMPLETED)
        if not done:
            return
        acks: list[Ack] = []
        reject_rows: list[tuple] = []
        for fut in done:
            batch = self.in_flight.pop(fut)
            result: Result = fut.result()
            ack = self._account(batch, result, reject_rows)
            if ack is not None:
                acks.append(ack)
        if acks:
            self.ledger.acknowledge(acks)  # durable before any further request is handed out
        self.rejects.write(reject_rows)
        if self.progress is not None:
            self.progress.update(self.done_events, retries=self.client.retries)

    def _account(self, batch: _Batch, result: Result, reject_rows: list) -> Ack | None:
        s = self.summary
        n = len(batch)
        if result.kind == ANSWERED:
            exceptions: dict[int, str] = {}
            s.received += result.received if result.received is not None else n
            event_ids = order_ids = None
            for i, answer in enumerate(result.events):  # empty when all were processed without warnings
                if event_ids is None:
                    event_ids, order_ids = batch.event_ids, batch.order_ids
                if answer.status == "processed":
                    if answer.warning_message:
                        s.warnings[answer.warning_message] += 1
                        exceptions[i] = WARNING
                        reject_rows.append((event_ids[i], order_ids[i], "pinterest", "warning", "",
                                            answer.warning_message))
                else:
                    message = answer.error_message or f"status {answer.status!r} without a message"
                    s.failed[message] += 1
                    exceptions[i] = FAILED
                    reject_rows.append((event_ids[i], order_ids[i], "pinterest", "failed", "", message))
            s.processed += n - sum(1 for v in exceptions.values() if v == FAILED)
            self.done_events += n
            return Ack(batch.batch_id, PROCESSED, exceptions, "ok")
        if result.kind == TERMINAL:
            # refused as a whole (400, 422, ...): not retried; every event of the request reported with the message
            s.failed[result.message] += n
            reason = f"http_{result.http_status}" if result.http_status else "request_failed"
            reject_rows.extend((eid, oid, "pinterest", "failed", reason, result.message)
                               for eid, oid in zip(batch.event_ids, batch.order_ids))
            self.done_events += n
            return Ack(batch.batch_id, FAILED, {}, f"http {result.http_status}" if result.http_status else "refused")
        # AUTH, GAVE_UP, STOPPED: no answer for these events; they stay unacknowledged and a rerun sends them
        s.not_sent += n
        if result.kind in (AUTH, GAVE_UP) and s.stopped is None:
            if result.kind == AUTH:
                s.stopped = "auth"
                s.stop_message = (
                    f"Pinterest refused the access token ({result.message}). Check PINTEREST_ACCESS_TOKEN / "
                    f"--token-file and that the token may write conversions for ad account {self.opts.ad_account_id}."
                    " Nothing more was sent."
                )
            else:
                s.stopped = "gave_up"
                s.stop_message = (
                    f"a request still failed after {result.attempts} attempts ({result.message}); stopped. "
                    "Rerun later: only events not yet acknowledged are sent."
                )
            self.stop.set()
        return None
