"""The delivery ledger: which events each ad account has been sent, and what Pinterest answered.

One SQLite file per ad account under the state directory, in WAL mode with `synchronous=FULL`, so a committed
transaction survives a crash or `kill -9`. It holds event_ids (hashes), event times, outcomes and batch ids: no
personal data, never the token.

Protocol (driven by `pinexport.api`):
1. before a request is sent, its batch is recorded as in flight (committed);
2. after the answer, every event of the batch is appended to `acks` with its outcome (`processed`, `warning` =
   processed with a warning, `failed` = refused by Pinterest) and the batch is closed, in one committed transaction;
3. a later run skips acknowledged events; events of batches still open (in flight when a run died) have no ack and
   are sent again: the only possible duplicates.

Why append-only: a B-tree keyed on random event_ids rewrites a page per event at every commit (measured ~30 s per
million events with a text primary key, ~20 s with an integer one); appending is ~2 s. Lookups instead use an
in-memory set of 64-bit keys (first 16 hex digits of the event_id when it is a SHA-256 hex string, as the model
makes it, else of sha256(event_id)), loaded once per run for the events inside the window: 8 bytes per event.
Two different events sharing a key would make the second look already sent; at 10 million events in a window that
chance is about 5 in a million per run. Acks older than the retention period are pruned: such events are outside
any window and can never be sent again.
"""

from __future__ import annotations

import hashlib
import json
import re
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Sequence

import polars as pl

from pinexport.errors import ConfigError

PROCESSED = "processed"
WARNING = "warning"
FAILED = "failed"
ACKNOWLEDGED = (PROCESSED, WARNING, FAILED)
_STATUS_CODE = {PROCESSED: 0, WARNING: 1, FAILED: 2}
_CODE_STATUS = {v: k for k, v in _STATUS_CODE.items()}
DEFAULT_RETENTION_DAYS = 60

_SCHEMA = """
create table if not exists batches (
    batch_id        integer primary key autoincrement,
    run_started_at  integer not null,
    marked_at       integer not null,
    event_ids       text not null,          -- JSON array: what was (about to be) sent
    acknowledged_at integer,                -- null while in flight
    outcome         text                    -- 'ok', 'http 422', ...
);
create table if not exists acks (
    event_id   text not null,
    key        integer not null,             -- 64-bit lookup key, see module doc
    event_time integer not null,
    status     integer not null,             -- 0 processed, 1 warning, 2 failed
    batch_id   integer not null,
    acked_at   integer not null
);
"""


def ledger_path(state_dir: str | Path, ad_account_id: str) -> Path:
    if not re.fullmatch(r"\d{1,18}", ad_account_id or ""):
        raise ConfigError("--ad-account-id must be 1 to 18 digits")
    return Path(state_dir) / f"ledger-{ad_account_id}.sqlite3"


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
    """The answer to one request, event by event."""

    batch_id: int
    event_ids: Sequence[str]
    keys: Sequence[int]
    event_times: Sequence[int]
    statuses: Sequence[str]  # one of ACKNOWLEDGED per event
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


class Ledger:
    """Single-writer access to one ad account's ledger."""

    def __init__(self, path: str | Path, *, readonly: bool = False) -> None:
        self.path = Path(path)
        if readonly:
            self._con = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, isolation_level=None)
        else:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._con = sqlite3.connect(self.path, isolation_level=None)
            self._con.execute("pragma journal_mode=wal")
            self._con.execute("pragma synchronous=full")
            self._con.executescript(_SCHEMA)
        self._con.execute("pragma busy_timeout=10000")

    @classmethod
    def open_for_reading(cls, path: str | Path) -> "Ledger | None":
        """A read-only view (dry runs), or None when no ledger exists yet."""
        return cls(path, readonly=True) if Path(path).exists() else None

    def close(self) -> None:
        self._con.close()

    def __enter__(self) -> "Ledger":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # --- reads --------------------------------------------------------------------------------------------------
    def known(self, since: int, *, chunk: int = 200_000) -> Known:
        """Acknowledged events with event_time >= since (latest outcome wins) and keys of still-open batches."""
        cur = self._con.execute(
            "select key, status from acks where event_time >= ? order by rowid", (int(since),)
        )
        parts = []
        while rows := cur.fetchmany(chunk):
            parts.append(pl.DataFrame(rows, schema={"key": pl.Int64, "code": pl.Int8}, orient="row"))
        if parts:
            frame = (
                pl.concat(parts)
                .unique(subset="key", keep="last", maintain_order=False)
                .select("key", pl.col("code").replace_strict(_CODE_STATUS, return_dtype=pl.String).alias("status"))
            )
        else:
            frame = pl.DataFrame(schema={"key": pl.Int64, "status": pl.String})
        open_ids: list[str] = []
        for (ids,) in self._con.execute("select event_ids from batches where acknowledged_at is null"):
            open_ids.extend(json.loads(ids))
        open_keys = keys(pl.Series("event_id", open_ids, dtype=pl.String))
        return Known(frame=frame, open_batch_keys=open_keys)

    def counts(self) -> dict[str, int]:
        rows = self._con.execute(
            "select status, count(*) from (select key, status, max(rowid) from acks group by key) group by status"
        ).fetchall()
        out = {_CODE_STATUS[code]: n for code, n in rows}
        (in_flight,) = self._con.execute("select count(*) from batches where acknowledged_at is null").fetchone()
        out["open_batches"] = in_flight
        return out

    # --- writes (each one committed transaction) ----------------------------------------------------------------
    def prune(self, older_than: int) -> int:
        """Forget acks of events older than `older_than` (Unix seconds) and batches closed before it."""
        with self._transaction():
            n = self._con.execute("delete from acks where event_time < ?", (int(older_than),)).rowcount
            self._con.execute(
                "delete from batches where acknowledged_at is not null and acknowledged_at < ?", (int(older_than),)
            )
        return n

    def mark_in_flight(self, run_started_at: int, batches: Iterable[Sequence[str]]) -> list[int]:
        """Record requests about to be sent; returns their batch ids. Durable when this returns."""
        now = int(time.time())
        ids: list[int] = []
        with self._transaction():
            for event_ids in batches:
                cur = self._con.execute(
                    "insert into batches (run_started_at, marked_at, event_ids) values (?, ?, ?)",
                    (int(run_started_at), now, json.dumps(list(event_ids))),
                )
                ids.append(int(cur.lastrowid))
        return ids

    def acknowledge(self, acks: Iterable[Ack]) -> None:
        """Record the answers of several requests in one durable transaction."""
        now = int(time.time())
        with self._transaction():
            for ack in acks:
                codes = [_STATUS_CODE[s] for s in ack.statuses]
                self._con.executemany(
                    "insert into acks (event_id, key, event_time, status, batch_id, acked_at) "
                    "values (?, ?, ?, ?, ?, ?)",
                    zip(ack.event_ids, ack.keys, ack.event_times, codes,
                        [ack.batch_id] * len(codes), [now] * len(codes), strict=True),
                )
                self._con.execute(
                    "update batches set acknowledged_at = ?, outcome = ? where batch_id = ?",
                    (now, ack.outcome, ack.batch_id),
                )

    def close_open_batches(self, batch_ids: Iterable[int], outcome: str) -> None:
        """Close batches that were marked but will not be answered in this run (never sent: nothing to ack)."""
        now = int(time.time())
        with self._transaction():
            self._con.executemany(
                "update batches set acknowledged_at = ?, outcome = ? where batch_id = ?",
                [(now, outcome, b) for b in batch_ids],
            )

    def _transaction(self):
        return _Tx(self._con)


class _Tx:
    def __init__(self, con: sqlite3.Connection) -> None:
        self.con = con

    def __enter__(self) -> None:
        self.con.execute("begin immediate")

    def __exit__(self, exc_type, exc, tb) -> None:
        self.con.execute("rollback" if exc_type else "commit")
