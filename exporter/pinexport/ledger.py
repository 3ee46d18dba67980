"""The delivery ledger: which events each ad account has been sent, and what Pinterest answered.

One SQLite file per ad account under the state directory, in WAL mode with `synchronous=FULL`, so a committed
transaction survives a crash or `kill -9`. It holds event_ids (hashes), event times, outcomes and batch ids: no
personal data, never the token.

Protocol (driven by `pinexport.api`):
1. before a request is sent, its batch (the JSON array of its event_ids, in request order) is inserted as in
   flight, committed;
2. after the answer the batch row is closed in a committed transaction: `status` is the outcome of every event
   (`processed`, or `failed` when the request was refused as a whole) and `exceptions` maps the position of each
   event with another outcome (`failed` by Pinterest, `warning` = processed with a warning) to it;
3. a later run skips acknowledged events; events of batches still open (in flight when a run died) are sent
   again: the only possible duplicates.
The `events` view unfolds this into one row per event: event_id, status, batch_id.

Why one row per request and no per-event index: a B-tree keyed on random event_ids rewrites a page per event at
every commit (measured ~30 s per million events with a text primary key, ~20 s with an integer one). Here a
request costs one insert and one update. Lookups use an in-memory table of 64-bit keys (first 16 hex digits of the
event_id when it is a SHA-256 hex string, as the model makes it, else of sha256(event_id)) loaded once per run for
the batches whose events may still be inside the window: 8 bytes per event. Two different events sharing a key
would make the second look already sent; at 10 million events in a window that chance is about 5 in a million
per run. Batches whose newest event is older than the retention period are pruned: their events are outside any
window and can never be sent again.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import re
import sqlite3
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Sequence

import polars as pl

from pinexport.errors import ConfigError

PROCESSED = "processed"
WARNING = "warning"
FAILED = "failed"
ACKNOWLEDGED = (PROCESSED, WARNING, FAILED)
DEFAULT_RETENTION_DAYS = 60
FORMAT_VERSION = 1
STATUS_DTYPE = pl.Enum(list(ACKNOWLEDGED))  # 10 million statuses in memory: a few bytes each, not strings

_SCHEMA = """
create table if not exists batches (
    batch_id        integer primary key autoincrement,
    run_started_at  integer not null,
    marked_at       integer not null,
    event_ids       text not null,          -- JSON array, request order
    min_event_time  integer not null,
    max_event_time  integer not null,
    acknowledged_at integer,                -- null while in flight
    status          text,                   -- outcome of every event not in exceptions
    exceptions      text,                   -- JSON object {"<position>": "failed" | "warning"}
    outcome         text                    -- 'ok', 'http 404', 'not sent: run stopped', ...
);
create index if not exists batches_by_time on batches (max_event_time);
create view if not exists events as
select j.value as event_id,
       case when b.acknowledged_at is null then 'in_flight'
            else coalesce(json_extract(b.exceptions, '$."' || j.key || '"'), b.status) end as status,
       b.batch_id, b.acknowledged_at
from batches b, json_each(b.event_ids) j
where b.status is not null or b.acknowledged_at is null;
"""


def ledger_path(state_dir: str | Path, ad_account_id: str) -> Path:
    if not re.fullmatch(r"\d{1,18}", ad_account_id or ""):
        raise ConfigError("--ad-account-id must be 1 to 18 digits")
    return Path(state_dir) / f"ledger-{ad_account_id}.sqlite3"


def _lock_exclusively(path: Path):
    """Open `path` and take a non-blocking exclusive flock on it; LedgerBusyError when another process holds it."""
    handle = open(path, "a+b")  # noqa: SIM115 - held for the ledger's lifetime, closed in Ledger.close()
    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.close()
        raise LedgerBusyError(
            f"another pinexport run is using {path.with_suffix('')} (the same ad account and --state-dir); "
            "wait for it to finish: two runs at once would send the same events twice"
        ) from None
    return handle


def key_expr(event_id: pl.Expr) -> pl.Expr:
    """The 64-bit lookup key of SHA-256-hex event_ids (others: null; see `keys`)."""
    hexish = event_id.str.contains(r"^[0-9a-f]{64}$")
    return (
        pl.when(hexish)
        .then(event_id.str.slice(0, 16).str.to_integer(base=16, dtype=pl.UInt64, strict=False))
        .reinterpret(signed=True)
    )


def keys(event_ids: pl.Series) -> pl.Series:
    """Lookup keys for a Series of event_ids (Int64)."""
    out = pl.select(key_expr(pl.lit(event_ids)).alias("key")).to_series()
    missing = out.is_null() & event_ids.is_not_null()
    if missing.any():
        fixed = [
            k if k is not None or e is None else _hash_key(e)
            for k, e in zip(out.to_list(), event_ids.to_list())
        ]
        out = pl.Series("key", fixed, dtype=pl.Int64)
    return out


def _hash_key(event_id: str) -> int:
    return int.from_bytes(hashlib.sha256(event_id.encode("utf-8")).digest()[:8], "big", signed=True)


@dataclass(frozen=True)
class Ack:
    """The answer to one request: every event has `status` except those listed in `exceptions`."""

    batch_id: int
    status: str  # PROCESSED or FAILED
    exceptions: dict[int, str] = field(default_factory=dict)  # position in the request -> FAILED | WARNING
    outcome: str = "ok"


@dataclass(frozen=True)
class Known:
    """What the ledger knows about events inside a window: key -> latest status (as a polars frame)."""

    frame: pl.DataFrame  # columns key (Int64), status (String)
    open_batch_keys: pl.Series  # keys of events in batches left in flight by an earlier run (Int64)

    def lookup(self, event_keys: pl.Series) -> pl.Series:
        """Latest acknowledged status for each key, null when never acknowledged."""
        probe = pl.DataFrame({"key": event_keys})
        return probe.join(self.frame, on="key", how="left", maintain_order="left")["status"]

    def was_in_flight(self, event_keys: pl.Series) -> pl.Series:
        return event_keys.is_in(self.open_batch_keys.implode())


class LedgerBusyError(ConfigError):
    """Another run holds this ad account's ledger."""


class Ledger:
    """Single-writer access to one ad account's ledger, enforced: a writer holds an exclusive lock on
    `<ledger>.lock` (flock, released by the kernel when the process ends, even by kill -9), so a second run on the
    same ad account and state directory stops at once instead of sending every event the first has not
    acknowledged yet."""

    def __init__(self, path: str | Path, *, readonly: bool = False) -> None:
        self.path = Path(path)
        self._lock_file = None
        if readonly:
            self._con = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, isolation_level=None)
        else:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._lock_file = _lock_exclusively(self.path.with_name(self.path.name + ".lock"))
            self._con = sqlite3.connect(self.path, isolation_level=None)
            self._con.execute("pragma journal_mode=wal")
            self._con.execute("pragma synchronous=full")
            (version,) = self._con.execute("pragma user_version").fetchone()
            (tables,) = self._con.execute("select count(*) from sqlite_master").fetchone()
            if tables and version != FORMAT_VERSION:
                self.close()
                raise ConfigError(f"{self.path} is not a ledger this pinexport can read (format {version}, "
                                  f"expected {FORMAT_VERSION}); move it away or point --state-dir elsewhere")
            self._con.executescript(_SCHEMA)
            self._con.execute(f"pragma user_version = {FORMAT_VERSION}")
        self._con.execute("pragma busy_timeout=10000")

    @classmethod
    def open_for_reading(cls, path: str | Path) -> "Ledger | None":
        """A read-only view (dry runs), or None when no ledger exists yet."""
        return cls(path, readonly=True) if Path(path).exists() else None

    def close(self) -> None:
        self._con.close()
        if self._lock_file is not None:
            self._lock_file.close()  # releases the flock
            self._lock_file = None

    def __enter__(self) -> "Ledger":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # --- reads --------------------------------------------------------------------------------------------------
    def known(self, since: int, *, chunk: int = 500) -> Known:
        """Latest outcome of acknowledged events in batches with events at or after `since`, and the keys of
        batches still open."""
        cur = self._con.execute(
            "select batch_id, event_ids, status, exceptions, acknowledged_at from batches "
            "where max_event_time >= ? and (status is not null or acknowledged_at is null) order by batch_id",
            (int(since),),
        )
        parts: list[pl.DataFrame] = []
        open_parts: list[pl.Series] = []
        while rows := cur.fetchmany(chunk):
            acked = [r for r in rows if r[4] is not None]
            if acked:
                parts.append(_unfold(acked))
            open_ids = [r[1] for r in rows if r[4] is None]
            if open_ids:
                ids = pl.Series(open_ids, dtype=pl.String).str.json_decode(pl.List(pl.String)).explode()
                open_parts.append(keys(ids.drop_nulls()))
        if parts:
            frame = pl.concat(parts).unique(subset="key", keep="last", maintain_order=False)
        else:
            frame = pl.DataFrame(schema={"key": pl.Int64, "status": STATUS_DTYPE})
        open_keys = pl.concat(open_parts) if open_parts else pl.Series("key", [], dtype=pl.Int64)
        return Known(frame=frame, open_batch_keys=open_keys)

    def counts(self) -> dict[str, int]:
        """Events per latest status, plus the number of batches still open (inspection and tests)."""
        rows = self._con.execute(
            "select status, count(*) from (select event_id, status, max(batch_id) from events "
            "where status != 'in_flight' group by event_id) group by status"
        ).fetchall()
        out = dict(rows)
        (open_batches,) = self._con.execute(
            "select count(*) from batches where acknowledged_at is null"
        ).fetchone()
        out["open_batches"] = open_batches
        return out

    # --- writes (each one committed transaction) ----------------------------------------------------------------
    def prune(self, older_than: int) -> int:
        """Forget batches whose newest event is older than `older_than` (Unix seconds)."""
        with self._transaction():
            return self._con.execute("delete from batches where max_event_time < ?", (int(older_than),)).rowcount

    def mark_in_flight(
        self, run_started_at: int, batches: Iterable[tuple[Sequence[str] | str, int, int]]
    ) -> list[int]:
        """Record requests about to be sent: (event_ids or their JSON array text, min_event_time, max_event_time)
        each. Returns their batch ids; durable when this returns."""
        now = int(time.time())
        ids: list[int] = []
        with self._transaction():
            for event_ids, lo, hi in batches:
                cur = self._con.execute(
                    "insert into batches (run_started_at, marked_at, event_ids, min_event_time, max_event_time) "
                    "values (?, ?, ?, ?, ?)",
                    (int(run_started_at), now,
                     event_ids if isinstance(event_ids, str) else json.dumps(list(event_ids)), int(lo), int(hi)),
                )
                ids.append(int(cur.lastrowid))
        return ids

    def acknowledge(self, acks: Iterable[Ack]) -> None:
        """Record the answers of several requests in one durable transaction."""
        now = int(time.time())
        rows = []
        for ack in acks:
            if ack.status not in (PROCESSED, FAILED) or not set(ack.exceptions.values()) <= {FAILED, WARNING}:
                raise ValueError(f"invalid outcome for batch {ack.batch_id}")
            exceptions = json.dumps({str(i): s for i, s in ack.exceptions.items()}) if ack.exceptions else None
            rows.append((now, ack.status, exceptions, ack.outcome, ack.batch_id))
        with self._transaction():
            self._con.executemany(
                "update batches set acknowledged_at = ?, status = ?, exceptions = ?, outcome = ? "
                "where batch_id = ?",
                rows,
            )

    def close_open_batches(self, batch_ids: Iterable[int], outcome: str) -> None:
        """Close batches that were marked but never sent in this run (no outcome: their events stay unsent)."""
        now = int(time.time())
        with self._transaction():
            self._con.executemany(
                "update batches set acknowledged_at = ?, outcome = ? where batch_id = ?",
                [(now, outcome, b) for b in batch_ids],
            )

    def _transaction(self):
        return _Tx(self._con)


def _unfold(rows: list[tuple]) -> pl.DataFrame:
    """(batch_id, event_ids JSON, status, exceptions JSON, acknowledged_at) rows -> key, status per event."""
    df = pl.DataFrame(
        {"batch_id": [r[0] for r in rows], "ids": [r[1] for r in rows], "status": [r[2] for r in rows]},
        schema={"batch_id": pl.Int64, "ids": pl.String, "status": pl.String},
    )
    df = (
        df.with_columns(pl.col("ids").str.json_decode(pl.List(pl.String)))
        .with_columns(pos=pl.int_ranges(pl.col("ids").list.len()))
        .explode("ids", "pos")
        .rename({"ids": "event_id"})
    )
    exc = [(r[0], int(pos), st) for r in rows if r[3] for pos, st in json.loads(r[3]).items()]
    if exc:
        ex = pl.DataFrame(exc, schema={"batch_id": pl.Int64, "pos": pl.Int64, "exc": pl.String}, orient="row")
        df = df.join(ex, on=["batch_id", "pos"], how="left", maintain_order="left").with_columns(
            pl.coalesce("exc", "status").alias("status")
        )
    return df.select(keys(df["event_id"]).alias("key"), pl.col("status").cast(STATUS_DTYPE))


class _Tx:
    def __init__(self, con: sqlite3.Connection) -> None:
        self.con = con

    def __enter__(self) -> None:
        self.con.execute("begin immediate")

    def __exit__(self, exc_type, exc, tb) -> None:
        self.con.execute("rollback" if exc_type else "commit")
